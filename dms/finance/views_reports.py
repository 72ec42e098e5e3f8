"""Back-office finance reports: AR aging, collections and revenue (with DSO), credit
exposure and a distributor's credit score. Each has filters, an Excel export and a chart;
all read through the scoped managers (a channel manager sees only his distributors)."""

import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from dms.accounts.models import User
from dms.accounts.roles import Role
from dms.core.excel import xlsx_response
from dms.core.permissions import staff_view
from dms.distributors.models import Distributor

from . import reports, scoring
from . import selectors_statements as selectors
from .forms_statements import provinces, report_filters

VIEW = "finance.view_distributoraccount"
COLORS = ["#16a34a", "#facc15", "#fb923c", "#ef4444", "#7f1d1d"]


def _filter_context(request) -> dict:
    return {
        "q": request.GET, "provinces": provinces(),
        "distributors": Distributor.objects.exclude(status=Distributor.Status.TERMINATED).order_by("code"),
        "channel_managers": User.objects.filter(groups__name=Role.CHANNEL_MANAGER, distributor__isnull=True,
                                                is_active=True).order_by("username"),
    }


def _day(value, default: dt.date) -> dt.date:
    try:
        return parse_date(value or "") or default
    except ValueError:
        return default


def aging_chart(data: dict) -> dict:
    """A stacked bar per group (top 10), one dataset per bucket."""
    rows = data["rows"][:10]
    return {"type": "bar", "data": {
        "labels": [r["label"] for r in rows],
        "datasets": [{"label": str(label), "data": [str(r[code]) for r in rows], "backgroundColor": COLORS[i]}
                     for i, (code, label) in enumerate(data["buckets"])]},
        "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True}}}}


@staff_view(VIEW)
def aging(request):
    today = timezone.localdate()
    as_of = _day(request.GET.get("as_of"), today)
    group_by = request.GET.get("group_by") if request.GET.get("group_by") in reports.GROUPINGS else "distributor"
    data = reports.aging(as_of=as_of, group_by=group_by, filters=report_filters(request.GET))
    if request.GET.get("export") == "xlsx":
        headers = [reports.GROUPINGS[group_by], *[label for _code, label in data["buckets"]], _("Total")]
        rows = [[r["label"], *[r[code] for code, _label in data["buckets"]], r["total"]] for r in data["rows"]]
        rows.append([_("Total"), *[data["totals"][code] for code, _label in data["buckets"]], data["totals"]["total"]])
        return xlsx_response(f"ar-aging-{as_of:%Y%m%d}", headers, rows, sheet_title=_("AR aging"))
    return render(request, "finance/reports/aging.html", {
        "nav": "aging", "data": data, "as_of": as_of, "group_by": group_by, "groupings": reports.GROUPINGS.items(),
        "chart": aging_chart(data), **_filter_context(request)})


def _period_labels(since: dt.date, until: dt.date, unit: str) -> tuple[list[str], str]:
    if unit == "week":
        start = since - dt.timedelta(days=since.weekday())
        labels = []
        while start <= until:
            labels.append(start.strftime("%Y-%m-%d"))
            start += dt.timedelta(days=7)
        return labels, "%Y-%m-%d"
    labels, day = [], since.replace(day=1)
    while day <= until:
        labels.append(day.strftime("%Y-%m"))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return labels, "%Y-%m"


def cash_data(*, today: dt.date, since: dt.date, until: dt.date, unit: str, filters: dict) -> dict:
    labels, fmt = _period_labels(since, until, unit)
    collected = reports.series(reports.collections(since=since, until=until, unit=unit, filters=filters), labels, fmt)
    invoiced = reports.series(reports.revenue(since=since, until=until, unit=unit, filters=filters), labels, fmt)
    chart = {"type": "bar", "data": {"labels": labels, "datasets": [
        {"label": str(_("Collections")), "data": [str(v) for v in collected], "backgroundColor": "#2563eb"},
        {"label": str(_("Revenue (before tax)")), "data": [str(v) for v in invoiced], "backgroundColor": "#94a3b8"}]}}
    return {"rows": list(zip(labels, collected, invoiced, strict=True)), "chart": chart,
            "dso": reports.dso(today=today, filters=filters)}


@staff_view(VIEW)
def collections(request):
    today = timezone.localdate()
    unit = "week" if request.GET.get("unit") == "week" else "month"
    since = _day(request.GET.get("since"), reports.months_back(today, 12) if unit == "month"
                 else today - dt.timedelta(weeks=12))
    until = _day(request.GET.get("until"), today)
    if until < since:
        since, until = until, since
    since = max(since, until - dt.timedelta(days=3 * 366))  # bounded charts and queries
    data = cash_data(today=today, since=since, until=until, unit=unit, filters=report_filters(request.GET))
    if request.GET.get("export") == "xlsx":
        return xlsx_response("collections-revenue", [_("Period"), _("Collections"), _("Revenue (before tax)")],
                             [list(row) for row in data["rows"]],
                             sheet_title=_("Collections and revenue"))
    return render(request, "finance/reports/collections.html", {
        "nav": "collections", "data": data, "unit": unit, "since": since, "until": until,
        **_filter_context(request)})


@staff_view(VIEW)
def exposure(request):
    rows = reports.exposure(filters=report_filters(request.GET), only_used=request.GET.get("used") == "1")
    if request.GET.get("on_hold") == "1":
        rows = [r for r in rows if r["account"].on_hold]
    if request.GET.get("export") == "xlsx":
        headers = [_("Distributor code"), _("Distributor"), _("Channel manager"), _("Credit limit"), _("Receivable"),
                   _("Approved, not invoiced"), _("Available"), _("Utilisation %"), _("On hold"), _("Hold reason"),
                   _("Prepayment only"), _("Credit score")]
        data = [[r["distributor"].code, r["distributor"].name, r["distributor"].channel_manager or "",
                 r["account"].credit_limit, r["account"].receivable, r["account"].open_orders, r["available"],
                 r["utilisation"], _("Yes") if r["account"].on_hold else "", r["account"].hold_reason,
                 _("Yes") if r["account"].prepayment_only else "", r["account"].score] for r in rows]
        return xlsx_response("credit-exposure", headers, data, sheet_title=_("Credit exposure"))
    top = rows[:15]
    chart = {"type": "bar", "data": {"labels": [r["distributor"].name for r in top], "datasets": [
        {"label": str(_("Receivable")), "data": [str(r["account"].receivable) for r in top],
         "backgroundColor": "#2563eb"},
        {"label": str(_("Approved, not invoiced")), "data": [str(r["account"].open_orders) for r in top],
         "backgroundColor": "#93c5fd"},
        {"label": str(_("Available")), "data": [str(max(r["available"], 0)) for r in top],
         "backgroundColor": "#d1d5db"}]},
        "options": {"indexAxis": "y", "scales": {"x": {"stacked": True}, "y": {"stacked": True}}}}
    return render(request, "finance/reports/exposure.html", {
        "nav": "exposure", "rows": rows, "chart": chart, **_filter_context(request)})


@staff_view(VIEW)
def score(request, pk):
    distributor = get_object_or_404(Distributor.objects.select_related("finance_account"), pk=pk)
    history = list(selectors.scores(distributor.pk)[:24])
    if not history and not hasattr(distributor, "finance_account"):
        raise Http404
    latest = history[0] if history else None
    chart = {"type": "line", "data": {
        "labels": [timezone.localtime(s.computed_at).strftime("%Y-%m-%d") for s in reversed(history)],
        "datasets": [{"label": str(_("Credit score")), "data": [s.score for s in reversed(history)],
                      "borderColor": "#2563eb"}]},
        "options": {"scales": {"y": {"min": 0, "max": 100}}}}
    return render(request, "finance/reports/score.html", {
        "nav": "exposure", "distributor": distributor, "account": distributor.finance_account, "latest": latest,
        "factors": scoring.factor_rows(latest.factors) if latest else [], "history": history, "chart": chart,
        "prepay_below": scoring.prepay_below(), "raise_above": scoring.raise_above()})


@staff_view(VIEW)
def dashboard_panel(request):
    """The back-office dashboard's finance cards (loaded by the dashboard with HTMX)."""
    from .dashboard import panel_context

    return render(request, "finance/reports/_panel.html", {"panel": panel_context()})
