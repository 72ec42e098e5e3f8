"""Service tickets: raise, assign, converse, move through the statuses, rate; the SLA
clocks move with them (see docs/service.md for the rules).

Distributor users act only on their own distributor's tickets (the callers look tickets
up in scope; the services check the distributor again). Notifications go out after commit
through ``notify.py``; nothing a distributor can receive ever carries an internal note.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.accounts.models import User
from dms.audit.models import AuditLog
from dms.audit.services import record
from dms.catalog.models import Product
from dms.core.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from dms.core.files import validate_document
from dms.core.models import next_value
from dms.distributors.models import Distributor
from dms.logistics.models import Shipment
from dms.orders.models import Order

from . import notify
from .models import AssignmentRule, Priority, SlaPolicy, Ticket, TicketAttachment, TicketMessage, TicketType
from .sla import add_working_time, hours, load_calendar, working_time_between

St = Ticket.Status
MAX_ATTACHMENTS = 5


def reopen_days() -> int:
    """How many days after resolving a distributor may still reopen its ticket."""
    return int(getattr(settings, "DMS_SERVICE_REOPEN_DAYS", 14))


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _is_distributor(actor) -> bool:
    return bool(getattr(actor, "distributor_id", None))


def _minutes(delta: dt.timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def _on_commit(fn, *args):
    transaction.on_commit(lambda: fn(*args))


# --- assignment ------------------------------------------------------------------------


def _least_busy(users):
    """Of ``users``, the one with the fewest active tickets (then the lowest id)."""
    return (users.annotate(load=Count("assigned_tickets", filter=Q(assigned_tickets__status__in=Ticket.ACTIVE)))
            .order_by("load", "pk").first())


def pick_assignee(*, distributor: Distributor, ticket_type: str):
    """The first active rule matching the type and the distributor's province wins; else
    the distributor's channel manager."""
    province = (distributor.region_code or "")[:2]
    for rule in AssignmentRule.objects.filter(is_active=True).select_related("assignee"):
        if rule.ticket_type and rule.ticket_type != ticket_type:
            continue
        if rule.province and rule.province != province:
            continue
        if rule.assignee_id and rule.assignee.is_active:
            return rule.assignee
        if rule.role:
            user = _least_busy(User.objects.filter(is_active=True, distributor__isnull=True, groups__name=rule.role))
            if user is not None:
                return user
    manager = distributor.channel_manager
    return manager if manager is not None and manager.is_active else None


# --- SLA clocks ------------------------------------------------------------------------


def _policy(priority: str) -> SlaPolicy | None:
    return SlaPolicy.objects.filter(priority=priority).first()


def _start_clocks(ticket: Ticket, now: dt.datetime, *, first_response: bool) -> None:
    """Start the resolution clock (and the first-response one for a new ticket)."""
    ticket.sla_started_at, ticket.paused_at, ticket.paused_minutes = now, None, 0
    ticket.resolution_warned_at = ticket.resolution_breach_sent_at = None
    policy = _policy(ticket.priority)
    if policy is None:
        ticket.resolution_due_at = ticket.resolution_warn_at = None
        if first_response:
            ticket.first_response_due_at = ticket.first_response_warn_at = None
        return
    calendar = load_calendar()
    target = hours(policy.resolution_hours)
    ticket.resolution_due_at = add_working_time(now, target, calendar)
    ticket.resolution_warn_at = add_working_time(now, target * 0.8, calendar)
    if first_response:
        target = hours(policy.first_response_hours)
        ticket.first_response_due_at = add_working_time(now, target, calendar)
        ticket.first_response_warn_at = add_working_time(now, target * 0.8, calendar)


def _pause(ticket: Ticket, now: dt.datetime) -> None:
    ticket.paused_at = ticket.paused_at or now


