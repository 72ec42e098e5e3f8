"""The inventory API: warehouses, stock levels, adjustments and the ledger."""

import pytest

from dms.core.testing.factories import ProductFactory, WarehouseFactory, bearer, default_warehouse, stock
from dms.inventory.models import StockLevel, StockMove
from dms.orders import services as orders

pytestmark = pytest.mark.django_db

STOCK = "/api/v1/stock/"
ADJUST = "/api/v1/stock/adjustments/"
MOVES = "/api/v1/stock/moves/"


def post(client, url, user, data):
    return client.post(url, data, content_type="application/json", **bearer(user))


def error(response):
    return response.json()["error"]


@pytest.fixture
def clerk(make_staff):
    return make_staff("warehouse")


def test_warehouses_for_staff_and_distributors(client, clerk, dist_admin):
    main = default_warehouse()
    WarehouseFactory(code="OLD", is_active=False, address="旧仓地址")
    staff = client.get("/api/v1/warehouses/", **bearer(clerk)).json()
    assert {w["code"] for w in staff["results"]} == {main.code, "OLD"}
    assert client.get("/api/v1/warehouses/?active=false", **bearer(clerk)).json()["results"][0]["code"] == "OLD"
    portal = client.get("/api/v1/warehouses/", **bearer(dist_admin)).json()["results"]
    assert portal == [{"id": main.pk, "code": main.code, "name": main.name}]


def test_stock_rows_with_filters(client, clerk):
    p1, p2 = ProductFactory(sku="A-1"), ProductFactory(sku="B-2")
    main = stock(p1, 10)
    stock(p2, 5)
    second = WarehouseFactory()
    stock(p1, 7, warehouse=second)
    StockLevel.objects.filter(product=p1, warehouse=main).update(reserved=4)
    headers = bearer(clerk)
    rows = client.get(f"{STOCK}?product={p1.pk}", **headers).json()["results"]
    assert {(r["warehouse"], r["on_hand"], r["reserved"], r["available"]) for r in rows} == {
        (main.pk, 10, 4, 6), (second.pk, 7, 0, 7)}
    only = client.get(f"{STOCK}?product={p1.pk}&warehouse={second.pk}", **headers).json()["results"]
    assert [(r["product"], r["sku"], r["available"]) for r in only] == [(p1.pk, "A-1", 7)]
    assert [r["sku"] for r in client.get(f"{STOCK}?ordering=-available", **headers).json()["results"]] == [
        "A-1", "A-1", "B-2"]
    assert client.get(f"{STOCK}?search=B-2", **headers).json()["count"] == 1
    assert client.get(f"{STOCK}?available_below=6", **headers).json()["count"] == 1


def test_distributors_and_roles_without_stock_access_get_403(client, dist_admin, make_staff):
    for user in (dist_admin, make_staff("finance")):
        for url in (STOCK, MOVES):
            response = client.get(url, **bearer(user))
            assert response.status_code == 403 and error(response)["code"] == "permission_denied"


def test_adjustment_up_and_down(client, clerk):
    product = ProductFactory()
    warehouse = stock(product, 10)
    response = post(client, ADJUST, clerk, {"warehouse": warehouse.pk, "product": product.pk, "quantity": -3,
                                            "reason": "盘点破损"})
    assert response.status_code == 201
    move = response.json()
    assert (move["kind"], move["on_hand_delta"], move["reserved_delta"], move["reason"]) == (
        "adjustment", -3, 0, "盘点破损")
    assert move["actor"] == clerk.username
    new_product = ProductFactory()
    up = post(client, ADJUST, clerk, {"warehouse": warehouse.pk, "product": new_product.pk, "quantity": 4,
                                      "reason": "找到一箱"})
    assert up.status_code == 201
    assert StockLevel.objects.get(product=product).on_hand == 7
    assert StockLevel.objects.get(product=new_product).on_hand == 4


