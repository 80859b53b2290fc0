"""The birthday email against a real SMTP server on loopback (aiosmtpd): in their birthday month,
customers who told the preference center their birthday, chose email and accept marketing get
the merchant's birthday offer once a year (whatever the number of birthday campaigns), after the
delay into the month, never when unsubscribed, and within the caps shared with on-site
campaigns; the scan that sends it is on Celery beat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings

from personalization.campaigns.models import CampaignSettings, CampaignStatus
from personalization.campaigns.services import campaign_create_from_template, contact_record
from personalization.experiments.services import holdout_percent_set
from personalization.messaging.models import Message, Unsubscribe
from personalization.messaging.services import messages_due_send
from personalization.preferences.models import StatedPreferences
from personalization.profiles.models import Profile
from personalization.segments.services import segments_ensure_builtins
from tests.factories import CustomerFactory, ProductFactory
from tests.messaging.test_email_smtp import smtp as smtp

pytestmark = pytest.mark.django_db
APRIL_1_0830 = datetime(2026, 4, 1, 8, 30, tzinfo=UTC)
APRIL_1_1000 = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def birthdays(shop):
    holdout_percent_set(shop=shop, percent=0)
    segments_ensure_builtins(shop=shop)
    for n in range(3):
        ProductFactory(shop=shop, title=f"Candle {n}", handle=f"candle-{n}")
    campaign = campaign_create_from_template(
        shop=shop, template_key="birthday_email", status=CampaignStatus.ACTIVE
    )
    return shop, campaign


def told_us(shop, email: str, *, month: int, channels=("email",), consents: bool = True):
    """A repeat customer (the template's audience) who filled in the preference center."""
    customer = CustomerFactory(shop=shop, email=email, accepts_marketing=consents)
    Profile.objects.create(
        shop=shop, customer=customer, lifecycle="repeat_customer", orders_count=2
    )
    StatedPreferences.objects.create(
        shop=shop, customer=customer, birthday_month=month, birthday_day=12, channels=channels
    )
    return customer


def test_the_birthday_offer_goes_once_a_year_to_who_asked_for_it(smtp, birthdays):
    shop, campaign = birthdays
    # given April birthdays: one who chose email and accepts marketing, one who chose SMS only,
    # one who no longer accepts marketing, one who unsubscribed; and a May birthday
    ann = told_us(shop, "ann@example.com", month=4)
    told_us(shop, "bob@example.com", month=4, channels=["sms"])
    told_us(shop, "cat@example.com", month=4, consents=False)
    eve = told_us(shop, "eve@example.com", month=4)
    Unsubscribe.objects.create(shop=shop, customer=eve, channel="email")
    told_us(shop, "dan@example.com", month=5)
    # when the scan runs on April 1 before the template's 9:00 delay
    early = messages_due_send(shop=shop, now=APRIL_1_0830)
    # then nothing is due yet
    assert (early.sent, smtp.messages, Message.objects.count()) == (0, [], 0)
    # when it runs at 10:00, and again two weeks later
    first = messages_due_send(shop=shop, now=APRIL_1_1000)
    again = messages_due_send(shop=shop, now=APRIL_1_1000 + timedelta(days=14))
    # then Ann alone got it, once; Eve's unsubscribe is recorded as the reason she did not
    assert (first.sent, first.skipped, again.sent) == (1, {"unsubscribed": 1}, 0)
    assert [rcpt for _, rcpt, _ in smtp.messages] == [["ann@example.com"]]
    (received,) = smtp.to("ann@example.com")
    assert received["Subject"] == "Happy birthday from us"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert "A little something for your birthday month" in text
    assert "Candle" in text  # a personalized product block
    message = Message.objects.get(customer=ann, status="sent")
    assert message.dedupe_key.endswith(":birthday:2026")
    # when the merchant adds a second birthday campaign the same year
    campaign_create_from_template(
        shop=shop,
        template_key="birthday_email",
        status=CampaignStatus.ACTIVE,
        name="Birthday, second try",
        key="birthday-second",
    )
    second = messages_due_send(shop=shop, now=APRIL_1_1000 + timedelta(days=15))
    # then Ann is not sent another birthday email this year
    assert second.sent == 0
    assert len(smtp.to("ann@example.com")) == 1
    # when her next birthday month comes
    next_year = messages_due_send(shop=shop, now=APRIL_1_1000.replace(year=2027))
    # then she hears from the shop again
    assert next_year.sent == 1
    assert len(smtp.to("ann@example.com")) == 2
    assert campaign.trigger == "birthday"


def test_the_birthday_email_respects_the_caps_shared_with_on_site_campaigns(smtp, birthdays):
    shop, _campaign = birthdays
    # given one contact a day shop-wide, and a customer reached on the site today
    CampaignSettings.objects.update_or_create(shop=shop, defaults={"cap_count": 1, "cap_hours": 24})
    ann = told_us(shop, "ann@example.com", month=4)
    reminder = campaign_create_from_template(shop=shop, template_key="abandoned_cart_reminder")
    contact_record(shop=shop, campaign=reminder, kind="impression", customer=ann, at=APRIL_1_1000)
    # when the scan runs an hour later
    report = messages_due_send(shop=shop, now=APRIL_1_1000 + timedelta(hours=1))
    # then no email: the person was already reached today
    assert (report.sent, report.skipped, smtp.messages) == (0, {"capped": 1}, [])
    # when the scan runs the next day, the cap has freed up: the birthday month is still on
    later = messages_due_send(shop=shop, now=APRIL_1_1000 + timedelta(days=1, hours=1))
    assert later.sent == 1
    assert Message.objects.get(customer=ann).status == "sent"
    assert len(smtp.to("ann@example.com")) == 1


def test_the_birthday_month_is_the_shops_own(smtp, birthdays):
    shop, _campaign = birthdays
    # given a shop in Auckland: 20:00 UTC on 31 March is already 09:00+ on 1 April there
    shop.timezone = "Pacific/Auckland"
    shop.save(update_fields=["timezone"])
    told_us(shop, "ann@example.com", month=4)
    report = messages_due_send(shop=shop, now=datetime(2026, 3, 31, 21, 30, tzinfo=UTC))
    assert report.sent == 1


def test_the_scan_is_on_celery_beat():
    schedule = django_settings.CELERY_BEAT_SCHEDULE["messaging-scan"]
    assert schedule["task"] == "personalization.messaging.tasks.messages_scan_all"
