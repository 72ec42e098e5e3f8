"""Back-office stock pages: the real-time stock view, the ledger, low-stock warnings and
replenishment suggestions, with their Excel exports.

Stock belongs to the brand, not to a distributor: every member of staff with the view
permission sees all of it (a channel manager may look but not change anything).
"""

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dms.catalog.models import Product
from dms.core.errors import DomainError
from dms.core.excel import xlsx_response
from dms.core.lists import paginate, render_list, wants_partial
from dms.core.permissions import staff_view
from dms.core.redirects import internal_path

from . import selectors, services
from .filters import (
    ALERT_ORDERING,
    MOVE_ORDERING,
    STOCK_ORDERING,
    SUGGESTION_ORDERING,
    AlertFilter,
    MoveFilter,
    StockFilter,
    SuggestionFilter,
    order_by_param,
)
from .models import ReplenishmentSuggestion, StockMove

EXPORT_LIMIT = 100_000
LEVEL_LABELS = {"in_stock": gettext_lazy("In stock"), "low": gettext_lazy("Low"), "out": gettext_lazy("Out of stock")}


def render_results(request, template, context):
    """``render_list``, pushing a clean address (no empty filters) into the browser
    history after an HTMX filter change."""
    response = render_list(request, template, context)
    if wants_partial(request):
        query = QueryDict(mutable=True)
        for key, values in request.GET.lists():
            kept = [v for v in values if v]
            if kept:
                query.setlist(key, kept)
        response["HX-Push-Url"] = request.path + (f"?{query.urlencode()}" if query else "")
    return response


def _user_name(user):
    return (user.get_full_name() or user.username) if user else ""


def _focus_product(filterset):
    """The product a link narrowed the list to (shown as a removable chip)."""
    pid = filterset.form.cleaned_data.get("product") if filterset.is_bound and filterset.is_valid() else None
    return Product.objects.filter(pk=pid).first() if pid else None


# --- stock ------------------------------------------------------------------------------

def _stock(request):
    filterset = StockFilter(request.GET or None, queryset=selectors.stock_levels())
    qs = order_by_param(filterset.qs, request.GET.get("sort", ""), STOCK_ORDERING, ["product__sku", "warehouse__code"])
    return filterset, qs


def _level(row) -> str:
    if row.available <= 0:
        return "out"
    if row.reorder_point is not None and row.available < row.reorder_point:
        return "low"
    return "in_stock"


@staff_view("inventory.view_stocklevel")
def stock(request):
    filterset, qs = _stock(request)
    page = paginate(request, qs)
    for row in page.object_list:
        row.level = _level(row)
        row.level_label = LEVEL_LABELS[row.level]
    context = {
        "nav": "stock", "tab": "stock", "filter": filterset, "page_obj": page,
        "totals": selectors.stock_totals(filterset.qs), "focus_product": _focus_product(filterset),
    }
    return render_results(request, "inventory/stock.html", context)


@staff_view("inventory.view_stocklevel")
def stock_export(request):
    _filterset, qs = _stock(request)
    headers = [_("Warehouse"), _("SKU"), _("Product"), _("Barcode"), _("Category"), _("Unit"), _("On hand"),
               _("Reserved"), _("Available"), _("Reorder point"), _("Stock"), _("Updated at")]

    def rows():
        for r in qs[:EXPORT_LIMIT].iterator(chunk_size=2000):
            yield [r.warehouse.code, r.product.sku, r.product.name, r.product.barcode,
                   r.product.category.path if r.product.category else "", r.product.unit, r.on_hand, r.reserved,
                   r.available, r.reorder_point, str(LEVEL_LABELS[_level(r)]), r.updated_at]

    return xlsx_response("stock", headers, rows(), sheet_title=_("Stock"))


# --- ledger -----------------------------------------------------------------------------

def _moves(request):
    filterset = MoveFilter(request.GET or None, queryset=selectors.stock_moves())
    qs = order_by_param(filterset.qs, request.GET.get("sort", ""), MOVE_ORDERING, ["-created_at", "-id"])
    return filterset, qs


