"""Built-in campaign templates: a merchant starts from one and edits the copy, audience and caps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from personalization.campaigns.models import Placement, Trigger
from shopapp.languages.text import lazy_text as _lazy


@dataclass(frozen=True)
class CampaignTemplate:
    key: str
    name: str
    description: str
    placement: str
    trigger: str
    audience_key: str
    trigger_value: int = 0
    priority: int = 0
    cap_count: int = 1
    cap_hours: int = 24
    offers_coupon: bool = False
    content: dict[str, Any] = field(default_factory=dict)


TEMPLATES: dict[str, CampaignTemplate] = {
    t.key: t
    for t in (
        CampaignTemplate(
            key="abandoned_cart_reminder",
            name=_lazy("Abandoned-cart reminder on return"),
            description=_lazy("A returning visitor with items still in the cart sees them again."),
            placement=Placement.POPUP,
            trigger=Trigger.RETURN_WITH_CART,
            audience_key="prospect",
            priority=50,
            content={
                "headline": "Still thinking it over?",
                "body": "Your cart kept these for you.",
                "cta_label": "Go to my cart",
                "cta_url": "cart/",
                "products": "cart",
                "product_count": 3,
            },
        ),
        CampaignTemplate(
            key="exit_intent_offer",
            name=_lazy("Exit-intent offer"),
            description=_lazy("A first-time visitor about to leave is offered a one-time code."),
            placement=Placement.POPUP,
            trigger=Trigger.EXIT_INTENT,
            audience_key="first_time_visitor",
            priority=30,
            offers_coupon=True,
            content={
                "headline": "Before you go",
                "body": "Here is a code for your first order: {code}",
                "cta_label": "Keep shopping",
                "cta_url": "",
                "products": "recommended",
                "product_count": 3,
            },
        ),
        CampaignTemplate(
            key="lapsed_winback",
            name=_lazy("Lapsed-customer win-back"),
            description=_lazy(
                "A customer who has not ordered for a while sees what is new for them."
            ),
            placement=Placement.SLIDE_IN,
            trigger=Trigger.PAGE_VIEW,
            audience_key="lapsed",
            priority=40,
            cap_hours=168,
            content={
                "headline": "Welcome back",
                "body": "A few things picked for you since your last visit.",
                "cta_label": "See what's new",
                "cta_url": "collections/",
                "products": "recommended",
                "product_count": 3,
            },
        ),
        CampaignTemplate(
            key="first_order_signup",
            name=_lazy("First-order sign-up offer"),
            description=_lazy(
                "On the second visit without an order, a bar offers a first-order code."
            ),
            placement=Placement.BAR,
            trigger=Trigger.NTH_VISIT,
            trigger_value=2,
            audience_key="returning_visitor",
            priority=20,
            offers_coupon=True,
            content={
                "headline": "Your first order: {code}",
                "body": "Use it at checkout.",
                "cta_label": "Shop now",
                "cta_url": "collections/",
                "products": "",
            },
        ),
        CampaignTemplate(
            key="post_purchase_cross_sell",
            name=_lazy("Post-purchase cross-sell"),
            description=_lazy("After a first order, an embedded block suggests what goes with it."),
            placement=Placement.EMBEDDED,
            trigger=Trigger.PAGE_VIEW,
            audience_key="first_time_customer",
            priority=10,
            cap_count=3,
            content={
                "headline": "Goes well with your order",
                "body": "",
                "cta_label": "",
                "cta_url": "",
                "products": "recommended",
                "product_count": 4,
            },
        ),
        CampaignTemplate(
            key="free_shipping_nudge",
            name=_lazy("Free-shipping threshold nudge"),
            description=_lazy(
                "A bar tells a shopper with a cart how far they are from free shipping."
            ),
            placement=Placement.BAR,
            trigger=Trigger.PAGE_VIEW,
            audience_key="prospect",
            priority=5,
            cap_count=3,
            content={
                "headline": "You are {remaining} away from free shipping",
                "body": "",
                "cta_label": "View cart",
                "cta_url": "cart/",
                "products": "",
                "free_shipping_threshold": 50,
            },
        ),
        # Behavioural email: `trigger_value` is the delay in minutes.
        CampaignTemplate(
            key="abandoned_cart_email",
            name=_lazy("Abandoned-cart email"),
            description=_lazy("An hour after a cart was left, one email with its items."),
            placement=Placement.EMAIL,
            trigger=Trigger.CART_ABANDONED,
            trigger_value=60,
            audience_key="prospect",
            priority=50,
            cap_hours=72,
            content={
                "headline": "You left something in your cart",
                "body": "Your cart is saved. Pick up where you left off.",
                "cta_label": "Return to my cart",
                "cta_url": "cart/",
                "products": "cart",
                "product_count": 3,
            },
        ),
        CampaignTemplate(
            key="browse_abandonment_email",
            name=_lazy("Browse-abandonment email"),
            description=_lazy("A day after someone looked without adding to cart."),
            placement=Placement.EMAIL,
            trigger=Trigger.BROWSE_ABANDONED,
            trigger_value=24 * 60,
            audience_key="returning_visitor",
            priority=30,
            cap_hours=168,
            content={
                "headline": "Still on your mind?",
                "body": "The things you looked at, and a few like them.",
                "cta_label": "Take another look",
                "cta_url": "",
                "products": "recommended",
                "product_count": 4,
            },
        ),
        CampaignTemplate(
            key="post_purchase_email",
            name=_lazy("Post-purchase cross-sell email"),
            description=_lazy("Three days after an order, what goes with it."),
            placement=Placement.EMAIL,
            trigger=Trigger.ORDER_PLACED,
            trigger_value=3 * 24 * 60,
            audience_key="first_time_customer",
            priority=20,
            cap_hours=168,
            content={
                "headline": "Goes well with your order",
                "body": "Picked to go with what you bought.",
                "cta_label": "Shop the picks",
                "cta_url": "",
                "products": "recommended",
                "product_count": 4,
            },
        ),
        CampaignTemplate(
            key="winback_email",
            name=_lazy("Win-back email"),
            description=_lazy("A lapsed customer hears from the shop, at most once a month."),
            placement=Placement.EMAIL,
            trigger=Trigger.LAPSED,
            trigger_value=0,
            audience_key="lapsed",
            priority=10,
            cap_hours=24 * 30,
            content={
                "headline": "We have missed you",
                "body": "Here is what is new, picked for you.",
                "cta_label": "Visit the shop",
                "cta_url": "",
                "products": "recommended",
                "product_count": 4,
            },
        ),
        CampaignTemplate(
            key="birthday_email",
            name=_lazy("Birthday email"),
            description=_lazy(
                "In their birthday month, customers who told us the date and chose email "
                "get the shop's birthday offer, once a year."
            ),
            placement=Placement.EMAIL,
            trigger=Trigger.BIRTHDAY,
            trigger_value=9 * 60,
            audience_key="repeat_customer",
            priority=40,
            cap_hours=24,
            content={
                "headline": "Happy birthday from us",
                "body": "A little something for your birthday month, picked for you.",
                "cta_label": "Treat yourself",
                "cta_url": "",
                "products": "recommended",
                "product_count": 4,
            },
        ),
    )
}
