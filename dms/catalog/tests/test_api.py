"""The catalog API: products, the price a distributor pays, and price lists."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dms.catalog.models import Category, PriceList, PriceListItem, Product, Promotion
from dms.core.testing.factories import DistributorFactory, ProductFactory, bearer, tier

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


def post(client, url, user, data):
    return client.post(url, data, content_type="application/json", **bearer(user))


def patch(client, url, user, data):
    return client.patch(url, data, content_type="application/json", **bearer(user))


def error(response):
    return response.json()["error"]


def price_list(kind, *, product, price, days_ago=10, **target):
    pl = PriceList.objects.create(name=f"{kind} list", kind=kind, valid_from=timezone.localdate()
                                  - dt.timedelta(days=days_ago), **target)
    PriceListItem.objects.create(price_list=pl, product=product, price=Decimal(price))
    return pl


def test_staff_create_a_product_with_the_minimum(client, admin_user):
    response = post(client, PRODUCTS, admin_user, {"sku": "tea-001", "name": "铁观音礼盒", "unit": "盒",
                                                   "base_price": "128.50"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sku"] == "TEA-001" and body["base_price"] == "128.50"
    assert (body["moq"], body["multiple"], body["status"]) == (1, 1, "active")
    assert body["price"] is None  # staff have no distributor price
    assert Product.objects.get(pk=body["id"]).name == "铁观音礼盒"


def test_create_with_every_field(client, admin_user):
    category = Category.objects.create(name="茶叶")
    data = {"sku": "TEA-002", "name": "普洱", "unit": "饼", "base_price": "88", "barcode": "6901234567892",
            "specification": "357g", "pack_size": 7, "category": category.pk, "brand": "云南", "vat_rate": "0.09",
            "moq": 14, "multiple": 7, "description": "熟茶"}
    body = post(client, PRODUCTS, admin_user, data).json()
    assert (body["category"], body["category_name"], body["moq"], body["multiple"], body["vat_rate"]) == (
        category.pk, "茶叶", 14, 7, "0.0900")


@pytest.mark.parametrize("data, field", [
    ({"name": "x", "unit": "箱", "base_price": "1"}, "sku"),
    ({"sku": "S1", "unit": "箱", "base_price": "1"}, "name"),
    ({"sku": "S1", "name": "x", "base_price": "1"}, "unit"),
    ({"sku": "S1", "name": "x", "unit": "箱"}, "base_price"),
    ({"sku": "S1", "name": "x", "unit": "箱", "base_price": "-1"}, "base_price"),
    ({"sku": "S1", "name": "x", "unit": "箱", "base_price": "abc"}, "base_price"),
    ({"sku": "S1", "name": "x", "unit": "箱", "base_price": "1", "moq": 0}, "moq"),
    ({"sku": "S1", "name": "x", "unit": "箱", "base_price": "1", "moq": 5, "multiple": 2}, "moq"),
    ({"sku": "S1", "name": "x", "unit": "箱", "base_price": "1", "category": 99999}, "category"),
])
def test_create_errors(client, admin_user, data, field):
    response = post(client, PRODUCTS, admin_user, data)
    assert response.status_code == 400
    assert field in error(response)["fields"]
    assert not Product.objects.exists()


def test_duplicate_sku_is_a_field_error(client, admin_user):
    ProductFactory(sku="DUP-1")
    response = post(client, PRODUCTS, admin_user, {"sku": "dup-1", "name": "x", "unit": "箱", "base_price": "1"})
    assert response.status_code == 400 and "sku" in error(response)["fields"]


def test_only_catalog_editors_create_and_change(client, dist_admin, channel_manager, make_staff):
    product = ProductFactory(name="旧名")
    data = {"sku": "NEW-1", "name": "x", "unit": "箱", "base_price": "1"}
    for user in (dist_admin, channel_manager):
        assert post(client, PRODUCTS, user, data).status_code == 403
        assert patch(client, f"{PRODUCTS}{product.pk}/", user, {"name": "新名"}).status_code == 403
    ops = make_staff("sales_ops")
    response = patch(client, f"{PRODUCTS}{product.pk}/", ops, {"name": "新名", "status": "discontinued"})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["status"]) == ("新名", "discontinued")
    bad = patch(client, f"{PRODUCTS}{product.pk}/", ops, {"base_price": "-5"})
    assert bad.status_code == 400 and "base_price" in error(bad)["fields"]
    product.refresh_from_db()
    assert product.base_price == Decimal("100.00")


def test_distributors_list_active_products_with_their_price(client, dist_admin, distributor, admin_user):
    tea = ProductFactory(sku="A-TEA", name="绿茶", base_price=Decimal("50.00"))
    ProductFactory(sku="B-OLD", status=Product.Status.DISCONTINUED)
    ProductFactory(sku="C-CUP", name="茶杯")
    price_list(PriceList.Kind.DISTRIBUTOR, product=tea, price="41.00", distributor=distributor)
    body = client.get(PRODUCTS, **bearer(dist_admin)).json()
    assert [(p["sku"], p["price"]) for p in body["results"]] == [("A-TEA", "41.00"), ("C-CUP", "100.00")]
    assert client.get(f"{PRODUCTS}?status=discontinued", **bearer(dist_admin)).json()["count"] == 0
    old = Product.objects.get(sku="B-OLD")
    assert client.get(f"{PRODUCTS}{old.pk}/", **bearer(dist_admin)).status_code == 404
    staff = client.get(f"{PRODUCTS}?status=discontinued", **bearer(admin_user)).json()
    assert [p["sku"] for p in staff["results"]] == ["B-OLD"]


def test_product_filters_ordering_and_pages(client, admin_user):
    drinks = Category.objects.create(name="饮品")
    tea = Category.objects.create(name="茶", parent=drinks)
    ProductFactory(sku="P-1", name="乌龙", category=tea, base_price=Decimal("30"))
    ProductFactory(sku="P-2", name="可乐", category=drinks, base_price=Decimal("3"))
    ProductFactory(sku="P-3", name="纸巾", base_price=Decimal("9"))
    headers = bearer(admin_user)
    in_drinks = client.get(f"{PRODUCTS}?category={drinks.pk}", **headers).json()
    assert [p["sku"] for p in in_drinks["results"]] == ["P-1", "P-2"]
    assert client.get(f"{PRODUCTS}?search=乌龙", **headers).json()["results"][0]["sku"] == "P-1"
    by_price = client.get(f"{PRODUCTS}?ordering=-price", **headers).json()["results"]
    assert [p["sku"] for p in by_price] == ["P-1", "P-3", "P-2"]
    page = client.get(f"{PRODUCTS}?page_size=2&page=2", **headers).json()
    assert page["count"] == 3 and [p["sku"] for p in page["results"]] == ["P-3"]


def test_price_follows_the_precedence(client, dist_admin, distributor):
    product = ProductFactory(base_price=Decimal("100.00"), moq=2)
    url = f"{PRODUCTS}{product.pk}/price/"
    body = client.get(url, **bearer(dist_admin)).json()
    assert (body["unit_price"], body["source"], body["quantity"], body["amount"]) == ("100.00", "product", 2,
                                                                                      "200.00")
    assert body["distributor"] == distributor.pk and body["currency"] == "CNY"
    price_list(PriceList.Kind.BASE, product=product, price="95.00")
    assert client.get(url, **bearer(dist_admin)).json()["source"] == "base"
    price_list(PriceList.Kind.TIER, product=product, price="90.00", tier=distributor.tier)
    price_list(PriceList.Kind.TIER, product=product, price="10.00", tier=tier(2))  # another tier's
    assert client.get(url, **bearer(dist_admin)).json()["unit_price"] == "90.00"
    price_list(PriceList.Kind.DISTRIBUTOR, product=product, price="85.00", distributor=distributor)
    body = client.get(url, **bearer(dist_admin)).json()
    assert (body["unit_price"], body["source"]) == ("85.00", "distributor")


def test_price_with_promotions(client, dist_admin):
    product = ProductFactory(base_price=Decimal("10.00"))
    now = timezone.now()
    promo = Promotion.objects.create(name="买五送一", rule=Promotion.Rule.BUY_N_GET_M, buy_quantity=5,
                                     free_quantity=1, starts_at=now - dt.timedelta(days=1),
                                     ends_at=now + dt.timedelta(days=1))
    promo.products.add(product)
    ended = Promotion.objects.create(name="已结束", rule=Promotion.Rule.PERCENT_OFF, value=Decimal("50"),
                                     starts_at=now - dt.timedelta(days=9), ends_at=now - dt.timedelta(days=1))
    ended.products.add(product)
    body = client.get(f"{PRODUCTS}{product.pk}/price/?quantity=12", **bearer(dist_admin)).json()
    assert [p["name"] for p in body["promotions"]] == ["买五送一"]
    assert (body["quantity"], body["amount"], body["promotion"]) == (12, "100.00", promo.pk)
    bad = client.get(f"{PRODUCTS}{product.pk}/price/?quantity=0", **bearer(dist_admin))
    assert bad.status_code == 400 and "quantity" in error(bad)["fields"]


def test_staff_ask_for_a_distributors_price_within_their_scope(client, channel_manager, distributor,
                                                                other_distributor):
    product = ProductFactory()
    price_list(PriceList.Kind.DISTRIBUTOR, product=product, price="66.00", distributor=distributor)
    price_list(PriceList.Kind.DISTRIBUTOR, product=product, price="55.00", distributor=other_distributor)
    url = f"{PRODUCTS}{product.pk}/price/"
    headers = bearer(channel_manager)
    missing = client.get(url, **headers)
    assert missing.status_code == 400 and "distributor" in error(missing)["fields"]
    assert client.get(f"{url}?distributor={distributor.pk}", **headers).json()["unit_price"] == "66.00"
    outside = client.get(f"{url}?distributor={other_distributor.pk}", **headers)
    assert outside.status_code == 404 and "55.00" not in outside.content.decode()


def test_a_distributor_gets_his_own_price_whatever_he_asks(client, dist_admin, other_distributor):
    product = ProductFactory()
    price_list(PriceList.Kind.DISTRIBUTOR, product=product, price="55.00", distributor=other_distributor)
    body = client.get(f"{PRODUCTS}{product.pk}/price/?distributor={other_distributor.pk}", **bearer(dist_admin))
    assert body.json()["unit_price"] == "100.00" and body.json()["distributor"] != other_distributor.pk


def test_price_lists_a_distributor_sees(client, dist_admin, distributor, other_distributor, admin_user):
    product = ProductFactory()
    base = price_list(PriceList.Kind.BASE, product=product, price="1")
    own_tier = price_list(PriceList.Kind.TIER, product=product, price="1", tier=distributor.tier)
    price_list(PriceList.Kind.TIER, product=product, price="1", tier=tier(2))
    own = price_list(PriceList.Kind.DISTRIBUTOR, product=product, price="1", distributor=distributor)
    theirs = price_list(PriceList.Kind.DISTRIBUTOR, product=product, price="1", distributor=other_distributor)
    seen = {p["id"] for p in client.get("/api/v1/price-lists/", **bearer(dist_admin)).json()["results"]}
    assert seen == {base.pk, own_tier.pk, own.pk}
    assert client.get(f"/api/v1/price-lists/{theirs.pk}/", **bearer(dist_admin)).status_code == 404
    detail = client.get(f"/api/v1/price-lists/{own.pk}/", **bearer(dist_admin)).json()
    assert detail["items"] == [{"product": product.pk, "sku": product.sku, "name": product.name, "price": "1.00"}]
    assert client.get("/api/v1/price-lists/", **bearer(admin_user)).json()["count"] == 5


def test_channel_manager_does_not_see_other_distributors_price_lists(client, channel_manager, other_distributor):
    product = ProductFactory()
    theirs = price_list(PriceList.Kind.DISTRIBUTOR, product=product, price="1", distributor=other_distributor)
    other = DistributorFactory()
    price_list(PriceList.Kind.DISTRIBUTOR, product=product, price="1", distributor=other)
    assert client.get("/api/v1/price-lists/", **bearer(channel_manager)).json()["count"] == 0
    assert client.get(f"/api/v1/price-lists/{theirs.pk}/", **bearer(channel_manager)).status_code == 404
