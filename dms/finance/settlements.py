"""Settlements (结算单): paying money the brand holds back to a distributor — its rebate
balance, or a prepayment refund.

draft → submitted → approved (posted: Dr rebate or prepayment / Cr bank) | rejected;
a submitted one can also go back to draft. Approval needs ``finance.approve_settlement``
and another person than the creator (four eyes), and is refused when the balance (less
prepayment reserved for orders) no longer covers the amount — checked under the
account's row lock, so two approvals cannot both spend the same balance.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from dms.core.models import next_value

from . import ledger
from .ledger import credit, debit, parse_amount
from .models import Account, DistributorAccount, JournalEntry, Settlement

S = Settlement.Status
APPROVE_PERM = "finance.approve_settlement"
SOURCE_ACCOUNT = {Settlement.Kind.REBATE: Account.REBATE, Settlement.Kind.PREPAYMENT_REFUND: Account.PREPAYMENT}


def payable(account: DistributorAccount, kind: str) -> Decimal:
    """What a settlement of ``kind`` can pay out of ``account`` now."""
    if kind == Settlement.Kind.REBATE:
        return account.rebate
    return account.prepayment - account.prepayment_reserved


def _check_covered(account: DistributorAccount, kind: str, amount: Decimal) -> None:
    available = payable(account, kind)
    if amount > available:
        raise ValidationFailed(
            _("The amount is more than the balance available for this payout (%(available)s).")
            % {"available": available},
            fields={"amount": [_("At most %(available)s.") % {"available": available}]})


@transaction.atomic
def create_settlement(*, distributor_id: int, kind: str, amount, description: str = "", actor) -> Settlement:
    if kind not in Settlement.Kind.values:
        raise ValidationFailed(fields={"kind": [_("Choose rebate payout or prepayment refund.")]})
    amount = parse_amount(amount)
    _check_covered(ledger.lock_account(distributor_id), kind, amount)
    return Settlement.objects.create(
        number=f"JS{timezone.localdate():%Y%m%d}{next_value('settlement'):05d}", distributor_id=distributor_id,
        kind=kind, amount=amount, description=(description or "").strip()[:255], created_by=actor)


def _locked(settlement_id: int) -> Settlement:
    return Settlement.objects.select_for_update().get(pk=settlement_id)


def _move(settlement: Settlement, target: str, actor, note: str = "") -> Settlement:
    if target not in Settlement.TRANSITIONS.get(settlement.status, ()):
        raise InvalidTransition(settlement.get_status_display(), S(target).label)
    settlement.status = target
    if target in (S.APPROVED, S.REJECTED):
        settlement.decided_by, settlement.decided_at = actor, timezone.now()
        settlement.decision_note = (note or "").strip()[:255]
    settlement.save()  # audited (AuditedModel)
    return settlement


@transaction.atomic
def submit_settlement(*, settlement_id: int, actor) -> Settlement:
    settlement = _locked(settlement_id)
    if settlement.status == S.SUBMITTED:
        return settlement
    return _move(settlement, S.SUBMITTED, actor)


@transaction.atomic
def withdraw_settlement(*, settlement_id: int, actor) -> Settlement:
    """Back to draft (to change it or drop it)."""
    return _move(_locked(settlement_id), S.DRAFT, actor)


def _check_approver(settlement: Settlement, actor) -> None:
    if not actor.has_perm(APPROVE_PERM):
        raise NotAllowed()
    if settlement.created_by_id == actor.pk:
        raise NotAllowed(_("Someone other than the creator must approve a settlement."), code="four_eyes")


@transaction.atomic
def approve_settlement(*, settlement_id: int, actor, note: str = "") -> Settlement:
    """Post the payout and mark the settlement approved. A retry is a no-op."""
    settlement = _locked(settlement_id)
    if settlement.status == S.APPROVED:
        return settlement
    _check_approver(settlement, actor)
    if S.APPROVED not in Settlement.TRANSITIONS.get(settlement.status, ()):
        raise InvalidTransition(settlement.get_status_display(), S.APPROVED.label)
    account = ledger.lock_account(settlement.distributor_id)
    _check_covered(account, settlement.kind, settlement.amount)
    source = SOURCE_ACCOUNT[settlement.kind]
    settlement.entry = ledger.post(
        kind=JournalEntry.Kind.SETTLEMENT, distributor_id=settlement.distributor_id, actor=actor,
        lines=[debit(source, settlement.amount), credit(Account.BANK, settlement.amount)],
        memo=_("Settlement %(number)s: %(kind)s") % {"number": settlement.number,
                                                      "kind": settlement.get_kind_display()},
        reference=settlement.number)
    return _move(settlement, S.APPROVED, actor, note)


@transaction.atomic
def reject_settlement(*, settlement_id: int, actor, note: str) -> Settlement:
    if not (note or "").strip():
        raise ValidationFailed(_("Say why it is rejected."), fields={"note": [_("This field is required.")]})
    settlement = _locked(settlement_id)
    _check_approver(settlement, actor)
    return _move(settlement, S.REJECTED, actor, note)
