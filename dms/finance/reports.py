"""Finance reports: AR aging, collections, revenue, DSO and the credit exposure list.

Every figure is read through the tenant-scoped managers, so a channel manager's report
holds only his distributors and a distributor's only itself. Definitions:

* AR aging: the open amount (total − paid) of open invoices as of a day, by days past the
  due date: current (not yet due), 1-30, 31-60, 61-90, over 90.
* Collections: payments received (not reversed) by month or week of receipt.
* Revenue: invoices issued (not cancelled), amount before tax, by month of issue.
* DSO = receivable now ÷ invoiced (incl. VAT, as the receivable is) over the last
  90 days × 90; empty when nothing was invoiced.
* Exposure: per distributor, limit, receivable, approved orders not invoiced, available
  (= limit − receivable − open orders), utilisation = (receivable + open orders) ÷ limit.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dms.core import regions

from .ledger import to_money
from .models import ZERO, DistributorAccount, Invoice, Payment

BUCKETS = (
    ("current", gettext_lazy("Current")),
    ("d1_30", gettext_lazy("1-30 days")),
    ("d31_60", gettext_lazy("31-60 days")),
    ("d61_90", gettext_lazy("61-90 days")),
    ("d90_plus", gettext_lazy("Over 90 days")),
)
GROUPINGS = {"distributor": gettext_lazy("Distributor"), "region": gettext_lazy("Region"),
             "channel_manager": gettext_lazy("Channel manager")}
OPEN = (Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID)


def bucket_of(days_past_due: int) -> str:
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "d1_30"
    if days_past_due <= 60:
        return "d31_60"
    if days_past_due <= 90:
        return "d61_90"
    return "d90_plus"


def _filtered(qs, filters: dict, prefix: str = "distributor__"):
    """Apply the report filters every report shares (distributor, channel manager, province)."""
    if filters.get("distributor"):
        qs = qs.filter(**{f"{prefix}pk" if prefix else "pk": filters["distributor"]})
    if filters.get("channel_manager"):
        qs = qs.filter(**{f"{prefix}channel_manager_id": filters["channel_manager"]})
    if filters.get("province"):
        qs = qs.filter(**{f"{prefix}region_code__startswith": filters["province"]})
    return qs


def _group_key(row: dict, group_by: str) -> tuple[str, str]:
    if group_by == "region":
        code = (row["distributor__region_code"] or "")[:2]
        return code, (regions.display_name(code) if code else _("No region"))
    if group_by == "channel_manager":
        cm = row["distributor__channel_manager__username"]
        name = " ".join(filter(None, [row["distributor__channel_manager__last_name"],
                                      row["distributor__channel_manager__first_name"]])) or cm
        return cm or "", name or _("No channel manager")
    return str(row["distributor_id"]), f'{row["distributor__code"]} {row["distributor__name"]}'


def aging(*, as_of: dt.date, group_by: str = "distributor", filters: dict | None = None) -> dict:
    """{"rows": [{"key","label", buckets…, "total"}], "totals": {…}} sorted by total, largest first."""
    qs = _filtered(Invoice.objects.filter(status__in=OPEN, issue_date__lte=as_of), filters or {})
    rows: dict[str, dict] = {}
    totals = {code: ZERO for code, _label in BUCKETS} | {"total": ZERO}
    for inv in qs.order_by().values(
            "distributor_id", "distributor__code", "distributor__name", "distributor__region_code",
            "distributor__channel_manager__username", "distributor__channel_manager__first_name",
            "distributor__channel_manager__last_name", "due_date", "total_amount", "paid_amount"):
        amount = inv["total_amount"] - inv["paid_amount"]
        if amount <= 0:
            continue
        key, label = _group_key(inv, group_by)
        row = rows.setdefault(key, {"key": key, "label": label, "total": ZERO}
                              | {code: ZERO for code, _label in BUCKETS})
        bucket = bucket_of((as_of - inv["due_date"]).days)
        for target in (row, totals):
            target[bucket] += amount
            target["total"] += amount
    ordered = sorted(rows.values(), key=lambda r: (-r["total"], r["label"]))
    return {"rows": ordered, "totals": totals, "buckets": BUCKETS}


def _by_period(qs, date_field: str, amount_field: str, unit: str, since: dt.date, until: dt.date) -> list[dict]:
    trunc = TruncWeek if unit == "week" else TruncMonth
    rows = (qs.filter(**{f"{date_field}__gte": since, f"{date_field}__lte": until})
            .annotate(period=trunc(date_field)).order_by("period").values("period")
            .annotate(amount=Sum(amount_field), count=Count("pk")))
    return [{"period": r["period"], "amount": to_money(r["amount"] or 0), "count": r["count"]} for r in rows]


def collections(*, since: dt.date, until: dt.date, unit: str = "month", filters: dict | None = None) -> list[dict]:
    qs = _filtered(Payment.objects.filter(reversed_at__isnull=True), filters or {})
    return _by_period(qs, "received_on", "amount", unit, since, until)


def revenue(*, since: dt.date, until: dt.date, unit: str = "month", filters: dict | None = None) -> list[dict]:
    qs = _filtered(Invoice.objects.exclude(status=Invoice.Status.CANCELLED), filters or {})
    return _by_period(qs, "issue_date", "net_amount", unit, since, until)


def dso(*, today: dt.date, filters: dict | None = None) -> dict:
    filters = filters or {}
    receivable = to_money(_filtered(DistributorAccount.objects.all(), filters)
                          .aggregate(s=Sum("receivable"))["s"] or 0)
    invoiced = to_money(_filtered(Invoice.objects.exclude(status=Invoice.Status.CANCELLED), filters)
                        .filter(issue_date__gt=today - dt.timedelta(days=90), issue_date__lte=today)
                        .aggregate(s=Sum("total_amount"))["s"] or 0)
    days = (receivable / invoiced * 90).quantize(Decimal("0.1")) if invoiced else None
    return {"receivable": receivable, "invoiced_90": invoiced, "days": days}


def exposure(*, filters: dict | None = None, only_used: bool = False):
    """Accounts with their exposure, highest utilisation first (limit 0 with use: top)."""
    qs = _filtered(DistributorAccount.objects.select_related("distributor", "distributor__channel_manager"),
                   filters or {})
    if only_used:
        qs = qs.filter(receivable__gt=0) | qs.filter(open_orders__gt=0) | qs.filter(on_hold=True)
    rows = []
    for account in qs.annotate(used=F("receivable") + F("open_orders")):
        used = to_money(account.used)
        utilisation = (used / account.credit_limit * 100).quantize(Decimal("0.1")) if account.credit_limit else None
        rows.append({"account": account, "distributor": account.distributor, "used": used,
                     "available": account.available_credit, "utilisation": utilisation,
                     "over": used > account.credit_limit})
    rows.sort(key=lambda r: (-_rank(r), r["distributor"].code))
    return rows


def _rank(row) -> Decimal:
    """Utilisation; without a limit, any use ranks first and none last."""
    if row["utilisation"] is not None:
        return row["utilisation"]
    return Decimal(10**9) if row["used"] else Decimal(-1)


def months_back(today: dt.date, n: int) -> dt.date:
    """The first day of the month ``n - 1`` months before ``today``'s (n months in all)."""
    year, month = today.year, today.month - (n - 1)
    while month <= 0:
        month += 12
        year -= 1
    return dt.date(year, month, 1)


def series(rows: list[dict], labels: list[str], fmt: str) -> list[Decimal]:
    """Amounts of ``rows`` in the order of ``labels`` (periods formatted with ``fmt``)."""
    by = defaultdict(lambda: ZERO)
    for r in rows:
        by[r["period"].strftime(fmt)] += r["amount"]
    return [by[label] for label in labels]
