"""Panels this app adds to the back-office and portal dashboards."""

from django.urls import reverse

from .models import Visit, VisitAction
from .schedule import schedule
from .selectors import own_only


def backoffice_panel(request):
    """Visits due and overdue, and the actions waiting, for the user's distributors."""
    user = request.user
    if not user.has_perm("visits.view_visit"):
        return None
    rows = schedule()  # in the request's scope: a channel manager's own distributors
    actions = VisitAction.objects.filter(status=VisitAction.Status.OPEN)
    if own_only(user):
        actions = actions.filter(owner_type=VisitAction.Owner.STAFF, owner_user=user)
    due_url = reverse("visits:due")
    return "visits/_dashboard_panel.html", {
        "overdue": sum(1 for r in rows if r.state == "overdue"),
        "soon": sum(1 for r in rows if r.state == "soon"),
        "next": [r for r in rows if r.state != "later"][:5],
        "actions": actions.count(),
        "due_url": due_url, "overdue_url": f"{due_url}?state=overdue",
        "actions_url": reverse("visits:actions") + ("?owner=mine" if own_only(user) else ""),
        "calendar_url": reverse("visits:calendar"),
    }


def portal_panel(request, distributor):
    if not request.user.has_perm("visits.view_visit"):
        return None
    last = (Visit.objects.filter(distributor=distributor, status=Visit.Status.COMPLETED)
            .order_by("-visit_date").first())
    open_actions = VisitAction.objects.filter(visit__distributor=distributor, visit__status=Visit.Status.COMPLETED,
                                              owner_type=VisitAction.Owner.DISTRIBUTOR,
                                              status=VisitAction.Status.OPEN)
    if last is None and not open_actions.exists():
        return None
    return "visits/_portal_panel.html", {"last": last, "open_actions": open_actions.count(),
                                         "url": reverse("visits_portal:list")}
