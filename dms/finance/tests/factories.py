"""Ledger test data: shipped orders and their invoices, made through the real services."""

from decimal import Decimal

from dms.core.testing.factories import ProductFactory, UserFactory, stock
from dms.logistics import services as logistics
from dms.logistics.models import Carrier
from dms.orders import services as orders

from .. import invoicing


def finance_user(username="fin1"):
    from dms.accounts.models import User

    return User.objects.filter(username=username).first() or UserFactory(username=username, roles=["finance"])


def approved_order(distributor, *lines, actor=None, **pay):
    """An approved order; each line is (unit price, quantity[, vat rate])."""
    wanted = []
    for line in lines:
        price, quantity, *rate = line
        product = ProductFactory(base_price=Decimal(price), vat_rate=Decimal(rate[0] if rate else "0.13"))
        stock(product, quantity + 10)
        wanted.append({"product": product.pk, "quantity": quantity})
    order = orders.create_order(distributor=distributor, lines=wanted, submit=True, actor=actor, **pay)
    order.refresh_from_db()
    if order.status != order.Status.APPROVED:
        order = orders.approve_order(order_id=order.pk, actor=UserFactory(roles=["admin"]))
    return order


def shipped(order, quantities=None, actor=None):
    """Create and dispatch a shipment of ``order`` ({order line id: quantity}, or all)."""
    actor = actor or UserFactory(roles=["admin"])
    lines = None
    if quantities:
        by_line = {line.pk: line.product_id for line in order.lines.all()}
        lines = {by_line[line_id]: q for line_id, q in quantities.items()}
    shipment = logistics.create_shipment(order_id=order.pk, lines=lines, actor=actor)
    carrier = Carrier.objects.get_or_create(code="SF", defaults={"name": "顺丰速运"})[0]
    return logistics.dispatch_shipment(shipment_id=shipment.pk, carrier=carrier, tracking_number=f"SF{shipment.pk:010d}",
                                       actor=actor)


def invoice(distributor, *lines, actor=None):
    """A shipped order's invoice (all lines shipped at once)."""
    actor = actor or finance_user()
    order = approved_order(distributor, *lines)
    return invoicing.invoice_shipment(shipment_id=shipped(order).pk, actor=actor)
