#!/usr/bin/env bash
# Static checks, all of them even when one fails: ruff, ruff format, mypy, missing migrations.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
BIN=${VENV:-.venv}/bin

failed=()
step() {
    local name=$1
    shift
    echo "--- $name: $*"
    if ! "$@"; then
        failed+=("$name")
        echo "--- $name: FAILED"
    fi
}

step ruff "$BIN/ruff" check .
step ruff-format "$BIN/ruff" format --check .
step mypy "$BIN/mypy" .
step migrations "$BIN/python" manage.py makemigrations --check --dry-run

if [ ${#failed[@]} -gt 0 ]; then
    echo "lint: FAILED: ${failed[*]}"
    exit 1
fi
echo "lint: all checks passed"
