"""Races on one distributor's credit, on PostgreSQL (see tests/test_order_concurrency.py
for how the threads are run). 50 orders of 100.00 race against a limit of 2,000.00: exactly
20 are approved and take credit, 30 go to the credit-hold queue having reserved nothing,
and the credit used never exceeds the limit. The naive version — read the account, decide
in Python, write — is shown first to lose."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import F, Sum

from dms.core.testing.factories import DistributorFactory, ProductFactory, portal_user, stock
from dms.finance.models import DistributorAccount, OrderPayment
from dms.inventory.models import StockLevel
from dms.orders import services
from dms.orders.models import Order

from .test_order_concurrency import ledger_matches_levels, run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 25
ORDERS = 50
LIMIT = Decimal("2000.00")
PRICE = Decimal("100.00")


@pytest.fixture
def buyer():
    distributor = DistributorFactory()
    DistributorAccount.objects.filter(distributor=distributor).update(credit_limit=LIMIT)
    product = ProductFactory(base_price=PRICE)
    stock(product, 1000)
    return distributor, portal_user(distributor, "distributor_admin"), product


def test_naive_read_then_write_exceeds_the_limit(buyer):
    distributor, _user, _product = buyer

    def naive(i, barrier):
        with transaction.atomic():
            account = DistributorAccount.objects.get(distributor=distributor)
            barrier.wait()  # everyone has read the same open_orders
            if account.credit_limit - account.receivable - account.open_orders >= PRICE * 3:
                DistributorAccount.objects.filter(pk=account.pk).update(open_orders=F("open_orders") + PRICE * 3)
                return True
        return False

    results, errors = run_together(naive, 10)
    assert not errors
    used = DistributorAccount.objects.get(distributor=distributor).open_orders
    assert sum(results.values()) == 10 and used > LIMIT  # 3,000 of a 2,000 limit


def test_concurrent_orders_never_exceed_the_credit_limit(buyer):
    distributor, user, product = buyer
    per_thread = ORDERS // THREADS

    def place(i, barrier):
        return [services.create_order(distributor=distributor, actor=user, submit=True,
                                      lines=[{"product": product.pk, "quantity": 1}]).status
                for _ in range(per_thread)]

    results, errors = run_together(place, THREADS)
    assert not errors, errors
    statuses = [s for batch in results.values() for s in batch]
    assert statuses.count(Order.Status.APPROVED) == 20
    assert statuses.count(Order.Status.CREDIT_HOLD) == 30
    account = DistributorAccount.objects.get(distributor=distributor)
    assert account.open_orders == LIMIT and account.available_credit == 0
    taken = OrderPayment.objects.filter(order__status=Order.Status.APPROVED).aggregate(s=Sum("credit_amount"))["s"]
    assert taken == account.open_orders
    assert not OrderPayment.objects.filter(order__status=Order.Status.CREDIT_HOLD).exists()
    assert StockLevel.objects.get(product=product).reserved == 20  # held orders reserved nothing
    ledger_matches_levels()


def test_credit_and_stock_locks_do_not_deadlock(buyer, admin_user):
    """Orders placed while others are cancelled: placing locks the account then stock,
    cancelling gives back credit then stock — the same order, so no deadlock."""
    distributor, user, product = buyer
    existing = [services.create_order(distributor=distributor, actor=user, submit=True,
                                      lines=[{"product": product.pk, "quantity": 1}]) for _ in range(10)]

    def work(i, barrier):
        if i % 2:
            return services.cancel_order(order_id=existing[i].pk, actor=admin_user).status
        return services.create_order(distributor=distributor, actor=user, submit=True,
                                     lines=[{"product": product.pk, "quantity": 1}]).status

    results, errors = run_together(work, 10)
    assert not errors, errors
    account = DistributorAccount.objects.get(distributor=distributor)
    approved = Order.objects.filter(distributor=distributor, status=Order.Status.APPROVED).count()
    assert account.open_orders == PRICE * approved <= LIMIT
    ledger_matches_levels()
