import datetime as dt

import pytest
import time_machine
from django.db.models import Sum
from django.utils import timezone

from dms.accounts.roles import Role
from dms.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from dms.core.testing.factories import UserFactory, portal_user
from dms.inventory.models import StockLevel, StockMove
from dms.logistics import services
from dms.logistics.models import Discrepancy, Shipment, TrackingEvent
from dms.notifications.models import Notification
from dms.orders.jobs import complete_delivered_orders
from dms.orders.models import Order

pytestmark = pytest.mark.django_db
St = Shipment.Status


@pytest.fixture
def warehouse_user(make_staff):
    return make_staff(Role.WAREHOUSE, username="wh1")


def _ledger_matches_levels():
    for level in StockLevel.objects.all():
        moves = StockMove.objects.filter(warehouse=level.warehouse, product=level.product)
        on_hand = moves.aggregate(s=Sum("on_hand_delta"))["s"] or 0
        reserved = moves.aggregate(s=Sum("reserved_delta"))["s"] or 0
        assert (level.on_hand, level.reserved) == (on_hand, reserved), level


def _dispatch(shipment, carrier, actor, number="SF100"):
    return services.dispatch_shipment(shipment_id=shipment.pk, carrier=carrier, tracking_number=number, actor=actor)


def test_partial_shipments_move_the_order_to_partially_shipped_then_shipped(
        distributor, make_order, warehouse_user, carrier):
    order = make_order(distributor, 10, 4)
    p1, p2 = [line.product for line in order.lines.order_by("id")]
    first = services.create_shipment(order_id=order.pk, lines={p1.pk: 6}, actor=warehouse_user)
    # what is being picked is no longer open
    assert services.open_quantities(order) == {order.lines.get(product=p1).pk: 4, order.lines.get(product=p2).pk: 4}
    _dispatch(first, carrier, warehouse_user)
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_SHIPPED

    rest = services.create_shipment(order_id=order.pk, actor=warehouse_user)  # default: everything open
    assert {sl.product_id: sl.quantity for sl in rest.lines.all()} == {p1.pk: 4, p2.pk: 4}
    _dispatch(rest, carrier, warehouse_user, number="SF101")
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    assert [line.shipped_quantity for line in order.lines.order_by("id")] == [10, 4]


def test_dispatch_posts_shipment_moves_and_the_ledger_equals_the_levels(
        distributor, make_order, warehouse_user, carrier):
    order = make_order(distributor, 3, 5, stock_each=20)
    shipment = services.create_shipment(order_id=order.pk, actor=warehouse_user)
    assert not StockMove.objects.filter(kind="shipment").exists()  # picking moves nothing
    _dispatch(shipment, carrier, warehouse_user)
    moves = StockMove.objects.filter(kind="shipment", reference=shipment.number)
    assert sorted(m.on_hand_delta for m in moves) == [-5, -3]
    for line in order.lines.all():
        level = StockLevel.objects.get(product=line.product)
        assert (level.on_hand, level.reserved) == (20 - line.quantity, 0)
    _ledger_matches_levels()
    shipment.refresh_from_db()
    assert shipment.status == St.DISPATCHED and shipment.tracking_number == "SF100"
    # dispatching again is a no-op, not a second booking
    _dispatch(shipment, carrier, warehouse_user)
    assert StockMove.objects.filter(kind="shipment").count() == 2


def test_dispatch_needs_a_carrier_and_a_tracking_number(distributor, make_order, warehouse_user):
    order = make_order(distributor, 2)
    shipment = services.create_shipment(order_id=order.pk, actor=warehouse_user)
    with pytest.raises(ValidationFailed) as err:
        services.dispatch_shipment(shipment_id=shipment.pk, carrier=None, tracking_number=" ", actor=warehouse_user)
    assert set(err.value.fields) == {"carrier", "tracking_number"}
    assert Shipment.objects.get(pk=shipment.pk).status == St.PICKING
    assert not StockMove.objects.filter(kind="shipment").exists()


