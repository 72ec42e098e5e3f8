"""Reads of orders and returns shared by the back-office pages. Every query runs inside
the request's tenant scope (``TenantManager``): a channel manager sees only his
distributors' orders."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from dms.audit.selectors import history_for
from dms.catalog.models import Product, to_money
from dms.catalog.pricing import price_for, promotions_for, with_prices
from dms.distributors.models import Distributor
from dms.inventory.selectors import availability

from .models import ApprovalStep, Order, OrderEvent, OrderLine, ReturnLine, ReturnRequest

FINAL_STATUSES = {Order.Status.COMPLETED, Order.Status.REJECTED, Order.Status.CANCELLED}
PRODUCT_SEARCH_LIMIT = 15


def order_list():
    return Order.objects.select_related("distributor", "warehouse", "current_step", "created_by")


def get_order(pk) -> Order:
    """One order of the scope (``Order.DoesNotExist`` otherwise, which pages turn into 404)."""
    return Order.objects.select_related(
        "distributor", "distributor__tier", "distributor__channel_manager", "warehouse", "current_step",
        "created_by", "copied_from",
    ).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product", "promotion")),
    ).get(pk=pk)


def order_events(order):
    return OrderEvent.objects.filter(order=order).select_related("actor").order_by("created_at", "id")


def order_audit(order, limit: int = 30):
    return history_for(order, limit)


def review_queue(user):
    """Submitted orders waiting for a review step of one of ``user``'s roles (an
    administrator sees every step's queue). Regional scoping comes from the scope."""
    qs = order_list().filter(status=Order.Status.SUBMITTED, current_step__isnull=False)
    if not (user.is_superuser or user.has_role("admin")):
        qs = qs.filter(current_step__role__in=user.role_names)
    return qs.order_by("submitted_at", "id")


def pipeline_steps():
    return list(ApprovalStep.objects.order_by("position"))


def may_review(user, order) -> bool:
    """The order waits for a step this user's role decides."""
    if order.status != Order.Status.SUBMITTED or not user.has_perm("orders.approve_order"):
        return False
    if user.is_superuser or user.has_role("admin"):
        return True
    return order.current_step is not None and user.has_role(order.current_step.role)


def order_actions(user, order) -> dict[str, bool]:
    """What ``user`` may do with ``order`` now, by permission and status."""
    status = order.status
    review = may_review(user, order)
    on_behalf = user.has_perm("orders.order_on_behalf")
    shipped = any(line.shipped_quantity for line in order.lines.all())
    release = status == Order.Status.CREDIT_HOLD and user.has_perm("finance.release_credit_hold")
    return {
        "approve": review,
        "reject": review or release,
        "release_hold": release,
        "submit": status == Order.Status.DRAFT and on_behalf,
        "edit": order.is_editable and on_behalf,
        "copy": on_behalf and order.distributor.status == Distributor.Status.ACTIVE,
        "cancel": user.has_perm("orders.change_order") and order.can_change_to(Order.Status.CANCELLED)
        and not shipped,
        "ship": status in (Order.Status.APPROVED, Order.Status.PARTIALLY_SHIPPED)
        and user.has_perm("logistics.dispatch_shipment"),
    }


def order_shipments(order):
    from dms.logistics.models import Shipment

    return Shipment.objects.filter(order=order).select_related("carrier", "warehouse").order_by("created_at", "id")


def order_returns(order):
    return ReturnRequest.objects.filter(order=order).prefetch_related("lines__order_line__product")


def return_list():
    return ReturnRequest.objects.select_related("distributor", "order", "created_by")


def get_return(pk) -> ReturnRequest:
    return ReturnRequest.objects.select_related("distributor", "order", "order__warehouse", "created_by").prefetch_related(
        Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line", "order_line__product"))
    ).get(pk=pk)


# --- ordering on a distributor's behalf -----------------------------------------------

@dataclass
class LinePreview:
    product: Product | None
    product_id: int
    quantity: int
    unit_price: Decimal = Decimal("0.00")
    gross_amount: Decimal = Decimal("0.00")
    amount: Decimal = Decimal("0.00")
    discount_amount: Decimal = Decimal("0.00")
    promotion: object = None
    error: str = ""
    stock: dict | None = None


def preview_lines(distributor, lines: list[tuple[int, int]]) -> tuple[list[LinePreview], dict]:
    """Price ``[(product_id, quantity)]`` for the order form without refusing anything:
    each line carries its resolved price, its promotion, its MOQ/multiple problem and
    the availability the distributor's warehouse shows. Returns (lines, totals)."""
    ids = [pid for pid, _qty in lines]
    products = {p.pk: p for p in with_prices(Product.objects.filter(pk__in=ids), distributor)} if ids else {}
    promotions = promotions_for(distributor, ids) if products else {}
    stock = availability(distributor, ids) if ids else {}
    result = []
    for pid, qty in lines:
        product = products.get(pid)
        row = LinePreview(product=product, product_id=pid, quantity=qty, stock=stock.get(pid))
        if product is None:
            row.error = _("Unknown product.")
        elif product.status != Product.Status.ACTIVE:
            row.error = _("%(sku)s is discontinued.") % {"sku": product.sku}
        else:
            row.error = str(product.quantity_error(qty) or "") if qty > 0 else _("The quantity must be at least 1.")
            row.unit_price, _source = price_for(product)
            row.gross_amount = row.amount = to_money(row.unit_price * max(qty, 0))
            for promotion in promotions.get(pid, ()):
                amount = promotion.line_amount(row.unit_price, max(qty, 0))
                if amount < row.amount:
                    row.amount, row.promotion = amount, promotion
            row.discount_amount = row.gross_amount - row.amount
        result.append(row)
    subtotal = to_money(sum((r.gross_amount for r in result), Decimal(0)))
    total = to_money(sum((r.amount for r in result), Decimal(0)))
    return result, {"subtotal": subtotal, "discount": subtotal - total, "total": total,
                    "has_errors": any(r.error for r in result)}


def product_search(distributor, query: str, exclude=()):
    """Active products matching SKU, barcode or name, with the distributor's price and
    availability (at most PRODUCT_SEARCH_LIMIT)."""
    query = (query or "").strip()
    if not query:
        return []
    qs = Product.objects.filter(status=Product.Status.ACTIVE).filter(
        Q(sku__icontains=query) | Q(name__icontains=query) | Q(barcode=query)).exclude(pk__in=list(exclude))
    products = list(with_prices(qs.order_by("sku"), distributor)[:PRODUCT_SEARCH_LIMIT])
    stock = availability(distributor, [p.pk for p in products])
    return [{"product": p, "price": price_for(p)[0], "stock": stock.get(p.pk)} for p in products]
