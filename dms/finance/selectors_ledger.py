"""Tenant-scoped reads of the ledger part (the request's scope applies: a channel manager
sees his distributors, a distributor itself)."""

from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from .allocations import OPEN_STATUSES
from .ledger import to_money
from .models import (
    ZERO,
    Account,
    Allocation,
    BankImport,
    BankLine,
    CreditNote,
    DistributorAccount,
    Invoice,
    JournalEntry,
    JournalLine,
    Payment,
)

OWED = (Account.RECEIVABLE, Account.PREPAYMENT, Account.DEPOSIT)


def invoices():
    today = timezone.localdate()
    return (Invoice.objects.select_related("distributor", "order", "shipment")
            .annotate(open_total=ExpressionWrapper(F("total_amount") - F("paid_amount"),
                                                   output_field=DecimalField(max_digits=18, decimal_places=2)),
                      is_overdue=Case(When(status__in=OPEN_STATUSES, due_date__lt=today, then=Value(True)),
                                      default=Value(False), output_field=BooleanField())))


def invoice_detail(pk: int) -> Invoice:
    """Raises Invoice.DoesNotExist outside the scope."""
    return (invoices().select_related("entry", "created_by")
            .prefetch_related("lines", Prefetch("allocations", Allocation.objects.select_related(
                "payment", "credit_note", "entry").order_by("created_at", "pk")), "credit_notes").get(pk=pk))


def open_invoices(distributor_id: int):
    return invoices().filter(distributor_id=distributor_id, status__in=OPEN_STATUSES).order_by("due_date", "pk")


def payments():
    return Payment.objects.select_related("distributor", "recorded_by", "entry")


def payment_detail(pk: int) -> Payment:
    return payments().prefetch_related(Prefetch("allocations", Allocation.objects.select_related("invoice"))).get(
        pk=pk)


def credit_notes():
    return CreditNote.objects.select_related("distributor", "invoice", "return_request", "entry")


def journal_entries():
    lines = JournalLine.objects.order_by("pk")
    return (JournalEntry.objects.select_related("distributor", "posted_by", "reverses")
            .prefetch_related(Prefetch("lines", lines))
            .annotate(is_reversed=Exists(JournalEntry.objects.filter(reverses=OuterRef("pk")))))


def journal_lines():
    return JournalLine.objects.select_related("entry", "distributor")


def accounts():
    return DistributorAccount.objects.select_related("distributor", "payment_terms")


def account(distributor_id: int) -> DistributorAccount:
    """Raises DistributorAccount.DoesNotExist outside the scope."""
    return accounts().get(distributor_id=distributor_id)


def open_totals(distributor_id: int) -> dict:
    today = timezone.localdate()
    qs = Invoice.objects.filter(distributor_id=distributor_id, status__in=OPEN_STATUSES).order_by()
    open_all = qs.aggregate(t=Sum("total_amount"), p=Sum("paid_amount"))
    overdue = qs.filter(due_date__lt=today).aggregate(t=Sum("total_amount"), p=Sum("paid_amount"))
    return {"open": to_money((open_all["t"] or 0) - (open_all["p"] or 0)),
            "overdue": to_money((overdue["t"] or 0) - (overdue["p"] or 0))}


def history(distributor_id: int) -> list[dict]:
    """The distributor's entries, newest first, with what each did to its balance (owed =
    receivable − prepayment − deposit) and the balance after it; rebate movements apart."""
    rows = (JournalLine.objects.filter(distributor_id=distributor_id, account__in=[*OWED, Account.REBATE])
            .order_by().values("entry_id", "account").annotate(d=Sum("debit"), c=Sum("credit")))
    effect: dict[int, dict[str, Decimal]] = {}
    for row in rows:
        e = effect.setdefault(row["entry_id"], {"owed": ZERO, "rebate": ZERO})
        d, c = to_money(row["d"] or 0), to_money(row["c"] or 0)
        if row["account"] == Account.REBATE:
            e["rebate"] += c - d
        else:
            e["owed"] += d - c
    entries = JournalEntry.objects.filter(pk__in=list(effect)).order_by("posted_at", "pk").only(
        "number", "kind", "memo", "reference", "posted_at", "reverses_id")
    balance, result = ZERO, []
    for entry in entries:
        e = effect[entry.pk]
        balance += e["owed"]
        result.append({"entry": entry, "debit": max(e["owed"], ZERO), "credit": max(-e["owed"], ZERO),
                       "rebate": e["rebate"], "balance": balance})
    result.reverse()
    return result


def bank_imports():
    waiting = [BankLine.Status.UNMATCHED, BankLine.Status.SUGGESTED]
    return BankImport.objects.select_related("uploaded_by").annotate(
        line_count=Count("lines"), open_count=Count("lines", filter=Q(lines__status__in=waiting))).order_by(
        "-uploaded_at", "-id")


def bank_lines(import_id: int):
    return (BankLine.objects.filter(bank_import_id=import_id).select_related("distributor", "payment")
            .prefetch_related("suggested_invoices"))


def overdue_filter(qs, value: bool):
    today = timezone.localdate()
    cond = Q(status__in=OPEN_STATUSES, due_date__lt=today)
    return qs.filter(cond) if value else qs.exclude(cond)
