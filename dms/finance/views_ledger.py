"""Back-office pages of the ledger: each distributor's money (balances, open items,
history), the invoice, payment, credit note and journal lists (search, filters, sort,
Excel export), recording payments and credit notes, reversals, and the bank statement
import with its review.

Pages are for brand staff (``staff_view``) in the request's tenant scope: a channel
manager opens only his distributors' documents, anything else is a 404. Each action is
one service call.
"""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.core.errors import DomainError, ValidationFailed
from dms.core.excel import xlsx_response
from dms.core.forms import apply_service_errors
from dms.core.lists import paginate, render_list
from dms.core.pdf import pdf_response
from dms.core.permissions import staff_view
from dms.distributors.filters import order_by_param
from dms.distributors.models import Distributor
from dms.orders.models import ReturnRequest

from . import bank, corrections, credit_notes, documents_ledger, payments, selectors_ledger
from .filters_ledger import (
    CREDIT_NOTE_ORDERING,
    INVOICE_ORDERING,
    JOURNAL_ORDERING,
    PAYMENT_ORDERING,
    CreditNoteFilter,
    InvoiceFilter,
    JournalEntryFilter,
    PaymentFilter,
)
from .forms_ledger import BankUploadForm, CreditNoteForm, PaymentForm, ReverseForm, allocations_from
from .invoicing import cancel_invoice
from .models import BankImport, BankLine, CreditNote, Invoice, JournalEntry, Payment

VIEW_ACCOUNT = "finance.view_distributoraccount"
VIEW_INVOICE = "finance.view_invoice"
VIEW_PAYMENT = "finance.view_payment"
VIEW_CREDIT_NOTE = "finance.view_creditnote"
VIEW_JOURNAL = "finance.view_journalentry"
POST = "finance.post_journal"
CSS = "finance/ledger.css"


def _error(exc: DomainError) -> str:
    if exc.fields:
        first = next(iter(exc.fields.values()))
        detail = first[0] if isinstance(first, list | tuple) else first
        return str(exc.message) if str(detail) in str(exc.message) else f"{exc.message} {detail}"
    return str(exc.message)


def _filtered_list(request, *, queryset, filter_class, ordering, default, template, context, export=None):
    """The list pages' shared shape: filters, ?sort=, ?export=xlsx, pagination, HTMX partial."""
    filterset = filter_class(request.GET or None, queryset=queryset)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    qs = order_by_param(qs, request.GET.get("sort", ""), ordering, default)
    if export and request.GET.get("export") == "xlsx":
        return export(qs)
    context = {"page_obj": paginate(request, qs), "filterset": filterset, "q": request.GET,
               "filters_active": any(request.GET.get(k) for k in filter_class.Meta.fields), **context}
    return render_list(request, template, context)


# --- accounts (one money view per distributor) -----------------------------------------


ACCOUNT_ORDERING = {"code": "distributor__code", "name": "distributor__name", "receivable": "receivable",
                    "prepayment": "prepayment", "rebate": "rebate", "limit": "credit_limit"}


@staff_view(VIEW_ACCOUNT)
def account_list(request):
    qs = selectors_ledger.accounts()
    search = (request.GET.get("search") or "").strip()
    if search:
        qs = qs.filter(Q(distributor__name__icontains=search) | Q(distributor__code__icontains=search))
    qs = order_by_param(qs, request.GET.get("sort", ""), ACCOUNT_ORDERING, "distributor__code")
    if request.GET.get("export") == "xlsx":
        headers = [_("Distributor code"), _("Distributor"), _("Receivable"), _("Prepayment"), _("Rebate"),
                   _("Prepayment applied to orders"), _("Credit limit"), _("Available credit"), _("On credit hold")]
        rows = ([a.distributor.code, a.distributor.name, a.receivable, a.prepayment, a.rebate, a.deposit,
                 a.credit_limit, a.available_credit, _("Yes") if a.on_hold else ""] for a in qs)
        return xlsx_response("accounts", headers, rows, sheet_title=_("Accounts"))
    context = {"nav": "fin_accounts", "page_obj": paginate(request, qs), "q": request.GET,
               "filters_active": bool(search), "css": CSS}
    return render_list(request, "finance/ledger/account_list.html", context)


