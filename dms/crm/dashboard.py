"""Panels this app adds to the back-office and portal dashboards."""

from django.utils import timezone

from . import selectors
from .models import Customer

PANEL_ROWS = 6


def backoffice_panel(request):
    """Customer counts (activity, open needs) for staff who may see the aggregate."""
    if not request.user.has_perm("crm.view_customer"):
        return None
    summary = selectors.aggregate(Customer.objects.all(), timezone.localdate())
    return "crm/_backoffice_panel.html", {"total": summary["total"], "activity": summary["activity"],
                                          "open_needs": summary["open_needs"]}


def portal_panel(request, distributor):
    """The distributor's customer follow-ups due within a week, overdue first."""
    today = timezone.localdate()
    due = list(selectors.due_follow_ups_for(distributor.pk, today)[:PANEL_ROWS + 1])
    total = len(due) if len(due) <= PANEL_ROWS else selectors.due_follow_ups_for(distributor.pk, today).count()
    return "crm/_portal_panel.html", {"due": due[:PANEL_ROWS], "more": max(0, total - PANEL_ROWS), "today": today}
