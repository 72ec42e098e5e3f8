from decimal import Decimal

import pytest

from dms.core.testing.factories import ProductFactory, stock
from dms.inventory.models import StockLevel, StockMove
from dms.inventory.services import InsufficientStock
from dms.orders import services
from dms.orders.models import Order

pytestmark = pytest.mark.django_db


def test_submitted_order_is_auto_approved_and_reserves(distributor, dist_admin):
    p1, p2 = ProductFactory(), ProductFactory(base_price=Decimal("12.50"))
    stock(p1, 10)
    stock(p2, 10)
    order = services.create_order(distributor=distributor, actor=dist_admin, submit=True,
                                  lines=[{"product": p1.pk, "quantity": 3}, {"product": p2.pk, "quantity": 2}])
    order.refresh_from_db()
    assert order.status == Order.Status.APPROVED
    assert order.number.startswith("SO")
    assert order.total_amount == Decimal("325.00")
    level = StockLevel.objects.get(product=p1)
    assert (level.on_hand, level.reserved) == (10, 3)
    assert StockMove.objects.filter(kind="reservation").count() == 2


def test_short_stock_is_refused_and_writes_nothing(distributor, dist_admin):
    p1 = ProductFactory()
    stock(p1, 2)
    with pytest.raises(InsufficientStock) as err:
        services.create_order(distributor=distributor, actor=dist_admin, submit=True,
                              lines=[{"product": p1.pk, "quantity": 3}])
    assert err.value.short[0]["available"] == 2
    assert not Order.objects.exists()
    assert StockLevel.objects.get(product=p1).reserved == 0


def test_idempotency_key_replays(distributor, dist_admin):
    p1 = ProductFactory()
    stock(p1, 10)
    kwargs = dict(distributor=distributor, actor=dist_admin, submit=True, lines=[{"product": p1.pk, "quantity": 1}],
                  idempotency_key="k1", request_hash="h")
    first = services.create_order(**kwargs)
    second = services.create_order(**kwargs)
    assert first.pk == second.pk and second.replayed
    with pytest.raises(services.IdempotencyMismatch):
        services.create_order(**{**kwargs, "request_hash": "other"})
    assert Order.objects.count() == 1
