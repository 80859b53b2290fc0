"""A shop with the built-in segments, a few products, and a returning visitor whose cart was left."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from personalization.campaigns.models import Campaign, CampaignStatus
from personalization.campaigns.services import campaign_create_from_template
from personalization.events.models import Visitor
from personalization.experiments.selectors import in_holdout
from personalization.profiles.models import Profile
from personalization.segments.services import segments_ensure_builtins
from shopapp.catalog.models import Product
from shopapp.shops.models import Shop
from tests.experiments.factories import visitors_where
from tests.factories import ProductFactory


@dataclass
class Scenario:
    shop: Shop
    products: list[Product]
    reminder: Campaign


def shop_with_reminder(shop: Shop, *, products: list[Product] | None = None) -> Scenario:
    segments_ensure_builtins(shop=shop)
    products = products or [
        ProductFactory(shop=shop, title=f"Lantern {n}", handle=f"lantern-{n}") for n in range(6)
    ]
    reminder = campaign_create_from_template(
        shop=shop, template_key="abandoned_cart_reminder", status=CampaignStatus.ACTIVE
    )
    return Scenario(shop, products, reminder)


def returning_visitor_with_cart(
    shop: Shop,
    products: list[Product],
    *,
    predicate=None,
    prefix: str = "visitor-",
    held_out: bool = False,
) -> str:
    """A visitor (outside the holdout unless `held_out`, and matching `predicate`) on their second session, with
    two products left in the cart yesterday."""
    wanted = predicate or (lambda vid: True)
    (visitor_key,) = visitors_where(
        lambda vid: in_holdout(shop, vid) == held_out and wanted(vid), prefix=prefix
    )
    now = timezone.now()
    visitor = Visitor.objects.create(
        shop=shop,
        visitor_key=visitor_key,
        first_seen_at=now - timedelta(days=2),
        last_event_at=now - timedelta(days=1),
        session_count=2,
    )
    Profile.objects.create(
        shop=shop,
        visitor=visitor,
        lifecycle="returning_visitor",
        sessions_count=2,
        has_consent=True,
        cart={
            "items": {str(products[0].pk): 1, str(products[1].pk): 2},
            "value": 7.5,
            "at": time.time() - 86400,
        },
    )
    return visitor_key
