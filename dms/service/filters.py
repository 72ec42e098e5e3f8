"""Filters of the ticket list, its Excel export, the API and the SLA report."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Priority, Ticket, TicketType
from .selectors import at_risk_q, breached_q


class TicketFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=Ticket.Status.choices, label=_("Status"))
    type = django_filters.ChoiceFilter(choices=TicketType.choices, label=_("Type"))
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Priority"))
    assignee = django_filters.NumberFilter(field_name="assignee_id", label=_("Assignee"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=_("Distributor"))
    sla = django_filters.ChoiceFilter(choices=[("breached", _("Breached")), ("at_risk", _("At risk"))],
                                      method="filter_sla", label=_("SLA"))
    active = django_filters.BooleanFilter(method="filter_active", label=_("Not resolved yet"))
    date_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = Ticket
        fields = ["search", "status", "type", "priority", "assignee", "distributor", "sla", "active", "date_from",
                  "date_to"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(number__icontains=v) | Q(subject__icontains=v) | Q(batch_number__icontains=v)
                         | Q(distributor__name__icontains=v) | Q(distributor__code__icontains=v)
                         | Q(order__number__icontains=v))

    def filter_sla(self, qs, name, value):
        now = timezone.now()
        return qs.filter(breached_q(now) if value == "breached" else at_risk_q(now))

    def filter_active(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(status__in=Ticket.ACTIVE) if value else qs.exclude(status__in=Ticket.ACTIVE)


TICKET_ORDERING = {
    "number": "number", "created": "created_at", "updated": "updated_at", "distributor": "distributor__name",
    "priority": "priority", "status": "status", "type": "type", "assignee": "assignee__username",
    "due": "resolution_due_at",
}
