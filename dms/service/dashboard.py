"""Panels this app adds to the back-office and portal dashboards."""

from django.db.models import Count, Q
from django.urls import reverse

from . import selectors
from .models import Ticket


def backoffice_panel(request):
    """Open, at-risk and breached tickets in the user's scope, and his own queue."""
    if not request.user.has_perm("service.view_ticket"):
        return None
    counts = selectors.counts(Ticket.objects.all())
    counts["mine"] = Ticket.objects.filter(assignee=request.user, status__in=Ticket.ACTIVE).count()
    counts.update(list_url=reverse("service:list"), mine_url=reverse("service:mine"))
    return "service/_dashboard_panel.html", counts


def portal_panel(request, distributor):
    """Tickets waiting on the distributor's answer, and its tickets still open."""
    counts = Ticket.objects.filter(distributor=distributor).aggregate(
        waiting=Count("pk", filter=Q(status=Ticket.Status.WAITING)),
        open=Count("pk", filter=Q(status__in=Ticket.ACTIVE)),
        to_rate=Count("pk", filter=Q(status__in=Ticket.DONE, rated_at__isnull=True)),
    )
    return "service/portal/_dashboard_panel.html", counts
