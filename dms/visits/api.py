"""REST API of visits.

Visits come from the scoped manager: a channel manager reaches only his distributors'
visits, a distributor user only his own distributor's *completed* visits, shaped without
the internal notes — anything else answers 404. Staff plan, edit, complete and cancel;
the distributor marks the actions assigned to it done (``/visit-actions/{id}/done/``).
"""

import django_filters
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from dms.accounts.serializers import ErrorSerializer
from dms.core.api import json_body
from dms.distributors.api import AliasOrderingFilter, ScopedViewSet
from dms.distributors.models import Distributor

from . import services
from .models import Visit, VisitAction
from .serializers import (
    PortalVisitSerializer,
    VisitActionSerializer,
    VisitCancelSerializer,
    VisitCompleteSerializer,
    VisitCreateSerializer,
    VisitSerializer,
    VisitUpdateSerializer,
)

ERR = OpenApiResponse(ErrorSerializer)
ERRORS = {400: ERR, 403: ERR, 404: ERR}
TRANSITION_ERRORS = {400: ERR, 403: ERR, 404: ERR, 409: ERR}


def _serialized():
    return Visit.objects.select_related("manager").prefetch_related(
        "staff_participants", Prefetch("actions", VisitAction.objects.select_related("visit")))


class VisitApiFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Visit.Status.choices)
    type = django_filters.ChoiceFilter(choices=Visit.Type.choices)
    distributor = django_filters.NumberFilter(field_name="distributor_id")
    manager = django_filters.NumberFilter(field_name="manager_id")
    date_from = django_filters.DateFilter(field_name="planned_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="planned_date", lookup_expr="lte")
    search = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = Visit
        fields = ["status", "type", "distributor", "manager", "date_from", "date_to", "search"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        return qs.filter(Q(topics__icontains=v) | Q(problems__icontains=v)) if v else qs


@extend_schema(tags=["visits"])
@extend_schema_view(
    list=extend_schema(summary="List visits (a distributor sees only its completed visits)",
                       responses={200: VisitSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="A visit with its actions", responses={200: VisitSerializer, 404: ERR}),
)
class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Visit
    serializer_class = VisitSerializer
    parser_classes = [parsers.JSONParser]
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = VisitApiFilter
    ordering_map = {"planned": "planned_date", "visited": "visit_date", "status": "status", "created": "created_at"}
    ordering_default = "-planned_date"
    staff_perms = {
        "list": "visits.view_visit",
        "retrieve": "visits.view_visit",
        "create": "visits.add_visit",
        "update": "visits.change_visit",
        "partial_update": "visits.change_visit",
        "complete": "visits.change_visit",
        "cancel": "visits.change_visit",
    }
    portal_actions = frozenset({"list", "retrieve"})

    def scoped_queryset(self):
        qs = _serialized() if self.action in ("list", "retrieve") else Visit.objects.all()
        if self.request.user.distributor_id:
            qs = qs.filter(status=Visit.Status.COMPLETED)
        return qs

    def get_serializer_class(self):
        user = getattr(self.request, "user", None)
        return PortalVisitSerializer if getattr(user, "distributor_id", None) else VisitSerializer

    def _render(self, visit, http_status=status.HTTP_200_OK):
        return Response(VisitSerializer(_serialized().get(pk=visit.pk)).data, status=http_status)

    @extend_schema(summary="Plan a visit", request=VisitCreateSerializer, responses={201: VisitSerializer, **ERRORS})
    def create(self, request):
        serializer = VisitCreateSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        distributor = Distributor.objects.filter(pk=data.pop("distributor")).first()  # scoped
        if distributor is None:
            raise ValidationError({"distributor": [_("Unknown distributor.")]})
        visit = services.create_visit(distributor_id=distributor.pk, manager_id=data.pop("manager", None),
                                      actor=request.user, **data)
        return self._render(visit, status.HTTP_201_CREATED)

    def _update(self, request):
        visit = self.get_object()
        serializer = VisitUpdateSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        return self._render(services.update_visit(visit_id=visit.pk, actor=request.user,
                                                  **serializer.to_service_kwargs()))

    @extend_schema(summary="Change a planned visit, or correct a completed visit's record",
                   request=VisitUpdateSerializer, responses={200: VisitSerializer, **TRANSITION_ERRORS})
    def partial_update(self, request, pk=None):
        return self._update(request)

    @extend_schema(summary="Same as PATCH: only the fields sent change", request=VisitUpdateSerializer,
                   responses={200: VisitSerializer, **TRANSITION_ERRORS})
    def update(self, request, pk=None):
        return self._update(request)

    @extend_schema(summary="Record the visit (planned → completed), with the actions agreed",
                   request=VisitCompleteSerializer, responses={200: VisitSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        visit = self.get_object()
        serializer = VisitCompleteSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        return self._render(services.complete_visit(visit_id=visit.pk, actor=request.user,
                                                    **serializer.to_service_kwargs()))

    @extend_schema(summary="Cancel a planned visit", request=VisitCancelSerializer,
                   responses={200: VisitSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        visit = self.get_object()
        serializer = VisitCancelSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        return self._render(services.cancel_visit(visit_id=visit.pk, actor=request.user,
                                                  reason=serializer.validated_data["reason"]))


class VisitActionApiFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=VisitAction.Status.choices)
    owner_type = django_filters.ChoiceFilter(choices=VisitAction.Owner.choices)
    visit = django_filters.NumberFilter(field_name="visit_id")

    class Meta:
        model = VisitAction
        fields = ["status", "owner_type", "visit"]


@extend_schema(tags=["visits"])
@extend_schema_view(
    list=extend_schema(summary="Actions agreed at visits (a distributor sees those assigned to it)",
                       responses={200: VisitActionSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="One action", responses={200: VisitActionSerializer, 404: ERR}),
)
class VisitActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = VisitAction
    serializer_class = VisitActionSerializer
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = VisitActionApiFilter
    ordering_map = {"due": "due_date", "status": "status", "created": "created_at"}
    ordering_default = "due_date"
    staff_perms = {"list": "visits.view_visitaction", "retrieve": "visits.view_visitaction",
                   "done": "visits.change_visitaction"}
    portal_actions = frozenset({"list", "retrieve", "done"})

    def scoped_queryset(self):
        qs = VisitAction.objects.select_related("visit")
        if self.request.user.distributor_id:
            qs = qs.filter(visit__status=Visit.Status.COMPLETED, owner_type=VisitAction.Owner.DISTRIBUTOR)
        return qs

    @extend_schema(summary="Mark the action done", request=None,
                   responses={200: VisitActionSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        item = self.get_object()
        item = services.complete_action(action_id=item.pk, actor=request.user)
        return Response(VisitActionSerializer(VisitAction.objects.select_related("visit").get(pk=item.pk)).data)


def register(router):
    """Add this app's viewsets to the /api/v1/ router; return extra URL patterns."""
    router.register("visits", VisitViewSet, basename="visit")
    router.register("visit-actions", VisitActionViewSet, basename="visit-action")
    return []
