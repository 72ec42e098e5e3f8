"""API shapes for orders, their timeline and returns (I/O only: no writes here).

Money is a decimal string, times ISO 8601 with offset (REST_FRAMEWORK settings).
``OrderSerializer`` renders an order from what is already loaded: the create endpoint
hands it the order ``create_order`` returned, whose ``lines_cache`` holds the new lines
with their products, so rendering costs no query.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Order, OrderEvent, OrderLine, ReturnRequest

MONEY = {"max_digits": 18, "decimal_places": 2, "read_only": True}


class OrderLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product = serializers.IntegerField(source="product_id", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    name = serializers.CharField(source="product.name", read_only=True)
    unit = serializers.CharField(source="product.unit", read_only=True)
    quantity = serializers.IntegerField(read_only=True)
    unit_price = serializers.DecimalField(**MONEY)
    discount = serializers.DecimalField(source="discount_amount", **MONEY)
    amount = serializers.DecimalField(**MONEY)
    promotion = serializers.IntegerField(source="promotion_id", read_only=True, allow_null=True)
    shipped_quantity = serializers.IntegerField(read_only=True)
    returned_quantity = serializers.IntegerField(read_only=True)


def order_lines(order) -> list[OrderLine]:
    """The order's lines: those create_order just wrote, else the (prefetched) relation."""
    cached = getattr(order, "lines_cache", None)
    if cached is not None:
        return cached
    return list(order.lines.all())


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=Order.Status.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    distributor = serializers.IntegerField(source="distributor_id", read_only=True)
    distributor_code = serializers.CharField(source="distributor.code", read_only=True)
    distributor_name = serializers.CharField(source="distributor.name", read_only=True)
    warehouse = serializers.IntegerField(source="warehouse_id", read_only=True, allow_null=True)
    waiting_for = serializers.SerializerMethodField(
        help_text=_("Code of the review step a submitted order waits for (null otherwise)."))
    currency = serializers.CharField(read_only=True)
    subtotal = serializers.DecimalField(source="subtotal_amount", **MONEY)
    discount = serializers.DecimalField(source="discount_amount", **MONEY)
    total = serializers.DecimalField(source="total_amount", **MONEY)
    note = serializers.CharField(read_only=True)
    status_reason = serializers.CharField(read_only=True)
    copied_from = serializers.IntegerField(source="copied_from_id", read_only=True, allow_null=True)
    lines = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    approved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    shipped_at = serializers.DateTimeField(read_only=True, allow_null=True)
    delivered_at = serializers.DateTimeField(read_only=True, allow_null=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_waiting_for(self, order):
        if order.current_step_id is None:
            return None
        return order.current_step.code

    @extend_schema_field(OrderLineSerializer(many=True))
    def get_lines(self, order):
        return OrderLineSerializer(order_lines(order), many=True).data

    def to_representation(self, order):
        """The fields declared above, built directly: this is the answer of the benchmarked
        order path, and DRF's per-field machinery was a tenth of its CPU. A test pins that
        it equals DRF's own rendering."""
        dt, money = _DATETIME.to_representation, _money
        return {
            "id": order.pk, "number": order.number, "status": order.status,
            "status_label": str(order.get_status_display()), "distributor": order.distributor_id,
            "distributor_code": order.distributor.code, "distributor_name": order.distributor.name,
            "warehouse": order.warehouse_id, "waiting_for": self.get_waiting_for(order), "currency": order.currency,
            "subtotal": money(order.subtotal_amount), "discount": money(order.discount_amount),
            "total": money(order.total_amount), "note": order.note, "status_reason": order.status_reason,
            "copied_from": order.copied_from_id,
            "lines": [{
                "id": line.pk, "product": line.product_id, "sku": line.product.sku, "name": line.product.name,
                "unit": line.product.unit, "quantity": line.quantity, "unit_price": money(line.unit_price),
                "discount": money(line.discount_amount), "amount": money(line.amount),
                "promotion": line.promotion_id, "shipped_quantity": line.shipped_quantity,
                "returned_quantity": line.returned_quantity,
            } for line in order_lines(order)],
            "created_at": dt(order.created_at), "submitted_at": dt(order.submitted_at),
            "approved_at": dt(order.approved_at), "shipped_at": dt(order.shipped_at),
            "delivered_at": dt(order.delivered_at), "completed_at": dt(order.completed_at),
        }


_DATETIME = serializers.DateTimeField()
_MONEY = serializers.DecimalField(max_digits=18, decimal_places=2)


def _money(value):
    return None if value is None else _MONEY.to_representation(value)


class OrderLineInputSerializer(serializers.Serializer):
    product = serializers.IntegerField(help_text=_("Product id."))
    quantity = serializers.IntegerField(help_text=_("Whole units; at least the MOQ and a multiple of the order "
                                                    "multiple."))


class OrderCreateSerializer(serializers.Serializer):
    """Only documents the body: the lines are checked by the service (one 400 naming every
    bad line), so that the statement count of the order path stays what it is."""

    distributor = serializers.IntegerField(
        required=False, help_text=_("Staff only (needs orders.order_on_behalf). A distributor user orders for "
                                    "his own distributor: another id is a 400."))
    lines = OrderLineInputSerializer(many=True)
    submit = serializers.BooleanField(
        required=False, default=False,
        help_text=_("Submit at once: stock is reserved and the auto-approval rules run in the same request, so "
                    "the answer's status is approved or submitted (waiting for review)."))
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    use_prepayment = serializers.BooleanField(
        required=False, default=False,
        help_text=_("Pay from the prepayment balance (always so for a prepayment-only distributor)."))
    use_rebate = serializers.BooleanField(
        required=False, default=False,
        help_text=_("Let the rebate balance pay up to the configured share of the order."))


class OrderUpdateSerializer(serializers.Serializer):
    lines = OrderLineInputSerializer(many=True, required=False)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class OrderEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    message = serializers.CharField(source="text", read_only=True)

    class Meta:
        model = OrderEvent
        fields = ["id", "kind", "from_status", "to_status", "message", "actor", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event):
        if event.actor_id is None:
            return None
        return event.actor.get_full_name() or event.actor.username


# --- returns ---------------------------------------------------------------------------


class ReturnLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    order_line = serializers.IntegerField(source="order_line_id", read_only=True)
    product = serializers.IntegerField(source="order_line.product_id", read_only=True)
    sku = serializers.CharField(source="order_line.product.sku", read_only=True)
    name = serializers.CharField(source="order_line.product.name", read_only=True)
    quantity = serializers.IntegerField(read_only=True)


class ReturnSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    lines = ReturnLineSerializer(many=True, read_only=True)

    class Meta:
        model = ReturnRequest
        fields = ["id", "number", "order", "order_number", "distributor", "status", "reason", "description",
                  "decision_note", "lines", "created_at", "decided_at", "received_at"]
        read_only_fields = fields


class ReturnLineInputSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(help_text=_("Id of a shipped line of the order."))
    quantity = serializers.IntegerField(min_value=1)


class ReturnCreateSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    lines = ReturnLineInputSerializer(many=True, allow_empty=False)
    reason = serializers.ChoiceField(choices=ReturnRequest.Reason.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_lines(self, lines):
        merged: dict[int, int] = {}
        for line in lines:
            merged[line["order_line"]] = merged.get(line["order_line"], 0) + line["quantity"]
        return merged
