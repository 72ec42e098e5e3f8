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


@pytest.fixture(autouse=True)
def _english():
    """Suggestion reasons are written in the active language; these tests read them in English."""
    from django.utils import translation

    with translation.override("en"):
        yield
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
    response = client.get(reverse(name), {"search": "tea", "warehouse": ""}, HTTP_HX_REQUEST="true", **EN)
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'class="filters"' not in response.content
    assert response["HX-Push-Url"] == reverse(name) + "?search=tea"


def test_distributor_users_get_404(client, dist_admin, setup):
    wh, p1, _p2 = setup
    client.force_login(dist_admin)
    for name in PAGES + ["inventory:stock_export", "inventory:moves_export", "inventory:suggestions_export"]:
        assert client.get(reverse(name)).status_code == 404, name
    doc = StockDocument.objects.first()
    rule = ReorderRule.objects.get()
    services.evaluate_stock([(wh.pk, rule.product_id)])
    suggestion = ReplenishmentSuggestion.objects.get()
    for name, pk in [("inventory:document_detail", doc.pk), ("inventory:reorder_rule_edit", rule.pk),
                     ("inventory:reorder_rule_active", rule.pk), ("inventory:warehouse_edit", wh.pk),
                     ("inventory:warehouse_active", wh.pk), ("inventory:suggestion_close", suggestion.pk)]:
        assert client.get(reverse(name, args=[pk])).status_code in (404, 405), name  # 405: POST only
        assert client.post(reverse(name, args=[pk]), {"active": "0", "status": "dismissed"}).status_code == 404
    rule.refresh_from_db()
    suggestion.refresh_from_db()
    assert rule.is_active and suggestion.status == "open"
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


# --- documents -----------------------------------------------------------------------------

def test_receipt_with_several_lines(client, warehouse_user, setup):
    wh, p1, p2 = setup
    client.force_login(warehouse_user)
    response = client.post(reverse("inventory:receipt_create"), {
        "warehouse": wh.pk, "supplier": "Tea Farm Co.", "note": "PO-77",
        "product": [p1.sku.lower(), "6900000000011", p2.sku, ""], "quantity": ["5", "1", "10", ""],
    })
    doc = StockDocument.objects.get(supplier="Tea Farm Co.")
    assert response.status_code == 302 and response.url == reverse("inventory:document_detail", args=[doc.pk])
    assert doc.kind == "receipt" and doc.number.startswith("GR")
    assert {(line.product_id, line.quantity) for line in doc.lines.all()} == {(p1.pk, 6), (p2.pk, 10)}
    assert StockLevel.objects.get(warehouse=wh, product=p1).on_hand == 46
    assert StockMove.objects.filter(reference=doc.number, actor=warehouse_user).count() == 2
    assert_ledger_matches()
    page = client.get(response.url, **EN)
    assert b"Tea Farm Co." in page.content and b"TEA-002" in page.content


def test_receipt_with_bad_lines_changes_nothing(client, warehouse_user, setup):
    wh, p1, _p2 = setup
    client.force_login(warehouse_user)
    before = StockMove.objects.count()
    response = client.post(reverse("inventory:receipt_create"), {
        "warehouse": wh.pk, "product": ["NOPE-1", p1.sku], "quantity": ["3", "-2"]}, **EN)
    assert response.status_code == 400
    assert "No product with the SKU or barcode “NOPE-1”." in response.content.decode()
    assert b"Enter a number above zero." in response.content
    response = client.post(reverse("inventory:receipt_create"), {"warehouse": wh.pk, "product": [""],
                                                                 "quantity": [""]}, **EN)
    assert response.status_code == 400 and b"Add at least one line." in response.content
    assert StockMove.objects.count() == before and not StockDocument.objects.filter(kind="receipt")[2:]


def test_add_rows_without_javascript_keeps_what_was_typed(client, warehouse_user, setup):
    wh, p1, _p2 = setup
    client.force_login(warehouse_user)
    response = client.post(reverse("inventory:receipt_create"), {
        "warehouse": wh.pk, "product": [p1.sku], "quantity": ["4"], "add_rows": "1"}, **EN)
    assert response.status_code == 200
    assert len(response.context["lines"].rows) == 10 and response.context["lines"].rows[0].product == p1.sku
    assert StockLevel.objects.get(product=p1).on_hand == 40


def test_product_options_for_the_line_editor(client, warehouse_user, setup):
    client.force_login(warehouse_user)
    response = client.get(reverse("inventory:product_options"), {"product": "black"})
    assert b'<option value="TEA-002">Black tea</option>' in response.content
    assert b"TEA-001" not in response.content


