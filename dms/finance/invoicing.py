"""Invoices: from a shipment (FINANCE_INVOICE_ON = "shipment") or from a whole approved
order ("approval"), posted Dr receivable / Cr revenue (net) / Cr output VAT (tax).

Pricing. An invoice line is an order line's amount (unit price × quantity − its discount,
VAT included) for the quantity invoiced. A shipment that carries part of a line gets the
line's amount pro rata, computed on the cumulative quantity so the parts add up to the
line to the cent: part = round(amount × invoiced_after / ordered) − round(amount ×
invoiced_before / ordered). Per line: tax = round(part × rate / (1 + rate)), net = part −
tax (InvoiceLine's rule); the unit price shown is part / quantity, rounded.

Invoicing an order's amount moves it out of the credit still "approved, not invoiced"
(open_orders) and settles the invoice from the prepayment the order carries (OrderPayment):
deducted at approval → from the deposit account; reserved at submission → from the
prepayment account, releasing the reservation.
"""

import calendar
import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.core.errors import Conflict, InvalidTransition
from dms.logistics.models import Shipment, ShipmentLine
from dms.orders.models import Order

from . import allocations as alloc
from . import credit as credit_rules
from .ledger import credit, debit, ensure_account, to_money
from .models import (
    ZERO,
    Account,
    Allocation,
    DistributorAccount,
    Invoice,
    InvoiceLine,
    JournalEntry,
    OrderPayment,
    PaymentTerms,
)

INVOICEABLE_ORDER = (Order.Status.APPROVED, Order.Status.PARTIALLY_SHIPPED, Order.Status.SHIPPED,
                     Order.Status.COMPLETED)


def split_tax(amount: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """(net, tax) of a VAT-inclusive amount, tax rounded half-up once."""
    tax = to_money(amount * rate / (1 + rate))
    return amount - tax, tax


def pro_rata(amount: Decimal, ordered: int, before: int, quantity: int) -> Decimal:
    return to_money(amount * (before + quantity) / ordered) - to_money(amount * before / ordered)


def due_date(issue_date: dt.date, terms: PaymentTerms | None) -> dt.date:
    """Net N days from the invoice date, or N days from the end of its month (月结)."""
    if terms is None:
        terms = PaymentTerms.objects.filter(code="net30").first()
    days = terms.days if terms else 30
    if terms is not None and terms.from_month_end:
        last = calendar.monthrange(issue_date.year, issue_date.month)[1]
        issue_date = issue_date.replace(day=last)
    return issue_date + dt.timedelta(days=days)


def _line(order_line, quantity: int, before: int) -> InvoiceLine:
    product = order_line.product
    amount = pro_rata(order_line.amount, order_line.quantity, before, quantity)
    net, tax = split_tax(amount, product.vat_rate)
    return InvoiceLine(product=product, description=f"{product.sku} {product.name}"[:200], quantity=quantity,
                       unit_price=to_money(amount / quantity), tax_rate=product.vat_rate, net_amount=net,
                       tax_amount=tax, amount=amount)


def _invoiced_before(order_id: int, exclude_shipment_id: int) -> dict[int, int]:
    """Per order line, the quantity already on the order's (live) shipment invoices."""
    rows = (ShipmentLine.objects.filter(shipment__order_id=order_id, shipment__invoice__isnull=False)
            .exclude(shipment__invoice__status=Invoice.Status.CANCELLED).exclude(shipment_id=exclude_shipment_id)
            .order_by().values("order_line").annotate(n=Sum("quantity")))
    return {row["order_line"]: row["n"] for row in rows}


def _create(*, distributor_id: int, order: Order, shipment: Shipment | None, lines: list[InvoiceLine],
            actor) -> Invoice:
    account = ensure_account(order.distributor)
    today = timezone.localdate()
    net = alloc.total(line.net_amount for line in lines)
    tax = alloc.total(line.tax_amount for line in lines)
    invoice = Invoice.objects.create(
        number=alloc.number("INV", "invoice"), distributor_id=distributor_id, order=order, shipment=shipment,
        currency=order.currency, issue_date=today, due_date=due_date(today, account.payment_terms),
        net_amount=net, tax_amount=tax, total_amount=net + tax, created_by=actor if getattr(actor, "pk", None) else None)
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)
    invoice.entry = alloc.post(
        kind=JournalEntry.Kind.INVOICE, distributor_id=distributor_id, actor=actor, reference=invoice.number,
        memo=_("Invoice %(number)s for order %(order)s") % {"number": invoice.number, "order": order.number},
        lines=[debit(Account.RECEIVABLE, invoice.total_amount), credit(Account.REVENUE, net),
               credit(Account.VAT, tax)])
    invoice.save(update_fields=["entry"])
    applied = _apply_order_payment(invoice, order, actor)
    # what the order's prepayment and rebate did not pay is now receivable, no longer open-order credit
    credit_rules.order_invoiced(order_id=order.pk, amount=invoice.total_amount - applied)
    alloc.audit_created(invoice, _("Invoice %(number)s issued, %(total)s.")
                        % {"number": invoice.number, "total": invoice.total_amount}, actor)
    return invoice


