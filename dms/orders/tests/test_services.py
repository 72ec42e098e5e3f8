import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from dms.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from dms.core.testing.factories import ProductFactory, stock
from dms.inventory.models import StockLevel, StockMove
from dms.inventory.services import InsufficientStock
from dms.orders import services
from dms.orders.models import ApprovalStep, Order, OrderEvent

pytestmark = pytest.mark.django_db


def test_submitted_order_is_auto_approved_and_reserves(distributor, dist_admin):
    p1, p2 = ProductFactory(), ProductFactory(base_price=Decimal("12.50"))
    stock(p1, 10)
    stock(p2, 10)
    order = services.create_order(distributor=distributor, actor=dist_admin, submit=True,
                                  lines=[{"product": p1.pk, "quantity": 3}, {"product": p2.pk, "quantity": 2}])
    order.refresh_from_db()
    assert order.status == Order.Status.APPROVED
    assert order.number.startswith("SO")
    assert order.total_amount == Decimal("325.00")
    level = StockLevel.objects.get(product=p1)
    assert (level.on_hand, level.reserved) == (10, 3)
    assert StockMove.objects.filter(kind="reservation").count() == 2


def test_short_stock_is_refused_and_writes_nothing(distributor, dist_admin):
    p1 = ProductFactory()
    stock(p1, 2)
    with pytest.raises(InsufficientStock) as err:
        services.create_order(distributor=distributor, actor=dist_admin, submit=True,
                              lines=[{"product": p1.pk, "quantity": 3}])
    assert err.value.short[0]["available"] == 2
    assert not Order.objects.exists()
    assert StockLevel.objects.get(product=p1).reserved == 0


def test_idempotency_key_replays(distributor, dist_admin):
    p1 = ProductFactory()
    stock(p1, 10)
    kwargs = dict(distributor=distributor, actor=dist_admin, submit=True, lines=[{"product": p1.pk, "quantity": 1}],
                  idempotency_key="k1", request_hash="h")
    first = services.create_order(**kwargs)
    second = services.create_order(**kwargs)
    assert first.pk == second.pk and second.replayed
    with pytest.raises(services.IdempotencyMismatch):
        services.create_order(**{**kwargs, "request_hash": "other"})
    assert Order.objects.count() == 1


# --- transitions --------------------------------------------------------------------

S = Order.Status


def reserved(product):
    return StockLevel.objects.get(product=product).reserved


def test_draft_submits_and_can_be_cancelled(distributor, place, goods, admin_user):
    draft = place(distributor, 5, submit=False)
    assert draft.status == S.DRAFT and reserved(goods[0]) == 0
    services.submit_order(order_id=draft.pk, actor=admin_user)
    draft.refresh_from_db()
    assert draft.status == S.APPROVED and reserved(goods[0]) == 5
    other = place(distributor, 1, submit=False)
    services.cancel_order(order_id=other.pk, actor=admin_user, reason="不要了")
    other.refresh_from_db()
    assert other.status == S.CANCELLED


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_a_draft_cannot_be_approved_or_rejected(distributor, place, admin_user, action):
    draft = place(distributor, 1, submit=False)
    with pytest.raises(InvalidTransition):
        if action == "approve":
            services.approve_order(order_id=draft.pk, actor=admin_user)
        else:
            services.reject_order(order_id=draft.pk, actor=admin_user, reason="x")
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_final_statuses_refuse_every_change(distributor, place, admin_user):
    rejected = place(distributor, 1, submit=False)
    services.cancel_order(order_id=rejected.pk, actor=admin_user, reason="x")
    for call in (lambda: services.submit_order(order_id=rejected.pk, actor=admin_user),
                 lambda: services.approve_order(order_id=rejected.pk, actor=admin_user),
                 lambda: services.reject_order(order_id=rejected.pk, actor=admin_user, reason="x")):
        with pytest.raises(InvalidTransition):
            call()
    with pytest.raises(InvalidTransition):
        services.update_order_lines(order_id=rejected.pk, actor=admin_user, lines=[])


def test_an_approved_order_cannot_be_rejected_and_keeps_its_stock(distributor, place, goods, admin_user):
    order = place(distributor, 4)
    assert order.status == S.APPROVED
    with pytest.raises(InvalidTransition):
        services.reject_order(order_id=order.pk, actor=admin_user, reason="too late")
    order.refresh_from_db()
    assert order.status == S.APPROVED and reserved(goods[0]) == 4
    assert not StockMove.objects.filter(kind="release").exists()


