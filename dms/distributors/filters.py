"""One filter definition for the distributor list page, its Excel export and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Contract, Distributor, Qualification, Review


class DistributorFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=Distributor.Status.choices, label=_("Status"))
    tier = django_filters.NumberFilter(field_name="tier__level", label=_("Tier"))
    province = django_filters.CharFilter(method="filter_region", label=_("Province"))
    region = django_filters.CharFilter(method="filter_region", label=_("Region"))
    channel_manager = django_filters.NumberFilter(field_name="channel_manager_id", label=_("Channel manager"))
    tag = django_filters.CharFilter(field_name="tags__name", label=_("Tag"))
    parent = django_filters.NumberFilter(field_name="parent_id", label=_("Parent distributor"))
    flagged = django_filters.BooleanFilter(field_name="qualification_flag", label=_("Qualification expired"))

    class Meta:
        model = Distributor
        fields = ["search", "status", "tier", "province", "region", "channel_manager", "tag", "parent", "flagged"]

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(legal_name__icontains=value)
            | Q(credit_code__icontains=value) | Q(contacts__name__icontains=value)
            | Q(contacts__phone__icontains=value)
        ).distinct()

    def filter_region(self, qs, name, value):
        return qs.filter(region_code__startswith=value.strip()) if value.strip() else qs


DISTRIBUTOR_ORDERING = {
    "code": "code", "name": "name", "status": "status", "tier": "tier__level", "region": "region_code",
    "created": "created_at", "manager": "channel_manager__username",
}


def order_by_param(qs, value: str, allowed: dict, default: str):
    desc = value.startswith("-")
    field = allowed.get(value.lstrip("-"))
    if not field:
        return qs.order_by(default)
    return qs.order_by(f"-{field}" if desc else field, "pk")


class QualificationFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    type = django_filters.ChoiceFilter(choices=Qualification.Type.choices, label=_("Type"))
    verification_status = django_filters.ChoiceFilter(choices=Qualification.Verification.choices,
                                                       label=_("Verification"))
    expires_before = django_filters.DateFilter(field_name="valid_to", lookup_expr="lte", label=_("Expires by"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=_("Distributor"))

    class Meta:
        model = Qualification
        fields = ["search", "type", "verification_status", "expires_before", "distributor"]

    def filter_search(self, qs, name, value):
        if not value.strip():
            return qs
        v = value.strip()
        return qs.filter(Q(number__icontains=v) | Q(distributor__name__icontains=v) | Q(distributor__code__icontains=v))


class ContractFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=Contract.Status.choices, label=_("Status"))
    type = django_filters.ChoiceFilter(choices=Contract.Type.choices, label=_("Type"))
    ends_before = django_filters.DateFilter(field_name="end_date", lookup_expr="lte", label=_("Ends by"))
    ends_after = django_filters.DateFilter(field_name="end_date", lookup_expr="gte", label=_("Ends from"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=_("Distributor"))

    class Meta:
        model = Contract
        fields = ["search", "status", "type", "ends_before", "ends_after", "distributor"]

    def filter_search(self, qs, name, value):
        if not value.strip():
            return qs
        v = value.strip()
        return qs.filter(Q(number__icontains=v) | Q(distributor__name__icontains=v) | Q(distributor__code__icontains=v))


class ReviewFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=Review.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=Review.Kind.choices, label=_("Kind"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=_("Distributor"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Review
        fields = ["search", "status", "kind", "distributor", "overdue"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        return qs.filter(Q(distributor__name__icontains=v) | Q(distributor__code__icontains=v)) if v else qs

    def filter_overdue(self, qs, name, value):
        from django.utils import timezone

        if value:
            return qs.filter(status=Review.Status.PENDING, due_date__lt=timezone.localdate())
        return qs
