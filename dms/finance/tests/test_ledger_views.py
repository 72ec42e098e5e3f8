"""The ledger's back-office and portal pages: they render, filter, export, record, and
stay in scope."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dms.finance import payments
from dms.finance.models import BankLine, CreditNote, Invoice, JournalEntry, Payment

from .factories import invoice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def inv(distributor, fin):
    return invoice(distributor, ("100.00", 2), actor=fin)


def test_lists_render_filter_and_export(client, fin, inv, distributor):
    payments.record_payment(distributor_id=distributor.pk, amount="50", method="cash", reference="REF-77",
                            actor=fin)
    client.force_login(fin)
    for name in ("finance:accounts", "finance:invoices", "finance:payments", "finance:credit_notes",
                 "finance:journal", "finance:bank_imports"):
        assert client.get(reverse(name)).status_code == 200, name
    page = client.get(reverse("finance:invoices"), {"search": inv.number, "status": "open"})
    assert inv.number in page.content.decode()
    assert inv.number not in client.get(reverse("finance:invoices"), {"status": "paid"}).content.decode()
    partial = client.get(reverse("finance:payments"), {"search": "REF-77"}, HTTP_HX_REQUEST="true")
    assert "REF-77" in partial.content.decode() and "<html" not in partial.content.decode()
    export = client.get(reverse("finance:invoices"), {"export": "xlsx"})
    sheet = load_workbook(BytesIO(export.content)).active
    assert sheet.cell(2, 1).value == inv.number
    assert client.get(reverse("finance:journal"), {"export": "xlsx"}).status_code == 200


def test_account_page_shows_balances_open_items_and_history(client, fin, inv, distributor):
    client.force_login(fin)
    page = client.get(reverse("finance:account", args=[distributor.pk])).content.decode()
    assert inv.number in page and "¥200.00" in page and inv.entry.number in page


def test_record_payment_form_with_allocation_rows(client, fin, inv, distributor):
    client.force_login(fin)
    rows = client.get(reverse("finance:payment_open_invoices"), {"distributor": distributor.pk})
    assert f'name="alloc_{inv.pk}"' in rows.content.decode()
    response = client.post(reverse("finance:payment_create"), {
        "distributor": distributor.pk, "amount": "250.00", "method": "bank_transfer", "received_on": "2026-01-05",
        f"alloc_{inv.pk}": "200.00"})
    payment = Payment.objects.get()
    assert response.status_code == 302 and payment.to_prepayment == 50
    inv.refresh_from_db()
    assert inv.status == Invoice.Status.PAID


def test_record_payment_form_shows_service_errors(client, fin, inv, distributor):
    client.force_login(fin)
    response = client.post(reverse("finance:payment_create"), {
        "distributor": distributor.pk, "amount": "1.234", "method": "cash", "received_on": "2026-01-05"})
    assert response.status_code == 400 and "at most 2 decimal places" in response.content.decode()
    response = client.post(reverse("finance:payment_create"), {
        "distributor": distributor.pk, "amount": "10", "method": "cash", "received_on": "2026-01-05",
        f"alloc_{inv.pk}": "300"})
    assert response.status_code == 400 and "open" in response.content.decode()
    assert Payment.objects.count() == 0


def test_journal_reverse_confirms_then_reverses(client, fin, distributor):
    p = payments.record_payment(distributor_id=distributor.pk, amount="10", method="cash", actor=fin)
    client.force_login(fin)
    url = reverse("finance:journal_reverse", args=[p.entry_id])
    assert "Reverse entry" in client.get(url).content.decode()
    assert client.post(url, {"memo": "录错"}).status_code == 302
    p.refresh_from_db()
    assert p.reversed_at is not None and JournalEntry.objects.filter(reverses=p.entry).exists()


def test_credit_note_form(client, fin, inv, distributor):
    client.force_login(fin)
    response = client.post(reverse("finance:credit_note_create"), {
        "distributor": distributor.pk, "kind": "price_adjustment", "amount": "20", "invoice": inv.number,
        "reason": "价格调整"})
    assert response.status_code == 302
    assert CreditNote.objects.get().invoice_id == inv.pk


def test_channel_manager_sees_only_his_distributors(client, channel_manager, inv, other_distributor, fin):
    theirs = invoice(other_distributor, ("7.00", 1), actor=fin)
    client.force_login(channel_manager)
    page = client.get(reverse("finance:invoices")).content.decode()
    assert inv.number in page and theirs.number not in page
    assert client.get(reverse("finance:invoice", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("finance:account", args=[other_distributor.pk])).status_code == 404
    assert client.get(reverse("finance:payment_create")).status_code == 403


def test_portal_account_invoice_and_pdf(client, dist_admin, other_dist_admin, inv):
    client.force_login(dist_admin)
    page = client.get(reverse("finance_portal:account")).content.decode()
    assert inv.number in page and "¥200.00" in page
    for tab in ("payments", "credit_notes", "history"):
        assert client.get(reverse("finance_portal:account"), {"tab": tab}).status_code == 200
    assert inv.number in client.get(reverse("finance_portal:invoice", args=[inv.pk])).content.decode()
    pdf = client.get(reverse("finance_portal:invoice_pdf", args=[inv.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.force_login(other_dist_admin)
    assert client.get(reverse("finance_portal:invoice", args=[inv.pk])).status_code == 404


def _statement(rows, headers=("日期", "金额", "对方户名", "对方账号", "摘要")):
    wb = Workbook()
    wb.active.append(list(headers))
    for row in rows:
        wb.active.append(row)
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "statement.xlsx"
    return buf


def test_bank_import_suggests_and_records(client, fin, inv, distributor):
    distributor.bank_account = "6222 0000 1111 2222"
    distributor.save()
    client.force_login(fin)
    upload = _statement([["2026-11-20", 200, "某公司", "6222000011112222", "货款"],
                         ["2026-11-21", "99.50", "不认识", "", f"付 {inv.number}"],
                         ["2026-11-21", "30", "路人", "", "其他"]])
    response = client.post(reverse("finance:bank_imports"), {"file": upload})
    assert response.status_code == 302
    by_account, by_number, unknown = BankLine.objects.order_by("row")
    assert by_account.distributor_id == distributor.pk and list(by_account.suggested_invoices.all()) == [inv]
    assert "payer account" in by_account.match_reason and "amount" in by_account.match_reason
    assert by_number.distributor_id == distributor.pk and "invoice number" in by_number.match_reason
    assert unknown.status == BankLine.Status.UNMATCHED
    assert client.post(reverse("finance:bank_line", args=[by_account.pk])).status_code == 302
    by_account.refresh_from_db(), inv.refresh_from_db()
    assert by_account.status == BankLine.Status.RECORDED and inv.status == Invoice.Status.PAID
    client.post(reverse("finance:bank_line", args=[unknown.pk]), {"ignore": "1"})
    assert BankLine.objects.get(pk=unknown.pk).status == BankLine.Status.IGNORED
    template = client.get(reverse("finance:bank_template"))
    assert load_workbook(BytesIO(template.content)).active.cell(1, 1).value == "日期"


def test_bank_import_is_all_or_nothing(client, fin):
    client.force_login(fin)
    upload = _statement([["2026-11-20", "abc"], ["not a date", "10"]], headers=("date", "amount"))
    response = client.post(reverse("finance:bank_imports"), {"file": upload})
    assert response.status_code == 400 and BankLine.objects.count() == 0
    text = response.content.decode()
    assert "Nothing was imported" in text and "Enter a date" in text
