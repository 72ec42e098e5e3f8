"""Credit: what an order may take, holds, limits.

Available credit = credit limit − receivable − open orders (approved, not yet invoiced).
An order takes credit when it is approved, for the part not paid from prepayment or
rebate, under the lock of its distributor's ``DistributorAccount`` row (a conditional
UPDATE, or SELECT … FOR UPDATE when prepayment or rebate are involved): concurrent orders
of one distributor queue on that row, never on a table. An order over the available
credit — or of a distributor on hold — goes to the credit-hold queue having reserved
nothing; finance releases it (approving it if stock allows) or rejects it.

The order side calls, in the order's own transaction:
* ``on_submit`` — plans prepayment/rebate, and either takes the credit (when the order is
  approved at once) or checks there is enough for review; False means credit hold;
* ``on_approve`` — at the last review step; False means credit hold;
* ``force_approve`` — finance releasing a hold: takes the credit whatever the limit;
* ``on_close`` — a cancelled or rejected order gives back its credit and prepayment;
* ``order_invoiced`` — invoicing gives back the credit the invoice now carries as receivable.
"""

from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dms.audit.models import AuditLog
from dms.audit.services import record as audit
from dms.core.errors import Conflict, NotAllowed, ValidationFailed
from dms.core.scoping import scopes_disabled

from . import ledger
from .models import ZERO, Account, CreditLimitChange, DistributorAccount, JournalEntry, OrderPayment

OP = OrderPayment.Status
MANUAL = "manual"  # a hold or prepayment rule set by finance (the nightly jobs mark theirs)


class InsufficientPrepayment(Conflict):
    code = "insufficient_prepayment"
    default_message = gettext_lazy("This distributor pays in advance: its prepayment and rebate do not cover the order.")


def _deduct_at_approval() -> bool:
    return settings.FINANCE_PREPAYMENT_DEDUCT_AT != "shipment"


def rebate_cap(total: Decimal) -> Decimal:
    return ledger.to_money(total * Decimal(settings.FINANCE_REBATE_MAX_SHARE))


def plan(account: DistributorAccount, total: Decimal, *, use_prepayment: bool, use_rebate: bool):
    """(prepayment, rebate) an order of ``total`` would use: the rebate up to its cap, then
    prepayment not yet set aside for other orders, up to the rest."""
    rebate = min(account.rebate, rebate_cap(total)) if use_rebate else ZERO
    free = account.prepayment - account.prepayment_reserved
    prepay = max(min(free, total - rebate), ZERO) if (use_prepayment or account.prepayment_only) else ZERO
    return prepay, rebate


# --- the fast path: take credit with one statement --------------------------------

_TAKE_SQL = """
WITH a AS (
    UPDATE finance_distributoraccount SET open_orders = open_orders + %(need)s, updated_at = %(now)s
    WHERE distributor_id = %(distributor)s AND NOT on_hold AND NOT prepayment_only
      AND credit_limit - receivable - open_orders >= %(need)s
    RETURNING id)
INSERT INTO finance_orderpayment (order_id, distributor_id, prepayment_amount, rebate_amount, credit_amount,
                                  credit_released, rebate_deducted, applied_amount, status, updated_at)
SELECT %(order)s, %(distributor)s, 0, 0, %(need)s, 0, false, 0, 'deducted', %(now)s FROM a
"""


def _take_credit_fast(order) -> bool:
    """Take the whole order's credit when nothing else is involved; False when the account
    does not allow it (then the careful path decides)."""
    need, now = order.total_amount, timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_TAKE_SQL, {"need": need, "now": now, "distributor": order.distributor_id,
                                       "order": order.pk})
            return cursor.rowcount == 1
    with scopes_disabled():
        taken = DistributorAccount.objects.filter(
            distributor_id=order.distributor_id, on_hold=False, prepayment_only=False,
            credit_limit__gte=F("receivable") + F("open_orders") + need,
        ).update(open_orders=F("open_orders") + need, updated_at=now)
        if taken:
            OrderPayment.objects.create(order=order, distributor_id=order.distributor_id, credit_amount=need,
                                        status=OP.DEDUCTED)
    return bool(taken)


