"""Goods receipts, stock counts, transfers and adjustments: the pages that change stock,
each through one service (``record_receipt``, ``record_count``, ``transfer_stock``,
``adjust_stock``), and the list and detail of the documents they leave behind."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from dms.core.errors import DomainError, ValidationFailed
from dms.core.forms import apply_service_errors
from dms.core.lists import paginate
from dms.core.permissions import staff_view

from . import selectors, services
from .filters import DocumentFilter, order_by_param
from .forms import (
    AdjustForm,
    CountForm,
    Lines,
    ReceiptForm,
    TransferForm,
    parse_lines,
    rows_for_products,
)
from .models import StockDocument
from .views_stock import render_results

DOCUMENT_ORDERING = {"time": "created_at", "number": "number", "kind": "kind", "warehouse": "warehouse__code"}


@staff_view("inventory.view_stocklevel")
def documents(request):
    filterset = DocumentFilter(request.GET or None, queryset=selectors.stock_documents())
    qs = order_by_param(filterset.qs, request.GET.get("sort", ""), DOCUMENT_ORDERING, ["-created_at", "-id"])
    context = {"nav": "stock_documents", "tab": "documents", "filter": filterset, "page_obj": paginate(request, qs)}
    return render_results(request, "inventory/documents.html", context)


@staff_view("inventory.view_stocklevel")
def document_detail(request, pk):
    try:
        document = selectors.stock_document(pk)
    except StockDocument.DoesNotExist:
        raise Http404 from None
    lines = list(document.lines.all())
    for line in lines:
        line.difference = line.quantity - line.expected if line.expected is not None else None
    context = {
        "nav": "stock_documents", "document": document, "lines": lines,
        "moves": selectors.stock_moves().filter(reference=document.number).order_by("warehouse__code", "product__sku"),
        "total": sum(line.quantity for line in lines),
    }
    return render(request, "inventory/document_detail.html", context)


@staff_view("inventory.view_stocklevel")
def product_options(request):
    """<option>s for the line editor's datalist (HTMX, as the user types)."""
    text = next((v for k, v in request.GET.items() if k in ("product", "product_sku", "q") and v.strip()), "")
    return render(request, "inventory/_product_options.html", {"products": selectors.find_products(text)})


# --- shared by the three document forms ---------------------------------------------------

def _line_page(request, template, form, lines: Lines, status=200):
    extra_rows = 5 if request.POST.get("add_rows") else 0
    context = {"nav": "stock_documents", "form": form, "lines": lines.pad(extra_rows)}
    return render(request, template, context, status=status)


def _stock_error(exc: DomainError, form, lines: Lines) -> int:
    """Show a service error on the form and the rows it names; the HTTP status to answer."""
    short = getattr(exc, "short", None)
    if short is not None:
        lines.mark_short(short)
        form.add_error(None, str(exc.message))
        return 409
    if isinstance(exc, ValidationFailed) and exc.fields.get("lines"):
        lines.mark_products(exc.fields["lines"], _("Check this line."))
        form.add_error(None, str(exc.message))
        return 400
    apply_service_errors(form, exc)
    return 400


def _editing(request) -> bool:
    """The form was posted to add rows or load products, not to save."""
    return bool(request.POST.get("add_rows") or request.POST.get("load"))


def _document_form(request, template, form, save, message: str):
    """A receipt or transfer form: ``save(cleaned_data, lines)`` records the document,
    ``message`` (with ``%(n)s`` for its number) announces it."""
    lines, status = Lines(), 200
    if request.method == "POST":
        lines = parse_lines(request.POST)
        if not _editing(request) and form.is_valid() and lines.valid:
            try:
                doc = save(form.cleaned_data, lines.lines)
            except DomainError as exc:
                status = _stock_error(exc, form, lines)
            else:
                messages.success(request, message % {"n": doc.number})
                return redirect("inventory:document_detail", pk=doc.pk)
        elif not _editing(request):
            status = 400
            if lines.error:
                form.add_error(None, lines.error)
    return _line_page(request, template, form, lines, status)


@staff_view("inventory.change_stocklevel")
def receipt_create(request):
    def save(data, lines):
        return services.record_receipt(warehouse=data["warehouse"], lines=lines, actor=request.user,
                                       supplier=data["supplier"].strip(), note=data["note"].strip())

    form = ReceiptForm(request.POST or None, initial={"warehouse": selectors.default_warehouse_id()})
    return _document_form(request, "inventory/receipt_form.html", form, save, _("Goods receipt %(n)s recorded."))