def test_transfer_short_answers_409_naming_the_short_lines(client, warehouse_user, setup):
    wh, p1, p2 = setup
    target = WarehouseFactory(code="SH")
    client.force_login(warehouse_user)
    response = client.post(reverse("inventory:transfer_create"), {
        "from_warehouse": wh.pk, "to_warehouse": target.pk, "product": [p1.sku, p2.sku], "quantity": ["10", "9"],
    }, **EN)
    assert response.status_code == 409
    text = response.content.decode()
    assert "TEA-002: 9 requested, 3 available" in text and "Only 3 available." in text
    assert not StockDocument.objects.filter(kind="transfer").exists()
    assert not StockLevel.objects.filter(warehouse=target).exists() or \
        StockLevel.objects.get(warehouse=target, product=p1).on_hand == 0
    response = client.post(reverse("inventory:transfer_create"), {
        "from_warehouse": wh.pk, "to_warehouse": target.pk, "product": [p1.sku], "quantity": ["10"]})
    assert response.status_code == 302
    assert StockLevel.objects.get(warehouse=wh, product=p1).on_hand == 30
    assert StockLevel.objects.get(warehouse=target, product=p1).on_hand == 10
    assert_ledger_matches()


def test_transfer_to_the_same_warehouse_is_refused(client, warehouse_user, setup):
    wh, p1, _p2 = setup
    client.force_login(warehouse_user)
    response = client.post(reverse("inventory:transfer_create"), {
        "from_warehouse": wh.pk, "to_warehouse": wh.pk, "product": [p1.sku], "quantity": ["1"]}, **EN)
    assert response.status_code == 400 and b"Choose two different warehouses." in response.content


def test_count_shows_expected_counted_and_difference_before_confirming(client, warehouse_user, setup):
    wh, p1, p2 = setup
    client.force_login(warehouse_user)
    loaded = client.post(reverse("inventory:count_create"), {"warehouse": wh.pk, "load": "1",
                                                             "product": [""], "quantity": [""]}, **EN)
    assert [r.product for r in loaded.context["lines"].rows[:2]] == ["TEA-001", "TEA-002"]
    data = {"warehouse": wh.pk, "note": "year end", "product": [p1.sku, p2.sku], "quantity": ["38", "3"]}
    review = client.post(reverse("inventory:count_create"), {**data, "step": "review"}, **EN)
    assert review.status_code == 200
    rows = review.context["lines"].rows
    assert [(r.product, r.expected, int(r.quantity), r.difference) for r in rows] == [
        ("TEA-001", 40, 38, -2), ("TEA-002", 3, 3, 0)]
    assert review.context["differences"] == 1
    assert StockLevel.objects.get(product=p1).on_hand == 40  # nothing written yet
    done = client.post(reverse("inventory:count_create"), {**data, "step": "confirm"})
    doc = StockDocument.objects.get(kind="count")
    assert done.status_code == 302 and doc.note == "year end"
    assert {(line.product_id, line.expected, line.quantity) for line in doc.lines.all()} == {
        (p1.pk, 40, 38), (p2.pk, 3, 3)}
    assert StockLevel.objects.get(product=p1).on_hand == 38
    assert list(StockMove.objects.filter(reference=doc.number).values_list("on_hand_delta", flat=True)) == [-2]
    assert_ledger_matches()


def test_count_refuses_a_product_twice(client, warehouse_user, setup):
    wh, p1, _p2 = setup
    client.force_login(warehouse_user)
    response = client.post(reverse("inventory:count_create"), {
        "warehouse": wh.pk, "product": [p1.sku, p1.sku], "quantity": ["1", "2"], "step": "review"}, **EN)
    assert response.status_code == 400 and b"already on another line" in response.content


def test_adjust_needs_a_reason_and_cannot_go_below_zero(client, warehouse_user, setup):
    wh, p1, p2 = setup
    client.force_login(warehouse_user)
    url = reverse("inventory:adjust")
    prefilled = client.get(url, {"product": p2.pk, "warehouse": wh.pk}, **EN)
    assert prefilled.context["form"].initial["product"] == "TEA-002"
    assert b"3 on hand, 0 reserved, 3 available" in prefilled.content
    response = client.post(url, {"warehouse": wh.pk, "product": p2.sku, "quantity": "-1", "reason": " "}, **EN)
    assert response.status_code == 400 and b"This field is required." in response.content
    response = client.post(url, {"warehouse": wh.pk, "product": p2.sku, "quantity": "-4", "reason": "lost"}, **EN)
    assert response.status_code == 409 and b"TEA-002: 4 requested, 3 available" in response.content
    assert StockLevel.objects.get(product=p2).on_hand == 3
    response = client.post(url, {"warehouse": wh.pk, "product": p2.sku, "quantity": "-3", "reason": "lost"})
    assert response.status_code == 302
    move = StockMove.objects.get(kind="adjustment")
    assert (move.on_hand_delta, move.reason, move.actor) == (-3, "lost", warehouse_user)
    assert_ledger_matches()