def _redact(user, moves, probe: str = "") -> list:
    """Blank the references (and who moved) of other distributors' orders, shipments and
    returns for a user with a limited scope; a search for such a number finds nothing."""
    moves = list(moves)
    hidden = selectors.hidden_references(user, {m.reference for m in moves})
    if probe.strip() and probe.strip() in hidden:
        return []
    for m in moves:
        if m.reference in hidden:
            m.reference, m.actor = "", None
    return moves


@staff_view("inventory.view_stocklevel")
def moves(request):
    filterset, qs = _moves(request)
    page_obj = paginate(request, qs, 50)
    page_obj.object_list = _redact(request.user, page_obj.object_list, request.GET.get("reference", ""))
    context = {"nav": "stock_moves", "tab": "moves", "filter": filterset, "page_obj": page_obj,
               "focus_product": _focus_product(filterset)}
    return render_results(request, "inventory/moves.html", context)


@staff_view("inventory.view_stocklevel")
def moves_export(request):
    _filterset, qs = _moves(request)
    headers = [_("Time"), _("Warehouse"), _("SKU"), _("Product"), _("Kind"), _("On hand change"),
               _("Reserved change"), _("Reference"), _("Reason"), _("By")]
    kinds = dict(StockMove.Kind.choices)

    def rows():
        for m in _redact(request.user, qs[:EXPORT_LIMIT], request.GET.get("reference", "")):
            yield [m.created_at, m.warehouse.code, m.product.sku, m.product.name, str(kinds.get(m.kind, m.kind)),
                   m.on_hand_delta, m.reserved_delta, m.reference, m.reason, _user_name(m.actor)]

    return xlsx_response("stock-moves", headers, rows(), sheet_title=_("Stock moves"))


# --- low-stock warnings -----------------------------------------------------------------

@staff_view("inventory.view_stocklevel")
def alerts(request):
    filterset = AlertFilter(request.GET or None, queryset=selectors.low_stock_alerts())
    qs = order_by_param(filterset.qs, request.GET.get("sort", ""), ALERT_ORDERING, ["-raised_at"])
    context = {"nav": "stock_alerts", "tab": "alerts", "filter": filterset, "page_obj": paginate(request, qs),
               "today": timezone.localdate(), "open_count": selectors.low_stock_alerts()
               .filter(resolved_at__isnull=True).count()}
    return render_results(request, "inventory/alerts.html", context)


# --- replenishment suggestions ----------------------------------------------------------

def _suggestions(request):
    filterset = SuggestionFilter(request.GET, queryset=selectors.suggestions())
    qs = order_by_param(filterset.qs, request.GET.get("sort", ""), SUGGESTION_ORDERING,
                        ["stockout_date", "-created_at"])
    return filterset, qs


@staff_view("inventory.view_stocklevel")
def suggestions(request):
    filterset, qs = _suggestions(request)
    context = {"nav": "replenishment", "tab": "suggestions", "filter": filterset, "page_obj": paginate(request, qs),
               "today": timezone.localdate()}
    return render_results(request, "inventory/suggestions.html", context)


@staff_view("inventory.view_stocklevel")
def suggestions_export(request):
    _filterset, qs = _suggestions(request)
    headers = [_("Raised at"), _("Warehouse"), _("SKU"), _("Product"), _("Suggested quantity"),
               _("Available when raised"), _("Daily sales"), _("Estimated stock-out"), _("Why"), _("Status"),
               _("Closed by")]

    def rows():
        for s in qs[:EXPORT_LIMIT].iterator(chunk_size=2000):
            yield [s.created_at, s.warehouse.code, s.product.sku, s.product.name, s.quantity, s.available,
                   s.daily_velocity, s.stockout_date, s.reason, s.get_status_display(), _user_name(s.closed_by)]

    return xlsx_response("replenishment", headers, rows(), sheet_title=_("Replenishment"))


@require_POST
@staff_view("inventory.change_replenishmentsuggestion")
def suggestion_close(request, pk):
    suggestion = get_object_or_404(ReplenishmentSuggestion.objects, pk=pk)
    status = request.POST.get("status", "")
    try:
        services.close_suggestion(suggestion_id=suggestion.pk, status=status, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, (_("%(sku)s marked as ordered.") if status == "ordered"
                                   else _("Suggestion for %(sku)s dismissed.")) % {"sku": suggestion.product.sku})
    return redirect(internal_path(request.POST.get("next"), reverse("inventory:suggestions")))