@staff_view(VIEW_ACCOUNT)
def account_detail(request, distributor_pk):
    distributor = get_object_or_404(Distributor.objects.all(), pk=distributor_pk)
    account = get_object_or_404(selectors_ledger.accounts(), distributor_id=distributor.pk)
    history = selectors_ledger.history(distributor.pk)
    context = {
        "nav": "fin_accounts", "css": CSS, "distributor": distributor, "account": account,
        "totals": selectors_ledger.open_totals(distributor.pk),
        "open_invoices": selectors_ledger.open_invoices(distributor.pk),
        "history": paginate(request, history, param="hpage"),
        "payments": selectors_ledger.payments().filter(distributor=distributor).order_by("-received_on", "-pk")[:10],
        "credit_notes": selectors_ledger.credit_notes().filter(distributor=distributor).order_by("-created_at")[:10],
        "can_post": request.user.has_perm(POST),
        "free_prepayment": account.prepayment - account.prepayment_reserved,
    }
    return render(request, "finance/ledger/account_detail.html", context)


@require_POST
@staff_view(POST)
def prepayment_allocate(request, distributor_pk):
    distributor = get_object_or_404(Distributor.objects.all(), pk=distributor_pk)
    try:
        payments.allocate_prepayment(distributor_id=distributor.pk, allocations=allocations_from(request.POST),
                                     actor=request.user)
    except DomainError as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, _("Prepayment applied to the invoices."))
    return redirect("finance:account", distributor_pk=distributor.pk)


# --- invoices -------------------------------------------------------------------------


def _invoice_export(qs):
    headers = [_("Invoice number"), _("Distributor code"), _("Distributor"), _("Order number"), _("Shipment number"),
               _("Invoice date"), _("Due date"), _("Status"), _("Amount before tax"), _("Tax"), _("Total"), _("Paid"),
               _("Open amount"), _("Overdue")]
    rows = ([i.number, i.distributor.code, i.distributor.name, i.order.number if i.order else "",
             i.shipment.number if i.shipment else "", i.issue_date, i.due_date, i.get_status_display(), i.net_amount,
             i.tax_amount, i.total_amount, i.paid_amount, i.open_total, _("Yes") if i.is_overdue else ""]
            for i in qs.iterator(chunk_size=2000))
    return xlsx_response("invoices", headers, rows, sheet_title=_("Invoices"))


@staff_view(VIEW_INVOICE)
def invoice_list(request):
    return _filtered_list(request, queryset=selectors_ledger.invoices(), filter_class=InvoiceFilter,
                          ordering=INVOICE_ORDERING, default="-issue_date", template="finance/ledger/invoice_list.html",
                          export=_invoice_export,
                          context={"nav": "fin_invoices", "css": CSS, "statuses": Invoice.Status.choices})


def _invoice(pk) -> Invoice:
    try:
        return selectors_ledger.invoice_detail(pk)
    except Invoice.DoesNotExist:
        raise Http404 from None


@staff_view(VIEW_INVOICE)
def invoice_detail(request, pk):
    invoice = _invoice(pk)
    context = {"nav": "fin_invoices", "css": CSS, "invoice": invoice, "can_post": request.user.has_perm(POST),
               "can_cancel": invoice.entry_id and not any(not a.reversed for a in invoice.allocations.all())
               and invoice.status != Invoice.Status.CANCELLED}
    return render(request, "finance/ledger/invoice_detail.html", context)


@staff_view(VIEW_INVOICE)
def invoice_pdf(request, pk):
    invoice = _invoice(pk)
    return pdf_response(documents_ledger.invoice_pdf(invoice), documents_ledger.filename(invoice))


@require_POST
@staff_view(POST)
def invoice_cancel(request, pk):
    invoice = _invoice(pk)
    try:
        cancel_invoice(invoice_id=invoice.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, _("Invoice %(number)s cancelled.") % {"number": invoice.number})
    return redirect("finance:invoice", pk=invoice.pk)


