"""Panels this app adds to the back-office and portal dashboards."""

from . import selectors


def backoffice_panel(request):
    """Completion of the mandatory courses across the distributors the user sees."""
    if not request.user.has_perm("training.view_training_report"):
        return None
    report = selectors.completion_report(mandatory_only=True)
    if not report["by_course"]:
        return None
    return "training/_dashboard_panel.html", {"rows": report["by_course"][:5], "total": report["total"]}


def portal_panel(request, distributor):
    """The distributor's mandatory courses still to complete, soonest deadline first."""
    due = [r for r in selectors.mandates_for(distributor) if not r["done"]]
    if not due:
        return None
    return "training/portal/_dashboard_panel.html", {"due": due[:5]}
