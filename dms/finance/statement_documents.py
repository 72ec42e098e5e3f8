"""The statement as a document: PDF (Chinese, WeasyPrint) and Excel. Callers pass a
statement they already fetched within the user's scope; nothing here widens it."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from dms.core.excel import add_sheet, workbook_response
from dms.core.pdf import render_pdf

from .models import Statement

PDF_TEMPLATE = "finance/statements/pdf.html"


def context(statement: Statement) -> dict:
    return {
        "statement": statement,
        "distributor": statement.distributor,
        "lines": list(statement.lines.order_by("date", "id")),
        "disputes": list(statement.disputes.select_related("line").order_by("raised_at", "id")),
        "printed_at": timezone.localtime(),
        "company_name": getattr(settings, "COMPANY_NAME", "") or _("Distributor Management System"),
        "company_address": getattr(settings, "COMPANY_ADDRESS", ""),
    }


def statement_pdf(statement: Statement, **options) -> bytes:
    return render_pdf(PDF_TEMPLATE, context(statement), **options)


def filename(statement: Statement) -> str:
    return f"{statement.number}-{statement.period_start:%Y%m%d}-{statement.period_end:%Y%m%d}"


def summary_rows(s: Statement) -> list[tuple]:
    return [
        (_("Statement number"), s.number), (_("Distributor"), f"{s.distributor.code} {s.distributor.name}"),
        (_("Period"), f"{s.period_start:%Y-%m-%d} – {s.period_end:%Y-%m-%d}"), (_("Status"), s.get_status_display()),
        (_("Opening balance"), s.opening_balance), (_("Invoices"), s.invoices_amount),
        (_("Payments"), -s.payments_amount), (_("Credit notes"), -s.credit_notes_amount),
        (_("Rebates"), -s.rebates_amount), (_("Other"), s.other_amount), (_("Closing balance"), s.closing_balance),
        (_("Confirmed at"), s.confirmed_at or ""),
    ]


def statement_xlsx(statement: Statement):
    """Two sheets: the summary and the lines (amounts as numbers)."""
    wb = Workbook()
    wb.remove(wb.active)
    add_sheet(wb, _("Summary"), [_("Item"), _("Value")], summary_rows(statement))
    headers = [_("Date"), _("Kind"), _("Reference"), _("Description"), _("Debit (owed more)"),
               _("Credit (owed less)"), _("Balance")]
    rows = [(line.date, line.get_kind_display(), line.reference, line.description, line.debit, line.credit,
             line.balance) for line in statement.lines.order_by("date", "id")]
    add_sheet(wb, _("Lines"), headers, rows)
    return workbook_response(wb, filename(statement), stamp=False)
