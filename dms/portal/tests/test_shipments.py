"""The portal's delivery pages: shipments with tracking, confirming receipt, reporting a
discrepancy, the delivery note, and return requests."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dms.core.testing.factories import ProductFactory, stock
from dms.logistics import services as logistics
from dms.logistics.models import Carrier, Discrepancy, Shipment
from dms.orders import services
from dms.orders.models import Order, ReturnRequest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def carrier(db):
    return Carrier.objects.create(code="SFX", name="SF Express", tracking_url="https://track.example/?no={number}")


@pytest.fixture
def goods(db):
    items = [ProductFactory(sku="TEA-1", name="Green tea", base_price=Decimal("30.00")),
             ProductFactory(sku="CUP-1", name="Tea cup", base_price=Decimal("5.00"))]
    for p in items:
        stock(p, 100)
    return items


@pytest.fixture
def shipped(distributor, dist_admin, goods, carrier, admin_user):
    """An approved order of 10 tea and 4 cups, dispatched in one shipment."""
    order = services.create_order(distributor=distributor, actor=dist_admin, submit=True,
                                  lines=[{"product": goods[0].pk, "quantity": 10},
                                         {"product": goods[1].pk, "quantity": 4}])
    shipment = logistics.create_shipment(order_id=order.pk, actor=admin_user)
    logistics.dispatch_shipment(shipment_id=shipment.pk, carrier=carrier, tracking_number="SF123456",
                                actor=admin_user)
    logistics.add_tracking_event(shipment_id=shipment.pk, occurred_at=timezone.now(), location="Shenzhen hub",
                                 description="Arrived at sorting centre", actor=admin_user)
    order.refresh_from_db()
    shipment.refresh_from_db()
    return order, shipment


def test_shipment_list_and_page_show_tracking(client, dist_admin, shipped):
    order, shipment = shipped
    client.force_login(dist_admin)
    body = client.get(reverse("portal:shipments")).content.decode()
    assert shipment.number in body and order.number in body and "SF123456" in body
    body = client.get(reverse("portal:shipments"), {"search": "SF1234"}, HTTP_HX_REQUEST="true").content.decode()
    assert shipment.number in body and "<html" not in body
    assert "No shipments found" in client.get(reverse("portal:shipments"), {"status": "delivered"}).content.decode()
    page = client.get(reverse("portal:shipment", args=[shipment.pk])).content.decode()
    assert "SF Express" in page and "https://track.example/?no=SF123456" in page
    assert "Arrived at sorting centre" in page and "Shenzhen hub" in page
    assert "Green tea" in page and "Confirm receipt" in page
    # the order page lists it too
    assert shipment.number in client.get(reverse("portal:order", args=[order.pk])).content.decode()


def test_confirm_receipt_completes_the_order(client, dist_admin, shipped):
    order, shipment = shipped
    client.force_login(dist_admin)
    response = client.post(reverse("portal:shipment_confirm", args=[shipment.pk]), follow=True)
    shipment.refresh_from_db()
    order.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED and shipment.received_by == dist_admin
    assert order.status == Order.Status.COMPLETED
    body = response.content.decode()
    assert f"receipt of {shipment.number} is confirmed" in body
    assert reverse("portal:shipment_confirm", args=[shipment.pk]) not in body


def test_receipt_cannot_be_confirmed_before_dispatch(client, dist_admin, distributor, goods, admin_user):
    order = services.create_order(distributor=distributor, actor=dist_admin, submit=True,
                                  lines=[{"product": goods[0].pk, "quantity": 1}])
    shipment = logistics.create_shipment(order_id=order.pk, actor=admin_user)
    client.force_login(dist_admin)
    page = client.get(reverse("portal:shipment", args=[shipment.pk])).content.decode()
    assert reverse("portal:shipment_confirm", args=[shipment.pk]) not in page
    client.post(reverse("portal:shipment_confirm", args=[shipment.pk]))
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.PICKING and shipment.received_at is None


def test_report_a_discrepancy(client, dist_admin, shipped):
    order, shipment = shipped
    tea_line = shipment.lines.get(product__sku="TEA-1")
    client.force_login(dist_admin)
    url = reverse("portal:shipment_discrepancy", args=[shipment.pk])
    # bad input: says why, opens nothing
    response = client.post(url, {"description": "", f"received_{tea_line.pk}": "8"})
    assert response.status_code == 400 and "Describe what is wrong" in response.content.decode()
    response = client.post(url, {"description": "Two boxes short", f"received_{tea_line.pk}": "eight"})
    assert response.status_code == 400 and "Enter a whole number" in response.content.decode()
    assert not Discrepancy.objects.exists()
    response = client.post(url, {"description": "Two boxes short", f"received_{tea_line.pk}": "8"}, follow=True)
    case = Discrepancy.objects.get()
    assert case.shipment == shipment and case.reported_by == dist_admin
    assert list(case.lines.values_list("shipment_line_id", "received_quantity")) == [(tea_line.pk, 8)]
    body = response.content.decode()
    assert "Two boxes short" in body and "received 8 of 10" in body


def test_delivery_note_pdf(client, dist_admin, shipped):
    _order, shipment = shipped
    client.force_login(dist_admin)
    response = client.get(reverse("portal:delivery_note", args=[shipment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_return_request_within_the_shipped_quantity(client, dist_admin, shipped):
    order, _shipment = shipped
    tea, cup = order.lines.order_by("id")
    client.force_login(dist_admin)
    url = reverse("portal:return_create", args=[order.pk])
    page = client.get(url).content.decode()
    assert "up to 10 can be returned" in page and "up to 4 can be returned" in page
    # more than shipped: refused, nothing created
    response = client.post(url, {"reason": "damaged", f"qty_{tea.pk}": "11"})
    assert response.status_code == 400 and "at most 10 can be returned" in response.content.decode()
    response = client.post(url, {"reason": "", f"qty_{tea.pk}": "2"})
    assert response.status_code == 400 and "Choose a reason" in response.content.decode()
    response = client.post(url, {"reason": "damaged"})
    assert response.status_code == 400 and "Choose at least one line" in response.content.decode()
    assert not ReturnRequest.objects.exists()
    response = client.post(url, {"reason": "damaged", "description": "Crushed box", f"qty_{tea.pk}": "3"},
                           follow=True)
    ret = ReturnRequest.objects.get()
    assert list(ret.lines.values_list("order_line_id", "quantity")) == [(tea.pk, 3)]
    assert ret.number in response.content.decode()
    # what is requested counts: only 7 more of the tea
    assert "up to 7 can be returned" in client.get(url).content.decode()
    response = client.post(url, {"reason": "damaged", f"qty_{tea.pk}": "8"})
    assert "at most 7 can be returned" in response.content.decode()
    assert ReturnRequest.objects.count() == 1


def test_cancel_a_requested_return(client, dist_admin, shipped, admin_user):
    order, _shipment = shipped
    tea = order.lines.order_by("id").first()
    ret = services.request_return(order_id=order.pk, lines={tea.pk: 2}, reason="quality", actor=dist_admin)
    client.force_login(dist_admin)
    body = client.get(reverse("portal:returns")).content.decode()
    assert ret.number in body and reverse("portal:return_cancel", args=[ret.pk]) in body
    client.post(reverse("portal:return_cancel", args=[ret.pk]))
    ret.refresh_from_db()
    assert ret.status == ReturnRequest.Status.CANCELLED
    # an approved return can no longer be cancelled by the distributor
    ret2 = services.request_return(order_id=order.pk, lines={tea.pk: 2}, reason="quality", actor=dist_admin)
    services.decide_return(return_id=ret2.pk, approve=True, actor=admin_user)
    response = client.post(reverse("portal:return_cancel", args=[ret2.pk]), follow=True)
    ret2.refresh_from_db()
    assert ret2.status == ReturnRequest.Status.APPROVED
    assert "Cannot change status" in response.content.decode()


def test_an_unshipped_order_cannot_be_returned(client, dist_admin, distributor, goods):
    order = services.create_order(distributor=distributor, actor=dist_admin, submit=True,
                                  lines=[{"product": goods[0].pk, "quantity": 1}])
    client.force_login(dist_admin)
    assert reverse("portal:return_create", args=[order.pk]) not in \
        client.get(reverse("portal:order", args=[order.pk])).content.decode()
    response = client.post(reverse("portal:return_create", args=[order.pk]), {"reason": "damaged"})
    assert response.status_code == 302
    assert not ReturnRequest.objects.exists()


def test_another_distributors_shipment_and_return_are_404(client, other_dist_admin, dist_admin, shipped):
    order, shipment = shipped
    ret = services.request_return(order_id=order.pk, lines={order.lines.first().pk: 1}, reason="damaged",
                                  actor=dist_admin)
    client.force_login(other_dist_admin)
    for name in ("portal:shipment", "portal:delivery_note"):
        assert client.get(reverse(name, args=[shipment.pk])).status_code == 404, name
    for name in ("portal:shipment_confirm", "portal:shipment_discrepancy"):
        assert client.post(reverse(name, args=[shipment.pk]), {"description": "x"}).status_code == 404, name
    assert client.get(reverse("portal:return_create", args=[order.pk])).status_code == 404
    assert client.post(reverse("portal:return_cancel", args=[ret.pk])).status_code == 404
    shipment.refresh_from_db()
    ret.refresh_from_db()
    assert shipment.received_at is None and ret.status == ReturnRequest.Status.REQUESTED
    assert not Discrepancy.objects.exists()
    for name in ("portal:shipments", "portal:returns"):
        body = client.get(reverse(name)).content.decode()
        assert shipment.number not in body and ret.number not in body


def test_dashboard_counts_deliveries_to_confirm(client, dist_admin, shipped):
    _order, shipment = shipped
    client.force_login(dist_admin)
    body = client.get(reverse("portal:dashboard")).content.decode()
    link = f'<a class="stat warn" href="{reverse("portal:shipments")}?unconfirmed=1"><span class="value">1</span>'
    assert link in body
    body = client.get(reverse("portal:shipments"), {"unconfirmed": "1"}).content.decode()
    assert shipment.number in body
    logistics.confirm_receipt(shipment_id=shipment.pk, actor=dist_admin)
    assert shipment.number not in client.get(reverse("portal:shipments"), {"unconfirmed": "1"}).content.decode()


def test_report_a_problem_opens_the_form(client, dist_admin, shipped):
    _order, shipment = shipped
    client.force_login(dist_admin)
    url = reverse("portal:shipment", args=[shipment.pk])
    assert '<details class="card o-report" id="report">' in client.get(url).content.decode()
    assert '<details class="card o-report" id="report" open>' in client.get(url, {"report": "1"}).content.decode()
