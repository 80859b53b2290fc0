#!/usr/bin/env bash
# Regenerate the translation catalogues after adding or changing a translatable string.
#   scripts/messages.sh          update locale/*/LC_MESSAGES/django.po from the sources, compile the
#                                .mo files, list what still needs a translation (exit 1 if any)
# Pure Python (Babel): no GNU gettext needed. The WordPress plugin's catalogues are separate:
# `python -m integrations.woocommerce.plugin_i18n` (see docs/i18n.md).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
"$BIN/python" manage.py messages --update --compile
"$BIN/python" manage.py messages --check
