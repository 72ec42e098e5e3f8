"""Demo data of the statements part (called by seed_finance_demo inside scopes_disabled):
three months of history for the first active demo distributors (invoices, payments,
a rebate offset), their monthly statements (one confirmed, one disputed), settlements,
credit scores and the overdue holds. Idempotent: the demo history is written once
(invoice numbers start with INV-DEMO-) and the jobs never repeat their work."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dms.accounts.models import User
from dms.core.scoping import scopes_disabled
from dms.distributors.models import Distributor

from . import ledger, scoring, settlements, statements
from .ledger import credit, debit, to_money
from .models import Account, Allocation, Invoice, JournalEntry, Payment, Settlement, Statement

K = JournalEntry.Kind
# Per distributor: (days before the 1st of this month it was invoiced, amount, share paid, days to pay)
HISTORY = [
    [(85, "68800.00", 1, 20), (62, "45200.00", 1, 28), (40, "92600.00", Decimal("0.5"), 25), (20, "37900.00", 0, 0)],
    [(88, "23400.00", 1, 35), (55, "31800.00", 0, 0), (30, "18650.00", 1, 10), (12, "27300.00", 0, 0)],
    [(120, "15600.00", 0, 0), (70, "12800.00", Decimal("0.3"), 40)],
]


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 30)))


def _invoice(distributor, number: str, issued: dt.date, total: Decimal, actor) -> Invoice:
    tax = to_money(total * Decimal("0.13") / Decimal("1.13"))
    entry = ledger.post(kind=K.INVOICE, distributor_id=distributor.pk, actor=actor, reference=number,
                        posted_at=_at(issued), memo=f"销售发票 {number}",
                        lines=[debit(Account.RECEIVABLE, total), credit(Account.REVENUE, total - tax),
                               credit(Account.VAT, tax)])
    return Invoice.objects.create(number=number, distributor=distributor, issue_date=issued,
                                  due_date=issued + dt.timedelta(days=30), net_amount=total - tax, tax_amount=tax,
                                  total_amount=total, entry=entry, created_by=actor, created_at=_at(issued))


def _pay(inv: Invoice, amount: Decimal, day: dt.date, actor) -> None:
    number = "PAY-DEMO-" + inv.number.removeprefix("INV-DEMO-")
    entry = ledger.post(kind=K.PAYMENT, distributor_id=inv.distributor_id, actor=actor, reference=number,
                        posted_at=_at(day), memo=f"银行转账 回款 {inv.number}",
                        lines=[debit(Account.BANK, amount), credit(Account.RECEIVABLE, amount)])
    payment = Payment.objects.create(number=number, distributor_id=inv.distributor_id, amount=amount,
                                     method=Payment.Method.BANK_TRANSFER, reference=f"网银{inv.pk:08d}",
                                     received_on=day, entry=entry, recorded_by=actor, created_at=_at(day))
    Allocation.objects.create(invoice=inv, source=Allocation.Source.PAYMENT, payment=payment, amount=amount,
                              entry=entry, created_at=_at(day))
    inv.paid_amount += amount
    inv.status = Invoice.Status.PAID if inv.paid_amount == inv.total_amount else Invoice.Status.PARTIALLY_PAID
    inv.save(update_fields=["paid_amount", "status"])


def _grant_rebate(distributor, amount: Decimal, day: dt.date, actor) -> None:
    ledger.post(kind=K.REBATE, distributor_id=distributor.pk, actor=actor, posted_at=_at(day),
                memo="季度返利", lines=[debit(Account.REBATE_EXPENSE, amount), credit(Account.REBATE, amount)])


def _rebate_offset(distributor, inv: Invoice, amount: Decimal, day: dt.date, actor) -> None:
    entry = ledger.post(kind=K.ALLOCATION, distributor_id=distributor.pk, actor=actor, posted_at=_at(day),
                        memo=f"返利抵扣 {inv.number}",
                        lines=[debit(Account.REBATE, amount), credit(Account.RECEIVABLE, amount)])
    Allocation.objects.create(invoice=inv, source=Allocation.Source.REBATE, amount=amount, entry=entry,
                              created_at=_at(day))
    inv.paid_amount += amount
    inv.status = Invoice.Status.PAID if inv.paid_amount == inv.total_amount else Invoice.Status.PARTIALLY_PAID
    inv.save(update_fields=["paid_amount", "status"])


@transaction.atomic
def _history(distributor, plan, first_of_month: dt.date, actor) -> None:
    for n, (days_before, amount, share, pay_after) in enumerate(plan, start=1):
        issued = first_of_month - dt.timedelta(days=days_before)
        inv = _invoice(distributor, f"INV-DEMO-{distributor.code}-{n:02d}", issued, Decimal(amount), actor)
        if share:
            _pay(inv, to_money(inv.total_amount * Decimal(share)), issued + dt.timedelta(days=pay_after), actor)
        if n == 2:
            _grant_rebate(distributor, Decimal("6000.00"), issued + dt.timedelta(days=14), actor)
            if inv.open_amount > 0:
                _rebate_offset(distributor, inv, Decimal("2000.00"), issued + dt.timedelta(days=15), actor)


def seed() -> None:
    with scopes_disabled():
        actor = User.objects.filter(username="fin_zhao").first()
        today = timezone.localdate()
        first_of_month = today.replace(day=1)
        demo = list(Distributor.objects.filter(status=Distributor.Status.ACTIVE).order_by("pk")[:len(HISTORY)])
        for distributor, plan in zip(demo, HISTORY, strict=False):
            if not Invoice.objects.filter(number__startswith=f"INV-DEMO-{distributor.code}-").exists():
                _history(distributor, plan, first_of_month, actor)
        _statements(demo, first_of_month, actor)
        _settlements(demo, actor)
        scoring.score_all(today)
        scoring.apply_overdue_holds(today)


def _statements(demo, first_of_month: dt.date, actor) -> None:
    """The last three months' statements; the oldest confirmed, last month's of the second
    distributor disputed (unless the distributor already answered)."""
    months = [statements.previous_month(first_of_month)]
    for _i in range(2):
        months.append(statements.previous_month(months[-1][0]))
    for distributor in demo:
        owner = User.objects.filter(distributor=distributor, is_active=True).order_by("pk").first()
        for start, end in reversed(months):
            if statements.has_activity(distributor.pk, end):
                statements.generate_statement(distributor_id=distributor.pk, period_start=start, period_end=end,
                                              actor=actor)
        oldest = Statement.objects.filter(distributor=distributor, period_start=months[-1][0]).first()
        if owner and oldest and oldest.status == Statement.Status.ISSUED:
            statements.confirm_statement(statement_id=oldest.pk, actor=owner)
    if len(demo) > 1:
        last = Statement.objects.filter(distributor=demo[1], period_start=months[0][0]).first()
        owner = User.objects.filter(distributor=demo[1], is_active=True).order_by("pk").first()
        if last and owner and last.status == Statement.Status.ISSUED:
            line = last.lines.filter(kind=K.INVOICE).first()
            statements.dispute_statement(statement_id=last.pk, actor=owner, line_id=line.pk if line else None,
                                         comment="这张发票对应的货物我们只收到一部分，请核对发货数量。")


def _settlements(demo, actor) -> None:
    if not demo or Settlement.objects.filter(description__startswith="【演示】").exists():
        return
    approver = User.objects.filter(username="admin").first()
    for n, distributor in enumerate(demo[:2]):
        account = distributor.finance_account
        if account.rebate >= Decimal("1000.00"):
            s = settlements.create_settlement(distributor_id=distributor.pk, kind=Settlement.Kind.REBATE,
                                              amount="1000.00", description="【演示】上季度返利兑现", actor=actor)
            settlements.submit_settlement(settlement_id=s.pk, actor=actor)
            if approver and n == 0:
                settlements.approve_settlement(settlement_id=s.pk, actor=approver, note="同意兑现")
