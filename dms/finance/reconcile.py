"""The reconciliation proof: every cached balance equals the journal, every entry
balances, every invoice's paid amount equals its live allocations (``check_finance``)."""

from collections import defaultdict

from django.db.models import F, Q, Sum

from .ledger import to_money
from .models import DEBIT_NORMAL, DISTRIBUTOR_ACCOUNTS, ZERO, Allocation, DistributorAccount, Invoice, JournalLine


def _journal_balances() -> dict[int, dict[str, object]]:
    sums: dict[int, dict[str, object]] = defaultdict(lambda: {a.value: ZERO for a in DISTRIBUTOR_ACCOUNTS})
    rows = (JournalLine.objects.filter(account__in=DISTRIBUTOR_ACCOUNTS).order_by()
            .values("distributor_id", "account").annotate(d=Sum("debit"), c=Sum("credit")))
    for row in rows:
        d, c = to_money(row["d"] or 0), to_money(row["c"] or 0)
        sums[row["distributor_id"]][row["account"]] = d - c if row["account"] in DEBIT_NORMAL else c - d
    return sums


def differences() -> tuple[int, list[str]]:
    """(accounts checked, a line per difference found)."""
    problems: list[str] = []
    journal = _journal_balances()
    accounts = list(DistributorAccount.objects.select_related("distributor").order_by("distributor_id"))
    for account in accounts:
        expected = journal.get(account.distributor_id, {a.value: ZERO for a in DISTRIBUTOR_ACCOUNTS})
        for name, value in expected.items():
            cached = getattr(account, name)
            if cached != value:
                problems.append(f"{account.distributor.code} {name}: cached {cached}, journal {value}")
    unbalanced = (JournalLine.objects.order_by().values("entry__number").annotate(d=Sum("debit"), c=Sum("credit")))
    for row in unbalanced:
        if to_money(row["d"] or 0) != to_money(row["c"] or 0):
            problems.append(f"entry {row['entry__number']}: debit {row['d']} ≠ credit {row['c']}")
    paid = {row["invoice"]: to_money(row["s"] or 0) for row in Allocation.objects.filter(reversed=False).order_by()
            .values("invoice").annotate(s=Sum("amount"))}
    for invoice in Invoice.objects.filter(Q(paid_amount__gt=0) | Q(pk__in=list(paid))).only("number", "paid_amount"):
        if invoice.paid_amount != paid.get(invoice.pk, ZERO):
            problems.append(f"invoice {invoice.number}: paid {invoice.paid_amount}, allocations "
                            f"{paid.get(invoice.pk, ZERO)}")
    for invoice in Invoice.objects.filter(paid_amount__gt=F("total_amount")).only("number"):
        problems.append(f"invoice {invoice.number}: paid more than its total")
    return len(accounts), problems
