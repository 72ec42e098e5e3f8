"""Demo data of the ledger part: invoices for the demo shipments (some overdue), payments
(partial, one over-payment that becomes prepayment), a credit note for a received return,
a rebate credit note and one bank statement import with match suggestions.

Idempotent: it does nothing once the demo bank statement exists. Run inside
``scopes_disabled``, acting as fin_zhao; the demo orders and shipments must exist
(seed_orders_demo).
"""

import datetime as dt
from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook

from dms.accounts.models import User
from dms.logistics.models import Shipment
from dms.orders.models import ReturnRequest

from . import bank, credit_notes, invoicing, payments
from .models import BankImport, CreditNote, Invoice, JournalEntry, JournalLine

DEMO_FILE = "招商银行流水-示例.xlsx"
CENT = Decimal("0.01")


def _backdate(invoice: Invoice, days_ago: int) -> None:
    """Demo history: move an invoice (and its due date) into the past."""
    issued = timezone.localdate() - dt.timedelta(days=days_ago)
    due = invoicing.due_date(issued, invoice.distributor.finance_account.payment_terms)
    Invoice.objects.filter(pk=invoice.pk).update(issue_date=issued, due_date=due)
    posted = timezone.make_aware(dt.datetime.combine(issued, dt.time(10, 0)))
    JournalEntry.objects.filter(pk=invoice.entry_id).update(posted_at=posted)
    JournalLine.objects.filter(entry_id=invoice.entry_id).update(posted_at=posted)


def _invoices(actor) -> list[Invoice]:
    shipped = Shipment.objects.filter(status__in=[Shipment.Status.DISPATCHED, Shipment.Status.DELIVERED])
    invoices = []
    for i, shipment in enumerate(shipped.order_by("dispatched_at", "pk")):
        invoice = invoicing.invoice_shipment(shipment_id=shipment.pk, actor=actor)
        _backdate(invoice, max(3, 75 - i * 4))  # the oldest are past their due date
        invoices.append(invoice)
    return invoices


def _payments(invoices, actor) -> None:
    for i, invoice in enumerate(invoices):
        invoice.refresh_from_db()
        if invoice.open_amount <= 0 or i % 4 == 3:
            continue  # some stay unpaid (overdue ones among them)
        if i % 4 == 1:  # partial
            amount = (invoice.open_amount / 2).quantize(CENT)
            allocations = [(invoice.pk, amount)]
        elif i % 4 == 2 and i < 8:  # paid in full with a round sum: the rest becomes prepayment
            amount = (invoice.open_amount + 5000).quantize(Decimal("1000"))
            allocations = [(invoice.pk, invoice.open_amount)]
        else:
            amount, allocations = invoice.open_amount, [(invoice.pk, invoice.open_amount)]
        payments.record_payment(distributor_id=invoice.distributor_id, amount=amount, method="bank_transfer",
                                reference=f"网银转账 {invoice.number}", allocations=allocations, actor=actor,
                                received_on=min(invoice.issue_date + dt.timedelta(days=20), timezone.localdate()))


def _credit_notes(invoices, actor) -> None:
    received = ReturnRequest.objects.filter(status=ReturnRequest.Status.RECEIVED, credit_note__isnull=True).first()
    if received is not None:
        credit_notes.credit_return(return_id=received.pk, actor=actor)
    if invoices and not CreditNote.objects.filter(kind=CreditNote.Kind.REBATE).exists():
        credit_notes.create_credit_note(distributor_id=invoices[0].distributor_id, kind="rebate",
                                        amount="8800.00", reason="2026年第三季度销量返利", actor=actor)


def _bank_statement(actor) -> None:
    open_invoices = list(Invoice.objects.filter(status=Invoice.Status.OPEN).select_related("distributor")[:3])
    wb = Workbook()
    ws = wb.active
    ws.append(["交易日期", "收入金额", "对方户名", "对方账号", "摘要"])
    today = timezone.localdate()
    for i, invoice in enumerate(open_invoices):
        d = invoice.distributor
        if i == 0:  # matched by account number and amount
            ws.append([today, float(invoice.open_amount), d.legal_name, d.bank_account, "货款"])
        elif i == 1:  # matched by the invoice number in the note
            ws.append([today, float(invoice.open_amount), "个人代付", "", f"付发票 {invoice.number}"])
        else:  # matched by name only, a part payment
            ws.append([today, 2000, d.legal_name, "", "部分货款"])
    ws.append([today, 1280.5, "未知付款人", "6217000099998888", "转账"])
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    bank.import_statement(upload=buf, file_name=DEMO_FILE, actor=actor)


def seed() -> None:
    if BankImport.objects.filter(file_name=DEMO_FILE).exists():
        return
    actor = User.objects.filter(username="fin_zhao").first()
    invoices = _invoices(actor)
    _payments(invoices, actor)
    _credit_notes(invoices, actor)
    _bank_statement(actor)
