"""Price resolution (distributor → tier → base list → product) and promotions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dms.catalog import services
from dms.catalog.models import PriceList, Product, Promotion
from dms.catalog.pricing import price_for, price_lines, with_prices
from dms.catalog.selectors import explain_price
from dms.core.errors import ValidationFailed
from dms.core.testing.factories import DistributorFactory, ProductFactory, tier

pytestmark = pytest.mark.django_db
TODAY = dt.date.today


def resolved(product, distributor, day=None):
    annotated = with_prices(Product.objects.filter(pk=product.pk), distributor, day).get()
    return price_for(annotated)


def test_precedence_distributor_then_tier_then_base_list_then_product(product, distributor, make_list):
    assert resolved(product, distributor) == (Decimal("100.00"), "product")
    make_list(PriceList.Kind.BASE, {product: "95.00"})
    assert resolved(product, distributor) == (Decimal("95.00"), "base")
    make_list(PriceList.Kind.TIER, {product: "90.00"}, tier=distributor.tier)
    assert resolved(product, distributor) == (Decimal("90.00"), "tier")
    make_list(PriceList.Kind.DISTRIBUTOR, {product: "80.00"}, distributor=distributor)
    assert resolved(product, distributor) == (Decimal("80.00"), "distributor")


def test_other_tier_and_other_distributor_lists_do_not_apply(product, distributor, other_distributor, make_list):
    make_list(PriceList.Kind.TIER, {product: "70.00"}, tier=tier(2))
    make_list(PriceList.Kind.DISTRIBUTOR, {product: "60.00"}, distributor=other_distributor)
    assert resolved(product, distributor) == (Decimal("100.00"), "product")


def test_a_list_applies_only_while_active_and_effective(product, distributor, make_list):
    today = timezone.localdate()
    future = make_list(PriceList.Kind.BASE, {product: "50.00"}, valid_from=today + dt.timedelta(days=1), name="future")
    make_list(PriceList.Kind.BASE, {product: "40.00"}, valid_from=today - dt.timedelta(days=30),
              valid_to=today - dt.timedelta(days=1), name="ended")
    make_list(PriceList.Kind.BASE, {product: "30.00"}, is_active=False, name="inactive")
    assert resolved(product, distributor) == (Decimal("100.00"), "product")
    # the future list applies from its first day, and the last day of a list is included
    assert resolved(product, distributor, today + dt.timedelta(days=1)) == (Decimal("50.00"), "base")
    assert resolved(product, distributor, today - dt.timedelta(days=1)) == (Decimal("40.00"), "base")
    services.set_price_list_active(price_list_id=future.pk, active=False)
    assert resolved(product, distributor, today + dt.timedelta(days=1)) == (Decimal("100.00"), "product")


def test_within_a_level_the_latest_valid_from_wins_then_the_higher_id(product, distributor, make_list):
    today = timezone.localdate()
    make_list(PriceList.Kind.TIER, {product: "91.00"}, valid_from=today - dt.timedelta(days=5), name="newer")
    make_list(PriceList.Kind.TIER, {product: "92.00"}, valid_from=today - dt.timedelta(days=50), name="older")
    assert resolved(product, distributor) == (Decimal("91.00"), "tier")
    make_list(PriceList.Kind.TIER, {product: "93.00"}, valid_from=today - dt.timedelta(days=5), name="same day, later")
    assert resolved(product, distributor) == (Decimal("93.00"), "tier")


def test_a_list_without_the_product_falls_through_to_the_next_level(distributor, make_list):
    a, b = ProductFactory(base_price=Decimal("10.00")), ProductFactory(base_price=Decimal("20.00"))
    make_list(PriceList.Kind.DISTRIBUTOR, {a: "5.00"}, distributor=distributor)
    make_list(PriceList.Kind.BASE, {b: "18.00"})
    assert resolved(a, distributor) == (Decimal("5.00"), "distributor")
    assert resolved(b, distributor) == (Decimal("18.00"), "base")


def promo(products, rule, *, tiers=(), **values):
    now = timezone.now()
    return services.save_promotion(name=f"{rule}", rule=rule, starts_at=now - dt.timedelta(hours=1),
                                   ends_at=now + dt.timedelta(days=1), products=products, tiers=tiers, **values)


@pytest.mark.parametrize(("price", "qty", "percent", "amount"), [
    ("9.99", 3, "15", "25.47"),     # 29.97 × 0.85 = 25.4745 → 25.47
    ("0.10", 1, "5", "0.10"),       # 0.095 → 0.10 (half up)
    ("33.33", 3, "100", "0.00"),
    ("19.90", 7, "12.5", "121.89"),  # 139.30 × 0.875 = 121.8875 → 121.89
])
def test_percent_off_rounds_the_line_half_up_once(distributor, price, qty, percent, amount):
    product = ProductFactory(base_price=Decimal(price))
    promo([product], Promotion.Rule.PERCENT_OFF, value=Decimal(percent))
    line = price_lines(distributor, [(product.pk, qty)])[0]
    assert line.amount == Decimal(amount)
    assert line.discount_amount == line.gross_amount - Decimal(amount)


def test_fixed_price_lowers_but_never_raises(distributor):
    cheap, dear = ProductFactory(base_price=Decimal("5.00")), ProductFactory(base_price=Decimal("50.00"))
    promo([cheap, dear], Promotion.Rule.FIXED_PRICE, value=Decimal("8.88"))
    lines = price_lines(distributor, [(cheap.pk, 3), (dear.pk, 3)])
    assert [line.amount for line in lines] == [Decimal("15.00"), Decimal("26.64")]
    assert lines[0].promotion is None and lines[1].promotion is not None


@pytest.mark.parametrize(("qty", "paid_units"), [(10, 10), (11, 10), (21, 20), (22, 20), (33, 30)])
def test_buy_n_get_m_free(distributor, qty, paid_units):
    product = ProductFactory(base_price=Decimal("12.34"))
    promo([product], Promotion.Rule.BUY_N_GET_M, buy_quantity=10, free_quantity=1)
    line = price_lines(distributor, [(product.pk, qty)])[0]
    assert line.amount == Decimal("12.34") * paid_units


def test_the_cheapest_promotion_wins_and_applies_to_the_resolved_price(distributor, make_list):
    product = ProductFactory(base_price=Decimal("100.00"))
    make_list(PriceList.Kind.DISTRIBUTOR, {product: "80.00"}, distributor=distributor)
    promo([product], Promotion.Rule.PERCENT_OFF, value=Decimal("10"))       # 72.00
    best = promo([product], Promotion.Rule.FIXED_PRICE, value=Decimal("70"))  # 70.00
    line = price_lines(distributor, [(product.pk, 1)])[0]
    assert (line.unit_price, line.price_source, line.amount, line.promotion) == (
        Decimal("80.00"), "distributor", Decimal("70.00"), best)


def test_tier_limited_promotion_and_period(distributor):
    product = ProductFactory(base_price=Decimal("10.00"))
    promo([product], Promotion.Rule.PERCENT_OFF, value=Decimal("50"), tiers=[tier(2)])
    now = timezone.now()
    services.save_promotion(name="ended", rule=Promotion.Rule.PERCENT_OFF, value=Decimal("40"),
                            starts_at=now - dt.timedelta(days=3), ends_at=now - dt.timedelta(days=1), products=[product])
    line = price_lines(distributor, [(product.pk, 2)])[0]
    assert line.amount == Decimal("20.00") and line.promotion is None
    second_tier = DistributorFactory(tier=tier(2), parent=distributor)
    assert price_lines(second_tier, [(product.pk, 2)])[0].amount == Decimal("10.00")


def test_discontinued_products_and_quantity_rules_are_refused(distributor):
    product = ProductFactory(moq=6, multiple=3)
    with pytest.raises(ValidationFailed) as exc:
        price_lines(distributor, [(product.pk, 3)])
    assert "lines[0].quantity" in exc.value.fields
    services.set_product_status(product_id=product.pk, status=Product.Status.DISCONTINUED)
    with pytest.raises(ValidationFailed) as exc:
        price_lines(distributor, [(product.pk, 6)])
    assert "lines[0].product" in exc.value.fields


def test_explain_price_names_the_level_and_the_overridden_lists(product, distributor, make_list):
    make_list(PriceList.Kind.BASE, {product: "95.00"}, name="base list")
    old = make_list(PriceList.Kind.TIER, {product: "91.00"}, valid_from=timezone.localdate() - dt.timedelta(days=40),
                    name="old tier list")
    new = make_list(PriceList.Kind.TIER, {product: "89.00"}, name="new tier list")
    promo([product], Promotion.Rule.PERCENT_OFF, value=Decimal("10"))
    result = explain_price(distributor, product, quantity=2)
    assert (result["price"], result["source"]) == (Decimal("89.00"), "tier")
    tier_level = next(level for level in result["levels"] if level.source == "tier")
    assert tier_level.applies and [i.price_list for i in tier_level.candidates] == [new, old]
    assert result["gross"] == Decimal("178.00") and result["net"] == Decimal("160.20")