def _resume(ticket: Ticket, now: dt.datetime) -> None:
    """Leaving waiting_on_distributor: the resolution deadline (and its warning) move on by
    the working time the ticket waited — the working time left at the pause is left now."""
    if ticket.paused_at is None:
        return
    calendar = load_calendar()
    since = ticket.paused_at
    ticket.paused_minutes += _minutes(working_time_between(since, now, calendar))
    for field in ("resolution_due_at", "resolution_warn_at"):
        due = getattr(ticket, field)
        if due is not None and due > since:
            setattr(ticket, field, add_working_time(now, working_time_between(since, due, calendar), calendar))
    ticket.paused_at = None


def _first_response(ticket: Ticket, now: dt.datetime) -> None:
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        ticket.first_response_minutes = _minutes(working_time_between(ticket.created_at, now, load_calendar()))


# --- raising a ticket ------------------------------------------------------------------


def _check_links(errors, distributor_id, order_id, shipment_id, product_id):
    order = shipment = None
    if order_id:
        order = Order.objects.filter(pk=order_id, distributor_id=distributor_id).first()
        if order is None:
            errors["order"] = [_("Choose one of this distributor's orders.")]
    if shipment_id:
        shipment = Shipment.objects.filter(pk=shipment_id, distributor_id=distributor_id).first()
        if shipment is None:
            errors["shipment"] = [_("Choose one of this distributor's shipments.")]
        elif order is not None and shipment.order_id != order.pk:
            errors["shipment"] = [_("This shipment belongs to another order.")]
    if product_id:
        product = Product.objects.filter(pk=product_id).first()
        if product is None:
            errors["product"] = [_("Unknown product.")]
        elif order is not None and not order.lines.filter(product_id=product_id).exists():
            errors["product"] = [_("This product is not on the chosen order.")]
    return order, shipment


def _check_attachments(attachments, errors, field="attachments"):
    attachments = [a for a in (attachments or []) if a]
    if len(attachments) > MAX_ATTACHMENTS:
        errors[field] = [_("Attach at most %(n)d files.") % {"n": MAX_ATTACHMENTS}]
        return attachments
    for upload in attachments:
        try:
            validate_document(upload, field=field)
        except ValidationFailed as exc:
            errors.setdefault(field, []).extend(exc.fields[field])
    return attachments


def _save_attachments(ticket, message, attachments, actor):
    for upload in attachments:
        TicketAttachment.objects.create(ticket=ticket, message=message, file=upload, name=upload.name[:255],
                                        size=upload.size or 0, uploaded_by=_actor(actor))


@transaction.atomic
def create_ticket(*, distributor_id: int, type: str, subject: str, description: str,  # noqa: A002
                  priority: str = Priority.NORMAL, order_id: int | None = None, shipment_id: int | None = None,
                  product_id: int | None = None, batch_number: str = "", attachments=(), actor) -> Ticket:
    """A distributor raises a ticket (or staff raise it on its behalf); it is numbered,
    assigned by the rules and its SLA clocks start."""
    if _is_distributor(actor) and actor.distributor_id != distributor_id:
        raise NotAllowed()
    distributor = Distributor.objects.select_related("channel_manager").filter(pk=distributor_id).first()
    if distributor is None:
        raise ValidationFailed(fields={"distributor": [_("Unknown distributor.")]})
    errors = {}
    if type not in TicketType.values:
        errors["type"] = [_("Choose a ticket type.")]
    if priority not in Priority.values:
        errors["priority"] = [_("Choose a priority.")]
    if not (subject or "").strip():
        errors["subject"] = [_("This field is required.")]
    if not (description or "").strip():
        errors["description"] = [_("This field is required.")]
    _check_links(errors, distributor_id, order_id, shipment_id, product_id)
    attachments = _check_attachments(attachments, errors)
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    now = timezone.now()
    day = timezone.localdate(now)
    ticket = Ticket(
        number=f"TK{day:%Y%m%d}{next_value(f'TK{day:%Y%m%d}'):04d}", distributor=distributor, type=type,
        subject=subject.strip()[:200], description=description.strip(), priority=priority, order_id=order_id or None,
        shipment_id=shipment_id or None, product_id=product_id or None, batch_number=(batch_number or "").strip()[:64],
        created_by=_actor(actor), created_at=now,
        assignee=pick_assignee(distributor=distributor, ticket_type=type))
    _start_clocks(ticket, now, first_response=True)
    ticket.save()
    _save_attachments(ticket, None, attachments, actor)
    record(action=AuditLog.Action.CREATE, instance=ticket, distributor_id=distributor_id,
           message=_("Service ticket raised."), actor=actor)
    _on_commit(notify.ticket_raised, ticket.pk)
    return ticket


