"""Back-office pages for returns (退货): the list with filters and export, and the
return page where staff approve, reject (with a note) or mark the goods received —
which puts them back into stock through the ledger."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.core.errors import DomainError
from dms.core.excel import xlsx_response
from dms.core.lists import paginate, push_clean_url, render_list, wants_partial
from dms.core.permissions import staff_view
from dms.distributors.filters import order_by_param

from . import selectors, services
from .filters import RETURN_ORDERING, ReturnFilter
from .models import ReturnRequest

FILTER_KEYS = ("search", "status", "reason", "distributor", "date_from", "date_to")


def _filtered(request):
    filterset = ReturnFilter(request.GET or None, queryset=selectors.return_list(), request=request)
    qs = filterset.qs if filterset.is_bound else selectors.return_list()
    return filterset, order_by_param(qs, request.GET.get("sort", ""), RETURN_ORDERING, "-created_at")


@staff_view("orders.view_returnrequest")
def return_list(request):
    filterset, qs = _filtered(request)
    context = {
        "nav": "returns",
        "page_obj": paginate(request, qs.prefetch_related("lines")),
        "filter": filterset,
        "filters_active": any(request.GET.get(k) for k in FILTER_KEYS),
    }
    response = render_list(request, "orders/return_list.html", context)
    return push_clean_url(request, response) if wants_partial(request) else response


@staff_view("orders.view_returnrequest")
def return_export(request):
    _filterset, qs = _filtered(request)
    headers = [_("Return number"), _("Order number"), _("Distributor code"), _("Distributor"), _("Status"),
               _("Reason"), _("SKU"), _("Product"), _("Quantity"), _("Description"), _("Decision note"),
               _("Requested at"), _("Decided at"), _("Received at")]

    def rows():
        for ret in qs.prefetch_related("lines__order_line__product"):
            for line in ret.lines.all():
                yield [ret.number, ret.order.number, ret.distributor.code, ret.distributor.name,
                       ret.get_status_display(), ret.get_reason_display(), line.order_line.product.sku,
                       line.order_line.product.name, line.quantity, ret.description, ret.decision_note,
                       ret.created_at, ret.decided_at, ret.received_at]

    return xlsx_response("returns", headers, rows(), sheet_title=_("Returns"))


def _get_return(pk):
    try:
        return selectors.get_return(pk)
    except ReturnRequest.DoesNotExist:
        raise Http404 from None


@staff_view("orders.view_returnrequest")
def return_detail(request, pk):
    ret = _get_return(pk)
    can_change = request.user.has_perm("orders.change_returnrequest")
    context = {
        "nav": "returns",
        "ret": ret,
        "lines": list(ret.lines.all()),
        "can_decide": can_change and ret.status == ReturnRequest.Status.REQUESTED,
        "can_receive": can_change and ret.status == ReturnRequest.Status.APPROVED,
        "audit": selectors.order_audit(ret) if request.user.has_perm("audit.view_auditlog") else None,
    }
    return render(request, "orders/return_detail.html", context)


@require_POST
@staff_view("orders.change_returnrequest")
def return_decide(request, pk):
    ret = _get_return(pk)
    approve = request.POST.get("action") == "approve"
    try:
        services.decide_return(return_id=ret.pk, approve=approve, actor=request.user,
                               note=request.POST.get("note", "").strip())
    except DomainError as exc:
        fields = getattr(exc, "fields", None) or {}
        messages.error(request, str(exc.message) if not fields.get("note") else _("Give a reason for the rejection."))
    else:
        messages.success(request, _("Return %(number)s approved.") % {"number": ret.number} if approve
                         else _("Return %(number)s rejected.") % {"number": ret.number})
    return redirect("orders:return_detail", pk=ret.pk)


@require_POST
@staff_view("orders.change_returnrequest")
def return_receive(request, pk):
    ret = _get_return(pk)
    try:
        services.receive_return(return_id=ret.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Return %(number)s received: the goods are back in stock.")
                         % {"number": ret.number})
    return redirect("orders:return_detail", pk=ret.pk)
