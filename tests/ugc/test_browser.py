"""In headless Chromium on the /demo/ storefront: a shopper uploads a photo through the block on a
product page, the merchant approves it and tags the product in the admin, and the photo shows in
that product's gallery with the creator's attribution; two customers with different tastes get
the gallery in a different order, and the admin preview says why."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore

from personalization.decisions import catalog
from personalization.decisions.context import profile_context
from personalization.events.models import Event
from personalization.profiles.models import Profile
from personalization.recommendations import selectors as rec_selectors
from personalization.ugc import services
from personalization.ugc.models import Content
from shopapp.catalog.models import Product
from shopapp.catalog.selectors import bestseller_list
from shopapp.shops.auth import ADMIN_SESSION_KEY
from tests.adminui.test_browser import UNLABELLED_CONTROLS
from tests.demo_snapshot import demo_shop_loaded
from tests.ugc.conftest import photo_bytes

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
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        yield launched
        launched.close()


@pytest.fixture
def demo_shop(transactional_db, settings):
    settings.DEMO_ENABLED = True
    catalog.forget()
    rec_selectors.forget()
    return demo_shop_loaded()


def new_tab(browser, base: str, shop=None):
    """A tab collecting console errors; signed in to the shop's admin when one is given."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    if shop is not None:
        session = SessionStore()
        session[ADMIN_SESSION_KEY] = shop.pk
        session.create()
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base}]
        )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def shot(page, name: str, selector: str = "") -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = page.locator(selector).first if selector else page
    target.screenshot(path=str(SCREENSHOTS / f"ugc-{name}.png"))


def gallery(page) -> list[dict]:
    page.wait_for_selector('[data-pz-ugc="gallery"][data-pz-state="rendered"]')
    return page.evaluate("""() => [...document.querySelectorAll('[data-pz-ugc="gallery"] .ugc-card')].map(c => ({
      id: +c.dataset.ugcId,
      by: c.querySelector('.ugc-card__author').textContent,
      products: [...c.querySelectorAll('.ugc-card__product')].map(a => a.getAttribute('href')),
      carts: c.querySelectorAll('.ugc-card__cart button').length,
      reason: (c.querySelector('.pz-reason') || {}).textContent || '',
      lazy: (c.querySelector('img') || {}).loading,
      box: (() => { const r = c.querySelector('.ugc-card__media').getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; })(),
    }))""")


def test_upload_approve_tag_and_see_it_in_the_product_gallery(
    demo_shop, live_server, browser, tmp_path
):
    product = bestseller_list(shop=demo_shop, limit=1)[0]
    shopper = new_tab(browser, live_server.url)
    # a shopper shares a photo through the block on the product page
    shopper.goto(f"{live_server.url}/demo/products/{product.handle}/")
    form = shopper.locator('form[data-pz-ugc="upload"]')
    form.locator('input[name="file"]').set_input_files(
        files=[
            {
                "name": "my-kitchen.jpg",
                "mimeType": "image/jpeg",
                "buffer": photo_bytes(size=(900, 900), exif=True),
            }
        ]
    )
    form.locator('input[name="name"]').fill("Ana Silva")
    form.locator('input[name="handle"]').fill("ana.makes")
    form.locator('input[name="email"]').fill("ana@example.com")
    form.locator('input[name="rights"]').check()
    form.locator('input[name="consent"]').check()
    form.locator('button[type="submit"]').click()
    status = form.locator("[data-pz-ugc-status]")
    status.filter(has_text="Thank you").wait_for()
    shot(shopper, "uploaded", 'form[data-pz-ugc="upload"]')
    content = Content.objects.get(shop=demo_shop)
    assert content.status == "pending"
    assert content.tag_suggestions[0] == product.platform_id
    # a hostile file through the same block is refused with the message, nothing stored
    (tmp_path / "cat.png").write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    form.locator('input[name="file"]').set_input_files(str(tmp_path / "cat.png"))
    form.locator('input[name="name"]').fill("Eve")
    form.locator('input[name="email"]').fill("eve@example.com")
    form.locator('input[name="rights"]').check()
    form.locator('input[name="consent"]').check()
    form.locator('button[type="submit"]').click()
    status.filter(has_text="SVG images are not accepted").wait_for()
    assert form.locator('input[name="file"][aria-invalid="true"]').count() == 1
    assert Content.objects.filter(shop=demo_shop).count() == 1

    # the merchant approves it and tags the product suggested from the page it came from
    admin = new_tab(browser, live_server.url, demo_shop)
    admin.goto(f"{live_server.url}/app/ugc/")
    item = admin.locator(f'[data-ugc-id="{content.pk}"]')
    item.get_by_role("button", name="Approve", exact=True).click()
    admin.locator("#ugc-notice").filter(has_text="1 item(s) approved").wait_for()
    admin.goto(f"{live_server.url}/app/ugc/?status=approved")
    item = admin.locator(f'[data-ugc-id="{content.pk}"]')
    item.locator(f'button.chip[value="{product.platform_id}"]').click()
    admin.locator("#ugc-notice").filter(has_text="Tagged").wait_for()
    assert item.locator(f'.ugc-tag[data-product-id="{product.platform_id}"]').count() == 1
    assert admin.evaluate(UNLABELLED_CONTROLS) == []
    shot(admin, "moderated")

    # the photo is in that product's gallery, shoppable, with the creator's attribution
    shopper.goto(f"{live_server.url}/demo/products/{product.handle}/")
    cards = gallery(shopper)
    shot(shopper, "gallery", '[data-pz-ugc="gallery"]')
    assert cards[0]["id"] == content.pk
    assert cards[0]["by"] == "@ana.makes"
    assert cards[0]["products"] == [f"/demo/products/{product.handle}/"]
    assert cards[0]["carts"] == 1
    assert cards[0]["lazy"] == "lazy"
    assert cards[0]["box"][0] == cards[0]["box"][1] > 0  # square space reserved
    # and add to cart from the photo works, counted as a gallery click for a consenting shopper
    shopper.evaluate(
        "() => { localStorage.setItem('pz_consent', '1'); localStorage.setItem('pz_vid', 'ugc-visitor-1'); }"
    )
    shopper.reload()
    gallery(shopper)
    shopper.locator('[data-pz-ugc="gallery"] .ugc-card__cart button').first.click()
    shopper.wait_for_url("**/demo/cart/")
    assert product.title in shopper.content()
    assert wait_for(
        lambda: set(
            Event.objects.filter(shop=demo_shop, placement="ugc-gallery").values_list(
                "type", flat=True
            )
        )
    ) == {"impression", "click"}
    # the creator's "Remove my photo" link opens the removal form with the item's number, and
    # their own email takes it down at once
    shopper.goto(f"{live_server.url}/demo/products/{product.handle}/")
    gallery(shopper)
    shopper.locator(f'[data-pz-ugc="gallery"] [data-pz-ugc-remove="{content.pk}"]').first.click()
    removal = shopper.locator('form[data-pz-ugc="removal"]')
    assert removal.locator('input[name="content_id"]').input_value() == str(content.pk)
    removal.locator('input[name="email"]').fill("ana@example.com")
    removal.get_by_role("button", name="Ask for removal").click()
    # (the status line says "Sending…" first; data-state is set once the answer arrived)
    status = removal.locator("[data-pz-ugc-status]")
    removal.locator("[data-pz-ugc-status][data-state]").wait_for()
    content.refresh_from_db()
    assert content.status == "removed", status.inner_text()
    # the one console error is the refused SVG's 400
    assert [e for e in shopper.errors if "status of 400" not in e] == []
    assert len(shopper.errors) == 1
    assert admin.errors == []


