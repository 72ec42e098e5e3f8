"""Excel import of products and prices: all or nothing, errors by row and column."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dms.catalog import services
from dms.catalog.models import PriceList, Product
from dms.core.excel import read_xlsx
from dms.core.testing.factories import ProductFactory

pytestmark = pytest.mark.django_db


def rows(headers, *data):
    """What read_xlsx returns for a sheet starting at row 1."""
    return [{**dict(zip(headers, values, strict=True)), "_row": n} for n, values in enumerate(data, start=2)]


def xlsx(headers, *data) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for values in data:
        ws.append(list(values))
    buf = BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("p.xlsx", buf.getvalue())


HEADERS = ["SKU", "名称", "单位", "基础价", "分类", "起订量", "订购倍数"]


def test_products_are_created_and_updated_by_sku():
    drinks = services.save_category(name="饮料")
    water = services.save_category(name="包装水", parent=drinks)
    existing = ProductFactory(sku="W-1", name="旧名", base_price=Decimal("10.00"))
    result = services.import_products(rows(
        HEADERS,
        ("w-1", "新名", "", "12.5", "", None, None),              # update: empty cells keep the value
        ("W-2", "矿泉水", "箱", 30, "饮料 / 包装水", 10, 5),
        ("W-3", "纯净水", "箱", "22.8", "包装水", "", ""),
    ))
    assert result.ok, result.errors
    assert (result.created_count, result.updated_count) == (2, 1)
    existing.refresh_from_db()
    assert (existing.name, existing.unit, existing.base_price) == ("新名", "箱", Decimal("12.50"))
    w2 = Product.objects.get(sku="W-2")
    assert (w2.category, w2.moq, w2.multiple, w2.base_price) == (water, 10, 5, Decimal("30.00"))
    assert Product.objects.get(sku="W-3").category == water


def test_one_bad_row_imports_nothing_and_every_problem_is_reported(english):
    existing = ProductFactory(sku="W-1", name="旧名")
    result = services.import_products(rows(
        HEADERS,
        ("W-1", "新名", "", "", "", None, None),
        ("W-2", "矿泉水", "箱", "-3", "", None, None),
        ("W-3", "", "箱", "1", "没有这个分类", None, None),
        ("W-4", "好水", "箱", "1", "", 7, 5),                      # caught by the service
        ("W-2", "重复", "箱", "1", "", None, None),
        ("W-6", "好水", "箱", "1", "", "1.5", None),
    ))
    assert not result.ok
    found = {(e.row, e.column) for e in result.errors}
    assert found == {(3, "Base price"), (4, "Name"), (4, "Category"), (6, "SKU"), (7, "Minimum order quantity")}
    assert Product.objects.count() == 1
    existing.refresh_from_db()
    assert existing.name == "旧名"


def test_service_errors_found_while_writing_roll_back_the_earlier_rows(english):
    result = services.import_products(rows(HEADERS, ("W-1", "好水", "箱", "1", "", None, None),
                                           ("W-2", "坏水", "箱", "1", "", 7, 5)))
    assert [(e.row, e.column) for e in result.errors] == [(3, "Minimum order quantity")]
    assert not Product.objects.exists()


def test_missing_required_column_is_reported(english):
    result = services.import_products(rows(["SKU", "名称"], ("W-1", "水")))
    assert not result.ok and {e.column for e in result.errors} == {"Unit", "Base price"}


def test_prices_are_imported_all_or_nothing(make_list, english):
    a = ProductFactory(sku="A-1")
    ProductFactory(sku="B-1")
    price_list = make_list(PriceList.Kind.BASE, {a: "5.00"})
    bad = services.import_prices(rows(["SKU", "价格"], ("A-1", "6"), ("B-1", "-1"), ("C-1", "3"), ("A-1", "7")),
                                 price_list_id=price_list.pk)
    assert [(e.row, e.column) for e in bad.errors] == [(3, "Price"), (4, "SKU"), (5, "SKU")]
    assert {i.product.sku: i.price for i in price_list.items.all()} == {"A-1": Decimal("5.00")}
    good = services.import_prices(rows(["sku", "price"], ("a-1", 6), ("B-1", "8.80")), price_list_id=price_list.pk)
    assert good.ok and (good.created_count, good.updated_count) == (1, 1)
    assert {i.product.sku: i.price for i in price_list.items.all()} == {"A-1": Decimal("6.00"), "B-1": Decimal("8.80")}


def test_import_page_template_and_error_report(client, admin_user, english):
    client.force_login(admin_user)
    url = reverse("catalog:product_import")
    template = client.get(url + "?download=template")
    headers, _rows = read_xlsx(BytesIO(template.content))
    assert "sku" in [h.lower() for h in headers]
    response = client.post(url, {"file": xlsx(["SKU", "Name", "Unit", "Base price"], ("X-1", "水", "箱", "abc"))})
    assert response.status_code == 200 and "Nothing was imported" in response.content.decode()
    report = load_workbook(BytesIO(client.get(url + "?download=errors").content)).active
    assert list(report.iter_rows(values_only=True))[1][:2] == (2, "Base price")
    response = client.post(url, {"file": xlsx(["SKU", "Name", "Unit", "Base price"], ("X-1", "水", "箱", "3"))})
    assert response.status_code == 302 and Product.objects.filter(sku="X-1").exists()


def test_price_import_page_and_export(client, admin_user, make_list, english):
    client.force_login(admin_user)
    product = ProductFactory(sku="A-1")
    price_list = make_list(PriceList.Kind.BASE, {})
    response = client.post(reverse("catalog:price_import", args=[price_list.pk]),
                           {"file": xlsx(["SKU", "Price"], ("A-1", "9.90"))})
    assert response.status_code == 302
    export = client.get(reverse("catalog:price_list_export", args=[price_list.pk]))
    sheet = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert sheet[1][0] == "A-1" and Decimal(str(sheet[1][4])) == Decimal("9.90")
    assert product.prices.get().price == Decimal("9.90")
