import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dms.accounts.roles import Role
from dms.core.testing.factories import DistributorFactory, WarehouseFactory
from dms.inventory.models import StockMove
from dms.logistics import services
from dms.logistics.models import Discrepancy, Shipment
from dms.orders.models import Order

pytestmark = pytest.mark.django_db
St = Shipment.Status


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def warehouse_user(make_staff):
    return make_staff(Role.WAREHOUSE, username="wh1")


@pytest.fixture
def shipment(distributor, make_order, warehouse_user):
    order = make_order(distributor, 6, 2)
    return services.create_shipment(order_id=order.pk, actor=warehouse_user)


def _dispatched(shipment, carrier, actor, number="SF777"):
    return services.dispatch_shipment(shipment_id=shipment.pk, carrier=carrier, tracking_number=number, actor=actor)


def test_list_search_filter_sort_and_htmx(client, warehouse_user, shipment, carrier, make_order, other_distributor):
    other = services.create_shipment(order_id=make_order(other_distributor, 1).pk, actor=warehouse_user)
    _dispatched(shipment, carrier, warehouse_user, number="SF-FIND-ME")
    client.force_login(warehouse_user)
    url = reverse("logistics:list")
    page = client.get(url)
    assert page.status_code == 200 and page.context["nav"] == "shipments"
    assert shipment.number in page.content.decode() and other.number in page.content.decode()

    found = client.get(url, {"search": "FIND-ME"}).content.decode()
    assert shipment.number in found and other.number not in found
    by_order = client.get(url, {"search": other.order.number}).content.decode()
    assert other.number in by_order and shipment.number not in by_order
    by_name = client.get(url, {"search": other_distributor.name}).content.decode()
    assert other.number in by_name and shipment.number not in by_name

    picking = client.get(url, {"status": "picking"}).content.decode()
    assert other.number in picking and shipment.number not in picking
    assert shipment.number in client.get(url, {"carrier": carrier.pk}).content.decode()
    assert shipment.number not in client.get(url, {"warehouse": WarehouseFactory().pk}).content.decode()
    today = timezone.localdate()
    assert shipment.number not in client.get(url, {"date_from": today + dt.timedelta(days=1)}).content.decode()
    assert shipment.number in client.get(url, {"date_from": today, "date_to": today}).content.decode()

    partial = client.get(url, {"search": "FIND-ME", "status": ""}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and shipment.number in partial.content.decode()
    assert partial["HX-Push-Url"] == f"{url}?search=FIND-ME"

    ordered = [s.number for s in client.get(url, {"sort": "number"}).context["page_obj"]]
    assert ordered == sorted(ordered)


def test_list_is_scoped_to_the_channel_managers_distributors(client, channel_manager, shipment, make_order,
                                                              other_distributor, warehouse_user):
    other = services.create_shipment(order_id=make_order(other_distributor, 1).pk, actor=warehouse_user)
    client.force_login(channel_manager)
    body = client.get(reverse("logistics:list")).content.decode()
    assert shipment.number in body and other.number not in body
    assert client.get(reverse("logistics:detail", args=[other.pk])).status_code == 404


def test_export(client, warehouse_user, shipment, carrier, dist_admin):
    _dispatched(shipment, carrier, warehouse_user)
    for text in ("少一箱", "破损"):
        services.report_discrepancy(shipment_id=shipment.pk, description=text, actor=dist_admin)
    client.force_login(warehouse_user)
    response = client.get(reverse("logistics:list"), {"export": "xlsx", "status": "dispatched"})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.values)
    assert rows[0][0] == "Shipment number" and rows[0][6] == "Quantity" and rows[0][13] == "Open discrepancies"
    assert len(rows) == 2
    assert (rows[1][0], rows[1][6], rows[1][8], rows[1][13]) == (shipment.number, 8, "SF777", 2)


