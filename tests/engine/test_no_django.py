from __future__ import annotations

import subprocess
import sys

ENGINE_MODULES = (
    "affinity",
    "clustering",
    "cooccurrence",
    "lifecycle",
    "metrics",
    "orders",
    "propensity",
    "rerank",
    "rfm",
    "segment_rules",
    "ugc_flags",
    "ugc_rank",
)


def test_engine_modules_import_without_django():
    # given a fresh interpreter (the test process already has Django loaded)
    imports = "; ".join(f"import personalization.engine.{name}" for name in ENGINE_MODULES)
    check = "import sys; assert not [m for m in sys.modules if m.split('.')[0] in ('django', 'shopapp', 'rest_framework')], sorted(sys.modules)"
    # when every engine module is imported
    result = subprocess.run(
        [sys.executable, "-c", f"{imports}; {check}"], capture_output=True, text=True, timeout=60
    )
    # then none of them pulled in Django or the project
    assert result.returncode == 0, result.stderr