def test_adjustment_below_zero_or_reserved_is_409(client, clerk, distributor):
    product = ProductFactory()
    warehouse = stock(product, 10)
    orders.create_order(distributor=distributor, lines=[{"product": product.pk, "quantity": 6}], submit=True)
    below_zero = post(client, ADJUST, clerk, {"warehouse": warehouse.pk, "product": product.pk, "quantity": -11,
                                              "reason": "丢失"})
    assert below_zero.status_code == 409
    assert error(below_zero)["code"] == "insufficient_stock"
    assert error(below_zero)["short_lines"][0]["sku"] == product.sku
    below_reserved = post(client, ADJUST, clerk, {"warehouse": warehouse.pk, "product": product.pk,
                                                  "quantity": -5, "reason": "丢失"})
    assert below_reserved.status_code == 409
    assert StockLevel.objects.get(product=product).on_hand == 10
    assert not StockMove.objects.filter(kind="adjustment").exists()


@pytest.mark.parametrize("change, field", [
    ({"quantity": 0}, "quantity"),
    ({"quantity": 1.5}, "quantity"),
    ({"quantity": "many"}, "quantity"),
    ({"reason": ""}, "reason"),
    ({"reason": None}, "reason"),
    ({"product": 999999}, "product"),
    ({"warehouse": 999999}, "warehouse"),
])
def test_bad_adjustments_are_400(client, clerk, change, field):
    product = ProductFactory()
    warehouse = stock(product, 10)
    data = {"warehouse": warehouse.pk, "product": product.pk, "quantity": 2, "reason": "盘盈", **change}
    response = post(client, ADJUST, clerk, data)
    assert response.status_code == 400
    assert field in error(response)["fields"]
    assert StockLevel.objects.get(product=product).on_hand == 10


def test_missing_reason_is_400(client, clerk):
    product = ProductFactory()
    warehouse = stock(product, 10)
    response = post(client, ADJUST, clerk, {"warehouse": warehouse.pk, "product": product.pk, "quantity": 2})
    assert response.status_code == 400 and "reason" in error(response)["fields"]


def test_adjusting_needs_the_permission(client, dist_admin, channel_manager):
    product = ProductFactory()
    warehouse = stock(product, 10)
    data = {"warehouse": warehouse.pk, "product": product.pk, "quantity": 2, "reason": "x"}
    assert post(client, ADJUST, dist_admin, data).status_code == 403
    assert post(client, ADJUST, channel_manager, data).status_code == 403
    assert StockLevel.objects.get(product=product).on_hand == 10


def test_ledger_filters_and_pages(client, clerk, distributor):
    p1, p2 = ProductFactory(), ProductFactory()
    stock(p1, 10)
    stock(p2, 10)
    order = orders.create_order(distributor=distributor, lines=[{"product": p1.pk, "quantity": 2}], submit=True)
    headers = bearer(clerk)
    moves = client.get(f"{MOVES}?product={p1.pk}", **headers).json()
    assert [(m["kind"], m["on_hand_delta"], m["reserved_delta"]) for m in moves["results"]] == [
        ("reservation", 0, 2), ("receipt", 10, 0)]
    assert moves["results"][0]["reference"] == order.number
    reservations = client.get(f"{MOVES}?kind=reservation", **headers).json()
    assert reservations["count"] == 1
    page = client.get(f"{MOVES}?page_size=2", **headers).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]


def test_a_channel_manager_sees_only_his_distributors_order_numbers(client, distributor, other_distributor,
                                                                    channel_manager):
    product = ProductFactory()
    stock(product, 10)
    mine = orders.create_order(distributor=distributor, lines=[{"product": product.pk, "quantity": 1}], submit=True)
    theirs = orders.create_order(distributor=other_distributor, lines=[{"product": product.pk, "quantity": 1}],
                                 submit=True)
    headers = bearer(channel_manager)
    body = client.get(f"{MOVES}?kind=reservation", **headers)
    assert body.status_code == 200
    references = [m["reference"] for m in body.json()["results"]]
    assert mine.number in references and theirs.number not in references and "" in references
    assert theirs.number not in body.content.decode()
    assert client.get(f"{MOVES}?reference={theirs.number}", **headers).json()["results"] == []
    assert len(client.get(f"{MOVES}?reference={mine.number}", **headers).json()["results"]) == 1
