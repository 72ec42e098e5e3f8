"""Tenant-scoped reads for the visit pages, exports, the calendar and the portal (the
request's scope applies: a channel manager reads only his distributors' visits)."""

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from dms.accounts.roles import BRAND_WIDE_ROLES, Role

from .models import Visit, VisitAction
from .schedule import schedule


def own_only(user) -> bool:
    """A channel manager without a brand-wide role works with his own visits only."""
    roles = user.role_names
    return not user.is_superuser and Role.CHANNEL_MANAGER in roles and not roles & BRAND_WIDE_ROLES


def visits():
    return (Visit.objects.select_related("distributor", "manager")
            .annotate(open_actions=Count("actions", filter=Q(actions__status=VisitAction.Status.OPEN))))


def visit_detail(pk: int) -> Visit:
    """Raises Visit.DoesNotExist outside the scope."""
    return (Visit.objects.select_related("distributor", "distributor__tier", "manager", "created_by")
            .prefetch_related("staff_participants", "photos", "actions__owner_user", "actions__done_by").get(pk=pk))


def actions():
    return VisitAction.objects.select_related("visit", "visit__distributor", "owner_user", "done_by")


def managers():
    """Channel managers, for the manager filters and pickers."""
    return (get_user_model().objects.filter(distributor__isnull=True, is_active=True, groups__name=Role.CHANNEL_MANAGER)
            .order_by("username").distinct())


def staff_users():
    return get_user_model().objects.filter(distributor__isnull=True, is_active=True).order_by("username")


# --- portal --------------------------------------------------------------------------


def portal_visits(distributor_id: int):
    """What the distributor may see: its completed visits (the page never shows the
    internal notes)."""
    return (Visit.objects.filter(distributor_id=distributor_id, status=Visit.Status.COMPLETED)
            .select_related("manager").prefetch_related("actions", "staff_participants")
            .order_by("-visit_date", "-id"))


def portal_actions(distributor_id: int):
    return (VisitAction.objects.filter(visit__distributor_id=distributor_id, visit__status=Visit.Status.COMPLETED,
                                       owner_type=VisitAction.Owner.DISTRIBUTOR)
            .select_related("visit").order_by("status", "due_date", "id"))


# --- calendar ------------------------------------------------------------------------


@dataclass
class Day:
    date: dt.date
    in_month: bool
    today: bool
    entries: list = field(default_factory=list)


@dataclass
class Entry:
    kind: str  # planned, completed, overdue, due
    label: str
    url: str
    title: str = ""


def month_grid(*, year: int, month: int, manager_id: int | None = None) -> list[list[Day]]:
    """The weeks (Monday first) of a month with the visits and due dates on each day."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    today = timezone.localdate()
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    days = {d: Day(date=d, in_month=d.month == month, today=d == today) for week in weeks for d in week}
    qs = Visit.objects.select_related("distributor").exclude(status=Visit.Status.CANCELLED).filter(
        Q(visit_date__range=(first, last)) | Q(visit_date__isnull=True, planned_date__range=(first, last)))
    if manager_id:
        qs = qs.filter(manager_id=manager_id)
    for v in qs.order_by("planned_date", "id"):
        kind = "overdue" if v.is_overdue else v.status
        days[v.date].entries.append(Entry(kind=kind, label=v.distributor.name, url=v.get_absolute_url(),
                                          title=f"{v.get_type_display()} · {v.get_status_display()}"))
    for due in schedule(manager_id=manager_id, today=today):
        if due.planned_date is None and first <= due.next_due <= last:
            days[due.next_due].entries.append(Entry(
                kind="due", label=due.distributor.name,
                url=reverse("visits:create") + f"?distributor={due.distributor.pk}&planned_date={due.next_due}",
                title=_("Visit due: plan it")))
    return [[days[d] for d in week] for week in weeks]