def test_create_prefills_open_quantities_and_ships_part(client, warehouse_user, distributor, make_order):
    order = make_order(distributor, 6, 2)
    l1, l2 = order.lines.order_by("id")
    client.force_login(warehouse_user)
    url = reverse("logistics:create") + f"?order={order.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].fields[f"line_{l1.pk}"].initial == 6

    response = client.post(url, {"order": order.pk, f"line_{l1.pk}": 4, f"line_{l2.pk}": 0, "note": "第一批"})
    shipment = Shipment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("logistics:detail", args=[shipment.pk])
    assert [(sl.product_id, sl.quantity) for sl in shipment.lines.all()] == [(l1.product_id, 4)]
    assert shipment.note == "第一批"

    # the open quantity now excludes what is being picked
    page = client.get(url)
    assert page.context["form"].fields[f"line_{l1.pk}"].initial == 2


def test_create_refuses_more_than_open_and_nothing(client, warehouse_user, distributor, make_order):
    order = make_order(distributor, 3)
    line = order.lines.get()
    client.force_login(warehouse_user)
    url = reverse("logistics:create") + f"?order={order.pk}"
    too_many = client.post(url, {f"line_{line.pk}": 4})
    assert too_many.status_code == 200 and too_many.context["form"].errors[f"line_{line.pk}"]
    nothing = client.post(url, {f"line_{line.pk}": 0})
    assert "Enter a quantity for at least one line." in nothing.content.decode()
    assert not Shipment.objects.exists()


def test_create_needs_an_approved_order_in_scope(client, warehouse_user, distributor, make_order):
    order = make_order(distributor, 1)
    Order.objects.filter(pk=order.pk).update(status=Order.Status.SUBMITTED)
    client.force_login(warehouse_user)
    response = client.get(reverse("logistics:create") + f"?order={order.pk}", follow=True)
    assert response.redirect_chain[-1][0] == reverse("logistics:list")
    assert "Choose an approved order" in response.content.decode()
    assert client.get(reverse("logistics:create") + "?order=abc").status_code == 302


def test_detail_dispatch_books_out_stock(client, warehouse_user, shipment, carrier):
    client.force_login(warehouse_user)
    url = reverse("logistics:detail", args=[shipment.pk])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and shipment.order.number in body
    assert reverse("logistics:delivery_note", args=[shipment.pk]) in body
    assert reverse("logistics:pick_list", args=[shipment.pk]) in body

    missing = client.post(reverse("logistics:dispatch", args=[shipment.pk]), {"carrier": carrier.pk})
    assert missing.status_code == 400 and missing.context["dispatch_form"].errors["tracking_number"]
    assert Shipment.objects.get(pk=shipment.pk).status == St.PICKING

    response = client.post(reverse("logistics:dispatch", args=[shipment.pk]),
                           {"carrier": carrier.pk, "tracking_number": "SF999"})
    assert response.status_code == 302
    shipment.refresh_from_db()
    assert shipment.status == St.DISPATCHED and shipment.carrier == carrier
    assert StockMove.objects.filter(kind="shipment", reference=shipment.number).count() == 2
    body = client.get(url).content.decode()
    assert "SF999" in body and carrier.tracking_url.replace("{number}", "SF999") in body


def test_cancel_while_picking(client, warehouse_user, shipment, carrier):
    client.force_login(warehouse_user)
    client.post(reverse("logistics:cancel", args=[shipment.pk]))
    assert Shipment.objects.get(pk=shipment.pk).status == St.CANCELLED
    response = client.post(reverse("logistics:cancel", args=[shipment.pk]), follow=True)
    assert "Cannot change status" in response.content.decode()


