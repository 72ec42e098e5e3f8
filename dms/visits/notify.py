"""Notifications about visits (Category.VISIT), sent after commit. What goes to the
distributor is built from the shared record only — never from the internal notes."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from dms.accounts.models import User
from dms.notifications.models import Category
from dms.notifications.services import notify

from .models import Visit, VisitAction


def _distributor_users(distributor_id):
    return User.objects.filter(distributor_id=distributor_id, is_active=True)


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def visit_completed(visit_id: int) -> None:
    with scopes_disabled():
        visit = Visit.objects.select_related("distributor", "manager").get(pk=visit_id)
        actions = [a for a in visit.actions.all() if a.owner_type == VisitAction.Owner.DISTRIBUTOR]
        lines = [_("Topics: %(topics)s") % {"topics": visit.topics}]
        if visit.problems:
            lines.append(_("Problems found: %(problems)s") % {"problems": visit.problems})
        for a in actions:
            due = a.due_date.isoformat() if a.due_date else "—"
            lines.append(_("Your action: %(action)s (due %(due)s)") % {"action": a.description, "due": due})
        notify(_distributor_users(visit.distributor_id), category=Category.VISIT,
               title=_("Visit record of %(date)s by %(who)s") % {"date": visit.visit_date.isoformat(),
                                                                 "who": _name(visit.manager)},
               body="\n".join(lines), url=reverse("visits_portal:detail", args=[visit.pk]))


def action_assigned(action_id: int, actor_id: int | None = None) -> None:
    with scopes_disabled():
        action = VisitAction.objects.select_related("visit__distributor", "owner_user").get(pk=action_id)
        due = action.due_date.isoformat() if action.due_date else "—"
        body = _("%(action)s — due %(due)s") % {"action": action.description, "due": due}
        if action.owner_type == VisitAction.Owner.DISTRIBUTOR:
            if action.visit.status != Visit.Status.COMPLETED:
                return  # the distributor sees the visit, and its actions, once it is recorded
            users, url = _distributor_users(action.visit.distributor_id), reverse("visits_portal:list")
        else:
            if action.owner_user_id == actor_id:
                return  # no need to tell someone what he just assigned to himself
            users, url = [action.owner_user], reverse("visits:detail", args=[action.visit_id])
        notify(users, category=Category.VISIT,
               title=_("Action from the visit to %(name)s") % {"name": action.visit.distributor.name},
               body=body, url=url)


def due_reminder(due, stage: str) -> int:
    """Remind the distributor's channel manager that a visit is due (``due`` is a schedule.Due)."""
    d = due.distributor
    if d.channel_manager is None:
        return 0
    titles = {
        "soon": _("Visit to %(name)s due on %(date)s"),
        "due": _("Visit to %(name)s is due today"),
        "overdue": _("Visit to %(name)s is overdue (due %(date)s)"),
    }
    title = titles[stage] % {"name": d.name, "date": due.next_due.isoformat()}
    if due.planned_date:
        body = _("A visit is planned for %(date)s.") % {"date": due.planned_date.isoformat()}
        url = reverse("visits:detail", args=[due.planned_id])
    else:
        body = _("No visit is planned yet: plan one.")
        url = reverse("visits:create") + f"?distributor={d.pk}"
    return len(notify([d.channel_manager], category=Category.VISIT, title=title, body=body, url=url))
