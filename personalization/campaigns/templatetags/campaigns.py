"""`{% campaign_script shop api_base %}`: the overlay script tag, only for a shop with live
on-site campaigns, so other shops' pages never download it."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html

from personalization.campaigns.selectors import shop_runs_onsite_campaigns
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
