"""The demo storefront in headless Chromium, as four different shoppers (preview personas)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from personalization.decisions import catalog
from personalization.events.models import Event
from personalization.profiles.models import Profile
from personalization.recommendations import selectors as rec_selectors
from tests.demo_snapshot import demo_shop_loaded

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"needs Debian's chromium at {CHROMIUM}"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "artifacts/screenshots"))


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes between
    # page visits are ordinary blocking calls, which Django must be told are fine here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_shop(transactional_db, settings):
    settings.DEMO_ENABLED = True
    catalog.forget()
    rec_selectors.forget()
    return demo_shop_loaded()  # loads the sample and learns from it (profiles, models)


def visit(browser, url: str, name: str) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    try:
        page.wait_for_selector('[data-pz-slot][data-pz-state="rendered"]', timeout=15_000)
    except sync_api.TimeoutError:
        has_script = page.evaluate("() => !!document.querySelector('script[data-shop-key]')")
        raise AssertionError(
            f"{url}: nothing rendered; console: {errors}; script: {has_script}"
        ) from None
    page.wait_for_selector(".pz-preview", timeout=5_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    seen = page.evaluate("""() => ({
      titles: Object.fromEntries([...document.querySelectorAll('[data-pz-slot]')].map(s => [
        s.dataset.pzSlot, (s.querySelector('.section__title') || s.querySelector('.kicker') || {}).textContent || ''])),
      recommended: [...document.querySelectorAll('[data-pz-slot="home-recommended"] [data-pz-product-id]')].map(e => e.dataset.pzProductId),
      related: [...document.querySelectorAll('[data-pz-slot="product-related"] [data-pz-product-id]')].map(e => e.dataset.pzProductId),
      results: [...document.querySelectorAll('[data-pz-slot="search-results"] [data-pz-product-id]')].map(e => e.dataset.pzProductId),
      nav: [...document.querySelectorAll('[data-pz-nav] [data-pz-collection-id]')].map(e => e.dataset.pzCollectionId),
      reasons: [...document.querySelectorAll('.pz-reason')].map(e => e.textContent),
      preview: document.querySelector('.pz-preview').textContent,
    })""")
    page.close()
    seen["errors"] = errors
    return seen


def test_personas_change_what_the_storefront_shows(demo_shop, live_server, browser):
    regular = (
        Profile.objects.filter(shop=demo_shop, lifecycle__in=("repeat_customer", "vip"))
        .exclude(affinities={})
        .order_by("-orders_count")
        .select_related("customer")
        .first()
    )
    personas = {
        "new": "new_visitor",
        "returning": "returning_visitor",
        "lapsed": "lapsed_vip",
        "customer": f"customer:{regular.customer.platform_id}",
    }
    home = {
        name: visit(browser, f"{live_server.url}/demo/?pz_persona={persona}", f"home-{name}")
        for name, persona in personas.items()
    }
    for name, seen in home.items():
        assert seen["errors"] == [], name
        assert seen["reasons"], f"{name}: preview shows why each product is there"
    # a newcomer gets bestsellers and is never welcomed back
    assert home["new"]["titles"]["home-recommended"] == "Bestsellers"
    assert "Welcome back" not in home["new"]["titles"]["home-hero"]
    assert all(
        reason in {"Bestseller", "Trending this month", "New in"} or reason.startswith("Popular in")
        for reason in home["new"]["reasons"]
    )
    # a returning visitor gets picks from what they looked at, and their recently viewed
    assert home["returning"]["titles"]["home-recommended"] == "Picked for you"
    assert home["returning"]["titles"]["home-new-arrivals"] == "Recently viewed"
    assert "You viewed this" in home["returning"]["reasons"]
    # a lapsed VIP is welcomed back with what is new where they used to shop, and an offer
    assert home["lapsed"]["titles"]["home-hero"] == "Welcome back"
    assert home["lapsed"]["titles"]["home-recommended"].startswith("New in")
    assert home["lapsed"]["titles"]["home-new-arrivals"] == "An offer to welcome you back"
    assert "lapsed" in home["lapsed"]["preview"]
    # a real customer: picks from their own history, and the menu follows their taste
    assert home["customer"]["titles"]["home-recommended"] == "Picked for you"
    assert home["customer"]["recommended"] != home["new"]["recommended"]
    assert home["customer"]["nav"] != home["new"]["nav"]
    assert sorted(home["customer"]["nav"]) == sorted(home["new"]["nav"])

    # search: the same results, reordered by taste
    searches = {
        name: visit(
            browser,
            f"{live_server.url}/demo/search/?q=set&pz_persona={personas[name]}",
            f"search-{name}",
        )
        for name in ("new", "customer")
    }
    assert sorted(searches["customer"]["results"]) == sorted(searches["new"]["results"])
    assert searches["customer"]["results"] != searches["new"]["results"]
    assert searches["customer"]["errors"] == []

    # a product page: related products with their reasons
    product = visit(
        browser,
        f"{live_server.url}/demo/products/{regular_product_handle(demo_shop)}/?pz_persona=new_visitor",
        "product-new",
    )
    assert len(product["related"]) == 4
    # the trained "related" model (demo_shop_load trains it) names the product being viewed
    assert any(reason.startswith("Because you viewed") for reason in product["reasons"])
    assert product["errors"] == []

    # a shopper who consented: impressions name the products shown, not only the block
    impressions = consented_impressions(browser, f"{live_server.url}/demo/", demo_shop)
    assert {"home-hero", "home-recommended"} <= set(impressions)
    assert all(ids and len(ids) == len(set(ids)) for ids in impressions.values())


def consented_impressions(browser, url: str, shop) -> dict[str, list[str]]:
    """placement -> product ids of the impressions one page view recorded, as stored."""
    page = browser.new_page()
    page.add_init_script("window.pzConsent = true;")
    page.goto(url)
    page.wait_for_selector('[data-pz-slot][data-pz-state="rendered"]', timeout=15_000)
    # leaving the page sends what is queued (the script flushes on pagehide)
    page.evaluate("() => dispatchEvent(new Event('pagehide'))")
    stored: list[Event] = []
    for _ in range(40):
        stored = list(Event.objects.filter(shop=shop, type="impression"))
        if stored:
            break
        page.wait_for_timeout(250)
    page.close()
    return {event.placement: list(event.data.get("result_ids", [])) for event in stored}


def regular_product_handle(shop) -> str:
    from shopapp.catalog.selectors import bestseller_list

    return bestseller_list(shop=shop, limit=1)[0].handle


def test_buy_again_on_the_account_page_and_post_purchase_after_checkout(
    demo_shop, live_server, browser
):
    # given a real customer of the sample whose repeat buys the trained model knows
    buy_again = rec_selectors.shop_models(shop=demo_shop).source("buy_again")
    assert buy_again is not None
    regular = next(
        profile.customer
        for profile in Profile.objects.filter(shop=demo_shop, customer__isnull=False)
        .order_by("-orders_count")
        .select_related("customer")[:200]
        if buy_again(str(profile.customer_id), 1)
    )
    persona = f"customer:{regular.platform_id}"

    # the account page: their repeat buys, each with the interval it was learned from
    account = visit(browser, f"{live_server.url}/demo/account/?pz_persona={persona}", "account")
    assert account["errors"] == []
    assert account["titles"]["buy-again"] == "Buy it again"
    assert any(reason.startswith("You buy this about every") for reason in account["reasons"])

    # the thank-you page as that customer: complements of their latest order, with reasons
    thanks = visit(
        browser, f"{live_server.url}/demo/order/thanks/?pz_persona={persona}", "thanks-customer"
    )
    assert thanks["errors"] == []
    assert thanks["titles"]["post-purchase"] == "Goes well with your order"
    assert thanks["reasons"]

    # an anonymous shopper buys the bestseller: the block, anchored on the order (the session's
    # last cart, which pz.js remembers), leaves out what was just bought
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    handle = regular_product_handle(demo_shop)
    page.goto(f"{live_server.url}/demo/products/{handle}/")
    bought = page.get_attribute('meta[name="pz-product-id"]', "content")
    page.click('form[action="/demo/cart/add/"] button[type="submit"]')
    page.wait_for_url("**/demo/cart/")
    page.click('form[action="/demo/checkout/"] button[type="submit"]')
    page.wait_for_url("**/demo/order/thanks/")
    assert page.locator(f'[data-order-lines] [data-pz-product-id="{bought}"]').count() == 1
    slot = '[data-pz-slot="post-purchase"]'
    page.wait_for_selector(f'{slot}[data-pz-state="rendered"]', timeout=15_000)
    shown = page.eval_on_selector_all(
        f"{slot} [data-pz-product-id]", "cards => cards.map(c => c.dataset.pzProductId)"
    )
    title = page.text_content(f"{slot} .section__title")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "thanks-anonymous.png"))
    page.close()
    assert title == "Goes well with your order"
    assert len(shown) == 4
    assert bought not in shown
    assert errors == []
