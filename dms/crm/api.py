"""REST API of the distributors' customers.

A distributor token lists, reads, creates and updates only its own customers (another's
id answers 404, from the scoped manager). Brand staff read customers only with
``crm.view_customer_detail`` (a channel manager: his distributors' customers) and never
write them; without it the list answers 403 and ``/customers/summary/`` (which needs
``crm.view_customer``) gives the counts.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from dms.accounts.models import User
from dms.accounts.serializers import ErrorSerializer
from dms.core.api import json_body
from dms.distributors.api import AliasOrderingFilter, ScopedViewSet

from . import selectors, services
from .filters import CUSTOMER_ORDERING, CustomerFilter
from .models import Customer
from .serializers import (
    CustomerDetailSerializer,
    CustomerFollowUpSerializer,
    CustomerSerializer,
    CustomerSummarySerializer,
    CustomerWriteSerializer,
)

ERR = OpenApiResponse(ErrorSerializer)
DETAIL = "crm.view_customer_detail"


def _owner(data, distributor_id):
    if "owner" not in data:
        return {}
    if data["owner"] is None:
        return {"owner": None}
    user = User.objects.filter(pk=data["owner"], distributor_id=distributor_id).first()
    if user is None:
        raise ValidationError({"owner": [_("Choose an active user of this distributor.")]})
    return {"owner": user}


def _write_kwargs(data, distributor_id) -> dict:
    out = {k: v for k, v in data.items() if k not in ("owner", "contacts")}
    if "contacts" in data:
        out["contacts"] = [dict(c) for c in data["contacts"]]
    return {**out, **_owner(data, distributor_id)}


@extend_schema(tags=["customers"])
@extend_schema_view(
    list=extend_schema(summary="List customers (a distributor sees only its own)",
                       responses={200: CustomerSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="Customer with contacts and needs",
                           responses={200: CustomerDetailSerializer, 404: ERR}),
)
class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Customer
    serializer_class = CustomerSerializer
    parser_classes = [parsers.JSONParser]
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = CustomerFilter
    ordering_map = CUSTOMER_ORDERING
    ordering_default = "name"
    staff_perms = {"list": DETAIL, "retrieve": DETAIL, "follow_ups": DETAIL, "summary": "crm.view_customer"}
    portal_actions = frozenset({"list", "retrieve", "create", "update", "partial_update", "follow_ups",
                                "add_follow_up", "summary"})

    def scoped_queryset(self):
        qs = selectors.customers()
        return qs.prefetch_related("needs") if self.action == "retrieve" else qs

    def get_serializer_class(self):
        return CustomerDetailSerializer if self.action == "retrieve" else CustomerSerializer

    def _render(self, customer, http_status=status.HTTP_200_OK):
        customer = selectors.customers().prefetch_related("needs").get(pk=customer.pk)
        return Response(CustomerDetailSerializer(customer).data, status=http_status)

    @extend_schema(summary="Create a customer (409 duplicate_customer when the name or a phone exists)",
                   request=CustomerWriteSerializer,
                   responses={201: CustomerDetailSerializer, 400: ERR, 403: ERR, 409: ERR})
    def create(self, request):
        serializer = CustomerWriteSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        distributor_id = request.user.distributor_id
        customer = services.create_customer(distributor_id=distributor_id, actor=request.user,
                                            **_write_kwargs(serializer.validated_data, distributor_id))
        return self._render(customer, status.HTTP_201_CREATED)

    def _update(self, request, partial):
        customer = self.get_object()
        serializer = CustomerWriteSerializer(data=json_body(request), partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if partial and "allow_duplicate" not in request.data:
            data.pop("allow_duplicate", None)
        customer = services.update_customer(customer_id=customer.pk, actor=request.user,
                                            **_write_kwargs(data, customer.distributor_id))
        return self._render(customer)

    @extend_schema(summary="Replace a customer's fields (contacts replaced when given)",
                   request=CustomerWriteSerializer,
                   responses={200: CustomerDetailSerializer, 400: ERR, 403: ERR, 404: ERR, 409: ERR})
    def update(self, request, pk=None):
        return self._update(request, partial=False)

    @extend_schema(summary="Change some of a customer's fields", request=CustomerWriteSerializer,
                   responses={200: CustomerDetailSerializer, 400: ERR, 403: ERR, 404: ERR, 409: ERR})
    def partial_update(self, request, pk=None):
        return self._update(request, partial=True)

    @extend_schema(summary="The customer's follow-ups, newest first",
                   responses={200: CustomerFollowUpSerializer(many=True), 403: ERR, 404: ERR})
    @action(detail=True, methods=["get"], url_path="follow-ups", filter_backends=[])
    def follow_ups(self, request, pk=None):
        customer = self.get_object()
        page = self.paginate_queryset(selectors.follow_ups_of(customer))
        return self.get_paginated_response(CustomerFollowUpSerializer(page, many=True).data)

    @extend_schema(summary="Record a follow-up (date, channel, summary, next step and date)",
                   request=CustomerFollowUpSerializer, responses={201: CustomerFollowUpSerializer, 400: ERR, 403: ERR, 404: ERR})
    @follow_ups.mapping.post
    def add_follow_up(self, request, pk=None):
        customer = self.get_object()
        serializer = CustomerFollowUpSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        follow_up = services.add_follow_up(customer_id=customer.pk, actor=request.user, **serializer.validated_data)
        return Response(CustomerFollowUpSerializer(follow_up).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Counts by status, type, activity, province and distributor (no names of customers)",
                   responses={200: CustomerSummarySerializer, 403: ERR})
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def summary(self, request):
        data = selectors.aggregate(Customer.objects.all(), timezone.localdate(), by_distributor=True)
        data["provinces"] = [{**p, "label": str(p["label"])} for p in data["provinces"]]
        return Response(CustomerSummarySerializer(data).data)


def register(router):
    """Add this app's viewsets to the /api/v1/ router; return extra URL patterns."""
    router.register("customers", CustomerViewSet, basename="customer")
    return []

