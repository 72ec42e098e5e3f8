"""Statements (对账单): what a distributor owes over a period, from the journal.

balance = receivable − prepayment − deposit. In journal terms every one of those three
accounts moves the balance by (debit − credit) — a receivable debit raises what is owed,
a prepayment or deposit debit uses up money held for the distributor — so the balance is
simply Σ (debit − credit) over their lines, and:

* opening = that sum over lines posted before the first day of the period;
* one statement line per journal entry in the period touching those accounts, its net
  movement shown as debit (more owed) or credit (less owed), with a running balance;
* closing = opening + Σ debit − Σ credit, exactly (to the cent: sums are re-quantized).

Totals by kind: invoices, payments (incl. payments allocated and prepayment applied),
credit notes, rebates (rebate offsets applied to invoices) and other (settlements,
anything else), each the net movement of its entries, a reversal counted with the entry
it reverses. closing = opening + invoices − payments − credit notes − rebates + other.

Statuses: issued → confirmed | disputed → resolved → confirmed (or disputed again).
A confirmed statement is final; any other may be regenerated (its lines replaced).
"""

import calendar
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.accounts.models import User
from dms.audit.models import AuditLog
from dms.audit.services import record
from dms.core.errors import InvalidTransition, ValidationFailed
from dms.core.models import next_value
from dms.core.scoping import scopes_disabled
from dms.notifications.models import Category
from dms.notifications.services import notify

from .ledger import to_money
from .models import (
    ZERO,
    Account,
    Allocation,
    JournalEntry,
    JournalLine,
    Statement,
    StatementDispute,
    StatementLine,
)

BALANCE_ACCOUNTS = (Account.RECEIVABLE, Account.PREPAYMENT, Account.DEPOSIT)
St = Statement.Status
TRANSITIONS = {
    St.ISSUED: {St.CONFIRMED, St.DISPUTED},
    St.DISPUTED: {St.DISPUTED, St.RESOLVED},
    St.RESOLVED: {St.CONFIRMED, St.DISPUTED},
    St.CONFIRMED: set(),
}
Kind = JournalEntry.Kind
# Statement total each journal entry kind counts in (allocations: by their source).
KIND_BUCKET = {Kind.INVOICE: "invoices", Kind.PAYMENT: "payments", Kind.PREPAYMENT_APPLIED: "payments",
               Kind.CREDIT_NOTE: "credit_notes"}
SOURCE_BUCKET = {Allocation.Source.REBATE: "rebates", Allocation.Source.CREDIT_NOTE: "credit_notes"}
# Buckets that decrease what is owed (shown as positive amounts).
DECREASING = {"payments", "credit_notes", "rebates"}


