"""Races on the payment path, run on PostgreSQL (SQLite serialises writers).

Retries of one payment with the same Idempotency-Key, sent at once, record one payment
(the key is claimed by the payment row's unique index: the losers wait for the winner
and replay it). Concurrent payments allocated to the same invoice never over-pay it
(the invoices are locked, in id order, before the open amount is checked)."""

import json
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django_scopes import scopes_disabled

from dms.core.errors import DomainError
from dms.core.testing.factories import DistributorFactory, bearer
from dms.finance import payments
from dms.finance.models import Allocation, DistributorAccount, Invoice, Payment
from dms.finance.reconcile import differences
from dms.finance.tests.factories import finance_user, invoice

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(fn, n, timeout=60):
    barrier = threading.Barrier(n, timeout=timeout)
    results, errors = {}, {}

    def worker(i):
        try:
            with scopes_disabled():
                barrier.wait()
                results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            errors[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    return results, errors


@pytest.mark.parametrize("via", ["service", "api"])
def test_retries_with_one_idempotency_key_record_one_payment(via):
    fin = finance_user()
    distributor = DistributorFactory()
    inv = invoice(distributor, ("100.00", 3), actor=fin)
    body = {"distributor": distributor.pk, "amount": "350.00", "method": "bank_transfer", "reference": "网银",
            "allocations": [{"invoice": inv.pk, "amount": "300.00"}]}
    headers = bearer(fin)

    def pay(_i):
        if via == "api":
            response = Client().post("/api/v1/payments/", json.dumps(body), content_type="application/json",
                                     HTTP_IDEMPOTENCY_KEY="retry-1", **headers)
            return response.status_code, response.json()["id"]
        payment = payments.record_payment(distributor_id=distributor.pk, amount=body["amount"], method="bank_transfer",
                                          allocations=body["allocations"], actor=fin, idempotency_key="retry-1",
                                          request_hash="same")
        return 201, payment.pk

    results, errors = run_together(pay, 12)
    assert errors == {}
    (payment,) = Payment.objects.all()
    assert set(results.values()) == {(201, payment.pk)}
    inv.refresh_from_db()
    account = DistributorAccount.objects.get(distributor=distributor)
    assert (inv.paid_amount, account.receivable, account.prepayment) == (
        Decimal("300.00"), Decimal("0.00"), Decimal("50.00"))
    assert Allocation.objects.count() == 1
    assert differences()[1] == []


def test_concurrent_payments_never_overpay_an_invoice():
    fin = finance_user()
    distributor = DistributorFactory()
    inv = invoice(distributor, ("100.00", 1), actor=fin)  # 100.00 open

    def pay(i):
        return payments.record_payment(distributor_id=distributor.pk, amount="30.00", method="cash",
                                       allocations=[(inv.pk, "30.00")], actor=fin)

    results, errors = run_together(pay, 8)
    assert len(results) == 3 and len(errors) == 5
    assert all(isinstance(e, DomainError) for e in errors.values())
    inv = Invoice.objects.get(pk=inv.pk)
    assert (inv.paid_amount, inv.status) == (Decimal("90.00"), Invoice.Status.PARTIALLY_PAID)
    assert differences()[1] == []
