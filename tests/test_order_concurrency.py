"""Races on the order path, run on PostgreSQL (SQLite serialises writers, so it cannot
show them; `scripts/test.sh` runs these in its PostgreSQL pass, `-m "not postgres"`
leaves them out of the SQLite pass).

Each worker thread has its own database connection (Django's connections are per
thread) and closes it when it ends. PostgreSQL here allows 100 connections shared by
everything on the machine, so "100 concurrent orders" are placed by THREADS threads
that all start at one barrier and each place their share back to back: THREADS orders
are in flight at any moment, all of them fighting over the same stock rows.

Every race is shown first without the lock (STYLE.md): the naive versions below do what
the real code must not — read, decide in Python, write — and lose.
"""

import json
import random
import threading
import time
from collections import Counter

import pytest
from django.db import OperationalError, connection, transaction
from django.db.models import F, Sum
from django.test import Client
from django_scopes import scopes_disabled

from dms.audit.models import AuditLog
from dms.core.errors import DomainError
from dms.core.testing.factories import DistributorFactory, ProductFactory, UserFactory, bearer, portal_user, stock
from dms.inventory.models import StockLevel, StockMove
from dms.inventory.services import InsufficientStock
from dms.orders import services
from dms.orders.api import request_hash
from dms.orders.models import Order, OrderEvent, OrderLine

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
ORDERS = 100
UNITS = 50