# --- dates -----------------------------------------------------------------------------


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of a local day (periods are in local dates)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def month_period(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month that contains ``day``."""
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def previous_month(today: dt.date) -> tuple[dt.date, dt.date]:
    return month_period(today.replace(day=1) - dt.timedelta(days=1))


# --- the numbers -----------------------------------------------------------------------


def balance_before(distributor_id: int, moment: dt.datetime) -> Decimal:
    """Σ (debit − credit) of the balance accounts posted before ``moment``."""
    sums = (JournalLine.objects.filter(distributor_id=distributor_id, account__in=BALANCE_ACCOUNTS,
                                       posted_at__lt=moment)
            .aggregate(d=Sum("debit"), c=Sum("credit")))
    return to_money(sums["d"] or 0) - to_money(sums["c"] or 0)


def _bucket(entry: JournalEntry, sources: dict[int, str]) -> str:
    if entry.kind == Kind.REVERSAL and entry.reverses_id:
        return _bucket(entry.reverses, sources)
    if entry.kind == Kind.ALLOCATION:
        return SOURCE_BUCKET.get(sources.get(entry.pk), "payments")
    return KIND_BUCKET.get(entry.kind, "other")


def _document(entry: JournalEntry) -> str:
    """The number of the document behind an entry (the invoice an allocation settles)."""
    if entry.kind == Kind.REVERSAL and entry.reverses_id:
        return _document(entry.reverses)
    for attr in ("invoice", "payment", "credit_note", "settlement"):
        document = getattr(entry, attr, None)
        if document is not None:
            return document.number
    allocation = entry.allocations.select_related("invoice").first()
    if allocation is not None:
        return allocation.invoice.number
    return entry.reference or entry.number


def _description(entry: JournalEntry) -> str:
    return entry.memo


def compute(distributor_id: int, period_start: dt.date, period_end: dt.date) -> dict:
    """The statement's numbers and lines (unsaved); no writes."""
    start, end = day_start(period_start), day_start(period_end + dt.timedelta(days=1))
    opening = balance_before(distributor_id, start)
    moves: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in (JournalLine.objects.filter(distributor_id=distributor_id, account__in=BALANCE_ACCOUNTS,
                                            posted_at__gte=start, posted_at__lt=end)
                 .order_by().values("entry_id", "debit", "credit")):
        moves[line["entry_id"]] += line["debit"] - line["credit"]
    entries = list(JournalEntry.objects.filter(pk__in=moves).select_related(
        "reverses", "invoice", "payment", "credit_note", "settlement").order_by("posted_at", "id"))
    sources = dict(Allocation.objects.filter(entry__in=[e.pk for e in entries] + [
        e.reverses_id for e in entries if e.reverses_id]).values_list("entry_id", "source"))
    totals = dict.fromkeys(("invoices", "payments", "credit_notes", "rebates", "other"), ZERO)
    running, lines = opening, []
    for entry in entries:
        net = to_money(moves[entry.pk])
        running += net
        bucket = _bucket(entry, sources)
        totals[bucket] += -net if bucket in DECREASING else net
        lines.append(StatementLine(
            entry=entry, date=timezone.localdate(entry.posted_at), kind=entry.kind, reference=_document(entry)[:64],
            description=_description(entry)[:255], debit=max(net, ZERO), credit=max(-net, ZERO), balance=running))
    closing = opening + totals["invoices"] - totals["payments"] - totals["credit_notes"] - totals["rebates"] \
        + totals["other"]
    assert closing == running, "statement totals must add up to the running balance"
    return {"opening_balance": opening, "invoices_amount": totals["invoices"], "payments_amount": totals["payments"],
            "credit_notes_amount": totals["credit_notes"], "rebates_amount": totals["rebates"],
            "other_amount": totals["other"], "closing_balance": closing, "lines": lines}


# --- generating ------------------------------------------------------------------------


def _validate_period(period_start, period_end) -> None:
    if not period_start or not period_end:
        raise ValidationFailed(_("Choose the period."), fields={"period_start": [_("Enter a date.")]})
    if period_end < period_start:
        raise ValidationFailed(_("The period ends before it starts."),
                               fields={"period_end": [_("The end must not be before the start.")]})
    if period_end >= timezone.localdate():
        raise ValidationFailed(_("A statement covers days that are over: end the period yesterday at the latest."),
                               fields={"period_end": [_("Choose a date before today.")]})
    if (period_end - period_start).days > 366:
        raise ValidationFailed(_("A statement covers at most a year."),
                               fields={"period_start": [_("Choose a shorter period.")]})


@transaction.atomic
def generate_statement(*, distributor_id: int, period_start: dt.date, period_end: dt.date, actor=None) -> Statement:
    """Create the period's statement, or replace the lines and numbers of one that is not
    confirmed yet (a confirmed statement is final and returned unchanged). Disputes stay,
    re-attached to the new line of the same journal entry."""
    _validate_period(period_start, period_end)
    existing = (Statement.objects.select_for_update()
                .filter(distributor_id=distributor_id, period_start=period_start, period_end=period_end).first())
    if existing is not None and existing.status == St.CONFIRMED:
        return existing
    data = compute(distributor_id, period_start, period_end)
    lines = data.pop("lines")
    actor = actor if getattr(actor, "pk", None) else None
    disputed: dict[int, int | None] = {}
    if existing is None:
        statement = Statement.objects.create(
            number=f"ST{period_end:%Y%m}{next_value('statement'):06d}", distributor_id=distributor_id,
            period_start=period_start, period_end=period_end, generated_by=actor, **data)
        record(action=AuditLog.Action.CREATE, instance=statement, actor=actor,
               message=_("Statement generated"), changes={"closing_balance": [None, str(statement.closing_balance)]})
    else:
        statement = existing
        old_lines = {line.pk: line.entry_id for line in statement.lines.all()}
        disputed = {d.pk: old_lines.get(d.line_id) for d in statement.disputes.filter(line__isnull=False)}
        StatementDispute.objects.filter(pk__in=disputed).update(line=None)
        statement.lines.all().delete()
        for name, value in data.items():
            setattr(statement, name, value)
        statement.generated_at, statement.generated_by = timezone.now(), actor
        statement.save()
        record(action=AuditLog.Action.UPDATE, instance=statement, actor=actor, message=_("Statement regenerated"))
    for line in lines:
        line.statement = statement
    StatementLine.objects.bulk_create(lines)
    if disputed:
        by_entry = dict(statement.lines.values_list("entry_id", "pk"))
        for dispute_id, entry_id in disputed.items():
            StatementDispute.objects.filter(pk=dispute_id).update(line_id=by_entry.get(entry_id))
    return statement


def has_activity(distributor_id: int, period_end: dt.date) -> bool:
    """Anything to state: a posting before the end of the period."""
    end = day_start(period_end + dt.timedelta(days=1))
    return JournalLine.objects.filter(distributor_id=distributor_id, account__in=BALANCE_ACCOUNTS,
                                      posted_at__lt=end).exists()


def generate_monthly(today: dt.date) -> int:
    """The job: last month's statement for every active distributor with activity that has
    none yet; its users are told after commit. Run daily, it creates them on the 1st and
    catches up if a day was missed; re-running creates nothing twice."""
    from dms.distributors.models import Distributor

    period_start, period_end = previous_month(today)
    created = 0
    with scopes_disabled():
        have = set(Statement.objects.filter(period_start=period_start, period_end=period_end)
                   .values_list("distributor_id", flat=True))
        for distributor_id in (Distributor.objects.filter(status=Distributor.Status.ACTIVE).exclude(pk__in=have)
                               .order_by("pk").values_list("pk", flat=True)):
            if not has_activity(distributor_id, period_end):
                continue
            with transaction.atomic():
                statement = generate_statement(distributor_id=distributor_id, period_start=period_start,
                                               period_end=period_end)
                transaction.on_commit(lambda pk=statement.pk: notify_issued(pk))
            created += 1
    return created


# --- the distributor's answer and finance's resolution ---------------------------------


def _transition(statement: Statement, target: str, actor, message: str) -> None:
    if target not in TRANSITIONS.get(statement.status, ()):
        raise InvalidTransition(statement.get_status_display(), St(target).label)
    old, statement.status = statement.status, target
    fields = ["status"]
    if target == St.CONFIRMED:
        statement.confirmed_at, statement.confirmed_by = timezone.now(), actor
        fields += ["confirmed_at", "confirmed_by"]
    statement.save(update_fields=fields)
    record(action=AuditLog.Action.TRANSITION, instance=statement, actor=actor, message=message,
           changes={"status": [old, target]})


def _locked(statement_id: int) -> Statement:
    return Statement.objects.select_for_update().get(pk=statement_id)


@transaction.atomic
def confirm_statement(*, statement_id: int, actor) -> Statement:
    """The distributor agrees with the statement; who and when are recorded. A retry is a no-op."""
    statement = _locked(statement_id)
    if statement.status == St.CONFIRMED:
        return statement
    if statement.disputes.filter(resolved_at__isnull=True).exists():
        raise InvalidTransition(statement.get_status_display(), St.CONFIRMED.label)
    _transition(statement, St.CONFIRMED, actor, _("Statement confirmed"))
    return statement


@transaction.atomic
def dispute_statement(*, statement_id: int, actor, comment: str, line_id: int | None = None) -> StatementDispute:
    """The distributor disagrees with the statement or one of its lines; finance is told."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed(_("Say what is wrong."), fields={"comment": [_("This field is required.")]})
    statement = _locked(statement_id)
    line = None
    if line_id:
        line = statement.lines.filter(pk=line_id).first()
        if line is None:
            raise ValidationFailed(_("That line is not on this statement."), fields={"line": [_("Unknown line.")]})
    _transition(statement, St.DISPUTED, actor, _("Statement disputed"))
    dispute = StatementDispute.objects.create(statement=statement, line=line, comment=comment[:4000],
                                              raised_by=actor if getattr(actor, "pk", None) else None)
    transaction.on_commit(lambda: notify_disputed(dispute.pk))
    return dispute


@transaction.atomic
def resolve_disputes(*, statement_id: int, actor, resolution: str) -> Statement:
    """Finance answers every open dispute of the statement; the distributor is told and may
    then confirm it (or dispute again)."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationFailed(_("Describe the resolution."), fields={"resolution": [_("This field is required.")]})
    statement = _locked(statement_id)
    _transition(statement, St.RESOLVED, actor, _("Statement dispute resolved"))
    statement.disputes.filter(resolved_at__isnull=True).update(
        resolution=resolution[:4000], resolved_by=actor, resolved_at=timezone.now())
    transaction.on_commit(lambda: notify_resolved(statement.pk))
    return statement


# --- notifications (after commit) ------------------------------------------------------


def distributor_users(distributor_id: int):
    return User.objects.filter(distributor_id=distributor_id, is_active=True)


def finance_users():
    from dms.accounts.roles import Role

    return User.objects.filter(distributor__isnull=True, is_active=True,
                               groups__name__in=[Role.FINANCE, Role.ADMIN]).distinct()


def _portal_url(statement: Statement) -> str:
    return reverse("finance_portal:statement", args=[statement.pk])


def notify_issued(statement_id: int) -> None:
    with scopes_disabled():
        s = Statement.objects.get(pk=statement_id)
        notify(distributor_users(s.distributor_id), category=Category.FINANCE,
               title=_("Statement %(number)s for %(start)s – %(end)s is ready") % {
                   "number": s.number, "start": s.period_start, "end": s.period_end},
               body=_("Closing balance %(amount)s. Please check it and confirm it, or dispute a line.")
               % {"amount": s.closing_balance}, url=_portal_url(s))


def notify_disputed(dispute_id: int) -> None:
    with scopes_disabled():
        d = StatementDispute.objects.select_related("statement__distributor").get(pk=dispute_id)
        notify(finance_users(), category=Category.FINANCE,
               title=_("Statement %(number)s disputed by %(name)s") % {
                   "number": d.statement.number, "name": d.statement.distributor.name},
               body=d.comment, url=d.statement.get_absolute_url())


def notify_resolved(statement_id: int) -> None:
    with scopes_disabled():
        s = Statement.objects.get(pk=statement_id)
        last = s.disputes.exclude(resolution="").order_by("-resolved_at", "-id").first()
        notify(distributor_users(s.distributor_id), category=Category.FINANCE,
               title=_("Your dispute of statement %(number)s was answered") % {"number": s.number},
               body=last.resolution if last else "", url=_portal_url(s))
