"""Catalog services: validation, audit, categories, price lists and promotion rules."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from dms.audit.models import AuditLog
from dms.catalog import services
from dms.catalog.models import Category, PriceList, PriceListItem, Product, Promotion
from dms.core.errors import Conflict, ValidationFailed
from dms.core.testing.factories import ProductFactory, tier

pytestmark = pytest.mark.django_db


def png(size=(8, 8)) -> SimpleUploadedFile:
    buf = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "PNG")
    return SimpleUploadedFile("photo.png", buf.getvalue(), content_type="image/png")


def new_product(**overrides):
    data = {"sku": "hf-1", "name": "山泉水", "unit": "箱", "base_price": "28.80"}
    data.update(overrides)
    return services.create_product(**data)


def test_create_product_normalises_and_audits():
    product = new_product(sku=" hf-1 ", moq=10, multiple=5)
    assert product.sku == "HF-1" and product.base_price == Decimal("28.80")
    log = AuditLog.objects.get(model="catalog.product", object_id=str(product.pk))
    assert log.action == AuditLog.Action.CREATE and log.changes["sku"] == [None, "HF-1"]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"base_price": "-1"}, "base_price"),
    ({"moq": 7, "multiple": 5}, "moq"),
    ({"multiple": 0}, "multiple"),
    ({"name": ""}, "name"),
    ({"base_price": "abc"}, "base_price"),
])
def test_invalid_products_are_refused(overrides, field):
    with pytest.raises(ValidationFailed) as exc:
        new_product(**overrides)
    assert field in exc.value.fields
    assert not Product.objects.exists()


def test_duplicate_sku_is_a_field_error():
    new_product()
    with pytest.raises(ValidationFailed) as exc:
        new_product(sku="HF-1", name="other")
    assert "sku" in exc.value.fields


def test_image_is_checked_by_content_and_size(settings, english):
    product = new_product(image=png())
    assert product.image.name.endswith(".png")
    fake = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ValidationFailed) as exc:
        services.update_product(product_id=product.pk, image=fake)
    assert "image" in exc.value.fields
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationFailed) as exc:
        services.update_product(product_id=product.pk, image=png())
    assert "too large" in str(exc.value.fields["image"][0])
    product.refresh_from_db()
    assert product.image.name.endswith(".png")


def test_discontinue_and_reactivate_is_audited_as_a_transition(product):
    services.set_product_status(product_id=product.pk, status=Product.Status.DISCONTINUED)
    product.refresh_from_db()
    assert product.status == Product.Status.DISCONTINUED
    assert AuditLog.objects.filter(model="catalog.product", object_id=str(product.pk),
                                   action=AuditLog.Action.TRANSITION).exists()
    services.set_product_status(product_id=product.pk, status=Product.Status.ACTIVE)
    product.refresh_from_db()
    assert product.status == Product.Status.ACTIVE
    with pytest.raises(ValidationFailed):
        services.set_product_status(product_id=product.pk, status="gone")


def test_categories_cannot_form_a_cycle():
    food = services.save_category(name="食品")
    snacks = services.save_category(name="零食", parent=food)
    nuts = services.save_category(name="坚果", parent=snacks)
    for parent in (food, nuts):
        with pytest.raises(ValidationFailed) as exc:
            services.save_category(category_id=food.pk, name="食品", parent=parent)
        assert "parent" in exc.value.fields
    moved = services.save_category(category_id=nuts.pk, name="坚果炒货", parent=food)
    assert (moved.parent, moved.name) == (food, "坚果炒货")
    with pytest.raises(ValidationFailed) as exc:
        services.save_category(name="零食", parent=food)
    assert "name" in exc.value.fields


def test_only_empty_categories_can_be_deleted():
    food = services.save_category(name="食品")
    snacks = services.save_category(name="零食", parent=food)
    ProductFactory(category=snacks)
    with pytest.raises(Conflict):
        services.delete_category(category_id=food.pk)
    with pytest.raises(Conflict):
        services.delete_category(category_id=snacks.pk)
    empty = services.save_category(name="空")
    services.delete_category(category_id=empty.pk)
    assert not Category.objects.filter(pk=empty.pk).exists()


@pytest.mark.parametrize(("data", "field"), [
    ({"kind": "tier"}, "tier"),
    ({"kind": "distributor"}, "distributor"),
    ({"kind": "base", "valid_to": dt.date(2025, 12, 31)}, "valid_to"),
])
def test_price_list_targets_and_dates_are_checked(data, field):
    with pytest.raises(ValidationFailed) as exc:
        services.create_price_list(name="x", valid_from=dt.date(2026, 1, 1), **data)
    assert field in exc.value.fields
    assert not PriceList.objects.exists()


def test_a_target_of_another_kind_is_dropped(distributor):
    price_list = services.create_price_list(name="base", kind="base", valid_from=dt.date(2026, 1, 1),
                                            tier=tier(1), distributor=distributor)
    assert price_list.tier is None and price_list.distributor is None


def test_price_items_set_change_remove_and_audit(product, make_list):
    price_list = make_list(PriceList.Kind.BASE, {})
    services.set_price_list_item(price_list_id=price_list.pk, product_id=product.pk, price="12.5")
    services.set_price_list_item(price_list_id=price_list.pk, product_id=product.pk, price=Decimal("11.00"))
    assert PriceListItem.objects.get(price_list=price_list, product=product).price == Decimal("11.00")
    assert PriceListItem.objects.filter(price_list=price_list).count() == 1
    services.remove_price_list_item(price_list_id=price_list.pk, product_id=product.pk)
    assert not PriceListItem.objects.filter(price_list=price_list).exists()
    changes = [log.changes["P-1"] for log in AuditLog.objects.filter(model="catalog.pricelist",
                                                                     object_id=str(price_list.pk)).order_by("pk")
               if "P-1" in log.changes]
    assert changes == [[None, "12.50"], ["12.50", "11.00"], ["11.00", None]]


@pytest.mark.parametrize("price", ["-0.01", "1.234", "abc", "NaN", "1e20"])
def test_bad_prices_are_refused(product, make_list, price):
    price_list = make_list(PriceList.Kind.BASE, {})
    with pytest.raises(ValidationFailed) as exc:
        services.set_price_list_item(price_list_id=price_list.pk, product_id=product.pk, price=price)
    assert "price" in exc.value.fields
    assert not PriceListItem.objects.exists()


def test_zero_price_is_allowed(product, make_list):
    price_list = make_list(PriceList.Kind.BASE, {product: "0"})
    assert price_list.items.get().price == Decimal("0.00")


def promotion(**overrides):
    now = timezone.now()
    data = {"name": "促销", "rule": Promotion.Rule.PERCENT_OFF, "value": Decimal("10"), "starts_at": now,
            "ends_at": now + dt.timedelta(days=7), "products": [ProductFactory()]}
    data.update(overrides)
    return services.save_promotion(**data)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"value": Decimal("0")}, "value"),
    ({"value": Decimal("100.01")}, "value"),
    ({"rule": Promotion.Rule.FIXED_PRICE, "value": Decimal("-1")}, "value"),
    ({"rule": Promotion.Rule.BUY_N_GET_M, "buy_quantity": 0, "free_quantity": 1}, "buy_quantity"),
    ({"rule": Promotion.Rule.BUY_N_GET_M, "buy_quantity": 3, "free_quantity": 0}, "free_quantity"),
    ({"ends_at": timezone.now() - dt.timedelta(days=1)}, "ends_at"),
    ({"products": []}, "products"),
])
def test_promotion_rules_are_validated(overrides, field):
    with pytest.raises(ValidationFailed) as exc:
        promotion(**overrides)
    assert field in exc.value.fields
    assert not Promotion.objects.exists()


def test_promotion_edges_are_accepted_and_changes_audited():
    p = promotion(value=Decimal("100"))
    assert p.value == Decimal("100.00")
    other = ProductFactory(sku="ZZ-9")
    p = services.save_promotion(promotion_id=p.pk, name="促销", rule=Promotion.Rule.BUY_N_GET_M, value=Decimal("5"),
                                buy_quantity=1, free_quantity=1, starts_at=p.starts_at, ends_at=p.ends_at,
                                products=[other], tiers=[tier(2)])
    assert (p.value, p.buy_quantity, p.free_quantity) == (Decimal("0"), 1, 1)
    assert list(p.products.all()) == [other] and list(p.tiers.all()) == [tier(2)]
    log = AuditLog.objects.filter(model="catalog.promotion", object_id=str(p.pk), changes__has_key="products").first()
    assert log.changes["products"][1] == "ZZ-9"
    services.set_promotion_active(promotion_id=p.pk, active=False)
    p.refresh_from_db()
    assert not p.is_active
