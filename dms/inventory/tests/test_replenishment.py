"""Low-stock warnings and replenishment suggestions (evaluate_stock), the event-driven
path from an order, the daily safety-net job and the check_stock command."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dms.core.testing.factories import ProductFactory, default_warehouse, stock
from dms.inventory import services
from dms.inventory.models import LowStockAlert, ReorderRule, ReplenishmentSuggestion, StockLevel, StockMove
from dms.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Suggestion reasons are written in the active language; these tests read them in English."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def wh():
    return default_warehouse()


@pytest.fixture
def product():
    return ProductFactory(sku="MILK-1")


def rule(wh, product, **kwargs):
    values = {"reorder_point": 10, "safety_stock": 2, "target_level": 50, "lead_time_days": 5, "velocity_days": 10}
    return ReorderRule.objects.create(warehouse=wh, product=product, **{**values, **kwargs})


def evaluate(wh, product, today=None):
    services.evaluate_stock([(wh.pk, product.pk)], today=today)


def alerts(product):
    return list(LowStockAlert.objects.filter(product=product).order_by("raised_at", "pk"))


def test_alert_raised_once_resolved_and_raised_again(wh, product):
    stock(product, 20, wh)
    rule(wh, product)
    evaluate(wh, product)
    assert alerts(product) == []
    services.adjust_stock(warehouse=wh, product_id=product.pk, quantity=-12, reason="damaged")  # 8 < 10
    evaluate(wh, product)
    evaluate(wh, product)
    services.adjust_stock(warehouse=wh, product_id=product.pk, quantity=-1, reason="damaged")  # still below
    evaluate(wh, product)
    [first] = alerts(product)
    assert (first.available, first.reorder_point, first.resolved_at) == (8, 10, None)
    services.record_receipt(warehouse=wh, lines={product.pk: 3})  # 10: back at the point
    evaluate(wh, product)
    first.refresh_from_db()
    assert first.resolved_at is not None
    services.adjust_stock(warehouse=wh, product_id=product.pk, quantity=-4, reason="damaged")  # 6
    evaluate(wh, product)
    assert [(a.available, a.resolved_at is None) for a in alerts(product)] == [(8, False), (6, True)]


def test_alert_notifies_the_warehouse_team(wh, product, make_staff, channel_manager,
                                           django_capture_on_commit_callbacks):
    keeper = make_staff("warehouse", username="keeper")
    stock(product, 5, wh)
    rule(wh, product)
    with django_capture_on_commit_callbacks(execute=True):
        evaluate(wh, product)
    note = Notification.objects.get(user=keeper)
    assert "MILK-1" in note.title and note.url == "/backoffice/inventory/alerts/"
    assert not Notification.objects.filter(user=channel_manager).exists()


def test_one_open_suggestion_with_its_reason_and_refreshed_not_duplicated(wh, product):
    stock(product, 9, wh)
    rule(wh, product)
    evaluate(wh, product)
    evaluate(wh, product)
    [s] = ReplenishmentSuggestion.objects.filter(product=product)
    assert (s.status, s.available, s.quantity, s.daily_velocity, s.stockout_date) == ("open", 9, 41, Decimal("0"),
                                                                                       None)
    assert "Available 9" in s.reason and "reorder point 10" in s.reason
    services.adjust_stock(warehouse=wh, product_id=product.pk, quantity=-4, reason="x")
    evaluate(wh, product)
    [s] = ReplenishmentSuggestion.objects.filter(product=product)
    assert (s.available, s.quantity) == (5, 45)
    services.close_suggestion(suggestion_id=s.pk, status="ordered", actor=None)
    evaluate(wh, product)  # still low: a new suggestion, the ordered one stays
    assert list(ReplenishmentSuggestion.objects.filter(product=product).order_by("pk")
                .values_list("status", flat=True)) == ["ordered", "open"]


def test_velocity_gives_the_stockout_date_and_triggers_before_the_point(wh, product, distributor):
    """30 units reserved over the 10-day window: 3 a day. 5 days' lead time means 15
    units of demand; with safety stock 2 the suggestion triggers at 17 although the
    reorder point is 10; 18 available lasts 6 days."""
    from django.db import transaction

    stock(product, 48, wh)
    rule(wh, product)
    with transaction.atomic():
        services.reserve(warehouse_id=wh.pk, lines={product.pk: 30}, reference="SO1")
    StockMove.objects.filter(kind="reservation").update(created_at=timezone.now() - dt.timedelta(days=3))
    today = timezone.localdate()
    evaluate(wh, product, today)
    assert alerts(product) == []  # 18 ≥ 10
    assert not ReplenishmentSuggestion.objects.exists()  # 18 > 17
    services.adjust_stock(warehouse=wh, product_id=product.pk, quantity=-1, reason="x")  # 17 available
    evaluate(wh, product, today)
    s = ReplenishmentSuggestion.objects.get()
    assert s.daily_velocity == Decimal("3.00")
    assert s.stockout_date == today + dt.timedelta(days=5)  # 17 / 3 = 5.67 → 5 whole days
    assert s.quantity == 50 - 17 + 15
    assert "3.00/day over 10 days" in s.reason


def test_old_sales_fall_out_of_the_window(wh, product):
    from django.db import transaction

    stock(product, 40, wh)
    rule(wh, product)
    with transaction.atomic():
        services.reserve(warehouse_id=wh.pk, lines={product.pk: 35}, reference="SO1")
    StockMove.objects.filter(kind="reservation").update(created_at=timezone.now() - dt.timedelta(days=11))
    assert services.daily_velocity(wh.pk, product.pk, 10) == Decimal("0.00")


def test_switched_off_rule_is_not_evaluated(wh, product):
    stock(product, 1, wh)
    r = rule(wh, product, is_active=False)
    evaluate(wh, product)
    assert alerts(product) == [] and not ReplenishmentSuggestion.objects.exists()
    services.set_reorder_rule_active(rule_id=r.pk, active=True)
    evaluate(wh, product)
    assert len(alerts(product)) == 1


def test_rule_validation(wh, product):
    from dms.core.errors import ValidationFailed

    base = {"reorder_point": 10, "safety_stock": 2, "target_level": 50, "lead_time_days": 5, "velocity_days": 10}
    for bad in ({"target_level": 9}, {"safety_stock": 11}, {"velocity_days": 0}, {"reorder_point": -1}):
        with pytest.raises(ValidationFailed):
            services.create_reorder_rule(warehouse=wh, product_id=product.pk, **{**base, **bad})
    assert not ReorderRule.objects.exists()
    services.create_reorder_rule(warehouse=wh, product_id=product.pk, **base)
    with pytest.raises(ValidationFailed):
        services.create_reorder_rule(warehouse=wh, product_id=product.pk, **base)


@pytest.mark.django_db(transaction=True)
def test_an_order_crossing_the_reorder_point_raises_the_warning(distributor, dist_admin):
    """The event-driven path: the reservation made when the order is submitted queues
    the evaluation after commit; no job has to run."""
    from dms.orders.services import create_order

    wh = default_warehouse()
    product = ProductFactory(sku="HOT-1")
    stock(product, 12, wh)
    rule(wh, product)
    create_order(distributor=distributor, actor=dist_admin, submit=True,
                 lines=[{"product": product.pk, "quantity": 1}])
    assert not LowStockAlert.objects.exists()  # 11 ≥ 10
    create_order(distributor=distributor, actor=dist_admin, submit=True,
                 lines=[{"product": product.pk, "quantity": 3}])
    level = StockLevel.objects.get(product=product)
    assert (level.on_hand, level.reserved) == (12, 4)
    alert = LowStockAlert.objects.get(product=product)
    assert (alert.available, alert.resolved_at) == (8, None)
    assert ReplenishmentSuggestion.objects.filter(product=product, status="open").count() == 1


def test_daily_job_reevaluates_every_active_rule(wh, product):
    from dms.notifications.jobs import run_all

    other = ProductFactory()
    stock(product, 3, wh)
    stock(other, 100, wh)
    rule(wh, product)
    rule(wh, other)
    assert run_all(only=["inventory_reorder_check"]) == {"inventory_reorder_check": 2}
    assert [a.product_id for a in LowStockAlert.objects.all()] == [product.pk]
    run_all(only=["inventory_reorder_check"])
    assert LowStockAlert.objects.count() == 1


def test_check_stock_passes_when_levels_equal_the_ledger(wh, product):
    stock(product, 5, wh)
    out = StringIO()
    call_command("check_stock", stdout=out)
    assert "OK: 1 stock levels match the ledger." in out.getvalue()


def test_check_stock_fails_listing_differences(wh, product):
    stock(product, 5, wh)
    StockLevel.objects.filter(product=product).update(on_hand=7)  # a write that bypassed the services
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("check_stock", stderr=err)
    assert exc.value.returncode == 1
    assert f"{wh.code}\tMILK-1\t7\t5\t0\t0" in err.getvalue()


def test_suggestion_closes_itself_once_stock_is_back_at_the_target(wh, product):
    stock(product, 5, wh)
    rule(wh, product)
    evaluate(wh, product)
    s = ReplenishmentSuggestion.objects.get()
    services.record_receipt(warehouse=wh, lines={product.pk: 20})  # 25: above the trigger, below the target
    evaluate(wh, product)
    s.refresh_from_db()
    assert s.status == "open"
    services.record_receipt(warehouse=wh, lines={product.pk: 25})  # 50: the target
    evaluate(wh, product)
    s.refresh_from_db()
    assert (s.status, s.closed_by) == ("dismissed", None)
    evaluate(wh, product)
    assert ReplenishmentSuggestion.objects.count() == 1
