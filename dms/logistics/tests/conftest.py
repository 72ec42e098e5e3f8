import pytest

from dms.core.testing.factories import ProductFactory, stock
from dms.logistics.models import Carrier
from dms.orders import services as orders


@pytest.fixture
def carrier(db):
    return Carrier.objects.get_or_create(code="SF", defaults={
        "name": "顺丰速运", "tracking_url": "https://www.sf-express.com/chn/sc/waybill/waybill-detail/{number}"})[0]


@pytest.fixture
def make_order(db):
    """An approved order for ``distributor`` with one line per quantity given."""

    def make(distributor, *quantities, actor=None, stock_each=100):
        lines = []
        for q in quantities:
            p = ProductFactory(specification="500g×12")
            stock(p, stock_each)
            lines.append({"product": p.pk, "quantity": q})
        order = orders.create_order(distributor=distributor, actor=actor, submit=True, lines=lines)
        order.refresh_from_db()
        assert order.status == order.Status.APPROVED
        return order

    return make
