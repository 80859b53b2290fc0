"""The quiz and preference center app blocks in headless Chromium, through an app proxy that
behaves like Shopify's: a storefront page at https://{shop}/ holds both blocks as rendered, and
every `/apps/pz/...` call is forwarded to the live app with `shop`, `logged_in_customer_id`,
`path_prefix`, `timestamp` and the signature added (the contract in shared/platform/shopify.md).
A logged-in customer answers the quiz, edits the preference center, and is forgotten."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from integrations.shopify.build_extensions import quiz_script_copy
from personalization.decisions import catalog
from personalization.events.models import Visitor
from personalization.preferences import recommend
from personalization.preferences.models import StatedPreferences
from personalization.privacy.models import PrivacyRequest
from shopapp.catalog.models import Customer
from shopapp.shops.crypto import lookup_hash
from tests.factories import CustomerFactory, ShopFactory
from tests.integrations.shopify.test_extensions import THEME, schema_of
from tests.preferences.conftest import make_quiz, make_store

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs chromium at {CHROMIUM}"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

SECRET = "proxy-browser-secret"
DOMAIN = "prefs-browser.myshopify.com"
STOREFRONT = f"https://{DOMAIN}"
CDN = "https://cdn.shopify.test/extensions/pz-theme/assets/"


def rendered(block: str, storefront_key: str) -> str:
    """The block as Shopify renders it, for the few Liquid constructs it uses (a stand-in: no
    Liquid engine here); anything else left over fails the test."""
    path = THEME / "blocks" / f"{block}.liquid"
    defaults = {s["id"]: s.get("default") for s in schema_of(path)["settings"]}
    text = path.read_text()
    text = re.sub(r"{%-? comment -?%}.*?{%-? endcomment -?%}", "", text, flags=re.S)
    text = re.sub(r"{% schema %}.*?{% endschema %}", "", text, flags=re.S)
    text = re.sub(r"{%-? assign key = app\.metafields\.pz\.storefront_key\.value -?%}", "", text)
    text = re.sub(
        r"{{ block\.settings\.(\w+) }}", lambda m: str(defaults[m.group(1)]), text
    ).replace("{{ block.shopify_attributes }}", 'data-shopify-editor-block="{}"')
    text = text.replace("{{ 'pz-quiz.js' | asset_url }}", f"{CDN}pz-quiz.js?v=1")
    text = text.replace("{{ key | escape }}", storefront_key)
    assert "{{" not in text, text
    assert "{%" not in text, text
    return text


def proxied(url: str, customer: str) -> str:
    """What Shopify's proxy forwards for https://{shop}/apps/pz/<path>?<query>."""
    parts = urlsplit(url)
    path = parts.path.removeprefix("/apps/pz/")
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    pairs += [
        ("shop", DOMAIN),
        ("logged_in_customer_id", customer),
        ("path_prefix", "/apps/pz"),
        ("timestamp", str(int(time.time()))),
    ]
    joined: dict[str, list[str]] = {}
    for key, value in pairs:
        joined.setdefault(key, []).append(value)
    message = "".join(f"{k}={','.join(v)}" for k, v in sorted(joined.items()))
    signature = hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()
    return f"{path}?{urlencode([*pairs, ('signature', signature)])}"