# --- the careful path ----------------------------------------------------------------

def _payment(order) -> OrderPayment | None:
    with scopes_disabled():
        return OrderPayment.objects.select_for_update().filter(order_id=order.pk).first()


def _funds_short(account, payment) -> bool:
    """The planned prepayment or rebate is no longer there (spent by another order since
    submission). A prepayment reserved at submission is always there."""
    prepay_short = payment.status == OP.PLANNED and \
        payment.prepayment_amount > account.prepayment - account.prepayment_reserved
    return prepay_short or payment.rebate_amount > account.rebate


def _take(account, order, payment, *, force: bool, actor) -> bool:
    """Under the account lock: take the credit the order needs and deduct what it pays
    from prepayment and rebate into the deposit account (Dr prepayment, Dr rebate / Cr
    deposit). A prepayment reserved at submission (deduction at shipment) stays reserved
    until invoicing; the rebate is always deducted now. False, changing nothing, when the
    credit or the planned funds are not there (unless ``force``)."""
    if payment is None:
        payment = OrderPayment(order=order, distributor_id=order.distributor_id)
    short = _funds_short(account, payment)
    need = order.total_amount - payment.prepayment_amount - payment.rebate_amount
    if not force and (account.on_hold or account.available_credit < need or short):
        return False
    if short:  # finance released the hold: what the funds no longer cover is taken on credit
        if payment.status == OP.RESERVED:
            DistributorAccount.objects.filter(pk=account.pk).update(
                prepayment_reserved=F("prepayment_reserved") - payment.prepayment_amount)
        payment.prepayment_amount = payment.rebate_amount = ZERO
        payment.status, need = OP.PLANNED, order.total_amount
    prepay_now = payment.prepayment_amount if payment.status == OP.PLANNED else ZERO
    if prepay_now or payment.rebate_amount:
        ledger.post(kind=JournalEntry.Kind.PREPAYMENT_APPLIED, distributor_id=order.distributor_id, actor=actor,
                    lines=[ledger.debit(Account.PREPAYMENT, prepay_now),
                           ledger.debit(Account.REBATE, payment.rebate_amount),
                           ledger.credit(Account.DEPOSIT, prepay_now + payment.rebate_amount)],
                    memo=_("Order %(number)s paid from prepayment and rebate") % {"number": order.number},
                    reference=order.number)
        payment.rebate_deducted = bool(payment.rebate_amount)
    if payment.status == OP.PLANNED:
        payment.status = OP.DEDUCTED
    DistributorAccount.objects.filter(pk=account.pk).update(open_orders=F("open_orders") + need)
    payment.credit_amount = need
    payment.save()
    return True


def on_submit(order, *, approving: bool, use_prepayment: bool = False, use_rebate: bool = False,
              actor=None) -> bool:
    """At submission. Plans the prepayment and rebate the order uses; takes its credit when
    it is approved at once, otherwise checks that the credit is there for review. False:
    credit hold (nothing taken, the caller reserves no stock). A prepayment-only
    distributor whose balance does not cover the order gets ``InsufficientPrepayment``."""
    if approving and not (use_prepayment or use_rebate) and _take_credit_fast(order):
        return True
    with scopes_disabled():
        account = ledger.lock_account(order.distributor_id)
        prepay, rebate = plan(account, order.total_amount, use_prepayment=use_prepayment, use_rebate=use_rebate)
        if account.prepayment_only and prepay + rebate < order.total_amount:
            raise InsufficientPrepayment()
        payment = None
        if prepay or rebate:
            payment = OrderPayment.objects.create(order=order, distributor_id=order.distributor_id,
                                                  prepayment_amount=prepay, rebate_amount=rebate)
            if not _deduct_at_approval() and prepay:  # set aside now, deducted when invoiced
                DistributorAccount.objects.filter(pk=account.pk).update(
                    prepayment_reserved=F("prepayment_reserved") + prepay)
                account.prepayment_reserved += prepay
                payment.status = OP.RESERVED
                payment.save(update_fields=["status", "updated_at"])
        if approving:
            return _take(account, order, payment, force=False, actor=actor)
        need = order.total_amount - prepay - rebate
        return not account.on_hold and account.available_credit >= need


