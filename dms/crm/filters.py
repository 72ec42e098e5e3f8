"""Filters of the customer lists (portal, back office, Excel exports and the API share them)."""

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Customer, CustomerContact, CustomerNeed, normalise_phone
from .selectors import ACTIVITY_CHOICES, activity_q

FOLLOW_UP_CHOICES = [("due", _("Due (today or earlier)")), ("week", _("Due within 7 days")),
                     ("none", _("None planned"))]


class CustomerFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    type = django_filters.ChoiceFilter(choices=Customer.Type.choices, label=_("Type"))
    status = django_filters.ChoiceFilter(choices=Customer.Status.choices, label=_("Status"))
    activity = django_filters.ChoiceFilter(choices=ACTIVITY_CHOICES, method="filter_activity", label=_("Activity"))
    province = django_filters.CharFilter(method="filter_province", label=_("Province"))
    tag = django_filters.CharFilter(field_name="tags__name", label=_("Tag"), distinct=True)
    follow_up = django_filters.ChoiceFilter(choices=FOLLOW_UP_CHOICES, method="filter_follow_up",
                                            label=_("Next follow-up"))
    need = django_filters.ChoiceFilter(choices=CustomerNeed.Category.choices, method="filter_need",
                                       label=_("Open need"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=_("Distributor"))

    class Meta:
        model = Customer
        fields = ["search", "type", "status", "activity", "province", "tag", "follow_up", "need", "distributor"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        contacts = Q(name__icontains=v)
        digits = normalise_phone(v)
        if len(digits) >= 4:
            contacts |= Q(phone_key__contains=digits)
        match = CustomerContact.objects.filter(contacts, customer=OuterRef("pk"))
        return qs.filter(Q(name__icontains=v) | Q(address__icontains=v) | Q(Exists(match)))

    def filter_activity(self, qs, name, value):
        return qs.filter(activity_q(value, timezone.localdate())) if value else qs

    def filter_province(self, qs, name, value):
        if value == "none":
            return qs.filter(region_code="")
        return qs.filter(region_code__startswith=value) if value.isdigit() else qs

    def filter_follow_up(self, qs, name, value):
        today = timezone.localdate()
        if value == "due":
            return qs.filter(next_follow_up_date__lte=today)
        if value == "week":
            return qs.filter(next_follow_up_date__lte=today + dt.timedelta(days=7))
        if value == "none":
            return qs.filter(next_follow_up_date__isnull=True)
        return qs

    def filter_need(self, qs, name, value):
        needs = CustomerNeed.objects.filter(customer=OuterRef("pk"), category=value, status=CustomerNeed.Status.OPEN)
        return qs.filter(Exists(needs)) if value else qs


CUSTOMER_ORDERING = {
    "name": "name", "type": "type", "status": "status", "region": "region_code", "distributor": "distributor__name",
    "last_contact": "last_contact_date", "next_follow_up": "next_follow_up_date", "created": "created_at",
}


def filtered_customers(params, queryset):
    """(filterset, queryset) — an invalid filter shows its error and the unfiltered list."""
    filterset = CustomerFilter(params or None, queryset=queryset)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    return filterset, qs
