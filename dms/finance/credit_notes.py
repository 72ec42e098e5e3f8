"""Credit notes: goods returned, price adjustments and rebates granted.

Returns and price adjustments reduce what the distributor owes: Dr sales adjustment (net)
+ Dr output VAT (tax) / Cr receivable for the part settled against the invoice (the
order's open invoices, oldest first, for a return) and Cr prepayment for the rest.
A rebate raises the rebate balance: Dr rebate expense / Cr rebate (no VAT: it is applied
to later orders, whose invoices carry the tax).
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from dms.core.errors import InvalidTransition, ValidationFailed
from dms.distributors.models import Distributor
from dms.orders.models import ReturnRequest

from . import allocations as alloc
from . import ledger
from .invoicing import pro_rata, split_tax
from .ledger import credit, debit
from .models import ZERO, Account, Allocation, CreditNote, Invoice, JournalEntry

DEFAULT_VAT = Decimal("0.13")
K = CreditNote.Kind


def _settle(credit_note: CreditNote, invoices: list[Invoice], actor) -> None:
    """Post the note: allocated to ``invoices`` (locked, oldest first) as far as they are
    open, the rest to prepayment."""
    left, wanted = credit_note.total_amount, []
    for invoice in invoices:
        amount = min(left, invoice.open_amount)
        if amount > 0:
            wanted.append((invoice.pk, amount))
            left -= amount
    allocated = credit_note.total_amount - left
    credit_note.entry = alloc.post(
        kind=JournalEntry.Kind.CREDIT_NOTE, distributor_id=credit_note.distributor_id, actor=actor,
        reference=credit_note.number, memo=credit_note.reason,
        lines=[debit(Account.SALES_ADJUSTMENT, credit_note.net_amount), debit(Account.VAT, credit_note.tax_amount),
               credit(Account.RECEIVABLE, allocated), credit(Account.PREPAYMENT, left)])
    credit_note.save(update_fields=["entry"])
    alloc.apply({inv.pk: inv for inv in invoices}, wanted, source=Allocation.Source.CREDIT_NOTE,
                entry=credit_note.entry, credit_note=credit_note)


def _new(distributor_id, kind, reason, net, tax, actor, **extra) -> CreditNote:
    return CreditNote.objects.create(
        number=alloc.number("CN", "credit_note"), distributor_id=distributor_id, kind=kind, reason=reason[:255],
        net_amount=net, tax_amount=tax, total_amount=net + tax,
        created_by=actor if getattr(actor, "pk", None) else None, **extra)


@transaction.atomic
def credit_return(*, return_id: int, actor) -> CreditNote:
    """The credit note of a received return (one per return: a second call returns it):
    returned quantity × the order line's price net of discount, VAT split per line."""
    ret = ReturnRequest.objects.select_for_update().select_related("order").get(pk=return_id)
    existing = CreditNote.objects.filter(return_request_id=ret.pk).first()
    if existing is not None:
        return existing
    if ret.status != ReturnRequest.Status.RECEIVED:
        raise InvalidTransition(ret.get_status_display(), _("Credited"))
    net = tax = ZERO
    for line in ret.lines.select_related("order_line__product"):
        ol = line.order_line
        n, t = split_tax(pro_rata(ol.amount, ol.quantity, 0, line.quantity), ol.product.vat_rate)
        net, tax = net + n, tax + t
    note = _new(ret.distributor_id, K.RETURN, _("Return %(number)s of order %(order)s")
                % {"number": ret.number, "order": ret.order.number}, net, tax, actor, return_request=ret)
    invoices = list(Invoice.objects.select_for_update().filter(
        order_id=ret.order_id, status__in=alloc.OPEN_STATUSES).order_by("pk"))
    _settle(note, invoices, actor)
    alloc.audit_created(note, _("Credit note %(number)s for return %(ret)s, %(total)s.")
                        % {"number": note.number, "ret": ret.number, "total": note.total_amount}, actor)
    return note


@transaction.atomic
def create_credit_note(*, distributor_id: int, kind: str, amount, reason: str, invoice_id=None,
                       actor) -> CreditNote:
    """A price adjustment (VAT-inclusive amount, against an invoice when given) or a rebate."""
    amount = ledger.parse_amount(amount, "amount")
    if kind not in (K.PRICE_ADJUSTMENT, K.REBATE):
        raise ValidationFailed(_("Choose price adjustment or rebate."), fields={"kind": [_("Choose a kind.")]})
    if not (reason or "").strip():
        raise ValidationFailed(_("Give a reason."), fields={"reason": [_("Give a reason.")]})
    if not Distributor.objects.filter(pk=distributor_id).exists():
        raise ValidationFailed(_("Unknown distributor."), fields={"distributor": [_("Unknown distributor.")]})
    invoice = None
    if invoice_id:
        invoice = Invoice.objects.select_for_update().filter(pk=invoice_id, distributor_id=distributor_id).first()
        if invoice is None or invoice.status == Invoice.Status.CANCELLED:
            raise ValidationFailed(_("Not an invoice of this distributor."),
                                   fields={"invoice": [_("Not an invoice of this distributor.")]})
    if kind == K.REBATE:
        note = _new(distributor_id, kind, reason.strip(), amount, ZERO, actor, invoice=invoice)
        note.entry = alloc.post(kind=JournalEntry.Kind.REBATE, distributor_id=distributor_id, actor=actor,
                                reference=note.number, memo=note.reason,
                                lines=[debit(Account.REBATE_EXPENSE, amount), credit(Account.REBATE, amount)])
        note.save(update_fields=["entry"])
    else:
        rate = invoice.tax_amount / invoice.net_amount if invoice and invoice.net_amount else DEFAULT_VAT
        net, tax = split_tax(amount, rate)
        note = _new(distributor_id, kind, reason.strip(), net, tax, actor, invoice=invoice)
        _settle(note, [invoice] if invoice else [], actor)
    alloc.audit_created(note, _("Credit note %(number)s, %(total)s.")
                        % {"number": note.number, "total": note.total_amount}, actor)
    return note
