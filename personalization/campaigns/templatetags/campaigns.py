"""`{% campaign_script shop api_base %}`: the overlay script tag, only for a shop with live
on-site campaigns, so other shops' pages never download it. `{% campaign_slot shop %}`: the
reserved space an "embedded block" campaign fills, only while one is live (else nothing, so no
empty gap and no layout shift either way)."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html

from personalization.campaigns.models import Placement
from personalization.campaigns.selectors import live_campaigns, shop_runs_onsite_campaigns
from shopapp.shops.models import Shop

register = template.Library()


@register.simple_tag
def campaign_script(shop: Shop | None, api_base: str) -> str:
    if shop is None or not shop_runs_onsite_campaigns(shop=shop, now=timezone.now()):
        return ""
    return format_html(
        '<script defer src="{}" data-pz-overlay data-shop-key="{}" data-api-base="{}"></script>',
        static("storefront/pz-overlay.js"),
        shop.storefront_key,
        api_base,
    )


# The block's height as pz-overlay.js lays it out: a headline (and a button), then one 64-pixel
# row per product; reserved up front so the page below does not move when it arrives.
SLOT_BASE_PX = 96
SLOT_ROW_PX = 72


@register.simple_tag
def campaign_slot(shop: Shop | None) -> str:
    if shop is None:
        return ""
    embedded = list(live_campaigns(shop=shop, now=timezone.now(), placements=(Placement.EMBEDDED,)))
    if not embedded:
        return ""
    rows = max(
        int(c.content.get("product_count", 3)) if c.content.get("products") else 0 for c in embedded
    )
    return format_html(
        '<section class="pz-campaign-slot container" data-pz-campaign-slot '
        'style="min-height:{}px"></section>',
        SLOT_BASE_PX + SLOT_ROW_PX * rows,
    )
