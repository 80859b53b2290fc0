"""Admin campaign pages: list, create from a template, edit with errors on the fields, and an
idea from the backlog turned into a campaign in one click; another shop's rows are 404."""

from __future__ import annotations

import pytest

from personalization.campaigns.models import Campaign, CampaignSettings
from personalization.campaigns.services import campaign_create_from_template
from personalization.experiments.models import Idea
from personalization.segments.models import Segment
from personalization.segments.services import segments_ensure_builtins

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(shop, admin_client_for):
    segments_ensure_builtins(shop=shop)
    return admin_client_for(shop)


def form(**changes: str) -> dict[str, str]:
    data = {
        "template": "abandoned_cart_reminder",
        "name": "Cart reminder",
        "status": "active",
        "audience": "prospect",
        "placement": "popup",
        "trigger": "return_with_cart",
        "trigger_value": "0",
        "headline": "Still thinking it over?",
        "body": "Your cart kept these for you.",
        "cta_label": "Go to my cart",
        "cta_url": "cart/",
        "products": "cart",
        "product_count": "3",
        "priority": "50",
        "cap_count": "1",
        "cap_hours": "24",
    }
    data.update(changes)
    return data


def test_list_shows_templates_and_campaigns(admin, shop):
    campaign_create_from_template(shop=shop, template_key="abandoned_cart_reminder")
    response = admin.get("/app/campaigns/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Abandoned-cart reminder on return" in page
    assert "Free-shipping threshold nudge" in page
    assert 'href="/app/campaigns/new/?template=exit_intent_offer"' in page
    assert Campaign.objects.get(shop=shop).name in page


def test_create_from_a_template_then_edit(admin, shop):
    # the template opens prefilled, nothing saved yet
    page = admin.get("/app/campaigns/new/?template=abandoned_cart_reminder")
    assert page.status_code == 200
    assert 'value="Still thinking it over?"' in page.content.decode()
    assert not Campaign.objects.exists()
    # saving creates it and opens it
    response = admin.post("/app/campaigns/new/", form())
    campaign = Campaign.objects.get(shop=shop)
    assert response.status_code == 303
    assert response["Location"] == f"/app/campaigns/{campaign.pk}/"
    assert (campaign.status, campaign.audience.key, campaign.priority) == ("active", "prospect", 50)
    # an edit saves in place
    response = admin.post(f"/app/campaigns/{campaign.pk}/", form(priority="70"))
    campaign.refresh_from_db()
    assert (response.status_code, campaign.priority) == (303, 70)


def test_errors_are_shown_on_their_fields(admin, shop):
    CampaignSettings.objects.create(shop=shop, cap_count=2, cap_hours=24)
    response = admin.post("/app/campaigns/new/", form(audience="", cap_count="5", priority="high"))
    assert response.status_code == 422
    page = response.content.decode()
    assert (
        'id="c-audience-error">Choose an audience: a campaign without a segment reaches no one.'
        in page
    )
    assert 'id="c-priority-error">A whole number, please.' in page
    assert not Campaign.objects.exists()
    # the number is fixed, the audience and the conflicting cap still refused, each on its field
    response = admin.post("/app/campaigns/new/", form(audience="", cap_count="5"))
    page = response.content.decode()
    assert (
        'id="c-cap-count-error">5 per 24 h conflicts with the shop-wide cap of 2 per 24 h.' in page
    )
    assert 'id="c-audience-error">' in page


def test_a_coupon_offer_without_a_pool_is_refused_on_the_pool(admin, shop):
    response = admin.post(
        "/app/campaigns/new/", form(template="exit_intent_offer", offers_coupon="on")
    )
    assert response.status_code == 422
    assert 'id="c-pool-error">A coupon offer needs a coupon pool to take codes from.' in (
        response.content.decode()
    )


def test_turn_an_idea_into_a_campaign_in_one_click(admin, shop):
    idea = Idea.objects.create(
        shop=shop,
        title="Win back lapsed VIPs",
        segment=Segment.objects.get(shop=shop, key="vip"),
        campaign_template="lapsed_winback",
        campaign_config={"priority": 60, "content": {"headline": "We kept a seat for you"}},
        reach=120,
    )
    assert "Win back lapsed VIPs" in admin.get("/app/campaigns/").content.decode()
    response = admin.post(f"/app/campaigns/from-idea/{idea.pk}/")
    campaign = Campaign.objects.get(shop=shop)
    assert response.status_code == 303
    assert response["Location"] == f"/app/campaigns/{campaign.pk}/"
    assert (campaign.name, campaign.audience.key, campaign.priority, campaign.status) == (
        "Win back lapsed VIPs",
        "vip",
        60,
        "draft",
    )
    assert campaign.content["headline"] == "We kept a seat for you"
    idea.refresh_from_db()
    assert idea.status == "launched"


def test_another_shops_rows_are_404(admin, shop, other_shop):
    segments_ensure_builtins(shop=other_shop)
    theirs = campaign_create_from_template(shop=other_shop, template_key="abandoned_cart_reminder")
    idea = Idea.objects.create(shop=other_shop, title="Theirs", campaign_template="lapsed_winback")
    assert admin.get(f"/app/campaigns/{theirs.pk}/").status_code == 404
    assert admin.post(f"/app/campaigns/{theirs.pk}/", form()).status_code == 404
    assert admin.post(f"/app/campaigns/from-idea/{idea.pk}/").status_code == 404
    assert admin.get("/app/campaigns/new/?template=nope").status_code == 404
    assert not Campaign.objects.filter(shop=shop).exists()


def test_signed_out_is_sent_to_sign_in(client, shop):
    response = client.get("/app/campaigns/")
    assert response.status_code == 302
