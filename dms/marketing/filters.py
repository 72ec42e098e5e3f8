"""Filters of the feedback inbox, the analysis page and the materials list (pages, Excel
exports and the API share them)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dms.catalog.models import Product
from dms.core import regions
from dms.distributors.models import Distributor, Tier

from .models import ActionTag, Feedback, Material


def _province_choices():
    return regions.provinces()


class FeedbackFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=Feedback.Status.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(choices=Feedback.Category.choices, label=_("Category"))
    priority = django_filters.ChoiceFilter(choices=Feedback.Priority.choices, label=_("Priority"))
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.order_by("sku"), label=_("Product"),
                                               empty_label=_("All"))
    province = django_filters.ChoiceFilter(field_name="province_code", choices=_province_choices,
                                           label=_("Province"), empty_label=_("All"))
    # scoped at request time: a channel manager can only pick (and see) his own distributors
    distributor = django_filters.ModelChoiceFilter(queryset=lambda request: Distributor.objects.order_by("code"),
                                                   label=_("Distributor"), empty_label=_("All"))
    action = django_filters.ModelChoiceFilter(field_name="action_tags", queryset=ActionTag.objects.all(),
                                              label=_("Action"), empty_label=_("All"))
    date_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = Feedback
        fields = ["search", "status", "category", "priority", "product", "province", "distributor", "action",
                  "date_from", "date_to"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(number__icontains=v) | Q(title__icontains=v) | Q(details__icontains=v)
                         | Q(competitor_name__icontains=v) | Q(distributor__name__icontains=v)
                         | Q(distributor__code__icontains=v) | Q(product__name__icontains=v)
                         | Q(product__sku__icontains=v))


FEEDBACK_ORDERING = {"submitted": "created_at", "number": "number", "title": "title", "distributor": "distributor__name",
                     "category": "category", "rating": "rating", "priority": "priority", "status": "status"}


class MaterialFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    category = django_filters.ChoiceFilter(choices=Material.Category.choices, label=_("Category"),
                                           empty_label=_("All"))
    published = django_filters.BooleanFilter(field_name="is_published", label=_("Published"))
    tier = django_filters.ModelChoiceFilter(queryset=Tier.objects.all(), method="filter_tier", label=_("Tier"),
                                            empty_label=_("All"))

    class Meta:
        model = Material
        fields = ["search", "category", "published", "tier"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(title__icontains=v) | Q(description__icontains=v) | Q(tags__icontains=v))

    def filter_tier(self, qs, name, value):
        """Materials that tier may see: those for it and those for every tier."""
        return qs.filter(Q(tiers=value) | Q(tiers__isnull=True)).distinct() if value else qs


MATERIAL_ORDERING = {"title": "title", "category": "category", "created": "created_at", "downloads": "download_count",
                     "published": "is_published"}
