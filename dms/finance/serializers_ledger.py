"""API shapes of the ledger part (I/O only; money as decimal strings)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Allocation, CreditNote, DistributorAccount, Invoice, InvoiceLine, JournalLine, Payment


class AccountSerializer(serializers.ModelSerializer):
    distributor = serializers.IntegerField(source="distributor_id", read_only=True)
    currency = serializers.SerializerMethodField()
    prepayment_available = serializers.SerializerMethodField()

    class Meta:
        model = DistributorAccount
        fields = ["distributor", "currency", "receivable", "prepayment", "prepayment_reserved",
                  "prepayment_available", "rebate", "deposit", "updated_at"]
        read_only_fields = fields

    def get_currency(self, account) -> str:
        from django.conf import settings

        return settings.CURRENCY

    def get_prepayment_available(self, account) -> str:
        return str(account.prepayment - account.prepayment_reserved)


class InvoiceLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True, default="")

    class Meta:
        model = InvoiceLine
        fields = ["id", "product", "sku", "description", "quantity", "unit_price", "tax_rate", "net_amount",
                  "tax_amount", "amount"]
        read_only_fields = fields


class AllocationSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    payment_number = serializers.CharField(source="payment.number", read_only=True, default=None)
    credit_note_number = serializers.CharField(source="credit_note.number", read_only=True, default=None)

    class Meta:
        model = Allocation
        fields = ["id", "invoice", "invoice_number", "source", "payment", "payment_number", "credit_note",
                  "credit_note_number", "amount", "reversed", "created_at"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    distributor_code = serializers.CharField(source="distributor.code", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True, default=None)
    shipment_number = serializers.CharField(source="shipment.number", read_only=True, default=None)
    open_amount = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    # A plain string in the schema: an enum named "status" would collide with other apps'.
    status = serializers.CharField(read_only=True, help_text=_("open, partially_paid, paid or cancelled."))
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = ["id", "number", "distributor", "distributor_code", "order", "order_number", "shipment",
                  "shipment_number", "status", "currency", "issue_date", "due_date", "net_amount", "tax_amount",
                  "total_amount", "paid_amount", "open_amount", "overdue", "pdf_url", "created_at"]
        read_only_fields = fields

    def get_pdf_url(self, invoice) -> str:
        return reverse("api_v1:invoice-pdf", args=[invoice.pk])


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    allocations = AllocationSerializer(many=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "lines", "allocations"]
        read_only_fields = fields


class PaymentAllocationSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = Allocation
        fields = ["invoice", "invoice_number", "amount", "reversed"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    distributor_code = serializers.CharField(source="distributor.code", read_only=True)
    allocations = PaymentAllocationSerializer(many=True, read_only=True)
    entry = serializers.CharField(source="entry.number", read_only=True, default=None)

    class Meta:
        model = Payment
        fields = ["id", "number", "distributor", "distributor_code", "amount", "method", "reference", "received_on",
                  "note", "to_prepayment", "allocations", "entry", "reversed_at", "created_at"]
        read_only_fields = fields


class AllocationInputSerializer(serializers.Serializer):
    invoice = serializers.IntegerField()
    amount = serializers.CharField(help_text=_("Decimal string, e.g. \"1200.00\"."))


class PaymentCreateSerializer(serializers.Serializer):
    distributor = serializers.IntegerField()
    amount = serializers.CharField(help_text=_("Decimal string, at most 2 decimals, greater than zero."))
    method = serializers.ChoiceField(choices=Payment.Method.choices, default=Payment.Method.BANK_TRANSFER)
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    received_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    allocations = AllocationInputSerializer(many=True, required=False, default=list,
                                            help_text=_("Leave out to put the whole amount on prepayment."))


class CreditNoteSerializer(serializers.ModelSerializer):
    distributor_code = serializers.CharField(source="distributor.code", read_only=True)
    invoice_number = serializers.CharField(source="invoice.number", read_only=True, default=None)
    return_number = serializers.CharField(source="return_request.number", read_only=True, default=None)
    entry = serializers.CharField(source="entry.number", read_only=True, default=None)

    class Meta:
        model = CreditNote
        fields = ["id", "number", "distributor", "distributor_code", "kind", "invoice", "invoice_number",
                  "return_request", "return_number", "reason", "net_amount", "tax_amount", "total_amount", "entry",
                  "created_at"]
        read_only_fields = fields


class JournalLineSerializer(serializers.ModelSerializer):
    entry = serializers.CharField(source="entry.number", read_only=True)
    entry_id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(source="entry.kind", read_only=True)
    memo = serializers.CharField(source="entry.memo", read_only=True)

    class Meta:
        model = JournalLine
        fields = ["id", "entry", "entry_id", "kind", "account", "distributor", "debit", "credit", "posted_at", "memo"]
        read_only_fields = fields
