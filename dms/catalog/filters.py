"""One filter definition per list page and its Excel export."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import PriceList, Product, Promotion
from .selectors import effective_on, in_category


class ProductFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=Product.Status.choices, label=_("Status"))
    category = django_filters.NumberFilter(method="filter_category", label=_("Category"))
    brand = django_filters.CharFilter(field_name="brand", label=_("Brand"))

    class Meta:
        model = Product
        fields = ["search", "status", "category", "brand"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(sku__icontains=v) | Q(name__icontains=v) | Q(barcode__icontains=v)
                         | Q(specification__icontains=v))

    def filter_category(self, qs, name, value):
        return in_category(qs, int(value)) if value else qs


PRODUCT_ORDERING = {
    "sku": "sku", "name": "name", "category": "category__name", "brand": "brand", "price": "base_price",
    "status": "status", "updated": "updated_at",
}


class PriceListFilter(django_filters.FilterSet):
    """The price list filters of the API; the list page adds a search (``PriceListPageFilter``)."""

    kind = django_filters.ChoiceFilter(choices=PriceList.Kind.choices, label=_("Kind"))
    tier = django_filters.NumberFilter(field_name="tier_id", label=_("Tier"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=_("Distributor"))
    active = django_filters.BooleanFilter(field_name="is_active", label=pgettext_lazy("catalog", "Active"))
    effective_on = django_filters.DateFilter(method="filter_effective", label=_("Effective on"))

    class Meta:
        model = PriceList
        fields = ["kind", "tier", "distributor", "active", "effective_on"]

    def filter_effective(self, qs, name, value):
        return effective_on(qs, value) if value else qs


class PriceListPageFilter(PriceListFilter):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))

    class Meta(PriceListFilter.Meta):
        fields = ["search", *PriceListFilter.Meta.fields]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(name__icontains=v) | Q(distributor__name__icontains=v) | Q(distributor__code__icontains=v))


PRICE_LIST_ORDERING = {"name": "name", "kind": "kind", "valid_from": "valid_from", "valid_to": "valid_to",
                       "items": "item_count"}


class PromotionFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    rule = django_filters.ChoiceFilter(choices=Promotion.Rule.choices, label=_("Rule"), empty_label=_("All"))
    state = django_filters.ChoiceFilter(method="filter_state", label=_("State"), empty_label=_("All"), choices=[
        ("running", _("Running now")), ("upcoming", _("Upcoming")), ("ended", _("Ended")),
        ("inactive", _("Deactivated"))])

    class Meta:
        model = Promotion
        fields = ["search", "rule", "state"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(name__icontains=v) | Q(products__sku__icontains=v) | Q(products__name__icontains=v)).distinct()

    def filter_state(self, qs, name, value):
        now = timezone.now()
        if value == "running":
            return qs.filter(is_active=True, starts_at__lte=now, ends_at__gt=now)
        if value == "upcoming":
            return qs.filter(is_active=True, starts_at__gt=now)
        if value == "ended":
            return qs.filter(ends_at__lte=now)
        if value == "inactive":
            return qs.filter(is_active=False)
        return qs
