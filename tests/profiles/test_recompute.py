from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from personalization.engine import propensity
from personalization.engine.orders import OrderHistory
from personalization.profiles.models import Profile, ProfileSettings, ScoreModel
from personalization.profiles.recompute import profiles_recompute
from personalization.segments.models import Segment
from personalization.segments.services import segments_refresh
from shopapp.catalog.models import Order
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, ProductFactory

END = datetime(2024, 12, 31, tzinfo=UTC)
DAY = 86400.0


def order(
    shop, customer, day: int, product, quantity: int = 1, price: str = "10.00", kind: str = "sale"
):
    at = END - timedelta(days=day)
    o = OrderFactory(
        shop=shop,
        customer=customer,
        platform_created_at=at,
        kind=kind,
        total=Decimal(price) * quantity * (-1 if kind == "return" else 1),
    )
    OrderLineFactory(
        shop=shop,
        order=o,
        product=product,
        quantity=quantity * (-1 if kind == "return" else 1),
        unit_price=Decimal(price),
    )
    return o


@pytest.fixture
def store(shop):
    candle = ProductFactory(shop=shop, product_type="Candles & Lights", price_min=Decimal("12"))
    mug = ProductFactory(shop=shop, product_type="Kitchen & Dining", price_min=Decimal("4"))
    people = {}
    # 40 regular customers: an order every 20-60 days through the year, some stopping early
    for i in range(40):
        customer = CustomerFactory(shop=shop, platform_id=f"c{i}", country="United Kingdom")
        gap = 20 + (i % 5) * 10
        stop = 200 if i % 4 == 0 else 0  # every fourth stopped ordering 200 days ago
        for day in range(360, stop, -gap):
            order(shop, customer, day, candle if i % 2 else mug)
        people[f"c{i}"] = customer
    whale = CustomerFactory(shop=shop, platform_id="whale")
    for day in range(300, 0, -15):
        order(shop, whale, day, candle, quantity=20, price="12.00")
    newbie = CustomerFactory(shop=shop, platform_id="newbie")
    order(shop, newbie, 0, mug)
    returner = CustomerFactory(shop=shop, platform_id="returner")
    order(shop, returner, 50, candle, quantity=2)
    order(shop, returner, 40, candle, quantity=2, kind="return")
    people.update(whale=whale, newbie=newbie, returner=returner)
    return {"people": people, "candle": candle, "mug": mug}


@pytest.mark.django_db
def test_recompute_builds_every_customer_profile(shop, store):
    report = profiles_recompute(shop=shop, retrain=True, now=END.timestamp())
    people = store["people"]
    profile = {
        p.customer.platform_id: p
        for p in Profile.objects.filter(shop=shop).select_related("customer")
    }
    assert report.customers == 43
    assert len(profile) == 43
    # lifecycle: the big spender is a VIP, a one-order customer is first-time, a stopper is lapsed
    assert profile["whale"].lifecycle == "vip"
    assert profile["whale"].is_vip is True
    assert profile["newbie"].lifecycle == "first_time_customer"
    assert profile["c0"].lifecycle == "lapsed"
    assert profile["c1"].lifecycle in ("repeat_customer", "vip")
    # a return does not count as an order, and takes its value off monetary
    assert profile["returner"].orders_count == 1
    assert profile["returner"].monetary == 0.0
    # RFM: the whale has top frequency and monetary scores
    assert (profile["whale"].rfm_f, profile["whale"].rfm_m) == (5, 5)
    # purchase affinities: odd customers bought candles
    assert (
        max(profile["c1"].affinities["category"]["raw"].items(), key=lambda kv: kv[1])[0]
        == "Candles & Lights"
    )
    assert (
        max(profile["c2"].affinities["category"]["raw"].items(), key=lambda kv: kv[1])[0]
        == "Kitchen & Dining"
    )
    # learned scores: an active regular is likelier to buy, and less likely to churn, than a stopper
    assert 0 < profile["c0"].propensity < profile["c1"].propensity < 1
    assert profile["c0"].churn_risk > profile["c1"].churn_risk
    models = {m.kind: m for m in ScoreModel.objects.filter(shop=shop, is_current=True)}
    assert set(models) == {"purchase_30d", "churn_90d", "clusters"}
    assert 0.0 <= models["purchase_30d"].report["auc"] <= 1.0
    assert "baseline_recency_auc" in models["purchase_30d"].report
    assert report.vip_bar == ProfileSettings.objects.get(shop=shop).vip_bar
    assert people["c1"].pk == profile["c1"].customer_id
    # clusters became segments with readable descriptions
    clusters = Segment.objects.filter(shop=shop, kind="cluster", is_active=True)
    assert clusters.count() == len(report.clusters) >= 2
    assert all(" buyers" in s.description for s in clusters)


@pytest.mark.django_db
def test_recompute_keeps_live_behaviour_and_cluster_ids_are_stable(shop, store):
    profiles_recompute(shop=shop, retrain=True, now=END.timestamp())
    whale = Profile.objects.get(shop=shop, customer__platform_id="whale")
    whale.recent_events = {"product_view": [END.timestamp() - 60]}
    whale.recently_viewed = [store["mug"].pk]
    whale.save()
    first_keys = dict(
        Profile.objects.filter(shop=shop).values_list("customer__platform_id", "cluster_key")
    )
    profiles_recompute(shop=shop, now=END.timestamp())
    whale.refresh_from_db()
    assert whale.recently_viewed == [store["mug"].pk]
    assert whale.recent_events == {"product_view": [END.timestamp() - 60]}
    second_keys = dict(
        Profile.objects.filter(shop=shop).values_list("customer__platform_id", "cluster_key")
    )
    assert second_keys == first_keys


