"""API shapes for shipments, their tracking, delivery discrepancies and carriers (I/O only)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Carrier, Discrepancy, Shipment, TrackingEvent


class CarrierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Carrier
        fields = ["id", "code", "name", "tracking_url", "is_active"]
        read_only_fields = fields


class ShipmentLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    order_line = serializers.IntegerField(source="order_line_id", read_only=True)
    product = serializers.IntegerField(source="product_id", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    name = serializers.CharField(source="product.name", read_only=True)
    quantity = serializers.IntegerField(read_only=True)


class ShipmentSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    carrier_name = serializers.SerializerMethodField()
    tracking_link = serializers.CharField(read_only=True)
    lines = ShipmentLineSerializer(many=True, read_only=True)
    delivery_note_url = serializers.SerializerMethodField()

    class Meta:
        model = Shipment
        fields = ["id", "number", "order", "order_number", "distributor", "warehouse", "warehouse_code", "status",
                  "carrier", "carrier_name", "tracking_number", "tracking_link", "ship_to", "note", "lines",
                  "created_at", "dispatched_at", "delivered_at", "received_at", "delivery_note_url"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_carrier_name(self, shipment):
        return shipment.carrier.name if shipment.carrier_id else None

    def get_delivery_note_url(self, shipment) -> str:
        return reverse("api_v1:shipment-delivery-note", args=[shipment.pk])


class ShipmentLineInputSerializer(serializers.Serializer):
    product = serializers.IntegerField(help_text=_("Product id (a product of the order)."))
    quantity = serializers.IntegerField(min_value=1)


class ShipmentCreateSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    lines = ShipmentLineInputSerializer(
        many=True, required=False, allow_empty=False,
        help_text=_("Leave out to ship everything not yet shipped or being picked."))
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    def validate_lines(self, lines):
        merged: dict[int, int] = {}
        for line in lines:
            merged[line["product"]] = merged.get(line["product"], 0) + line["quantity"]
        return merged


class DispatchSerializer(serializers.Serializer):
    carrier = serializers.CharField(help_text=_("Carrier id or code."))
    tracking_number = serializers.CharField(max_length=64)

    def validate_carrier(self, value):
        value = value.strip()
        qs = Carrier.objects.filter(is_active=True)
        carrier = qs.filter(pk=int(value)).first() if value.isdigit() else None
        carrier = carrier or qs.filter(code__iexact=value).first()
        if carrier is None:
            raise serializers.ValidationError(_("Unknown carrier."))
        return carrier


class TrackingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = ["id", "occurred_at", "location", "description", "is_delivery", "source"]
        read_only_fields = fields


class TrackingEventInputSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField(help_text=_("ISO 8601; without an offset it is local time."))
    description = serializers.CharField(max_length=255)
    location = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    is_delivery = serializers.BooleanField(required=False, default=False,
                                           help_text=_("The goods were delivered: the shipment counts as delivered."))


class DiscrepancyLineInputSerializer(serializers.Serializer):
    shipment_line = serializers.IntegerField()
    received_quantity = serializers.IntegerField(min_value=0)


class DiscrepancyCreateSerializer(serializers.Serializer):
    description = serializers.CharField()
    lines = DiscrepancyLineInputSerializer(many=True, required=False, default=list)

    def validate_lines(self, lines):
        return {line["shipment_line"]: line["received_quantity"] for line in lines}


class DiscrepancyLineSerializer(serializers.Serializer):
    shipment_line = serializers.IntegerField(source="shipment_line_id")
    sku = serializers.CharField(source="shipment_line.product.sku")
    shipped_quantity = serializers.IntegerField(source="shipment_line.quantity")
    received_quantity = serializers.IntegerField()


class DiscrepancySerializer(serializers.ModelSerializer):
    lines = DiscrepancyLineSerializer(many=True, read_only=True)

    class Meta:
        model = Discrepancy
        fields = ["id", "shipment", "status", "description", "resolution", "lines", "reported_at", "resolved_at"]
        read_only_fields = fields
