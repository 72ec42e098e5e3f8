"""Deliveries and returns in the portal: the distributor's shipments with their tracking,
proof of delivery (confirm receipt or report a discrepancy), the delivery note PDF, and
return requests for shipped goods. Writes are one call to the logistics or orders
services; every object is looked up in the user's distributor, so another's is a 404."""

from django.contrib import messages
from django.db.models import Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.core.errors import DomainError, ValidationFailed
from dms.core.lists import paginate, render_list
from dms.core.permissions import portal_view
from dms.logistics import services as logistics
from dms.logistics.models import Discrepancy, Shipment
from dms.orders import services as orders
from dms.orders.models import Order, ReturnRequest

from .views_orders import RETURNABLE

St = Shipment.Status


def _own(request, model_or_queryset, pk):
    return get_object_or_404(model_or_queryset, pk=pk, distributor_id=request.user.distributor_id)


# --- shipments -----------------------------------------------------------------------


def _shipment_for_page(request, pk):
    return _own(request, Shipment.objects.select_related("order", "carrier", "warehouse", "received_by"), pk)


@portal_view()
def shipments(request):
    qs = (Shipment.objects.filter(distributor_id=request.user.distributor_id)
          .exclude(status=St.CANCELLED).select_related("order", "carrier")
          .annotate(quantity=Sum("lines__quantity")))
    search = request.GET.get("search", "").strip()
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(tracking_number__icontains=search)
                       | Q(order__number__icontains=search))
    status = request.GET.get("status", "")
    if status in St.values and status != St.CANCELLED:
        qs = qs.filter(status=status)
    if request.GET.get("unconfirmed"):
        qs = qs.filter(status__in=[St.DISPATCHED, St.DELIVERED], received_at__isnull=True)
    return render_list(request, "portal/orders/shipments.html", {
        "nav": "shipments", "page_obj": paginate(request, qs.order_by("-created_at", "-id")), "search": search,
        "status": status, "unconfirmed": bool(request.GET.get("unconfirmed")),
        "status_choices": [c for c in St.choices if c[0] != St.CANCELLED],
    })


def _shipment_context(shipment, **extra):
    lines = list(shipment.lines.select_related("product").order_by("id"))
    context = {
        "nav": "shipments", "shipment": shipment, "lines": lines,
        "events": list(shipment.tracking_events.order_by("-occurred_at", "-id")),
        "discrepancies": list(Discrepancy.objects.filter(shipment=shipment).prefetch_related(
            "lines__shipment_line__product").order_by("-reported_at")),
        "can_confirm": shipment.status in (St.DISPATCHED, St.DELIVERED) and not shipment.received_at,
        "can_report": shipment.status in (St.DISPATCHED, St.DELIVERED),
        "received": {}, "description": "", "errors": [], "line_errors": {},
    }
    context.update(extra)
    for line in lines:
        line.received_value = context["received"].get(line.pk, "")
        line.error = context["line_errors"].get(line.pk, "")
    return context


@portal_view()
def shipment_detail(request, pk):
    shipment = _shipment_for_page(request, pk)
    return render(request, "portal/orders/shipment.html",
                  _shipment_context(shipment, open_report=bool(request.GET.get("report"))))


