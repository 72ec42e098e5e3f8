"""Tenant-scoped reads for the shipment pages, exports and PDFs (the request's scope applies)."""

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from dms.orders.models import Order

from .models import Discrepancy, Shipment, ShipmentLine
from .services import open_quantities


def shipments():
    # Subqueries, not joins: two joined to-many relations would multiply the sum.
    quantity = (ShipmentLine.objects.filter(shipment=OuterRef("pk")).order_by().values("shipment")
                .annotate(n=Sum("quantity")).values("n"))
    cases = (Discrepancy.objects.filter(shipment=OuterRef("pk"), status=Discrepancy.Status.OPEN).order_by()
             .values("shipment").annotate(n=Count("pk")).values("n"))
    return (Shipment.objects.select_related("order", "distributor", "warehouse", "carrier")
            .annotate(quantity_total=Coalesce(Subquery(quantity, output_field=IntegerField()), 0),
                      open_cases=Coalesce(Subquery(cases, output_field=IntegerField()), 0)))


def shipment_detail(pk: int) -> Shipment:
    """Raises Shipment.DoesNotExist outside the scope."""
    return (Shipment.objects.select_related("order", "distributor", "warehouse", "carrier", "created_by",
                                            "received_by")
            .prefetch_related("lines__product", "lines__order_line").get(pk=pk))


def shippable_order(pk: int) -> Order:
    """An approved (or partially shipped) order in scope; Order.DoesNotExist otherwise."""
    return (Order.objects.select_related("distributor", "warehouse")
            .filter(status__in=[Order.Status.APPROVED, Order.Status.PARTIALLY_SHIPPED]).get(pk=pk))


def open_lines(order: Order) -> list[dict]:
    """The order's lines with what is left to ship (ordered − shipped − being picked)."""
    left = open_quantities(order)
    lines = order.lines.select_related("product").order_by("product__sku")
    return [{"line": line, "product": line.product, "open": left.get(line.pk, 0),
             "picking": line.quantity - line.shipped_quantity - left.get(line.pk, 0)} for line in lines]


def discrepancies():
    return Discrepancy.objects.select_related("shipment", "shipment__order", "distributor", "reported_by",
                                              "resolved_by").prefetch_related("lines__shipment_line__product")
