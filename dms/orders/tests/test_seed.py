"""The demo orders command: every status, through the services, idempotent."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Sum

from dms.core.testing.factories import DistributorFactory, ProductFactory, UserFactory, portal_user, stock
from dms.inventory.models import StockLevel, StockMove
from dms.logistics.models import Discrepancy
from dms.orders.models import Order, OrderEvent, ReturnRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world():
    for username, role in (("admin", "admin"), ("ops_chen", "sales_ops"), ("fin_zhao", "finance"),
                           ("wh_liu", "warehouse")):
        UserFactory(username=username, roles=[role])
    manager = UserFactory(username="cm_zhang", roles=["channel_manager"])
    for i in range(4):
        portal_user(DistributorFactory(channel_manager=manager), username=f"demo{i}")
    for i in range(12):
        stock(ProductFactory(base_price=20 + 15 * i), 400)


def test_seed_orders_demo_covers_every_status_and_is_idempotent(demo_world):
    call_command("seed_orders_demo", quiet=True)
    statuses = Counter(Order.objects.values_list("status", flat=True))
    assert set(statuses) == set(Order.Status.values)
    assert sum(statuses.values()) == 42
    steps = set(Order.objects.filter(status="submitted").values_list("current_step__code", flat=True))
    assert steps == {"order_review", "finance_review"}
    assert set(ReturnRequest.objects.values_list("status", flat=True)) == {"requested", "approved", "received"}
    assert Discrepancy.objects.count() == 1
    # dated over the last 60 days, and the ledger agrees with the stock levels
    days = {o.created_at.date() for o in Order.objects.all()}
    assert len(days) > 10
    assert OrderEvent.objects.order_by("created_at").first().created_at < Order.objects.order_by("-created_at")[
        0].created_at
    for level in StockLevel.objects.all():
        sums = StockMove.objects.filter(warehouse=level.warehouse, product=level.product).aggregate(
            on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta"))
        assert (level.on_hand, level.reserved) == (sums["on_hand"], sums["reserved"])
    moves = StockMove.objects.count()
    call_command("seed_orders_demo", quiet=True)
    assert Order.objects.count() == 42 and StockMove.objects.count() == moves
