"""Finance API, the statements part: statements (list, detail, generate, confirm, dispute,
PDF, Excel) and settlements (read).

Rows come from the scoped managers: a distributor token sees only its own statements and
another's id answers 404; a channel manager only his distributors'. Generating needs
``finance.manage_statement``; confirming and disputing are the distributor's."""

import django_filters
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
from dms.distributors.models import Distributor

from . import statement_documents as documents
from . import statements as services
from .models import Settlement, Statement
from .serializers_statements import (
    DisputeSerializer,
    GenerateSerializer,
    SettlementSerializer,
    StatementDetailSerializer,
    StatementDisputeSerializer,
    StatementSerializer,
)

ERR = OpenApiResponse(ErrorSerializer)
TRANSITION_ERRORS = {400: ERR, 403: ERR, 404: ERR, 409: ERR}
VIEW, MANAGE = "finance.view_statement", "finance.manage_statement"


class StatementFilter(django_filters.FilterSet):
    distributor = django_filters.NumberFilter(field_name="distributor_id")
    status = django_filters.MultipleChoiceFilter(choices=Statement.Status.choices)
    period_start = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_end = django_filters.DateFilter(field_name="period_end", lookup_expr="lte")

    class Meta:
        model = Statement
        fields = ["distributor", "status", "period_start", "period_end"]


class SettlementFilter(django_filters.FilterSet):
    distributor = django_filters.NumberFilter(field_name="distributor_id")
    status = django_filters.MultipleChoiceFilter(choices=Settlement.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Settlement.Kind.choices)

    class Meta:
        model = Settlement
        fields = ["distributor", "status", "kind"]


@extend_schema(tags=["statements"])
@extend_schema_view(
    list=extend_schema(summary="List statements (a distributor sees only its own)",
                       responses={200: StatementSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="Statement with its lines and disputes",
                           responses={200: StatementDetailSerializer, 404: ERR}),
)
class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Statement
    serializer_class = StatementSerializer
    parser_classes = [parsers.JSONParser]
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = StatementFilter
    ordering_map = {"period": "period_end", "number": "number", "status": "status", "closing": "closing_balance"}
    ordering_default = "-period_end"
    staff_perms = {"list": VIEW, "retrieve": VIEW, "pdf": VIEW, "xlsx": VIEW, "generate": MANAGE}
    portal_actions = frozenset({"list", "retrieve", "pdf", "xlsx", "confirm", "dispute"})

    def scoped_queryset(self):
        qs = Statement.objects.select_related("distributor")
        if self.action == "retrieve":
            qs = qs.prefetch_related("lines", "disputes")
        return qs

    def get_serializer_class(self):
        return StatementDetailSerializer if self.action == "retrieve" else StatementSerializer

    def _render(self, statement, http_status=status.HTTP_200_OK):
        statement = self.scoped_queryset().prefetch_related("lines", "disputes").get(pk=statement.pk)
        return Response(StatementDetailSerializer(statement).data, status=http_status)

    @extend_schema(summary="Generate (or regenerate, unless confirmed) a distributor's statement for a period",
                   request=GenerateSerializer, responses={201: StatementDetailSerializer, 400: ERR, 403: ERR})
    @action(detail=False, methods=["post"])
    def generate(self, request):
        serializer = GenerateSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        distributor = Distributor.objects.filter(pk=data["distributor"]).first()  # scoped
        if distributor is None:
            raise ValidationError({"distributor": [_("Unknown distributor.")]})
        statement = services.generate_statement(distributor_id=distributor.pk, period_start=data["period_start"],
                                                period_end=data["period_end"], actor=request.user)
        return self._render(statement, status.HTTP_201_CREATED)

    @extend_schema(summary="The distributor confirms the statement", request=None,
                   responses={200: StatementDetailSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        statement = self.get_object()
        return self._render(services.confirm_statement(statement_id=statement.pk, actor=request.user))

    @extend_schema(summary="The distributor disputes the statement or one line", request=DisputeSerializer,
                   responses={201: StatementDisputeSerializer, **TRANSITION_ERRORS})
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        statement = self.get_object()
        serializer = DisputeSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        dispute = services.dispute_statement(statement_id=statement.pk, actor=request.user,
                                             comment=serializer.validated_data["comment"],
                                             line_id=serializer.validated_data.get("line"))
        return Response(StatementDisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="The statement as PDF (Chinese)",
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ERR})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        statement = self.get_object()
        return pdf_response(documents.statement_pdf(statement), documents.filename(statement) + ".pdf")

    @extend_schema(summary="The statement as Excel",
                   responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
                              OpenApiTypes.BINARY, 404: ERR})
    @action(detail=True, methods=["get"])
    def xlsx(self, request, pk=None):
        return documents.statement_xlsx(self.get_object())


@extend_schema(tags=["settlements"])
@extend_schema_view(
    list=extend_schema(summary="List settlements (rebate payouts, prepayment refunds)",
                       responses={200: SettlementSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="Settlement", responses={200: SettlementSerializer, 404: ERR}),
)
class SettlementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Settlement
    serializer_class = SettlementSerializer
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = SettlementFilter
    ordering_map = {"created": "created_at", "amount": "amount", "status": "status"}
    ordering_default = "-created_at"
    staff_perms = {"list": "finance.view_settlement", "retrieve": "finance.view_settlement"}
    portal_actions = frozenset({"list", "retrieve"})

    def scoped_queryset(self):
        return Settlement.objects.all()


def register(router):
    router.register("statements", StatementViewSet, basename="statement")
    router.register("settlements", SettlementViewSet, basename="settlement")
    return []
