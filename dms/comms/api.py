"""REST API: announcements (distributors list and read the live ones addressed to them;
staff with the permissions create, edit, publish and archive) and message threads.

Querysets come from the same selectors as the pages: a distributor sees only the
announcements targeted to it and its own threads, a channel manager only his
distributors' threads and the announcements that concern them; anything else is a 404.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from dms.accounts.serializers import ErrorSerializer
from dms.core.api import json_body
from dms.distributors.api import AliasOrderingFilter, ScopedViewSet
from dms.distributors.models import Distributor
from dms.logistics.models import Shipment
from dms.orders.models import Order

from . import selectors, services
from .models import Announcement, Thread
from .serializers import (
    AnnouncementInputSerializer,
    AnnouncementSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    ThreadCreateSerializer,
    ThreadSerializer,
)

ERR = OpenApiResponse(ErrorSerializer)
ERRORS = {400: ERR, 403: ERR, 404: ERR}
TRANSITION_ERRORS = {400: ERR, 403: ERR, 404: ERR, 409: ERR}


class AnnouncementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Announcement.Status.choices)
    pinned = django_filters.BooleanFilter()
    search = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = Announcement
        fields = ["status", "pinned", "search"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        return qs.filter(Q(title__icontains=v) | Q(body__icontains=v)) if v else qs


@extend_schema(tags=["announcements"])
@extend_schema_view(
    list=extend_schema(summary="List announcements (a distributor: the live ones addressed to it, pinned first)",
                       responses={200: AnnouncementSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="Announcement", responses={200: AnnouncementSerializer, 404: ERR}),
    destroy=extend_schema(summary="Delete a draft", responses={204: None, **TRANSITION_ERRORS}),
)
class AnnouncementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Announcement
    serializer_class = AnnouncementSerializer
    parser_classes = [parsers.JSONParser]
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = AnnouncementFilter
    ordering_map = {"title": "title", "publish": "publish_at", "expires": "expires_at", "created": "created_at",
                    "status": "status"}
    ordering_default = "-created_at"
    staff_perms = {
        "list": "comms.view_announcement", "retrieve": "comms.view_announcement", "read": "comms.view_announcement",
        "create": "comms.add_announcement", "update": "comms.change_announcement",
        "partial_update": "comms.change_announcement", "destroy": "comms.delete_announcement",
        "publish": "comms.publish_announcement", "archive": "comms.publish_announcement",
    }
    portal_actions = frozenset({"list", "retrieve", "read"})

    def scoped_queryset(self):
        user = self.request.user
        if user.distributor_id:
            return selectors.announcements_for_distributor(user.distributor, user).prefetch_related("attachments")
        return selectors.announcements_for_staff(user).prefetch_related("tiers", "distributors", "attachments")

    def filter_queryset(self, queryset):
        if self.request.user.distributor_id and "ordering" not in self.request.query_params:
            # pinned first, then newest: the order the portal shows
            return DjangoFilterBackend().filter_queryset(self.request, queryset, self)
        return super().filter_queryset(queryset)

    def _render(self, announcement, http_status=status.HTTP_200_OK):
        return Response(AnnouncementSerializer(self.get_queryset().get(pk=announcement.pk)).data, status=http_status)

    def _input(self, partial_of=None):
        serializer = AnnouncementInputSerializer(data=json_body(self.request), partial=partial_of is not None)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if partial_of is not None:
            a = partial_of
            data = {"title": a.title, "body": a.body, "body_format": a.body_format, "pinned": a.pinned,
                    "publish_at": a.publish_at, "expires_at": a.expires_at, "target_all": a.target_all,
                    "tiers": [t.pk for t in a.tiers.all()], "provinces": a.province_codes,
                    "distributors": list(a.distributors.values_list("pk", flat=True)), **data}
        return data

    @extend_schema(summary="Create an announcement (a draft)", request=AnnouncementInputSerializer,
                   responses={201: AnnouncementSerializer, **ERRORS})
    def create(self, request):
        announcement = services.create_announcement(data=self._input(), actor=request.user)
        return self._render(announcement, status.HTTP_201_CREATED)

    @extend_schema(summary="Replace an announcement's content and audience", request=AnnouncementInputSerializer,
                   responses={200: AnnouncementSerializer, **TRANSITION_ERRORS})
    def update(self, request, pk=None):
        announcement = self.get_object()
        services.update_announcement(announcement_id=announcement.pk, data=self._input(), actor=request.user)
        return self._render(announcement)

    @extend_schema(summary="Change some fields of an announcement", request=AnnouncementInputSerializer,
                   responses={200: AnnouncementSerializer, **TRANSITION_ERRORS})
    def partial_update(self, request, pk=None):
        announcement = self.get_object()
        services.update_announcement(announcement_id=announcement.pk, data=self._input(partial_of=announcement),
                                     actor=request.user)
        return self._render(announcement)

    def destroy(self, request, pk=None):
        announcement = self.get_object()
        services.delete_announcement(announcement_id=announcement.pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Publish (now, or at publish_at); the targeted users are notified once", request=None,
                   responses={200: AnnouncementSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._render(services.publish_announcement(announcement_id=self.get_object().pk, actor=request.user))

    @extend_schema(summary="Archive: distributors no longer see it", request=None,
                   responses={200: AnnouncementSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._render(services.archive_announcement(announcement_id=self.get_object().pk, actor=request.user))

    @extend_schema(summary="Mark as read by the calling distributor user (idempotent)", request=None,
                   responses={200: AnnouncementSerializer, 404: ERR})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        announcement = self.get_object()
        services.mark_announcement_read(announcement=announcement, user=request.user)
        return self._render(announcement)


class ThreadFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Thread.Status.choices)
    distributor = django_filters.NumberFilter(field_name="distributor_id")
    order = django_filters.NumberFilter(field_name="order_id")
    shipment = django_filters.NumberFilter(field_name="shipment_id")
    unread = django_filters.BooleanFilter(method="filter_unread")
    search = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = Thread
        fields = ["status", "distributor", "order", "shipment", "unread", "search"]

    def filter_unread(self, qs, name, value):
        return qs.filter(unread__gt=0) if value else qs

    def filter_search(self, qs, name, value):
        v = value.strip()
        return qs.filter(subject__icontains=v) if v else qs


@extend_schema(tags=["threads"])
@extend_schema_view(
    list=extend_schema(summary="List conversations (a distributor: its own), with unread counts",
                       responses={200: ThreadSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="Conversation", responses={200: ThreadSerializer, 404: ERR}),
)
class ThreadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Thread
    serializer_class = ThreadSerializer
    parser_classes = [parsers.JSONParser]
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = ThreadFilter
    ordering_map = {"last": "last_message_at", "created": "created_at", "subject": "subject", "status": "status"}
    ordering_default = "-last_message_at"
    staff_perms = {"list": "comms.view_thread", "retrieve": "comms.view_thread", "create": "comms.add_thread",
                   "messages": "comms.view_thread"}
    portal_actions = frozenset({"list", "retrieve", "create", "messages"})

    def scoped_queryset(self):
        return selectors.threads_for(self.request.user)

    def _linked(self, model, pk, field):
        if pk is None:
            return None
        obj = model.objects.filter(pk=pk).first()  # scoped: only the caller's
        if obj is None:
            raise ValidationError({field: [_("Not found.")]})
        return obj

    @extend_schema(summary="Start a conversation (staff: with a distributor; a distributor: with the brand)",
                   request=ThreadCreateSerializer, responses={201: ThreadSerializer, **ERRORS})
    def create(self, request):
        serializer = ThreadCreateSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        if user.distributor_id:
            distributor = user.distributor
        else:
            distributor = Distributor.objects.filter(pk=data.get("distributor") or 0).first()
            if distributor is None:
                raise ValidationError({"distributor": [_("Choose one of your distributors.")]})
        thread = services.start_thread(
            distributor=distributor, subject=data["subject"], body=data["body"], actor=user,
            order=self._linked(Order, data.get("order"), "order"),
            shipment=self._linked(Shipment, data.get("shipment"), "shipment"))
        return Response(ThreadSerializer(self.get_queryset().get(pk=thread.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], summary="Messages of the conversation (oldest first); marks them read",
                   parameters=[OpenApiParameter("after", int, description="Only messages with a higher id.")],
                   responses={200: MessageSerializer(many=True), 404: ERR})
    @extend_schema(methods=["POST"], summary="Write a message", request=MessageCreateSerializer,
                   responses={201: MessageSerializer, **ERRORS})
    @action(detail=True, methods=["get", "post"])
    def messages(self, request, pk=None):
        thread = self.get_object()
        if request.method == "POST":
            if not request.user.has_perm("comms.add_message"):
                raise PermissionDenied()
            serializer = MessageCreateSerializer(data=json_body(request))
            serializer.is_valid(raise_exception=True)
            message = services.post_message(thread_id=thread.pk, body=serializer.validated_data["body"],
                                            actor=request.user)
            return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
        after = request.query_params.get("after", "0")
        qs = selectors.messages_of(thread, int(after) if after.isdigit() else 0)
        page = self.paginate_queryset(qs)
        items = page if page is not None else list(qs)
        if items:
            services.mark_thread_read(thread=thread, user=request.user, up_to=items[-1].pk)
        data = MessageSerializer(items, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)


def register(router):
    """Add this app's viewsets to the /api/v1/ router; return extra URL patterns."""
    router.register("announcements", AnnouncementViewSet, basename="announcement")
    router.register("threads", ThreadViewSet, basename="thread")
    return []
