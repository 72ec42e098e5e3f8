"""Finance API, the ledger part: balances per distributor, invoices, payments (recording
one honours Idempotency-Key), credit notes and the journal lines.

Everything comes from the scoped managers: a distributor user reads only its own, a
channel manager his distributors; another's object answers 404. Recording a payment
needs ``finance.post_journal`` (distributor users: 403).
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from dms.accounts.serializers import ErrorSerializer
from dms.core.api import json_body
from dms.core.pdf import pdf_response
from dms.distributors.api import AliasOrderingFilter, DistributorChildViewSet, ScopedViewSet
from dms.orders.api import IDEMPOTENCY_KEY_MAX, request_hash

from . import documents_ledger, payments, selectors_ledger
from .filters_ledger import (
    CREDIT_NOTE_ORDERING,
    INVOICE_ORDERING,
    PAYMENT_ORDERING,
    CreditNoteFilter,
    InvoiceFilter,
    JournalLineFilter,
    PaymentFilter,
)
from .models import Allocation, CreditNote, DistributorAccount, Invoice, JournalLine, Payment
from .serializers_ledger import (
    AccountSerializer,
    CreditNoteSerializer,
    InvoiceDetailSerializer,
    InvoiceSerializer,
    JournalLineSerializer,
    PaymentCreateSerializer,
    PaymentSerializer,
)

ERR = OpenApiResponse(ErrorSerializer)
VIEW_ACCOUNT = "finance.view_distributoraccount"
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Up to 64 characters. The same key with the same body answers the payment the first request "
                "recorded (201, header Idempotent-Replayed: true) and records nothing; the same key with another "
                "body is 422 idempotency_key_reused.")


@extend_schema(tags=["finance"])
class AccountViewSet(DistributorChildViewSet):
    model = DistributorAccount
    serializer_class = AccountSerializer
    staff_perms = {"retrieve": VIEW_ACCOUNT}
    portal_actions = frozenset({"retrieve"})

    @extend_schema(summary="A distributor's balances: receivable, prepayment, rebate (and deposit)",
                   responses={200: AccountSerializer, 403: ERR, 404: ERR})
    def retrieve(self, request, distributor_pk=None):
        account = get_object_or_404(DistributorAccount.objects.all(), distributor_id=self.distributor.pk)
        return Response(AccountSerializer(account).data)


def _invoices():
    return selectors_ledger.invoices().select_related("distributor", "order", "shipment")


@extend_schema(tags=["finance"])
@extend_schema_view(
    list=extend_schema(summary="List invoices (a distributor sees only its own)",
                       responses={200: InvoiceSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="Invoice with its lines and allocations",
                           responses={200: InvoiceDetailSerializer, 404: ERR}),
)
class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Invoice
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = InvoiceFilter
    ordering_map = INVOICE_ORDERING
    ordering_default = "-issue_date"
    staff_perms = {"list": "finance.view_invoice", "retrieve": "finance.view_invoice", "pdf": "finance.view_invoice"}
    portal_actions = frozenset({"list", "retrieve", "pdf"})

    def get_serializer_class(self):
        return InvoiceDetailSerializer if self.action == "retrieve" else InvoiceSerializer

    def scoped_queryset(self):
        if self.action == "retrieve":
            return _invoices().prefetch_related("lines__product", Prefetch(
                "allocations", Allocation.objects.select_related("invoice", "payment", "credit_note")))
        return _invoices()

    @extend_schema(summary="The invoice as PDF", responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ERR})
    def pdf(self, request, pk=None):
        invoice = self.get_object()
        return pdf_response(documents_ledger.invoice_pdf(invoice), documents_ledger.filename(invoice))


@extend_schema(tags=["finance"])
@extend_schema_view(
    list=extend_schema(summary="List payments (a distributor sees only its own)",
                       responses={200: PaymentSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="Payment with its allocations", responses={200: PaymentSerializer, 404: ERR}),
)
class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = Payment
    serializer_class = PaymentSerializer
    parser_classes = [parsers.JSONParser]
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = PaymentFilter
    ordering_map = PAYMENT_ORDERING
    ordering_default = "-received_on"
    staff_perms = {"list": "finance.view_payment", "retrieve": "finance.view_payment",
                   "create": "finance.post_journal"}
    portal_actions = frozenset({"list", "retrieve"})

    def scoped_queryset(self):
        return Payment.objects.select_related("distributor", "entry").prefetch_related(
            Prefetch("allocations", Allocation.objects.select_related("invoice")))

    @extend_schema(
        summary="Record a payment (finance; Idempotency-Key honoured)", parameters=[IDEMPOTENCY_KEY],
        request=PaymentCreateSerializer, responses={201: PaymentSerializer, 400: ERR, 403: ERR, 422: ERR},
        description="Allocations settle the distributor's open invoices (each at most its open amount, together "
                    "at most the amount); the rest goes to prepayment. Errors: 400 validation_error naming the "
                    "field (amount, allocations.<i>.invoice, allocations.<i>.amount), 422 idempotency_key_reused.")
    def create(self, request):
        data = json_body(request)
        key = (request.headers.get("Idempotency-Key") or "").strip() or None
        if key is not None and len(key) > IDEMPOTENCY_KEY_MAX:
            raise ValidationError({"Idempotency-Key": [_("At most %(n)s characters.") % {"n": IDEMPOTENCY_KEY_MAX}]})
        serializer = PaymentCreateSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        payment = payments.record_payment(
            distributor_id=v["distributor"], amount=v["amount"], method=v["method"], reference=v["reference"],
            received_on=v["received_on"], note=v["note"], allocations=[dict(a) for a in v["allocations"]],
            actor=request.user, idempotency_key=key, request_hash=request_hash(data) if key else "")
        headers = {"Idempotent-Replayed": "true"} if payment.replayed else None
        return Response(PaymentSerializer(self.scoped_queryset().get(pk=payment.pk)).data,
                        status=status.HTTP_201_CREATED, headers=headers)


@extend_schema(tags=["finance"])
@extend_schema_view(
    list=extend_schema(summary="List credit notes (a distributor sees only its own)",
                       responses={200: CreditNoteSerializer(many=True), 403: ERR}),
    retrieve=extend_schema(summary="Credit note", responses={200: CreditNoteSerializer, 404: ERR}),
)
class CreditNoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    model = CreditNote
    serializer_class = CreditNoteSerializer
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = CreditNoteFilter
    ordering_map = CREDIT_NOTE_ORDERING
    ordering_default = "-created_at"
    staff_perms = {"list": "finance.view_creditnote", "retrieve": "finance.view_creditnote"}
    portal_actions = frozenset({"list", "retrieve"})

    def scoped_queryset(self):
        return CreditNote.objects.select_related("distributor", "invoice", "return_request", "entry")


@extend_schema(tags=["finance"])
@extend_schema_view(list=extend_schema(summary="Journal lines (a distributor sees only its own)",
                                       responses={200: JournalLineSerializer(many=True), 403: ERR}))
class JournalLineViewSet(mixins.ListModelMixin, ScopedViewSet):
    model = JournalLine
    serializer_class = JournalLineSerializer
    filter_backends = [DjangoFilterBackend, AliasOrderingFilter]
    filterset_class = JournalLineFilter
    ordering_map = {"posted": "posted_at", "id": "id", "account": "account"}
    ordering_default = "id"
    staff_perms = {"list": "finance.view_journalentry"}
    portal_actions = frozenset({"list"})

    def scoped_queryset(self):
        return JournalLine.objects.select_related("entry")


def register(router):
    router.register("invoices", InvoiceViewSet, basename="invoice")
    router.register("payments", PaymentViewSet, basename="payment")
    router.register("credit-notes", CreditNoteViewSet, basename="credit-note")
    router.register("journal", JournalLineViewSet, basename="journal-line")
    return [
        path("distributors/<int:distributor_pk>/accounts/", AccountViewSet.as_view({"get": "retrieve"}),
             name="distributor-accounts"),
        path("invoices/<int:pk>/pdf/", InvoiceViewSet.as_view({"get": "pdf"}), name="invoice-pdf"),
    ]
