"""REST API for warehouses, stock levels, adjustments and the stock-move ledger.

Stock is the brand's: staff read it with ``inventory.view_stocklevel`` and adjust it
with ``inventory.change_stocklevel``. Distributor users may list the active warehouses
(code and name only) but get 403 on stock levels and the ledger: what they may know of
stock is the availability shown when they order (``selectors.availability``, governed by
the STOCK_VISIBILITY setting), not the brand's books.
"""

import django_filters
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, status
from rest_framework.response import Response

from dms.accounts.serializers import ErrorSerializer
from dms.distributors.api import AliasOrderingFilter, ScopedViewSet

from . import services
from .filters import product_q
from .models import StockLevel, StockMove, Warehouse
from .selectors import hidden_references
from .serializers import (
    AdjustmentSerializer,
    PortalWarehouseSerializer,
    StockLevelSerializer,
    StockMoveSerializer,
    WarehouseSerializer,
)

ERR = OpenApiResponse(ErrorSerializer)


class WarehouseFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(field_name="is_active", label=pgettext_lazy("stock", "Active"))

    class Meta:
        model = Warehouse
        fields = ["active"]


@extend_schema(tags=["inventory"])
@extend_schema_view(list=extend_schema(
    summary="List warehouses (distributor users: the active ones, code and name only)",
    responses={200: WarehouseSerializer(many=True), 403: ERR}))
class WarehouseViewSet(mixins.ListModelMixin, ScopedViewSet):
    model = Warehouse
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = WarehouseFilter
    ordering_map = {"code": "code", "name": "name"}
    ordering_default = "code"
    staff_perms = {"list": "inventory.view_warehouse"}
    portal_actions = frozenset({"list"})

    def get_serializer_class(self):
        if getattr(self.request, "user", None) is not None and self.request.user.distributor_id:
            return PortalWarehouseSerializer
        return WarehouseSerializer

    def scoped_queryset(self):
        if self.request.user.distributor_id:
            return Warehouse.objects.filter(is_active=True)
        return Warehouse.objects.all()


class StockFilter(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="product_id", label=_("Product"))
    warehouse = django_filters.NumberFilter(field_name="warehouse_id", label=_("Warehouse"))
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    available_below = django_filters.NumberFilter(field_name="available_now", lookup_expr="lt",
                                                  label=_("Available below"))

    class Meta:
        model = StockLevel
        fields = ["product", "warehouse", "search", "available_below"]

    def filter_search(self, qs, name, value):
        value = value.strip()
        return qs.filter(product_q(value)) if value else qs


@extend_schema(tags=["inventory"])
@extend_schema_view(list=extend_schema(
    summary="Stock per warehouse and product (staff; distributor users get 403)",
    responses={200: StockLevelSerializer(many=True), 403: ERR}))
class StockViewSet(mixins.ListModelMixin, ScopedViewSet):
    model = StockLevel
    serializer_class = StockLevelSerializer
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = StockFilter
    ordering_map = {"sku": "product__sku", "warehouse": "warehouse__code", "on_hand": "on_hand",
                    "reserved": "reserved", "available": "available_now", "updated": "updated_at"}
    ordering_default = "product__sku"
    staff_perms = {"list": "inventory.view_stocklevel"}

    def scoped_queryset(self):
        return StockLevel.objects.select_related("warehouse", "product").annotate(
            available_now=F("on_hand") - F("reserved"))


class MoveFilter(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="product_id", label=_("Product"))
    warehouse = django_filters.NumberFilter(field_name="warehouse_id", label=_("Warehouse"))
    kind = django_filters.MultipleChoiceFilter(choices=StockMove.Kind.choices, label=_("Kind"))
    reference = django_filters.CharFilter(field_name="reference", label=_("Reference"))
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte", label=_("From"))
    until = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt", label=_("Until"))

    class Meta:
        model = StockMove
        fields = ["product", "warehouse", "kind", "reference", "since", "until"]


@extend_schema(tags=["inventory"])
@extend_schema_view(list=extend_schema(
    summary="The stock-move ledger, newest first (staff)", responses={200: StockMoveSerializer(many=True), 403: ERR}))
class StockMoveViewSet(mixins.ListModelMixin, ScopedViewSet):
    model = StockMove
    serializer_class = StockMoveSerializer
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = MoveFilter
    ordering_map = {"time": "created_at", "sku": "product__sku", "warehouse": "warehouse__code", "kind": "kind"}
    ordering_default = "-created_at"
    staff_perms = {"list": "inventory.view_stocklevel"}

    def scoped_queryset(self):
        return StockMove.objects.select_related("warehouse", "product", "actor")

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        hidden = hidden_references(request.user, {m.reference for m in page})
        if hidden and request.query_params.get("reference", "").strip() in hidden:
            page = []  # no probing for another distributor's document numbers
        data = StockMoveSerializer(page, many=True, context={"hidden_references": hidden}).data
        return self.get_paginated_response(data)


@extend_schema(tags=["inventory"])
class StockAdjustmentViewSet(ScopedViewSet):
    model = StockMove
    parser_classes = [parsers.JSONParser]
    staff_perms = {"create": "inventory.change_stocklevel"}

    def scoped_queryset(self):
        return StockMove.objects.none()

    @extend_schema(
        summary="Correct on hand by a signed quantity, with a reason",
        request=AdjustmentSerializer,
        responses={201: StockMoveSerializer, 400: ERR, 403: ERR, 409: ERR},
        description="409 insufficient_stock (error.short_lines) when on hand would go below zero or below what "
                    "is reserved; 400 for a zero or non-integer quantity or a missing reason.",
    )
    def create(self, request):
        serializer = AdjustmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        move = services.adjust_stock(warehouse=data["warehouse"], product_id=data["product"],
                                     quantity=data["quantity"], reason=data["reason"], actor=request.user)
        move = StockMove.objects.select_related("warehouse", "product", "actor").get(pk=move.pk)
        return Response(StockMoveSerializer(move).data, status=status.HTTP_201_CREATED)
