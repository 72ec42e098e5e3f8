"""Tenant-scoped reads for the customer pages, exports, the API and the dashboards.

The request's scope applies: a distributor user reads its own customers, a channel
manager his distributors', brand-wide roles all of them.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from dms.core import regions

from .models import Customer, CustomerContact, CustomerNeed, FollowUp


def active_days() -> int:
    """A customer with a follow-up or an order within this many days counts as active."""
    return getattr(settings, "CRM_ACTIVE_DAYS", 90)


ACTIVITY_CHOICES = [("active", _("Active (recent contact)")), ("dormant", _("Dormant (no recent contact)")),
                    ("never", _("Never contacted"))]


def activity_q(segment: str, today: dt.date) -> Q:
    cut = today - dt.timedelta(days=active_days())
    recent = Q(last_contact_date__gte=cut) | Q(last_order_date__gte=cut)
    never = Q(last_contact_date__isnull=True, last_order_date__isnull=True)
    return {"active": recent, "dormant": ~recent & ~never, "never": never}.get(segment, Q())


def customers():
    return (Customer.objects.select_related("distributor", "owner")
            .prefetch_related("tags", Prefetch("contacts", CustomerContact.objects.order_by("-is_primary", "id"))))


def customer_detail(pk: int) -> Customer:
    """Raises Customer.DoesNotExist outside the scope."""
    return customers().get(pk=pk)


def follow_ups_of(customer):
    return FollowUp.objects.filter(customer=customer).select_related("created_by").order_by("-date", "-id")


def needs_of(customer):
    return CustomerNeed.objects.filter(customer=customer).order_by("status", "-created_at", "-id")


def _counts(qs, field, choices) -> list[dict]:
    found = dict(qs.order_by().values_list(field).annotate(n=Count("pk")))
    return [{"value": value, "label": label, "count": found.get(value, 0)} for value, label in choices]


def aggregate(qs, today: dt.date, *, by_distributor: bool = False) -> dict:
    """Counts by status, type, activity, province (and distributor) of ``qs``."""
    names = dict(regions.provinces())
    rows = list(qs.exclude(region_code="").annotate(province=Substr("region_code", 1, 2)).order_by()
                .values("province").annotate(n=Count("pk")).order_by("-n", "province"))
    unplaced = qs.filter(region_code="").count()
    provinces = [{"value": r["province"], "label": names.get(r["province"], r["province"]), "count": r["n"]}
                 for r in rows]
    if unplaced:
        provinces.append({"value": "none", "label": _("No region"), "count": unplaced})
    activity = qs.aggregate(**{key: Count("pk", filter=activity_q(key, today)) for key, _l in ACTIVITY_CHOICES})
    out = {
        "total": qs.count(),
        "statuses": _counts(qs, "status", Customer.Status.choices),
        "types": _counts(qs, "type", Customer.Type.choices),
        "activity": [{"value": k, "label": label, "count": activity[k]} for k, label in ACTIVITY_CHOICES],
        "provinces": provinces,
        "open_needs": CustomerNeed.objects.filter(customer__in=qs, status=CustomerNeed.Status.OPEN).count(),
        "due_follow_ups": qs.filter(next_follow_up_date__lte=today).count(),
    }
    if by_distributor:
        out["distributors"] = [
            {"value": r["distributor_id"], "label": r["distributor__name"], "code": r["distributor__code"],
             "count": r["n"], "active": r["active"]}
            for r in qs.order_by().values("distributor_id", "distributor__name", "distributor__code")
            .annotate(n=Count("pk"), active=Count("pk", filter=activity_q("active", today))).order_by("-n")
        ]
    return out


def needs_by_category(qs) -> list[dict]:
    open_needs = CustomerNeed.objects.filter(customer__in=qs, status=CustomerNeed.Status.OPEN)
    found = {(r["category"], r["priority"]): r["n"] for r in
             open_needs.order_by().values("category", "priority").annotate(n=Count("pk"))}
    return [{"value": value, "label": label,
             "count": sum(n for (c, _p), n in found.items() if c == value),
             "high": found.get((value, CustomerNeed.Priority.HIGH), 0)}
            for value, label in CustomerNeed.Category.choices]


def due_follow_ups_for(distributor_id: int, today: dt.date, days: int = 7):
    """Customers whose next follow-up falls by ``today + days`` (overdue ones first)."""
    return (Customer.objects.filter(distributor_id=distributor_id, next_follow_up_date__isnull=False,
                                    next_follow_up_date__lte=today + dt.timedelta(days=days))
            .exclude(status=Customer.Status.LOST).select_related("owner").order_by("next_follow_up_date", "name"))
