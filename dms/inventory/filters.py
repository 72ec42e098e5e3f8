"""Filters for the inventory pages; each list page and its Excel export share one."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dms.catalog.models import Category
from dms.catalog.services import descendant_ids

from .models import ReplenishmentSuggestion, StockDocument, StockMove, Warehouse


def order_by_param(qs, value: str, allowed: dict, default):
    """Order by the ``sort`` parameter if it names an allowed column (``-`` for
    descending), else by ``default``; the primary key breaks ties."""
    desc = value.startswith("-")
    field = allowed.get(value.lstrip("-"))
    default = default if isinstance(default, list | tuple) else [default]
    if not field:
        return qs.order_by(*default, "pk")
    return qs.order_by(f"-{field}" if desc else field, "pk")


def product_q(value: str) -> Q:
    """A row whose product's SKU or name contains ``value`` or whose barcode is it."""
    return Q(product__sku__icontains=value) | Q(product__name__icontains=value) | Q(product__barcode=value)


def _date_range(qs, field: str, start, end):
    """Filter a datetime field by local calendar dates (both ends included)."""
    tz = timezone.get_current_timezone()
    if start:
        qs = qs.filter(**{f"{field}__gte": dt.datetime.combine(start, dt.time.min, tzinfo=tz)})
    if end:
        qs = qs.filter(**{f"{field}__lt": dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)})
    return qs


def _warehouses():
    return Warehouse.objects.order_by("-is_active", "code")


class _Base(django_filters.FilterSet):
    """A search box first; the product parameter (from links) stays hidden."""

    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    warehouse = django_filters.ModelChoiceFilter(queryset=_warehouses(), label=_("Warehouse"),
                                                 empty_label=_("All warehouses"))
    product = django_filters.NumberFilter(field_name="product_id", widget=forms.HiddenInput)

    search_placeholder = _("SKU, name or barcode")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["warehouse"].queryset = _warehouses()
        self.form.fields["search"].widget.attrs.update({"placeholder": self.search_placeholder, "type": "search"})
        self.form.fields["search"].widget.input_type = "search"

    def filter_search(self, qs, name, value):
        value = value.strip()
        return qs.filter(product_q(value)) if value else qs

    # for the subclasses that declare them
    date_field = "created_at"

    def filter_start(self, qs, name, value):
        return _date_range(qs, self.date_field, value, None)

    def filter_end(self, qs, name, value):
        return _date_range(qs, self.date_field, None, value)

    def filter_category(self, qs, name, value):
        return qs.filter(product__category_id__in=descendant_ids(value.pk)) if value else qs

    @property
    def active(self) -> bool:
        data = self.data or {}
        return any(data.get(k) for k in self.filters if k not in ("status",))


