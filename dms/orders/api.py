"""REST API for orders, their timeline and returns.

Each view parses input, makes one service call and renders. Rows come from the scoped
managers, so another distributor's order or return answers 404 on every route.

``POST /api/v1/orders/`` is the hot path (benchmarked): for a distributor user it costs no
permission query (a distributor user may order for his own distributor; his distributor
came with the token), the lines are checked and priced by the service in one go, and the
answer is rendered from the objects ``create_order`` returns — nothing is read back.
The statement count is pinned by ``dms/orders/tests/test_api.py``.
"""

import hashlib
import json

import django_filters
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from dms.accounts.serializers import ErrorSerializer
from dms.core.api import json_body
from dms.distributors.api import AliasOrderingFilter, ScopedViewSet
from dms.distributors.models import Distributor

from . import selectors, services
from .filters import search_orders
from .models import Order, OrderLine, ReturnLine, ReturnRequest
from .serializers import (
    NoteSerializer,
    OrderCreateSerializer,
    OrderEventSerializer,
    OrderSerializer,
    OrderUpdateSerializer,
    ReasonSerializer,
    ReturnCreateSerializer,
    ReturnSerializer,
)

ERR = OpenApiResponse(ErrorSerializer)
ERRORS = {400: ERR, 403: ERR, 404: ERR}
TRANSITION_ERRORS = {400: ERR, 403: ERR, 404: ERR, 409: ERR}
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Up to 64 characters. The same key with the same body answers the order the first request "
                "created (201, header Idempotent-Replayed: true) and creates nothing; the same key with another "
                "body is 422 idempotency_key_reused.",
)
IDEMPOTENCY_KEY_MAX = 64


