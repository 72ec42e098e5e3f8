import datetime as dt

import pytest

from dms.core.testing.factories import bearer
from dms.crm.models import Customer

from .factories import customer

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/"


def test_distributor_creates_lists_and_updates_its_customers(client, distributor, dist_admin, other_distributor):
    customer(other_distributor, name="别家客户")
    headers = bearer(dist_admin)
    body = {"name": "南山超市", "type": "retailer", "region_code": "440305", "tags": ["KA"],
            "contacts": [{"name": "赵六", "phone": "13800000001"}]}
    response = client.post(URL, body, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["distributor"] == distributor.pk and data["tags"] == ["KA"] and data["contacts"][0]["is_primary"]
    listing = client.get(URL + "?search=南山&ordering=-name", **headers).json()
    assert listing["count"] == 1 and listing["results"][0]["name"] == "南山超市"
    pk = data["id"]
    response = client.patch(f"{URL}{pk}/", {"status": "active"}, content_type="application/json", **headers)
    assert response.status_code == 200 and response.json()["status"] == "active"
    response = client.patch(f"{URL}{pk}/", {"status": "bogus"}, content_type="application/json", **headers)
    assert response.status_code == 400 and response.json()["error"]["code"] == "validation_error"


def test_duplicate_is_409_with_the_existing_record(client, distributor, dist_admin):
    existing = customer(distributor, name="华强便利店")
    response = client.post(URL, {"name": "华强便利店"}, content_type="application/json", **bearer(dist_admin))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "duplicate_customer" and error["duplicates"][0]["id"] == existing.pk
    response = client.post(URL, {"name": "华强便利店", "allow_duplicate": True}, content_type="application/json",
                           **bearer(dist_admin))
    assert response.status_code == 201


def test_follow_ups_list_and_create(client, distributor, dist_admin):
    c = customer(distributor)
    headers = bearer(dist_admin)
    url = f"{URL}{c.pk}/follow-ups/"
    body = {"date": dt.date.today().isoformat(), "channel": "visit", "summary": "拜访", "next_date":
            (dt.date.today() + dt.timedelta(days=7)).isoformat()}
    response = client.post(url, body, content_type="application/json", **headers)
    assert response.status_code == 201 and response.json()["created_by"] == dist_admin.username
    assert client.get(url, **headers).json()["count"] == 1
    assert client.get(f"{URL}{c.pk}/", **headers).json()["next_follow_up_date"] == body["next_date"]


def test_another_distributors_customer_is_404(client, distributor, other_dist_admin):
    c = customer(distributor)
    headers = bearer(other_dist_admin)
    assert client.get(f"{URL}{c.pk}/", **headers).status_code == 404
    assert client.patch(f"{URL}{c.pk}/", {"name": "x"}, content_type="application/json", **headers).status_code == 404
    assert client.post(f"{URL}{c.pk}/follow-ups/", {}, content_type="application/json", **headers).status_code == 404
    assert client.get(URL, **headers).json()["count"] == 0


def test_staff_permissions(client, distributor, channel_manager, make_staff):
    c = customer(distributor)
    ops = make_staff("sales_ops", username="ops1")
    assert client.get(URL, **bearer(ops)).status_code == 403
    summary = client.get(URL + "summary/", **bearer(ops))
    assert summary.status_code == 200 and summary.json()["total"] == 1 and "华强便利店" not in summary.content.decode()
    assert client.get(URL + "summary/", **bearer(make_staff("warehouse", username="wh1"))).status_code == 403
    headers = bearer(channel_manager)
    assert client.get(f"{URL}{c.pk}/", **headers).status_code == 200
    assert client.patch(f"{URL}{c.pk}/", {"name": "x"}, content_type="application/json", **headers).status_code == 403
    assert client.post(URL, {"name": "x"}, content_type="application/json", **headers).status_code == 403
    assert Customer.objects.get().name == "华强便利店"
