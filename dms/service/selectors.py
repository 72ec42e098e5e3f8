"""Tenant-scoped reads for the ticket pages, the API and the SLA report (the request's
scope applies). ``conversation`` is the one place that decides who sees internal notes."""

import datetime as dt

from django.db.models import Avg, Count, F, Prefetch, Q
from django.utils import timezone

from .models import Ticket, TicketAttachment, TicketMessage

St = Ticket.Status


def tickets():
    return Ticket.objects.select_related("distributor", "assignee", "order", "shipment", "product")


def ticket_detail(pk: int) -> Ticket:
    """Raises Ticket.DoesNotExist outside the scope."""
    return tickets().select_related("created_by").get(pk=pk)


def conversation(ticket: Ticket, *, staff: bool) -> list[TicketMessage]:
    """The messages, oldest first, with their attachments; internal notes only for staff."""
    qs = ticket.messages.select_related("author").prefetch_related(
        Prefetch("attachments", TicketAttachment.objects.order_by("id")))
    if not staff:
        qs = qs.exclude(kind=TicketMessage.Kind.NOTE)
    return list(qs.order_by("created_at", "id"))


def ticket_attachments(ticket: Ticket, *, staff: bool):
    """The ticket's own files (raised with it) — those of messages come with the messages."""
    return ticket.attachments.filter(message__isnull=True)


def attachment(ticket: Ticket, pk: int, *, staff: bool) -> TicketAttachment:
    """A file of the ticket; a file of an internal note does not exist for a distributor."""
    qs = ticket.attachments.all()
    if not staff:
        qs = qs.filter(Q(message__isnull=True) | ~Q(message__kind=TicketMessage.Kind.NOTE))
    return qs.get(pk=pk)


def breached_q(now: dt.datetime) -> Q:
    """A deadline missed: answered or resolved late, or still open past it (the resolution
    clock of a ticket waiting on the distributor stands still; it counts if it ran out first)."""
    return (Q(first_response_at__gt=F("first_response_due_at"))
            | Q(first_response_at__isnull=True, first_response_due_at__lt=now, status__in=Ticket.ACTIVE)
            | Q(resolved_at__gt=F("resolution_due_at"))
            | Q(status__in=[St.OPEN, St.IN_PROGRESS], resolution_due_at__lt=now)
            | Q(status=St.WAITING, paused_at__gt=F("resolution_due_at")))


def at_risk_q(now: dt.datetime) -> Q:
    """Not breached yet, but 80 % of a running clock is used."""
    running = (Q(first_response_at__isnull=True, status__in=Ticket.ACTIVE, first_response_warn_at__lte=now)
               | Q(status__in=[St.OPEN, St.IN_PROGRESS], resolution_warn_at__lte=now))
    return running & ~breached_q(now)


def sla_state(ticket: Ticket, now: dt.datetime | None = None) -> str:
    """"breached", "at_risk" or "" for one ticket (same rules as the filters)."""
    now = now or timezone.now()
    qs = Ticket.objects.filter(pk=ticket.pk)
    if qs.filter(breached_q(now)).exists():
        return "breached"
    if qs.filter(at_risk_q(now)).exists():
        return "at_risk"
    return ""


def counts(qs, now=None) -> dict:
    now = now or timezone.now()
    return qs.aggregate(
        open=Count("pk", filter=Q(status__in=Ticket.ACTIVE)),
        unassigned=Count("pk", filter=Q(status__in=Ticket.ACTIVE, assignee__isnull=True)),
        at_risk=Count("pk", filter=Q(status__in=Ticket.ACTIVE) & at_risk_q(now)),
        breached=Count("pk", filter=Q(status__in=Ticket.ACTIVE) & breached_q(now)),
    )


REPORT_GROUPS = {"priority": "priority", "type": "type", "assignee": "assignee"}


def sla_report(qs, group: str) -> list[dict]:
    """Per group over ``qs``: tickets, % first response in time, % resolved in time (of
    those answered / resolved), average working hours to first response and resolution."""
    field = REPORT_GROUPS.get(group, "priority")
    rows = (qs.order_by().values(field).annotate(
        total=Count("pk"),
        answered=Count("pk", filter=Q(first_response_at__isnull=False)),
        answered_in_time=Count("pk", filter=Q(first_response_at__lte=F("first_response_due_at"))),
        resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        resolved_in_time=Count("pk", filter=Q(resolved_at__lte=F("resolution_due_at"))),
        avg_first=Avg("first_response_minutes"),
        avg_resolution=Avg("resolution_minutes"),
    ).order_by(field))
    out = []
    for row in rows:
        row["key"] = row.pop(field)
        row["first_pct"] = _pct(row["answered_in_time"], row["answered"])
        row["resolved_pct"] = _pct(row["resolved_in_time"], row["resolved"])
        row["avg_first_hours"] = _hours(row["avg_first"])
        row["avg_resolution_hours"] = _hours(row["avg_resolution"])
        out.append(row)
    return out


def _pct(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _hours(minutes):
    return round(minutes / 60, 1) if minutes is not None else None
