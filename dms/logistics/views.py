"""Back-office shipment pages: the list (filters, export), creating a shipment from an
approved order, the shipment page (dispatch, cancel, tracking, proof of delivery), the
delivery note and pick list PDFs, the CSV tracking import and the discrepancy cases.

Every page is for brand staff (``staff_view``) and runs in the request's tenant scope, so
another channel manager's distributor's shipment (page, PDF, HTMX fragment) answers 404.
Each action makes one service call. The carrier webhook is in ``webhook.py``.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.core.errors import DomainError, ValidationFailed
from dms.core.excel import xlsx_response
from dms.core.forms import apply_service_errors
from dms.core.lists import paginate, push_clean_url, render_list, wants_partial
from dms.core.pdf import pdf_response
from dms.core.permissions import staff_view
from dms.distributors.filters import order_by_param
from dms.inventory.models import Warehouse
from dms.orders.models import Order

from . import documents, importer, selectors, services
from .filters import DISCREPANCY_ORDERING, SHIPMENT_ORDERING, DiscrepancyFilter, ShipmentFilter
from .forms import DispatchForm, ResolveForm, ShipmentLinesForm, TrackingEventForm, TrackingImportForm
from .models import Carrier, Discrepancy, Shipment

VIEW = "logistics.view_shipment"
DISPATCH = "logistics.dispatch_shipment"
RESOLVE = "logistics.change_discrepancy"


def _get_shipment(pk) -> Shipment:
    try:
        return selectors.shipment_detail(pk)
    except Shipment.DoesNotExist:
        raise Http404 from None



def _error_message(exc: DomainError) -> str:
    if exc.fields:
        first = next(iter(exc.fields.values()))
        return f"{exc.message} {first[0] if isinstance(first, list | tuple) else first}"
    return str(exc.message)


# --- list and export -----------------------------------------------------------------


def _export(qs):
    headers = [_("Shipment number"), _("Order number"), _("Distributor code"), _("Distributor"), _("Warehouse"),
               _("Status"), _("Quantity"), _("Carrier"), _("Tracking number"), _("Created at"), _("Dispatched at"),
               _("Delivered at"), _("Receipt confirmed at"), _("Open discrepancies"), _("Ship to"), _("Note")]
    rows = ([s.number, s.order.number, s.distributor.code, s.distributor.name, s.warehouse.code,
             s.get_status_display(), s.quantity_total or 0, s.carrier.name if s.carrier else "", s.tracking_number,
             s.created_at, s.dispatched_at, s.delivered_at, s.received_at, s.open_cases, s.ship_to, s.note]
            for s in qs.iterator(chunk_size=2000))
    return xlsx_response("shipments", headers, rows, sheet_title=_("Shipments"))


@staff_view(VIEW)
def shipment_list(request):
    filterset = ShipmentFilter(request.GET or None, queryset=selectors.shipments())
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else selectors.shipments()
    qs = order_by_param(qs, request.GET.get("sort", ""), SHIPMENT_ORDERING, "-created_at")
    if request.GET.get("export") == "xlsx":
        return _export(qs)
    context = {
        "nav": "shipments",
        "page_obj": paginate(request, qs),
        "filterset": filterset,
        "filters_active": any(request.GET.get(k) for k in ShipmentFilter.Meta.fields),
        "statuses": Shipment.Status.choices,
        "warehouses": Warehouse.objects.all(),
        "carriers": Carrier.objects.all(),
        "q": request.GET,
    }
    response = render_list(request, "logistics/shipment_list.html", context)
    return push_clean_url(request, response) if wants_partial(request) else response


# --- create --------------------------------------------------------------------------


@staff_view(DISPATCH)
def shipment_create(request):
    try:
        order = selectors.shippable_order(int(request.GET.get("order") or request.POST.get("order") or 0))
    except (Order.DoesNotExist, ValueError):
        messages.error(request, _("Choose an approved order to ship: open it and use “Create shipment”."))
        return redirect("logistics:list")
    lines = selectors.open_lines(order)
    form = ShipmentLinesForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            shipment = services.create_shipment(order_id=order.pk, lines=form.quantities(), actor=request.user,
                                                note=form.cleaned_data["note"])
        except ValidationFailed as exc:
            field_map = {f"lines.{row['product'].pk}": f"line_{row['line'].pk}" for row in lines}
            apply_service_errors(form, exc, field_map)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Shipment %(number)s created: print the pick list, then dispatch it.")
                             % {"number": shipment.number})
            return redirect("logistics:detail", pk=shipment.pk)
    context = {"nav": "shipments", "order": order, "form": form,
               "nothing_open": not any(row["open"] > 0 for row in lines)}
    return render(request, "logistics/shipment_form.html", context)


# --- detail and actions --------------------------------------------------------------


@staff_view(VIEW)
def shipment_detail(request, pk, dispatch_form=None, event_form=None):
    shipment = _get_shipment(pk)
    can_dispatch = request.user.has_perm(DISPATCH)
    context = {
        "nav": "shipments",
        "shipment": shipment,
        "lines": shipment.lines.all(),
        "total_quantity": sum(sl.quantity for sl in shipment.lines.all()),
        "events": shipment.tracking_events.all(),
        "cases": selectors.discrepancies().filter(shipment=shipment),
        "can_dispatch": can_dispatch,
        "can_resolve": request.user.has_perm(RESOLVE),
        "dispatch_form": dispatch_form or (DispatchForm() if can_dispatch else None),
        "event_form": event_form or (TrackingEventForm() if can_dispatch else None),
        "resolve_form": ResolveForm(),
    }
    context["can_track"] = can_dispatch and shipment.status in (Shipment.Status.DISPATCHED, Shipment.Status.DELIVERED)
    status = 400 if (dispatch_form or event_form) else 200
    return render(request, "logistics/shipment_detail.html", context, status=status)


@require_POST
@staff_view(DISPATCH)
def shipment_dispatch(request, pk):
    shipment = _get_shipment(pk)
    form = DispatchForm(request.POST)
    if not form.is_valid():
        return shipment_detail(request, shipment.pk, dispatch_form=form)
    try:
        services.dispatch_shipment(shipment_id=shipment.pk, carrier=form.cleaned_data["carrier"],
                                   tracking_number=form.cleaned_data["tracking_number"], actor=request.user)
    except ValidationFailed as exc:
        apply_service_errors(form, exc)
        return shipment_detail(request, shipment.pk, dispatch_form=form)
    except DomainError as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, _("Shipment %(number)s dispatched; the stock has been booked out.")
                         % {"number": shipment.number})
    return redirect("logistics:detail", pk=shipment.pk)


@require_POST
@staff_view(DISPATCH)
def shipment_cancel(request, pk):
    shipment = _get_shipment(pk)
    try:
        services.cancel_shipment(shipment_id=shipment.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, _("Shipment %(number)s cancelled; its quantities are open to ship again.")
                         % {"number": shipment.number})
    return redirect("logistics:detail", pk=shipment.pk)


@require_POST
@staff_view(DISPATCH)
def shipment_add_event(request, pk):
    shipment = _get_shipment(pk)
    form = TrackingEventForm(request.POST)
    if not form.is_valid():
        return shipment_detail(request, shipment.pk, event_form=form)
    try:
        event = services.add_tracking_event(shipment_id=shipment.pk, actor=request.user, **form.cleaned_data)
    except ValidationFailed as exc:
        apply_service_errors(form, exc)
        return shipment_detail(request, shipment.pk, event_form=form)
    except DomainError as exc:
        messages.error(request, _error_message(exc))
    else:
        if not event.created:
            messages.info(request, _("This event was already recorded."))
        elif form.cleaned_data["is_delivery"]:
            messages.success(request, _("Delivery recorded."))
        else:
            messages.success(request, _("Tracking event added."))
    return redirect("logistics:detail", pk=shipment.pk)


# --- documents -----------------------------------------------------------------------


@staff_view(VIEW)
def delivery_note(request, pk):
    shipment = _get_shipment(pk)
    return pdf_response(documents.delivery_note_pdf(shipment), documents.filename(shipment, "delivery-note"))


@staff_view(VIEW)
def pick_list(request, pk):
    shipment = _get_shipment(pk)
    return pdf_response(documents.pick_list_pdf(shipment), documents.filename(shipment, "pick-list"))


# --- CSV import of tracking events ----------------------------------------------------


@staff_view(DISPATCH)
def tracking_import(request):
    if request.GET.get("download") == "sample":
        response = HttpResponse(importer.sample_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="tracking-events-sample.csv"'
        return response
    form = TrackingImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = importer.import_tracking(form.cleaned_data["file"].read(), actor=request.user)
        if result.ok:
            messages.success(request, _("%(new)d tracking events imported, %(skipped)d already recorded.")
                             % {"new": result.created_count, "skipped": result.skipped_count})
            return redirect("logistics:tracking_import")
    context = {"nav": "shipments", "form": form, "result": result, "columns": importer.COLUMNS}
    return render(request, "logistics/tracking_import.html", context, status=400 if result else 200)


# --- discrepancies -------------------------------------------------------------------


@staff_view(VIEW)
def discrepancy_list(request):
    data = request.GET.copy()
    status = data.get("status") or Discrepancy.Status.OPEN  # the cases to work on first; "all" for every case
    data["status"] = "" if status == "all" else status
    filterset = DiscrepancyFilter(data, queryset=selectors.discrepancies())
    qs = filterset.qs if filterset.is_valid() else selectors.discrepancies()
    qs = order_by_param(qs, request.GET.get("sort", ""), DISCREPANCY_ORDERING, "-reported_at")
    if request.GET.get("export") == "xlsx":
        headers = [_("Reported at"), _("Shipment number"), _("Order number"), _("Distributor"), _("Status"),
                   _("What is wrong"), _("Lines"), _("Resolution"), _("Resolved at")]
        rows = ([c.reported_at, c.shipment.number, c.shipment.order.number, c.distributor.name,
                 c.get_status_display(), c.description,
                 "; ".join(f"{dl.shipment_line.product.sku}: {dl.shipment_line.quantity} → {dl.received_quantity}"
                           for dl in c.lines.all()), c.resolution, c.resolved_at] for c in qs)
        return xlsx_response("discrepancies", headers, rows, sheet_title=_("Discrepancies"))
    context = {
        "nav": "discrepancies",
        "page_obj": paginate(request, qs),
        "status": status,
        "statuses": Discrepancy.Status.choices,
        "filters_active": bool(request.GET.get("search")),
        "can_resolve": request.user.has_perm(RESOLVE),
        "resolve_form": ResolveForm(),
        "q": request.GET,
    }
    response = render_list(request, "logistics/discrepancy_list.html", context)
    return push_clean_url(request, response) if wants_partial(request) else response


@require_POST
@staff_view(RESOLVE)
def discrepancy_resolve(request, pk):
    case = get_object_or_404(Discrepancy.objects.select_related("shipment"), pk=pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Describe the resolution."))
    else:
        try:
            services.resolve_discrepancy(discrepancy_id=case.pk, resolution=form.cleaned_data["resolution"],
                                         actor=request.user)
        except DomainError as exc:
            messages.error(request, _error_message(exc))
        else:
            messages.success(request, _("Discrepancy on %(number)s resolved.") % {"number": case.shipment.number})
    back = request.POST.get("next")
    if back == "shipment":
        return redirect("logistics:detail", pk=case.shipment_id)
    return redirect("logistics:discrepancies")
