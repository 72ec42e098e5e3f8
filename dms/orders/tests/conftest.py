from decimal import Decimal

import pytest

from dms.core.testing.factories import ProductFactory, stock
from dms.logistics import services as logistics
from dms.logistics.models import Carrier
from dms.orders import services


@pytest.fixture
def goods(db):
    """Three products with 100 units each in the default warehouse."""
    items = [ProductFactory(base_price=Decimal("10.00") * (i + 1)) for i in range(3)]
    for p in items:
        stock(p, 100)
    return items


@pytest.fixture
def place(goods):
    """Create an order for ``distributor``: ``quantities`` per product of ``goods``."""

    def make(distributor, *quantities, submit=True, actor=None):
        lines = [{"product": p.pk, "quantity": q} for p, q in zip(goods, quantities or (2,), strict=False)]
        order = services.create_order(distributor=distributor, lines=lines, submit=submit, actor=actor)
        order.refresh_from_db()
        return order

    return make


@pytest.fixture
def review_all(settings):
    """Every submitted order goes to manual review."""
    settings.ORDER_AUTO_APPROVE_LIMIT = Decimal("0.00")


@pytest.fixture
def ship(db):
    """Ship ``{product_id: quantity}`` of an approved order (everything open by default)."""
    carrier = Carrier.objects.get_or_create(code="SF", defaults={"name": "顺丰速运"})[0]

    def do(order, lines=None, actor=None):
        shipment = logistics.create_shipment(order_id=order.pk, lines=lines, actor=actor)
        logistics.dispatch_shipment(shipment_id=shipment.pk, carrier=carrier, tracking_number="SF100", actor=actor)
        order.refresh_from_db()
        return shipment

    return do
