from __future__ import annotations

import pkgutil
import subprocess
import sys


def _engine_modules() -> list[str]:
    """Every module under personalization/engine (sub-packages too), found on disk, so a new
    engine module is checked without anyone remembering to list it."""
    import personalization.engine as engine

    return sorted(
        info.name
        for info in pkgutil.walk_packages(engine.__path__, prefix="personalization.engine.")
    )


ENGINE_MODULES = _engine_modules()


def test_engine_modules_import_without_django():
    assert len(ENGINE_MODULES) > 20  # the discovery itself works
    # given a fresh interpreter (the test process already has Django loaded)
    imports = "; ".join(f"import {name}" for name in ENGINE_MODULES)
    check = "import sys; assert not [m for m in sys.modules if m.split('.')[0] in ('django', 'shopapp', 'rest_framework')], sorted(sys.modules)"
    # when every engine module is imported
    result = subprocess.run(
        [sys.executable, "-c", f"{imports}; {check}"], capture_output=True, text=True, timeout=60
    )
    # then none of them pulled in Django or the project
    assert result.returncode == 0, result.stderr
