"""Search merchandising per shop: synonym groups, query rules, and menu rules per segment.

Products and collections are stored as platform ids (what the storefront and the decision engine
name them by); segments by key, so a deleted segment makes its rules apply to no one rather than
to everyone.
"""

from __future__ import annotations

from django.db import models

from shopapp.languages.text import lazy_text as _lazy
from shopapp.shops.models import ShopOwned


class SynonymGroup(ShopOwned):
    """Two-way (`root` empty): every term finds the others. One-way: a search for `root` also
    finds `terms`, and a search for a term does not find the root."""

    terms = models.JSONField(default=list)  # normalized (engine.merchandising.normalize)
    root = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["shop", "id"], name="synonym_shop")]

    def __str__(self) -> str:
        joiner = " → " if self.root else " = "
        return (self.root + joiner if self.root else "") + joiner.join(self.terms)

    @property
    def is_one_way(self) -> bool:
        return bool(self.root)


class RuleAction(models.TextChoices):
    PIN = "pin", _lazy("Pin to the top")
    BOOST = "boost", _lazy("Boost")
    BURY = "bury", _lazy("Bury")
    HIDE = "hide", _lazy("Hide")


class MatchKind(models.TextChoices):
    CONTAINS = "contains", _lazy("contains")
    EXACT = "exact", _lazy("is exactly")


class QueryRule(ShopOwned):
    """When the query contains (or is) `phrase`: pin, boost, bury or hide these products and the
    products of these collections; optionally only for one segment and within a schedule."""

    name = models.CharField(max_length=120, blank=True)
    phrase = models.CharField(max_length=100)  # normalized
    match = models.CharField(max_length=8, choices=MatchKind.choices, default=MatchKind.CONTAINS)
    action = models.CharField(max_length=8, choices=RuleAction.choices)
    product_ids = models.JSONField(default=list, blank=True)
    collection_ids = models.JSONField(default=list, blank=True)
    segment_key = models.CharField(max_length=64, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    is_enabled = models.BooleanField(default=True)
    # Rules apply top to bottom: the first rule that names a product decides for it.
    position = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["shop", "position"], name="queryrule_shop_position")]

    def __str__(self) -> str:
        return f"{self.action} for “{self.phrase}”"


class NavAction(models.TextChoices):
    PIN = "pin", _lazy("Pin first")
    HIDE = "hide", _lazy("Hide")


class NavRule(ShopOwned):
    """Menu items (collections) pinned first or hidden for one segment (empty: everyone)."""

    segment_key = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=8, choices=NavAction.choices)
    collection_ids = models.JSONField(default=list)
    is_enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.action} menu items for {self.segment_key or 'everyone'}"
