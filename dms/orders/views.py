"""Back-office order pages: the list (filters, export), the review queue, the order page
with its live timeline and actions, and ordering on a distributor's behalf.

Every page is for brand staff (``staff_view``); the request's tenant scope limits the
orders a channel manager sees, so another manager's distributor's order answers 404.
Each action makes one service call.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from dms.catalog.models import Product
from dms.core.errors import DomainError
from dms.core.excel import add_sheet, workbook_response
from dms.core.lists import paginate, push_clean_url, render_list, wants_partial
from dms.core.permissions import staff_view
from dms.core.redirects import internal_path
from dms.distributors.filters import order_by_param
from dms.distributors.models import Distributor
from dms.inventory.services import InsufficientStock

from . import selectors, services
from .filters import ORDER_ORDERING, OrderFilter
from .models import Order, OrderLine

FILTER_KEYS = ("search", "status", "distributor", "warehouse", "step", "date_from", "date_to", "amount_min",
               "amount_max")


def _get_order(pk):
    try:
        return selectors.get_order(pk)
    except Order.DoesNotExist:
        raise Http404 from None



# --- list and export -----------------------------------------------------------------


def _filtered(request):
    filterset = OrderFilter(request.GET or None, queryset=selectors.order_list(), request=request)
    qs = filterset.qs if filterset.is_bound else selectors.order_list()
    return filterset, order_by_param(qs, request.GET.get("sort", ""), ORDER_ORDERING, "-created_at")


def _export(qs):
    orders = list(qs)
    header = [_("Order number"), _("Distributor code"), _("Distributor"), _("Status"), _("Waiting for"),
              _("Warehouse"), _("Subtotal"), _("Discount"), _("Total"), _("Currency"), _("Created at"),
              _("Submitted at"), _("Approved at"), _("Shipped at"), _("Completed at"), _("Note"), _("Reason")]
    rows = [[o.number, o.distributor.code, o.distributor.name, o.get_status_display(),
             o.current_step.name if o.current_step else "", o.warehouse.code if o.warehouse else "",
             o.subtotal_amount, o.discount_amount, o.total_amount, o.currency, o.created_at, o.submitted_at,
             o.approved_at, o.shipped_at, o.completed_at, o.note, o.status_reason] for o in orders]
    lines = (OrderLine.objects.filter(order__in=[o.pk for o in orders])
             .select_related("order", "product", "promotion").order_by("order__created_at", "order_id", "id"))
    line_header = [_("Order number"), _("SKU"), _("Product"), _("Unit"), _("Quantity"), _("Unit price"),
                   _("Discount"), _("Amount"), _("Promotion"), _("Shipped"), _("Returned")]
    line_rows = ([li.order.number, li.product.sku, li.product.name, li.product.unit, li.quantity, li.unit_price,
                  li.discount_amount, li.amount, li.promotion.name if li.promotion else "", li.shipped_quantity,
                  li.returned_quantity] for li in lines.iterator(chunk_size=2000))
    wb = Workbook()
    wb.remove(wb.active)
    add_sheet(wb, _("Orders"), header, rows)
    add_sheet(wb, _("Order lines"), line_header, line_rows)
    return workbook_response(wb, "orders")


@staff_view("orders.view_order")
def order_list(request):
    filterset, qs = _filtered(request)
    page = paginate(request, qs)
    context = {
        "nav": "orders",
        "page_obj": page,
        "filter": filterset,
        "filters_active": any(request.GET.get(k) for k in FILTER_KEYS),
    }
    response = render_list(request, "orders/order_list.html", context)
    return push_clean_url(request, response) if wants_partial(request) else response


@staff_view("orders.view_order")
def order_export(request):
    _filterset, qs = _filtered(request)
    return _export(qs)


# --- review queue --------------------------------------------------------------------


@staff_view("orders.approve_order")
def order_queue(request):
    page = paginate(request, selectors.review_queue(request.user), 50)
    context = {"nav": "order_queue", "page_obj": page, "steps": selectors.pipeline_steps(),
               "is_admin": request.user.is_admin}
    return render_list(request, "orders/order_queue.html", context)


def _queue_row(request, order, error=""):
    order = _get_order(order.pk)
    return render(request, "orders/order_queue.html#queue_row",
                  {"order": order, "error": error, "done": order.status != Order.Status.SUBMITTED
                   or not selectors.may_review(request.user, order)})


def _after_action(request, order, ok_message, error=None):
    """HTMX from the queue: the row again; otherwise a message and back to where the
    user came from (the order page by default)."""
    if request.htmx and request.POST.get("from") == "queue":
        return _queue_row(request, order, error or "")
    if error:
        messages.error(request, error)
    else:
        messages.success(request, ok_message)
    return redirect(internal_path(request.POST.get("next"), reverse("orders:detail", args=[order.pk])))


def _error_text(exc: DomainError) -> str:
    fields = getattr(exc, "fields", None) or {}
    for key in ("reason", "note"):
        if fields.get(key):
            return f"{exc.message} {fields[key][0]}" if str(fields[key][0]) != str(exc.message) else str(exc.message)
    return str(exc.message)


@require_POST
@staff_view("orders.approve_order")
def order_approve(request, pk):
    order = _get_order(pk)
    try:
        order = services.approve_order(order_id=order.pk, actor=request.user,
                                       note=request.POST.get("note", "").strip()[:200])
    except DomainError as exc:
        return _after_action(request, order, "", _error_text(exc))
    if order.status == Order.Status.APPROVED:
        msg = _("Order %(number)s approved.") % {"number": order.number}
    else:
        msg = _("Order %(number)s passed on to %(step)s.") % {"number": order.number, "step": order.current_step}
    return _after_action(request, order, msg)


@require_POST
@staff_view("orders.approve_order")
def order_reject(request, pk):
    order = _get_order(pk)
    try:
        services.reject_order(order_id=order.pk, actor=request.user, reason=request.POST.get("reason", "").strip())
    except DomainError as exc:
        return _after_action(request, order, "", _error_text(exc))
    return _after_action(request, order, _("Order %(number)s rejected; its stock was released.")
                         % {"number": order.number})


@require_POST
@staff_view("orders.change_order")
def order_cancel(request, pk):
    order = _get_order(pk)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        return _after_action(request, order, "", _("Give a reason for the cancellation."))
    try:
        services.cancel_order(order_id=order.pk, actor=request.user, reason=reason)
    except DomainError as exc:
        return _after_action(request, order, "", _error_text(exc))
    return _after_action(request, order, _("Order %(number)s cancelled; its stock was released.")
                         % {"number": order.number})


@require_POST
@staff_view("orders.order_on_behalf")
def order_submit(request, pk):
    order = _get_order(pk)
    try:
        order = services.submit_order(order_id=order.pk, actor=request.user)
    except DomainError as exc:
        return _after_action(request, order, "", _error_text(exc))
    return _after_action(request, order, _("Order %(number)s submitted: %(status)s.")
                         % {"number": order.number, "status": order.get_status_display()})


@require_POST
@staff_view("orders.approve_order")
def order_bulk_approve(request):
    ids = [int(v) for v in request.POST.getlist("orders") if v.isdigit()]
    # only orders of the user's scope: another distributor's id is silently ignored
    ids = list(selectors.review_queue(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    if not ids:
        messages.warning(request, _("Select at least one order."))
        return redirect("orders:queue")
    done, failed = services.approve_orders(order_ids=ids, actor=request.user)
    if done:
        messages.success(request, _("%(count)s orders approved or passed on.") % {"count": len(done)})
    numbers = dict(Order.objects.filter(pk__in=list(failed)).values_list("pk", "number")) if failed else {}
    for order_id, why in failed.items():
        messages.error(request, f"{numbers.get(order_id, order_id)}: {why}")
    return redirect("orders:queue")


# --- detail --------------------------------------------------------------------------


@staff_view("orders.view_order")
def order_detail(request, pk):
    order = _get_order(pk)
    user = request.user
    lines = list(order.lines.all())
    context = {
        "nav": "orders",
        "order": order,
        "lines": lines,
        "events": selectors.order_events(order),
        "final": order.status in selectors.FINAL_STATUSES,
        "actions": selectors.order_actions(user, order),
        "shipments": selectors.order_shipments(order) if user.has_perm("logistics.view_shipment") else None,
        "returns": selectors.order_returns(order) if user.has_perm("orders.view_returnrequest") else None,
        "audit": selectors.order_audit(order) if user.has_perm("audit.view_auditlog") else None,
        "steps": selectors.pipeline_steps() if order.status == Order.Status.SUBMITTED else None,
    }
    return render(request, "orders/order_detail.html", context)


@staff_view("orders.view_order")
def order_events(request, pk):
    order = _get_order(pk)
    return render(request, "orders/order_detail.html#timeline",
                  {"order": order, "events": selectors.order_events(order),
                   "final": order.status in selectors.FINAL_STATUSES})


# --- ordering on a distributor's behalf ------------------------------------------------


def _posted_lines(post) -> list[tuple[int, int]]:
    """The order form's lines: ``product``/``quantity`` pairs, merged per product, plus
    the product being added and minus the one being removed."""
    merged: dict[int, int] = {}
    for pid, qty in zip(post.getlist("product"), post.getlist("quantity"), strict=False):
        if not pid.isdigit():
            continue
        qty = int(qty) if qty.strip().isdigit() else 0
        merged[int(pid)] = merged.get(int(pid), 0) + qty
    remove = post.get("remove", "")
    if remove.isdigit():
        merged.pop(int(remove), None)
    add = post.get("add", "")
    if add.isdigit() and int(add) not in merged:
        moq = Product.objects.filter(pk=int(add), status=Product.Status.ACTIVE).values_list("moq", flat=True).first()
        if moq:
            merged[int(add)] = moq
    return list(merged.items())


def _line_errors(exc: DomainError, lines) -> tuple[dict[int, str], list[str]]:
    """Per product id: the service's error for that line; and the errors of no line."""
    per_line, general = {}, []
    short = getattr(exc, "short", None)
    if short:
        for s in short:
            per_line[s["product"]] = _("Only %(n)s available.") % {"n": s["available"]}
        return per_line, [str(exc.message)]
    for key, errors in (getattr(exc, "fields", None) or {}).items():
        text = " ".join(str(e) for e in errors) if isinstance(errors, list | tuple) else str(errors)
        if key.startswith("lines[") and "]" in key:
            index = key[6:key.index("]")]
            if index.isdigit() and int(index) < len(lines):
                per_line[lines[int(index)][0]] = text
                continue
        general.append(text)
    return per_line, general or [str(exc.message)]


