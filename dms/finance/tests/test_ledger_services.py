"""The ledger's documents: what they post, the statuses they move, and bad input that
changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dms.core.errors import Conflict, InvalidTransition, ValidationFailed
from dms.finance import credit_notes, invoicing, payments
from dms.finance.corrections import reverse_entry
from dms.finance.models import (
    Account,
    Allocation,
    CreditNote,
    DistributorAccount,
    Invoice,
    JournalEntry,
    JournalLine,
    OrderPayment,
    Payment,
    PaymentTerms,
)
from dms.finance.reconcile import differences
from dms.orders import services as orders

from .factories import approved_order, invoice, shipped

pytestmark = pytest.mark.django_db
D = Decimal


def account(distributor):
    return DistributorAccount.objects.get(distributor=distributor)


def snapshot(distributor):
    a = account(distributor)
    return (JournalEntry.objects.count(), Payment.objects.count(), Allocation.objects.count(),
            a.receivable, a.prepayment, list(Invoice.objects.values_list("paid_amount", flat=True).order_by("pk")))


def assert_reconciled():
    assert differences()[1] == []


# --- invoices -------------------------------------------------------------------------

def test_shipment_invoice_splits_vat_per_line_and_posts_receivable(distributor, fin):
    inv = invoice(distributor, ("99.90", 3), ("10.00", 1, "0.09"))
    lines = list(inv.lines.order_by("pk"))
    assert [(line.amount, line.tax_amount, line.net_amount) for line in lines] == [
        (D("299.70"), D("34.48"), D("265.22")), (D("10.00"), D("0.83"), D("9.17"))]
    assert (inv.total_amount, inv.tax_amount, inv.net_amount) == (D("309.70"), D("35.31"), D("274.39"))
    assert inv.status == Invoice.Status.OPEN
    posted = {(line.account, line.debit, line.credit) for line in inv.entry.lines.all()}
    assert posted == {(Account.RECEIVABLE, D("309.70"), D("0")), (Account.REVENUE, D("0"), D("274.39")),
                      (Account.VAT, D("0"), D("35.31"))}
    assert account(distributor).receivable == D("309.70")
    assert_reconciled()


def test_shipment_invoice_is_idempotent(distributor, fin):
    inv = invoice(distributor, ("50.00", 2))
    again = invoicing.invoice_shipment(shipment_id=inv.shipment_id, actor=fin)
    assert again.pk == inv.pk
    assert Invoice.objects.count() == 1 and account(distributor).receivable == D("100.00")


def test_partial_shipments_add_up_to_the_discounted_line(distributor, fin):
    order = approved_order(distributor, ("10.00", 3))
    line = order.lines.get()
    line.discount_amount, line.amount = D("1.00"), D("29.00")  # a promotion's discount on the line
    line.save()
    first = invoicing.invoice_shipment(shipment_id=shipped(order, {line.pk: 1}).pk, actor=fin)
    second = invoicing.invoice_shipment(shipment_id=shipped(order, {line.pk: 2}).pk, actor=fin)
    assert (first.total_amount, second.total_amount) == (D("9.67"), D("19.33"))
    assert first.total_amount + second.total_amount == D("29.00")


def test_due_date_from_payment_terms():
    month_end = PaymentTerms(days=30, from_month_end=True)
    assert invoicing.due_date(dt.date(2026, 2, 10), month_end) == dt.date(2026, 3, 30)
    assert invoicing.due_date(dt.date(2026, 2, 10), PaymentTerms(days=60)) == dt.date(2026, 4, 11)


def test_invoice_for_a_picking_shipment_is_refused(distributor, fin):
    from dms.logistics import services as logistics

    order = approved_order(distributor, ("10.00", 1))
    shipment = logistics.create_shipment(order_id=order.pk, actor=fin)
    with pytest.raises(InvalidTransition):
        invoicing.invoice_shipment(shipment_id=shipment.pk, actor=fin)
    assert Invoice.objects.count() == 0


def test_order_invoice_releases_open_orders_and_applies_the_deducted_prepayment(distributor, fin):
    payments.record_payment(distributor_id=distributor.pk, amount="200.00", method="bank_transfer", actor=fin)
    order = approved_order(distributor, ("100.00", 3), use_prepayment=True)  # 200 prepaid, 100 on credit
    a = account(distributor)
    assert (a.prepayment, a.deposit, a.open_orders) == (D("0"), D("200.00"), D("100.00"))
    inv = invoicing.invoice_order(order_id=order.pk, actor=fin)
    inv.refresh_from_db()
    a = account(distributor)
    assert (inv.paid_amount, inv.status) == (D("200.00"), Invoice.Status.PARTIALLY_PAID)
    assert (a.receivable, a.deposit, a.prepayment, a.open_orders) == (D("100.00"), D("0"), D("0"), D("0"))
    assert OrderPayment.objects.get(order=order).status == OrderPayment.Status.INVOICED
    assert invoicing.invoice_order(order_id=order.pk, actor=fin).pk == inv.pk
    assert_reconciled()


def test_reserved_prepayment_is_applied_and_released_at_invoice(distributor, fin, settings):
    settings.FINANCE_PREPAYMENT_DEDUCT_AT = "shipment"
    payments.record_payment(distributor_id=distributor.pk, amount="150.00", method="bank_transfer", actor=fin)
    order = approved_order(distributor, ("100.00", 2), use_prepayment=True)
    assert account(distributor).prepayment_reserved == D("150.00")
    inv = invoicing.invoice_shipment(shipment_id=shipped(order).pk, actor=fin)
    inv.refresh_from_db()
    a = account(distributor)
    assert inv.paid_amount == D("150.00")
    assert (a.prepayment, a.prepayment_reserved, a.receivable, a.open_orders) == (D("0"), D("0"), D("50.00"), D("0"))
    assert_reconciled()


def test_cancel_invoice_reverses_it_and_frees_the_shipment(distributor, fin):
    inv = invoice(distributor, ("20.00", 5))
    invoicing.cancel_invoice(invoice_id=inv.pk, actor=fin)
    inv.refresh_from_db()
    assert inv.status == Invoice.Status.CANCELLED and account(distributor).receivable == 0
    with pytest.raises(Conflict):
        invoicing.cancel_invoice(invoice_id=inv.pk, actor=fin)


def test_cancel_invoice_with_a_payment_is_refused(distributor, fin):
    inv = invoice(distributor, ("20.00", 5))
    payments.record_payment(distributor_id=distributor.pk, amount="10", method="cash",
                            allocations=[(inv.pk, "10")], actor=fin)
    with pytest.raises(Conflict):
        invoicing.cancel_invoice(invoice_id=inv.pk, actor=fin)
    inv.refresh_from_db()
    assert inv.status == Invoice.Status.PARTIALLY_PAID


# --- payments -------------------------------------------------------------------------

def test_payment_allocated_to_two_invoices_with_the_rest_on_prepayment(distributor, fin):
    a, b = invoice(distributor, ("100.00", 1)), invoice(distributor, ("50.00", 4))
    p = payments.record_payment(distributor_id=distributor.pk, amount="350.00", method="bank_transfer",
                                reference="网银 0001", allocations=[(a.pk, "100.00"), (b.pk, "120.50")], actor=fin)
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.status, b.status) == (Invoice.Status.PAID, Invoice.Status.PARTIALLY_PAID)
    assert (b.paid_amount, p.to_prepayment) == (D("120.50"), D("129.50"))
    acc = account(distributor)
    assert (acc.receivable, acc.prepayment) == (D("79.50"), D("129.50"))
    lines = {(line.account, line.debit, line.credit) for line in p.entry.lines.all()}
    assert lines == {(Account.BANK, D("350.00"), 0), (Account.RECEIVABLE, 0, D("220.50")),
                     (Account.PREPAYMENT, 0, D("129.50"))}
    assert_reconciled()


@pytest.mark.parametrize(("amount", "field"), [
    ("0", "amount"), ("-5", "amount"), ("abc", "amount"), ("10.001", "amount"), ("", "amount"), (None, "amount")])
def test_bad_amount_changes_nothing(distributor, fin, amount, field):
    invoice(distributor, ("10.00", 1))
    before = snapshot(distributor)
    with pytest.raises(ValidationFailed) as exc:
        payments.record_payment(distributor_id=distributor.pk, amount=amount, method="cash", actor=fin)
    assert field in exc.value.fields
    assert snapshot(distributor) == before


def test_allocation_beyond_open_amount_changes_nothing(distributor, fin):
    inv = invoice(distributor, ("10.00", 1))
    before = snapshot(distributor)
    with pytest.raises(ValidationFailed) as exc:
        payments.record_payment(distributor_id=distributor.pk, amount="50", method="cash",
                                allocations=[(inv.pk, "10.01")], actor=fin)
    assert "allocations.0.amount" in exc.value.fields
    assert snapshot(distributor) == before


def test_allocations_beyond_the_payment_are_refused(distributor, fin):
    inv = invoice(distributor, ("100.00", 1))
    before = snapshot(distributor)
    with pytest.raises(ValidationFailed) as exc:
        payments.record_payment(distributor_id=distributor.pk, amount="50", method="cash",
                                allocations=[(inv.pk, "60")], actor=fin)
    assert "allocations" in exc.value.fields
    assert snapshot(distributor) == before


def test_another_distributors_invoice_is_refused(distributor, other_distributor, fin):
    theirs = invoice(other_distributor, ("10.00", 1))
    before, theirs_before = snapshot(distributor), snapshot(other_distributor)
    with pytest.raises(ValidationFailed) as exc:
        payments.record_payment(distributor_id=distributor.pk, amount="10", method="cash",
                                allocations=[{"invoice": theirs.pk, "amount": "10"}], actor=fin)
    assert "allocations.0.invoice" in exc.value.fields
    assert snapshot(distributor) == before and snapshot(other_distributor) == theirs_before


def test_idempotent_payment_replays_and_rejects_another_body(distributor, fin):
    first = payments.record_payment(distributor_id=distributor.pk, amount="10", method="cash", actor=fin,
                                    idempotency_key="k1", request_hash="h1")
    again = payments.record_payment(distributor_id=distributor.pk, amount="10", method="cash", actor=fin,
                                    idempotency_key="k1", request_hash="h1")
    assert again.pk == first.pk and again.replayed and not first.replayed
    with pytest.raises(payments.IdempotencyMismatch):
        payments.record_payment(distributor_id=distributor.pk, amount="11", method="cash", actor=fin,
                                idempotency_key="k1", request_hash="h2")
    assert Payment.objects.count() == 1 and account(distributor).prepayment == D("10.00")


def test_allocate_prepayment_later(distributor, fin):
    payments.record_payment(distributor_id=distributor.pk, amount="80", method="cash", actor=fin)
    inv = invoice(distributor, ("100.00", 1))
    payments.allocate_prepayment(distributor_id=distributor.pk, allocations=[(inv.pk, "80")], actor=fin)
    inv.refresh_from_db()
    assert (inv.paid_amount, account(distributor).prepayment, account(distributor).receivable) == (
        D("80"), D("0"), D("20"))
    with pytest.raises(ValidationFailed):
        payments.allocate_prepayment(distributor_id=distributor.pk, allocations=[(inv.pk, "1")], actor=fin)
    assert_reconciled()


def test_reverse_payment_undoes_its_allocations(distributor, fin):
    inv = invoice(distributor, ("100.00", 1))
    p = payments.record_payment(distributor_id=distributor.pk, amount="150", method="cash",
                                allocations=[(inv.pk, "100")], actor=fin)
    payments.reverse_payment(payment_id=p.pk, actor=fin)
    inv.refresh_from_db(), p.refresh_from_db()
    assert (inv.paid_amount, inv.status, p.reversed_at is not None) == (0, Invoice.Status.OPEN, True)
    acc = account(distributor)
    assert (acc.receivable, acc.prepayment) == (D("100.00"), D("0"))
    assert not Allocation.objects.filter(reversed=False).exists()
    with pytest.raises(Conflict):
        payments.reverse_payment(payment_id=p.pk, actor=fin)
    assert_reconciled()


def test_reversing_a_payment_whose_prepayment_was_used_is_refused(distributor, fin):
    p = payments.record_payment(distributor_id=distributor.pk, amount="100", method="cash", actor=fin)
    inv = invoice(distributor, ("60.00", 1))
    payments.allocate_prepayment(distributor_id=distributor.pk, allocations=[(inv.pk, "60")], actor=fin)
    before = snapshot(distributor)
    with pytest.raises(Conflict):
        payments.reverse_payment(payment_id=p.pk, actor=fin)
    assert snapshot(distributor) == before
    assert Payment.objects.get(pk=p.pk).reversed_at is None


# --- credit notes ---------------------------------------------------------------------

def test_return_credit_note_settles_the_open_invoice(distributor, fin, dist_admin):
    order = approved_order(distributor, ("113.00", 4))
    inv = invoicing.invoice_shipment(shipment_id=shipped(order).pk, actor=fin)
    ret = orders.request_return(order_id=order.pk, lines={order.lines.get().pk: 1}, reason="damaged",
                                actor=dist_admin)
    orders.decide_return(return_id=ret.pk, approve=True, actor=fin)
    orders.receive_return(return_id=ret.pk, actor=fin)
    note = credit_notes.credit_return(return_id=ret.pk, actor=fin)
    assert (note.total_amount, note.tax_amount, note.net_amount) == (D("113.00"), D("13.00"), D("100.00"))
    inv.refresh_from_db()
    assert inv.paid_amount == D("113.00") and account(distributor).receivable == D("339.00")
    assert credit_notes.credit_return(return_id=ret.pk, actor=fin).pk == note.pk
    assert_reconciled()


def test_return_not_received_is_refused(distributor, fin, dist_admin):
    order = approved_order(distributor, ("10.00", 2))
    shipped(order)
    ret = orders.request_return(order_id=order.pk, lines={order.lines.get().pk: 1}, reason="damaged",
                                actor=dist_admin)
    with pytest.raises(InvalidTransition):
        credit_notes.credit_return(return_id=ret.pk, actor=fin)
    assert CreditNote.objects.count() == 0


def test_price_adjustment_beyond_open_goes_to_prepayment(distributor, fin):
    inv = invoice(distributor, ("100.00", 1))
    payments.record_payment(distributor_id=distributor.pk, amount="90", method="cash",
                            allocations=[(inv.pk, "90")], actor=fin)
    note = credit_notes.create_credit_note(distributor_id=distributor.pk, kind="price_adjustment", amount="30",
                                           reason="价格调整", invoice_id=inv.pk, actor=fin)
    inv.refresh_from_db()
    acc = account(distributor)
    assert (inv.status, acc.receivable, acc.prepayment) == (Invoice.Status.PAID, D("0"), D("20.00"))
    assert note.net_amount + note.tax_amount == D("30.00")
    assert_reconciled()


def test_rebate_credit_note_raises_the_rebate_balance_and_its_reversal_lowers_it(distributor, fin):
    note = credit_notes.create_credit_note(distributor_id=distributor.pk, kind="rebate", amount="888.88",
                                           reason="2026 Q3 返利", actor=fin)
    assert account(distributor).rebate == D("888.88")
    reverse_entry(entry_id=note.entry_id, actor=fin)
    assert account(distributor).rebate == 0
    assert_reconciled()


def test_credit_note_bad_input_changes_nothing(distributor, other_distributor, fin):
    theirs = invoice(other_distributor, ("10.00", 1))
    for kwargs, field in [({"amount": "0"}, "amount"), ({"amount": "1.234"}, "amount"),
                          ({"kind": "return"}, "kind"), ({"reason": " "}, "reason"),
                          ({"invoice_id": theirs.pk}, "invoice")]:
        args = {"distributor_id": distributor.pk, "kind": "price_adjustment", "amount": "5", "reason": "x",
                "actor": fin, **kwargs}
        with pytest.raises(ValidationFailed) as exc:
            credit_notes.create_credit_note(**args)
        assert field in exc.value.fields
    assert CreditNote.objects.count() == 0 and JournalLine.objects.filter(distributor=distributor).count() == 0


# --- reconciliation -------------------------------------------------------------------

def test_check_finance_passes_after_activity_and_catches_a_tampered_cache(distributor, fin, capsys):
    inv = invoice(distributor, ("100.00", 2))
    payments.record_payment(distributor_id=distributor.pk, amount="250", method="cash",
                            allocations=[(inv.pk, "200")], actor=fin)
    call_command("check_finance")
    assert "OK" in capsys.readouterr().out
    DistributorAccount.objects.filter(distributor=distributor).update(prepayment=D("49.99"))
    Invoice.objects.filter(pk=inv.pk).update(paid_amount=D("150"))
    with pytest.raises(CommandError):
        call_command("check_finance")
    err = capsys.readouterr().err
    assert "prepayment: cached 49.99, journal 50.00" in err and inv.number in err
