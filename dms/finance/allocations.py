"""What the ledger's documents share: document numbers, settling invoices (allocations)
and posting with the balance guards turned into clear errors.

Lock order, everywhere in the ledger part: invoices (by id), then the distributor's
account row (``ledger.post`` locks it). The order credit check locks only the account.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.audit import services as audit
from dms.audit.models import AuditLog
from dms.core.errors import Conflict, ValidationFailed
from dms.core.models import next_value

from . import ledger
from .models import ZERO, Allocation, Invoice

OPEN_STATUSES = (Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID)


class BalanceTooLow(Conflict):
    code = "insufficient_balance"


def number(prefix: str, sequence: str) -> str:
    return f"{prefix}{timezone.localdate():%Y%m%d}{next_value(sequence):06d}"


def status_for(paid: Decimal, total: Decimal) -> str:
    if paid <= 0:
        return Invoice.Status.OPEN
    return Invoice.Status.PAID if paid >= total else Invoice.Status.PARTIALLY_PAID


def parse_allocations(raw, field: str = "allocations") -> list[tuple[int, Decimal]]:
    """``[(invoice_id, amount), …]`` or ``[{"invoice", "amount"}, …]`` from a form or the
    API: each amount through ``parse_amount``, each invoice once."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list | tuple):
        raise ValidationFailed(fields={field: [_("Give a list of {invoice, amount}.")]})
    result, seen = [], set()
    for i, item in enumerate(raw):
        invoice, amount = (item.get("invoice"), item.get("amount")) if isinstance(item, dict) else (
            item if isinstance(item, list | tuple) and len(item) == 2 else (None, None))
        try:
            invoice_id = int(invoice)
        except (TypeError, ValueError):
            raise ValidationFailed(_("Choose an invoice."),
                                   fields={f"{field}.{i}.invoice": [_("Choose an invoice.")]}) from None
        if invoice_id in seen:
            raise ValidationFailed(_("Each invoice can appear only once."),
                                   fields={f"{field}.{i}.invoice": [_("Each invoice can appear only once.")]})
        seen.add(invoice_id)
        result.append((invoice_id, ledger.parse_amount(amount, f"{field}.{i}.amount")))
    return result


def lock_open_invoices(distributor_id: int, allocations: list[tuple[int, Decimal]],
                       field: str = "allocations") -> dict[int, Invoice]:
    """Lock the invoices (id order) and check each allocation: the distributor's own open
    invoice, at most its open amount. Anything else is a ValidationFailed naming the row."""
    ids = sorted(invoice_id for invoice_id, _amount in allocations)
    invoices = {inv.pk: inv for inv in Invoice.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    for i, (invoice_id, amount) in enumerate(allocations):
        invoice = invoices.get(invoice_id)
        if invoice is None or invoice.distributor_id != distributor_id:
            raise ValidationFailed(_("The invoice is not an invoice of this distributor."),
                                   fields={f"{field}.{i}.invoice": [_("Not an invoice of this distributor.")]})
        if invoice.status not in OPEN_STATUSES:
            raise ValidationFailed(_("Invoice %(number)s is not open.") % {"number": invoice.number},
                                   fields={f"{field}.{i}.invoice": [_("This invoice is not open.")]})
        if amount > invoice.open_amount:
            message = _("Invoice %(number)s has only %(open)s open.") % {"number": invoice.number,
                                                                          "open": invoice.open_amount}
            raise ValidationFailed(message, fields={f"{field}.{i}.amount": [message]})
    return invoices


def apply(invoices: dict[int, Invoice], allocations: list[tuple[int, Decimal]], *, source: str, entry,
          payment=None, credit_note=None) -> list[Allocation]:
    """Settle locked invoices: Allocation rows, paid amount and status."""
    rows = []
    for invoice_id, amount in allocations:
        invoice = invoices[invoice_id]
        invoice.paid_amount += amount
        invoice.status = status_for(invoice.paid_amount, invoice.total_amount)
        invoice.save(update_fields=["paid_amount", "status"])
        rows.append(Allocation(invoice=invoice, source=source, payment=payment, credit_note=credit_note,
                               amount=amount, entry=entry))
    return Allocation.objects.bulk_create(rows)


def undo(allocations: list[Allocation]) -> None:
    """Take live allocations off their invoices (the invoices are locked first)."""
    ids = sorted({a.invoice_id for a in allocations})
    invoices = {inv.pk: inv for inv in Invoice.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    for allocation in allocations:
        invoice = invoices[allocation.invoice_id]
        invoice.paid_amount -= allocation.amount
        invoice.status = status_for(invoice.paid_amount, invoice.total_amount)
    for invoice in invoices.values():
        invoice.save(update_fields=["paid_amount", "status"])
    Allocation.objects.filter(pk__in=[a.pk for a in allocations]).update(reversed=True)


def post(**kwargs):
    """``ledger.post`` with the account guards (rebate, deposit and unreserved prepayment
    never below zero) answered as a Conflict instead of a database error."""
    try:
        with transaction.atomic():
            return ledger.post(**kwargs)
    except IntegrityError:
        raise BalanceTooLow(_("The distributor's balance is too low for this: it would become negative.")) from None


def reverse(*, entry_id: int, actor, memo: str = ""):
    try:
        with transaction.atomic():
            return ledger.reverse(entry_id=entry_id, actor=actor, memo=memo)
    except IntegrityError:
        raise BalanceTooLow(_("This cannot be reversed: the balance it created has been used since.")) from None


def audit_created(instance, message: str, actor, changes=None) -> None:
    audit.record(action=AuditLog.Action.CREATE, instance=instance, distributor_id=instance.distributor_id,
                 message=message, changes=changes or {}, actor=actor)


def audit_action(instance, message: str, actor, changes=None) -> None:
    audit.record(action=AuditLog.Action.ACTION, instance=instance, distributor_id=instance.distributor_id,
                 message=message, changes=changes or {}, actor=actor)


def total(amounts) -> Decimal:
    return sum(amounts, ZERO)
