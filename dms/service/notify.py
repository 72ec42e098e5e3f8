"""Notifications about tickets (Category.TICKET), sent after commit.

Distributor users get links to the portal and only public content; internal notes go to
staff only. Each function takes ids and reads what it needs outside any scope.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from dms.accounts.models import User
from dms.accounts.roles import Role
from dms.notifications.models import Category
from dms.notifications.services import notify

from .models import Ticket, TicketMessage


def _distributor_users(ticket):
    return User.objects.filter(distributor_id=ticket.distributor_id, is_active=True)


def _portal_url(ticket):
    return reverse("service_portal:detail", args=[ticket.pk])


def _staff(users, but=None):
    return [u for u in users if u is not None and u.distributor_id is None and u.pk != but]


def ticket_raised(ticket_id: int) -> None:
    with scopes_disabled():
        t = Ticket.objects.select_related("distributor", "assignee").get(pk=ticket_id)
        notify(_staff([t.assignee], but=t.created_by_id), category=Category.TICKET,
               title=_("New ticket %(number)s from %(name)s") % {"number": t.number, "name": t.distributor.name},
               body=f"[{t.get_type_display()} · {t.get_priority_display()}] {t.subject}", url=t.get_absolute_url())


def staff_replied(message_id: int) -> None:
    with scopes_disabled():
        m = TicketMessage.objects.select_related("ticket").get(pk=message_id)
        if m.internal:  # never to distributor users
            return
        t = m.ticket
        notify(_distributor_users(t), category=Category.TICKET,
               title=_("New reply on ticket %(number)s") % {"number": t.number}, body=m.body[:500],
               url=_portal_url(t))


def distributor_replied(message_id: int) -> None:
    with scopes_disabled():
        m = TicketMessage.objects.select_related("ticket__assignee", "ticket__distributor").get(pk=message_id)
        t = m.ticket
        notify(_staff([t.assignee]), category=Category.TICKET,
               title=_("%(name)s replied on ticket %(number)s") % {"name": t.distributor.name, "number": t.number},
               body=m.body[:500], url=t.get_absolute_url())


def note_added(message_id: int) -> None:
    with scopes_disabled():
        m = TicketMessage.objects.select_related("ticket__assignee").get(pk=message_id)
        t = m.ticket
        notify(_staff([t.assignee], but=m.author_id), category=Category.TICKET,
               title=_("Internal note on ticket %(number)s") % {"number": t.number}, body=m.body[:500],
               url=t.get_absolute_url())


def status_changed(ticket_id: int, old: str, actor_id: int | None) -> None:
    with scopes_disabled():
        t = Ticket.objects.select_related("assignee", "distributor").get(pk=ticket_id)
        actor = User.objects.filter(pk=actor_id).first() if actor_id else None
        title = _("Ticket %(number)s: %(status)s") % {"number": t.number, "status": t.get_status_display()}
        if actor is not None and actor.distributor_id:
            notify(_staff([t.assignee]), category=Category.TICKET, title=title,
                   body=_("%(name)s changed the status.") % {"name": t.distributor.name}, url=t.get_absolute_url())
            return
        body = t.resolution[:500] if t.status == Ticket.Status.RESOLVED else t.subject
        notify(_distributor_users(t), category=Category.TICKET, title=title, body=body, url=_portal_url(t))


def assigned(ticket_id: int, actor_id: int | None) -> None:
    with scopes_disabled():
        t = Ticket.objects.select_related("assignee", "distributor").get(pk=ticket_id)
        notify(_staff([t.assignee], but=actor_id), category=Category.TICKET,
               title=_("Ticket %(number)s is assigned to you") % {"number": t.number},
               body=f"{t.distributor.name} · {t.subject}", url=t.get_absolute_url())


def rated(ticket_id: int) -> None:
    with scopes_disabled():
        t = Ticket.objects.select_related("assignee").get(pk=ticket_id)
        notify(_staff([t.assignee]), category=Category.TICKET,
               title=_("Ticket %(number)s rated %(n)d/5") % {"number": t.number, "n": t.rating},
               body=t.rating_comment[:500], url=t.get_absolute_url())


def sla_warning(ticket: Ticket, *, which: str, breached: bool) -> None:
    """Before the deadline to the assignee; at the breach also to his escalation contacts
    (administrators, and the distributor's channel manager when he is not the assignee)."""
    labels = {"first_response": _("first response"), "resolution": _("resolution")}
    due = ticket.first_response_due_at if which == "first_response" else ticket.resolution_due_at
    params = {"number": ticket.number, "what": labels[which]}
    if breached:
        title = _("SLA breached: %(what)s on ticket %(number)s is overdue") % params
        admins = User.objects.filter(is_active=True, distributor__isnull=True, groups__name=Role.ADMIN)
        users = _staff([ticket.assignee, ticket.distributor.channel_manager, *admins])
    else:
        title = _("SLA at risk: %(what)s on ticket %(number)s is due soon") % params
        users = _staff([ticket.assignee or ticket.distributor.channel_manager])
    from django.utils import timezone

    body = _("Due %(due)s · %(subject)s") % {"due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
                                             "subject": ticket.subject}
    notify(users, category=Category.TICKET, title=title, body=body, url=ticket.get_absolute_url())
