"""Inventory back-office pages: who may open them, what they show, and that every change
goes through the stock services (ledger sums stay equal to the levels)."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dms.core.testing.factories import ProductFactory, WarehouseFactory, default_warehouse, stock
from dms.inventory import services
from dms.inventory.models import (
    LowStockAlert,
    ReorderRule,
    ReplenishmentSuggestion,
    StockDocument,
    StockLevel,
    StockMove,
    Warehouse,
)
from dms.inventory.selectors import ledger_differences

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def warehouse_user(make_staff):
    return make_staff("warehouse", username="wh1")


@pytest.fixture
def setup():
    wh = default_warehouse()
    p1 = ProductFactory(sku="TEA-001", name="Green tea", barcode="6900000000011")
    p2 = ProductFactory(sku="TEA-002", name="Black tea")
    stock(p1, 40, wh)
    stock(p2, 3, wh)
    ReorderRule.objects.create(warehouse=wh, product=p2, reorder_point=5, target_level=20)
    return wh, p1, p2


def xlsx_rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    ws = load_workbook(BytesIO(body)).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def assert_ledger_matches():
    assert ledger_differences()[1] == []


# --- every page opens ---------------------------------------------------------------------

PAGES = ["inventory:stock", "inventory:moves", "inventory:alerts", "inventory:suggestions", "inventory:documents",
         "inventory:reorder_rules", "inventory:warehouses", "inventory:receipt_create", "inventory:count_create",
         "inventory:transfer_create", "inventory:adjust", "inventory:reorder_rule_create",
         "inventory:warehouse_create"]


@pytest.mark.parametrize("name", PAGES)
def test_admin_opens_every_page(client, admin_user, setup, name):
    client.force_login(admin_user)
    response = client.get(reverse(name), **EN)
    assert response.status_code == 200, response.content[:500]


@pytest.mark.parametrize("name", ["inventory:stock", "inventory:moves", "inventory:alerts", "inventory:suggestions",
                                  "inventory:documents", "inventory:reorder_rules"])
def test_list_pages_answer_htmx_with_the_fragment(client, admin_user, setup, name):
    client.force_login(admin_user)
    response = client.get(reverse(name), HTTP_HX_REQUEST="true", **EN)
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'class="filters"' not in response.content


def test_distributor_users_get_404(client, dist_admin, setup):
    wh, p1, _p2 = setup
    client.force_login(dist_admin)
    for name in PAGES + ["inventory:stock_export", "inventory:moves_export", "inventory:suggestions_export"]:
        assert client.get(reverse(name)).status_code == 404, name
    doc = StockDocument.objects.first()
    assert client.get(reverse("inventory:document_detail", args=[doc.pk])).status_code == 404
    response = client.post(reverse("inventory:adjust"),
                           {"warehouse": wh.pk, "product": p1.sku, "quantity": "5", "reason": "x"})
    assert response.status_code == 404
    assert StockLevel.objects.get(product=p1).on_hand == 40


def test_channel_manager_may_view_stock_but_not_change_it(client, channel_manager, setup):
    wh, p1, _p2 = setup
    client.force_login(channel_manager)
    response = client.get(reverse("inventory:stock"), **EN)
    assert response.status_code == 200
    assert b"TEA-001" in response.content
    assert reverse("inventory:adjust").encode() not in response.content  # no button he cannot use
    assert client.get(reverse("inventory:adjust")).status_code == 403
    response = client.post(reverse("inventory:adjust"),
                           {"warehouse": wh.pk, "product": p1.sku, "quantity": "5", "reason": "found"})
    assert response.status_code == 403
    assert client.post(reverse("inventory:receipt_create"),
                       {"warehouse": wh.pk, "product": [p1.sku], "quantity": ["1"]}).status_code == 403
    assert client.get(reverse("inventory:warehouse_create")).status_code == 403
    assert StockLevel.objects.get(product=p1).on_hand == 40


# --- stock view ----------------------------------------------------------------------------

def test_stock_view_shows_levels_totals_and_filters(client, admin_user, setup):
    wh, p1, p2 = setup
    other = WarehouseFactory(code="SH")
    stock(p1, 7, other)
    client.force_login(admin_user)
    page = client.get(reverse("inventory:stock"), **EN)
    rows = page.context["page_obj"].object_list
    assert {(r.warehouse.code, r.product.sku, r.available) for r in rows} == {
        (wh.code, "TEA-001", 40), (wh.code, "TEA-002", 3), ("SH", "TEA-001", 7)}
    assert page.context["totals"] == {"rows": 3, "on_hand": 50, "reserved": 0, "available": 50}

    def skus(**params):
        r = client.get(reverse("inventory:stock"), params, **EN)
        return sorted((x.warehouse.code, x.product.sku) for x in r.context["page_obj"].object_list)

    assert skus(warehouse=other.pk) == [("SH", "TEA-001")]
    assert skus(search="6900000000011") == sorted([(wh.code, "TEA-001"), ("SH", "TEA-001")])
    assert skus(search="black") == [(wh.code, "TEA-002")]
    assert skus(level="low") == [(wh.code, "TEA-002")]
    assert skus(rule="yes") == [(wh.code, "TEA-002")]
    assert skus(rule="no") == sorted([(wh.code, "TEA-001"), ("SH", "TEA-001")])
    assert skus(product=p1.pk, warehouse=wh.pk) == [(wh.code, "TEA-001")]
    r = client.get(reverse("inventory:stock"), {"sort": "-available"}, **EN)
    assert [x.available for x in r.context["page_obj"].object_list] == [40, 7, 3]


def test_out_of_stock_filter(client, admin_user, setup):
    wh, p1, p2 = setup
    services.adjust_stock(warehouse=wh, product_id=p2.pk, quantity=-3, reason="broken")
    client.force_login(admin_user)
    r = client.get(reverse("inventory:stock"), {"level": "out"}, **EN)
    assert [x.product.sku for x in r.context["page_obj"].object_list] == ["TEA-002"]
    r = client.get(reverse("inventory:stock"), {"level": "in_stock"}, **EN)
    assert [x.product.sku for x in r.context["page_obj"].object_list] == ["TEA-001"]


def test_stock_export_uses_the_same_filters(client, admin_user, setup):
    client.force_login(admin_user)
    rows = xlsx_rows(client.get(reverse("inventory:stock_export"), {"search": "TEA-002"}, **EN))
    assert rows[0][:3] == ["Warehouse", "SKU", "Product"]
    assert [r[1] for r in rows[1:]] == ["TEA-002"]
    assert rows[1][6:9] == [3, 0, 3]
    assert rows[1][10] == "Low"


# --- ledger -------------------------------------------------------------------------------

def test_moves_filters_and_export(client, admin_user, setup):
    wh, p1, p2 = setup
    services.adjust_stock(warehouse=wh, product_id=p1.pk, quantity=-2, reason="damaged", actor=admin_user)
    client.force_login(admin_user)

    def kinds(**params):
        r = client.get(reverse("inventory:moves"), params, **EN)
        return [(m.product.sku, m.kind, m.on_hand_delta) for m in r.context["page_obj"].object_list]

    assert kinds(product=p1.pk) == [("TEA-001", "adjustment", -2), ("TEA-001", "receipt", 40)]
    assert kinds(kind="adjustment") == [("TEA-001", "adjustment", -2)]
    assert kinds(actor="admin1") == [("TEA-001", "adjustment", -2)]
    doc = StockDocument.objects.get(lines__product=p2)
    assert kinds(reference=doc.number) == [("TEA-002", "receipt", 3)]
    assert kinds(start="2000-01-01", end="2000-01-02") == []
    rows = xlsx_rows(client.get(reverse("inventory:moves_export"), {"kind": "adjustment"}, **EN))
    assert len(rows) == 2 and rows[1][2] == "TEA-001" and rows[1][5] == -2 and rows[1][8] == "damaged"
