"""Payments received from distributors and the prepayment they leave.

A payment posts Dr bank (the amount) / Cr receivable (what is allocated to invoices) /
Cr prepayment (the rest). Prepayment is allocated to invoices later with
``allocate_prepayment`` (Dr prepayment / Cr receivable). A payment is corrected by
``reverse_payment`` (corrections.reverse_entry).

Idempotency, as for orders: the key is unique per recorder in the database. The same key
with the same request returns the first payment (``payment.replayed``); with another
request it is ``IdempotencyMismatch`` (422). The key is claimed by inserting the payment
row first, so a concurrent retry waits for the first request and then replays it.
"""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dms.core.errors import Conflict, DomainError, ValidationFailed
from dms.distributors.models import Distributor

from . import allocations as alloc
from . import ledger
from .ledger import credit, debit
from .models import Account, Allocation, DistributorAccount, JournalEntry, Payment


class IdempotencyMismatch(DomainError):
    code = "idempotency_key_reused"
    status = 422
    default_message = gettext_lazy("This Idempotency-Key was already used with a different request.")


def _replay(actor, key, request_hash) -> Payment | None:
    if not key or not getattr(actor, "pk", None):
        return None
    existing = Payment.objects.filter(recorded_by=actor, idempotency_key=key).first()
    if existing is not None and existing.request_hash != request_hash:
        raise IdempotencyMismatch()
    if existing is not None:
        existing.replayed = True
    return existing


def _check(distributor_id, amount, method, received_on, allocations):
    amount = ledger.parse_amount(amount, "amount")
    if method not in Payment.Method.values:
        raise ValidationFailed(_("Choose a payment method."), fields={"method": [_("Choose a payment method.")]})
    if received_on is not None and not isinstance(received_on, dt.date):
        raise ValidationFailed(_("Enter a date."), fields={"received_on": [_("Enter a date.")]})
    if received_on is not None and received_on > timezone.localdate():
        raise ValidationFailed(_("The date cannot be in the future."),
                               fields={"received_on": [_("The date cannot be in the future.")]})
    if not Distributor.objects.filter(pk=distributor_id).exists():
        raise ValidationFailed(_("Unknown distributor."), fields={"distributor": [_("Unknown distributor.")]})
    wanted = alloc.parse_allocations(allocations)
    if alloc.total(a for _i, a in wanted) > amount:
        message = _("The allocations add up to more than the payment.")
        raise ValidationFailed(message, fields={"allocations": [message]})
    return amount, wanted


@transaction.atomic
def record_payment(*, distributor_id: int, amount, method: str, reference: str = "", received_on=None,
                   allocations=None, actor, note: str = "", idempotency_key: str | None = None,
                   request_hash: str = "") -> Payment:
    """Record money received; allocate it to the distributor's open invoices (each at most
    its open amount); the rest goes to prepayment. Bad input changes nothing."""
    existing = _replay(actor, idempotency_key, request_hash)
    if existing is not None:
        return existing
    amount, wanted = _check(distributor_id, amount, method, received_on, allocations)
    recorder = actor if getattr(actor, "pk", None) else None
    payment = Payment(number=alloc.number("PAY", "payment"), distributor_id=distributor_id, amount=amount,
                      method=method, reference=(reference or "")[:64], received_on=received_on or timezone.localdate(),
                      note=(note or "")[:255], recorded_by=recorder,
                      idempotency_key=(idempotency_key or None) if recorder else None,
                      request_hash=request_hash if idempotency_key and recorder else "")
    try:
        with transaction.atomic():
            payment.save(force_insert=True)
    except IntegrityError:
        existing = _replay(actor, idempotency_key, request_hash)
        if existing is None:
            raise
        return existing
    invoices = alloc.lock_open_invoices(distributor_id, wanted)
    allocated = alloc.total(a for _i, a in wanted)
    payment.to_prepayment = amount - allocated
    payment.entry = alloc.post(
        kind=JournalEntry.Kind.PAYMENT, distributor_id=distributor_id, actor=actor, reference=payment.number,
        memo=_("Payment %(number)s %(reference)s") % {"number": payment.number, "reference": payment.reference},
        lines=[debit(Account.BANK, amount), credit(Account.RECEIVABLE, allocated),
               credit(Account.PREPAYMENT, payment.to_prepayment)])
    payment.save(update_fields=["to_prepayment", "entry"])
    alloc.apply(invoices, wanted, source=Allocation.Source.PAYMENT, entry=payment.entry, payment=payment)
    alloc.audit_created(payment, _("Payment %(number)s recorded, %(amount)s.")
                        % {"number": payment.number, "amount": amount}, actor)
    payment.replayed = False
    return payment


@transaction.atomic
def allocate_prepayment(*, distributor_id: int, allocations, actor) -> JournalEntry:
    """Settle open invoices from the distributor's prepayment (what is not reserved for
    submitted orders)."""
    wanted = alloc.parse_allocations(allocations)
    if not wanted:
        raise ValidationFailed(_("Choose at least one invoice."), fields={"allocations": [_("Choose an invoice.")]})
    invoices = alloc.lock_open_invoices(distributor_id, wanted)
    total = alloc.total(a for _i, a in wanted)
    account = ledger.lock_account(distributor_id)
    free = account.prepayment - account.prepayment_reserved
    if total > free:
        message = _("Only %(free)s of prepayment is available.") % {"free": free}
        raise ValidationFailed(message, fields={"allocations": [message]})
    entry = alloc.post(kind=JournalEntry.Kind.ALLOCATION, distributor_id=distributor_id, actor=actor,
                       memo=_("Prepayment applied to %(invoices)s")
                       % {"invoices": ", ".join(invoices[i].number for i, _a in wanted)},
                       lines=[debit(Account.PREPAYMENT, total), credit(Account.RECEIVABLE, total)])
    alloc.apply(invoices, wanted, source=Allocation.Source.PREPAYMENT, entry=entry)
    return entry


def reverse_payment(*, payment_id: int, actor) -> Payment:
    """Reverse a payment: its entry, its allocations. Refused when the prepayment it left
    has been used since."""
    from .corrections import reverse_entry

    payment = Payment.objects.get(pk=payment_id)
    if payment.reversed_at is not None or payment.entry_id is None:
        raise Conflict(_("Payment %(number)s has already been reversed.") % {"number": payment.number})
    reverse_entry(entry_id=payment.entry_id, actor=actor)
    payment.refresh_from_db()
    return payment


def free_prepayment(distributor_id: int) -> Decimal:
    account = DistributorAccount.objects.get(distributor_id=distributor_id)
    return account.prepayment - account.prepayment_reserved
