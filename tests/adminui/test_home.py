from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from shopapp.demo.models import ImportRun, ImportStatus
from shopapp.shops.auth import ADMIN_SESSION_KEY
from shopapp.shops.models import Shop
from tests.factories import (
    CollectionFactory,
    CustomerFactory,
    OrderFactory,
    ProductFactory,
    ShopFactory,
)

REPORT = {
    "lines": {
        "total": 10,
        "imported": 7,
        "imported_by_kind": {"sale": 6, "return": 1},
        "skipped": {"not_a_product": 2, "zero_price": 1},
    },
    "quantity": {
        "total": 40,
        "imported": 33,
        "imported_by_kind": {"sale": 35, "return": -2},
        "skipped": {"not_a_product": 3, "zero_price": 4},
    },
    "value": {
        "total": "1234.50",
        "imported": "1200.00",
        "imported_by_kind": {"sale": "1210.00", "return": "-10.00"},
        "skipped": {"not_a_product": "34.50", "zero_price": "0.00"},
    },
    "counts": {"products": 3, "collections": 1, "customers": 2, "orders": 2, "returns": 1},
}


def counts_on(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-count="(\w+)">\s*<dt>[^<]*</dt>\s*<dd>([^<]*)</dd>', html))


def import_run(shop: Shop, report: dict[str, object]) -> ImportRun:
    at = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    return ImportRun.objects.create(
        shop=shop,
        source_name="uci_sample.csv.gz",
        source_sha256="0" * 64,
        status=ImportStatus.SUCCEEDED,
        started_at=at,
        finished_at=at,
        report=report,
    )


@pytest.fixture
def shop_with_data(shop: Shop) -> Shop:
    for _ in range(3):
        ProductFactory(shop=shop)
    CollectionFactory(shop=shop)
    CustomerFactory(shop=shop)
    CustomerFactory(shop=shop)
    OrderFactory(shop=shop)
    OrderFactory(shop=shop)
    OrderFactory(shop=shop, kind="return")
    return shop


def test_home_without_a_session_redirects_to_sign_in(client, db):
    # when the admin is opened without a session
    response = client.get("/app/")
    # then the browser is sent to the sign-in page
    assert response.status_code == 302
    assert response["Location"] == "/app/sign-in/?next=/app/"


def test_home_shows_the_shop_and_its_counts(admin_client_for, shop_with_data):
    # given an admin session for the shop
    client = admin_client_for(shop_with_data)
    # when the home page is opened
    response = client.get("/app/")
    html = response.content.decode()
    # then it shows the shop, its platform and install state, and its counts
    assert response.status_code == 200
    assert '<h1 class="page__title">Alpha Gifts</h1>' in html
    assert "alpha.myshopify.com" in html
    assert '<span class="badge badge--neutral">Shopify</span>' in html
    assert '<span class="badge badge--success">Installed</span>' in html
    assert counts_on(html) == {
        "products": "3",
        "collections": "1",
        "customers": "2",
        "orders": "2",
        "returns": "1",
    }
    assert 'href="https://alpha.myshopify.com/"' in html


def test_home_never_shows_another_shops_data(admin_client_for, shop_with_data, other_shop):
    # given another shop with its own products and import
    for _ in range(5):
        ProductFactory(shop=other_shop, title="Beta Secret Vase")
    import_run(other_shop, REPORT)
    # when shop A's admin opens the home page
    html = admin_client_for(shop_with_data).get("/app/").content.decode()
    # then nothing of shop B is there: not its name, domain, counts or import
    assert "Beta Home" not in html
    assert "beta.myshopify.com" not in html
    assert counts_on(html)["products"] == "3"
    assert "No import yet." in html
    assert "uci_sample.csv.gz" not in html


def test_home_shows_the_last_imports_reconciliation(admin_client_for, shop):
    # given the shop's last import
    import_run(shop, REPORT)
    # when the home page is opened
    html = admin_client_for(shop).get("/app/").content.decode()
    rows = re.findall(
        r'<tr class="row--([\w-]+)">\s*<th scope="row">(?:<span[^>]*>[^<]*</span>)?([^<]*)</th>'
        r'\s*<td class="num">([^<]*)</td>\s*<td class="num">([^<]*)</td>'
        r'\s*<td class="num">([^<]*)</td>',
        html,
    )
    # then every row of the reconciliation is there, adding up to the file's totals
    assert rows == [
        ("imported", "Imported", "7", "33", "£1,200.00"),
        ("imported-part", "Sales", "6", "35", "£1,210.00"),
        ("imported-part", "Returns", "1", "-2", "-£10.00"),
        ("skipped", "Skipped: Not a product", "2", "3", "£34.50"),
        ("skipped", "Skipped: Zero price", "1", "4", "£0.00"),
        ("total", "Total in file", "10", "40", "£1,234.50"),
    ]
    assert '<span class="badge badge--success">Reconciled</span>' in html


def test_home_flags_a_reconciliation_that_does_not_add_up(admin_client_for, shop):
    # given a report whose parts miss a line
    broken = {**REPORT, "lines": {**REPORT["lines"], "total": 11}}
    import_run(shop, broken)
    # when the home page is opened
    html = admin_client_for(shop).get("/app/").content.decode()
    # then the mismatch is flagged
    assert '<span class="badge badge--critical">Does not add up</span>' in html


def test_demo_shop_home_links_to_the_demo_storefront(admin_client_for, db):
    # given the demo shop's admin
    demo = ShopFactory(domain=settings.DEMO_SHOP_DOMAIN, is_demo=True, name="Hearth & Twine")
    # when the home page is opened
    html = admin_client_for(demo).get("/app/").content.decode()
    # then it links to the local storefront pages
    assert '<a class="button" href="/demo/" >View storefront</a>' in html
    assert '<li><a href="/demo/collections/">Categories</a></li>' in html
    assert '<span class="badge badge--info">Demo shop</span>' in html


def test_home_loads_htmx_from_static(admin_client_for, shop):
    # when the home page is opened
    html = admin_client_for(shop).get("/app/").content.decode()
    # then htmx comes from this server, not a CDN
    assert 'src="/static/django_htmx/htmx-2.min.js"' in html
    assert "https://" not in re.sub(r'href="https://alpha\.myshopify\.com/"', "", html)


def test_counts_partial_answers_htmx_with_the_card_alone(admin_client_for, shop_with_data):
    # when htmx asks for the counts
    response = admin_client_for(shop_with_data).get("/app/partials/counts/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    # then it gets the card, without the page around it
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="counts"')
    assert "<html" not in html
    assert counts_on(html)["products"] == "3"


def test_counts_partial_without_htmx_goes_to_the_page(admin_client_for, shop):
    # when the partial's URL is opened directly
    response = admin_client_for(shop).get("/app/partials/counts/")
    # then the browser lands on the full page
    assert response.status_code == 302
    assert response["Location"] == "/app/"


def test_counts_partial_needs_a_session(client, db):
    # when the partial is asked for without a session
    response = client.get("/app/partials/counts/", HTTP_HX_REQUEST="true")
    # then it is refused, and htmx is sent to sign in (instead of swapping a page into the card)
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/app/sign-in/?next=%2Fapp%2Fpartials%2Fcounts%2F"


def test_a_session_for_a_deleted_shop_is_signed_out(admin_client_for, shop):
    # given a session whose shop is gone
    client = admin_client_for(shop)
    shop.delete()
    # when the admin is opened
    response = client.get("/app/")
    # then it asks to sign in again
    assert response.status_code == 302
    assert response["Location"] == "/app/sign-in/?next=/app/"


# --- sign in and out ---------------------------------------------------------------------------


@pytest.fixture
def demo_shop(db: None) -> Shop:
    return ShopFactory(domain=settings.DEMO_SHOP_DOMAIN, is_demo=True, name="Hearth & Twine")


def test_sign_in_page_offers_the_demo_shop(client, demo_shop, settings):
    # given the demo is enabled and loaded
    settings.DEMO_ENABLED = True
    # when the sign-in page is opened
    html = client.get("/app/sign-in/").content.decode()
    # then it has a form that posts, with CSRF, to open the demo shop
    assert '<form method="post" action="/app/sign-in/">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert ">Open the demo shop's admin</button>" in html


def test_sign_in_opens_the_demo_shops_admin(demo_shop, settings):
    # given the demo is enabled and a browser that enforces CSRF
    settings.DEMO_ENABLED = True
    browser = Client(enforce_csrf_checks=True)
    browser.get("/app/sign-in/")
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    # when the button is pressed
    response = browser.post("/app/sign-in/", {"csrfmiddlewaretoken": token})
    # then the session belongs to the demo shop and the admin opens
    assert response.status_code == 302
    assert response["Location"] == "/app/"
    assert browser.session[ADMIN_SESSION_KEY] == demo_shop.pk
    assert browser.get("/app/").status_code == 200


def test_sign_in_without_csrf_is_refused(demo_shop, settings):
    # given the demo is enabled
    settings.DEMO_ENABLED = True
    # when the form is posted without its token
    response = Client(enforce_csrf_checks=True).post("/app/sign-in/")
    # then CSRF protection refuses it
    assert response.status_code == 403


def test_sign_in_is_refused_when_the_demo_is_off(client, demo_shop, settings):
    # given the demo is disabled
    settings.DEMO_ENABLED = False
    # when the sign-in is posted, and the page opened
    refused = client.post("/app/sign-in/")
    page = client.get("/app/sign-in/").content.decode()
    # then no session is made, and the page explains where the app is opened from
    assert refused.status_code == 403
    assert ADMIN_SESSION_KEY not in client.session
    assert "Open the demo shop" not in page
    assert "in your Shopify admin" in page
    assert "WordPress" in page


def test_sign_in_without_a_loaded_demo_says_how_to_load_it(client, db, settings):
    # given the demo is enabled but not loaded
    settings.DEMO_ENABLED = True
    # when the page is opened and the sign-in posted
    page = client.get("/app/sign-in/").content.decode()
    response = client.post("/app/sign-in/")
    # then the page says what to run, and the post finds nothing to open
    assert "<code>make demo</code>" in page
    assert response.status_code == 404
    assert ADMIN_SESSION_KEY not in client.session


def test_sign_out_ends_the_session(admin_client_for, shop):
    # given a signed-in admin
    client = admin_client_for(shop)
    # when they sign out
    response = client.post("/app/sign-out/")
    # then the admin asks to sign in again
    assert response.status_code == 302
    assert response["Location"] == "/app/sign-in/"
    assert client.get("/app/").status_code == 302


def test_money_in_the_table_is_rounded_half_up(admin_client_for, shop):
    # given an import whose value has three decimals
    report = {**REPORT, "value": {**REPORT["value"], "total": "1234.505"}}
    import_run(shop, report)
    # when the page is opened
    html = admin_client_for(shop).get("/app/").content.decode()
    # then the total shows to the penny, rounded half up
    assert f"£{Decimal('1234.51'):,}" in html
