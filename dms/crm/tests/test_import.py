from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from dms.crm import importer
from dms.crm.models import Customer

from .factories import customer

pytestmark = pytest.mark.django_db


def rows(*data, headers=("客户名称", "类型", "地区", "联系人", "电话", "标签")):
    return [{**dict(zip(headers, values, strict=True)), "_row": i} for i, values in enumerate(data, start=2)]


def test_imports_all_rows(distributor, dist_admin):
    result = importer.import_customers(rows(
        ("福田便利店", "门店", "广东省 深圳市 福田区", "李四", "13800000001", "KA, 社区店"),
        ("南山超市", "retailer", "", "", "", ""),
    ), distributor_id=distributor.pk, actor=dist_admin)
    assert result.ok, result.errors
    first = Customer.objects.get(name="福田便利店")
    assert first.type == "store" and first.region_code == "440304" and first.contacts.get().phone == "13800000001"
    assert {t.name for t in first.tags.all()} == {"KA", "社区店"}
    assert Customer.objects.get(name="南山超市").type == "retailer"


def test_one_bad_row_imports_nothing_and_names_row_and_column(distributor):
    result = importer.import_customers(rows(
        ("好店", "门店", "", "", "", ""),
        ("坏店", "宇宙店", "火星省", "", "123", ""),
    ), distributor_id=distributor.pk)
    assert not result.ok and Customer.objects.count() == 0
    problems = {(e.row, e.column) for e in result.errors}
    expected = {(3, str(importer.BY_KEY[key].label)) for key in ("type", "region", "contact_phone", "contact_name")}
    assert expected <= problems and not any(row == 2 for row, _c in problems)


def test_missing_name_column():
    result = importer.import_customers(rows(("x",), headers=("地址",)), distributor_id=1)
    assert result.errors[0].row == 1 and "客户名称" in result.errors[0].message


def test_duplicates_warn_with_the_existing_record_and_block_unless_allowed(distributor, other_distributor):
    existing = customer(distributor, name="华强便利店", phone="13800138000")
    customer(other_distributor, name="别家客户", phone="13900000000")
    data = rows(("华强 便利店", "", "", "", "", ""), ("新店", "", "", "王五", "13900000000", ""),
                ("新店", "", "", "", "", ""))
    result = importer.import_customers(data, distributor_id=distributor.pk)
    assert not result.ok and Customer.objects.filter(distributor=distributor).count() == 1
    assert [(n, e.pk if e else None, earlier) for n, e, earlier in result.duplicates] == [
        (2, existing.pk, None), (4, None, 3)]  # row 3's phone belongs to another distributor: not a duplicate
    result = importer.import_customers(data, distributor_id=distributor.pk, allow_duplicates=True)
    assert result.ok and Customer.objects.filter(distributor=distributor).count() == 4


def test_portal_upload_page(client, distributor, dist_admin):
    wb = Workbook()
    wb.active.append(["name", "type", "phone", "contact"])
    wb.active.append(["Walmart 福田店", "store", "13800000001", "Li"])
    buf = BytesIO()
    wb.save(buf)
    client.force_login(dist_admin)
    assert client.get("/portal/crm/import/?download=template").status_code == 200
    response = client.post("/portal/crm/import/", {"file": SimpleUploadedFile("c.xlsx", buf.getvalue())})
    assert response.status_code == 302
    assert Customer.objects.get().distributor == distributor
    response = client.post("/portal/crm/import/", {"file": SimpleUploadedFile("c.xlsx", b"not excel")})
    assert response.status_code == 400 and Customer.objects.count() == 1