def _apply_order_payment(invoice: Invoice, order: Order, actor) -> Decimal:
    """Settle the invoice from what its order paid in advance, as far as it goes: first
    from the deposit (prepayment deducted at approval, and the rebate), then from the
    prepayment reserved at submission (its reservation released). Returns the amount."""
    op = OrderPayment.objects.select_for_update().filter(order_id=order.pk).first()
    if op is None or op.status not in (OrderPayment.Status.DEDUCTED, OrderPayment.Status.RESERVED):
        return ZERO
    reserved = op.status == OrderPayment.Status.RESERVED
    in_deposit = (op.rebate_amount if op.rebate_deducted else ZERO) + (ZERO if reserved else op.prepayment_amount)
    in_reserve = op.prepayment_amount if reserved else ZERO
    invoices = {invoice.pk: Invoice.objects.select_for_update().get(pk=invoice.pk)}
    applied = ZERO
    for source_account, left in ((Account.DEPOSIT, in_deposit - min(op.applied_amount, in_deposit)),
                                 (Account.PREPAYMENT, in_reserve - max(op.applied_amount - in_deposit, ZERO))):
        amount = min(left, invoices[invoice.pk].open_amount)
        if amount <= 0:
            continue
        if source_account == Account.PREPAYMENT and not DistributorAccount.objects.filter(
                distributor_id=invoice.distributor_id, prepayment_reserved__gte=amount).update(
                prepayment_reserved=F("prepayment_reserved") - amount):
            raise Conflict(_("The prepayment reserved for order %(order)s is no longer there.")
                           % {"order": order.number})
        entry = alloc.post(
            kind=JournalEntry.Kind.PREPAYMENT_APPLIED, distributor_id=invoice.distributor_id, actor=actor,
            reference=invoice.number, lines=[debit(source_account, amount), credit(Account.RECEIVABLE, amount)],
            memo=_("Prepayment of order %(order)s applied to invoice %(number)s")
            % {"order": order.number, "number": invoice.number})
        source = Allocation.Source.PREPAYMENT if source_account == Account.PREPAYMENT else Allocation.Source.DEPOSIT
        alloc.apply(invoices, [(invoice.pk, amount)], source=source, entry=entry)
        op.applied_amount += amount
        applied += amount
    if op.applied_amount >= in_deposit + in_reserve:
        op.status = OrderPayment.Status.INVOICED
    op.save(update_fields=["applied_amount", "status", "updated_at"])
    return applied


@transaction.atomic
def invoice_shipment(*, shipment_id: int, actor) -> Invoice:
    """The shipment's invoice (one per shipment: a second call returns the first)."""
    shipment = (Shipment.objects.select_for_update().select_related("order").get(pk=shipment_id))
    existing = Invoice.objects.filter(shipment_id=shipment.pk).first()
    if existing is not None:
        return existing
    if shipment.status not in (Shipment.Status.DISPATCHED, Shipment.Status.DELIVERED):
        raise InvalidTransition(shipment.get_status_display(), _("Invoiced"))
    if Invoice.objects.filter(order_id=shipment.order_id, shipment__isnull=True).exclude(
            status=Invoice.Status.CANCELLED).exists():
        raise Conflict(_("Order %(order)s has been invoiced as a whole.") % {"order": shipment.order.number})
    before = _invoiced_before(shipment.order_id, shipment.pk)
    lines = [_line(sl.order_line, sl.quantity, before.get(sl.order_line_id, 0))
             for sl in shipment.lines.select_related("order_line__product").order_by("pk")]
    return _create(distributor_id=shipment.distributor_id, order=shipment.order, shipment=shipment, lines=lines,
                   actor=actor)


@transaction.atomic
def invoice_order(*, order_id: int, actor) -> Invoice:
    """The whole approved order's invoice (FINANCE_INVOICE_ON = "approval"); idempotent."""
    order = Order.objects.select_for_update().get(pk=order_id)
    live = Invoice.objects.filter(order_id=order.pk).exclude(status=Invoice.Status.CANCELLED)
    existing = live.filter(shipment__isnull=True).first()
    if existing is not None:
        return existing
    if order.status not in INVOICEABLE_ORDER:
        raise InvalidTransition(order.get_status_display(), _("Invoiced"))
    if live.exists():
        raise Conflict(_("Order %(order)s is invoiced per shipment.") % {"order": order.number})
    lines = [_line(line, line.quantity, 0) for line in order.lines.select_related("product").order_by("pk")]
    return _create(distributor_id=order.distributor_id, order=order, shipment=None, lines=lines, actor=actor)


def cancel_invoice(*, invoice_id: int, actor) -> Invoice:
    """Cancel an invoice nothing is allocated to, by reversing its entry."""
    from .corrections import reverse_entry

    invoice = Invoice.objects.get(pk=invoice_id)
    if invoice.entry_id is None:
        raise Conflict(_("This invoice has no journal entry."))
    reverse_entry(entry_id=invoice.entry_id, actor=actor)
    invoice.refresh_from_db()
    return invoice
