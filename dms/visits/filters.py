"""Filters of the visit and action lists (pages and Excel exports share them)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Visit, VisitAction


class VisitFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=[*Visit.Status.choices, ("overdue", _("Overdue"))],
                                         method="filter_status", label=_("Status"))
    type = django_filters.ChoiceFilter(choices=Visit.Type.choices, label=_("Type"))
    manager = django_filters.NumberFilter(field_name="manager_id", label=_("Visited by"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=_("Distributor"))
    date_from = django_filters.DateFilter(method="filter_from", label=_("From"))
    date_to = django_filters.DateFilter(method="filter_to", label=_("To"))

    class Meta:
        model = Visit
        fields = ["search", "status", "type", "manager", "distributor", "date_from", "date_to"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(distributor__name__icontains=v) | Q(distributor__code__icontains=v)
                         | Q(topics__icontains=v) | Q(problems__icontains=v) | Q(participants__icontains=v))

    def filter_status(self, qs, name, value):
        if value == "overdue":
            return qs.filter(status=Visit.Status.PLANNED, planned_date__lt=timezone.localdate())
        return qs.filter(status=value)

    # A visit's day is when it took place, or when it is planned for.
    def filter_from(self, qs, name, value):
        return qs.filter(Q(visit_date__gte=value) | Q(visit_date__isnull=True, planned_date__gte=value))

    def filter_to(self, qs, name, value):
        return qs.filter(Q(visit_date__lte=value) | Q(visit_date__isnull=True, planned_date__lte=value))


VISIT_ORDERING = {"date": "planned_date", "visited": "visit_date", "distributor": "distributor__name",
                  "status": "status", "type": "type", "manager": "manager__username"}


class ActionFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=VisitAction.Status.choices, label=_("Status"))
    owner = django_filters.ChoiceFilter(choices=[("mine", _("Mine")), *VisitAction.Owner.choices],
                                        method="filter_owner", label=_("Owner"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue only"))

    class Meta:
        model = VisitAction
        fields = ["search", "status", "owner", "overdue"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(description__icontains=v) | Q(visit__distributor__name__icontains=v)
                         | Q(visit__distributor__code__icontains=v))

    def filter_owner(self, qs, name, value):
        if value == "mine":
            return qs.filter(owner_type=VisitAction.Owner.STAFF, owner_user=self.request.user)
        return qs.filter(owner_type=value)

    def filter_overdue(self, qs, name, value):
        if value:
            return qs.filter(status=VisitAction.Status.OPEN, due_date__lt=timezone.localdate())
        return qs


ACTION_ORDERING = {"due": "due_date", "distributor": "visit__distributor__name", "status": "status",
                   "created": "created_at"}