def test_cannot_ship_more_than_is_open(distributor, make_order, warehouse_user):
    order = make_order(distributor, 5)
    product = order.lines.get().product
    services.create_shipment(order_id=order.pk, lines={product.pk: 3}, actor=warehouse_user)
    with pytest.raises(ValidationFailed) as err:
        services.create_shipment(order_id=order.pk, lines={product.pk: 3}, actor=warehouse_user)
    assert f"lines.{product.pk}" in err.value.fields
    with pytest.raises(ValidationFailed):
        services.create_shipment(order_id=order.pk, lines={product.pk: 0}, actor=warehouse_user)
    assert Shipment.objects.count() == 1


def test_only_approved_orders_ship(distributor, dist_admin, make_order, warehouse_user):
    order = make_order(distributor, 1)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.SUBMITTED)
    with pytest.raises(InvalidTransition):
        services.create_shipment(order_id=order.pk, actor=warehouse_user)


def test_cancel_while_picking_frees_the_quantities(distributor, make_order, warehouse_user, carrier):
    order = make_order(distributor, 4)
    shipment = services.create_shipment(order_id=order.pk, actor=warehouse_user)
    services.cancel_shipment(shipment_id=shipment.pk, actor=warehouse_user)
    assert Shipment.objects.get(pk=shipment.pk).status == St.CANCELLED
    assert list(services.open_quantities(order).values()) == [4]
    again = services.create_shipment(order_id=order.pk, actor=warehouse_user)
    _dispatch(again, carrier, warehouse_user)
    with pytest.raises(InvalidTransition):
        services.cancel_shipment(shipment_id=again.pk, actor=warehouse_user)
    with pytest.raises(InvalidTransition):
        _dispatch(shipment, carrier, warehouse_user)  # a cancelled shipment never ships


def _dispatched(distributor, make_order, actor, carrier, *quantities):
    order = make_order(distributor, *(quantities or (2,)))
    shipment = services.create_shipment(order_id=order.pk, actor=actor)
    _dispatch(shipment, carrier, actor)
    return order, shipment


def test_tracking_event_is_stored_once(distributor, make_order, warehouse_user, carrier):
    _order, shipment = _dispatched(distributor, make_order, warehouse_user, carrier)
    when = timezone.now().replace(microsecond=0) - dt.timedelta(hours=2)
    first = services.add_tracking_event(shipment_id=shipment.pk, occurred_at=when, description="已揽收",
                                        location="深圳", actor=warehouse_user)
    again = services.add_tracking_event(shipment_id=shipment.pk, occurred_at=when, description="已揽收",
                                        location="深圳", actor=warehouse_user)
    assert first.created and not again.created and first.pk == again.pk
    assert shipment.tracking_events.filter(description="已揽收").count() == 1


def test_tracking_needs_a_dispatched_shipment(distributor, make_order, warehouse_user):
    order = make_order(distributor, 1)
    shipment = services.create_shipment(order_id=order.pk, actor=warehouse_user)
    with pytest.raises(ValidationFailed):
        services.add_tracking_event(shipment_id=shipment.pk, occurred_at=timezone.now(), description="x")


def test_delivery_event_marks_delivered_and_the_order_completes_days_later(
        distributor, make_order, warehouse_user, carrier, settings):
    settings.ORDER_AUTO_COMPLETE_DAYS = 7
    order, shipment = _dispatched(distributor, make_order, warehouse_user, carrier)
    delivered_at = timezone.now().replace(microsecond=0)
    services.add_tracking_event(shipment_id=shipment.pk, occurred_at=delivered_at, description="已签收",
                                is_delivery=True, source=TrackingEvent.Source.CARRIER)
    shipment.refresh_from_db()
    order.refresh_from_db()
    assert shipment.status == St.DELIVERED and shipment.delivered_at == delivered_at
    assert shipment.received_at is None  # delivered is not yet confirmed
    assert order.status == Order.Status.SHIPPED and order.delivered_at is not None

    with time_machine.travel(timezone.now() + dt.timedelta(days=6)):
        assert complete_delivered_orders(timezone.localdate()) == 0
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        assert complete_delivered_orders(timezone.localdate()) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED


