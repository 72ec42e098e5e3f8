"""Bank statement import (Excel): incoming transfers become payments after finance's review.

The file is read all or nothing (every problem listed by row and column, nothing stored
when there is one). Each line gets a match suggestion, with the reason stored:
the distributor by the payer's account number (the distributor's bank account), by an
invoice number in the reference, or by the payer's name (legal name or name); its
invoices by number in the reference, or the one open invoice of exactly that amount.
Finance then accepts the suggestion (a payment with those allocations), records it for
another distributor / other invoices, or ignores the line.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dms.core.errors import Conflict, ValidationFailed
from dms.core.excel import ImportResult, RowError, cell_text, normalise_header, read_xlsx
from dms.distributors.models import Distributor

from . import allocations as alloc
from . import ledger
from .models import BankImport, BankLine, Invoice, Payment
from .payments import record_payment


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    names: tuple[str, ...]
    required: bool
    example: str


COLUMNS = [
    Column("date", gettext_lazy("Date"), ("日期", "交易日期", "记账日期", "date"), True, "2026-11-20"),
    Column("amount", gettext_lazy("Amount"), ("金额", "收入金额", "贷方金额", "amount"), True, "12800.00"),
    Column("payer", gettext_lazy("Payer"), ("付款人", "对方户名", "付款人名称", "payer"), False, "成都锦城商贸有限公司"),
    Column("payer_account", gettext_lazy("Payer account"), ("对方账号", "付款账号", "payer account"), False,
           "6222 0000 1234 5678"),
    Column("reference", gettext_lazy("Reference"), ("摘要", "附言", "用途", "reference"), False,
           "货款 INV20261101000001"),
]
INVOICE_NUMBER = re.compile(r"INV\d{14}", re.IGNORECASE)


def _mapping(headers) -> dict[str, str]:
    names = {normalise_header(n): c.key for c in COLUMNS for n in (*c.names, c.key)}
    mapping = {}
    for header in headers:
        for part in [header, *str(header).replace("／", "/").split("/")]:
            key = names.get(normalise_header(part))
            if key and key not in mapping.values():
                mapping[header] = key
                break
    return mapping


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value).replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text[:10], fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


def _parse_row(raw, mapping, result) -> dict | None:
    row = {key: raw.get(header) for header, key in mapping.items()}
    number, ok = raw.get("_row", 0), True
    booked_on = _date(row.get("date"))
    if booked_on is None:
        result.errors.append(RowError(number, str(COLUMNS[0].label), _("Enter a date like 2026-11-20.")))
        ok = False
    try:
        amount = ledger.parse_amount(cell_text(row.get("amount")), "amount")
    except ValidationFailed as exc:
        result.errors.append(RowError(number, str(COLUMNS[1].label), str(exc.fields["amount"][0])))
        ok = False
    if not ok:
        return None
    return {"row": number, "booked_on": booked_on, "amount": amount, "payer": cell_text(row.get("payer"))[:200],
            "payer_account": cell_text(row.get("payer_account"))[:64],
            "reference": cell_text(row.get("reference"))[:200]}


def parse(upload) -> tuple[ImportResult, list[dict]]:
    result = ImportResult()
    try:
        headers, rows = read_xlsx(upload)
    except ValidationFailed as exc:
        result.errors.append(RowError(1, "", str(exc.fields.get("file", [exc.message])[0])))
        return result, []
    mapping = _mapping(headers)
    for col in COLUMNS:
        if col.required and col.key not in mapping.values():
            result.errors.append(RowError(1, str(col.label), _("Column “%(zh)s” (or “%(en)s”) is missing.")
                                          % {"zh": col.names[0], "en": col.names[-1]}))
    if not rows and not result.errors:
        result.errors.append(RowError(1, "", _("The file has no data rows.")))
    if result.errors:
        return result, []
    parsed = [p for p in (_parse_row(raw, mapping, result) for raw in rows) if p is not None]
    result.total_rows = len(rows)
    return result, parsed


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def bank_accounts() -> dict[str, Distributor]:
    """Distributors by their bank account number (digits only)."""
    return {_digits(d.bank_account): d for d in Distributor.objects.exclude(bank_account="").only("pk", "bank_account")}


def suggest(line: BankLine, accounts: dict[str, Distributor]) -> tuple[Distributor | None, list[Invoice], list[str]]:
    """The distributor and invoices this line most likely pays, and why."""
    reasons: list[str] = []
    numbers = [n.upper() for n in INVOICE_NUMBER.findall(line.reference or "")]
    by_number = list(Invoice.objects.filter(number__in=numbers, status__in=alloc.OPEN_STATUSES).order_by("pk"))
    distributor = accounts.get(_digits(line.payer_account)) if _digits(line.payer_account) else None
    if distributor is not None:
        reasons.append(_("Matched by payer account"))
    if distributor is None and by_number:
        distributor = by_number[0].distributor
        reasons.append(_("Matched by invoice number"))
    payer = (line.payer or "").strip()
    if distributor is None and payer:
        distributor = Distributor.objects.filter(Q(legal_name=payer) | Q(name=payer)).first()
        if distributor is not None:
            reasons.append(_("Matched by payer name"))
    invoices: list[Invoice] = []
    if distributor is not None:
        invoices = [inv for inv in by_number if inv.distributor_id == distributor.pk]
        if invoices and _("Matched by invoice number") not in reasons:
            reasons.append(_("Matched by invoice number"))
        if not invoices:
            exact = list(Invoice.objects.filter(distributor=distributor, status__in=alloc.OPEN_STATUSES)
                         .order_by("due_date", "pk"))
            exact = [inv for inv in exact if inv.open_amount == line.amount]
            if exact:
                invoices = exact[:1]
                reasons.append(_("Invoice matched by amount"))
    return distributor, invoices, reasons


@transaction.atomic
def import_statement(*, upload, file_name: str, actor) -> tuple[ImportResult, BankImport | None]:
    result, rows = parse(upload)
    if not result.ok:
        return result, None
    bank_import = BankImport.objects.create(file_name=file_name[:200],
                                            uploaded_by=actor if getattr(actor, "pk", None) else None)
    accounts = bank_accounts()
    for row in rows:
        line = BankLine.objects.create(bank_import=bank_import, **row)
        distributor, invoices, reasons = suggest(line, accounts)
        if distributor is not None:
            line.distributor, line.status = distributor, BankLine.Status.SUGGESTED
            line.match_reason = "；".join(reasons)[:255]
            line.save(update_fields=["distributor", "status", "match_reason"])
            line.suggested_invoices.set(invoices)
        result.created.append(line)
    return result, bank_import


def _default_allocations(line: BankLine, invoices) -> list[tuple[int, Decimal]]:
    left, wanted = line.amount, []
    for invoice in invoices:
        amount = min(left, invoice.open_amount)
        if amount > 0:
            wanted.append((invoice.pk, amount))
            left -= amount
    return wanted


@transaction.atomic
def record_bank_line(*, line_id: int, actor, distributor_id: int | None = None, allocations=None) -> Payment:
    """Record the line as a payment: the suggestion (distributor, invoices) unless another
    distributor or other allocations are given."""
    line = BankLine.objects.select_for_update().get(pk=line_id)
    if line.status in (BankLine.Status.RECORDED, BankLine.Status.IGNORED):
        raise Conflict(_("This bank line has already been handled."))
    distributor_id = distributor_id or line.distributor_id
    if not distributor_id:
        raise ValidationFailed(_("Choose the distributor who paid."), fields={"distributor": [_("Choose one.")]})
    if allocations is None:
        invoices = line.suggested_invoices.filter(distributor_id=distributor_id, status__in=alloc.OPEN_STATUSES)
        allocations = _default_allocations(line, invoices.order_by("due_date", "pk"))
    payment = record_payment(distributor_id=distributor_id, amount=line.amount, method=Payment.Method.BANK_TRANSFER,
                             reference=line.reference[:64], received_on=line.booked_on, allocations=allocations,
                             actor=actor, note=_("Bank statement %(file)s row %(row)s")
                             % {"file": line.bank_import.file_name, "row": line.row})
    line.status, line.payment, line.distributor_id = BankLine.Status.RECORDED, payment, distributor_id
    line.save(update_fields=["status", "payment", "distributor"])
    return payment


@transaction.atomic
def ignore_bank_line(*, line_id: int, actor) -> BankLine:
    line = BankLine.objects.select_for_update().get(pk=line_id)
    if line.status == BankLine.Status.RECORDED:
        raise Conflict(_("This bank line has already been recorded as a payment."))
    line.status = BankLine.Status.IGNORED
    line.save(update_fields=["status"])
    return line


def template_rows() -> tuple[list[str], list[list[str]]]:
    return [c.names[0] for c in COLUMNS], [[c.example for c in COLUMNS]]

