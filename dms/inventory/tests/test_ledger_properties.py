"""Property-based: whatever sequence of stock and order operations people perform, the
stock rows agree with the ledger, never go negative, and hold exactly what the open
orders need.

Hypothesis drives the real services (receipts, counts, adjustments, transfers, orders
created, submitted, edited, approved, rejected and cancelled, shipments whole and
partial, returns) in random order against two warehouses and three products, with an
auto-approval limit low enough that some orders wait for review. After every step the
invariants are checked; an operation the services refuse (not enough stock, a
transition the order does not allow, invalid input) must leave everything as it was.

Each example runs inside a savepoint that is rolled back at its end, so every example
starts from the same world. Runs on SQLite and PostgreSQL.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from dms.audit.models import AuditLog
from dms.catalog.models import Promotion
from dms.core.errors import InvalidTransition, ValidationFailed
from dms.core.testing.factories import (
    DistributorFactory,
    ProductFactory,
    WarehouseFactory,
    default_warehouse,
    portal_user,
)
from dms.inventory import services as stock
from dms.inventory.models import StockDocument, StockLevel, StockMove
from dms.inventory.services import InsufficientStock
from dms.logistics import services as logistics
from dms.logistics.models import Carrier, Shipment, ShipmentLine
from dms.orders import services as orders
from dms.orders.models import Order, OrderEvent, OrderLine, ReturnLine, ReturnRequest

pytestmark = pytest.mark.django_db

RUN = hypothesis_settings(max_examples=40, stateful_step_count=25, deadline=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

WAREHOUSE = st.integers(0, 1)
PRODUCT = st.integers(0, 2)
LINES = st.lists(st.tuples(PRODUCT, st.integers(1, 6)), min_size=1, max_size=3, unique_by=lambda line: line[0])


@dataclass
class World:
    warehouses: list
    products: list
    distributors: list
    users: dict  # distributor id -> its portal user
    admin: object
    carrier: Carrier


@pytest.fixture
def world(settings, admin_user):
    # Orders above 600 wait for the review pipeline (order → finance review); smaller ones
    # are approved automatically.
    settings.ORDER_AUTO_APPROVE_LIMIT = Decimal("600")
    north = default_warehouse()
    south = WarehouseFactory(provinces=["44"])
    products = [ProductFactory(base_price=Decimal(p)) for p in ("40.00", "125.50", "310.00")]
    now = timezone.now()
    buy3 = Promotion.objects.create(name="买三送一", rule=Promotion.Rule.BUY_N_GET_M, buy_quantity=3, free_quantity=1,
                                    starts_at=now - dt.timedelta(days=1), ends_at=now + dt.timedelta(days=9))
    buy3.products.add(products[0])
    off = Promotion.objects.create(name="85折", rule=Promotion.Rule.PERCENT_OFF, value=Decimal("15"),
                                   starts_at=now - dt.timedelta(days=1), ends_at=now + dt.timedelta(days=9))
    off.products.add(products[1])
    # One distributor in Guangdong (served by the south warehouse), one in Beijing (north).
    distributors = [DistributorFactory(region_code="440305"), DistributorFactory(region_code="110105")]
    users = {d.pk: portal_user(d, "distributor_admin") for d in distributors}
    carrier = Carrier.objects.create(code="PROPSF", name="顺丰速运")
    return World([north, south], products, distributors, users, admin_user, carrier)


COUNTED = (StockMove, StockDocument, OrderEvent, ShipmentLine, ReturnLine, AuditLog)


def snapshot():
    """Everything an operation could write (the append-only tables by their row counts,
    in one query)."""
    tables = [m._meta.db_table for m in COUNTED]  # model names, not input
    counts = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(counts)
        counted = cursor.fetchone()
    return (
        tuple(counted),
        list(StockLevel.objects.order_by("pk").values_list("pk", "on_hand", "reserved")),
        list(Order.objects.order_by("pk").values_list("pk", "status", "total_amount", "current_step_id",
                                                      "warehouse_id")),
        list(OrderLine.objects.order_by("pk").values_list("pk", "order_id", "product_id", "quantity", "amount",
                                                          "shipped_quantity", "returned_quantity")),
        list(Shipment.objects.order_by("pk").values_list("pk", "status")),
        list(ReturnRequest.objects.order_by("pk").values_list("pk", "status")),
    )


class LedgerMachine(RuleBasedStateMachine):
    w: World  # set by the test

    orders = Bundle("orders")
    shipments = Bundle("shipments")
    returns = Bundle("returns")

    def __init__(self):
        super().__init__()
        self._example = transaction.atomic()
        self._example.__enter__()

    def teardown(self):
        transaction.set_rollback(True)
        self._example.__exit__(None, None, None)

    # --- helpers ----------------------------------------------------------------------

    def attempt(self, service, expected, **kwargs):
        """Call a service; a refusal of an ``expected`` kind is fine but must change nothing."""
        before = snapshot()
        try:
            return service(**kwargs)
        except expected:
            assert snapshot() == before, f"{service.__name__} failed but wrote something"
            return None

    def user_of(self, order_id):
        return self.w.users[Order.objects.values_list("distributor_id", flat=True).get(pk=order_id)]

    def pick(self, queryset, index):
        """The ``index``-th (modulo) of these orders' ids, or None."""
        ids = sorted(set(queryset.values_list("pk", flat=True)))
        return ids[index % len(ids)] if ids else None

    def lines(self, lines):
        return [{"product": self.w.products[p].pk, "quantity": q} for p, q in lines]

    # --- stock ------------------------------------------------------------------------

    @initialize(opening=st.lists(st.integers(0, 30), min_size=6, max_size=6))
    def opening_stock(self, opening):
        for i, qty in enumerate(opening):
            if qty:
                stock.record_receipt(warehouse=self.w.warehouses[i // 3], lines={self.w.products[i % 3].pk: qty})

    @rule(wh=WAREHOUSE, p=PRODUCT, qty=st.integers(1, 15))
    def receive(self, wh, p, qty):
        stock.record_receipt(warehouse=self.w.warehouses[wh], lines={self.w.products[p].pk: qty}, actor=self.w.admin,
                             supplier="供应商")

    @rule(kind=st.sampled_from(["adjust", "count", "transfer"]), wh=WAREHOUSE, p=PRODUCT, qty=st.integers(1, 10),
          down=st.booleans())
    def stock_change(self, kind, wh, p, qty, down):
        """An adjustment up or down, a count, or a transfer to the other warehouse."""
        warehouse, product_id = self.w.warehouses[wh], self.w.products[p].pk
        if kind == "adjust":
            self.attempt(stock.adjust_stock, InsufficientStock, warehouse=warehouse, product_id=product_id,
                         quantity=-qty if down else qty, reason="盘点差异", actor=self.w.admin)
        elif kind == "count":
            self.attempt(stock.record_count, InsufficientStock, warehouse=warehouse,
                         counted={product_id: qty - 1 if down else qty + 10}, actor=self.w.admin)
        else:
            self.attempt(stock.transfer_stock, InsufficientStock, source=warehouse,
                         target=self.w.warehouses[1 - wh], lines={product_id: qty}, actor=self.w.admin)

    # --- orders -----------------------------------------------------------------------

    @initialize(target=orders, who=st.integers(0, 1), lines=LINES)
    def first_order(self, who, lines):
        return self.create_order(who, lines, True)

    @rule(target=orders, who=st.integers(0, 1), lines=LINES, submit=st.sampled_from([True, True, False]))
    def create_order(self, who, lines, submit):
        distributor = self.w.distributors[who]
        order = self.attempt(orders.create_order, InsufficientStock, distributor=distributor,
                             actor=self.w.users[distributor.pk], submit=submit, lines=self.lines(lines))
        return multiple() if order is None else order.pk

    @rule(order=orders)
    def submit(self, order):
        self.attempt(orders.submit_order, (InvalidTransition, InsufficientStock), order_id=order,
                     actor=self.user_of(order))

    @rule(order=orders, steps=st.integers(1, 2))
    def approve(self, order, steps):
        # One review step, or two (order review then finance review: approved).
        for _ in range(steps):
            if self.attempt(orders.approve_order, InvalidTransition, order_id=order, actor=self.w.admin) is None:
                break

    @rule(order=orders)
    def reject(self, order):
        self.attempt(orders.reject_order, InvalidTransition, order_id=order, actor=self.w.admin, reason="价格有误")

    @rule(order=orders, by_staff=st.booleans())
    def cancel(self, order, by_staff):
        actor = self.w.admin if by_staff else self.user_of(order)
        self.attempt(orders.cancel_order, InvalidTransition, order_id=order, actor=actor, reason="不要了")

    @rule(order=orders, lines=LINES)
    def edit(self, order, lines):
        self.attempt(orders.update_order_lines, (InvalidTransition, InsufficientStock), order_id=order,
                     lines=self.lines(lines), actor=self.user_of(order))

    # --- shipments --------------------------------------------------------------------

    def new_shipment(self, order, part):
        """A shipment for everything open, or for ``part`` units of the first line."""
        lines = None
        if part is not None:
            first = OrderLine.objects.filter(order_id=order).order_by("pk").first()
            lines = {first.product_id: part} if first else {self.w.products[0].pk: part}
        shipment = self.attempt(logistics.create_shipment, (InvalidTransition, ValidationFailed), order_id=order,
                                lines=lines, actor=self.w.admin)
        return shipment and shipment.pk

    @rule(target=shipments, order=orders, part=st.none() | st.integers(1, 4))
    def create_shipment(self, order, part):
        shipment = self.new_shipment(order, part)
        return multiple() if shipment is None else shipment

    @rule(shipment=shipments)
    def dispatch(self, shipment):
        self.attempt(logistics.dispatch_shipment, InvalidTransition, shipment_id=shipment, carrier=self.w.carrier,
                     tracking_number="SF1234567890", actor=self.w.admin)

    @rule(pick=st.integers(0, 99), part=st.none() | st.integers(1, 4))
    def ship(self, pick, part):
        """Ship (all, or part of) one of the orders that can be shipped."""
        order = self.pick(Order.objects.filter(status__in=[Order.Status.APPROVED, Order.Status.PARTIALLY_SHIPPED]),
                          pick)
        shipment = order and self.new_shipment(order, part)
        if shipment:
            self.dispatch(shipment)

    @rule(shipment=shipments)
    def cancel_shipment(self, shipment):
        self.attempt(logistics.cancel_shipment, InvalidTransition, shipment_id=shipment, actor=self.w.admin)

    # --- returns ----------------------------------------------------------------------

    def new_return(self, order, qty):
        line = (OrderLine.objects.filter(order_id=order, shipped_quantity__gt=F("returned_quantity")).order_by("pk")
                .first() or OrderLine.objects.filter(order_id=order).order_by("pk").first())
        if line is None:
            return None
        ret = self.attempt(orders.request_return, ValidationFailed, order_id=order, lines={line.pk: qty},
                           reason=ReturnRequest.Reason.DAMAGED, actor=self.user_of(order))
        return ret and ret.pk

    @rule(target=returns, order=orders, qty=st.integers(1, 3))
    def request_return(self, order, qty):
        ret = self.new_return(order, qty)
        return multiple() if ret is None else ret

    @rule(ret=returns, approve=st.booleans())
    def decide_return(self, ret, approve):
        self.attempt(orders.decide_return, InvalidTransition, return_id=ret, approve=approve, actor=self.w.admin,
                     note="" if approve else "不符合退货条件")

    @rule(ret=returns)
    def receive_return(self, ret):
        self.attempt(orders.receive_return, InvalidTransition, return_id=ret, actor=self.w.admin)

    @rule(pick=st.integers(0, 99), qty=st.integers(1, 3))
    def return_goods(self, pick, qty):
        """Goods of one of the orders with something shipped: requested, approved and
        received in one go."""
        order = self.pick(Order.objects.filter(lines__shipped_quantity__gt=F("lines__returned_quantity")), pick)
        ret = order and self.new_return(order, qty)
        if ret is not None:
            self.decide_return(ret, True)
            self.receive_return(ret)

    # --- invariants -------------------------------------------------------------------

    @invariant()
    def stock_rows_equal_the_ledger_and_stay_valid(self):
        sums = {(r["warehouse_id"], r["product_id"]): (r["oh"], r["rs"]) for r in
                StockMove.objects.values("warehouse_id", "product_id").annotate(oh=Sum("on_hand_delta"),
                                                                                rs=Sum("reserved_delta"))}
        levels = {(lv.warehouse_id, lv.product_id): lv for lv in StockLevel.objects.all()}
        assert set(sums) <= set(levels)
        for key, level in levels.items():
            assert sums.get(key, (0, 0)) == (level.on_hand, level.reserved), level
            assert 0 <= level.reserved <= level.on_hand, level

    @invariant()
    def reserved_is_what_open_orders_still_need(self):
        need = Counter()
        for wid, pid, qty, shipped in OrderLine.objects.filter(order__status__in=Order.RESERVING).values_list(
                "order__warehouse_id", "product_id", "quantity", "shipped_quantity"):
            need[(wid, pid)] += qty - shipped
        held = {(lv.warehouse_id, lv.product_id): lv.reserved for lv in StockLevel.objects.all()}
        assert {k: v for k, v in held.items() if v} == {k: v for k, v in need.items() if v}

    @invariant()
    def shipments_and_returns_match_the_ledger(self):
        shipped, returned = defaultdict(int), defaultdict(int)
        for wid, pid, s, r in OrderLine.objects.values_list("order__warehouse_id", "product_id", "shipped_quantity",
                                                            "returned_quantity"):
            assert 0 <= r <= s
            shipped[(wid, pid)] += s
            returned[(wid, pid)] += r
        moved = defaultdict(lambda: defaultdict(int))
        for kind, wid, pid, oh in StockMove.objects.filter(kind__in=[StockMove.Kind.SHIPMENT, StockMove.Kind.RETURN]) \
                .values_list("kind", "warehouse_id", "product_id", "on_hand_delta"):
            moved[kind][(wid, pid)] += oh
        assert {k: -v for k, v in moved[StockMove.Kind.SHIPMENT].items()} == {k: v for k, v in shipped.items() if v}
        assert dict(moved[StockMove.Kind.RETURN]) == {k: v for k, v in returned.items() if v}

    @invariant()
    def order_totals_are_the_sum_of_their_lines(self):
        amounts = defaultdict(Decimal)
        for order_id, amount in OrderLine.objects.values_list("order_id", "amount"):
            amounts[order_id] += amount
        for order in Order.objects.all():
            assert order.total_amount == amounts[order.pk], order
            assert order.subtotal_amount - order.discount_amount == order.total_amount, order


def test_stock_always_equals_the_ledger_and_what_open_orders_hold(world):
    LedgerMachine.w = world
    run_state_machine_as_test(LedgerMachine, settings=RUN)
