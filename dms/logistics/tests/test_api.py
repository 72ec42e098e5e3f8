"""The shipments API: create from an approved order, dispatch, tracking, proof of delivery,
discrepancies, the delivery note, and scoping."""

import pytest

from dms.core.testing.factories import bearer
from dms.inventory.models import StockLevel, StockMove
from dms.logistics import services
from dms.logistics.models import Discrepancy, Shipment
from dms.orders.models import Order

pytestmark = pytest.mark.django_db

SHIPMENTS = "/api/v1/shipments/"


def post(client, url, user, data=None):
    return client.post(url, data if data is not None else {}, content_type="application/json", **bearer(user))


def error(response):
    return response.json()["error"]


@pytest.fixture
def clerk(make_staff):
    return make_staff("warehouse")


@pytest.fixture
def dispatched(make_order, distributor, carrier, clerk):
    order = make_order(distributor, 3, 2)
    shipment = services.create_shipment(order_id=order.pk, actor=clerk)
    return services.dispatch_shipment(shipment_id=shipment.pk, carrier=carrier, tracking_number="SF123",
                                      actor=clerk)


def test_staff_ship_an_order_in_two_parts(client, clerk, make_order, distributor, carrier):
    order = make_order(distributor, 5, 2)
    first, second = order.lines.order_by("pk")
    partial = post(client, SHIPMENTS, clerk, {"order": order.pk, "lines": [{"product": first.product_id,
                                                                            "quantity": 3}]})
    assert partial.status_code == 201, partial.content
    body = partial.json()
    assert body["status"] == "picking" and body["order_number"] == order.number
    assert [(li["product"], li["quantity"]) for li in body["lines"]] == [(first.product_id, 3)]
    assert body["delivery_note_url"] == f"{SHIPMENTS}{body['id']}/delivery-note.pdf"

    dispatch = post(client, f"{SHIPMENTS}{body['id']}/dispatch/", clerk,
                    {"carrier": carrier.code.lower(), "tracking_number": "SF0001"})
    assert dispatch.status_code == 200
    assert dispatch.json()["status"] == "dispatched" and dispatch.json()["carrier"] == carrier.pk
    assert dispatch.json()["tracking_link"].endswith("SF0001")
    assert Order.objects.get(pk=order.pk).status == Order.Status.PARTIALLY_SHIPPED
    level = StockLevel.objects.get(product=first.product)
    assert (level.on_hand, level.reserved) == (97, 2)

    rest = post(client, SHIPMENTS, clerk, {"order": order.pk})  # everything still open
    assert rest.status_code == 201
    assert sorted((li["product"], li["quantity"]) for li in rest.json()["lines"]) == sorted(
        [(first.product_id, 2), (second.product_id, 2)])
    post(client, f"{SHIPMENTS}{rest.json()['id']}/dispatch/", clerk, {"carrier": carrier.pk,
                                                                       "tracking_number": "SF0002"})
    assert Order.objects.get(pk=order.pk).status == Order.Status.SHIPPED
    assert StockMove.objects.filter(kind="shipment").count() == 3


def test_create_errors(client, clerk, make_order, distributor, other_distributor, dist_admin):
    order = make_order(distributor, 2)
    line = order.lines.get()
    too_many = post(client, SHIPMENTS, clerk, {"order": order.pk, "lines": [{"product": line.product_id,
                                                                             "quantity": 3}]})
    assert too_many.status_code == 400 and f"lines.{line.product_id}" in error(too_many)["fields"]
    zero = post(client, SHIPMENTS, clerk, {"order": order.pk, "lines": [{"product": line.product_id,
                                                                         "quantity": 0}]})
    assert zero.status_code == 400
    unknown = post(client, SHIPMENTS, clerk, {"order": 999999})
    assert unknown.status_code == 400 and "order" in error(unknown)["fields"]
    assert post(client, SHIPMENTS, dist_admin, {"order": order.pk}).status_code == 403
    other_cm = other_distributor.channel_manager
    assert post(client, SHIPMENTS, other_cm, {"order": order.pk}).status_code == 403  # no dispatch permission
    draft = Order.objects.create(distributor=distributor)
    not_approved = post(client, SHIPMENTS, clerk, {"order": draft.pk})
    assert not_approved.status_code == 409 and error(not_approved)["code"] == "invalid_transition"
    assert not Shipment.objects.exists()


def test_dispatch_errors(client, clerk, make_order, distributor, carrier):
    order = make_order(distributor, 2)
    shipment = services.create_shipment(order_id=order.pk, actor=clerk)
    url = f"{SHIPMENTS}{shipment.pk}/dispatch/"
    unknown = post(client, url, clerk, {"carrier": "NOPE", "tracking_number": "1"})
    assert unknown.status_code == 400 and "carrier" in error(unknown)["fields"]
    missing = post(client, url, clerk, {"carrier": carrier.code})
    assert missing.status_code == 400 and "tracking_number" in error(missing)["fields"]
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.PICKING
    assert post(client, f"{SHIPMENTS}{shipment.pk}/cancel/", clerk).json()["status"] == "cancelled"
    cancelled = post(client, url, clerk, {"carrier": carrier.code, "tracking_number": "1"})
    assert cancelled.status_code == 409 and error(cancelled)["code"] == "invalid_transition"
    assert StockLevel.objects.get(product=order.lines.get().product).on_hand == 100