class StockFilter(_Base):
    LEVELS = [("in_stock", _("In stock")), ("low", _("Low (below the reorder point)")), ("out", _("Out of stock"))]
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), method="filter_category",
                                                label=_("Category"), empty_label=_("All categories"))
    level = django_filters.ChoiceFilter(choices=LEVELS, method="filter_level", label=_("Stock"),
                                        empty_label=_("Any"))
    rule = django_filters.ChoiceFilter(choices=[("yes", _("With a reorder rule")), ("no", _("Without a rule"))],
                                       method="filter_rule", label=_("Reorder rule"), empty_label=_("Any"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["category"].queryset = Category.objects.select_related("parent")

    def filter_level(self, qs, name, value):
        if value == "out":
            return qs.filter(avail__lte=0)
        if value == "low":
            return qs.filter(avail__gt=0, reorder_point__isnull=False, avail__lt=F("reorder_point"))
        if value == "in_stock":
            return qs.filter(avail__gt=0).filter(Q(reorder_point__isnull=True)
                                                     | Q(avail__gte=F("reorder_point")))
        return qs

    def filter_rule(self, qs, name, value):
        if value in ("yes", "no"):
            return qs.filter(reorder_point__isnull=value == "no")
        return qs


STOCK_ORDERING = {
    "sku": "product__sku", "name": "product__name", "warehouse": "warehouse__code", "on_hand": "on_hand",
    "reserved": "reserved", "available": "avail", "point": "reorder_point", "updated": "updated_at",
}


class MoveFilter(_Base):
    kind = django_filters.ChoiceFilter(choices=StockMove.Kind.choices, label=_("Kind"), empty_label=_("All kinds"))
    reference = django_filters.CharFilter(field_name="reference", lookup_expr="icontains", label=_("Reference"))
    actor = django_filters.CharFilter(method="filter_actor", label=_("By"))
    start = django_filters.DateFilter(method="filter_start", label=_("From"),
                                      widget=forms.DateInput(attrs={"type": "date"}))
    end = django_filters.DateFilter(method="filter_end", label=_("To"),
                                    widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["reference"].widget.attrs["placeholder"] = _("Order, shipment or document number")
        self.form.fields["actor"].widget.attrs["placeholder"] = _("User name")

    def filter_actor(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(actor__username__icontains=v) | Q(actor__first_name__icontains=v)
                         | Q(actor__last_name__icontains=v))


MOVE_ORDERING = {"time": "created_at", "sku": "product__sku", "warehouse": "warehouse__code", "kind": "kind",
                 "on_hand": "on_hand_delta", "reserved": "reserved_delta", "reference": "reference"}


class DocumentFilter(_Base):
    kind = django_filters.ChoiceFilter(choices=StockDocument.Kind.choices, label=_("Kind"),
                                       empty_label=_("All kinds"))
    start = MoveFilter.base_filters["start"]
    end = MoveFilter.base_filters["end"]
    search_placeholder = _("Number, supplier, note or SKU")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields.pop("product", None)

    def filter_queryset(self, queryset):
        warehouse = self.form.cleaned_data.pop("warehouse", None)
        self.form.cleaned_data.pop("product", None)
        if warehouse:
            queryset = queryset.filter(Q(warehouse=warehouse) | Q(to_warehouse=warehouse))
        return super().filter_queryset(queryset)

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(number__icontains=v) | Q(supplier__icontains=v) | Q(note__icontains=v)
                         | Q(lines__product__sku__iexact=v)).distinct()


class RuleFilter(_Base):
    state = django_filters.ChoiceFilter(
        choices=[("active", pgettext_lazy("stock", "Active")), ("inactive", pgettext_lazy("stock", "Inactive")),
                 ("below", _("Below the reorder point now"))],
        method="filter_state", label=_("Show"), empty_label=_("All rules"))

    def filter_state(self, qs, name, value):
        if value == "active":
            return qs.filter(is_active=True)
        if value == "inactive":
            return qs.filter(is_active=False)
        if value == "below":
            return qs.filter(is_active=True, available__lt=F("reorder_point"))
        return qs


RULE_ORDERING = {"sku": "product__sku", "warehouse": "warehouse__code", "point": "reorder_point",
                 "target": "target_level", "available": "available"}


class SuggestionFilter(_Base):
    """Open suggestions unless another status is asked for (``status=all`` for every one)."""

    STATUSES = [(ReplenishmentSuggestion.Status.OPEN, pgettext_lazy("stock", "Open")),
                (ReplenishmentSuggestion.Status.ORDERED, ReplenishmentSuggestion.Status.ORDERED.label),
                (ReplenishmentSuggestion.Status.DISMISSED, ReplenishmentSuggestion.Status.DISMISSED.label),
                ("all", _("All"))]
    status = django_filters.ChoiceFilter(choices=STATUSES,
                                         method="filter_status", label=_("Status"), empty_label=None)
    category = StockFilter.base_filters["category"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = ReplenishmentSuggestion.Status.OPEN
        super().__init__(data, *args, **kwargs)
        self.filters["category"].queryset = Category.objects.select_related("parent")

    def filter_status(self, qs, name, value):
        return qs if value == "all" else qs.filter(status=value or ReplenishmentSuggestion.Status.OPEN)


SUGGESTION_ORDERING = {"raised": "created_at", "sku": "product__sku", "warehouse": "warehouse__code",
                       "quantity": "quantity", "available": "available", "velocity": "daily_velocity",
                       "stockout": "stockout_date"}


class AlertFilter(_Base):
    state = django_filters.ChoiceFilter(choices=[("open", pgettext_lazy("stock", "Open")), ("resolved", pgettext_lazy("stock", "Resolved"))],
                                        method="filter_state", label=_("Status"), empty_label=_("All"))
    start = django_filters.DateFilter(method="filter_start", label=_("Raised from"),
                                      widget=forms.DateInput(attrs={"type": "date"}))
    end = django_filters.DateFilter(method="filter_end", label=_("Raised to"),
                                    widget=forms.DateInput(attrs={"type": "date"}))

    date_field = "raised_at"

    def filter_state(self, qs, name, value):
        if value == "open":
            return qs.filter(resolved_at__isnull=True)
        if value == "resolved":
            return qs.filter(resolved_at__isnull=False)
        return qs


ALERT_ORDERING = {"raised": "raised_at", "sku": "product__sku", "warehouse": "warehouse__code",
                  "available": "available", "stockout": "stockout_date", "resolved": "resolved_at"}
