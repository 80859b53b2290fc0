#!/usr/bin/env bash
# Run every bench/*.py script in turn; each prints its own RESULT lines.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
BIN=${VENV:-.venv}/bin

shopt -s nullglob
scripts=(bench/*.py)
if [ ${#scripts[@]} -eq 0 ]; then
    echo "bench: no bench/*.py scripts yet; nothing to run"
    exit 0
fi

failed=()
for script in "${scripts[@]}"; do
    [ "$(basename "$script")" = __init__.py ] && continue
    echo "--- bench: $script"
    "$BIN/python" "$script" || failed+=("$script")
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "bench: FAILED: ${failed[*]}"
    exit 1
fi