def test_add_tracking_events_and_delivery(client, warehouse_user, shipment, carrier):
    _dispatched(shipment, carrier, warehouse_user)
    client.force_login(warehouse_user)
    url = reverse("logistics:add_event", args=[shipment.pk])
    when = timezone.localtime() - dt.timedelta(hours=3)
    data = {"occurred_at": when.strftime("%Y-%m-%dT%H:%M"), "location": "广州", "description": "到达广州转运中心"}
    client.post(url, data)
    again = client.post(url, data, follow=True)
    assert "already recorded" in again.content.decode()
    assert shipment.tracking_events.filter(description="到达广州转运中心").count() == 1

    bad = client.post(url, {**data, "description": "", "occurred_at": "tomorrow"})
    assert bad.status_code == 400 and set(bad.context["event_form"].errors) == {"description", "occurred_at"}

    client.post(url, {**data, "description": "已签收", "is_delivery": "on",
                      "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    shipment.refresh_from_db()
    assert shipment.status == St.DELIVERED
    body = client.get(reverse("logistics:detail", args=[shipment.pk])).content.decode()
    assert "已签收" in body and "has not confirmed receipt yet" in body


def test_proof_of_delivery_is_shown(client, warehouse_user, shipment, carrier, dist_admin):
    _dispatched(shipment, carrier, warehouse_user)
    services.confirm_receipt(shipment_id=shipment.pk, actor=dist_admin)
    client.force_login(warehouse_user)
    page = client.get(reverse("logistics:detail", args=[shipment.pk]))
    assert page.context["shipment"].received_by == dist_admin
    assert dist_admin.username in page.content.decode() or dist_admin.get_full_name() in page.content.decode()


def test_channel_manager_reads_but_does_not_dispatch(client, channel_manager, shipment, carrier):
    client.force_login(channel_manager)
    page = client.get(reverse("logistics:detail", args=[shipment.pk]))
    assert page.status_code == 200 and page.context["dispatch_form"] is None
    assert client.post(reverse("logistics:dispatch", args=[shipment.pk]),
                       {"carrier": carrier.pk, "tracking_number": "X"}).status_code == 403
    assert client.get(reverse("logistics:create") + f"?order={shipment.order_id}").status_code == 403
    assert client.get(reverse("logistics:tracking_import")).status_code == 403
    assert Shipment.objects.get(pk=shipment.pk).status == St.PICKING


def test_distributor_users_get_404(client, dist_admin, shipment):
    client.force_login(dist_admin)
    for url in (reverse("logistics:list"), reverse("logistics:detail", args=[shipment.pk]),
                reverse("logistics:discrepancies")):
        assert client.get(url).status_code == 404


def test_discrepancies_list_and_resolve(client, make_staff, warehouse_user, shipment, carrier, dist_admin):
    _dispatched(shipment, carrier, warehouse_user)
    case = services.report_discrepancy(shipment_id=shipment.pk, description="少了两箱", actor=dist_admin)
    finance = make_staff(Role.FINANCE, username="fin1")  # reads shipments, may not resolve
    client.force_login(finance)
    page = client.get(reverse("logistics:discrepancies"))
    assert page.status_code == 200 and page.context["nav"] == "discrepancies" and "少了两箱" in page.content.decode()
    assert client.post(reverse("logistics:resolve", args=[case.pk]), {"resolution": "x"}).status_code == 403

    client.force_login(warehouse_user)
    empty = client.post(reverse("logistics:resolve", args=[case.pk]), {"resolution": " "}, follow=True)
    assert "Describe the resolution." in empty.content.decode()
    client.post(reverse("logistics:resolve", args=[case.pk]), {"resolution": "已补发", "next": "shipment"})
    case.refresh_from_db()
    assert case.status == Discrepancy.Status.RESOLVED and case.resolution == "已补发"

    open_cases = client.get(reverse("logistics:discrepancies")).content.decode()
    assert "少了两箱" not in open_cases  # the default view shows open cases
    assert "少了两箱" in client.get(reverse("logistics:discrepancies"), {"status": "all"}).content.decode()
    export = client.get(reverse("logistics:discrepancies"), {"status": "resolved", "export": "xlsx"})
    rows = list(load_workbook(BytesIO(export.content)).active.values)
    assert rows[1][1] == shipment.number and rows[1][7] == "已补发"


def test_discrepancies_of_another_managers_distributor_are_hidden(client, make_staff, warehouse_user, carrier,
                                                                   make_order, dist_admin, distributor):
    order = make_order(distributor, 1)
    s = _dispatched(services.create_shipment(order_id=order.pk, actor=warehouse_user), carrier, warehouse_user)
    services.report_discrepancy(shipment_id=s.pk, description="箱子破损", actor=dist_admin)
    client.force_login(distributor.channel_manager)
    assert "箱子破损" in client.get(reverse("logistics:discrepancies")).content.decode()
    stranger = make_staff(Role.CHANNEL_MANAGER, username="cm9")
    DistributorFactory(channel_manager=stranger)
    client.force_login(stranger)
    page = client.get(reverse("logistics:discrepancies"), {"status": "all"})
    assert list(page.context["page_obj"]) == [] and "箱子破损" not in page.content.decode()
