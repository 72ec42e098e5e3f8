"""REST API for products, the price a distributor pays, and price lists.

Products belong to the brand: staff with ``catalog.view_product`` see all of them,
distributor users only the active ones (with their own resolved price). A price list for
one distributor is that distributor's data (``selectors.price_lists_for``): a channel
manager reads only his own distributors' lists, a distributor user only the active lists
that can apply to him (base, his tier's, his own).
"""

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from dms.accounts.serializers import ErrorSerializer
from dms.distributors.api import AliasOrderingFilter, ScopedViewSet
from dms.distributors.models import Distributor

from . import services
from .filters import PRODUCT_ORDERING, PriceListFilter, ProductFilter
from .models import PriceList, PriceListItem, Product
from .pricing import best_promotion, price_for, promotions_for, with_prices
from .selectors import price_lists_for
from .serializers import (
    PriceListDetailSerializer,
    PriceListSerializer,
    ProductPriceSerializer,
    ProductSerializer,
    ProductWriteSerializer,
)

ERR = OpenApiResponse(ErrorSerializer)
ERRORS = {400: ERR, 403: ERR, 404: ERR}


PRICE_LIST_ORDERING = {"name": "name", "kind": "kind", "valid_from": "valid_from", "valid_to": "valid_to"}


@extend_schema(tags=["catalog"])
@extend_schema_view(
    list=extend_schema(summary="List products (distributor users: active products, with their price)",
                       responses={200: ProductSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="Product detail", responses={200: ProductSerializer, 404: ERR}),
)
class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Product
    serializer_class = ProductSerializer
    parser_classes = [parsers.JSONParser]
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = ProductFilter
    ordering_map = PRODUCT_ORDERING
    ordering_default = "sku"
    staff_perms = {
        "list": "catalog.view_product",
        "retrieve": "catalog.view_product",
        "price": "catalog.view_product",
        "create": "catalog.add_product",
        "partial_update": "catalog.change_product",
    }
    portal_actions = frozenset({"list", "retrieve", "price"})

    def scoped_queryset(self):
        qs = Product.objects.select_related("category")
        user = self.request.user
        if user.distributor_id:
            qs = qs.filter(status=Product.Status.ACTIVE)
            if self.action in ("list", "retrieve"):
                qs = with_prices(qs, user.distributor)
        return qs

    def _render(self, product, http_status=status.HTTP_200_OK):
        return Response(ProductSerializer(self.get_queryset().get(pk=product.pk)).data, status=http_status)

    @extend_schema(summary="Create a product", request=ProductWriteSerializer,
                   responses={201: ProductSerializer, **ERRORS})
    def create(self, request):
        serializer = ProductWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.create_product(actor=request.user, **serializer.validated_data)
        return self._render(product, status.HTTP_201_CREATED)

    @extend_schema(summary="Change a product (any subset of the fields; status discontinues it)",
                   request=ProductWriteSerializer, responses={200: ProductSerializer, **ERRORS})
    def partial_update(self, request, pk=None):
        product = self.get_object()
        serializer = ProductWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = services.update_product(product_id=product.pk, actor=request.user, **serializer.validated_data)
        return self._render(updated)

    @extend_schema(
        summary="The price a distributor pays for the product today",
        parameters=[
            OpenApiParameter("distributor", OpenApiTypes.INT, description="Staff only, required: whose price. "
                             "A distributor user always gets his own."),
            OpenApiParameter("quantity", OpenApiTypes.INT, description="Price this many units (default: the MOQ)."),
        ],
        responses={200: ProductPriceSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def price(self, request, pk=None):
        product = self.get_object()
        distributor = self._distributor_for_price()
        quantity = self._quantity(product)
        priced = with_prices(Product.objects.filter(pk=product.pk), distributor).get()
        unit_price, source = price_for(priced)
        promotions = promotions_for(distributor, [product.pk]).get(product.pk, [])
        amount, best = best_promotion(promotions, unit_price, quantity)
        data = {"product": product.pk, "sku": product.sku, "distributor": distributor.pk, "unit_price": unit_price,
                "source": source, "currency": settings.CURRENCY, "quantity": quantity, "amount": amount,
                "promotion": best.pk if best else None, "promotions": promotions}
        return Response(ProductPriceSerializer(data).data)

    def _distributor_for_price(self):
        user = self.request.user
        if user.distributor_id:
            return user.distributor
        value = self.request.query_params.get("distributor", "").strip()
        if not value.isdigit():
            raise ValidationError({"distributor": [_("Give the id of the distributor whose price you want.")]})
        return get_object_or_404(Distributor.objects.all(), pk=int(value))  # scoped: 404 outside the caller's

    def _quantity(self, product) -> int:
        value = self.request.query_params.get("quantity", "").strip()
        if not value:
            return product.moq
        if not value.isdigit() or int(value) < 1:
            raise ValidationError({"quantity": [_("Give a whole quantity of at least 1.")]})
        return int(value)


@extend_schema(tags=["catalog"])
@extend_schema_view(
    list=extend_schema(summary="List price lists (distributor users: those that apply to them)", responses={200: PriceListSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="Price list with its prices", responses={200: PriceListDetailSerializer, 404: ERR}),
)
class PriceListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = PriceList
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = PriceListFilter
    ordering_map = PRICE_LIST_ORDERING
    ordering_default = "kind"
    staff_perms = {"list": "catalog.view_pricelist", "retrieve": "catalog.view_pricelist"}
    portal_actions = frozenset({"list", "retrieve"})

    def get_serializer_class(self):
        return PriceListDetailSerializer if self.action == "retrieve" else PriceListSerializer

    def scoped_queryset(self):
        user = self.request.user
        qs = price_lists_for(user).annotate(item_count=Count("items"))
        if user.distributor_id:
            # The lists that can apply to his distributor: active base lists, his tier's, his own.
            qs = qs.filter(is_active=True).filter(
                Q(kind=PriceList.Kind.BASE) | Q(kind=PriceList.Kind.TIER, tier_id=user.distributor.tier_id)
                | Q(kind=PriceList.Kind.DISTRIBUTOR, distributor_id=user.distributor_id))
        if self.action == "retrieve":
            qs = qs.prefetch_related(Prefetch("items", PriceListItem.objects.select_related("product")
                                              .order_by("product__sku")))
        return qs

