"""REST API for the caller's own in-app notifications.

Notifications belong to a user, not a tenant: every query is filtered on the caller, so
anyone else's notification is a 404."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dms.accounts.serializers import ErrorSerializer

from . import services
from .models import Category, Notification
from .serializers import MarkedSerializer, NotificationSerializer, UnreadCountSerializer


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("Unread"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))

    class Meta:
        model = Notification
        fields = ["unread", "category"]


@extend_schema(tags=["notifications"])
@extend_schema_view(
    list=extend_schema(summary="My notifications, newest first"),
    retrieve=extend_schema(summary="One of my notifications",
                           responses={200: NotificationSerializer, 404: OpenApiResponse(ErrorSerializer)}),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.filter(user=self.request.user)

    @extend_schema(summary="Mark one notification read", request=None,
                   responses={200: NotificationSerializer, 404: OpenApiResponse(ErrorSerializer)})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(summary="Mark all my notifications read", request=None, responses={200: MarkedSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"updated": services.mark_read(user=request.user)})

    @extend_schema(summary="How many unread notifications I have", responses={200: UnreadCountSerializer})
    @action(detail=False, methods=["get"], url_path="unread-count", filter_backends=[], pagination_class=None)
    def unread_count(self, request):
        return Response({"unread": services.unread_count(request.user)})
