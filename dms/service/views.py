"""Back-office ticket pages: the list (filters, SLA state, export) and "my tickets", raising
a ticket for a distributor, the ticket page (conversation with internal notes, polled and
posted with HTMX; assignment; status changes), private attachment downloads, and the SLA
compliance report.

Every page is for brand staff (``staff_view``) and runs in the request's tenant scope, so
another channel manager's distributor's ticket (page, fragment, file) answers 404.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.core.errors import DomainError, ValidationFailed
from dms.core.excel import xlsx_response
from dms.core.files import serve_private_file
from dms.core.forms import apply_service_errors
from dms.core.lists import paginate, render_list, wants_partial
from dms.core.permissions import staff_view
from dms.distributors.filters import order_by_param
from dms.distributors.models import Distributor

from . import selectors, services
from .filters import TICKET_ORDERING, TicketFilter
from .forms import STATUS_ACTIONS, AssignForm, MessageForm, ResolveForm, StaffTicketForm, staff_users
from .models import Priority, Ticket, TicketAttachment, TicketType

VIEW = "service.view_ticket"
ADD = "service.add_ticket"
CHANGE = "service.change_ticket"
ASSIGN = "service.assign_ticket"
REPORT = "service.view_sla_report"


def _get_ticket(pk) -> Ticket:
    try:
        return selectors.ticket_detail(pk)
    except Ticket.DoesNotExist:
        raise Http404 from None


def _error_message(exc: DomainError) -> str:
    if exc.fields:
        first = next(iter(exc.fields.values()))
        return f"{exc.message} {first[0] if isinstance(first, list | tuple) else first}"
    return str(exc.message)


# --- list, queue, export ----------------------------------------------------------------


def _export(qs):
    headers = [_("Number"), _("Created at"), _("Distributor code"), _("Distributor"), _("Type"), _("Priority"),
               _("Status"), _("Subject"), _("Order number"), _("Shipment number"), _("Product"), _("Batch number"),
               _("Assignee"), _("First response due"), _("First response at"), _("Resolution due"),
               _("Resolved at"), _("Rating")]
    # Only the ticket's own fields: the conversation (with its internal notes) is never exported.
    rows = ([t.number, t.created_at, t.distributor.code, t.distributor.name, t.get_type_display(),
             t.get_priority_display(), t.get_status_display(), t.subject, t.order.number if t.order else "",
             t.shipment.number if t.shipment else "", t.product.sku if t.product else "", t.batch_number,
             (t.assignee.get_full_name() or t.assignee.username) if t.assignee else "", t.first_response_due_at,
             t.first_response_at, t.resolution_due_at, t.resolved_at, t.rating or ""]
            for t in qs.iterator(chunk_size=2000))
    return xlsx_response("tickets", headers, rows, sheet_title=_("Service tickets"))


def _list(request, *, mine: bool):
    base = selectors.tickets()
    if mine:
        base = base.filter(assignee=request.user)
    data = request.GET.copy()
    if mine and "active" not in data:
        data["active"] = "true"  # the queue: what is still to do
    filterset = TicketFilter(data, queryset=base)
    qs = filterset.qs if filterset.is_valid() else base
    qs = order_by_param(qs, request.GET.get("sort", ""), TICKET_ORDERING, "-created_at")
    if request.GET.get("export") == "xlsx":
        return _export(qs)
    now = timezone.now()
    page_obj = paginate(request, qs)
    shown = Ticket.objects.filter(pk__in=[t.pk for t in page_obj])
    breached = set(shown.filter(selectors.breached_q(now)).values_list("pk", flat=True))
    at_risk = set(shown.filter(selectors.at_risk_q(now)).values_list("pk", flat=True))
    for t in page_obj:
        t.sla_state = "breached" if t.pk in breached else "at_risk" if t.pk in at_risk else ""
    context = {
        "nav": "service_mine" if mine else "service", "mine": mine, "page_obj": page_obj, "filterset": filterset,
        "filters_active": any(request.GET.get(k) for k in TicketFilter.Meta.fields),
        "statuses": Ticket.Status.choices, "types": TicketType.choices, "priorities": Priority.choices,
        "assignees": staff_users(), "distributors": Distributor.objects.order_by("name"), "q": request.GET, "active_value": data.get("active", ""),
        "counts": selectors.counts(base, now),
    }
    return render_list(request, "service/ticket_list.html", context)


@staff_view(VIEW)
def ticket_list(request):
    return _list(request, mine=False)


@staff_view(VIEW)
def my_tickets(request):
    return _list(request, mine=True)


# --- raise for a distributor -------------------------------------------------------------


@staff_view(ADD)
def ticket_create(request):
    distributor_id = request.POST.get("distributor") or request.GET.get("distributor") or None
    try:
        distributor_id = int(distributor_id) if distributor_id else None
    except ValueError:
        distributor_id = None
    form = StaffTicketForm(request.POST if request.method == "POST" else None, request.FILES or None,
                           distributor_id=distributor_id)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.create_ticket(distributor_id=form.cleaned_data["distributor"].pk, actor=request.user,
                                            **form.service_kwargs())
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Ticket %(number)s raised.") % {"number": ticket.number})
            return redirect("service:detail", pk=ticket.pk)
    status = 400 if form.errors else 200
    return render(request, "service/ticket_form.html", {"nav": "service", "form": form}, status=status)


# --- the ticket page ----------------------------------------------------------------------


def _detail_context(request, ticket, **extra):
    can_change = request.user.has_perm(CHANGE)
    context = {
        "nav": "service", "ticket": ticket, "sla_state": selectors.sla_state(ticket),
        "conversation": selectors.conversation(ticket, staff=True),
        "files": selectors.ticket_attachments(ticket, staff=True),
        "can_change": can_change, "can_assign": request.user.has_perm(ASSIGN),
        "message_form": MessageForm(), "resolve_form": ResolveForm(),
        "assign_form": AssignForm(initial={"assignee": ticket.assignee_id}),
        "actions": [(s, STATUS_ACTIONS[s]) for s in Ticket.TRANSITIONS.get(ticket.status, ())
                    if s in STATUS_ACTIONS] if can_change else [],
        "can_resolve": can_change and Ticket.Status.RESOLVED in Ticket.TRANSITIONS.get(ticket.status, ()),
    }
    context.update(extra)
    return context


@staff_view(VIEW)
def ticket_detail(request, pk):
    ticket = _get_ticket(pk)
    return render(request, "service/ticket_detail.html", _detail_context(request, ticket))


@staff_view(VIEW)
def ticket_messages(request, pk):
    """GET: the conversation fragment (polled). POST: a reply or an internal note."""
    ticket = _get_ticket(pk)
    form = MessageForm()
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(CHANGE):
            raise Http404
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.post_message(ticket_id=ticket.pk, body=form.cleaned_data["body"],
                                      internal=form.cleaned_data["internal"],
                                      attachments=form.cleaned_data["attachments"], actor=request.user)
            except DomainError as exc:
                apply_service_errors(form, exc)
                status = 400
            else:
                form = MessageForm()
        else:
            status = 400
        if not wants_partial(request):
            if status == 200:
                return redirect("service:detail", pk=ticket.pk)
            messages.error(request, _("The message was not sent: %(error)s") % {
                "error": " ".join(str(e) for errors in form.errors.values() for e in errors)})
            return redirect("service:detail", pk=ticket.pk)
        ticket = _get_ticket(pk)
    context = _detail_context(request, ticket, message_form=form)
    # 200 even with errors: HTMX swaps only successful answers, and the form shows them.
    return render(request, "service/ticket_detail.html#conversation", context)


@require_POST
@staff_view(ASSIGN)
def ticket_assign(request, pk):
    ticket = _get_ticket(pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an active member of staff."))
    else:
        try:
            services.assign_ticket(ticket_id=ticket.pk, assignee_id=form.cleaned_data["assignee"].pk,
                                   actor=request.user)
        except DomainError as exc:
            messages.error(request, _error_message(exc))
        else:
            messages.success(request, _("Ticket %(number)s assigned.") % {"number": ticket.number})
    return redirect("service:detail", pk=ticket.pk)


@require_POST
@staff_view(CHANGE)
def ticket_status(request, pk):
    ticket = _get_ticket(pk)
    try:
        services.change_status(ticket_id=ticket.pk, status=request.POST.get("status", ""),
                               resolution=request.POST.get("resolution", ""), actor=request.user)
    except DomainError as exc:
        messages.error(request, _error_message(exc))
    else:
        ticket.refresh_from_db()
        messages.success(request, _("Ticket %(number)s: %(status)s.") % {
            "number": ticket.number, "status": ticket.get_status_display()})
    return redirect("service:detail", pk=ticket.pk)


@staff_view(VIEW)
def ticket_file(request, pk, file_pk):
    ticket = _get_ticket(pk)
    try:
        attachment = selectors.attachment(ticket, file_pk, staff=True)
    except TicketAttachment.DoesNotExist:
        raise Http404 from None
    return serve_private_file(attachment.file, attachment.name)


# --- SLA report ---------------------------------------------------------------------------


@staff_view(REPORT)
def sla_report(request):
    from .report import report_context, report_export

    context = report_context(request)
    if request.GET.get("export") == "xlsx":
        return report_export(context)
    return render(request, "service/sla_report.html", context)