def test_distributor_may_cancel_only_before_approval(distributor, dist_admin, place, review_all, admin_user):
    approved = place(distributor, 1, 1)
    services.approve_order(order_id=approved.pk, actor=admin_user)
    services.approve_order(order_id=approved.pk, actor=admin_user)
    approved.refresh_from_db()
    assert approved.status == S.APPROVED
    with pytest.raises(InvalidTransition):
        services.cancel_order(order_id=approved.pk, actor=dist_admin)
    waiting = place(distributor, 1)
    assert waiting.status == S.SUBMITTED
    services.cancel_order(order_id=waiting.pk, actor=dist_admin)
    waiting.refresh_from_db()
    assert waiting.status == S.CANCELLED


def test_shipped_orders_cannot_be_cancelled(distributor, place, goods, ship, admin_user):
    order = place(distributor, 4, 2)
    ship(order, {goods[0].pk: 4})
    assert order.status == S.PARTIALLY_SHIPPED
    with pytest.raises(InvalidTransition):
        services.cancel_order(order_id=order.pk, actor=admin_user, reason="x")
    ship(order)
    assert order.status == S.SHIPPED
    with pytest.raises(InvalidTransition):
        services.cancel_order(order_id=order.pk, actor=admin_user, reason="x")
    assert StockLevel.objects.get(product=goods[0]).on_hand == 96


# --- review pipeline ---------------------------------------------------------------------

def test_order_above_the_auto_approval_limit_waits_for_review(distributor, settings, place):
    settings.ORDER_AUTO_APPROVE_LIMIT = Decimal("100.00")
    small = place(distributor, 10)  # 10 × 10.00 = 100.00: within the limit
    assert small.status == S.APPROVED and small.current_step is None
    big = place(distributor, 11)
    assert big.status == S.SUBMITTED
    assert big.current_step.code == "order_review"
    assert reserved(Order.objects.get(pk=big.pk).lines.get().product) == 21  # reserved at submission


def test_pipeline_walk_checks_each_steps_role(distributor, place, review_all, make_staff):
    ops, finance = make_staff("sales_ops"), make_staff("finance")
    order = place(distributor, 1)
    with pytest.raises(NotAllowed):
        services.approve_order(order_id=order.pk, actor=finance)  # finance cannot pass the order review
    services.approve_order(order_id=order.pk, actor=ops)
    order.refresh_from_db()
    assert (order.status, order.current_step.code) == (S.SUBMITTED, "finance_review")
    with pytest.raises(NotAllowed):
        services.approve_order(order_id=order.pk, actor=ops)
    services.approve_order(order_id=order.pk, actor=finance)
    order.refresh_from_db()
    assert order.status == S.APPROVED and order.current_step is None and order.approved_at
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds.count(OrderEvent.Kind.STEP) == 2


def test_disabled_steps_are_skipped(distributor, place, review_all, make_staff):
    ApprovalStep.objects.filter(code="finance_review").update(enabled=False)
    ApprovalStep.objects.filter(code="warehouse_review").update(enabled=True)
    order = place(distributor, 1)
    services.approve_order(order_id=order.pk, actor=make_staff("sales_ops"))
    order.refresh_from_db()
    assert order.current_step.code == "warehouse_review"
    services.approve_order(order_id=order.pk, actor=make_staff("warehouse"))
    order.refresh_from_db()
    assert order.status == S.APPROVED


def test_no_enabled_step_approves_at_once(distributor, place, review_all):
    ApprovalStep.objects.update(enabled=False)
    order = place(distributor, 1)
    assert order.status == S.APPROVED


def test_distributor_users_and_strangers_cannot_review(distributor, dist_admin, place, review_all, make_staff):
    order = place(distributor, 1)
    for actor in (dist_admin, make_staff("channel_manager")):
        with pytest.raises(NotAllowed):
            services.approve_order(order_id=order.pk, actor=actor)
        with pytest.raises(NotAllowed):
            services.reject_order(order_id=order.pk, actor=actor, reason="no")


