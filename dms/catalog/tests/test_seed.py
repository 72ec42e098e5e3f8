"""The demo catalogue command: idempotent, and its stock agrees with the ledger."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from dms.catalog.models import PriceList, PriceListItem, Product, Promotion
from dms.catalog.pricing import price_lines
from dms.distributors.models import Distributor
from dms.inventory.models import LowStockAlert, ReorderRule, StockLevel, StockMove, Warehouse

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Product, PriceList, PriceListItem, Promotion, Warehouse, StockLevel,
                                        StockMove, ReorderRule, LowStockAlert)]


def test_seed_catalog_demo_runs_twice_and_stock_matches_the_ledger():
    call_command("seed_demo", quiet=True)
    call_command("seed_catalog_demo", quiet=True)
    first = counts()
    call_command("seed_catalog_demo", quiet=True)
    assert counts() == first

    assert 55 <= Product.objects.count() <= 65
    assert set(PriceList.objects.values_list("kind", flat=True)) == {"base", "tier", "distributor"}
    assert PriceList.objects.filter(kind="distributor").count() == 2
    assert sorted(Promotion.objects.values_list("rule", flat=True)) == ["buy_n_get_m", "fixed_price", "percent_off"]
    assert Warehouse.objects.filter(is_default=True).get().name == "华南仓"
    assert ReorderRule.objects.filter(warehouse__code="HN01").count() >= 18
    assert LowStockAlert.objects.filter(resolved_at__isnull=True).count() >= 3

    sums = {(r["warehouse_id"], r["product_id"]): (r["on"], r["res"]) for r in StockMove.objects.values(
        "warehouse_id", "product_id").annotate(on=Sum("on_hand_delta"), res=Sum("reserved_delta"))}
    levels = {(lv.warehouse_id, lv.product_id): (lv.on_hand, lv.reserved) for lv in StockLevel.objects.all()}
    assert levels == sums and all(on > 0 for on, _res in levels.values())

    # the demo prices resolve: a first-tier distributor with its own list pays less than the base price
    special = PriceList.objects.filter(kind="distributor").first()
    item = special.items.select_related("product").first()
    line = price_lines(Distributor.objects.get(pk=special.distributor_id), [(item.product_id, item.product.moq)])[0]
    assert (line.unit_price, line.price_source) == (item.price, "distributor")
    assert line.unit_price < item.product.base_price