def on_approve(order, *, actor=None) -> bool:
    """At the last review step: take the order's credit. False: credit hold."""
    with scopes_disabled():
        account = ledger.lock_account(order.distributor_id)
        return _take(account, order, _payment(order), force=False, actor=actor)


def force_approve(order, *, actor) -> None:
    """Finance releases a credit hold: the order takes its credit whatever the limit."""
    with scopes_disabled():
        account = ledger.lock_account(order.distributor_id)
        _take(account, order, _payment(order), force=True, actor=actor)


def on_close(order, *, actor=None) -> None:
    """A cancelled or rejected order gives back the credit it still holds, its reserved
    prepayment, and the prepayment and rebate deducted for it (a reversing posting). An
    order that has been invoiced is settled through its invoice, not here."""
    with scopes_disabled():
        payment = _payment(order)
        if payment is None or payment.status == OP.RELEASED:
            return
        if payment.status == OP.INVOICED or order.invoices.exclude(status="cancelled").exists():
            raise Conflict(_("Order %(number)s has been invoiced: cancel its invoice or issue a credit note first.")
                           % {"number": order.number})
        account = ledger.lock_account(order.distributor_id)
        held = payment.credit_amount - payment.credit_released
        if held > 0:
            DistributorAccount.objects.filter(pk=account.pk).update(open_orders=F("open_orders") - held)
            payment.credit_released += held
        if payment.status == OP.RESERVED:
            DistributorAccount.objects.filter(pk=account.pk).update(
                prepayment_reserved=F("prepayment_reserved") - payment.prepayment_amount)
        prepay = payment.prepayment_amount if payment.status == OP.DEDUCTED else ZERO
        rebate = payment.rebate_amount if payment.rebate_deducted else ZERO
        if prepay or rebate:
            ledger.post(kind=JournalEntry.Kind.PREPAYMENT_APPLIED, distributor_id=order.distributor_id, actor=actor,
                        lines=[ledger.debit(Account.DEPOSIT, prepay + rebate),
                               ledger.credit(Account.PREPAYMENT, prepay), ledger.credit(Account.REBATE, rebate)],
                        memo=_("Order %(number)s closed: prepayment and rebate given back") % {"number": order.number},
                        reference=order.number)
        payment.status = OP.RELEASED
        payment.save()


def reopen(order, *, actor=None) -> None:
    """An order edited after submission gives everything back and starts again."""
    on_close(order, actor=actor)
    with scopes_disabled():
        OrderPayment.objects.filter(order_id=order.pk).delete()


def order_invoiced(*, order_id: int, amount: Decimal) -> Decimal:
    """An invoice of the order now carries ``amount`` as receivable (the part its
    prepayment and rebate did not pay): give back that much of the order's credit, no more
    than it took. Returns what was given back. Called inside the invoicing transaction."""
    with scopes_disabled():
        payment = OrderPayment.objects.select_for_update().filter(order_id=order_id).first()
        if payment is None:
            return ZERO
        release = max(min(amount, payment.credit_amount - payment.credit_released), ZERO)
        if release:
            ledger.lock_account(payment.distributor_id)
            DistributorAccount.objects.filter(distributor_id=payment.distributor_id).update(
                open_orders=F("open_orders") - release)
            payment.credit_released += release
            payment.save(update_fields=["credit_released", "updated_at"])
        return release


# --- limits and holds ------------------------------------------------------------------

@transaction.atomic
def set_credit_limit(*, distributor_id: int, credit_limit, actor, reason: str = "") -> DistributorAccount:
    """Change a distributor's limit (finance). Recorded in the limit history and the audit log."""
    if actor is not None and not actor.has_perm("finance.change_credit_limit"):
        raise NotAllowed(_("Only finance may change credit limits."))
    new = ledger.parse_amount(credit_limit, "credit_limit", allow_zero=True)
    with scopes_disabled():
        account = ledger.lock_account(distributor_id)
        old = account.credit_limit
        if new == old:
            return account
        account.credit_limit = new
        account.save(update_fields=["credit_limit", "updated_at"])
        CreditLimitChange.objects.create(distributor_id=distributor_id, old_limit=old, new_limit=new,
                                         reason=(reason or "")[:255], changed_by=actor)
    audit(action=AuditLog.Action.UPDATE, instance=account, distributor_id=distributor_id,
          message=_("Credit limit changed from %(old)s to %(new)s.") % {"old": old, "new": new},
          changes={"credit_limit": [str(old), str(new)]}, actor=actor)
    return account