def test_bulk_approval_reports_each_failure(distributor, place, review_all, make_staff):
    ops = make_staff("sales_ops")
    first, second = place(distributor, 1), place(distributor, 1)
    services.cancel_order(order_id=second.pk, actor=ops, reason="x")
    done, failed = services.approve_orders(order_ids=[first.pk, second.pk], actor=ops)
    assert [o.pk for o in done] == [first.pk]
    assert list(failed) == [second.pk]


# --- stock held and released -------------------------------------------------------------

def test_reject_releases_stock_through_the_ledger(distributor, place, goods, review_all, make_staff):
    order = place(distributor, 3, 2)
    assert reserved(goods[0]) == 3
    with pytest.raises(ValidationFailed):
        services.reject_order(order_id=order.pk, actor=make_staff("sales_ops"), reason=" ")
    services.reject_order(order_id=order.pk, actor=make_staff("sales_ops"), reason="价格有误")
    order.refresh_from_db()
    assert order.status == S.REJECTED and order.status_reason == "价格有误"
    assert reserved(goods[0]) == 0 and reserved(goods[1]) == 0
    releases = StockMove.objects.filter(kind="release", reference=order.number)
    assert sorted(releases.values_list("product_id", "reserved_delta")) == [(goods[0].pk, -3), (goods[1].pk, -2)]


def test_cancel_of_an_approved_order_releases_stock(distributor, place, goods, admin_user):
    order = place(distributor, 6)
    services.cancel_order(order_id=order.pk, actor=admin_user, reason="客户取消")
    assert reserved(goods[0]) == 0
    assert StockMove.objects.get(kind="release", reference=order.number).reserved_delta == -6


def test_editing_a_submitted_order_re_reserves_and_goes_back_to_review(distributor, place, goods, review_all,
                                                                        make_staff):
    ops = make_staff("sales_ops")
    order = place(distributor, 5)
    services.approve_order(order_id=order.pk, actor=ops)  # now at finance review
    services.update_order_lines(order_id=order.pk, actor=ops, lines=[{"product": goods[0].pk, "quantity": 2},
                                                                      {"product": goods[1].pk, "quantity": 3}])
    order.refresh_from_db()
    assert order.status == S.SUBMITTED and order.current_step.code == "order_review"
    assert reserved(goods[0]) == 2 and reserved(goods[1]) == 3
    assert order.total_amount == Decimal("80.00")
    moves = list(StockMove.objects.filter(reference=order.number).order_by("id").values_list("kind", "reserved_delta"))
    assert moves == [("reservation", 5), ("release", -5), ("reservation", 2), ("reservation", 3)]
    assert order.events.filter(kind=OrderEvent.Kind.EDITED).exists()


def test_editing_into_a_shortage_changes_nothing(distributor, place, goods, review_all, admin_user):
    order = place(distributor, 5)
    with pytest.raises(InsufficientStock):
        services.update_order_lines(order_id=order.pk, actor=admin_user,
                                    lines=[{"product": goods[0].pk, "quantity": 500}])
    order.refresh_from_db()
    assert reserved(goods[0]) == 5 and order.lines.get().quantity == 5


def test_copy_takes_todays_prices(distributor, place, goods, admin_user):
    order = place(distributor, 2, 1)
    goods[0].base_price = Decimal("15.00")
    goods[0].save()
    copy = services.copy_order(order_id=order.pk, actor=admin_user)
    copy.refresh_from_db()
    assert copy.status == S.DRAFT and copy.copied_from_id == order.pk and copy.number != order.number
    assert copy.lines.get(product=goods[0]).unit_price == Decimal("15.00")
    assert copy.total_amount == Decimal("50.00")
    assert reserved(goods[0]) == 2  # a draft holds nothing


def test_moq_and_multiple_are_enforced(distributor, goods, admin_user):
    goods[0].moq, goods[0].multiple = 6, 6
    goods[0].save()
    for qty in (4, 8):
        with pytest.raises(ValidationFailed) as err:
            services.create_order(distributor=distributor, actor=admin_user, lines=[{"product": goods[0].pk,
                                                                                    "quantity": qty}])
        assert "lines[0].quantity" in err.value.fields
    assert not Order.objects.exists()


def test_a_suspended_distributor_cannot_order(distributor, goods, admin_user):
    distributor.status = "suspended"
    distributor.save()
    with pytest.raises(services.DistributorCannotOrder):
        services.create_order(distributor=distributor, actor=admin_user, lines=[{"product": goods[0].pk,
                                                                                "quantity": 1}])