# --- payments -------------------------------------------------------------------------


def _payment_export(qs):
    headers = [_("Payment number"), _("Distributor code"), _("Distributor"), _("Received on"), _("Method"),
               _("Amount"), _("Allocated"), _("To prepayment"), _("Reference"), _("Reversed at")]
    rows = ([p.number, p.distributor.code, p.distributor.name, p.received_on, p.get_method_display(), p.amount,
             p.amount - p.to_prepayment, p.to_prepayment, p.reference, p.reversed_at] for p in qs)
    return xlsx_response("payments", headers, rows, sheet_title=_("Payments"))


@staff_view(VIEW_PAYMENT)
def payment_list(request):
    return _filtered_list(request, queryset=selectors_ledger.payments(), filter_class=PaymentFilter,
                          ordering=PAYMENT_ORDERING, default="-received_on", template="finance/ledger/payment_list.html",
                          export=_payment_export,
                          context={"nav": "fin_payments", "css": CSS, "methods": Payment.Method.choices})


def _open_invoice_rows(distributor_id, posted=None):
    posted = posted or {}
    return [{"invoice": inv, "value": posted.get(f"alloc_{inv.pk}", "")}
            for inv in selectors_ledger.open_invoices(distributor_id)]


@staff_view(POST)
def payment_open_invoices(request):
    """HTMX: the chosen distributor's open invoices as allocation rows."""
    try:
        distributor = Distributor.objects.get(pk=int(request.GET.get("distributor") or 0))
    except (Distributor.DoesNotExist, ValueError):
        distributor = None
    rows = _open_invoice_rows(distributor.pk) if distributor else []
    return render(request, "finance/ledger/_allocation_rows.html", {"rows": rows, "distributor": distributor})