@portal_view()
@require_POST
def shipment_confirm(request, pk):
    shipment = _own(request, Shipment, pk)
    try:
        logistics.confirm_receipt(shipment_id=shipment.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Thank you: receipt of %(number)s is confirmed.") % {"number": shipment.number})
    return redirect("portal:shipment", pk=shipment.pk)


@portal_view()
@require_POST
def shipment_discrepancy(request, pk):
    shipment = _shipment_for_page(request, pk)
    description = request.POST.get("description", "").strip()
    received, raw_values, line_errors, errors = {}, {}, {}, []
    for line_id in shipment.lines.values_list("pk", flat=True):
        raw = request.POST.get(f"received_{line_id}", "").strip()
        raw_values[line_id] = raw
        if raw == "":
            continue
        if not raw.isdigit():
            line_errors[line_id] = _("Enter a whole number (0 or more).")
        else:
            received[line_id] = int(raw)
    if not line_errors:
        try:
            logistics.report_discrepancy(shipment_id=shipment.pk, description=description, received=received,
                                         actor=request.user)
        except ValidationFailed as exc:
            errors = [str(exc.message)]
            for name in exc.fields:
                if name.startswith("lines.") and name[6:].isdigit():
                    line_errors[int(name[6:])] = _("This quantity is not possible.")
        except DomainError as exc:
            errors = [str(exc.message)]
        else:
            messages.success(request, _("Your report is sent: a case is open and the brand will contact you."))
            return redirect("portal:shipment", pk=shipment.pk)
    context = _shipment_context(shipment, received=raw_values, description=description, errors=errors,
                                line_errors=line_errors, open_report=True)
    return render(request, "portal/orders/shipment.html", context, status=400)


@portal_view()
def delivery_note(request, pk):
    from dms.logistics.documents import delivery_note_pdf, filename

    shipment = _own(request, Shipment, pk)
    if shipment.status == St.CANCELLED:
        raise Http404
    response = HttpResponse(delivery_note_pdf(shipment), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename(shipment, "delivery-note")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- returns -------------------------------------------------------------------------


@portal_view()
def returns(request):
    qs = (ReturnRequest.objects.filter(distributor_id=request.user.distributor_id).select_related("order")
          .annotate(quantity=Sum("lines__quantity")))
    search = request.GET.get("search", "").strip()
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(order__number__icontains=search))
    status = request.GET.get("status", "")
    if status in ReturnRequest.Status.values:
        qs = qs.filter(status=status)
    return render_list(request, "portal/orders/returns.html", {
        "nav": "returns", "page_obj": paginate(request, qs.order_by("-created_at", "-id")), "search": search,
        "status": status, "status_choices": ReturnRequest.Status.choices,
    })


@portal_view()
def return_create(request, pk):
    order = _own(request, Order, pk)
    if order.status not in RETURNABLE:
        messages.error(request, _("Only shipped goods can be returned."))
        return redirect("portal:order", pk=order.pk)
    lines = orders.returnable_lines(order)
    values = {"reason": "", "description": "", "quantities": {}}
    errors, line_errors, status = [], {}, 200
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        description = request.POST.get("description", "").strip()
        wanted = {}
        for line in lines:
            raw = request.POST.get(f"qty_{line.pk}", "").strip()
            values["quantities"][line.pk] = raw
            if raw in ("", "0"):
                continue
            if not raw.isdigit():
                line_errors[line.pk] = _("Enter a whole number.")
            else:
                wanted[line.pk] = int(raw)
        values.update(reason=reason, description=description)
        if not line_errors:
            try:
                ret = orders.request_return(order_id=order.pk, lines=wanted, reason=reason,
                                            description=description, actor=request.user)
            except ValidationFailed as exc:
                for name, msgs in exc.fields.items():
                    if name.startswith("lines.") and name[6:].isdigit():
                        line_errors[int(name[6:])] = " ".join(str(m) for m in msgs)
                    else:
                        errors.extend(str(m) for m in msgs)
                if not exc.fields:
                    errors.append(str(exc.message))
            except DomainError as exc:
                errors.append(str(exc.message))
            else:
                messages.success(request, _("Return %(number)s is requested. You will be told when it is "
                                            "approved.") % {"number": ret.number})
                return redirect("portal:returns")
        status = 400
    for line in lines:
        line.value = values["quantities"].get(line.pk, "")
        line.error = line_errors.get(line.pk, "")
    return render(request, "portal/orders/return_form.html", {
        "nav": "returns", "order": order, "lines": lines, "values": values, "errors": errors,
        "reasons": ReturnRequest.Reason.choices, "any_returnable": any(line.returnable for line in lines),
    }, status=status)


@portal_view()
@require_POST
def return_cancel(request, pk):
    ret = _own(request, ReturnRequest, pk)
    try:
        orders.cancel_return(return_id=ret.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Return %(number)s is cancelled.") % {"number": ret.number})
    return redirect("portal:returns")
