"""Filters of the back-office announcement list and thread inbox."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Announcement, Thread


class AnnouncementFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=Announcement.Status.choices, label=_("Status"))
    pinned = django_filters.BooleanFilter(label=_("Pinned"))

    class Meta:
        model = Announcement
        fields = ["search", "status", "pinned"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        return qs.filter(Q(title__icontains=v) | Q(body__icontains=v)) if v else qs


ANNOUNCEMENT_ORDERING = {"title": "title", "status": "status", "publish": "publish_at", "expires": "expires_at",
                         "created": "created_at"}


class ThreadFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=Thread.Status.choices, label=_("Status"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=_("Distributor"))
    order = django_filters.CharFilter(field_name="order__number", lookup_expr="icontains", label=_("Order number"))
    unread = django_filters.BooleanFilter(method="filter_unread", label=_("Unread only"))

    class Meta:
        model = Thread
        fields = ["search", "status", "distributor", "order", "unread"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(subject__icontains=v) | Q(distributor__name__icontains=v) | Q(distributor__code__icontains=v)
                         | Q(order__number__icontains=v) | Q(shipment__number__icontains=v)
                         | Q(messages__body__icontains=v)).distinct()

    def filter_unread(self, qs, name, value):
        return qs.filter(unread__gt=0) if value else qs


THREAD_ORDERING = {"last": "last_message_at", "subject": "subject", "distributor": "distributor__name",
                   "status": "status", "created": "created_at"}