def run_together(fn, n, *, timeout=60):
    """Run ``fn(i)`` in ``n`` threads released together by a barrier; return
    ``{i: result}`` and ``{i: exception}``. ``fn`` gets the barrier as its second argument
    when it wants to synchronise again."""
    barrier = threading.Barrier(n, timeout=timeout)
    results, errors = {}, {}

    def worker(i):
        try:
            with scopes_disabled():
                barrier.wait()
                results[i] = fn(i, barrier)
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            errors[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a worker hung (deadlock or lost wake-up)"
    return results, errors


def ledger_matches_levels():
    """on_hand and reserved of every stock row equal what its ledger sums to, and the
    row is valid."""
    sums = {(r["warehouse_id"], r["product_id"]): (r["oh"], r["rs"]) for r in
            StockMove.objects.values("warehouse_id", "product_id").annotate(oh=Sum("on_hand_delta"),
                                                                            rs=Sum("reserved_delta"))}
    for level in StockLevel.objects.all():
        assert sums.get((level.warehouse_id, level.product_id), (0, 0)) == (level.on_hand, level.reserved), level
        assert 0 <= level.reserved <= level.on_hand, level


def nothing_half_written(accepted_ids):
    """Only the accepted orders exist, each whole: its lines, its events, its audit
    record, and a reservation move per line under its number."""
    orders = Order.objects.all()
    assert sorted(orders.values_list("pk", flat=True)) == sorted(accepted_ids)
    assert not Order.objects.filter(lines__isnull=True).exists()
    numbers = set(orders.values_list("number", flat=True))
    reservations = StockMove.objects.filter(kind=StockMove.Kind.RESERVATION)
    assert set(reservations.values_list("reference", flat=True)) == numbers
    assert reservations.count() == OrderLine.objects.count()
    assert set(OrderEvent.objects.values_list("order_id", flat=True)) == set(accepted_ids)
    audited = AuditLog.objects.filter(model="orders.order", action=AuditLog.Action.CREATE)
    assert sorted(int(pk) for pk in audited.values_list("object_id", flat=True)) == sorted(accepted_ids)


class Buyer:
    """A distributor's user placing submitted orders, through the HTTP API
    (``POST /api/v1/orders/``, a test client per call) or the service the API calls.
    ``order()`` answers ``(http status, body)`` either way."""

    def __init__(self, via):
        self.via = via
        self.distributor = DistributorFactory()
        self.user = portal_user(self.distributor, "distributor_admin")
        self.headers = bearer(self.user) if via == "http" else {}

    def order(self, lines, key=None):
        body = {"lines": [{"product": p, "quantity": q} for p, q in lines], "submit": True}
        if self.via == "http":
            extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
            response = Client().post("/api/v1/orders/", data=json.dumps(body), content_type="application/json",
                                     **self.headers, **extra)
            return response.status_code, response.json()
        try:
            order = services.create_order(distributor=self.distributor, actor=self.user, submit=True,
                                          lines=body["lines"], idempotency_key=key,
                                          request_hash=request_hash(body) if key else "")
        except DomainError as exc:
            return exc.status, {"error": {"code": exc.code, **exc.extra}}
        return 201, {"id": order.pk, "number": order.number, "status": order.status}


VIA = pytest.mark.parametrize("via", ["service", "http"])


# --- 100 orders, 50 units --------------------------------------------------------------

def naive_reserve(warehouse_id, product_id, qty, reference, barrier):
    """What the real reserve() must not do: read the row, decide in Python, write back
    the value computed from what was read. The barrier holds every writer until every
    reader has read, which is the interleaving a busy server produces now and then."""
    with transaction.atomic():
        level = StockLevel.objects.get(warehouse_id=warehouse_id, product_id=product_id)
        barrier.wait()
        if level.on_hand - level.reserved < qty:
            raise InsufficientStock([])
        StockLevel.objects.filter(pk=level.pk).update(reserved=level.reserved + qty)
        StockMove.objects.create(warehouse_id=warehouse_id, product_id=product_id, kind=StockMove.Kind.RESERVATION,
                                 reserved_delta=qty, reference=reference)


def test_without_the_lock_a_read_modify_write_reservation_oversells():
    product = ProductFactory()
    warehouse = stock(product, THREADS // 2)

    results, errors = run_together(
        lambda i, barrier: naive_reserve(warehouse.pk, product.pk, 1, f"NAIVE{i}", barrier), THREADS)

    # Every buyer saw THREADS // 2 available and was told yes: twice the stock was sold,
    # and the stock row no longer agrees with its ledger (lost updates).
    assert errors == {} and len(results) == THREADS
    level = StockLevel.objects.get(product=product)
    assert level.reserved == 1
    assert StockMove.objects.filter(kind=StockMove.Kind.RESERVATION).aggregate(s=Sum("reserved_delta"))["s"] \
        == THREADS > level.on_hand


@VIA
def test_100_orders_race_for_50_units_and_exactly_50_win(via):
    product = ProductFactory()
    stock(product, UNITS)
    people = [Buyer(via) for _ in range(THREADS)]
    lowest_available = []
    done = threading.Event()

    def watch():
        # Sample available while the race runs: it never dips below zero.
        try:
            while not done.is_set():
                lowest_available.append(StockLevel.objects.filter(product=product)
                                        .values_list(F("on_hand") - F("reserved"), flat=True).get())
                time.sleep(0.002)
        finally:
            connection.close()

    def place(i, _barrier):
        return [people[i].order([(product.pk, 1)]) for _ in range(ORDERS // THREADS)]

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        results, errors = run_together(place, THREADS)
    finally:
        done.set()
        watcher.join(10)

    assert errors == {}
    answers = [answer for rs in results.values() for answer in rs]
    assert len(answers) == ORDERS
    assert Counter(code for code, _body in answers) == {201: UNITS, 409: ORDERS - UNITS}
    accepted = [body["id"] for code, body in answers if code == 201]
    assert {body["status"] for code, body in answers if code == 201} == {Order.Status.APPROVED}
    for code, body in answers:
        if code == 409:
            assert body["error"]["code"] == "insufficient_stock"
            assert [line["product"] for line in body["error"]["short_lines"]] == [product.pk]
    level = StockLevel.objects.get(product=product)
    assert (level.on_hand, level.reserved) == (UNITS, UNITS)
    assert lowest_available and min(lowest_available) >= 0
    nothing_half_written(accepted)
    ledger_matches_levels()


# --- lines in different orders -------------------------------------------------------

def naive_lock_in_line_order(product_ids, barrier):
    """Lock stock rows in the order the lines came in, as a straightforward loop would."""
    with transaction.atomic():
        first, *rest = product_ids
        list(StockLevel.objects.select_for_update().filter(product_id=first).order_by("pk"))
        barrier.wait()  # both hold their first row
        for pid in rest:
            list(StockLevel.objects.select_for_update().filter(product_id=pid).order_by("pk"))


def test_without_a_fixed_lock_order_opposite_line_orders_deadlock():
    a, b = ProductFactory(), ProductFactory()
    stock(a, 10)
    stock(b, 10)
    orders = [[a.pk, b.pk], [b.pk, a.pk]]

    results, errors = run_together(lambda i, barrier: naive_lock_in_line_order(orders[i], barrier), 2)

    # PostgreSQL finds the cycle and kills one of the two.
    assert len(results) == 1 and len(errors) == 1
    (error,) = errors.values()
    assert isinstance(error, OperationalError) and "deadlock" in str(error)


@VIA
def test_orders_with_the_same_products_in_opposite_line_orders_do_not_deadlock(via):
    products = [ProductFactory() for _ in range(3)]
    for p in products:
        stock(p, 120)
    people = [Buyer(via) for _ in range(THREADS)]
    rnd = random.Random(7)
    # Each thread's orders: the three products in a shuffled order (A,B,C / C,B,A / …),
    # 1-3 of each: more is asked for than there is, so some orders are refused.
    plans = [[[(p.pk, rnd.randint(1, 3)) for p in rnd.sample(products, 3)] for _ in range(ORDERS // THREADS)]
             for _ in range(THREADS)]

    results, errors = run_together(lambda i, _b: [people[i].order(lines) for lines in plans[i]], THREADS)

    assert errors == {}  # no deadlock, no server error
    answers = [answer for rs in results.values() for answer in rs]
    codes = Counter(code for code, _body in answers)
    assert set(codes) == {201, 409} and sum(codes.values()) == ORDERS
    assert {body["error"]["code"] for code, body in answers if code == 409} == {"insufficient_stock"}
    accepted = [body["id"] for code, body in answers if code == 201]
    wanted = Counter()
    for line in OrderLine.objects.filter(order_id__in=accepted):
        wanted[line.product_id] += line.quantity
    for p in products:
        level = StockLevel.objects.get(product=p)
        assert level.reserved == wanted[p.pk] <= level.on_hand == 120
    nothing_half_written(accepted)
    ledger_matches_levels()


# --- Idempotency-Key -----------------------------------------------------------------

@VIA
def test_retries_with_one_idempotency_key_create_one_order(via):
    product = ProductFactory()
    stock(product, 10)
    buyer = Buyer(via)
    lines = [(product.pk, 2)]

    # Twelve retries at once, then three more one after the other.
    results, errors = run_together(lambda i, _b: buyer.order(lines, key="retry-1"), 12)
    answers = list(results.values()) + [buyer.order(lines, key="retry-1") for _ in range(3)]

    assert errors == {}
    assert {code for code, _body in answers} == {201}
    (order,) = Order.objects.all()
    assert {body["id"] for _code, body in answers} == {order.pk}
    assert {body["number"] for _code, body in answers} == {order.number}
    assert StockLevel.objects.get(product=product).reserved == 2
    # The same key with another body is refused and changes nothing.
    code, body = buyer.order([(product.pk, 3)], key="retry-1")
    assert (code, body["error"]["code"]) == (422, "idempotency_key_reused")
    assert Order.objects.count() == 1 and StockLevel.objects.get(product=product).reserved == 2
    nothing_half_written([order.pk])
    ledger_matches_levels()


# --- shipments and the order path ----------------------------------------------------

def test_preparing_a_shipment_does_not_hold_up_the_distributors_new_orders():
    """The warehouse creating a shipment for one order locks that order, not the
    distributor: the distributor's new orders (whose INSERT takes a key-share lock on the
    distributor row) go through meanwhile instead of queueing behind the warehouse."""
    from dms.logistics.services import create_shipment

    product = ProductFactory()
    stock(product, 10)
    buyer = Buyer("service")
    code, body = buyer.order([(product.pk, 2)])
    assert code == 201
    staff = UserFactory(roles=["admin"])
    shipment_open, order_placed = threading.Event(), threading.Event()

    def warehouse(_i):
        with transaction.atomic():
            create_shipment(order_id=body["id"], actor=staff)
            shipment_open.set()
            order_placed.wait(10)  # the shipment's transaction stays open meanwhile

    def distributor(_i):
        assert shipment_open.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        try:
            return buyer.order([(product.pk, 1)])
        finally:
            order_placed.set()

    steps = [warehouse, distributor]
    results, errors = run_together(lambda i, _b: steps[i](i), 2)

    assert errors == {}
    assert results[1][0] == 201
