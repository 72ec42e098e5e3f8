"""Filters of the back-office order and return lists (and their Excel exports)."""

import datetime as dt
import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dms.distributors.models import Distributor
from dms.inventory.models import Warehouse

from .models import ApprovalStep, Order, ReturnRequest

DATE = forms.DateInput(attrs={"type": "date"})


def _day_start(value: dt.date):
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


# SO + yyyymmdd + a 6-digit counter (dms.orders.numbers).
FULL_NUMBER = re.compile(r"SO\d{14}")


def search_orders(qs, value: str):
    """Orders whose number, distributor name or code contains ``value`` (the back-office
    list and the API)."""
    v = value.strip()
    if not v:
        return qs
    if FULL_NUMBER.fullmatch(v.upper()):  # a pasted order number: the unique index, not a scan
        return qs.filter(number=v.upper())
    return qs.filter(Q(number__icontains=v) | Q(distributor__name__icontains=v) | Q(distributor__code__icontains=v))


class _DateRangeMixin:
    def filter_from(self, qs, name, value):
        return qs.filter(**{f"{self.date_field}__gte": _day_start(value)}) if value else qs

    def filter_to(self, qs, name, value):
        return qs.filter(**{f"{self.date_field}__lt": _day_start(value + dt.timedelta(days=1))}) if value else qs


def _distributors(request):
    # the request's scope limits the choice to the user's distributors
    return Distributor.objects.order_by("code")


class OrderFilter(_DateRangeMixin, django_filters.FilterSet):
    date_field = "created_at"

    search = django_filters.CharFilter(method="filter_search", label=_("Search"),
                                       widget=forms.TextInput(attrs={"type": "search", "placeholder": _(
                                           "Order number, distributor name or code")}))
    status = django_filters.ChoiceFilter(choices=Order.Status.choices, label=_("Status"), empty_label=_("All"))
    distributor = django_filters.ModelChoiceFilter(queryset=_distributors, label=_("Distributor"),
                                                   empty_label=_("All"))
    warehouse = django_filters.ModelChoiceFilter(queryset=Warehouse.objects.order_by("code"), label=_("Warehouse"),
                                                 empty_label=_("All"))
    step = django_filters.ModelChoiceFilter(field_name="current_step", queryset=ApprovalStep.objects.all(),
                                            label=_("Waiting for"), empty_label=_("All"))
    date_from = django_filters.DateFilter(method="filter_from", label=_("Created from"), widget=DATE)
    date_to = django_filters.DateFilter(method="filter_to", label=_("Created to"), widget=DATE)
    amount_min = django_filters.NumberFilter(field_name="total_amount", lookup_expr="gte", label=_("Total from"),
                                             widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}))
    amount_max = django_filters.NumberFilter(field_name="total_amount", lookup_expr="lte", label=_("Total to"),
                                             widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}))

    class Meta:
        model = Order
        fields = ["search", "status", "distributor", "warehouse", "step", "date_from", "date_to", "amount_min",
                  "amount_max"]

    def filter_search(self, qs, name, value):
        return search_orders(qs, value)


ORDER_ORDERING = {
    "number": "number", "distributor": "distributor__name", "status": "status", "total": "total_amount",
    "created": "created_at", "submitted": "submitted_at", "warehouse": "warehouse__code",
}


class ReturnFilter(_DateRangeMixin, django_filters.FilterSet):
    date_field = "created_at"

    search = django_filters.CharFilter(method="filter_search", label=_("Search"),
                                       widget=forms.TextInput(attrs={"type": "search", "placeholder": _(
                                           "Return or order number, distributor")}))
    status = django_filters.ChoiceFilter(choices=ReturnRequest.Status.choices, label=_("Status"),
                                         empty_label=_("All"))
    reason = django_filters.ChoiceFilter(choices=ReturnRequest.Reason.choices, label=_("Reason"),
                                         empty_label=_("All"))
    distributor = django_filters.ModelChoiceFilter(queryset=_distributors, label=_("Distributor"),
                                                   empty_label=_("All"))
    date_from = django_filters.DateFilter(method="filter_from", label=_("Requested from"), widget=DATE)
    date_to = django_filters.DateFilter(method="filter_to", label=_("Requested to"), widget=DATE)

    class Meta:
        model = ReturnRequest
        fields = ["search", "status", "reason", "distributor", "date_from", "date_to"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(number__icontains=v) | Q(order__number__icontains=v) | Q(distributor__name__icontains=v)
                         | Q(distributor__code__icontains=v))


RETURN_ORDERING = {
    "number": "number", "order": "order__number", "distributor": "distributor__name", "status": "status",
    "reason": "reason", "created": "created_at",
}
