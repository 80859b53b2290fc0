"""The plugin's quiz and preference center in a real WordPress, against the real app.

The WordPress is the one `test_wordpress.py` installs (Debian's package, MariaDB, `php -S`); here
the plugin's API base points at this test run's live server instead of the stub, so headless
Chromium takes the quiz on a WordPress page, the answers reach the app, and "forget me" erases
the visitor with an audit record."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from personalization.events.models import Visitor
from personalization.preferences.models import StatedPreferences
from personalization.privacy.models import PrivacyRequest
from shopapp.shops import auth as shop_auth
from shopapp.shops.models import Platform
from tests.factories import ShopFactory
from tests.integrations.woocommerce.test_wordpress import (  # noqa: F401 (the module fixture)
    HERE,
    PHP,
    Site,
    cli_problems,
    wordpress,
)
from tests.preferences.conftest import make_quiz, make_store

CHROMIUM = "/usr/bin/chromium"
KEY = "pk_wordpress_test"  # what setup.php configures


@pytest.fixture(scope="module")
def quiz_pages(wordpress: Site, live_server: Any) -> dict[str, int]:  # noqa: F811
    """The two pages, with the plugin now calling this run's live server."""
    result = subprocess.run(
        [
            PHP or "php",
            str(HERE / "preferences_pages.php"),
            str(wordpress.root),
            wordpress.host,
            f"{live_server.url}/api/v1/",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=wordpress.root,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert cli_problems(result.stdout + result.stderr) == []
    pages: dict[str, int] = json.loads(result.stdout[result.stdout.index("{") :])
    return pages


def elements(html: str) -> list[tuple[str, str]]:
    """(marker, style) of each quiz or preference center element, in page order."""
    return re.findall(
        r'<section class="pz-slot pz-(?:quiz|prefs)" (data-pz-quiz|data-pz-preferences) '
        r'style="([^"]+)"',
        html,
    )


def quiz_script_tags(html: str) -> list[str]:
    return [t for t in re.findall(r"<script\b[^>]*>", html) if "/assets/pz-quiz.js" in t]


@pytest.mark.parametrize(
    ("page", "heights"),
    [("shortcodes", ["480px", "300px"]), ("blocks", ["400px", "520px"])],
)
def test_quiz_and_preference_center_print_reserved_elements_and_one_deferred_script(
    wordpress,  # noqa: F811
    quiz_pages,
    live_server,
    page,
    heights,
):
    html = wordpress.get("/", page_id=str(quiz_pages[page])).text
    # the two elements the script binds, with their space reserved
    assert elements(html) == [
        ("data-pz-quiz", f"min-height:{heights[0]}"),
        ("data-pz-preferences", f"min-height:{heights[1]}"),
    ]
    assert "data-pz-quiz-results" in html
    # the quiz script once, deferred, in the footer, with the public key and the API base
    (tag,) = quiz_script_tags(html)
    assert re.search(r"\sdefer[\s>=]", tag), tag
    assert f'data-pz-quiz-key="{KEY}"' in tag
    assert f'data-api-base="{live_server.url}/api/v1/"' in tag
    assert html.index(tag) > html.index("</main>")


def test_pages_without_them_do_not_load_the_quiz_script(wordpress, quiz_pages):  # noqa: F811
    html = wordpress.get("/").text
    assert quiz_script_tags(html) == []
    assert "data-pz-quiz" not in html


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs chromium at {CHROMIUM}")
def test_a_shopper_takes_the_quiz_and_is_forgotten_on_wordpress(
    wordpress,  # noqa: F811
    quiz_pages,
    live_server,
    transactional_db,
    monkeypatch,
):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # given the WooCommerce shop behind the plugin's key, with a quiz, allowing the store's origin
    shop_auth._shops_by_key.clear()
    shop = ShopFactory(
        platform=Platform.WOOCOMMERCE,
        domain=wordpress.host,
        storefront_key=KEY,
        storefront_origins=[wordpress.url],
    )
    make_store(shop)
    make_quiz(shop)
    url = f"{wordpress.url}/?page_id={quiz_pages['blocks']}"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        # the store's consent banner said yes to analytics
        context.add_init_script("localStorage.setItem('pz_consent', '1')")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # when the shopper answers the quiz on the WordPress page, asking to be remembered
        page.goto(url)
        page.wait_for_selector("form.pz-quiz__form", timeout=20_000)
        page.get_by_label("Loves Candles", exact=True).check()
        page.get_by_label("low", exact=True).check()
        assert page.locator("input[name=remember]").is_checked()
        page.get_by_role("button", name="Show my picks").click()
        page.wait_for_selector(
            '[data-pz-quiz-results][data-pz-state="rendered"] .card', timeout=20_000
        )
        picks = page.eval_on_selector_all(
            ".pz-quiz__grid [data-pz-product-id]", "els => els.map(e => e.dataset.pzProductId)"
        )
        status = page.text_content(".pz-quiz__status")
        visitor_key = page.evaluate("() => localStorage.getItem('pz_vid')")
        # then the picks follow the answers (cheap candles first) and are kept as preferences
        assert picks[:3] == ["c0", "c1", "c2"]
        assert status == "Saved to your preferences."
        stored = StatedPreferences.objects.get(shop=shop, visitor__visitor_key=visitor_key)
        assert stored.interests == {"category": ["Candles"], "price_band": ["low"]}
        # and the preference center on the next visit shows them
        page.reload()
        page.wait_for_selector("form.pz-prefs__form", timeout=20_000)
        assert page.input_value("form.pz-prefs__form input[name=interests]") == "Candles"
        page.wait_for_selector("form.pz-quiz__form", timeout=20_000)
        assert page.locator("form.pz-quiz__form").count() == 1  # bound once
        # when the shopper asks to be forgotten and confirms
        page.on("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Forget me").click()
        page.wait_for_function(
            "() => document.querySelector('.pz-prefs__status').textContent.length > 0",
            timeout=20_000,
        )
        assert page.text_content(".pz-prefs__status") == "Done: we have forgotten you."
        assert page.evaluate("() => localStorage.getItem('pz_vid')") is None
        browser.close()
    # then the visitor and what they stated are gone, and the erasure is on record
    assert not Visitor.objects.filter(shop=shop, visitor_key=visitor_key).exists()
    assert StatedPreferences.objects.filter(shop=shop).count() == 0
    audit = PrivacyRequest.objects.get(shop_id_ref=shop.pk)
    assert (audit.action, audit.status, audit.source) == ("erase", "done", "preference_center")
    assert errors == []