@pytest.fixture
def storefront(transactional_db, settings, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.SHOPIFY_API_SECRET = SECRET
    settings.SHOPIFY_OLD_API_SECRET = ""
    catalog.forget()
    recommend.forget()
    shop = ShopFactory(domain=DOMAIN)
    make_store(shop)
    make_quiz(shop)
    customer = CustomerFactory(shop=shop, platform_id="4242")
    quiz_script_copy()
    return shop, customer


def test_a_logged_in_customer_uses_both_blocks_through_the_app_proxy(storefront, live_server):
    shop, customer = storefront
    page_html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Prefs</title></head>'
        f"<body><main>{rendered('quiz', shop.storefront_key)}"
        f"{rendered('preference-center', shop.storefront_key)}</main></body></html>"
    )
    forwarded: list[tuple[str, int]] = []

    def shopify(route):  # type: ignore[no-untyped-def]
        url = route.request.url
        if urlsplit(url).path.startswith("/apps/pz/"):
            target = f"{live_server.url}/shopify/proxy/{proxied(url, customer.platform_id)}"
            response = route.fetch(url=target)
            forwarded.append((urlsplit(url).path, response.status))
            route.fulfill(response=response)
        else:
            route.fulfill(status=200, content_type="text/html", body=page_html)

    def cdn(route):  # type: ignore[no-untyped-def]
        name = urlsplit(route.request.url).path.rsplit("/", 1)[-1]
        route.fulfill(
            status=200,
            content_type="application/javascript",
            body=(THEME / "assets" / name).read_bytes(),
        )

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        context.add_init_script("localStorage.setItem('pz_consent', '1')")
        context.route(f"{STOREFRONT}/**", shopify)
        context.route(f"{CDN}**", cdn)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        # given the page with both blocks (the script tag twice), the quiz and the center bind once
        page.goto(f"{STOREFRONT}/pages/preferences")
        page.wait_for_selector("form.pz-quiz__form", timeout=20_000)
        page.wait_for_selector("form.pz-prefs__form", timeout=20_000)
        assert page.locator("form.pz-quiz__form").count() == 1
        assert page.locator("form.pz-prefs__form").count() == 1

        # when the logged-in customer answers Candles + low and keeps the answers
        page.get_by_label("Loves Candles", exact=True).check()
        page.get_by_label("low", exact=True).check()
        page.get_by_role("button", name="Show my picks").click()
        page.wait_for_selector(
            '[data-pz-quiz-results][data-pz-state="rendered"] .card', timeout=20_000
        )
        picks = page.eval_on_selector_all(
            ".pz-quiz__grid [data-pz-product-id]", "els => els.map(e => e.dataset.pzProductId)"
        )
        # then the picks follow the answers and the answers are the customer's preferences
        assert picks[:3] == ["c0", "c1", "c2"]
        assert page.text_content(".pz-quiz__status") == "Saved to your preferences."
        mine = StatedPreferences.objects.get(shop=shop, customer=customer)
        assert mine.interests == {"category": ["Candles"], "price_band": ["low"]}

        # when they reload and add a birthday and email in the preference center
        page.reload()
        page.wait_for_selector("form.pz-prefs__form", timeout=20_000)
        assert page.input_value("form.pz-prefs__form input[name=interests]") == "Candles"
        page.fill("form.pz-prefs__form input[name=birthday]", "04-23")
        page.check("form.pz-prefs__form input[name=channel][value=email]")
        page.get_by_role("button", name="Save preferences").click()
        page.wait_for_function(
            "() => document.querySelector('.pz-prefs__status').textContent === 'Saved.'",
            timeout=20_000,
        )
        mine.refresh_from_db()
        assert (mine.birthday_month, mine.birthday_day, mine.channels) == (4, 23, ["email"])

        # when they ask to be forgotten and confirm
        visitor_key = page.evaluate("() => localStorage.getItem('pz_vid')")
        page.on("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Forget me").click()
        page.wait_for_function(
            "() => document.querySelector('.pz-prefs__status').textContent.startsWith('Done')",
            timeout=20_000,
        )
        browser.close()

    # then the customer, and this browser's own visitor row, are erased and both are on record
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert not Visitor.objects.filter(shop=shop).exists()
    assert StatedPreferences.objects.filter(shop=shop).count() == 0
    audits = PrivacyRequest.objects.filter(shop_id_ref=shop.pk).order_by("pk")
    assert [(a.action, a.status, a.source, a.subject_hash) for a in audits] == [
        ("erase", "done", "preference_center", lookup_hash("customer:4242")),
        ("erase", "done", "preference_center", lookup_hash(f"visitor:{visitor_key}")),
    ]
    # every call went through the signed proxy and was accepted
    assert {path for path, _ in forwarded} == {
        "/apps/pz/quiz",
        "/apps/pz/quiz/answers",
        "/apps/pz/preferences",
        "/apps/pz/preferences/forget",
    }
    assert all(status == 200 for _, status in forwarded), forwarded
    assert errors == []