@staff_view(POST)
def payment_create(request):
    form = PaymentForm(request.POST or None, initial={"distributor": request.GET.get("distributor")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = payments.record_payment(
                distributor_id=data["distributor"].pk, amount=data["amount"], method=data["method"],
                reference=data["reference"], received_on=data["received_on"], note=data["note"],
                allocations=allocations_from(request.POST), actor=request.user)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, _error(exc))
        else:
            messages.success(request, _("Payment %(number)s recorded.") % {"number": payment.number})
            return redirect("finance:payment", pk=payment.pk)
    distributor = form["distributor"].value()
    try:
        rows = _open_invoice_rows(int(distributor), request.POST) if distributor else []
    except ValueError:
        rows = []
    context = {"nav": "fin_payments", "css": CSS, "form": form, "rows": rows, "distributor": distributor}
    return render(request, "finance/ledger/payment_form.html", context, status=400 if form.errors else 200)


@staff_view(VIEW_PAYMENT)
def payment_detail(request, pk):
    try:
        payment = selectors_ledger.payment_detail(pk)
    except Payment.DoesNotExist:
        raise Http404 from None
    context = {"nav": "fin_payments", "css": CSS, "payment": payment, "can_post": request.user.has_perm(POST),
               "allocated": payment.amount - payment.to_prepayment}
    return render(request, "finance/ledger/payment_detail.html", context)


@require_POST
@staff_view(POST)
def payment_reverse(request, pk):
    payment = get_object_or_404(Payment.objects.all(), pk=pk)
    try:
        payments.reverse_payment(payment_id=payment.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, _("Payment %(number)s reversed.") % {"number": payment.number})
    return redirect("finance:payment", pk=payment.pk)


# --- credit notes ---------------------------------------------------------------------


def _credit_note_export(qs):
    headers = [_("Credit note number"), _("Distributor code"), _("Distributor"), _("Kind"), _("Invoice number"),
               _("Return"), _("Reason"), _("Amount before tax"), _("Tax"), _("Total"), _("Created at")]
    rows = ([c.number, c.distributor.code, c.distributor.name, c.get_kind_display(),
             c.invoice.number if c.invoice else "", c.return_request.number if c.return_request else "", c.reason,
             c.net_amount, c.tax_amount, c.total_amount, c.created_at] for c in qs)
    return xlsx_response("credit-notes", headers, rows, sheet_title=_("Credit notes"))


@staff_view(VIEW_CREDIT_NOTE)
def credit_note_list(request):
    to_credit = (ReturnRequest.objects.filter(status=ReturnRequest.Status.RECEIVED, credit_note__isnull=True)
                 .select_related("order", "distributor").order_by("received_at")[:20])
    return _filtered_list(request, queryset=selectors_ledger.credit_notes(), filter_class=CreditNoteFilter,
                          ordering=CREDIT_NOTE_ORDERING, default="-created_at",
                          template="finance/ledger/credit_note_list.html", export=_credit_note_export,
                          context={"nav": "fin_credit_notes", "css": CSS, "kinds": CreditNote.Kind.choices,
                                   "to_credit": to_credit, "can_post": request.user.has_perm(POST)})


@staff_view(POST)
def credit_note_create(request):
    form = CreditNoteForm(request.POST or None, initial={"distributor": request.GET.get("distributor")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invoice_id = None
        if data["invoice"]:
            invoice = Invoice.objects.filter(number=data["invoice"].strip()).first()
            invoice_id = invoice.pk if invoice else -1
        try:
            note = credit_notes.create_credit_note(distributor_id=data["distributor"].pk, kind=data["kind"],
                                                   amount=data["amount"], reason=data["reason"],
                                                   invoice_id=invoice_id, actor=request.user)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, _error(exc))
        else:
            messages.success(request, _("Credit note %(number)s created.") % {"number": note.number})
            return redirect("finance:credit_note", pk=note.pk)
    context = {"nav": "fin_credit_notes", "css": CSS, "form": form}
    return render(request, "finance/ledger/credit_note_form.html", context, status=400 if form.errors else 200)


@staff_view(VIEW_CREDIT_NOTE)
def credit_note_detail(request, pk):
    note = get_object_or_404(selectors_ledger.credit_notes().prefetch_related("allocations__invoice"), pk=pk)
    context = {"nav": "fin_credit_notes", "css": CSS, "note": note, "can_post": request.user.has_perm(POST),
               "reversible": note.entry_id and corrections.can_reverse(note.entry)}
    return render(request, "finance/ledger/credit_note_detail.html", context)


@require_POST
@staff_view(POST)
def return_credit(request, pk):
    ret = get_object_or_404(ReturnRequest.objects.all(), pk=pk)
    try:
        note = credit_notes.credit_return(return_id=ret.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, _error(exc))
        return redirect("finance:credit_notes")
    messages.success(request, _("Credit note %(number)s created for return %(ret)s.")
                     % {"number": note.number, "ret": ret.number})
    return redirect("finance:credit_note", pk=note.pk)


# --- journal --------------------------------------------------------------------------


def _journal_export(qs):
    headers = [_("Entry"), _("Posted at"), _("Kind"), _("Distributor code"), _("Distributor"), _("Account"),
               _("Debit"), _("Credit"), _("Memo"), _("Reference")]
    rows = ([e.number, e.posted_at, e.get_kind_display(), e.distributor.code, e.distributor.name,
             line.get_account_display(), line.debit, line.credit, e.memo, e.reference]
            for e in qs for line in e.lines.all())
    return xlsx_response("journal", headers, rows, sheet_title=_("Journal"))


@staff_view(VIEW_JOURNAL)
def journal(request):
    return _filtered_list(request, queryset=selectors_ledger.journal_entries(), filter_class=JournalEntryFilter,
                          ordering=JOURNAL_ORDERING, default="-posted_at", template="finance/ledger/journal.html",
                          export=_journal_export,
                          context={"nav": "fin_journal", "css": CSS, "kinds": JournalEntry.Kind.choices,
                                   "reversible": corrections.REVERSIBLE, "can_post": request.user.has_perm(POST)})


@staff_view(POST)
def journal_reverse(request, pk):
    """Confirm (GET), then reverse (POST) an entry with the document it belongs to."""
    entry = get_object_or_404(selectors_ledger.journal_entries(), pk=pk)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reversal = corrections.reverse_entry(entry_id=entry.pk, actor=request.user, memo=form.cleaned_data["memo"])
        except DomainError as exc:
            form.add_error(None, _error(exc))
        else:
            messages.success(request, _("Entry %(number)s reversed by %(reversal)s.")
                             % {"number": entry.number, "reversal": reversal.number})
            return redirect(reverse("finance:journal") + f"?search={entry.number}")
    context = {"nav": "fin_journal", "css": CSS, "entry": entry, "form": form,
               "reversible": corrections.can_reverse(entry)}
    return render(request, "finance/ledger/journal_reverse.html", context, status=400 if form.errors else 200)


# --- bank statement import ------------------------------------------------------------


@staff_view(POST)
def bank_imports(request):
    form = BankUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result, bank_import = bank.import_statement(upload=upload, file_name=upload.name, actor=request.user)
        if bank_import is not None:
            messages.success(request, _("%(n)d bank lines imported: review the suggestions.")
                             % {"n": result.created_count})
            return redirect("finance:bank_import", pk=bank_import.pk)
    context = {"nav": "fin_bank", "css": CSS, "form": form, "result": result, "columns": bank.COLUMNS,
               "page_obj": paginate(request, selectors_ledger.bank_imports())}
    return render(request, "finance/ledger/bank_imports.html", context, status=400 if form.errors or result else 200)


@staff_view(POST)
def bank_template(request):
    headers, rows = bank.template_rows()
    response = xlsx_response("bank-statement-template", headers, rows, sheet_title=_("Bank statement"))
    response["Content-Disposition"] = 'attachment; filename="bank-statement-template.xlsx"'
    return response


@staff_view(POST)
def bank_import_detail(request, pk):
    bank_import = get_object_or_404(BankImport.objects.select_related("uploaded_by"), pk=pk)
    lines = selectors_ledger.bank_lines(bank_import.pk)
    context = {"nav": "fin_bank", "css": CSS, "bank_import": bank_import, "lines": lines}
    return render(request, "finance/ledger/bank_import_detail.html", context)


@staff_view(POST)
def bank_line(request, pk):
    """Record a bank line for the suggested or another distributor and chosen invoices."""
    line = get_object_or_404(BankLine.objects.select_related("bank_import", "distributor"), pk=pk)
    if request.method == "POST" and request.POST.get("ignore"):
        try:
            bank.ignore_bank_line(line_id=line.pk, actor=request.user)
        except DomainError as exc:
            messages.error(request, _error(exc))
        return redirect("finance:bank_import", pk=line.bank_import_id)
    form = PaymentForm(request.POST or None, initial={"distributor": line.distributor_id})
    distributor = request.POST.get("distributor") or line.distributor_id
    if request.method == "POST":
        try:
            choose = request.POST.get("choose") == "1"
            bank.record_bank_line(line_id=line.pk, actor=request.user,
                                  distributor_id=int(distributor) if distributor else None,
                                  allocations=allocations_from(request.POST) if choose else None)
        except (DomainError, ValueError) as exc:
            messages.error(request, _error(exc) if isinstance(exc, DomainError) else _("Choose a distributor."))
        else:
            messages.success(request, _("Bank line %(row)s recorded as a payment.") % {"row": line.row})
            return redirect("finance:bank_import", pk=line.bank_import_id)
    try:
        rows = _open_invoice_rows(int(distributor), request.POST) if distributor else []
    except ValueError:
        rows = []
    suggested = {inv.pk for inv in line.suggested_invoices.all()}
    for row in rows:
        if not row["value"] and row["invoice"].pk in suggested:
            row["value"] = min(row["invoice"].open_total, line.amount)
    context = {"nav": "fin_bank", "css": CSS, "line": line, "form": form, "rows": rows, "distributor": distributor}
    return render(request, "finance/ledger/bank_line.html", context)

