"""Portal pages: the distributor's tickets, raising one (from its own orders, shipments
and products), the conversation (never an internal note), reply, close/reopen and rating.
Every ticket is looked up in the user's distributor, so another's is a 404."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.core.errors import DomainError
from dms.core.files import serve_private_file
from dms.core.forms import apply_service_errors
from dms.core.lists import paginate, render_list, wants_partial
from dms.core.permissions import portal_view

from . import selectors, services
from .filters import TicketFilter
from .forms import MessageForm, RateForm, TicketForm
from .models import Ticket, TicketAttachment, TicketType

St = Ticket.Status


def _own(request, pk) -> Ticket:
    return get_object_or_404(selectors.tickets(), pk=pk, distributor_id=request.user.distributor_id)


@portal_view()
def ticket_list(request):
    base = selectors.tickets().filter(distributor_id=request.user.distributor_id)
    data = request.GET.copy()
    filterset = TicketFilter(data, queryset=base)
    qs = (filterset.qs if filterset.is_valid() else base).order_by("-updated_at", "-id")
    return render_list(request, "service/portal/list.html", {
        "nav": "service", "page_obj": paginate(request, qs), "q": request.GET,
        "statuses": Ticket.Status.choices, "types": TicketType.choices,
    })


@portal_view()
def ticket_create(request):
    distributor_id = request.user.distributor_id
    initial = {k: request.GET.get(k) for k in ("order", "shipment", "product", "type") if request.GET.get(k)}
    form = TicketForm(request.POST if request.method == "POST" else None, request.FILES or None,
                      distributor_id=distributor_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.create_ticket(distributor_id=distributor_id, actor=request.user,
                                            **form.service_kwargs())
        except DomainError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Ticket %(number)s is raised; our service team will answer you here.")
                             % {"number": ticket.number})
            return redirect("service_portal:detail", pk=ticket.pk)
    return render(request, "service/portal/form.html", {"nav": "service", "form": form},
                  status=400 if form.errors else 200)


def _context(ticket, **extra):
    done_at = ticket.resolved_at or ticket.closed_at
    context = {
        "nav": "service", "ticket": ticket, "conversation": selectors.conversation(ticket, staff=False),
        "files": selectors.ticket_attachments(ticket, staff=False), "message_form": MessageForm(),
        "rate_form": RateForm(),
        "can_reply": ticket.status in Ticket.ACTIVE,
        "can_close": ticket.status == St.RESOLVED,
        "can_reopen": ticket.status in Ticket.DONE and done_at is not None
        and (timezone.now() - done_at).days < services.reopen_days(),
        "can_rate": ticket.status in Ticket.DONE and ticket.rated_at is None,
    }
    context.update(extra)
    return context


@portal_view()
def ticket_detail(request, pk):
    return render(request, "service/portal/detail.html", _context(_own(request, pk)))


@portal_view()
def ticket_messages(request, pk):
    """GET: the conversation fragment (polled). POST: the distributor's reply."""
    ticket = _own(request, pk)
    form, status = MessageForm(), 200
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                # A portal form never writes an internal note, whatever is posted.
                services.post_message(ticket_id=ticket.pk, body=form.cleaned_data["body"], internal=False,
                                      attachments=form.cleaned_data["attachments"], actor=request.user)
            except DomainError as exc:
                apply_service_errors(form, exc)
                status = 400
            else:
                form = MessageForm()
                if wants_partial(request) and Ticket.objects.get(pk=ticket.pk).status != ticket.status:
                    # the reply moved the ticket back to work: the whole page changes, not only the thread
                    response = HttpResponse(status=204)
                    response["HX-Refresh"] = "true"
                    return response
        else:
            status = 400
        if not wants_partial(request):
            if status != 200:
                messages.error(request, _("The message was not sent: %(error)s") % {
                    "error": " ".join(str(e) for errors in form.errors.values() for e in errors)})
            return redirect("service_portal:detail", pk=ticket.pk)
        ticket = _own(request, pk)
    # 200 even with errors: HTMX swaps only successful answers, and the form shows them.
    return render(request, "service/portal/detail.html#conversation", _context(ticket, message_form=form))


@portal_view()
@require_POST
def ticket_status(request, pk):
    ticket = _own(request, pk)
    try:
        services.change_status(ticket_id=ticket.pk, status=request.POST.get("status", ""), actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        ticket.refresh_from_db()
        messages.success(request, _("Ticket %(number)s: %(status)s.") % {
            "number": ticket.number, "status": ticket.get_status_display()})
    return redirect("service_portal:detail", pk=ticket.pk)


@portal_view()
@require_POST
def ticket_rate(request, pk):
    ticket = _own(request, pk)
    form = RateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a rating from 1 to 5."))
        return redirect("service_portal:detail", pk=ticket.pk)
    try:
        services.rate_ticket(ticket_id=ticket.pk, rating=form.cleaned_data["rating"],
                             comment=form.cleaned_data["comment"], actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect("service_portal:detail", pk=ticket.pk)


@portal_view()
def ticket_file(request, pk, file_pk):
    ticket = _own(request, pk)
    try:
        attachment = selectors.attachment(ticket, file_pk, staff=False)
    except TicketAttachment.DoesNotExist:
        raise Http404 from None
    return serve_private_file(attachment.file, attachment.name)
