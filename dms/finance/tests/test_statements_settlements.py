"""Settlements: four eyes, balance checks under the lock, posting, transitions."""

from decimal import Decimal

import pytest

from dms.audit.models import AuditLog
from dms.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from dms.finance import ledger, settlements
from dms.finance.models import DistributorAccount, JournalEntry, Settlement

from .factories_statements import grant_rebate, payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_a(make_staff):
    return make_staff("finance", username="fin_a")


@pytest.fixture
def finance_b(make_staff):
    return make_staff("finance", username="fin_b")


def _account(distributor):
    return DistributorAccount.objects.get(distributor=distributor)


def test_rebate_payout_four_eyes_and_posting(distributor, finance_a, finance_b):
    grant_rebate(distributor, "800.00")
    s = settlements.create_settlement(distributor_id=distributor.pk, kind="rebate", amount="500.00",
                                      description="2026年一季度返利", actor=finance_a)
    settlements.submit_settlement(settlement_id=s.pk, actor=finance_a)
    with pytest.raises(NotAllowed):
        settlements.approve_settlement(settlement_id=s.pk, actor=finance_a)
    assert _account(distributor).rebate == Decimal("800.00")
    settlements.approve_settlement(settlement_id=s.pk, actor=finance_b, note="同意")
    s.refresh_from_db()
    assert s.status == "approved" and s.decided_by == finance_b and s.entry.kind == JournalEntry.Kind.SETTLEMENT
    assert _account(distributor).rebate == Decimal("300.00")
    assert ledger.journal_balances(distributor.pk)["rebate"] == Decimal("300.00")
    assert AuditLog.objects.filter(model="finance.settlement", object_id=str(s.pk)).count() >= 3
    settlements.approve_settlement(settlement_id=s.pk, actor=finance_b)  # retry: no second posting
    assert _account(distributor).rebate == Decimal("300.00")


def test_approval_refuses_more_than_the_balance(distributor, finance_a, finance_b):
    grant_rebate(distributor, "500.00")
    first = settlements.create_settlement(distributor_id=distributor.pk, kind="rebate", amount="400.00",
                                          actor=finance_a)
    second = settlements.create_settlement(distributor_id=distributor.pk, kind="rebate", amount="400.00",
                                           actor=finance_a)
    for s in (first, second):
        settlements.submit_settlement(settlement_id=s.pk, actor=finance_a)
    settlements.approve_settlement(settlement_id=first.pk, actor=finance_b)
    with pytest.raises(ValidationFailed):
        settlements.approve_settlement(settlement_id=second.pk, actor=finance_b)
    second.refresh_from_db()
    assert second.status == "submitted" and second.entry is None
    assert _account(distributor).rebate == Decimal("100.00")


def test_prepayment_refund_respects_reserved_prepayment(distributor, finance_a, finance_b):
    payment(distributor, "1000.00")
    DistributorAccount.objects.filter(distributor=distributor).update(prepayment_reserved=Decimal("700.00"))
    with pytest.raises(ValidationFailed):
        settlements.create_settlement(distributor_id=distributor.pk, kind="prepayment_refund", amount="300.01",
                                      actor=finance_a)
    s = settlements.create_settlement(distributor_id=distributor.pk, kind="prepayment_refund", amount="300.00",
                                      actor=finance_a)
    settlements.submit_settlement(settlement_id=s.pk, actor=finance_a)
    settlements.approve_settlement(settlement_id=s.pk, actor=finance_b)
    assert _account(distributor).prepayment == Decimal("700.00")


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.001"])
def test_bad_amounts_change_nothing(distributor, finance_a, amount):
    grant_rebate(distributor, "100.00")
    with pytest.raises(ValidationFailed):
        settlements.create_settlement(distributor_id=distributor.pk, kind="rebate", amount=amount, actor=finance_a)
    assert not Settlement.objects.exists()


def test_reject_needs_a_reason_and_an_approver(distributor, finance_a, finance_b, channel_manager):
    grant_rebate(distributor, "100.00")
    s = settlements.create_settlement(distributor_id=distributor.pk, kind="rebate", amount="50.00", actor=finance_a)
    settlements.submit_settlement(settlement_id=s.pk, actor=finance_a)
    with pytest.raises(ValidationFailed):
        settlements.reject_settlement(settlement_id=s.pk, actor=finance_b, note=" ")
    with pytest.raises(NotAllowed):
        settlements.reject_settlement(settlement_id=s.pk, actor=channel_manager, note="不同意")
    settlements.reject_settlement(settlement_id=s.pk, actor=finance_b, note="金额有误")
    s.refresh_from_db()
    assert s.status == "rejected" and s.decision_note == "金额有误"
    with pytest.raises(InvalidTransition):
        settlements.submit_settlement(settlement_id=s.pk, actor=finance_a)


def test_draft_cannot_be_approved(distributor, finance_a, finance_b):
    grant_rebate(distributor, "100.00")
    s = settlements.create_settlement(distributor_id=distributor.pk, kind="rebate", amount="50.00", actor=finance_a)
    with pytest.raises(InvalidTransition):
        settlements.approve_settlement(settlement_id=s.pk, actor=finance_b)
    assert _account(distributor).rebate == Decimal("100.00")
