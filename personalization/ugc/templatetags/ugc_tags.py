"""Server-rendered UGC blocks for Django-rendered storefronts (the /demo/ reference store).

They render what a theme's blocks render: the gallery and highlights ranked without a visitor
(so the page is complete without JavaScript), the upload and removal forms, and the script tag
for `pz-ugc.js`, which re-ranks for the visitor and wires the forms.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.templatetags.static import static

from personalization.decisions.catalog import catalog_snapshot
from personalization.ugc import selectors
from personalization.ugc.models import Kind
from shopapp.shops.models import Shop

register = template.Library()


def _items(shop: Shop, kinds: tuple[str, ...], product_id: str, limit: int) -> list[dict[str, Any]]:
    snapshot = catalog_snapshot(shop)
    ranked = selectors.ranked_content(
        shop=shop, context=None, kinds=kinds, product_id=product_id, limit=limit, snapshot=snapshot
    )
    return [selectors.content_json(shop, r, snapshot, explain=False) for r in ranked]


@register.simple_tag
def ugc_has_gallery(shop: Shop) -> bool:
    return selectors.has_showable(shop=shop)


@register.inclusion_tag("ugc/_gallery.html", takes_context=True)
def ugc_gallery(context: Any, shop: Shop, product_id: str = "", limit: int = 6) -> dict[str, Any]:
    return {
        "shop": shop,
        "product_id": product_id,
        "limit": limit,
        "items": _items(shop, selectors.GALLERY_KINDS, product_id, limit),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("ugc/_highlights.html", takes_context=True)
def ugc_highlights(
    context: Any, shop: Shop, product_id: str = "", limit: int = 3
) -> dict[str, Any]:
    return {
        "shop": shop,
        "product_id": product_id,
        "limit": limit,
        "items": _items(shop, (Kind.REVIEW,), product_id, limit),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("ugc/_upload.html")
def ugc_upload(shop: Shop, api_base: str, product_id: str = "") -> dict[str, Any]:
    return {"shop": shop, "api_base": api_base, "product_id": product_id}


@register.inclusion_tag("ugc/_script.html")
def ugc_script(shop: Shop, api_base: str) -> dict[str, Any]:
    return {"shop": shop, "api_base": api_base, "src": static("storefront/pz-ugc.js")}
