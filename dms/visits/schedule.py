"""When each distributor is due for its next visit.

The next visit is due ``frequency`` days after the last completed visit — or after the
distributor became active, when it was never visited. The frequency comes from the
distributor's tier (``VisitFrequency``), else ``DEFAULT_INTERVAL_DAYS``. Only active
distributors are visited. Everything here reads inside the caller's scope.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import DateField, IntegerField, Max, Min, OuterRef, Subquery
from django.utils import timezone

from dms.distributors.models import Distributor

from .models import DEFAULT_INTERVAL_DAYS, Visit, VisitFrequency

SOON_DAYS = 14  # "due soon" on the due list and the dashboard
REMIND_BEFORE_DAYS = 7


@dataclass
class Due:
    distributor: Distributor
    last_visit: dt.date | None
    interval_days: int
    next_due: dt.date
    planned_date: dt.date | None
    planned_id: int | None
    today: dt.date

    @property
    def days(self) -> int:
        """Days until the due date (negative: overdue)."""
        return (self.next_due - self.today).days

    @property
    def overdue_days(self) -> int:
        return max(0, -self.days)

    @property
    def state(self) -> str:
        if self.days < 0:
            return "overdue"
        if self.days <= SOON_DAYS:
            return "soon"
        return "later"

    @property
    def manager(self):
        return self.distributor.channel_manager


def _visits(distributor_ref, status):
    return Visit.objects.filter(distributor=distributor_ref, status=status).order_by().values("distributor")


def activation_date(distributor) -> dt.date:
    """When the distributor became active (the last status change of an active one)."""
    moment = distributor.status_changed_at or distributor.created_at
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def schedule(*, manager_id: int | None = None, distributor_id: int | None = None, today: dt.date | None = None):
    """One ``Due`` per active distributor in scope, soonest due first."""
    today = today or timezone.localdate()
    ref = OuterRef("pk")
    qs = (Distributor.objects.filter(status=Distributor.Status.ACTIVE).select_related("channel_manager", "tier")
          .annotate(
              last_visit=Subquery(_visits(ref, Visit.Status.COMPLETED).annotate(d=Max("visit_date")).values("d"),
                                  output_field=DateField()),
              planned_date=Subquery(_visits(ref, Visit.Status.PLANNED).annotate(d=Min("planned_date")).values("d"),
                                    output_field=DateField()),
              interval=Subquery(VisitFrequency.objects.filter(tier=OuterRef("tier")).values("interval_days")[:1],
                                output_field=IntegerField()),
          ))
    if manager_id:
        qs = qs.filter(channel_manager_id=manager_id)
    if distributor_id:
        qs = qs.filter(pk=distributor_id)
    rows = list(qs)
    planned_ids = _first_planned_ids([d.pk for d in rows if d.planned_date])
    out = []
    for d in rows:
        interval = d.interval or DEFAULT_INTERVAL_DAYS
        base = d.last_visit or activation_date(d)
        out.append(Due(distributor=d, last_visit=d.last_visit, interval_days=interval,
                       next_due=base + dt.timedelta(days=interval), planned_date=d.planned_date,
                       planned_id=planned_ids.get(d.pk), today=today))
    out.sort(key=lambda due: (due.next_due, due.distributor.code))
    return out


def _first_planned_ids(distributor_ids) -> dict[int, int]:
    ids: dict[int, int] = {}
    for pk, dist in (Visit.objects.filter(distributor_id__in=distributor_ids, status=Visit.Status.PLANNED)
                     .order_by("-planned_date", "-id").values_list("pk", "distributor_id")):
        ids[dist] = pk  # the earliest planned visit wins (it comes last)
    return ids


def next_due(distributor, today: dt.date | None = None) -> Due | None:
    rows = schedule(distributor_id=distributor.pk, today=today)
    return rows[0] if rows else None
