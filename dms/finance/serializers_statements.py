"""API shapes for statements and settlements (I/O only; money as strings)."""

from django.urls import reverse
from rest_framework import serializers

from .models import Settlement, Statement, StatementDispute, StatementLine


class StatementLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatementLine
        fields = ["id", "date", "kind", "reference", "description", "debit", "credit", "balance"]
        read_only_fields = fields


class StatementDisputeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatementDispute
        fields = ["id", "line", "comment", "raised_at", "resolution", "resolved_at"]
        read_only_fields = fields


class StatementSerializer(serializers.ModelSerializer):
    distributor_code = serializers.CharField(source="distributor.code", read_only=True)
    pdf_url = serializers.SerializerMethodField()
    xlsx_url = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = ["id", "number", "distributor", "distributor_code", "period_start", "period_end", "status",
                  "opening_balance", "invoices_amount", "payments_amount", "credit_notes_amount", "rebates_amount",
                  "other_amount", "closing_balance", "generated_at", "confirmed_at", "confirmed_by", "pdf_url",
                  "xlsx_url"]
        read_only_fields = fields

    def get_pdf_url(self, statement) -> str:
        return reverse("api_v1:statement-pdf", args=[statement.pk])

    def get_xlsx_url(self, statement) -> str:
        return reverse("api_v1:statement-xlsx", args=[statement.pk])


class StatementDetailSerializer(StatementSerializer):
    lines = StatementLineSerializer(many=True, read_only=True)
    disputes = StatementDisputeSerializer(many=True, read_only=True)

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "lines", "disputes"]
        read_only_fields = fields


class GenerateSerializer(serializers.Serializer):
    distributor = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()


class DisputeSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=4000)
    line = serializers.IntegerField(required=False, allow_null=True)


class SettlementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Settlement
        fields = ["id", "number", "distributor", "kind", "status", "amount", "description", "created_at",
                  "decided_at", "decision_note"]
        read_only_fields = fields