@transaction.atomic
def set_hold(*, distributor_id: int, on_hold: bool, reason: str = "", actor) -> DistributorAccount:
    """Put a distributor on credit hold (its new orders wait for finance) or lift it."""
    with scopes_disabled():
        account = ledger.lock_account(distributor_id)
        if account.on_hold == on_hold:
            return account
        account.on_hold = on_hold
        account.hold_reason = (reason or "")[:255] if on_hold else ""
        account.hold_since = timezone.now() if on_hold else None
        account.hold_source = MANUAL if on_hold else ""  # the nightly job lifts only the holds it set
        account.save(update_fields=["on_hold", "hold_reason", "hold_since", "hold_source", "updated_at"])
    audit(action=AuditLog.Action.UPDATE, instance=account, distributor_id=distributor_id,
          message=(_("Put on credit hold: %(reason)s") % {"reason": reason}) if on_hold else _("Credit hold lifted."),
          changes={"on_hold": [not on_hold, on_hold]}, actor=actor)
    return account


@transaction.atomic
def set_prepayment_only(*, distributor_id: int, prepayment_only: bool, actor, reason: str = "") -> DistributorAccount:
    with scopes_disabled():
        account = ledger.lock_account(distributor_id)
        if account.prepayment_only == prepayment_only:
            return account
        account.prepayment_only = prepayment_only
        account.prepayment_only_source = MANUAL if prepayment_only else ""
        account.save(update_fields=["prepayment_only", "prepayment_only_source", "updated_at"])
    audit(action=AuditLog.Action.UPDATE, instance=account, distributor_id=distributor_id,
          message=(_("Prepayment required: %(reason)s") % {"reason": reason}) if prepayment_only
          else _("Prepayment no longer required."),
          changes={"prepayment_only": [not prepayment_only, prepayment_only]}, actor=actor)
    return account


@transaction.atomic
def set_payment_terms(*, distributor_id: int, terms_id, actor) -> DistributorAccount:
    from .models import PaymentTerms

    terms = PaymentTerms.objects.filter(pk=terms_id).first() if str(terms_id or "").isdigit() else None
    if terms is None:
        raise ValidationFailed(_("Choose payment terms."), fields={"payment_terms": [_("Choose payment terms.")]})
    with scopes_disabled():
        account = ledger.lock_account(distributor_id)
        old = account.payment_terms
        if old == terms:
            return account
        account.payment_terms = terms
        account.save(update_fields=["payment_terms", "updated_at"])
    audit(action=AuditLog.Action.UPDATE, instance=account, distributor_id=distributor_id,
          message=_("Payment terms changed to %(terms)s.") % {"terms": terms.name},
          changes={"payment_terms": [str(old or ""), terms.name]}, actor=actor)
    return account


def funding(distributor_id: int, total: Decimal) -> dict:
    """What the cart offers: the prepayment and rebate an order of ``total`` could use."""
    with scopes_disabled():
        account = DistributorAccount.objects.filter(distributor_id=distributor_id).first()
    if account is None:
        return {}
    free = account.prepayment - account.prepayment_reserved
    return {
        "prepayment": free, "rebate": account.rebate, "rebate_cap": min(account.rebate, rebate_cap(total)),
        "prepayment_only": account.prepayment_only, "available": account.available_credit,
        "on_hold": account.on_hold,
    }


def credit_summary(account: DistributorAccount) -> dict:
    """The API's credit view of one distributor."""
    return {
        "credit_limit": account.credit_limit,
        "receivable": account.receivable,
        "open_orders": account.open_orders,
        "available": account.available_credit,
        "on_hold": account.on_hold,
        "score": account.score,
    }


def over_limit_q() -> Q:
    return Q(credit_limit__lt=F("receivable") + F("open_orders"))
