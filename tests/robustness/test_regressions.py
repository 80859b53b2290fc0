"""One assertion per 500 the bad-input sweep found, fixed at its source."""

from __future__ import annotations

import pytest
from django.test import Client

from shopapp.shops.models import Shop

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/api/v1/campaigns/interactions", "/api/v1/campaigns/offer", "/api/v1/preferences"]
)
def test_a_bad_key_with_a_format_override_is_a_4xx_not_a_500(path: str, shop: Shop) -> None:
    # `?format=` is refused before authentication; reading the credential afterwards used to
    # re-raise the bad key inside finalize_response.
    response = Client(HTTP_X_STOREFRONT_KEY="garbage", HTTP_ORIGIN="https://x.example").get(
        f"{path}?format=zz"
    )
    assert 400 <= response.status_code < 500
    assert response.content


@pytest.mark.parametrize("path", ["/app/merchandising/rules/", "/app/merchandising/synonyms/"])
def test_get_on_a_create_only_admin_route_is_405(path: str, shop: Shop, admin_client_for) -> None:  # type: ignore[no-untyped-def]
    response = admin_client_for(shop).get(path)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


@pytest.mark.parametrize("path", ["/app/ugc/7/tags/", "/app/ugc/removals/7/"])
def test_get_on_a_post_only_ugc_route_is_405(path: str, shop: Shop, admin_client_for) -> None:  # type: ignore[no-untyped-def]
    # The page GET these views inherit takes no id: it used to be a TypeError (500).
    response = admin_client_for(shop).get(path)
    assert response.status_code == 405
