"""Matrix factorization through `implicit`: ALS (Hu, Koren & Volinsky 2008) or BPR (Rendle 2009).

Training data is the users x items matrix of summed event weights, compressed to
log1p(weight) and scaled by `alpha` (ALS's confidence). A known user is scored with the learned
user vector; anyone else (a guest, a user newer than the model) is folded in from the query's
context items: for ALS the exact least-squares user vector given the item factors, for BPR the
mean of the items' vectors. Only the factors are stored, as plain float32 arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from personalization.engine.recs.base import Query, Recommender
from personalization.engine.recs.interactions import Catalog, Interactions

ALGORITHMS = ("als", "bpr")


class MatrixFactorization(Recommender):
    name = "matrix_factorization"

    def __init__(
        self,
        *,
        algorithm: str = "als",
        factors: int = 64,
        regularization: float = 0.05,
        iterations: int = 15,
        alpha: float = 10.0,
        learning_rate: float = 0.01,
        seed: int = 0,
        threads: int = 0,
    ) -> None:
        if algorithm not in ALGORITHMS:
            raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}")
        super().__init__(
            algorithm=algorithm,
            factors=factors,
            regularization=regularization,
            iterations=iterations,
            alpha=alpha,
            learning_rate=learning_rate,
            seed=seed,
            threads=threads,
        )
        self.user_factors = np.zeros((0, 0), np.float32)
        self.item_factors = np.zeros((0, 0), np.float32)

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        # imported here: implicit is heavy and only training needs it
        from implicit.cpu.als import AlternatingLeastSquares
        from implicit.cpu.bpr import BayesianPersonalizedRanking

        weights = interactions.user_item_matrix(binary=False)
        weights.data = np.log1p(np.maximum(weights.data, 0.0))
        weights.eliminate_zeros()
        user_items = sp.csr_matrix(weights, dtype=np.float32)
        params = self.params
        model: AlternatingLeastSquares | BayesianPersonalizedRanking
        # implicit runs its own threads; BLAS threads on top of them only contend (and
        # implicit warns about it when the model is created)
        with threadpool_limits(1, "blas"):
            if params["algorithm"] == "als":
                user_items.data *= params["alpha"]
                model = AlternatingLeastSquares(
                    factors=params["factors"],
                    regularization=params["regularization"],
                    iterations=params["iterations"],
                    random_state=params["seed"],
                    num_threads=params["threads"],
                )
            else:
                user_items.data[:] = 1.0
                model = BayesianPersonalizedRanking(
                    factors=params["factors"],
                    learning_rate=params["learning_rate"],
                    regularization=params["regularization"],
                    iterations=params["iterations"],
                    random_state=params["seed"],
                    num_threads=params["threads"],
                )
            model.fit(user_items, show_progress=False)
        self.user_factors = np.asarray(model.user_factors, dtype=np.float32)
        self.item_factors = np.asarray(model.item_factors, dtype=np.float32)

    def _fold_in(self, items: np.ndarray) -> np.ndarray:
        factors = self.item_factors
        if self.params["algorithm"] == "bpr":
            # BPR's last column is the item bias, matched by a constant 1 in user vectors
            vector = factors[items].mean(axis=0)
            vector[-1] = 1.0
            return vector
        # implicit weighs an observed pair by its value c (unobserved pairs by 1): the
        # normal equations are (Y'Y + (c - 1) Y_u'Y_u + reg I) x = c Y_u'1, with c the value one
        # event gets in training
        confidence = self.params["alpha"] * np.log(2.0)
        chosen = factors[items].astype(np.float64)
        gram = factors.T.astype(np.float64) @ factors + (confidence - 1.0) * chosen.T @ chosen
        gram += self.params["regularization"] * np.eye(factors.shape[1])
        return np.linalg.solve(gram, confidence * chosen.sum(axis=0)).astype(np.float32)

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
        vectors = np.zeros((len(queries), self.item_factors.shape[1]), np.float32)
        for row, query in enumerate(queries):
            if query.user is not None and 0 <= query.user < self.user_factors.shape[0]:
                vectors[row] = self.user_factors[query.user]
            elif query.context.size:
                vectors[row] = self._fold_in(np.unique(query.context))
        return (vectors @ self.item_factors.T).astype(np.float64)

    def _state(self) -> dict[str, np.ndarray]:
        return {"user_factors": self.user_factors, "item_factors": self.item_factors}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.user_factors = state["user_factors"]
        self.item_factors = state["item_factors"]
