"""Back-office order pages: list, export, review queue, order page, live timeline,
ordering on a distributor's behalf — with permissions and scoping."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from dms.core.testing.factories import DistributorFactory
from dms.inventory.models import StockLevel
from dms.orders import services
from dms.orders.models import ApprovalStep, Order

pytestmark = pytest.mark.django_db
S = Order.Status
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


# --- list, filters, export ------------------------------------------------------------

def test_list_shows_only_the_managers_distributors(client, channel_manager, distributor, other_distributor, place):
    mine, theirs = place(distributor, 1), place(other_distributor, 1)
    client.force_login(channel_manager)
    body = client.get(reverse("orders:list"), **EN).content.decode()
    assert mine.number in body and theirs.number not in body
    assert client.get(reverse("orders:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("orders:events", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("orders:cancel", args=[theirs.pk]), {"reason": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.APPROVED


def test_list_search_filters_and_sort(client, admin_user, distributor, place, review_all):
    other = DistributorFactory(name="北方贸易")
    a = place(distributor, 1)
    b = place(other, 9)
    services.cancel_order(order_id=b.pk, actor=admin_user, reason="x")
    client.force_login(admin_user)
    url = reverse("orders:list")

    def numbers(**params):
        body = client.get(url, params, **EN).content.decode()
        return {o.number for o in (a, b) if o.number in body}

    assert numbers() == {a.number, b.number}
    assert numbers(search="北方") == {b.number}
    assert numbers(search=a.number) == {a.number}
    assert numbers(search=distributor.code) == {a.number}
    assert numbers(status="cancelled") == {b.number}
    assert numbers(distributor=distributor.pk) == {a.number}
    assert numbers(step=a.current_step_id) == {a.number}
    assert numbers(amount_min="50") == {b.number}
    assert numbers(amount_max="50") == {a.number}
    assert numbers(date_from="2000-01-01", date_to="2000-01-02") == set()
    body = client.get(url, {"sort": "-total"}, **EN).content.decode()
    assert body.index(b.number) < body.index(a.number)
    partial = client.get(url, {"status": "cancelled"}, HTTP_HX_REQUEST="true", **EN)
    assert b"<html" not in partial.content and partial["HX-Push-Url"].endswith("status=cancelled")


def test_export_has_orders_and_lines(client, admin_user, distributor, place, goods):
    order = place(distributor, 2, 3)
    client.force_login(admin_user)
    response = client.get(reverse("orders:export"), {"status": "approved"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    orders, lines = (list(ws.iter_rows(values_only=True)) for ws in wb.worksheets)
    assert [r[0] for r in orders[1:]] == [order.number]
    assert orders[1][8] == float(order.total_amount)
    assert sorted((r[1], r[4]) for r in lines[1:]) == [(goods[0].sku, 2), (goods[1].sku, 3)]


def test_export_is_scoped(client, channel_manager, distributor, other_distributor, place):
    place(distributor, 1)
    theirs = place(other_distributor, 1)
    client.force_login(channel_manager)
    wb = load_workbook(io.BytesIO(client.get(reverse("orders:export")).content))
    assert theirs.number not in {r[0] for ws in wb.worksheets for r in ws.iter_rows(values_only=True)}


def test_distributor_users_and_roles_without_permission_are_refused(client, dist_admin, make_staff, distributor,
                                                                    place):
    order = place(distributor, 1)
    client.force_login(dist_admin)
    assert client.get(reverse("orders:list")).status_code == 404
    assert client.get(reverse("orders:detail", args=[order.pk])).status_code == 404
    client.force_login(make_staff("finance"))
    assert client.get(reverse("orders:create")).status_code == 403
    assert client.post(reverse("orders:cancel", args=[order.pk]), {"reason": "x"}).status_code == 403
    client.force_login(make_staff("channel_manager"))
    assert client.get(reverse("orders:queue")).status_code == 403


# --- queue --------------------------------------------------------------------------------

def test_queue_shows_the_orders_waiting_for_my_role(client, make_staff, distributor, place, review_all):
    ops, finance = make_staff("sales_ops"), make_staff("finance")
    first, second = place(distributor, 1), place(distributor, 1)
    services.approve_order(order_id=second.pk, actor=ops)  # second waits for finance
    client.force_login(ops)
    body = client.get(reverse("orders:queue"), **EN).content.decode()
    assert first.number in body and second.number not in body
    client.force_login(finance)
    body = client.get(reverse("orders:queue"), **EN).content.decode()
    assert second.number in body and first.number not in body
    assert "Switch steps on or off" not in body
    client.force_login(make_staff("admin"))
    body = client.get(reverse("orders:queue"), **EN).content.decode()
    assert first.number in body and second.number in body and "Switch steps on or off" in body


def test_queue_approve_and_reject_with_htmx(client, make_staff, distributor, place, goods, review_all):
    ops = make_staff("sales_ops")
    a, b = place(distributor, 2), place(distributor, 3)
    client.force_login(ops)
    row = client.post(reverse("orders:approve", args=[a.pk]), {"from": "queue"}, HTTP_HX_REQUEST="true", **EN)
    assert row.status_code == 200 and b"<html" not in row.content
    assert f'id="queue-{a.pk}"' in row.content.decode() and "now waiting for" in row.content.decode()
    a.refresh_from_db()
    assert a.current_step.code == "finance_review"
    row = client.post(reverse("orders:reject", args=[b.pk]), {"from": "queue", "reason": ""}, HTTP_HX_REQUEST="true",
                      **EN)
    assert "Give a reason" in row.content.decode()
    b.refresh_from_db()
    assert b.status == S.SUBMITTED
    client.post(reverse("orders:reject", args=[b.pk]), {"from": "queue", "reason": "价格错误"},
                HTTP_HX_REQUEST="true")
    b.refresh_from_db()
    assert b.status == S.REJECTED and StockLevel.objects.get(product=goods[0]).reserved == 2


def test_finance_cannot_pass_the_order_review_from_the_page(client, make_staff, distributor, place, review_all):
    order = place(distributor, 1)
    client.force_login(make_staff("finance"))
    response = client.post(reverse("orders:approve", args=[order.pk]), follow=True, **EN)
    assert "waiting for another role" in response.content.decode()
    order.refresh_from_db()
    assert order.current_step.code == "order_review"


def test_bulk_approve(client, make_staff, distributor, other_distributor, place, review_all):
    ops = make_staff("sales_ops")
    a, b = place(distributor, 1), place(distributor, 1)
    client.force_login(ops)
    response = client.post(reverse("orders:bulk_approve"), {"orders": [a.pk, b.pk]}, **EN)
    assert response.status_code == 302
    assert set(Order.objects.filter(pk__in=[a.pk, b.pk]).values_list("current_step__code", flat=True)) == {
        "finance_review"}


def test_regional_queue_and_bulk_approve_stay_in_the_scope(client, channel_manager, distributor, other_distributor,
                                                           place, review_all):
    # the order review done by channel managers, each for his own region
    ApprovalStep.objects.filter(code="order_review").update(role="channel_manager")
    channel_manager.user_permissions.add(Permission.objects.get(codename="approve_order"))
    mine, theirs = place(distributor, 1), place(other_distributor, 1)
    client.force_login(channel_manager)
    body = client.get(reverse("orders:queue")).content.decode()
    assert mine.number in body and theirs.number not in body
    client.post(reverse("orders:bulk_approve"), {"orders": [mine.pk, theirs.pk]})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.current_step.code == "finance_review"
    assert theirs.current_step.code == "order_review"
    assert client.post(reverse("orders:approve", args=[theirs.pk])).status_code == 404


# --- detail and timeline ---------------------------------------------------------------------

def test_detail_shows_header_lines_timeline_and_actions(client, admin_user, distributor, place, goods, review_all):
    order = place(distributor, 2, 1)
    client.force_login(admin_user)
    body = client.get(reverse("orders:detail", args=[order.pk]), **EN).content.decode()
    for text in (order.number, distributor.name, goods[0].sku, "Waiting for", "Approve", "Reject", "Cancel order",
                 "Edit", "hx-trigger=\"every 10s\"", reverse("orders:events", args=[order.pk])):
        assert text in body, text
    assert "Create shipment" not in body  # not approved yet


def test_an_approved_order_links_to_shipment_creation(client, admin_user, distributor, place):
    order = place(distributor, 2)
    assert order.status == S.APPROVED
    client.force_login(admin_user)
    body = client.get(reverse("orders:detail", args=[order.pk]), **EN).content.decode()
    assert "Create shipment" in body and f'{reverse("logistics:create")}?order={order.pk}' in body


def test_timeline_partial_polls_until_the_order_is_final(client, admin_user, distributor, place):
    order = place(distributor, 1)
    client.force_login(admin_user)
    partial = client.get(reverse("orders:events", args=[order.pk]), HTTP_HX_REQUEST="true", **EN).content.decode()
    assert "every 10s" in partial and 'id="order-status"' in partial and "<html" not in partial
    services.cancel_order(order_id=order.pk, actor=admin_user, reason="不要了")
    partial = client.get(reverse("orders:events", args=[order.pk]), HTTP_HX_REQUEST="true", **EN).content.decode()
    assert "every 10s" not in partial and "不要了" in partial and "Cancelled" in partial


def test_cancel_needs_a_reason_and_releases_stock(client, admin_user, distributor, place, goods):
    order = place(distributor, 4)
    client.force_login(admin_user)
    response = client.post(reverse("orders:cancel", args=[order.pk]), {"reason": ""}, follow=True, **EN)
    assert "Give a reason" in response.content.decode()
    order.refresh_from_db()
    assert order.status == S.APPROVED
    client.post(reverse("orders:cancel", args=[order.pk]), {"reason": "客户撤单"})
    order.refresh_from_db()
    assert order.status == S.CANCELLED and StockLevel.objects.get(product=goods[0]).reserved == 0


def test_submit_and_copy_from_the_order_page(client, admin_user, distributor, place, goods):
    draft = place(distributor, 2, submit=False)
    client.force_login(admin_user)
    client.post(reverse("orders:submit", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == S.APPROVED
    response = client.post(reverse("orders:copy", args=[draft.pk]))
    copy = Order.objects.exclude(pk=draft.pk).get()
    assert response.url == reverse("orders:edit", args=[copy.pk])
    assert copy.status == S.DRAFT and copy.copied_from_id == draft.pk


# --- ordering on a distributor's behalf ------------------------------------------------------

def test_create_page_prices_lines_and_shows_moq_errors(client, channel_manager, distributor, goods):
    goods[1].moq = 5
    goods[1].save()
    client.force_login(channel_manager)
    url = reverse("orders:create")
    assert distributor.name in client.get(url, **EN).content.decode()
    found = client.get(reverse("orders:products"), {"distributor": distributor.pk, "q": goods[0].sku},
                       **EN).content.decode()
    assert goods[0].sku in found and "¥10.00" in found
    lines = client.post(url, {"distributor": distributor.pk, "product": [goods[0].pk], "quantity": ["3"],
                              "add": goods[1].pk}, HTTP_HX_REQUEST="true", **EN).content.decode()
    assert "<html" not in lines and 'value="5"' in lines  # added at its MOQ
    lines = client.post(url, {"distributor": distributor.pk, "product": [goods[0].pk, goods[1].pk],
                              "quantity": ["3", "2"], "action": "refresh"}, HTTP_HX_REQUEST="true", **EN)
    text = lines.content.decode()
    assert "minimum order quantity is 5" in text and "¥30.00" in text
    assert not Order.objects.exists()


def test_create_saves_a_draft_or_submits(client, channel_manager, distributor, goods):
    client.force_login(channel_manager)
    url = reverse("orders:create")
    data = {"distributor": distributor.pk, "product": [goods[0].pk, goods[1].pk], "quantity": ["3", "1"],
            "note": "加急"}
    response = client.post(url, {**data, "action": "draft"})
    draft = Order.objects.get()
    assert response.url == reverse("orders:detail", args=[draft.pk])
    assert draft.status == S.DRAFT and draft.total_amount == Decimal("50.00") and draft.note == "加急"
    client.post(url, {**data, "action": "submit"})
    submitted = Order.objects.exclude(pk=draft.pk).get()
    assert submitted.status == S.APPROVED and submitted.created_by == channel_manager
    assert StockLevel.objects.get(product=goods[0]).reserved == 3


def test_create_refuses_shortage_and_bad_quantities_and_writes_nothing(client, admin_user, distributor, goods):
    client.force_login(admin_user)
    url = reverse("orders:create")
    response = client.post(url, {"distributor": distributor.pk, "product": [goods[0].pk], "quantity": ["500"],
                                 "action": "submit"}, **EN)
    assert response.status_code == 409 and "Not enough stock" in response.content.decode()
    assert "Only 100 available." in response.content.decode()
    goods[0].multiple = 4
    goods[0].save()
    response = client.post(url, {"distributor": distributor.pk, "product": [goods[0].pk], "quantity": ["6"],
                                 "action": "draft"}, **EN)
    assert response.status_code == 400 and "multiples of 4" in response.content.decode()
    assert not Order.objects.exists()


def test_a_manager_cannot_order_for_another_managers_distributor(client, channel_manager, other_distributor, goods):
    client.force_login(channel_manager)
    response = client.post(reverse("orders:create"), {"distributor": other_distributor.pk,
                                                      "product": [goods[0].pk], "quantity": ["1"],
                                                      "action": "submit"})
    assert response.status_code == 404
    assert client.get(reverse("orders:products"), {"distributor": other_distributor.pk, "q": "SKU"}).status_code == 404
    assert not Order.objects.exists()


def test_editing_a_submitted_order_from_the_page(client, make_staff, distributor, place, goods, review_all):
    ops = make_staff("sales_ops")
    order = place(distributor, 5)
    client.force_login(ops)
    page = client.get(reverse("orders:edit", args=[order.pk]), **EN).content.decode()
    assert "Save and send to approval again" in page
    client.post(reverse("orders:edit", args=[order.pk]), {"product": [goods[0].pk], "quantity": ["2"],
                                                          "action": "save"})
    order.refresh_from_db()
    assert order.lines.get().quantity == 2 and StockLevel.objects.get(product=goods[0]).reserved == 2
    assert order.status == S.SUBMITTED


def test_an_approved_order_cannot_be_edited(client, admin_user, distributor, place, goods):
    order = place(distributor, 5)
    client.force_login(admin_user)
    response = client.post(reverse("orders:edit", args=[order.pk]), {"product": [goods[0].pk], "quantity": ["1"],
                                                                     "action": "save"})
    assert response.status_code == 302
    assert order.lines.get().quantity == 5


def test_searching_a_full_order_number_finds_exactly_that_order(client, admin_user, distributor, dist_admin):
    from dms.core.testing.factories import ProductFactory, stock
    from dms.orders import services as order_services

    product = ProductFactory()
    stock(product, 10)
    first, second = (order_services.create_order(distributor=distributor, actor=dist_admin, submit=True,
                                                  lines=[{"product": product.pk, "quantity": 1}]) for _ in range(2))
    client.force_login(admin_user)
    response = client.get(reverse("orders:list"), {"search": second.number.lower()})
    assert [o.pk for o in response.context["page_obj"].object_list] == [second.pk]