# --- reorder rules, suggestions, warnings ---------------------------------------------------

def test_reorder_rule_create_validates_and_evaluates(client, warehouse_user, setup,
                                                     django_capture_on_commit_callbacks):
    wh, p1, _p2 = setup
    client.force_login(warehouse_user)
    url = reverse("inventory:reorder_rule_create")
    bad = {"warehouse": wh.pk, "product_sku": p1.sku, "reorder_point": "50", "safety_stock": "60",
           "target_level": "40", "lead_time_days": "7", "velocity_days": "30"}
    response = client.post(url, bad, **EN)
    assert response.status_code == 400
    assert b"The target level must be at least the reorder point." in response.content
    assert b"Safety stock cannot be above the reorder point." in response.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**bad, "safety_stock": "10", "target_level": "100"})
    assert response.status_code == 302
    rule = ReorderRule.objects.get(product=p1)
    assert (rule.reorder_point, rule.target_level) == (50, 100)
    # 40 available < 50: flagged at once
    assert LowStockAlert.objects.filter(product=p1, resolved_at__isnull=True).count() == 1
    assert ReplenishmentSuggestion.objects.get(product=p1).quantity == 60
    again = client.post(url, {**bad, "safety_stock": "10", "target_level": "100"}, **EN)
    assert again.status_code == 400 and b"already has a reorder rule" in again.content


