"""Decision reasons ("Because you like …") in the active language, for preview and explain mode.

compose.py stays Django-free: it marks its reasons with `gettext_noop` and carries values in
`compose.Reason`; this turns them into the reader's words when the decision is rendered to JSON.
"""

from __future__ import annotations

from django.utils.translation import gettext

from personalization.decisions.compose import Reason


def reason_text(reason: str) -> str:
    if isinstance(reason, Reason):
        return gettext(reason.msgid) % reason.params
    return gettext(reason) if reason else ""
