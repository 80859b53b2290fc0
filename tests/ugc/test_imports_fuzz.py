"""Whatever a merchant uploads as a review export, the import answers with a result or a
validation error naming the field; it never fails with anything else."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personalization.ugc import imports, services
from personalization.ugc.models import Content
from shopapp.catalog.models import Product

pytestmark = pytest.mark.django_db

HEADERS = [
    "title",
    "body",
    "rating",
    "review_date",
    "reviewer_name",
    "reviewer_email",
    "product_handle",
]
cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


def _outcome(shop, text: str) -> imports.ImportResult | services.UgcInputInvalid:
    try:
        return imports.reviews_csv_import(shop=shop, text=text)
    except services.UgcInputInvalid as exc:
        return exc


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(cells, min_size=0, max_size=9), max_size=8),
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=7),
    handle=st.sampled_from(["blue-mug", "other"]),
)
def test_fuzz_review_exports_never_fail_unexpectedly(rows, header, handle, shop):
    # given a product, and a file with any header and any cells
    Product.objects.get_or_create(
        shop=shop, platform_id="mug-1", defaults={"handle": "blue-mug", "title": "Blue mug"}
    )
    lines = [",".join(header)]
    lines += [
        ",".join('"' + cell.replace('"', "") + '"' for cell in row) + f",{handle}" for row in rows
    ]
    # when it is imported
    outcome = _outcome(shop, "\n".join(lines))
    # then: a result that accounts for rows, or a refusal naming the file
    if isinstance(outcome, services.UgcInputInvalid):
        assert outcome.field == "file"
        assert str(outcome)
    else:
        assert outcome.created + outcome.updated + len(outcome.skipped) == len(rows)
    # and a refused file wrote nothing (all or nothing)
    if isinstance(outcome, services.UgcInputInvalid):
        assert not Content.objects.filter(shop=shop, kind="review").exists()
