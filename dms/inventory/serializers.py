"""API shapes for warehouses, stock levels, adjustments and the stock-move ledger (I/O only)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import StockLevel, StockMove, Warehouse


class WarehouseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "address", "provinces", "is_default", "is_active"]
        read_only_fields = fields


class PortalWarehouseSerializer(serializers.ModelSerializer):
    """What a distributor user sees of a warehouse."""

    class Meta:
        model = Warehouse
        fields = ["id", "code", "name"]
        read_only_fields = fields


class StockLevelSerializer(serializers.ModelSerializer):
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    name = serializers.CharField(source="product.name", read_only=True)
    available = serializers.IntegerField(read_only=True, help_text=_("On hand − reserved."))

    class Meta:
        model = StockLevel
        fields = ["id", "warehouse", "warehouse_code", "product", "sku", "name", "on_hand", "reserved", "available",
                  "updated_at"]
        read_only_fields = fields


class StockMoveSerializer(serializers.ModelSerializer):
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = StockMove
        fields = ["id", "warehouse", "warehouse_code", "product", "sku", "kind", "on_hand_delta", "reserved_delta",
                  "reference", "reason", "actor", "created_at"]
        read_only_fields = fields

    def to_representation(self, move):
        data = super().to_representation(move)
        if move.reference and move.reference in self.context.get("hidden_references", ()):
            data["reference"], data["actor"] = "", None  # another distributor's document (see api.py)
        return data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, move):
        if move.actor_id is None:
            return None
        return move.actor.get_full_name() or move.actor.username


class AdjustmentSerializer(serializers.Serializer):
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    product = serializers.IntegerField(help_text=_("Product id."))
    quantity = serializers.IntegerField(help_text=_("Signed whole number: + adds to on hand, − removes."))
    reason = serializers.CharField(max_length=255)

    def validate_product(self, value):
        from dms.catalog.models import Product

        if not Product.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("Unknown product."))
        return value

    def validate_quantity(self, value):
        if value == 0:
            raise serializers.ValidationError(_("Must not be zero."))
        return value