# --- conversation ----------------------------------------------------------------------


def _lock(ticket_id: int) -> Ticket:
    return Ticket.objects.select_for_update(of=("self",)).select_related("distributor").get(pk=ticket_id)


def _check_actor(ticket: Ticket, actor) -> None:
    if _is_distributor(actor) and actor.distributor_id != ticket.distributor_id:
        raise NotAllowed()


@transaction.atomic
def post_message(*, ticket_id: int, body: str, internal: bool = False, attachments=(), actor) -> TicketMessage:
    """A reply (or, for staff, an internal note). A distributor's reply to a ticket waiting
    on it puts the ticket back in progress; staff's first public reply is the first response."""
    ticket = _lock(ticket_id)
    _check_actor(ticket, actor)
    from_distributor = _is_distributor(actor)
    if internal and from_distributor:
        raise NotAllowed(_("Only brand staff can write internal notes."))
    if not internal and ticket.status == St.CLOSED:
        raise InvalidTransition(ticket.get_status_display(), _("reply"))
    if not internal and from_distributor and ticket.status == St.RESOLVED:
        raise ValidationFailed(_("This ticket is resolved: reopen it to continue the conversation."))
    errors = {}
    if not (body or "").strip():
        errors["body"] = [_("Write a message.")]
    attachments = _check_attachments(attachments, errors)
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    now = timezone.now()
    message = TicketMessage.objects.create(
        ticket=ticket, kind=TicketMessage.Kind.NOTE if internal else TicketMessage.Kind.REPLY, author=_actor(actor),
        from_distributor=from_distributor, body=body.strip(), created_at=now)
    _save_attachments(ticket, message, attachments, actor)
    if from_distributor and ticket.status == St.WAITING:
        _move(ticket, St.IN_PROGRESS, now, actor)
    elif not from_distributor and not internal:
        _first_response(ticket, now)
    ticket.save()
    if internal:
        _on_commit(notify.note_added, message.pk)
    elif from_distributor:
        _on_commit(notify.distributor_replied, message.pk)
    else:
        _on_commit(notify.staff_replied, message.pk)
    return message


# --- statuses --------------------------------------------------------------------------


def _move(ticket: Ticket, target: str, now: dt.datetime, actor) -> str:
    """Change the status and its clocks (the caller saves); returns the old status."""
    old = ticket.status
    if old == St.WAITING:
        _resume(ticket, now)
    if target == St.WAITING:
        _pause(ticket, now)
    elif target == St.RESOLVED:
        ticket.resolved_at = now
        started = ticket.sla_started_at or ticket.created_at
        ticket.resolution_minutes = max(0, _minutes(working_time_between(started, now, load_calendar()))
                                        - ticket.paused_minutes)
    elif target == St.CLOSED:
        ticket.closed_at = now
    elif target == St.OPEN:  # reopened
        ticket.resolved_at = ticket.closed_at = ticket.resolution_minutes = None
        _start_clocks(ticket, now, first_response=False)
    ticket.status = target
    TicketMessage.objects.create(ticket=ticket, kind=TicketMessage.Kind.EVENT, author=_actor(actor),
                                 from_distributor=_is_distributor(actor), body=target, created_at=now)
    return old


