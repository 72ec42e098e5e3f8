"""Filters of the shipment and discrepancy lists (pages and Excel exports share them)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dms.inventory.models import Warehouse

from .models import Carrier, Discrepancy, Shipment


class ShipmentFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=Shipment.Status.choices, label=_("Status"))
    warehouse = django_filters.ModelChoiceFilter(queryset=Warehouse.objects.all(), label=_("Warehouse"))
    carrier = django_filters.ModelChoiceFilter(queryset=Carrier.objects.all(), label=_("Carrier"))
    date_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("To"))
    order = django_filters.NumberFilter(field_name="order_id", label=_("Order number"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=_("Distributor"))

    class Meta:
        model = Shipment
        fields = ["search", "status", "warehouse", "carrier", "date_from", "date_to", "order", "distributor"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(number__icontains=v) | Q(order__number__icontains=v) | Q(tracking_number__icontains=v)
                         | Q(distributor__name__icontains=v) | Q(distributor__code__icontains=v))


SHIPMENT_ORDERING = {
    "number": "number", "order": "order__number", "distributor": "distributor__name", "warehouse": "warehouse__code",
    "status": "status", "created": "created_at", "dispatched": "dispatched_at", "delivered": "delivered_at",
    "carrier": "carrier__code",
}


class DiscrepancyFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=Discrepancy.Status.choices, label=_("Status"))

    class Meta:
        model = Discrepancy
        fields = ["search", "status"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(shipment__number__icontains=v) | Q(shipment__order__number__icontains=v)
                         | Q(distributor__name__icontains=v) | Q(description__icontains=v))


DISCREPANCY_ORDERING = {"reported": "reported_at", "shipment": "shipment__number", "distributor": "distributor__name",
                        "status": "status", "resolved": "resolved_at"}
