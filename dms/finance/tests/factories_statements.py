"""Test data for statements, settlements, scoring and reports: documents posted straight
through ledger.post (the ledger part's services are not needed for these tests)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from dms.core.models import next_value
from dms.core.scoping import scopes_disabled
from dms.finance import ledger
from dms.finance.ledger import credit, debit, to_money
from dms.finance.models import Account, Allocation, CreditNote, Invoice, JournalEntry, Payment

K = JournalEntry.Kind


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def invoice(distributor, total, *, issued: dt.date | None = None, due: dt.date | None = None,
            posted_at=None) -> Invoice:
    total = Decimal(total)
    issued = issued or timezone.localdate()
    tax = to_money(total * Decimal("0.13") / Decimal("1.13"))
    with scopes_disabled():
        number = f"INV{next_value('test_invoice'):06d}"
        entry = ledger.post(kind=K.INVOICE, distributor_id=distributor.pk, reference=number,
                            posted_at=posted_at or at(issued),
                            lines=[debit(Account.RECEIVABLE, total), credit(Account.REVENUE, total - tax),
                                   credit(Account.VAT, tax)])
        return Invoice.objects.create(number=number, distributor=distributor, issue_date=issued,
                                      due_date=due or issued + dt.timedelta(days=30), net_amount=total - tax,
                                      tax_amount=tax, total_amount=total, entry=entry)


def _settle(inv: Invoice, amount: Decimal) -> None:
    inv.paid_amount += amount
    inv.status = Invoice.Status.PAID if inv.paid_amount == inv.total_amount else Invoice.Status.PARTIALLY_PAID
    inv.save(update_fields=["paid_amount", "status"])


def payment(distributor, amount, *, to: Invoice | None = None, allocate=None, posted_at=None,
            received: dt.date | None = None) -> Payment:
    """A payment, allocated to ``to`` (``allocate`` of it, default all it can), the rest
    credited to prepayment."""
    amount = Decimal(amount)
    with scopes_disabled():
        allocated = Decimal(allocate) if allocate is not None else (min(amount, to.open_amount) if to else Decimal(0))
        number = f"PAY{next_value('test_payment'):06d}"
        entry = ledger.post(kind=K.PAYMENT, distributor_id=distributor.pk, reference=number, posted_at=posted_at,
                            lines=[debit(Account.BANK, amount), credit(Account.RECEIVABLE, allocated),
                                   credit(Account.PREPAYMENT, amount - allocated)])
        pay = Payment.objects.create(number=number, distributor=distributor, amount=amount,
                                     method=Payment.Method.BANK_TRANSFER, to_prepayment=amount - allocated,
                                     entry=entry, received_on=received or timezone.localdate(posted_at or
                                                                                              timezone.now()))
        if to is not None and allocated:
            Allocation.objects.create(invoice=to, source=Allocation.Source.PAYMENT, payment=pay, amount=allocated,
                                      entry=entry, created_at=posted_at or timezone.now())
            _settle(to, allocated)
        return pay


def grant_rebate(distributor, amount, *, posted_at=None) -> JournalEntry:
    with scopes_disabled():
        return ledger.post(kind=K.REBATE, distributor_id=distributor.pk, posted_at=posted_at,
                           lines=[debit(Account.REBATE_EXPENSE, amount), credit(Account.REBATE, amount)])


def rebate_offset(inv: Invoice, amount, *, posted_at=None) -> Allocation:
    """Part of an invoice paid from the rebate balance."""
    amount = Decimal(amount)
    with scopes_disabled():
        entry = ledger.post(kind=K.ALLOCATION, distributor_id=inv.distributor_id, posted_at=posted_at,
                            lines=[debit(Account.REBATE, amount), credit(Account.RECEIVABLE, amount)],
                            memo=f"返利抵扣 {inv.number}")
        alloc = Allocation.objects.create(invoice=inv, source=Allocation.Source.REBATE, amount=amount, entry=entry)
        _settle(inv, amount)
        return alloc


def credit_note(inv: Invoice, amount, *, posted_at=None) -> CreditNote:
    amount = Decimal(amount)
    tax = to_money(amount * Decimal("0.13") / Decimal("1.13"))
    with scopes_disabled():
        number = f"CN{next_value('test_credit_note'):06d}"
        entry = ledger.post(kind=K.CREDIT_NOTE, distributor_id=inv.distributor_id, posted_at=posted_at,
                            reference=number,
                            lines=[debit(Account.SALES_ADJUSTMENT, amount - tax), debit(Account.VAT, tax),
                                   credit(Account.RECEIVABLE, amount)])
        note = CreditNote.objects.create(number=number, distributor_id=inv.distributor_id, invoice=inv,
                                         kind=CreditNote.Kind.RETURN, reason="退货", net_amount=amount - tax,
                                         tax_amount=tax, total_amount=amount, entry=entry)
        _settle(inv, amount)
        return note