def request_hash(data) -> str:
    """sha256 of the body's canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _order_queryset():
    return Order.objects.select_related("distributor", "current_step").prefetch_related(
        Prefetch("lines", OrderLine.objects.select_related("product"))
    )


class OrderFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=gettext_lazy("Search"))
    status = django_filters.MultipleChoiceFilter(choices=Order.Status.choices, label=gettext_lazy("Status"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=gettext_lazy("Distributor"))
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte",
                                              label=gettext_lazy("Created from"))
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte",
                                               label=gettext_lazy("Created until"))

    class Meta:
        model = Order
        fields = ["search", "status", "distributor", "created_after", "created_before"]

    def filter_search(self, qs, name, value):
        return search_orders(qs, value)


@extend_schema(tags=["orders"])
@extend_schema_view(
    list=extend_schema(summary="List orders (a distributor sees only its own)",
                       responses={200: OrderSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="Order with its lines", responses={200: OrderSerializer, 404: ERR}),
)
class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Order
    serializer_class = OrderSerializer
    parser_classes = [parsers.JSONParser]
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = OrderFilter
    ordering_map = {"created": "created_at", "number": "number", "status": "status", "total": "total_amount",
                    "submitted": "submitted_at"}
    ordering_default = "-created_at"
    # The approve step's role is checked by the service (403 when the order waits for another role).
    staff_perms = {
        "list": "orders.view_order",
        "retrieve": "orders.view_order",
        "events": "orders.view_order",
        "create": "orders.order_on_behalf",
        "copy": "orders.order_on_behalf",
        "submit": "orders.order_on_behalf",
        "partial_update": "orders.change_order",
        "cancel": "orders.change_order",
        "approve": "orders.approve_order",
        "reject": "orders.approve_order",
        "release_hold": "finance.release_credit_hold",
    }
    portal_actions = frozenset({"list", "retrieve", "events", "create", "copy", "submit", "partial_update",
                                "cancel"})

    def scoped_queryset(self):
        if self.action == "events":
            return Order.objects.all()
        return _order_queryset()

    def _render(self, order, http_status=status.HTTP_200_OK, headers=None):
        order = _order_queryset().get(pk=order.pk)
        return Response(OrderSerializer(order).data, status=http_status, headers=headers)

    # --- create (the benchmarked path) ---------------------------------------------------

    def _ordering_distributor(self, data):
        user = self.request.user
        given = data.get("distributor")
        if user.distributor_id:
            if given not in (None, "") and str(given) != str(user.distributor_id):
                raise ValidationError({"distributor": [_("You can only order for your own distributor.")]})
            return user.distributor
        if given in (None, ""):
            raise ValidationError({"distributor": [_("This field is required.")]})
        try:
            pk = int(given)
        except (TypeError, ValueError):
            raise ValidationError({"distributor": [_("Give a distributor id.")]}) from None
        distributor = Distributor.objects.filter(pk=pk).first()  # scoped: only the caller's distributors
        if distributor is None:
            raise ValidationError({"distributor": [_("Unknown distributor.")]})
        return distributor

    @extend_schema(
        summary="Place an order (Idempotency-Key honoured)", parameters=[IDEMPOTENCY_KEY],
        request=OrderCreateSerializer,
        responses={201: OrderSerializer, 400: ERR, 403: ERR, 409: ERR, 422: ERR},
        description="With submit=true stock is reserved and the auto-approval rules run in the same request: the "
                    "answer's status is approved, submitted when the order waits for manual review, or credit_hold "
                    "when it exceeds the distributor's available credit (it then reserves nothing and waits for "
                    "finance). Errors: 400 "
                    "validation_error (fields lines[i].product / lines[i].quantity for unknown or discontinued "
                    "products, MOQ and multiples), 403 distributor_not_active, 409 insufficient_stock (error."
                    "short_lines: product, sku, requested, available), 409 insufficient_prepayment (a prepayment-only "
                    "distributor whose balance does not cover the order), 422 idempotency_key_reused.",
    )
    def create(self, request):
        data = json_body(request)
        key = (request.headers.get("Idempotency-Key") or "").strip() or None
        if key is not None and len(key) > IDEMPOTENCY_KEY_MAX:
            raise ValidationError({"Idempotency-Key": [_("At most %(n)s characters.") % {"n": IDEMPOTENCY_KEY_MAX}]})
        distributor = self._ordering_distributor(data)
        lines = data.get("lines")
        if not isinstance(lines, list):
            raise ValidationError({"lines": [_("Give a list of lines: [{\"product\": id, \"quantity\": n}].")]})
        submit = data.get("submit", False)
        if not isinstance(submit, bool):
            raise ValidationError({"submit": [_("Must be true or false.")]})
        note = data.get("note") or ""
        if not isinstance(note, str) or len(note) > 255:
            raise ValidationError({"note": [_("At most 255 characters.")]})
        pay = {name: data.get(name, False) for name in ("use_prepayment", "use_rebate")}
        for name, value in pay.items():
            if not isinstance(value, bool):
                raise ValidationError({name: [_("Must be true or false.")]})
        order = services.create_order(
            distributor=distributor, lines=lines, actor=request.user, submit=submit, note=note,
            idempotency_key=key, request_hash=request_hash(data) if key else "", **pay,
        )
        if order.replayed:
            return self._render(order, status.HTTP_201_CREATED, headers={"Idempotent-Replayed": "true"})
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)

    # --- edits and transitions -------------------------------------------------------------

    @extend_schema(summary="Edit the lines (and note) of a draft or submitted order", request=OrderUpdateSerializer,
                   responses={200: OrderSerializer, **TRANSITION_ERRORS},
                   description="A submitted order gives back its stock, is re-priced and re-reserved, and goes "
                               "through approval again. lines is required.")
    def partial_update(self, request, pk=None):
        order = self.get_object()
        data = json_body(request)
        lines = data.get("lines")
        if not isinstance(lines, list):
            raise ValidationError({"lines": [_("This field is required.")]})
        note = data.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > 255):
            raise ValidationError({"note": [_("At most 255 characters.")]})
        return self._render(services.update_order_lines(order_id=order.pk, lines=lines, actor=request.user,
                                                        note=note))

    @extend_schema(summary="Submit a draft (stock is reserved, auto-approval runs)", request=None,
                   responses={200: OrderSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        order = self.get_object()
        return self._render(services.submit_order(order_id=order.pk, actor=request.user))

    @extend_schema(summary="Pass the current review step (the last one approves)", request=NoteSerializer,
                   responses={200: OrderSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        order = self.get_object()
        serializer = NoteSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        return self._render(services.approve_order(order_id=order.pk, actor=request.user,
                                                   note=serializer.validated_data["note"]))

    @extend_schema(summary="Release a credit hold (finance): the order is approved if its stock can be reserved",
                   request=NoteSerializer, responses={200: OrderSerializer, **TRANSITION_ERRORS},
                   description="409 insufficient_stock when the stock is no longer there (the order stays on hold); "
                               "409 invalid_transition when the order is not on credit hold.")
    @action(detail=True, methods=["post"], url_path="release-hold")
    def release_hold(self, request, pk=None):
        order = self.get_object()
        serializer = NoteSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        return self._render(services.release_credit_hold(order_id=order.pk, actor=request.user,
                                                         note=serializer.validated_data["note"]))

    @extend_schema(summary="Reject (a reason is required; the stock is released)", request=ReasonSerializer,
                   responses={200: OrderSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        order = self.get_object()
        serializer = ReasonSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        return self._render(services.reject_order(order_id=order.pk, actor=request.user,
                                                  reason=serializer.validated_data["reason"]))

    @extend_schema(summary="Cancel (distributors: before approval; staff: until something ships)",
                   request=ReasonSerializer, responses={200: OrderSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order = self.get_object()
        serializer = ReasonSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        return self._render(services.cancel_order(order_id=order.pk, actor=request.user,
                                                  reason=serializer.validated_data["reason"]))

    @extend_schema(summary="Copy into a new draft at today's prices", request=None,
                   responses={201: OrderSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        order = self.get_object()
        return self._render(services.copy_order(order_id=order.pk, actor=request.user), status.HTTP_201_CREATED)

    @extend_schema(summary="The order's timeline (oldest first)", responses={200: OrderEventSerializer(many=True),
                                                                                404: ERR})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, pk=None):
        return Response(OrderEventSerializer(selectors.order_events(self.get_object()), many=True).data)


# --- returns ------------------------------------------------------------------------------


class ReturnFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=gettext_lazy("Search"))
    status = django_filters.MultipleChoiceFilter(choices=ReturnRequest.Status.choices,
                                                 label=gettext_lazy("Status"))
    order = django_filters.NumberFilter(field_name="order_id", label=gettext_lazy("Order"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=gettext_lazy("Distributor"))

    class Meta:
        model = ReturnRequest
        fields = ["search", "status", "order", "distributor"]

    def filter_search(self, qs, name, value):
        v = value.strip()
        return qs.filter(Q(number__icontains=v) | Q(order__number__icontains=v)) if v else qs


@extend_schema(tags=["returns"])
@extend_schema_view(
    list=extend_schema(summary="List returns (a distributor sees only its own)",
                       responses={200: ReturnSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="Return with its lines", responses={200: ReturnSerializer, 404: ERR}),
)
class ReturnViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = ReturnRequest
    serializer_class = ReturnSerializer
    parser_classes = [parsers.JSONParser]
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = ReturnFilter
    ordering_map = {"created": "created_at", "number": "number", "status": "status"}
    ordering_default = "-created_at"
    staff_perms = {
        "list": "orders.view_returnrequest",
        "retrieve": "orders.view_returnrequest",
        "create": "orders.change_returnrequest",
        "approve": "orders.change_returnrequest",
        "reject": "orders.change_returnrequest",
        "receive": "orders.change_returnrequest",
        "cancel": "orders.change_returnrequest",
    }
    portal_actions = frozenset({"list", "retrieve", "create", "cancel"})

    def scoped_queryset(self):
        return ReturnRequest.objects.select_related("order").prefetch_related(
            Prefetch("lines", ReturnLine.objects.select_related("order_line__product"))
        )

    def _render(self, ret, http_status=status.HTTP_200_OK):
        return Response(ReturnSerializer(self.scoped_queryset().get(pk=ret.pk)).data, status=http_status)

    @extend_schema(summary="Request a return of shipped goods", request=ReturnCreateSerializer,
                   responses={201: ReturnSerializer, **ERRORS})
    def create(self, request):
        serializer = ReturnCreateSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = Order.objects.filter(pk=data["order"]).first()  # scoped: the caller's orders only
        if order is None:
            raise ValidationError({"order": [_("Unknown order.")]})
        ret = services.request_return(order_id=order.pk, lines=data["lines"], reason=data["reason"],
                                      description=data["description"], actor=request.user)
        return self._render(ret, status.HTTP_201_CREATED)

    def _decide(self, approve: bool):
        ret = self.get_object()
        serializer = NoteSerializer(data=json_body(self.request))
        serializer.is_valid(raise_exception=True)
        return self._render(services.decide_return(return_id=ret.pk, approve=approve, actor=self.request.user,
                                                   note=serializer.validated_data["note"]))

    @extend_schema(summary="Approve the return", request=NoteSerializer,
                   responses={200: ReturnSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(True)

    @extend_schema(summary="Reject the return (a note is required)", request=NoteSerializer,
                   responses={200: ReturnSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(False)

    @extend_schema(summary="The goods arrived: back into stock through the ledger", request=None,
                   responses={200: ReturnSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        ret = self.get_object()
        return self._render(services.receive_return(return_id=ret.pk, actor=request.user))

    @extend_schema(summary="Withdraw the request (while requested)", request=None,
                   responses={200: ReturnSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        ret = self.get_object()
        return self._render(services.cancel_return(return_id=ret.pk, actor=request.user))
