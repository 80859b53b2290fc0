"""An erased customer leaves nothing in the personal models (privacy.customer_erase)."""

from __future__ import annotations

import pytest

from personalization.privacy.services import customer_erase, customer_export
from personalization.recommendations import selectors
from personalization.recommendations.models import TrainedModel
from personalization.recommendations.tasks import models_train_shop
from shopapp.catalog.models import Customer


def train(shop) -> None:
    models_train_shop.delay(shop.pk).get()
    selectors.forget()


@pytest.mark.django_db
def test_erasing_a_customer_drops_their_buy_again_and_for_you_rows(shop, store):
    # given two trained versions, both holding the regular's repeat buys
    train(shop)
    train(shop)
    regular = Customer.objects.get(shop=shop, platform_id="regular")
    key = str(regular.pk)
    exported = customer_export(shop=shop, customer=regular).result["recommendations"]
    assert exported["buy_again"][0] == "c3"
    assert exported["for_you"]
    assert selectors.shop_models(shop=shop).source("buy_again")(key, 3)  # loaded in this process

    # when the customer is erased
    request = customer_erase(shop=shop, customer=regular)

    # then every stored version of both personal tables lost the row, and this process no
    # longer serves it (without being told to forget)
    assert request.result["model_rows"] == 4
    for model in TrainedModel.objects.filter(shop=shop, kind__in=("buy_again", "for_you")):
        assert key not in model.row_ids
    models = selectors.shop_models(shop=shop)
    assert models.source("buy_again")(key, 3) == []
    assert models.source("for_you")(key, 3) == []
    other = Customer.objects.get(shop=shop, platform_id="crowd-1")
    assert models.source("for_you")(str(other.pk), 3)
