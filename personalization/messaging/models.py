"""Behavioural messages (one row per person and occasion: the dedupe that makes "sent once" hold)
and unsubscribes, per channel."""

from __future__ import annotations

from django.db import models

from shopapp.catalog.models import Customer
from shopapp.shops.models import ShopOwned


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class MessageStatus(models.TextChoices):
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"


class Message(ShopOwned):
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="messages"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    # campaign, person and occasion (this cart, this order...): a second scan finds it and stops.
    dedupe_key = models.CharField(max_length=160)
    status = models.CharField(max_length=8, choices=MessageStatus.choices)
    skip_reason = models.CharField(max_length=32, blank=True)
    variant = models.CharField(max_length=40, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "dedupe_key"], name="message_unique_occasion")
        ]
        indexes = [models.Index(fields=["shop", "status"], name="message_shop_status")]


class Unsubscribe(ShopOwned):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "customer", "channel"], name="unsubscribe_unique"
            )
        ]