def test_tracking_events(client, clerk, dist_admin, dispatched):
    url = f"{SHIPMENTS}{dispatched.pk}/tracking/"
    event = {"occurred_at": "2026-11-28T09:30:00+08:00", "description": "已到达深圳转运中心", "location": "深圳"}
    created = post(client, url, clerk, event)
    assert created.status_code == 201
    assert created.json()["description"] == "已到达深圳转运中心" and created.json()["source"] == "staff"
    again = post(client, url, clerk, event)
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    assert post(client, url, dist_admin, event).status_code == 403
    bad = post(client, url, clerk, {"occurred_at": "yesterday", "description": ""})
    assert set(error(bad)["fields"]) == {"occurred_at", "description"}

    events = client.get(url, **bearer(dist_admin)).json()
    assert [e["description"] for e in events][-1] == "已到达深圳转运中心"
    assert len(events) == 2  # the dispatch event and this one

    delivered = post(client, url, clerk, {"occurred_at": "2026-11-29T15:00:00+08:00", "description": "已签收",
                                          "is_delivery": True})
    assert delivered.status_code == 201
    assert Shipment.objects.get(pk=dispatched.pk).status == Shipment.Status.DELIVERED


def test_distributor_confirms_receipt(client, clerk, dist_admin, dispatched):
    url = f"{SHIPMENTS}{dispatched.pk}/confirm-receipt/"
    assert post(client, url, clerk).status_code == 403
    response = post(client, url, dist_admin)
    assert response.status_code == 200
    assert response.json()["status"] == "delivered" and response.json()["received_at"]
    assert Order.objects.get(pk=dispatched.order_id).status == Order.Status.COMPLETED


def test_confirming_a_shipment_still_being_picked_is_409(client, clerk, dist_admin, make_order, distributor):
    order = make_order(distributor, 1)
    shipment = services.create_shipment(order_id=order.pk, actor=clerk)
    response = post(client, f"{SHIPMENTS}{shipment.pk}/confirm-receipt/", dist_admin)
    assert response.status_code == 409 and error(response)["code"] == "invalid_transition"


def test_distributor_reports_a_discrepancy(client, clerk, dist_admin, dispatched):
    line = dispatched.lines.order_by("pk").first()
    url = f"{SHIPMENTS}{dispatched.pk}/discrepancy/"
    missing = post(client, url, dist_admin, {"lines": [{"shipment_line": line.pk, "received_quantity": 1}]})
    assert missing.status_code == 400 and "description" in error(missing)["fields"]
    assert post(client, url, clerk, {"description": "少了一箱"}).status_code == 403
    response = post(client, url, dist_admin, {"description": "少了一箱",
                                              "lines": [{"shipment_line": line.pk, "received_quantity": 2}]})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "open" and body["shipment"] == dispatched.pk
    assert body["lines"] == [{"shipment_line": line.pk, "sku": line.product.sku, "shipped_quantity": 3,
                              "received_quantity": 2}]
    assert Discrepancy.objects.get().reported_by == dist_admin


def test_delivery_note_pdf(client, clerk, dist_admin, other_dist_admin, dispatched):
    url = f"{SHIPMENTS}{dispatched.pk}/delivery-note.pdf"
    for user in (dist_admin, clerk):
        response = client.get(url, **bearer(user))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert dispatched.number in response["Content-Disposition"]
    foreign = client.get(url, **bearer(other_dist_admin))
    assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "not_found"
    assert client.get(f"{SHIPMENTS}999999/delivery-note.pdf", **bearer(clerk)).status_code == 404


def test_shipments_are_scoped(client, dist_admin, other_dist_admin, dispatched, clerk):
    assert client.get(SHIPMENTS, **bearer(dist_admin)).json()["count"] == 1
    assert client.get(SHIPMENTS, **bearer(other_dist_admin)).json()["count"] == 0
    assert client.get(f"{SHIPMENTS}{dispatched.pk}/", **bearer(dist_admin)).status_code == 200
    for url in (f"{SHIPMENTS}{dispatched.pk}/", f"{SHIPMENTS}{dispatched.pk}/tracking/"):
        assert client.get(url, **bearer(other_dist_admin)).status_code == 404
    for action in ("confirm-receipt", "discrepancy"):
        assert post(client, f"{SHIPMENTS}{dispatched.pk}/{action}/", other_dist_admin,
                    {"description": "x"}).status_code == 404
    assert Shipment.objects.get(pk=dispatched.pk).received_at is None and not Discrepancy.objects.exists()
    by_status = client.get(f"{SHIPMENTS}?status=picking", **bearer(clerk)).json()
    assert by_status["count"] == 0
    by_tracking = client.get(f"{SHIPMENTS}?search=SF123", **bearer(clerk)).json()
    assert [s["id"] for s in by_tracking["results"]] == [dispatched.pk]


def test_carriers(client, dist_admin, carrier):
    body = client.get("/api/v1/carriers/", **bearer(dist_admin)).json()
    assert carrier.code in [c["code"] for c in body]
    assert "webhook_token_hash" not in body[0]
