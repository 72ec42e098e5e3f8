"""Returns (退货): limits, decisions and goods going back into stock through the ledger —
through the services and through the back-office pages."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dms.core.errors import InvalidTransition, ValidationFailed
from dms.inventory.models import StockLevel, StockMove
from dms.orders import services
from dms.orders.models import OrderEvent, ReturnRequest

pytestmark = pytest.mark.django_db
R = ReturnRequest.Status


@pytest.fixture
def shipped(distributor, place, ship):
    order = place(distributor, 5, 3)
    ship(order)
    return order


def line_of(order, product):
    return order.lines.get(product=product)


def test_only_shipped_goods_can_be_returned(distributor, dist_admin, place, goods):
    order = place(distributor, 5)
    with pytest.raises(ValidationFailed):
        services.request_return(order_id=order.pk, lines={line_of(order, goods[0]).pk: 1}, reason="damaged",
                                actor=dist_admin)


def test_quantity_limits_count_pending_requests(shipped, goods, dist_admin):
    line = line_of(shipped, goods[0])
    with pytest.raises(ValidationFailed) as err:
        services.request_return(order_id=shipped.pk, lines={line.pk: 6}, reason="damaged", actor=dist_admin)
    assert f"lines.{line.pk}" in err.value.fields
    services.request_return(order_id=shipped.pk, lines={line.pk: 4}, reason="damaged", actor=dist_admin)
    with pytest.raises(ValidationFailed):  # 4 already requested, 5 shipped
        services.request_return(order_id=shipped.pk, lines={line.pk: 2}, reason="damaged", actor=dist_admin)
    with pytest.raises(ValidationFailed):
        services.request_return(order_id=shipped.pk, lines={line.pk: 1}, reason="no-such-reason", actor=dist_admin)
    assert ReturnRequest.objects.count() == 1


def test_rejection_needs_a_note(shipped, goods, dist_admin, admin_user):
    ret = services.request_return(order_id=shipped.pk, lines={line_of(shipped, goods[0]).pk: 1}, reason="quality",
                                  actor=dist_admin)
    with pytest.raises(ValidationFailed):
        services.decide_return(return_id=ret.pk, approve=False, actor=admin_user, note="  ")
    ret.refresh_from_db()
    assert ret.status == R.REQUESTED
    services.decide_return(return_id=ret.pk, approve=False, actor=admin_user, note="超过退货期限")
    ret.refresh_from_db()
    assert ret.status == R.REJECTED and ret.decision_note == "超过退货期限"
    with pytest.raises(InvalidTransition):
        services.receive_return(return_id=ret.pk, actor=admin_user)


def test_receiving_puts_stock_back_through_the_ledger(shipped, goods, dist_admin, admin_user):
    line = line_of(shipped, goods[0])
    before = StockLevel.objects.get(product=goods[0]).on_hand
    ret = services.request_return(order_id=shipped.pk, lines={line.pk: 2}, reason="damaged", actor=dist_admin)
    with pytest.raises(InvalidTransition):  # not approved yet
        services.receive_return(return_id=ret.pk, actor=admin_user)
    services.decide_return(return_id=ret.pk, approve=True, actor=admin_user)
    services.receive_return(return_id=ret.pk, actor=admin_user)
    services.receive_return(return_id=ret.pk, actor=admin_user)  # a retry changes nothing more
    ret.refresh_from_db()
    line.refresh_from_db()
    assert ret.status == R.RECEIVED and ret.received_at
    assert line.returned_quantity == 2
    assert StockLevel.objects.get(product=goods[0]).on_hand == before + 2
    move = StockMove.objects.get(kind="return", reference=ret.number)
    assert (move.product_id, move.on_hand_delta) == (goods[0].pk, 2)
    assert shipped.events.filter(kind=OrderEvent.Kind.RETURN).count() == 3  # requested, approved, received
    with pytest.raises(ValidationFailed):  # 3 left of 5 shipped
        services.request_return(order_id=shipped.pk, lines={line.pk: 4}, reason="damaged", actor=dist_admin)


# --- pages -----------------------------------------------------------------------------

@pytest.fixture
def requested(shipped, goods, dist_admin):
    return services.request_return(order_id=shipped.pk, lines={line_of(shipped, goods[0]).pk: 2},
                                   reason="damaged", description="外箱破损", actor=dist_admin)


def test_return_list_filters_and_export(client, admin_user, requested):
    client.force_login(admin_user)
    response = client.get(reverse("orders:returns"), {"status": "requested"})
    assert requested.number in response.content.decode()
    response = client.get(reverse("orders:returns"), {"status": "received"})
    assert requested.number not in response.content.decode()
    response = client.get(reverse("orders:returns"), {"reason": "quality"})
    assert requested.number not in response.content.decode()
    export = client.get(reverse("orders:returns_export"), {"status": "requested"})
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == requested.number and rows[1][8] == 2


def test_staff_decide_and_receive_on_the_return_page(client, make_staff, requested, goods, settings):
    settings.LANGUAGE_CODE = "en"
    ops = make_staff("sales_ops")
    client.force_login(ops)
    page = client.get(reverse("orders:return_detail", args=[requested.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Approve" in page.content.decode()
    response = client.post(reverse("orders:return_decide", args=[requested.pk]), {"action": "reject", "note": ""},
                           HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Give a reason for the rejection." in response.content.decode()
    requested.refresh_from_db()
    assert requested.status == R.REQUESTED
    client.post(reverse("orders:return_decide", args=[requested.pk]), {"action": "approve"})
    before = StockLevel.objects.get(product=goods[0]).on_hand
    client.post(reverse("orders:return_receive", args=[requested.pk]))
    requested.refresh_from_db()
    assert requested.status == R.RECEIVED
    assert StockLevel.objects.get(product=goods[0]).on_hand == before + 2


def test_finance_may_look_but_not_decide(client, make_staff, requested):
    client.force_login(make_staff("finance"))
    assert client.get(reverse("orders:return_detail", args=[requested.pk])).status_code == 200
    response = client.post(reverse("orders:return_decide", args=[requested.pk]), {"action": "approve"})
    assert response.status_code == 403
    requested.refresh_from_db()
    assert requested.status == R.REQUESTED


def test_another_managers_return_is_404(client, requested, make_staff, other_distributor):
    client.force_login(other_distributor.channel_manager)
    assert client.get(reverse("orders:return_detail", args=[requested.pk])).status_code == 404
    assert requested.number not in client.get(reverse("orders:returns")).content.decode()
