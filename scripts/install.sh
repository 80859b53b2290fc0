#!/usr/bin/env bash
# Create .venv with Python 3.11 and install the project with its dev extras.
# Re-installs only when pyproject.toml differs from what was last installed (hash in a stamp file).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
STAMP="$VENV/.install-stamp"

is_py311() {
    "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null
}

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 && is_py311 "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    # pyenv installs without shims on PATH (a non-login shell, as in CI).
    for candidate in "$HOME"/.pyenv/versions/3.11*/bin/python3.11 /usr/bin/python3.11; do
        if [ -x "$candidate" ] && is_py311 "$candidate"; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if [ -x "$VENV/bin/python" ] && ! is_py311 "$VENV/bin/python"; then
    echo "install: $VENV is not a working Python 3.11 virtualenv; recreating it"
    rm -rf "$VENV"
fi

if [ ! -x "$VENV/bin/python" ]; then
    if ! python=$(find_python); then
        echo "install: Python 3.11 not found (tried \$PYTHON, python3.11, python3)." >&2
        echo "install: on Debian: apt-get install python3.11 python3.11-venv" >&2
        exit 1
    fi
    echo "install: creating $VENV with $python"
    "$python" -m venv "$VENV"
    rm -f "$STAMP"
fi

wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ]; then
    # The translations (.mo) are built from locale/*/django.po whenever they are older.
    "$VENV/bin/python" manage.py messages --compile >/dev/null
    exit 0
fi

echo "install: pip install -e '.[dev]' (pyproject.toml changed since the last install)"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
# This machine's pip configuration names local wheel folders that may not exist; pip warns once
# per package about each. The install itself is unaffected, so those lines are dropped.
"$VENV/bin/python" -m pip install --quiet --progress-bar off -e '.[dev]' 2>&1 |
    { grep -v "^WARNING: Location 'file:.*' is ignored: it is neither a file nor a directory\.$" || true; }
echo "$wanted" >"$STAMP"
"$VENV/bin/python" manage.py messages --compile >/dev/null
echo "install: done"