@staff_view("inventory.change_stocklevel")
def transfer_create(request):
    def save(data, lines):
        return services.transfer_stock(source=data["from_warehouse"], target=data["to_warehouse"], lines=lines,
                                       actor=request.user, note=data["note"].strip())

    form = TransferForm(request.POST or None, initial={"from_warehouse": selectors.default_warehouse_id()})
    return _document_form(request, "inventory/transfer_form.html", form, save, _("Transfer %(n)s recorded."))


@staff_view("inventory.change_stocklevel")
def count_create(request):
    """Two steps: enter what was counted, then review expected vs counted and confirm.
    "Load products" fills the rows with every product stocked in the chosen warehouse."""
    data = request.POST if request.method == "POST" else None
    initial = {"warehouse": request.GET.get("warehouse") or selectors.default_warehouse_id()}
    form = CountForm(data, initial=initial)
    lines, step = Lines(), request.POST.get("step", "")
    if request.method == "POST":
        if request.POST.get("load"):
            if form.is_valid():
                lines = rows_for_products(selectors.products_in_warehouse(form.cleaned_data["warehouse"]))
                if not lines.rows:
                    messages.info(request, _("Nothing is stocked in this warehouse yet: enter the products counted."))
            return _line_page(request, "inventory/count_form.html", form, lines)
        lines = parse_lines(request.POST, allow_zero=True, merge=False, skip_blank=True)
        if lines.error:
            form.add_error(None, lines.error)
        if request.POST.get("add_rows") or step == "edit":
            return _line_page(request, "inventory/count_form.html", form, lines)
        if not (form.is_valid() and lines.valid):
            return _line_page(request, "inventory/count_form.html", form, lines, 400)
        warehouse = form.cleaned_data["warehouse"]
        if step == "confirm":
            try:
                doc = services.record_count(warehouse=warehouse, counted=lines.lines, actor=request.user,
                                            note=form.cleaned_data["note"].strip())
            except DomainError as exc:
                return _line_page(request, "inventory/count_form.html", form, lines, _stock_error(exc, form, lines))
            changed = sum(1 for line in doc.lines.all() if line.quantity != line.expected)
            messages.success(request, _("Stock count %(n)s recorded: %(c)d of %(t)d products adjusted.")
                             % {"n": doc.number, "c": changed, "t": len(lines.lines)})
            return redirect("inventory:document_detail", pk=doc.pk)
        # review: what the books say next to what was counted
        expected = selectors.on_hand(warehouse, lines.lines)
        for row in lines.rows:
            if not row.skipped:
                row.expected = expected[row.product_obj.pk]
        differences = [r for r in lines.rows if r.difference]
        return render(request, "inventory/count_review.html", {
            "nav": "stock_documents", "form": form, "lines": lines, "warehouse": warehouse,
            "counted": [r for r in lines.rows if not r.skipped], "skipped": sum(r.skipped for r in lines.rows),
            "differences": len(differences), "net": sum(r.difference for r in differences),
        })
    return _line_page(request, "inventory/count_form.html", form, lines)


@staff_view("inventory.change_stocklevel")
def adjust(request):
    initial = {"warehouse": request.GET.get("warehouse") or selectors.default_warehouse_id()}
    product_id = request.GET.get("product", "")
    if product_id.isdigit():
        initial["product"] = selectors.find_product_sku(int(product_id))
    form = AdjustForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.adjust_stock(warehouse=data["warehouse"], product_id=data["product"].pk,
                                      quantity=data["quantity"], reason=data["reason"], actor=request.user)
            except DomainError as exc:
                status = 409 if getattr(exc, "short", None) is not None else 400
                apply_service_errors(form, exc, {"quantity": "quantity", "reason": "reason"})
            else:
                messages.success(request, _("%(sku)s at %(w)s adjusted by %(q)+d.") % {
                    "sku": data["product"].sku, "w": data["warehouse"].code, "q": data["quantity"]})
                return redirect(reverse("inventory:moves") + f"?product={data['product'].pk}"
                                f"&warehouse={data['warehouse'].pk}")
        else:
            status = 400
    return render(request, "inventory/adjust_form.html",
                  {"nav": "stock_documents", "form": form, "level": _current_level(form)}, status=status)


def _current_level(form):
    """The stock level the adjustment is about, when the form names one (shown beside it)."""
    if form.is_bound:
        data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
        warehouse, product = data.get("warehouse"), data.get("product")
        product_q = {"product": product}
    else:
        warehouse, product = form.initial.get("warehouse"), form.initial.get("product")
        product_q = {"product__sku": product}
    if not warehouse or not product:
        return None
    return selectors.stock_levels().filter(warehouse_id=getattr(warehouse, "pk", warehouse), **product_q).first()