@pytest.mark.django_db
def test_segment_refresh_counts_match_the_profiles(shop, store):
    profiles_recompute(shop=shop, retrain=True, now=END.timestamp())
    sizes = segments_refresh(shop=shop, now=END.timestamp())
    lifecycles = list(Profile.objects.filter(shop=shop).values_list("lifecycle", flat=True))
    assert sizes["lapsed"] == lifecycles.count("lapsed")
    assert sizes["vip"] == Profile.objects.filter(shop=shop, is_vip=True).count()
    assert (
        sizes["first_time_customer"]
        == Profile.objects.filter(shop=shop, orders_count=1).exclude(lifecycle="lapsed").count()
    )
    assert Segment.objects.get(shop=shop, key="lapsed").size == sizes["lapsed"]
    assert (
        sum(v for k, v in sizes.items() if k.startswith("cluster-"))
        == Profile.objects.filter(shop=shop, orders_count__gt=0).count()
    )


@pytest.mark.django_db
def test_a_shop_with_little_history_still_gets_profiles_without_scores(shop):
    product = ProductFactory(shop=shop)
    customer = CustomerFactory(shop=shop)
    order(shop, customer, 2, product)
    report = profiles_recompute(shop=shop, now=END.timestamp())
    profile = Profile.objects.get(shop=shop, customer=customer)
    assert profile.lifecycle == "first_time_customer"
    assert profile.propensity is None
    assert report.models["purchase_30d"] == "not enough history to train"


@pytest.mark.django_db
def test_a_stored_model_of_an_older_version_is_retrained_not_used(shop, store):
    # given a current, fresh purchase model stored by the previous model version
    profiles_recompute(shop=shop, retrain=True, now=END.timestamp())
    old = ScoreModel.objects.get(shop=shop, kind="purchase_30d", is_current=True)
    old.params = {**old.params, "version": 1, "feature_names": old.params["feature_names"][:13]}
    old.save()
    # when the nightly recompute runs without asking for a retrain
    profiles_recompute(shop=shop, now=END.timestamp())
    # then it trained a current model of this version instead of failing or scoring with it
    current = ScoreModel.objects.get(shop=shop, kind="purchase_30d", is_current=True)
    assert current.version == old.version + 1
    assert current.params["version"] == propensity.MODEL_VERSION
    assert Profile.objects.get(shop=shop, customer__platform_id="c1").propensity is not None


@pytest.mark.django_db
def test_the_database_path_reports_what_the_engine_reports_on_the_same_orders(shop, store):
    # given the fixture's orders, odd customers' with a second line (basket size varies), as
    # plain columns built here from the rows
    for o in Order.objects.filter(shop=shop, customer__platform_id__in=["c1", "c3", "c5", "c7"]):
        OrderLineFactory(shop=shop, order=o, product=store["mug"], quantity=1)
    customers = sorted(store["people"].values(), key=lambda c: c.pk)
    position = {c.pk: i for i, c in enumerate(customers)}
    orders = list(Order.objects.filter(shop=shop).prefetch_related("lines"))
    history = OrderHistory.from_columns(
        [position[o.customer_id] for o in orders],
        [o.platform_created_at.timestamp() for o in orders],
        [float(o.total) for o in orders],
        len(customers),
        is_return=[o.kind == "return" for o in orders],
        order_items=[len(o.lines.all()) for o in orders],
    )
    now = END.timestamp()
    _, engine = propensity.train_and_evaluate(
        "purchase_30d", history, t1=now - 2 * propensity.HORIZON_DAYS["purchase_30d"] * DAY
    )
    # when the nightly recompute trains from the database
    profiles_recompute(shop=shop, retrain=True, now=now)
    # then its stored held-out report is the engine's, number for number
    stored = ScoreModel.objects.get(shop=shop, kind="purchase_30d", is_current=True).report
    assert stored["customers"] == engine.customers
    assert stored["auc"] == pytest.approx(engine.auc, abs=1e-12)
    assert stored["baseline_recency_auc"] == pytest.approx(engine.baseline_recency_auc, abs=1e-12)
    assert stored["brier"] == pytest.approx(engine.brier, abs=1e-12)


@pytest.mark.django_db
def test_a_second_recompute_rewrites_existing_profiles(shop, store, other_shop):
    # given profiles that drifted since the last run, and another shop's profile
    profiles_recompute(shop=shop, retrain=True, now=END.timestamp())
    whale = Profile.objects.get(shop=shop, customer__platform_id="whale")
    expected = (whale.lifecycle, whale.orders_count, whale.propensity, whale.affinities)
    Profile.objects.filter(pk=whale.pk).update(
        lifecycle="lapsed", orders_count=0, propensity=None, affinities={}
    )
    foreign = Profile.objects.create(
        shop=other_shop,
        customer=CustomerFactory(shop=other_shop, platform_id="whale"),
        lifecycle="lapsed",
    )
    before_second_run = timezone.now()
    # when the nightly run updates them (the batched UPDATE on PostgreSQL)
    profiles_recompute(shop=shop, now=END.timestamp())
    # then every recomputed field is back, and the other shop's row is untouched
    whale.refresh_from_db()
    assert (whale.lifecycle, whale.orders_count, whale.propensity, whale.affinities) == expected
    assert whale.updated_at >= before_second_run
    foreign.refresh_from_db()
    assert foreign.lifecycle == "lapsed"