def _order_form(request, *, distributor, order=None, lines=None, errors=None, general=None, status=200):
    preview, totals = selectors.preview_lines(distributor, lines) if distributor and lines else ([], None)
    for row in preview:
        if errors and row.product_id in errors:
            row.error = errors[row.product_id]
    query = request.POST.get("q", "") if request.method == "POST" else ""
    context = {
        "nav": "orders",
        "order": order,
        "distributor": distributor,
        "distributors": None if order else Distributor.objects.filter(status=Distributor.Status.ACTIVE)
        .order_by("code"),
        "preview": preview,
        "totals": totals,
        "general_errors": general or [],
        "note": request.POST.get("note", order.note if order else "") if request.method == "POST"
        else (order.note if order else ""),
        "q": query,
        "results": selectors.product_search(distributor, query, [p for p, _q in lines or []]) if distributor and query
        else None,
        "form_url": reverse("orders:edit", args=[order.pk]) if order else reverse("orders:create"),
    }
    if wants_partial(request) and request.method == "POST":
        return render(request, "orders/order_form.html#lines", context, status=status)
    return render(request, "orders/order_form.html", context, status=status)


def _scoped_distributor(value):
    if not str(value or "").isdigit():
        return None
    distributor = Distributor.objects.filter(pk=int(value)).first()  # the scope hides other managers' ones
    if distributor is None:
        raise Http404
    return distributor