def test_confirming_the_last_shipment_completes_the_order(
        distributor, dist_admin, make_order, warehouse_user, carrier):
    order = make_order(distributor, 4)
    product = order.lines.get().product
    first = services.create_shipment(order_id=order.pk, lines={product.pk: 1}, actor=warehouse_user)
    _dispatch(first, carrier, warehouse_user)
    services.confirm_receipt(shipment_id=first.pk, actor=dist_admin)
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_SHIPPED  # more to come

    second = services.create_shipment(order_id=order.pk, actor=warehouse_user)
    _dispatch(second, carrier, warehouse_user, number="SF2")
    services.confirm_receipt(shipment_id=second.pk, actor=dist_admin)
    second.refresh_from_db()
    order.refresh_from_db()
    assert second.status == St.DELIVERED and second.received_by == dist_admin and second.received_at
    assert order.status == Order.Status.COMPLETED
    # confirming again changes nothing
    services.confirm_receipt(shipment_id=second.pk, actor=dist_admin)


def test_only_the_distributor_confirms_receipt(
        distributor, other_dist_admin, make_order, warehouse_user, carrier):
    _order, shipment = _dispatched(distributor, make_order, warehouse_user, carrier)
    for someone in (warehouse_user, other_dist_admin):
        with pytest.raises(NotAllowed):
            services.confirm_receipt(shipment_id=shipment.pk, actor=someone)
    shipment.refresh_from_db()
    assert shipment.received_at is None and shipment.status == St.DISPATCHED


def test_discrepancy_opens_a_case_and_notifies_staff(
        distributor, dist_admin, make_order, warehouse_user, carrier, django_capture_on_commit_callbacks):
    sales_ops = UserFactory(roles=[Role.SALES_OPS])
    _order, shipment = _dispatched(distributor, make_order, warehouse_user, carrier, 5)
    line = shipment.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        case = services.report_discrepancy(shipment_id=shipment.pk, description="少了一箱",
                                           received={line.pk: 4}, actor=dist_admin)
    assert case.status == Discrepancy.Status.OPEN
    assert [(dl.shipment_line_id, dl.received_quantity) for dl in case.lines.all()] == [(line.pk, 4)]
    notified = set(Notification.objects.filter(title__contains=shipment.number).values_list("user_id", flat=True))
    assert {warehouse_user.pk, sales_ops.pk} <= notified
    assert dist_admin.pk not in notified

    with pytest.raises(ValidationFailed):
        services.resolve_discrepancy(discrepancy_id=case.pk, resolution="  ", actor=sales_ops)
    services.resolve_discrepancy(discrepancy_id=case.pk, resolution="补发一箱", actor=sales_ops)
    case.refresh_from_db()
    assert case.status == Discrepancy.Status.RESOLVED and case.resolved_by == sales_ops
    with pytest.raises(InvalidTransition):
        services.resolve_discrepancy(discrepancy_id=case.pk, resolution="again", actor=sales_ops)


def test_another_distributor_cannot_report_a_discrepancy(
        distributor, other_distributor, make_order, warehouse_user, carrier):
    _order, shipment = _dispatched(distributor, make_order, warehouse_user, carrier)
    with pytest.raises(NotAllowed):
        services.report_discrepancy(shipment_id=shipment.pk, description="x",
                                    actor=portal_user(other_distributor, username="intruder"))
    assert not Discrepancy.objects.exists()


def test_an_order_with_a_shipment_being_picked_cannot_be_cancelled(make_order, distributor, admin_user):
    from dms.core.errors import DomainError
    from dms.orders.services import cancel_order

    order = make_order(distributor, 2)
    shipment = services.create_shipment(order_id=order.pk, actor=admin_user)
    with pytest.raises(DomainError) as err:
        cancel_order(order_id=order.pk, actor=admin_user, reason="customer changed mind")
    assert err.value.code == "invalid_transition"
    order.refresh_from_db()
    assert order.status == "approved"
    services.cancel_shipment(shipment_id=shipment.pk, actor=admin_user)
    assert cancel_order(order_id=order.pk, actor=admin_user, reason="customer changed mind").status == "cancelled"
