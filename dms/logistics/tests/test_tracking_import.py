import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dms.accounts.roles import Role
from dms.logistics import importer, services
from dms.logistics.models import Shipment, TrackingEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def warehouse_user(make_staff):
    return make_staff(Role.WAREHOUSE, username="wh1")


@pytest.fixture
def dispatched(distributor, make_order, warehouse_user, carrier):
    order = make_order(distributor, 2)
    s = services.create_shipment(order_id=order.pk, actor=warehouse_user)
    return services.dispatch_shipment(shipment_id=s.pk, carrier=carrier, tracking_number="SF5001", actor=warehouse_user)


def _csv(*rows, header="tracking_number,time,location,description,delivered"):
    return ("\n".join([header, *rows]) + "\n").encode()


def _yesterday(hm):
    return f"{timezone.localdate() - dt.timedelta(days=1):%Y-%m-%d} {hm}"


def _upload(client, content, name="events.csv"):
    return client.post(reverse("logistics:tracking_import"), {"file": SimpleUploadedFile(name, content)})


def test_import_stores_events_and_a_second_import_adds_nothing(client, warehouse_user, dispatched):
    content = _csv(f"SF5001,{_yesterday('09:30')},深圳,已揽收,no", f"SF5001,{_yesterday('18:00')},广州,已签收,是")
    client.force_login(warehouse_user)
    first = _upload(client, content)
    assert first.status_code == 302
    events = TrackingEvent.objects.filter(shipment=dispatched, source=TrackingEvent.Source.IMPORT)
    assert sorted(events.values_list("description", flat=True)) == ["已揽收", "已签收"]
    dispatched.refresh_from_db()
    assert dispatched.status == Shipment.Status.DELIVERED

    again = client.post(reverse("logistics:tracking_import"),
                        {"file": SimpleUploadedFile("events.csv", content)}, follow=True)
    assert "0 tracking events imported, 2 already recorded." in again.content.decode()
    assert events.count() == 2


def test_one_bad_row_imports_nothing_and_names_the_rows(client, warehouse_user, dispatched):
    content = _csv(f"SF5001,{_yesterday('09:30')},深圳,已揽收,no",
                   f"NOPE,{_yesterday('10:00')},深圳,x,no",
                   "SF5001,yesterday,深圳,x,maybe",
                   f"SF5001,{_yesterday('11:00')},深圳,,no")
    client.force_login(warehouse_user)
    response = _upload(client, content)
    assert response.status_code == 400
    errors = {(e.row, e.column) for e in response.context["result"].errors}
    assert errors == {(3, "tracking_number"), (4, "time"), (4, "delivered"), (5, "description")}
    assert not TrackingEvent.objects.filter(source=TrackingEvent.Source.IMPORT).exists()


def test_shipment_number_chinese_headers_and_gbk(warehouse_user, dispatched):
    content = ("发货单号,时间,地点,描述,已签收\n"
               f"{dispatched.number},{_yesterday('08:00')},北京,运输中,否\n").encode("gb18030")
    result = importer.import_tracking(content, actor=warehouse_user)
    assert result.ok and result.created_count == 1
    assert dispatched.tracking_events.filter(description="运输中", location="北京").exists()


def test_missing_columns_and_undispatched_shipments(warehouse_user, distributor, make_order):
    result = importer.import_tracking(b"foo,bar\n1,2\n", actor=warehouse_user)
    assert not result.ok and "Missing columns" in result.errors[0].message
    picking = services.create_shipment(order_id=make_order(distributor, 1).pk, actor=warehouse_user)
    result = importer.import_tracking(
        _csv(f"{picking.number},{_yesterday('08:00')},x,y,no", header="shipment,time,location,description,delivered"),
        actor=warehouse_user)
    assert [e.column for e in result.errors] == ["shipment"]


def test_sample_csv_downloads_and_only_for_shipping_staff(client, warehouse_user, channel_manager):
    client.force_login(warehouse_user)
    response = client.get(reverse("logistics:tracking_import"), {"download": "sample"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    keys, rows = importer.read_rows(importer.decode(response.content))
    assert keys == ["tracking_number", "shipment", "time", "location", "description", "delivered"] and len(rows) == 2
    client.force_login(channel_manager)
    assert client.post(reverse("logistics:tracking_import"), {}).status_code == 403


def test_only_csv_files(client, warehouse_user):
    client.force_login(warehouse_user)
    response = _upload(client, b"x", name="events.xlsx")
    assert response.status_code == 200 and response.context["form"].errors["file"]


def test_shipments_out_of_scope_are_unknown(dispatched, other_distributor, make_order, warehouse_user, carrier):
    """A row naming a shipment the importer cannot see is an error, not a write."""
    from django_scopes import scope

    with scope(distributor=[other_distributor.pk], manager=None):
        result = importer.import_tracking(_csv(f"SF5001,{_yesterday('08:00')},x,y,no"), actor=warehouse_user)
    assert [e.column for e in result.errors] == ["tracking_number"]
    assert not dispatched.tracking_events.filter(description="y").exists()
