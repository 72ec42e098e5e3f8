"""REST API for shipments, their tracking, proof of delivery, discrepancies and carriers.

Shipments come from the scoped manager, so a distributor user sees only his own and
another distributor's shipment answers 404 on every route. Staff create and dispatch
with ``logistics.dispatch_shipment`` (dispatching posts the stock moves); the distributor
confirms receipt or reports a discrepancy.
"""

import django_filters
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from dms.accounts.serializers import ErrorSerializer
from dms.core.api import json_body
from dms.core.pdf import pdf_response
from dms.distributors.api import AliasOrderingFilter, ScopedViewSet
from dms.orders.models import Order

from . import documents, services
from .models import Carrier, Discrepancy, DiscrepancyLine, Shipment, ShipmentLine
from .serializers import (
    CarrierSerializer,
    DiscrepancyCreateSerializer,
    DiscrepancySerializer,
    DispatchSerializer,
    ShipmentCreateSerializer,
    ShipmentSerializer,
    TrackingEventInputSerializer,
    TrackingEventSerializer,
)

ERR = OpenApiResponse(ErrorSerializer)
ERRORS = {400: ERR, 403: ERR, 404: ERR}
TRANSITION_ERRORS = {400: ERR, 403: ERR, 404: ERR, 409: ERR}


def _serialized():
    """Shipments with what ShipmentSerializer reads."""
    return Shipment.objects.select_related("order", "warehouse", "carrier").prefetch_related(
        Prefetch("lines", ShipmentLine.objects.select_related("product")))


class ShipmentFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Shipment.Status.choices)
    order = django_filters.NumberFilter(field_name="order_id")
    distributor = django_filters.NumberFilter(field_name="distributor_id")
    warehouse = django_filters.NumberFilter(field_name="warehouse_id")
    search = django_filters.CharFilter(method="filter_search")

    class Meta:
        model = Shipment
        fields = ["status", "order", "distributor", "warehouse", "search"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        if not v:
            return qs
        return qs.filter(Q(number__icontains=v) | Q(order__number__icontains=v) | Q(tracking_number=v))


@extend_schema(tags=["shipments"])
@extend_schema_view(
    list=extend_schema(summary="List shipments (a distributor sees only its own)",
                       responses={200: ShipmentSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="Shipment with its lines", responses={200: ShipmentSerializer, 404: ERR}),
)
class ShipmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Shipment
    serializer_class = ShipmentSerializer
    parser_classes = [parsers.JSONParser]
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = ShipmentFilter
    ordering_map = {"created": "created_at", "number": "number", "status": "status", "dispatched": "dispatched_at"}
    ordering_default = "-created_at"
    staff_perms = {
        "list": "logistics.view_shipment",
        "retrieve": "logistics.view_shipment",
        "tracking": "logistics.view_shipment",
        "delivery_note": "logistics.view_shipment",
        "create": "logistics.dispatch_shipment",
        "dispatch_shipment": "logistics.dispatch_shipment",
        "cancel": "logistics.dispatch_shipment",
        "add_tracking": "logistics.dispatch_shipment",
    }
    # Confirming receipt and reporting a discrepancy are the distributor's (staff: 403).
    portal_actions = frozenset({"list", "retrieve", "tracking", "delivery_note", "confirm_receipt", "discrepancy"})

    def scoped_queryset(self):
        return _serialized() if self.action in ("list", "retrieve") else Shipment.objects.all()

    def _render(self, shipment, http_status=status.HTTP_200_OK):
        return Response(ShipmentSerializer(_serialized().get(pk=shipment.pk)).data, status=http_status)

    @extend_schema(summary="Create a shipment from an approved order (picking)", request=ShipmentCreateSerializer,
                   responses={201: ShipmentSerializer, **TRANSITION_ERRORS})
    def create(self, request):
        serializer = ShipmentCreateSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = Order.objects.filter(pk=data["order"]).first()  # scoped: only the caller's orders
        if order is None:
            raise ValidationError({"order": [_("Unknown order.")]})
        shipment = services.create_shipment(order_id=order.pk, lines=data.get("lines"), actor=request.user,
                                            note=data["note"])
        return self._render(shipment, status.HTTP_201_CREATED)

    @extend_schema(summary="Dispatch: the goods leave, stock moves are posted", request=DispatchSerializer,
                   responses={200: ShipmentSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_shipment(self, request, pk=None):
        shipment = self.get_object()
        serializer = DispatchSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return self._render(services.dispatch_shipment(shipment_id=shipment.pk, carrier=data["carrier"],
                                                       tracking_number=data["tracking_number"], actor=request.user))

    @extend_schema(summary="Cancel a shipment still being picked", request=None,
                   responses={200: ShipmentSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        shipment = self.get_object()
        return self._render(services.cancel_shipment(shipment_id=shipment.pk, actor=request.user))

    @extend_schema(summary="Tracking events, oldest first", responses={200: TrackingEventSerializer(many=True),
                                                                        404: ERR})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def tracking(self, request, pk=None):
        shipment = self.get_object()
        return Response(TrackingEventSerializer(shipment.tracking_events.all(), many=True).data)

    @extend_schema(summary="Add a tracking event (staff); the same event twice is stored once",
                   request=TrackingEventInputSerializer,
                   responses={201: TrackingEventSerializer, 200: TrackingEventSerializer, **ERRORS})
    @tracking.mapping.post
    def add_tracking(self, request, pk=None):
        shipment = self.get_object()
        serializer = TrackingEventInputSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        event = services.add_tracking_event(shipment_id=shipment.pk, actor=request.user, **serializer.validated_data)
        return Response(TrackingEventSerializer(event).data,
                        status=status.HTTP_201_CREATED if event.created else status.HTTP_200_OK)

    @extend_schema(summary="The distributor confirms the goods arrived complete", request=None,
                   responses={200: ShipmentSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"], url_path="confirm-receipt")
    def confirm_receipt(self, request, pk=None):
        shipment = self.get_object()
        return self._render(services.confirm_receipt(shipment_id=shipment.pk, actor=request.user))

    @extend_schema(summary="The distributor reports that the delivery differs (opens a case)",
                   request=DiscrepancyCreateSerializer, responses={201: DiscrepancySerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def discrepancy(self, request, pk=None):
        shipment = self.get_object()
        serializer = DiscrepancyCreateSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = services.report_discrepancy(shipment_id=shipment.pk, description=data["description"],
                                           received=data["lines"], actor=request.user)
        case = Discrepancy.objects.prefetch_related(
            Prefetch("lines", DiscrepancyLine.objects.select_related("shipment_line__product"))).get(pk=case.pk)
        return Response(DiscrepancySerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="The delivery note (发货单) as PDF",
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ERR})
    def delivery_note(self, request, pk=None):
        shipment = self.get_object()
        return pdf_response(documents.delivery_note_pdf(shipment), documents.filename(shipment, "delivery-note"))


@extend_schema(tags=["shipments"])
@extend_schema_view(list=extend_schema(summary="Active carriers", responses={200: CarrierSerializer(many=True),
                                                                          403: ERR}))
class CarrierViewSet(mixins.ListModelMixin, ScopedViewSet):
    model = Carrier
    serializer_class = CarrierSerializer
    pagination_class = None
    filter_backends: list = []
    staff_perms = {"list": "logistics.view_shipment"}
    portal_actions = frozenset({"list"})

    def scoped_queryset(self):
        return Carrier.objects.filter(is_active=True)
