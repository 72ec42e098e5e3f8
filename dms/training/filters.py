"""Filters of the course list and the training record list."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dms.distributors.models import Distributor, Tier

from .models import Course


class CourseFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    category = django_filters.ChoiceFilter(choices=Course.Category.choices, label=_("Category"))
    status = django_filters.ChoiceFilter(choices=Course.Status.choices, label=_("Status"))
    tier = django_filters.ModelChoiceFilter(field_name="target_tiers", queryset=Tier.objects.all(), label=_("Tier"))

    class Meta:
        model = Course
        fields = ["search", "category", "status", "tier"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        return qs.filter(Q(title__icontains=v) | Q(description__icontains=v)) if v else qs


COURSE_ORDERING = {"title": "title", "category": "category", "status": "status", "created": "created_at"}


class RecordFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    tier = django_filters.ModelChoiceFilter(queryset=Tier.objects.all(), label=_("Tier"))
    province = django_filters.CharFilter(field_name="region_code", lookup_expr="startswith", label=_("Province"))

    class Meta:
        model = Distributor
        fields = ["search", "tier", "province"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        return qs.filter(Q(name__icontains=v) | Q(code__icontains=v)) if v else qs


RECORD_ORDERING = {"code": "code", "name": "name", "tier": "tier__level", "courses": "n_courses",
                   "completions": "n_completions"}
