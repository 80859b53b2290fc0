"""Small display helpers for the admin templates: numbers for charts, links that keep the
embedded admin's parameters."""

from __future__ import annotations

from typing import Any

from django import template

from shopapp.adminui.charts import compact_number
from shopapp.adminui.views.base import app_url as build_app_url

register = template.Library()


@register.filter
def compact(value: Any) -> str:
    """12345 -> '12k'; empty for None."""
    if value is None or value == "":
        return ""
    try:
        return compact_number(float(value))
    except (TypeError, ValueError):
        return str(value)


@register.filter
def svgnum(value: Any) -> str:
    """A coordinate with one decimal, '.' as the separator whatever the locale."""
    try:
        return f"{float(value):.1f}"
    except (TypeError, ValueError):
        return "0"


@register.filter
def offset(value: Any, delta: Any) -> str:
    """A coordinate moved by `delta` pixels, formatted like svgnum."""
    try:
        return f"{float(value) + float(delta):.1f}"
    except (TypeError, ValueError):
        return "0"


@register.filter
def pct(value: Any, places: int = 1) -> str:
    if value is None or value == "":
        return "n/a"
    try:
        return f"{float(value):.{int(places)}f}%"
    except (TypeError, ValueError):
        return "n/a"


@register.simple_tag(takes_context=True)
def app_url(context: template.Context, name: str, *args: Any) -> str:
    """`{% app_url 'adminui:segment' pk %}`: reverse(), plus the embedded admin's parameters."""
    request = context.get("request")
    if request is None:
        from django.urls import reverse

        return reverse(name, args=args)
    return build_app_url(request, name, *args)


@register.filter
def words(value: Any) -> str:
    """'first_time_customer' -> 'first time customer'."""
    return str(value).replace("_", " ")


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """`{{ form.errors|get_item:key }}`: a dict value by a variable key ('' when absent)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
