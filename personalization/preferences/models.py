"""The product-finder quiz a merchant builds, the answers shoppers give, and what shoppers state.

Stated preferences belong to a consenting visitor (anonymous, by the storefront's first-party id)
or to a customer; both foreign keys cascade, so erasing a customer or a visitor erases what they
told us. A response without consent keeps no identity at all: only which answers were picked,
for the merchant's distribution chart.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shopapp.catalog.models import Customer
from shopapp.shops.fields import EncryptedTextField
from shopapp.shops.models import ShopOwned


class TargetKind(models.TextChoices):
    CATEGORY = "category", _("Category")
    TAG = "tag", _("Tag")
    BRAND = "brand", _("Brand (product attribute)")
    PRICE_BAND = "price_band", _("Price band")


class PriceBand(models.TextChoices):
    LOW = "low", _("Budget (the shop's cheapest third)")
    MID = "mid", _("Mid-range")
    HIGH = "high", _("Treat (the dearest third)")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text messages")


class Quiz(ShopOwned):
    title = models.CharField(max_length=120)
    intro = models.CharField(max_length=300, blank=True)
    # The storefront serves the shop's one active quiz.
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop"], condition=Q(is_active=True), name="quiz_one_active_per_shop"
            )
        ]

    def __str__(self) -> str:
        return self.title


class QuizQuestion(ShopOwned):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    allows_multiple = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "pk"]


class QuizAnswer(ShopOwned):
    question = models.ForeignKey(QuizQuestion, on_delete=models.CASCADE, related_name="answers")
    text = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices)
    target_value = models.CharField(max_length=255)

    class Meta:
        ordering = ["position", "pk"]


class QuizResponse(ShopOwned):
    """One completed quiz. With consent it names the visitor (and customer, once known), which is
    what lets the admin see whether quiz takers go on to buy."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="responses")
    answer_ids = models.JSONField(default=list)
    has_consent = models.BooleanField(default=False)
    visitor = models.ForeignKey(
        "events.Visitor", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recommended_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["shop", "quiz", "created_at"], name="quizresponse_recent")]


class StatedPreferences(ShopOwned):
    """What a shopper told us: interests, sizes, birthday, channels. Outranks inferred affinity."""

    visitor = models.ForeignKey(
        "events.Visitor", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # {"category": [...], "tag": [...], "brand": [...], "price_band": [...]}
    interests = models.JSONField(default=dict, blank=True)
    sizes = models.JSONField(default=list, blank=True)
    # Month and day only: the year is not needed for a birthday offer, so we never ask for it.
    birthday_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birthday_day = models.PositiveSmallIntegerField(null=True, blank=True)
    channels = models.JSONField(default=list, blank=True)
    phone = EncryptedTextField(blank=True)
    quiz_answer_ids = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "visitor"],
                condition=Q(visitor__isnull=False),
                name="statedprefs_unique_visitor",
            ),
            models.UniqueConstraint(
                fields=["shop", "customer"],
                condition=Q(customer__isnull=False),
                name="statedprefs_unique_customer",
            ),
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | Q(visitor__isnull=False),
                name="statedprefs_has_a_person",
            ),
        ]
        indexes = [models.Index(fields=["shop", "birthday_month"], name="statedprefs_birthday")]
