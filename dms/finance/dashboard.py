"""Finance panels on the dashboards: AR aging, collections trend and top credit exposure
for brand staff who read finance (scoped: a channel manager's holds his distributors);
balances and statements to confirm for the distributor."""

import json

from django.utils import timezone

from . import reports
from .models import DistributorAccount, Statement


def backoffice_panel(request):
    """Return (template_name, context) for the back-office dashboard, or None. The panel's
    figures load with their own request (``panel_context``), so the dashboard stays cheap."""
    if not request.user.has_perm("finance.view_distributoraccount"):
        return None
    return "finance/reports/_panel_lazy.html", {}


def panel_context() -> dict:
    """The figures of the back-office finance panel, in the request's scope."""
    from .views_reports import cash_data

    today = timezone.localdate()
    aging = reports.aging(as_of=today)
    buckets = aging["buckets"]
    aging_chart = {"type": "bar", "data": {"labels": [str(label) for _code, label in buckets], "datasets": [
        {"label": str(aging["totals"]["total"]), "data": [str(aging["totals"][code]) for code, _label in buckets],
         "backgroundColor": ["#16a34a", "#facc15", "#fb923c", "#ef4444", "#7f1d1d"]}]},
        "options": {"plugins": {"legend": {"display": False}}}}
    cash = cash_data(today=today, since=reports.months_back(today, 6), until=today, unit="month", filters={})
    # Chart configs as text in hidden elements: HTMX leaves out <script> tags it swaps in.
    return {
        "aging": aging, "aging_chart": json.dumps(aging_chart), "cash_chart": json.dumps(cash["chart"]),
        "dso": cash["dso"],
        "exposure": reports.exposure(only_used=True)[:5],
        "disputed": Statement.objects.filter(status=Statement.Status.DISPUTED).count(),
    }


def portal_panel(request, distributor):
    """Return (template_name, context) for the portal home page, or None."""
    account = DistributorAccount.objects.filter(distributor=distributor).first()
    if account is None:
        return None
    to_confirm = list(Statement.objects.filter(distributor=distributor, status__in=[
        Statement.Status.ISSUED, Statement.Status.RESOLVED]).order_by("-period_end")[:3])
    return "finance/statements/_portal_panel.html", {"account": account, "to_confirm": to_confirm}