def test_reorder_rule_edit_and_switch_off(client, warehouse_user, setup, django_capture_on_commit_callbacks):
    wh, _p1, p2 = setup
    rule = ReorderRule.objects.get(product=p2)
    services.evaluate_stock([(wh.pk, p2.pk)])
    assert LowStockAlert.objects.filter(product=p2, resolved_at__isnull=True).exists()
    client.force_login(warehouse_user)
    url = reverse("inventory:reorder_rule_edit", args=[rule.pk])
    form = {"reorder_point": "2", "safety_stock": "0", "target_level": "20", "lead_time_days": "7",
            "velocity_days": "30"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, form).status_code == 302
    rule.refresh_from_db()
    assert rule.reorder_point == 2
    assert not LowStockAlert.objects.filter(product=p2, resolved_at__isnull=True).exists()  # 3 ≥ 2 now
    response = client.post(reverse("inventory:reorder_rule_active", args=[rule.pk]), {"active": "0"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert not rule.is_active
    assert not ReplenishmentSuggestion.objects.filter(product=p2, status="open").exists()


def test_suggestions_list_close_and_export(client, warehouse_user, channel_manager, setup):
    wh, _p1, p2 = setup
    services.evaluate_stock([(wh.pk, p2.pk)])
    suggestion = ReplenishmentSuggestion.objects.get(product=p2)
    client.force_login(channel_manager)
    page = client.get(reverse("inventory:suggestions"), **EN)
    assert list(page.context["page_obj"].object_list) == [suggestion]
    assert client.post(reverse("inventory:suggestion_close", args=[suggestion.pk]),
                       {"status": "ordered"}).status_code == 403
    client.force_login(warehouse_user)
    rows = xlsx_rows(client.get(reverse("inventory:suggestions_export"), **EN))
    assert rows[1][2] == "TEA-002" and rows[1][4] == 17 and "reorder point 5" in rows[1][8]
    response = client.post(reverse("inventory:suggestion_close", args=[suggestion.pk]),
                           {"status": "ordered", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == reverse("inventory:suggestions")
    suggestion.refresh_from_db()
    assert suggestion.status == "ordered" and suggestion.closed_by == warehouse_user
    assert list(client.get(reverse("inventory:suggestions")).context["page_obj"].object_list) == []
    closed = client.get(reverse("inventory:suggestions"), {"status": "all"})
    assert list(closed.context["page_obj"].object_list) == [suggestion]
    again = client.post(reverse("inventory:suggestion_close", args=[suggestion.pk]), {"status": "dismissed"},
                        follow=True, **EN)
    assert "Cannot change status" in again.content.decode()


def test_alerts_list_open_and_resolved(client, channel_manager, setup):
    wh, _p1, p2 = setup
    services.evaluate_stock([(wh.pk, p2.pk)])
    services.record_receipt(warehouse=wh, lines={p2.pk: 10})
    services.evaluate_stock([(wh.pk, p2.pk)])
    services.adjust_stock(warehouse=wh, product_id=p2.pk, quantity=-12, reason="broken")
    services.evaluate_stock([(wh.pk, p2.pk)])
    client.force_login(channel_manager)
    everything = client.get(reverse("inventory:alerts"), **EN)
    assert len(everything.context["page_obj"].object_list) == 2
    assert everything.context["open_count"] == 1
    open_only = client.get(reverse("inventory:alerts"), {"state": "open"}, **EN)
    assert [a.available for a in open_only.context["page_obj"].object_list] == [1]
    resolved = client.get(reverse("inventory:alerts"), {"state": "resolved"}, **EN)
    assert [a.available for a in resolved.context["page_obj"].object_list] == [3]


# --- warehouses ----------------------------------------------------------------------------

def test_warehouse_create_edit_one_default(client, admin_user, setup):
    wh, _p1, _p2 = setup
    client.force_login(admin_user)
    response = client.post(reverse("inventory:warehouse_create"), {
        "code": "gz", "name": "广州仓", "address": "广州", "provinces": ["44", "45"], "is_default": "on"})
    assert response.status_code == 302
    gz = Warehouse.objects.get(code="GZ")
    wh.refresh_from_db()
    assert gz.is_default and not wh.is_default and gz.provinces == ["44", "45"]
    response = client.post(reverse("inventory:warehouse_create"), {
        "code": "SZ", "name": "深圳仓", "provinces": ["44"]}, **EN)
    assert response.status_code == 400 and "Already served by another warehouse" in response.content.decode()
    response = client.post(reverse("inventory:warehouse_edit", args=[gz.pk]), {
        "code": "GZ", "name": "广州仓", "provinces": ["44"]}, **EN)
    assert response.status_code == 400 and b"There must be a default warehouse" in response.content
    response = client.post(reverse("inventory:warehouse_create"), {"code": "WH01", "name": "dup"}, **EN) \
        if wh.code == "WH01" else client.post(reverse("inventory:warehouse_create"),
                                              {"code": wh.code, "name": "dup"}, **EN)
    assert response.status_code == 400 and b"Another warehouse already has this code." in response.content
    assert Warehouse.objects.filter(is_default=True).count() == 1


def test_warehouse_deactivate_rules(client, admin_user, setup, distributor):
    from dms.orders.services import create_order

    wh, p1, _p2 = setup
    other = WarehouseFactory(code="SH")
    client.force_login(admin_user)
    client.post(reverse("inventory:warehouse_active", args=[wh.pk]), {"active": "0"})
    wh.refresh_from_db()
    assert wh.is_active  # the default one stays
    create_order(distributor=distributor, lines=[{"product": p1.pk, "quantity": 2}], submit=True)
    services.transfer_stock(source=wh, target=other, lines={p1.pk: 1})
    client.post(reverse("inventory:warehouse_edit", args=[other.pk]), {"code": "SH", "name": "x", "is_default": "on"})
    other.refresh_from_db()
    assert other.is_default
    response = client.post(reverse("inventory:warehouse_active", args=[wh.pk]), {"active": "0"}, follow=True, **EN)
    wh.refresh_from_db()
    assert wh.is_active and "reserved for orders" in response.content.decode()
    services.release(warehouse_id=wh.pk, lines={p1.pk: 2}, reference="X")
    client.post(reverse("inventory:warehouse_active", args=[wh.pk]), {"active": "0"})
    wh.refresh_from_db()
    assert not wh.is_active


def test_count_sheet_leaves_uncounted_products_alone(client, warehouse_user, setup):
    wh, p1, p2 = setup
    client.force_login(warehouse_user)
    data = {"warehouse": wh.pk, "product": [p1.sku, p2.sku], "quantity": ["", "1"]}
    review = client.post(reverse("inventory:count_create"), {**data, "step": "review"}, **EN)
    assert [r.product for r in review.context["counted"]] == ["TEA-002"] and review.context["skipped"] == 1
    client.post(reverse("inventory:count_create"), {**data, "step": "confirm"})
    doc = StockDocument.objects.get(kind="count")
    assert [line.product_id for line in doc.lines.all()] == [p2.pk]
    assert StockLevel.objects.get(product=p1).on_hand == 40 and StockLevel.objects.get(product=p2).on_hand == 1
    nothing = client.post(reverse("inventory:count_create"), {**data, "quantity": ["", ""], "step": "review"}, **EN)
    assert nothing.status_code == 400 and b"Add at least one line." in nothing.content