def wait_for(read, seconds: float = 10.0):
    """The events API buffers and drains in the background: poll until both kinds arrived."""
    deadline = time.monotonic() + seconds
    value = read()
    while time.monotonic() < deadline and len(value) < 2:
        time.sleep(0.2)
        value = read()
    return value


def _taste(shop, profile):
    context = profile_context(shop, catalog.catalog_snapshot(shop), profile, label="t")
    return context.top_categories[0] if context.top_categories else ""


def test_two_customers_see_the_gallery_in_a_different_order_explained_in_preview(
    demo_shop, live_server, browser
):
    # given two customers whose favourite categories differ
    profiles = list(
        Profile.objects.filter(shop=demo_shop, customer__isnull=False)
        .exclude(affinities={})
        .select_related("customer")[:200]
    )
    first = profiles[0]
    first_taste = _taste(demo_shop, first)
    second = next(p for p in profiles[1:] if _taste(demo_shop, p) not in ("", first_taste))
    second_taste = _taste(demo_shop, second)
    # and an approved photo tagged with a product in each of those categories
    photos = {}
    for n, taste in enumerate((first_taste, second_taste)):
        product = (
            Product.objects.filter(shop=demo_shop, product_type=taste, deleted_at__isnull=True)
            .order_by("pk")
            .first()
        )
        data = photo_bytes(color=(40 + 150 * n, 90, 200 - 150 * n))
        content = services.upload_submit(
            shop=demo_shop,
            upload=services.Upload(
                data=data, size=len(data), declared_type="image/jpeg", filename="p.jpg"
            ),
            email=f"maker{n}@example.com",
            name=f"Maker {n}",
            handle=f"maker{n}",
            has_consent=True,
            has_rights=True,
        )
        services.content_moderate(shop=demo_shop, content_ids=[content.pk], action="approve")
        services.content_tag(
            shop=demo_shop, content=content, product_platform_id=product.platform_id
        )
        photos[taste] = content.pk
    # when each looks at the home page (preview personas) and at the admin preview
    seen = {}
    for name, profile in (("first", first), ("second", second)):
        page = new_tab(browser, live_server.url)
        page.goto(f"{live_server.url}/demo/?pz_persona=customer:{profile.customer.platform_id}")
        seen[name] = gallery(page)
        shot(page, f"persona-{name}", '[data-pz-ugc="gallery"]')
        assert page.errors == []
    admin = new_tab(browser, live_server.url, demo_shop)
    preview = {}
    for name, profile in (("first", first), ("second", second)):
        admin.goto(
            f"{live_server.url}/app/ugc/preview/?persona=customer:{profile.customer.platform_id}"
        )
        preview[name] = admin.evaluate(
            "() => [...document.querySelectorAll('#ugc-preview tr[data-ugc-id]')].map(r => [+r.dataset.ugcId, r.querySelector('.ugc-reason').textContent])"
        )
        assert admin.evaluate(UNLABELLED_CONTROLS) == []
        shot(admin, f"preview-{name}")
    # then each sees the photo of their own favourite first, with the reason
    assert seen["first"][0]["id"] == photos[first_taste]
    assert seen["second"][0]["id"] == photos[second_taste]
    assert seen["first"][0]["reason"] in (
        f"You like {first_taste}",
        "Features a product you bought",
    )
    assert [row[0] for row in preview["first"]] == [c["id"] for c in seen["first"]]
    assert [row[0] for row in preview["second"]] == [c["id"] for c in seen["second"]]
    assert preview["first"][0][1] == seen["first"][0]["reason"]
    assert preview["first"] != preview["second"]
    assert admin.errors == []
