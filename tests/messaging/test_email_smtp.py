"""Behavioural email against a real SMTP server on loopback (aiosmtpd): the abandoned-cart email
is sent once, after the delay, never to an unsubscribed or non-consenting customer; the signed
unsubscribe link works; caps are shared with on-site campaigns."""

from __future__ import annotations

import re
import socket
import time
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.utils import timezone

from personalization.campaigns.coupons import coupon_pool_refill
from personalization.campaigns.models import (
    CampaignSettings,
    CampaignStatus,
    Contact,
    Coupon,
    CouponPool,
)
from personalization.campaigns.services import campaign_create_from_template, contact_record
from personalization.events.models import Visitor
from personalization.experiments.services import holdout_percent_set
from personalization.messaging.models import Message, Unsubscribe
from personalization.messaging.services import messages_due_send, unsubscribe_token
from personalization.messaging.tasks import messages_scan_all
from personalization.profiles.models import Profile
from personalization.segments.services import segments_ensure_builtins
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for _, rcpt, m in self.messages if address in rcpt]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a free loopback port, and Django's SMTP backend pointed at it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "shop@alpha.example"
    settings.SHOPIFY_APP_URL = "https://app.example.test"
    yield inbox
    controller.stop()


@pytest.fixture
def store(shop):
    # No holdout here: which customer ids fall in the 5 % would depend on test order.
    holdout_percent_set(shop=shop, percent=0)
    segments_ensure_builtins(shop=shop)
    products = [
        ProductFactory(shop=shop, title=f"Candle {n}", handle=f"candle-{n}") for n in range(3)
    ]
    campaign = campaign_create_from_template(
        shop=shop, template_key="abandoned_cart_email", status=CampaignStatus.ACTIVE
    )
    return shop, products, campaign


def left_a_cart(shop, products, *, email: str, consents: bool = True, minutes_ago: float = 61):
    customer = CustomerFactory(shop=shop, email=email, accepts_marketing=consents)
    Profile.objects.create(
        shop=shop,
        customer=customer,
        lifecycle="first_time_customer",
        has_consent=True,
        cart={
            "items": {str(products[0].pk): 1, str(products[2].pk): 1},
            "value": 5.0,
            "at": time.time() - minutes_ago * 60,
        },
    )
    return customer


def test_the_abandoned_cart_email_goes_once_after_the_delay(smtp, store):
    shop, products, campaign = store
    # given a consenting customer who left a cart 30 minutes ago (the delay is 60)
    customer = left_a_cart(shop, products, email="ann@example.com", minutes_ago=30)
    # when the scan runs now
    early = messages_due_send(shop=shop)
    # then nothing is sent yet, and nothing is recorded (it is not due)
    assert (early.sent, smtp.messages, Message.objects.count()) == (0, [], 0)
    # when it runs 31 minutes later, and again after that
    later = timezone.now() + timedelta(minutes=31)
    first = messages_due_send(shop=shop, now=later)
    second = messages_due_send(shop=shop, now=later + timedelta(minutes=5))
    # then exactly one email reached the SMTP server
    assert (first.sent, second.sent) == (1, 0)
    (received,) = smtp.to("ann@example.com")
    assert received["Subject"] == "You left something in your cart"
    assert received["From"] == "shop@alpha.example"
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    # with the recipient's own cart as the product block, and the cart link on the shop
    assert "Candle 0" in text
    assert "Candle 2" in text
    assert "Candle 1" not in text
    assert "https://alpha.myshopify.com/products/candle-0" in html
    assert "Return to my cart: https://alpha.myshopify.com/cart/" in text
    # with a one-click unsubscribe header and link
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(
        r"<(https://app\.example\.test/messaging/unsubscribe/[^>]+)>", received["List-Unsubscribe"]
    )
    assert link is not None
    assert link.group(1) in text
    # and it is recorded as a contact the on-site caps count
    message = Message.objects.get()
    assert (message.status, message.customer_id, message.attempts) == ("sent", customer.pk, 1)
    assert Contact.objects.filter(shop=shop, customer=customer, kind="sent").count() == 1
    assert campaign.pk == message.campaign_id