def _save(request, *, distributor, lines, save, order=None):
    """Save the form's lines through ``save(lines, note)`` (one service call): the order
    page on success, the form again with each line's error otherwise."""
    try:
        saved = save([{"product": p, "quantity": q} for p, q in lines], request.POST.get("note", "").strip())
    except DomainError as exc:
        per_line, general = _line_errors(exc, lines)
        return _order_form(request, distributor=distributor, order=order, lines=lines, errors=per_line,
                           general=general, status=409 if isinstance(exc, InsufficientStock) else 400)
    messages.success(request, _("Order %(number)s saved: %(status)s.")
                     % {"number": saved.number, "status": saved.get_status_display()})
    return redirect("orders:detail", pk=saved.pk)


@staff_view("orders.order_on_behalf")
def order_create(request):
    data = request.POST if request.method == "POST" else request.GET
    distributor = _scoped_distributor(data.get("distributor"))
    if request.method != "POST" or distributor is None:
        return _order_form(request, distributor=distributor, lines=[])
    lines = _posted_lines(request.POST)
    action = request.POST.get("action")
    if action not in ("draft", "submit") or "add" in request.POST or "remove" in request.POST:
        return _order_form(request, distributor=distributor, lines=lines)
    return _save(request, distributor=distributor, lines=lines, save=lambda rows, note: services.create_order(
        distributor=distributor, lines=rows, actor=request.user, submit=action == "submit", note=note))


@staff_view("orders.order_on_behalf")
def order_edit(request, pk):
    order = _get_order(pk)
    if not order.is_editable:
        messages.error(request, _("Only draft or submitted orders can be edited."))
        return redirect("orders:detail", pk=order.pk)
    if request.method != "POST":
        return _order_form(request, distributor=order.distributor, order=order,
                           lines=[(li.product_id, li.quantity) for li in order.lines.all()])
    lines = _posted_lines(request.POST)
    if request.POST.get("action") != "save" or "add" in request.POST or "remove" in request.POST:
        return _order_form(request, distributor=order.distributor, order=order, lines=lines)
    return _save(request, distributor=order.distributor, order=order, lines=lines,
                 save=lambda rows, note: services.update_order_lines(order_id=order.pk, lines=rows,
                                                                     actor=request.user, note=note))


@require_POST
@staff_view("orders.order_on_behalf")
def order_copy(request, pk):
    order = _get_order(pk)
    try:
        copy = services.copy_order(order_id=order.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
        return redirect("orders:detail", pk=order.pk)
    messages.success(request, _("Draft %(number)s created from %(source)s at today's prices.")
                     % {"number": copy.number, "source": order.number})
    return redirect("orders:edit", pk=copy.pk)


@staff_view("orders.order_on_behalf")
def product_search(request):
    distributor = _scoped_distributor(request.GET.get("distributor"))
    if distributor is None:
        return HttpResponse("")
    exclude = [int(v) for v in request.GET.getlist("product") if v.isdigit()]
    return render(request, "orders/order_form.html#results",
                  {"results": selectors.product_search(distributor, request.GET.get("q", ""), exclude),
                   "q": request.GET.get("q", ""), "distributor": distributor,
                   "form_url": internal_path(request.GET.get("form_url"), reverse("orders:create"))})
