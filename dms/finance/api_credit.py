"""Credit API: a distributor's credit (``GET``/``PATCH /api/v1/distributors/{id}/credit/``).
The holds themselves are released through the order (``POST /api/v1/orders/{id}/release-hold/``)."""

from django.urls import re_path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, serializers
from rest_framework.response import Response

from dms.accounts.serializers import ErrorSerializer
from dms.core.api import json_body
from dms.distributors.api import DistributorChildViewSet

from . import credit
from .ledger import ensure_account

ERR = OpenApiResponse(ErrorSerializer)
MONEY = {"max_digits": 18, "decimal_places": 2, "coerce_to_string": True, "read_only": True}


class CreditSerializer(serializers.Serializer):
    credit_limit = serializers.DecimalField(**MONEY)
    receivable = serializers.DecimalField(**MONEY)
    open_orders = serializers.DecimalField(**MONEY, help_text="Approved orders not invoiced yet.")
    available = serializers.DecimalField(**MONEY, help_text="credit_limit − receivable − open_orders.")
    on_hold = serializers.BooleanField(read_only=True)
    score = serializers.IntegerField(read_only=True, allow_null=True)


class CreditLimitSerializer(serializers.Serializer):
    credit_limit = serializers.CharField(help_text='A decimal string with at most 2 places, e.g. "80000.00".')
    reason = serializers.CharField(required=False, allow_blank=True, max_length=255)


@extend_schema(tags=["finance"])
class CreditViewSet(DistributorChildViewSet):
    parser_classes = [parsers.JSONParser]
    staff_perms = {"retrieve": "finance.view_distributoraccount", "partial_update": "finance.change_credit_limit"}
    portal_actions = frozenset({"retrieve"})

    def _render(self):
        return Response(CreditSerializer(credit.credit_summary(ensure_account(self.distributor))).data)

    @extend_schema(summary="A distributor's credit", responses={200: CreditSerializer, 403: ERR, 404: ERR})
    def retrieve(self, request, distributor_pk=None):
        return self._render()

    @extend_schema(summary="Change the credit limit (finance; recorded in the limit history and the audit log)",
                   request=CreditLimitSerializer, responses={200: CreditSerializer, 400: ERR, 403: ERR, 404: ERR})
    def partial_update(self, request, distributor_pk=None):
        data = json_body(request)
        if "credit_limit" not in data:
            raise serializers.ValidationError({"credit_limit": [_("This field is required.")]})
        credit.set_credit_limit(distributor_id=self.distributor.pk, credit_limit=data["credit_limit"],
                                actor=request.user, reason=str(data.get("reason") or ""))
        return self._render()


def register(router):
    view = CreditViewSet.as_view({"get": "retrieve", "patch": "partial_update"}, detail=False)
    return [re_path(r"^distributors/(?P<distributor_pk>\d+)/credit/$", view, name="distributor-credit")]
