"""Posting to the journal: the one way money moves.

``post()`` writes one balanced entry and moves the distributor's cached balances in the
same transaction, under the lock of its ``DistributorAccount`` row. Every document
(invoice, payment, credit note, allocation, settlement) posts through it; a correction is
``reverse()``, never an edit.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.core.errors import Conflict, ValidationFailed
from dms.core.models import next_value
from dms.core.scoping import scopes_disabled

from .models import DEBIT_NORMAL, DISTRIBUTOR_ACCOUNTS, ZERO, Account, DistributorAccount, JournalEntry, JournalLine

CENT = Decimal("0.01")


def to_money(value) -> Decimal:
    """Round half-up to the cent (for computed amounts: tax, shares)."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(value, field: str = "amount", *, allow_zero: bool = False) -> Decimal:
    """An amount typed by a person or sent to the API: a number with at most 2 decimals,
    positive (or zero when allowed). Anything else is a ValidationFailed naming ``field``."""
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value is not None else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationFailed(_("Enter an amount."), fields={field: [_("Enter a number, e.g. 1234.50.")]})
    if amount.as_tuple().exponent < -2:
        raise ValidationFailed(_("Amounts have at most 2 decimal places."),
                               fields={field: [_("Amounts have at most 2 decimal places.")]})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationFailed(_("The amount must be greater than zero."),
                               fields={field: [_("The amount must be greater than zero.")]})
    if amount >= Decimal("1e16"):
        raise ValidationFailed(_("The amount is too large."), fields={field: [_("The amount is too large.")]})
    return amount.quantize(CENT)


class Unbalanced(Conflict):
    code = "unbalanced_entry"


@dataclass(frozen=True)
class Line:
    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO


def debit(account, amount) -> Line:
    return Line(account, debit=Decimal(amount))


def credit(account, amount) -> Line:
    return Line(account, credit=Decimal(amount))


def default_limit(distributor) -> tuple[Decimal, object]:
    from .models import TierCreditPolicy

    policy = TierCreditPolicy.objects.filter(tier_id=distributor.tier_id).select_related("payment_terms").first()
    if policy is not None:
        return policy.credit_limit, policy.payment_terms
    return Decimal(settings.FINANCE_DEFAULT_CREDIT_LIMIT), None


def ensure_account(distributor) -> DistributorAccount:
    """The distributor's account, created with its tier's defaults the first time."""
    with scopes_disabled():  # an internal write, whatever the caller's scope
        account = DistributorAccount.objects.filter(distributor_id=distributor.pk).first()
        if account is None:
            limit, terms = default_limit(distributor)
            account, _created = DistributorAccount.objects.get_or_create(
                distributor_id=distributor.pk, defaults={"credit_limit": limit, "payment_terms": terms})
    return account


def lock_account(distributor_id: int) -> DistributorAccount:
    """Lock the distributor's account row (create it first if missing). Callers locking
    several accounts lock them in distributor id order."""
    with scopes_disabled():
        account = DistributorAccount.objects.select_for_update().filter(distributor_id=distributor_id).first()
        if account is None:
            from dms.distributors.models import Distributor

            ensure_account(Distributor.objects.get(pk=distributor_id))
            account = DistributorAccount.objects.select_for_update().get(distributor_id=distributor_id)
    return account


def _signed(line: Line) -> Decimal:
    """How a line moves its account's balance in the account's own sign."""
    delta = line.debit - line.credit
    return delta if line.account in DEBIT_NORMAL else -delta


@transaction.atomic
def post(*, kind: str, distributor_id: int, lines: list[Line], actor=None, memo: str = "", reference: str = "",
         reverses: JournalEntry | None = None, posted_at=None) -> JournalEntry:
    """Write one balanced entry and move the cached balances. Lines with a zero amount are
    dropped; amounts must be positive with at most 2 decimals; Σ debit must equal Σ credit.
    A distributor balance that would become negative where it may not (rebate, deposit) is
    refused by the account's check constraints, rolling the whole entry back."""
    lines = [line for line in lines if line.debit or line.credit]
    for line in lines:
        for amount in (line.debit, line.credit):
            if amount < 0 or amount != amount.quantize(CENT):
                raise ValidationFailed(_("Amounts must be positive with at most 2 decimal places."))
        Account(line.account)  # unknown accounts fail here
    total_debit = sum((line.debit for line in lines), ZERO)
    total_credit = sum((line.credit for line in lines), ZERO)
    if not lines or total_debit != total_credit:
        raise Unbalanced(_("A journal entry must balance: debits %(debit)s, credits %(credit)s.")
                         % {"debit": total_debit, "credit": total_credit})
    account = lock_account(distributor_id)
    now = posted_at or timezone.now()
    entry = JournalEntry.objects.create(
        number=f"JE{timezone.localdate():%Y%m%d}{next_value('journal_entry'):06d}", kind=kind,
        distributor_id=distributor_id, memo=memo[:255], reference=reference[:64], reverses=reverses,
        posted_at=now, posted_by=actor if getattr(actor, "pk", None) else None)
    JournalLine.objects.bulk_create([
        JournalLine(entry=entry, account=line.account, distributor_id=distributor_id, debit=line.debit,
                    credit=line.credit, posted_at=now)
        for line in lines
    ])
    deltas: dict[str, Decimal] = {}
    for line in lines:
        if line.account in DISTRIBUTOR_ACCOUNTS:
            deltas[line.account] = deltas.get(line.account, ZERO) + _signed(line)
    if deltas:
        DistributorAccount.objects.filter(pk=account.pk).update(
            **{name: F(name) + delta for name, delta in deltas.items() if delta})
    return entry


@transaction.atomic
def reverse(*, entry_id: int, actor=None, memo: str = "") -> JournalEntry:
    """Post the mirror image of an entry (debits become credits). An entry is reversed at
    most once; a reversal itself cannot be reversed."""
    original = JournalEntry.objects.select_for_update().get(pk=entry_id)
    if original.kind == JournalEntry.Kind.REVERSAL or JournalEntry.objects.filter(reverses=original).exists():
        raise Conflict(_("Journal entry %(number)s has already been reversed.") % {"number": original.number})
    lines = [Line(line.account, debit=line.credit, credit=line.debit) for line in original.lines.all()]
    return post(kind=JournalEntry.Kind.REVERSAL, distributor_id=original.distributor_id, lines=lines, actor=actor,
                memo=memo or _("Reversal of %(number)s") % {"number": original.number},
                reference=original.number, reverses=original)


def journal_balances(distributor_id: int) -> dict[str, Decimal]:
    """The distributor's account balances summed from the journal (in each account's sign)."""
    from django.db.models import Sum

    rows = (JournalLine.objects.filter(distributor_id=distributor_id, account__in=DISTRIBUTOR_ACCOUNTS)
            .order_by().values("account").annotate(d=Sum("debit"), c=Sum("credit")))
    sums = {row["account"]: (to_money(row["d"] or 0), to_money(row["c"] or 0)) for row in rows}
    result = {}
    for account in DISTRIBUTOR_ACCOUNTS:
        d, c = sums.get(account, (ZERO, ZERO))
        result[account.value] = d - c if account in DEBIT_NORMAL else c - d
    return result