# --- completion and timeline ----------------------------------------------------------------

def test_auto_complete_after_the_configured_days(distributor, dist_admin, place, ship, settings):
    settings.ORDER_AUTO_COMPLETE_DAYS = 7
    order = place(distributor, 2)
    shipment = ship(order)
    from dms.logistics import services as logistics

    logistics.add_tracking_event(shipment_id=shipment.pk, occurred_at=timezone.now(), description="已签收",
                                 is_delivery=True)
    order.refresh_from_db()
    assert order.status == S.SHIPPED and order.delivered_at
    with time_machine.travel(timezone.now() + dt.timedelta(days=6)):
        assert services.auto_complete() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        assert services.auto_complete() == 1
    order.refresh_from_db()
    assert order.status == S.COMPLETED and order.completed_at
    assert services.auto_complete() == 0  # idempotent


def test_confirmed_receipt_completes_at_once(distributor, dist_admin, place, ship):
    order = place(distributor, 2)
    shipment = ship(order)
    from dms.logistics import services as logistics

    logistics.confirm_receipt(shipment_id=shipment.pk, actor=dist_admin)
    order.refresh_from_db()
    assert order.status == S.COMPLETED


def test_every_change_writes_a_timeline_event(distributor, place, goods, review_all, make_staff):
    ops, finance = make_staff("sales_ops"), make_staff("finance")
    order = place(distributor, 2, submit=False, actor=ops)
    services.update_order_lines(order_id=order.pk, actor=ops, lines=[{"product": goods[0].pk, "quantity": 3}])
    services.submit_order(order_id=order.pk, actor=ops)
    services.approve_order(order_id=order.pk, actor=ops)
    services.approve_order(order_id=order.pk, actor=finance)
    services.cancel_order(order_id=order.pk, actor=ops, reason="客户取消")
    events = list(order.events.order_by("created_at", "id").values_list("kind", "to_status", "actor_id"))
    assert events == [
        ("created", "draft", ops.pk), ("edited", "", ops.pk), ("status", "submitted", ops.pk),
        ("step", "", ops.pk), ("step", "", finance.pk), ("status", "approved", finance.pk),
        ("status", "cancelled", ops.pk),
    ]


def test_timeline_messages_are_shown_in_the_readers_language(distributor, dist_admin):
    from django.utils import translation

    from dms.orders.models import OrderEvent

    p1 = ProductFactory()
    stock(p1, 5)
    with translation.override("en"):
        order = services.create_order(distributor=distributor, actor=dist_admin, submit=True,
                                      lines=[{"product": p1.pk, "quantity": 1}])
    event = OrderEvent.objects.get(order=order, to_status="approved")
    with translation.override("en"):
        assert event.text.startswith("Approved automatically")
    with translation.override("zh-hans"):
        assert event.text.startswith("自动审核通过")
    typed = OrderEvent(order=order, kind="note", message="Active")  # what a person typed stays as typed
    with translation.override("zh-hans"):
        assert typed.text == "Active"


@pytest.mark.parametrize("region", ["440305", "310101", "110101", ""])
def test_submitted_order_goes_to_the_warehouse_serving_its_province(region, dist_admin):
    from dms.core.testing.factories import DistributorFactory, WarehouseFactory
    from dms.inventory.services import pick_warehouse

    default = WarehouseFactory(code="WZ9", is_default=True)
    south = WarehouseFactory(code="WA1", provinces=["44", "45"])
    WarehouseFactory(code="WB1", provinces=["31"])
    WarehouseFactory(code="WC1", provinces=["44"], is_active=False)
    distributor = DistributorFactory(region_code=region)
    product = ProductFactory()
    for w in (default, south):
        stock(product, 5, w)
    from dms.inventory.models import Warehouse

    stock(product, 5, Warehouse.objects.get(code="WB1"))
    order = services.create_order(distributor=distributor, submit=True, lines=[{"product": product.pk, "quantity": 1}])
    order.refresh_from_db()
    assert order.warehouse == pick_warehouse(distributor)
    expected = {"44": "WA1", "31": "WB1"}.get(region[:2], "WZ9")
    assert order.warehouse.code == expected
