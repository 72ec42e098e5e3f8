"""Catalog back-office pages: lists, filters, forms, inline price editing, the price
check, images, permissions and tenant scoping of distributor price lists."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from dms.catalog import services
from dms.catalog.models import Category, PriceList, PriceListItem, Product, Promotion
from dms.core.testing.factories import ProductFactory, default_warehouse, portal_user, stock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english):
    yield


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def skus(response):
    return [p.sku for p in response.context["page_obj"].object_list]


def png_bytes():
    buf = BytesIO()
    Image.new("RGB", (4, 4), (0, 90, 200)).save(buf, "PNG")
    return buf.getvalue()


def test_product_list_search_filters_sort_and_export(admin_client):
    drinks = services.save_category(name="饮料")
    tea = services.save_category(name="茶饮料", parent=drinks)
    food = services.save_category(name="食品")
    ProductFactory(sku="T-1", name="冰红茶", category=tea, brand="禾丰", barcode="6900000000011")
    ProductFactory(sku="T-2", name="绿茶", category=tea, brand="禾丰", base_price=Decimal("5"))
    ProductFactory(sku="F-1", name="饼干", category=food, brand="别家", status=Product.Status.DISCONTINUED)
    url = reverse("catalog:products")
    assert skus(admin_client.get(url, {"category": drinks.pk})) == ["T-1", "T-2"]  # includes sub-categories
    assert skus(admin_client.get(url, {"search": "6900000000011"})) == ["T-1"]
    assert skus(admin_client.get(url, {"status": "discontinued"})) == ["F-1"]
    assert skus(admin_client.get(url, {"brand": "禾丰", "sort": "-price"})) == ["T-1", "T-2"]
    partial = admin_client.get(url, {"search": "茶"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"T-2" in partial.content
    assert partial["HX-Push-Url"] == url + "?search=%E8%8C%B6"
    empty = admin_client.get(url, {"search": "nothing"})
    assert "No product matches these filters." in empty.content.decode()
    export = admin_client.get(reverse("catalog:product_export"), {"category": tea.pk})
    sheet = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in sheet[1:]] == ["T-1", "T-2"]


def test_create_edit_discontinue_and_image(admin_client, client, distributor):
    response = admin_client.post(reverse("catalog:product_create"), {
        "sku": "n-1", "name": "新品", "unit": "箱", "pack_size": 12, "base_price": "10.50", "vat_rate": "0.13",
        "moq": 6, "multiple": 3, "image": SimpleUploadedFile("a.png", png_bytes())})
    product = Product.objects.get(sku="N-1")
    assert response.status_code == 302 and response["Location"] == reverse("catalog:product_detail", args=[product.pk])
    image = admin_client.get(reverse("catalog:product_image", args=[product.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content) == png_bytes()

    edit = reverse("catalog:product_edit", args=[product.pk])
    data = {"sku": "N-1", "name": "新品", "unit": "箱", "pack_size": 12, "base_price": "10.50", "vat_rate": "0.13",
            "moq": 6, "multiple": 3}
    bad_image = admin_client.post(edit, {**data, "image": SimpleUploadedFile("a.png", b"GIF89a-not really")})
    assert "image" in bad_image.context["form"].errors
    bad_moq = admin_client.post(edit, {**data, "moq": 7})
    assert "multiple of the order multiple" in bad_moq.context["form"].errors["moq"][0]
    product.refresh_from_db()
    assert product.moq == 6 and product.image.name.endswith(".png")

    admin_client.post(reverse("catalog:product_status", args=[product.pk]), {"status": "discontinued"})
    product.refresh_from_db()
    assert product.status == Product.Status.DISCONTINUED
    detail = admin_client.get(reverse("catalog:product_detail", args=[product.pk])).content.decode()
    assert "This product is discontinued" in detail and "Reactivate" in detail

    client.force_login(portal_user(distributor))
    assert client.get(reverse("catalog:product_image", args=[product.pk])).status_code == 404


def test_product_detail_shows_prices_promotions_stock_and_history(admin_client, product, distributor, make_list):
    make_list(PriceList.Kind.TIER, {product: "88.00"}, name="一级价")
    now = timezone.now()
    services.save_promotion(name="九折", rule=Promotion.Rule.PERCENT_OFF, value=Decimal("10"), starts_at=now,
                            ends_at=now + dt.timedelta(days=3), products=[product])
    stock(product, 25)
    services.update_product(product_id=product.pk, name="改名")
    page = admin_client.get(reverse("catalog:product_detail", args=[product.pk])).content.decode()
    for text in ("一级价", "¥88.00", "九折", default_warehouse().name, "25", "Change history", "改名"):
        assert text in page


def test_warehouse_role_can_view_but_not_change(client, make_staff, product, make_list):
    price_list = make_list(PriceList.Kind.BASE, {product: "1.00"})
    client.force_login(make_staff("warehouse"))
    for name, args in (("catalog:products", []), ("catalog:product_detail", [product.pk]),
                       ("catalog:price_lists", []), ("catalog:price_list_detail", [price_list.pk]),
                       ("catalog:promotions", []), ("catalog:categories", []), ("catalog:price_check", [])):
        assert client.get(reverse(name, args=args)).status_code == 200, name
    page = client.get(reverse("catalog:product_detail", args=[product.pk])).content.decode()
    assert reverse("catalog:product_edit", args=[product.pk]) not in page
    for name, args in (("catalog:product_create", []), ("catalog:product_edit", [product.pk]),
                       ("catalog:product_status", [product.pk]), ("catalog:price_list_create", []),
                       ("catalog:price_list_detail", [price_list.pk]), ("catalog:price_list_status", [price_list.pk]),
                       ("catalog:promotion_create", []), ("catalog:product_import", []),
                       ("catalog:categories", [])):
        assert client.post(reverse(name, args=args), {"status": "discontinued", "product": product.sku,
                                                      "price": "0", "name": "x"}).status_code == 403, name
    product.refresh_from_db()
    assert product.status == Product.Status.ACTIVE and price_list.items.get().price == Decimal("1.00")
    assert not Category.objects.exists()


@pytest.mark.parametrize("name", ["catalog:products", "catalog:price_lists", "catalog:promotions",
                                  "catalog:categories", "catalog:price_check", "catalog:product_export"])
def test_distributor_users_get_404(client, dist_admin, name):
    client.force_login(dist_admin)
    assert client.get(reverse(name)).status_code == 404


def test_distributor_users_get_404_on_objects(client, dist_admin, product):
    client.force_login(dist_admin)
    assert client.get(reverse("catalog:product_detail", args=[product.pk])).status_code == 404
    assert client.post(reverse("catalog:product_status", args=[product.pk]), {"status": "discontinued"}
                       ).status_code == 404


def test_channel_manager_sees_only_his_distributors_price_lists(client, channel_manager, distributor,
                                                                 other_distributor, product, make_list):
    own = make_list(PriceList.Kind.DISTRIBUTOR, {product: "70.00"}, distributor=distributor, name="OWN-LIST")
    other = make_list(PriceList.Kind.DISTRIBUTOR, {product: "60.00"}, distributor=other_distributor,
                      name="OTHER-LIST")
    base = make_list(PriceList.Kind.BASE, {product: "90.00"}, name="BASE-LIST")
    client.force_login(channel_manager)
    listing = client.get(reverse("catalog:price_lists")).content.decode()
    assert "OWN-LIST" in listing and "BASE-LIST" in listing and "OTHER-LIST" not in listing
    assert client.get(reverse("catalog:price_list_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("catalog:price_list_detail", args=[base.pk])).status_code == 200
    for name in ("catalog:price_list_detail", "catalog:price_list_export"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404
    detail = client.get(reverse("catalog:product_detail", args=[product.pk])).content.decode()
    assert "OWN-LIST" in detail and "OTHER-LIST" not in detail
    check = client.get(reverse("catalog:price_check"), {"distributor": other_distributor.pk, "product": product.pk})
    assert "OTHER-LIST" not in check.content.decode() and check.context["result"] is None


def test_price_list_create_and_inline_item_editing(admin_client, product, distributor):
    response = admin_client.post(reverse("catalog:price_list_create"), {
        "name": "专供价", "kind": "distributor", "distributor": distributor.pk, "valid_from": "2026-01-01",
        "currency": "CNY"})
    price_list = PriceList.objects.get(name="专供价")
    assert response.status_code == 302 and price_list.distributor == distributor
    url = reverse("catalog:price_list_detail", args=[price_list.pk])
    added = admin_client.post(url, {"product": product.sku.lower(), "price": "77.70"}, HTTP_HX_REQUEST="true")
    assert added.status_code == 200 and "Price of P-1 saved." in added.content.decode()
    assert b"<html" not in added.content
    refused = admin_client.post(url, {"product": product.sku, "price": "-5"}, HTTP_HX_REQUEST="true")
    assert "Ensure this value is greater than or equal to 0." in refused.content.decode()
    unknown = admin_client.post(url, {"product": "NOPE", "price": "5"}, HTTP_HX_REQUEST="true")
    assert "No product has this SKU." in unknown.content.decode()
    assert PriceListItem.objects.get(price_list=price_list).price == Decimal("77.70")
    admin_client.post(reverse("catalog:price_list_item_remove", args=[price_list.pk]), {"product": product.pk})
    assert not PriceListItem.objects.filter(price_list=price_list).exists()
    admin_client.post(reverse("catalog:price_list_status", args=[price_list.pk]), {"active": "0"})
    price_list.refresh_from_db()
    assert not price_list.is_active


def test_price_list_form_errors(admin_client):
    response = admin_client.post(reverse("catalog:price_list_create"), {
        "name": "x", "kind": "tier", "valid_from": "2026-02-01", "valid_to": "2026-01-01", "currency": "CNY"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"tier", "valid_to"}
    assert not PriceList.objects.exists()


def test_price_list_filters(admin_client, make_list, product):
    today = timezone.localdate()
    make_list(PriceList.Kind.BASE, {}, name="NOW")
    make_list(PriceList.Kind.BASE, {}, name="LATER", valid_from=today + dt.timedelta(days=5))
    make_list(PriceList.Kind.TIER, {}, name="TIER-OFF", is_active=False)
    url = reverse("catalog:price_lists")
    names = lambda r: [pl.name for pl in r.context["page_obj"]]  # noqa: E731
    assert names(admin_client.get(url, {"effective_on": today.isoformat()})) == ["NOW"]
    assert names(admin_client.get(url, {"kind": "tier"})) == ["TIER-OFF"]
    assert set(names(admin_client.get(url, {"active": "true"}))) == {"NOW", "LATER"}
    page = admin_client.get(url).content.decode()
    assert "Which price does a distributor pay?" in page


def test_price_check_shows_resolved_price_and_source(admin_client, product, distributor, make_list):
    make_list(PriceList.Kind.BASE, {product: "95.00"}, name="BASE-LIST")
    make_list(PriceList.Kind.TIER, {product: "85.00"}, name="TIER-LIST", tier=distributor.tier)
    response = admin_client.get(reverse("catalog:price_check"), {"distributor": distributor.pk,
                                                                 "product": product.pk, "quantity": 2})
    result = response.context["result"]
    assert (result["price"], result["source"], result["gross"]) == (Decimal("85.00"), "tier", Decimal("170.00"))
    assert "TIER-LIST" in response.content.decode()


def test_promotion_create_validates_and_edits(admin_client, product):
    url = reverse("catalog:promotion_create")
    data = {"name": "大促", "rule": "percent_off", "value": "0", "starts_at": "2026-01-01T00:00",
            "ends_at": "2026-02-01T00:00", "products": [product.pk], "is_active": "on"}
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "value" in response.context["form"].errors
    assert not Promotion.objects.exists()
    response = admin_client.post(url, {**data, "rule": "buy_n_get_m", "buy_quantity": "10", "free_quantity": "1"})
    promotion = Promotion.objects.get()
    assert response.status_code == 302 and (promotion.buy_quantity, promotion.free_quantity) == (10, 1)
    bad_period = admin_client.post(reverse("catalog:promotion_edit", args=[promotion.pk]),
                                   {**data, "value": "10", "ends_at": "2025-12-01T00:00"})
    assert "ends_at" in bad_period.context["form"].errors
    admin_client.post(reverse("catalog:promotion_status", args=[promotion.pk]), {"active": "0"})
    promotion.refresh_from_db()
    assert not promotion.is_active
    listing = admin_client.get(reverse("catalog:promotions"), {"state": "inactive"})
    assert [p.pk for p in listing.context["page_obj"]] == [promotion.pk]


def test_category_page_create_move_and_delete(admin_client):
    url = reverse("catalog:categories")
    admin_client.post(url, {"new-name": "饮料", "new-sort_order": 0})
    drinks = Category.objects.get(name="饮料")
    admin_client.post(url, {"new-name": "茶", "new-parent": drinks.pk})
    tea = Category.objects.get(name="茶")
    response = admin_client.post(reverse("catalog:category_edit", args=[drinks.pk]),
                                 {f"c{drinks.pk}-name": "饮料", f"c{drinks.pk}-parent": tea.pk}, follow=True)
    drinks.refresh_from_db()
    assert drinks.parent is None
    assert "A category cannot be moved under itself or its sub-categories." in response.content.decode()
    response = admin_client.post(reverse("catalog:category_delete", args=[drinks.pk]), follow=True)
    assert "Only an empty category can be deleted" in response.content.decode()
    admin_client.post(reverse("catalog:category_delete", args=[tea.pk]))
    assert list(Category.objects.values_list("name", flat=True)) == ["饮料"]



def test_category_page_reads_the_tree_once_whatever_its_size(admin_client, django_assert_max_num_queries):
    drinks = services.save_category(name="饮料")
    tea = services.save_category(name="茶", parent=drinks)
    for i in range(8):
        services.save_category(name=f"食品{i}")
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("catalog:categories"))
    forms = {row["category"].pk: row["form"] for row in response.context["tree"]}
    # a category cannot move under itself or below: those are not among its parent choices
    assert {pk for pk, _label in forms[drinks.pk].fields["parent"].choices if pk} & {drinks.pk, tea.pk} == set()
    assert drinks.pk in {pk for pk, _label in forms[tea.pk].fields["parent"].choices}
