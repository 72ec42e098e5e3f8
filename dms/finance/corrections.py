"""Corrections: a document is undone by reversing its journal entry, never by an edit.

``reverse_entry`` keeps the documents in step with the journal: the entry's allocations
come off their invoices, an invoice is cancelled (only when nothing is allocated to it),
a payment is marked reversed. A reversal that would take a balance below zero (the
prepayment a payment created has been used since, a rebate already paid out) is refused
and changes nothing. Prepayment applied to orders, settlements and the credit part's
postings are undone by their own workflows, not here.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.core.errors import Conflict

from . import allocations as alloc
from .models import Allocation, Invoice, JournalEntry, Payment

K = JournalEntry.Kind
REVERSIBLE = (K.INVOICE, K.PAYMENT, K.ALLOCATION, K.CREDIT_NOTE, K.REBATE)


def can_reverse(entry: JournalEntry) -> bool:
    return entry.kind in REVERSIBLE and not JournalEntry.objects.filter(reverses_id=entry.pk).exists()


@transaction.atomic
def reverse_entry(*, entry_id: int, actor, memo: str = "") -> JournalEntry:
    entry = JournalEntry.objects.select_for_update().get(pk=entry_id)
    if entry.kind not in REVERSIBLE:
        raise Conflict(_("A %(kind)s entry is not reversed from the journal.") % {"kind": entry.get_kind_display()})
    if JournalEntry.objects.filter(reverses_id=entry.pk).exists():
        raise Conflict(_("Journal entry %(number)s has already been reversed.") % {"number": entry.number})
    invoice = Invoice.objects.select_for_update().filter(entry_id=entry.pk).first()
    if invoice is not None and invoice.allocations.filter(reversed=False).exists():
        raise Conflict(_("Invoice %(number)s has payments or credits allocated: reverse those first.")
                       % {"number": invoice.number})
    live = list(Allocation.objects.filter(entry_id=entry.pk, reversed=False))
    if live:
        alloc.undo(live)
    reversal = alloc.reverse(entry_id=entry.pk, actor=actor, memo=memo)
    if invoice is not None:
        invoice.status, invoice.shipment = Invoice.Status.CANCELLED, None  # the shipment can be invoiced again
        invoice.save(update_fields=["status", "shipment"])
        alloc.audit_action(invoice, _("Invoice %(number)s cancelled.") % {"number": invoice.number}, actor)
    payment = Payment.objects.filter(entry_id=entry.pk).first()
    if payment is not None:
        Payment.objects.filter(pk=payment.pk).update(reversed_at=timezone.now())
        alloc.audit_action(payment, _("Payment %(number)s reversed.") % {"number": payment.number}, actor)
    return reversal