def test_never_to_unsubscribed_or_non_consenting_customers(smtp, store, client: Client):
    shop, products, _campaign = store
    # given three carts left an hour ago: one consenting, one never consented, one unsubscribed
    left_a_cart(shop, products, email="yes@example.com")
    left_a_cart(shop, products, email="no@example.com", consents=False)
    gone = left_a_cart(shop, products, email="gone@example.com")
    # the third used the signed link from an earlier email: GET asks, POST unsubscribes
    token = unsubscribe_token(shop=shop, customer=gone)
    page = client.get(f"/messaging/unsubscribe/{token}")
    assert page.status_code == 200
    assert b"Stop emails like this" in page.content
    assert client.post(f"/messaging/unsubscribe/{token}").status_code == 200
    assert Unsubscribe.objects.filter(shop=shop, customer=gone, channel="email").exists()
    # when the periodic task scans (Celery runs inline in tests)
    assert messages_scan_all.delay().get() == 1
    messages_scan_all.delay()
    # then only the consenting customer got mail, once
    assert [rcpt for _, rcpt, _ in smtp.messages] == [["yes@example.com"]]
    reasons = sorted(Message.objects.exclude(status="sent").values_list("skip_reason", flat=True))
    assert reasons == ["no_consent", "unsubscribed"]


def test_a_forged_or_altered_unsubscribe_link_is_refused(store, client: Client):
    shop, products, _campaign = store
    customer = left_a_cart(shop, products, email="ann@example.com")
    token = unsubscribe_token(shop=shop, customer=customer)
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.post(f"/messaging/unsubscribe/{altered}")
    assert response.status_code == 400
    assert b"This unsubscribe link is not valid." in response.content
    assert not Unsubscribe.objects.exists()


def test_an_on_site_impression_today_uses_up_the_shared_cap(smtp, store):
    shop, products, _campaign = store
    # given a shop-wide cap of one contact a day, and a customer who saw the on-site reminder
    CampaignSettings.objects.update_or_create(shop=shop, defaults={"cap_count": 1, "cap_hours": 24})
    customer = left_a_cart(shop, products, email="ann@example.com")
    visitor = Visitor.objects.create(
        shop=shop,
        visitor_key="browser-1",
        customer=customer,
        first_seen_at=timezone.now(),
        last_event_at=timezone.now(),
    )
    reminder = campaign_create_from_template(shop=shop, template_key="abandoned_cart_reminder")
    contact_record(shop=shop, campaign=reminder, kind="impression", visitor_key=visitor.visitor_key)
    # when the email scan runs
    report = messages_due_send(shop=shop)
    # then no email: the person was already reached today
    assert (report.sent, report.skipped, smtp.messages) == (0, {"capped": 1}, [])


def test_a_refused_delivery_is_recorded_and_retried(settings, store):
    shop, products, _campaign = store
    # given an SMTP server that is not there
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", dead_port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    left_a_cart(shop, products, email="ann@example.com")
    # when the scan runs twice
    assert messages_due_send(shop=shop).failed == 1
    assert messages_due_send(shop=shop).failed == 1
    # then one message row holds both attempts and the error
    message = Message.objects.get()
    assert (message.status, message.attempts) == ("failed", 2)
    assert message.error.startswith("ConnectionRefusedError")


def test_a_coupon_email_carries_the_customers_own_code(smtp, store):
    shop, products, campaign = store
    # given a demo-style pool with two codes, and the email offering one
    shop.is_demo = True
    shop.save()
    pool = CouponPool.objects.create(shop=shop, name="Come back", prefix="BACK", amount=10)
    coupon_pool_refill(shop=shop, pool=pool, count=2)
    campaign.offers_coupon = True
    campaign.coupon_pool = pool
    campaign.content = {**campaign.content, "body": "Take 10 % off with {code}."}
    campaign.save()
    customer = left_a_cart(shop, products, email="ann@example.com")
    # when the scan sends
    assert messages_due_send(shop=shop).sent == 1
    # then the email names the code issued to this customer
    code = Coupon.objects.get(pool=pool, issued_to_customer=customer).code
    (received,) = smtp.to("ann@example.com")
    assert (
        f"Take 10 % off with {code}." in received.get_body(preferencelist=("plain",)).get_content()
    )
