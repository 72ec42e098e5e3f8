"""Property-based: whatever sequence of invoices, payments, allocations, credit notes and
reversals finance performs — good input or bad — the journal balances, every cached
balance equals its entries, every invoice's paid amount equals its live allocations, and
nothing goes negative where it may not. A refused operation changes nothing.

A pool of dispatched shipments is made once; each example runs inside a savepoint rolled
back at its end, so every example starts from the same world. Runs on SQLite and
PostgreSQL.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import F, Q
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from dms.core.errors import DomainError
from dms.core.testing.factories import DistributorFactory
from dms.finance import corrections, credit_notes, invoicing, payments
from dms.finance.allocations import status_for
from dms.finance.models import Allocation, DistributorAccount, Invoice, JournalEntry, JournalLine, Payment
from dms.finance.reconcile import differences

from .factories import approved_order, finance_user, shipped

pytestmark = pytest.mark.django_db

RUN = hypothesis_settings(max_examples=25, stateful_step_count=15, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
AMOUNT = st.one_of(st.decimals(min_value=Decimal("-10"), max_value=Decimal("400"), places=2).map(str),
                   st.sampled_from(["0", "abc", "1.005", "", "12.3"]))
SHARE = st.sampled_from([Decimal("0.25"), Decimal("0.5"), Decimal("1"), Decimal("1.2")])


def snapshot():
    return (list(DistributorAccount.objects.order_by("pk").values_list("receivable", "prepayment", "rebate")),
            JournalLine.objects.count(), Payment.objects.count(), Allocation.objects.filter(reversed=False).count(),
            list(Invoice.objects.order_by("pk").values_list("paid_amount", "status")))


class FinanceMachine(RuleBasedStateMachine):
    world: dict  # set by the test

    def __init__(self):
        super().__init__()
        self._example = transaction.atomic()
        self._example.__enter__()

    def teardown(self):
        transaction.set_rollback(True)
        self._example.__exit__(None, None, None)

    def attempt(self, service, **kwargs):
        """A refusal (bad input, a conflict) is fine but must change nothing."""
        before = snapshot()
        try:
            with transaction.atomic():
                return service(**kwargs)
        except DomainError:
            assert snapshot() == before, f"{service.__name__} was refused but wrote something"

    def open_invoices(self, d):
        return list(Invoice.objects.filter(distributor_id=d, status__in=["open", "partially_paid"]).order_by("pk"))

    @rule(i=st.integers(0, 5))
    def invoice_shipment(self, i):
        self.attempt(invoicing.invoice_shipment, shipment_id=self.world["shipments"][i], actor=self.world["fin"])

    @rule(d=st.integers(0, 1), amount=AMOUNT, shares=st.lists(SHARE, max_size=3), method=st.sampled_from(
        ["cash", "bank_transfer", "cheque"]))
    def record_payment(self, d, amount, shares, method):
        distributor = self.world["distributors"][d]
        allocations = [(inv.pk, (inv.open_amount * share).quantize(Decimal("0.01")))
                       for inv, share in zip(self.open_invoices(distributor), shares, strict=False)]
        self.attempt(payments.record_payment, distributor_id=distributor, amount=amount, method=method,
                     allocations=[a for a in allocations if a[1] > 0], actor=self.world["fin"])

    @rule(d=st.integers(0, 1), share=SHARE, other=st.booleans())
    def allocate_prepayment(self, d, share, other):
        distributor = self.world["distributors"][d]
        target = self.world["distributors"][1 - d] if other else distributor  # another's invoice: refused
        invoices = self.open_invoices(target)
        if invoices:
            amount = (invoices[0].open_amount * share).quantize(Decimal("0.01"))
            self.attempt(payments.allocate_prepayment, distributor_id=distributor,
                         allocations=[(invoices[0].pk, amount)], actor=self.world["fin"])

    @rule(d=st.integers(0, 1), kind=st.sampled_from(["price_adjustment", "rebate", "return"]), amount=AMOUNT,
          on_invoice=st.booleans())
    def credit_note(self, d, kind, amount, on_invoice):
        distributor = self.world["distributors"][d]
        invoices = self.open_invoices(distributor) if on_invoice else []
        self.attempt(credit_notes.create_credit_note, distributor_id=distributor, kind=kind, amount=amount,
                     reason="调整", invoice_id=invoices[0].pk if invoices else None, actor=self.world["fin"])

    @rule(pick=st.integers(0, 30))
    def reverse_an_entry(self, pick):
        entries = list(JournalEntry.objects.filter(kind__in=corrections.REVERSIBLE).order_by("pk"))
        if entries:
            self.attempt(corrections.reverse_entry, entry_id=entries[pick % len(entries)].pk, actor=self.world["fin"])

    @invariant()
    def journal_and_caches_agree(self):
        assert differences()[1] == []

    @invariant()
    def nothing_negative_where_forbidden(self):
        bad = DistributorAccount.objects.filter(
            Q(rebate__lt=0) | Q(deposit__lt=0) | Q(prepayment__lt=F("prepayment_reserved")) | Q(open_orders__lt=0))
        assert not bad.exists()
        assert not Invoice.objects.filter(Q(paid_amount__lt=0) | Q(paid_amount__gt=F("total_amount"))).exists()
        for inv in Invoice.objects.exclude(status=Invoice.Status.CANCELLED):
            assert inv.status == status_for(inv.paid_amount, inv.total_amount)


@pytest.fixture
def world(db):
    fin = finance_user()
    distributors = [DistributorFactory(), DistributorFactory()]
    shipments = []
    for d, prices in ((distributors[0], ("99.99", "10.00", "250.00")), (distributors[1], ("33.33", "120.50", "7.77"))):
        for price in prices:
            shipments.append(shipped(approved_order(d, (price, 2))).pk)
    return {"fin": fin, "distributors": [d.pk for d in distributors], "shipments": shipments}


def test_any_sequence_keeps_the_books_balanced(world):
    FinanceMachine.world = world
    run_state_machine_as_test(FinanceMachine, settings=RUN)
