"""The SLA compliance report: per priority, type or assignee over a period, the share of
first responses and resolutions within their targets and the average working hours."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from dms.accounts.models import User
from dms.core.excel import xlsx_response

from . import selectors
from .filters import TicketFilter
from .models import Priority, TicketType

GROUP_LABELS = {"priority": Priority, "type": TicketType}


def _period(request):
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("date_from", (today - dt.timedelta(days=90)).isoformat())
    data.setdefault("date_to", today.isoformat())
    return data


def report_context(request) -> dict:
    data = _period(request)
    group = data.get("group") if data.get("group") in selectors.REPORT_GROUPS else "priority"
    filterset = TicketFilter(data, queryset=selectors.tickets())
    qs = filterset.qs if filterset.is_valid() else selectors.tickets().none()
    rows = selectors.sla_report(qs, group)
    names = {}
    if group == "assignee":
        ids = [r["key"] for r in rows if r["key"]]
        names = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=ids)}
    for row in rows:
        if group in GROUP_LABELS:
            row["label"] = GROUP_LABELS[group](row["key"]).label
        else:
            row["label"] = names.get(row["key"], _("Unassigned"))
    labels = [str(r["label"]) for r in rows]
    chart = {
        "type": "bar",
        "data": {"labels": labels, "datasets": [
            {"label": str(_("First response in time (%)")), "data": [r["first_pct"] for r in rows]},
            {"label": str(_("Resolved in time (%)")), "data": [r["resolved_pct"] for r in rows]},
        ]},
        "options": {"scales": {"y": {"min": 0, "max": 100}}},
    }
    return {"nav": "service_sla", "rows": rows, "group": group, "q": data, "filterset": filterset, "chart": chart,
            "groups": [("priority", _("Priority")), ("type", _("Type")), ("assignee", _("Assignee"))],
            "types": TicketType.choices, "priorities": Priority.choices,
            "total": sum(r["total"] for r in rows)}


def report_export(context):
    headers = [_("Group"), _("Tickets"), _("Answered"), _("First response in time"), _("First response in time (%)"),
               _("Resolved"), _("Resolved in time"), _("Resolved in time (%)"),
               _("Average first response (working hours)"), _("Average resolution (working hours)")]
    rows = ([str(r["label"]), r["total"], r["answered"], r["answered_in_time"], r["first_pct"], r["resolved"],
             r["resolved_in_time"], r["resolved_pct"], r["avg_first_hours"], r["avg_resolution_hours"]]
            for r in context["rows"])
    return xlsx_response("sla-report", headers, rows, sheet_title=_("SLA compliance"))