def _distributor_may(ticket: Ticket, target: str, now: dt.datetime) -> None:
    if target == St.CLOSED and ticket.status == St.RESOLVED:
        return
    if target == St.OPEN:
        done_at = ticket.resolved_at or ticket.closed_at
        if done_at and now - done_at > dt.timedelta(days=reopen_days()):
            raise NotAllowed(_("This ticket was resolved more than %(n)d days ago; raise a new ticket.")
                             % {"n": reopen_days()})
        return
    raise NotAllowed(_("Only the brand's service team can change this ticket's status."))


@transaction.atomic
def change_status(*, ticket_id: int, status: str, actor, resolution: str = "") -> Ticket:
    """Move a ticket along ``Ticket.TRANSITIONS``; the same move again is a no-op.

    Staff may make any move of the table (resolving needs a resolution text). A distributor
    may close a resolved ticket and reopen a resolved or closed one within the reopen window.
    """
    ticket = _lock(ticket_id)
    _check_actor(ticket, actor)
    if ticket.status == status:
        return ticket
    if status not in St.values or status not in Ticket.TRANSITIONS.get(ticket.status, ()):
        raise InvalidTransition(ticket.get_status_display(), St(status).label if status in St.values else status)
    now = timezone.now()
    if _is_distributor(actor):
        _distributor_may(ticket, status, now)
    if status == St.RESOLVED:
        if not (resolution or "").strip():
            raise ValidationFailed(_("Describe the resolution."),
                                   fields={"resolution": [_("This field is required.")]})
        ticket.resolution = resolution.strip()
    old = _move(ticket, status, now, actor)
    if not _is_distributor(actor) and status != St.OPEN:
        _first_response(ticket, now)
    ticket.save()
    record(action=AuditLog.Action.TRANSITION, instance=ticket, distributor_id=ticket.distributor_id,
           changes={"status": [old, status]}, actor=actor)
    _on_commit(notify.status_changed, ticket.pk, old, _actor(actor).pk if _actor(actor) else None)
    return ticket


@transaction.atomic
def assign_ticket(*, ticket_id: int, assignee_id: int, actor) -> Ticket:
    """Staff hand a ticket to another member of staff (audited; the new assignee is told)."""
    ticket = _lock(ticket_id)
    if _is_distributor(actor):
        raise NotAllowed()
    assignee = User.objects.filter(pk=assignee_id, is_active=True, distributor__isnull=True).first()
    if assignee is None or not assignee.is_brand_staff:
        raise ValidationFailed(fields={"assignee": [_("Choose an active member of staff.")]})
    if ticket.assignee_id == assignee.pk:
        return ticket
    old = ticket.assignee_id
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee", "updated_at"])
    record(action=AuditLog.Action.UPDATE, instance=ticket, distributor_id=ticket.distributor_id,
           changes={"assignee_id": [old, assignee.pk]}, message=_("Ticket reassigned."), actor=actor)
    _on_commit(notify.assigned, ticket.pk, _actor(actor).pk if _actor(actor) else None)
    return ticket


@transaction.atomic
def rate_ticket(*, ticket_id: int, rating, comment: str = "", actor) -> Ticket:
    """The distributor rates the service once, after the ticket is resolved or closed."""
    ticket = _lock(ticket_id)
    if not _is_distributor(actor):
        raise NotAllowed(_("Only the distributor can rate the service."))
    _check_actor(ticket, actor)
    if ticket.status not in Ticket.DONE:
        raise InvalidTransition(ticket.get_status_display(), _("rated"))
    if ticket.rated_at is not None:
        raise Conflict(_("This ticket has already been rated."), code="already_rated")
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationFailed(fields={"rating": [_("Give a rating from 1 to 5.")]})
    ticket.rating, ticket.rating_comment, ticket.rated_at = value, (comment or "").strip(), timezone.now()
    ticket.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    _on_commit(notify.rated, ticket.pk)
    return ticket
