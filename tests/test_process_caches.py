"""Every per-process cache is cleared before each test (`tests/conftest.py`), and a new one
cannot be added without joining that list."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from django.conf import settings

from tests.conftest import PROCESS_CACHES

# Module-level dicts that are not caches: registrations made at import time.
NOT_CACHES = {
    ("personalization.privacy.registry", "_participants"),
    ("personalization.engine.recs.base", "MODEL_CLASSES"),
}


def _module_level_dicts() -> set[tuple[str, str]]:
    found = set()
    base = Path(settings.BASE_DIR)
    for package in ("personalization", "shopapp", "integrations"):
        for path in (base / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(base).with_suffix("").parts)
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                target, value = None, None
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    target, value = node.target.id, node.value
                elif (
                    isinstance(node, ast.Assign)
                    and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                ):
                    target, value = node.targets[0].id, node.value
                is_empty_dict = isinstance(value, ast.Dict) and not value.keys
                is_empty_call = (
                    isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Name)
                    and value.func.id in {"dict", "OrderedDict"}
                    and not value.args
                )
                if target and (is_empty_dict or is_empty_call):
                    found.add((module, target))
    return found


def test_every_module_level_cache_is_cleared_between_tests():
    # Given every module-level dict that starts empty (a cache filled at run time)
    found = _module_level_dicts()
    # Then each is in the list the autouse fixture clears, or is a known registration
    assert found - NOT_CACHES == set(PROCESS_CACHES)


def test_the_fixture_left_every_cache_empty():
    # Given the autouse fixture has run for this test, then every listed cache is empty
    for module_name, attribute in PROCESS_CACHES:
        cache = getattr(importlib.import_module(module_name), attribute)
        assert len(cache) == 0, f"{module_name}.{attribute}"
