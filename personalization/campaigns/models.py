"""Campaigns (on-site overlays and behavioural email), the contacts they made, and coupon pools."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shopapp.catalog.models import Customer, money_field
from shopapp.shops.models import Shop, ShopOwned


class Placement(models.TextChoices):
    POPUP = "popup", "Popup"
    SLIDE_IN = "slide_in", "Slide-in"
    BAR = "bar", "Bar"
    EMBEDDED = "embedded", "Embedded block"
    EMAIL = "email", "Email"


OVERLAY_PLACEMENTS = (Placement.POPUP, Placement.SLIDE_IN, Placement.BAR)


class Trigger(models.TextChoices):
    PAGE_VIEW = "page_view", "Page view"
    EXIT_INTENT = "exit_intent", "Exit intent"
    RETURN_WITH_CART = "return_with_cart", "Return with an abandoned cart"
    TIME_ON_PAGE = "time_on_page", "Time on page (seconds)"
    NTH_VISIT = "nth_visit", "N-th visit"
    # Email: `trigger_value` is the delay in minutes after the moment that makes a person due.
    CART_ABANDONED = "cart_abandoned", "Cart abandoned (email)"
    BROWSE_ABANDONED = "browse_abandoned", "Browse abandoned (email)"
    ORDER_PLACED = "order_placed", "Order placed: cross-sell (email)"
    LAPSED = "lapsed", "Customer lapsed: win-back (email)"
    # Customers who told the preference center their birthday is this month: once a year each.
    BIRTHDAY = "birthday", "Birthday this month (email)"


ONSITE_TRIGGERS = (
    Trigger.PAGE_VIEW,
    Trigger.EXIT_INTENT,
    Trigger.RETURN_WITH_CART,
    Trigger.TIME_ON_PAGE,
    Trigger.NTH_VISIT,
)
EMAIL_TRIGGERS = (
    Trigger.CART_ABANDONED,
    Trigger.BROWSE_ABANDONED,
    Trigger.ORDER_PLACED,
    Trigger.LAPSED,
    Trigger.BIRTHDAY,
)


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


class CampaignSettings(models.Model):
    """The shop-wide frequency cap: how many campaign contacts (on-site and email together) one
    person may get in a window, whatever the campaigns' own caps say."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="campaign_settings")
    cap_count = models.PositiveSmallIntegerField(default=3)
    cap_hours = models.PositiveSmallIntegerField(default=24)

    def __str__(self) -> str:
        return f"campaign settings of shop {self.shop_id}"


class CouponPool(ShopOwned):
    """Unique single-use codes created on the platform ahead of need, under a budget cap."""

    class DiscountType(models.TextChoices):
        PERCENTAGE = "percentage", "Percentage off"
        FIXED_AMOUNT = "fixed_amount", "Fixed amount off"

    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=12, default="PZ")
    discount_type = models.CharField(
        max_length=12, choices=DiscountType.choices, default=DiscountType.PERCENTAGE
    )
    amount = money_field()
    # The budget cap: no more codes than this are ever created for the pool.
    budget_codes = models.PositiveIntegerField(default=500)
    # Stock of created, unissued codes under which a depletion alert is raised and a refill queued.
    alert_below = models.PositiveIntegerField(default=10)
    refill_size = models.PositiveIntegerField(default=25)
    valid_days = models.PositiveSmallIntegerField(default=14)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "name"], name="couponpool_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Coupon(ShopOwned):
    pool = models.ForeignKey(CouponPool, on_delete=models.CASCADE, related_name="coupons")
    code = models.CharField(max_length=40)
    platform_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_to_visitor = models.CharField(max_length=64, blank=True)
    issued_to_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "code"], name="coupon_unique_code"),
            # One code per person and pool: a reload shows the same code, it does not burn another.
            models.UniqueConstraint(
                fields=["shop", "pool", "issued_to_visitor"],
                condition=~Q(issued_to_visitor=""),
                name="coupon_one_per_visitor",
            ),
        ]
        indexes = [models.Index(fields=["pool", "issued_at"], name="coupon_pool_issued")]


class CouponAlert(ShopOwned):
    class Kind(models.TextChoices):
        LOW_STOCK = "low_stock", "Few codes left"
        BUDGET_REACHED = "budget_reached", "Budget cap reached"
        PLATFORM_ERROR = "platform_error", "The platform refused to create codes"

    pool = models.ForeignKey(CouponPool, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    is_resolved = models.BooleanField(default=False)


class Campaign(ShopOwned):
    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=120)
    template = models.CharField(max_length=32, blank=True)
    status = models.CharField(
        max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    placement = models.CharField(max_length=8, choices=Placement.choices)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    # Seconds on the page, the visit number, or an email's delay in minutes, by trigger.
    trigger_value = models.PositiveIntegerField(default=0)
    audience = models.ForeignKey(
        "segments.Segment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {"headline", "body", "cta_label", "cta_url", "products": "cart"|"recommended"|"related"|"",
    #  "product_count", "pages": [...], "variants": {variant key: {overrides}}}
    content = models.JSONField(default=dict, blank=True)
    offers_coupon = models.BooleanField(default=False)
    coupon_pool = models.ForeignKey(
        CouponPool, null=True, blank=True, on_delete=models.PROTECT, related_name="campaigns"
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    priority = models.SmallIntegerField(default=0)
    # The per-campaign cap: at most `cap_count` contacts per person in `cap_hours`.
    cap_count = models.PositiveSmallIntegerField(default=1)
    cap_hours = models.PositiveSmallIntegerField(default=24)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "key"], name="campaign_unique_key")]
        indexes = [models.Index(fields=["shop", "status"], name="campaign_shop_status")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_email(self) -> bool:
        return self.placement == Placement.EMAIL


class ContactKind(models.TextChoices):
    IMPRESSION = "impression", "Shown"
    CLICK = "click", "Clicked"
    DISMISS = "dismiss", "Dismissed"
    SENT = "sent", "Email sent"


class Contact(ShopOwned):
    """Each time a campaign reached a person, on site or by email: caps count these, and results
    attribute clicks and later orders to the campaign's variant."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="contacts")
    variant = models.CharField(max_length=40, default="default")
    kind = models.CharField(max_length=12, choices=ContactKind.choices)
    visitor_key = models.CharField(max_length=64, blank=True)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["shop", "visitor_key", "occurred_at"], name="contact_visitor"),
            models.Index(fields=["shop", "customer", "occurred_at"], name="contact_customer"),
            models.Index(fields=["campaign", "kind"], name="contact_campaign_kind"),
        ]
