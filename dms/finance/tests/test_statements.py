"""Statements: the math (to the cent, also as a property over random postings), the
monthly job, and the confirm / dispute / resolve transitions."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from dms.audit.models import AuditLog
from dms.core.errors import InvalidTransition, ValidationFailed
from dms.core.testing.factories import DistributorFactory, portal_user
from dms.finance import statements
from dms.finance.models import JournalEntry, Statement, StatementDispute
from dms.notifications.models import Notification

from .factories_statements import at, credit_note, grant_rebate, invoice, payment, rebate_offset

pytestmark = pytest.mark.django_db
MAY = (dt.date(2026, 5, 1), dt.date(2026, 5, 31))


@pytest.fixture(autouse=True)
def _june():
    with time_machine.travel(dt.datetime(2026, 6, 10, 9, tzinfo=dt.UTC), tick=False):
        yield


def _history(d):
    """April: an invoice of 1000 half paid. May: an invoice, a payment with an over-payment,
    a rebate offset and a credit note."""
    inv0 = invoice(d, "1000.00", issued=dt.date(2026, 4, 10))
    payment(d, "500.00", to=inv0, posted_at=at(dt.date(2026, 4, 20)))
    inv1 = invoice(d, "2260.00", issued=dt.date(2026, 5, 3))
    payment(d, "3000.00", to=inv1, allocate="2000.00", posted_at=at(dt.date(2026, 5, 10)))
    grant_rebate(d, "300.00", posted_at=at(dt.date(2026, 5, 11)))
    rebate_offset(inv0, "200.00", posted_at=at(dt.date(2026, 5, 12)))
    credit_note(inv1, "113.00", posted_at=at(dt.date(2026, 5, 15)))
    invoice(d, "99.99", issued=dt.date(2026, 6, 1))  # after the period


def test_statement_numbers(distributor, admin_user):
    _history(distributor)
    s = statements.generate_statement(distributor_id=distributor.pk, period_start=MAY[0], period_end=MAY[1],
                                      actor=admin_user)
    # opening: owed 1000 − paid 500
    assert s.opening_balance == Decimal("500.00")
    assert s.invoices_amount == Decimal("2260.00")
    # 2000 allocated + 1000 to prepayment: both lower what is owed
    assert s.payments_amount == Decimal("3000.00")
    assert s.rebates_amount == Decimal("200.00")
    assert s.credit_notes_amount == Decimal("113.00")
    assert s.other_amount == Decimal("0.00")
    assert s.closing_balance == Decimal("500.00") + 2260 - 3000 - 200 - 113 == Decimal("-553.00")
    lines = list(s.lines.all())
    assert [line.kind for line in lines] == ["invoice", "payment", "allocation", "credit_note"]
    assert lines[0].debit == Decimal("2260.00") and lines[0].balance == Decimal("2760.00")
    assert lines[1].credit == Decimal("3000.00") and lines[1].reference.startswith("PAY")
    assert lines[2].reference.startswith("INV")  # the invoice the rebate offset settles
    assert lines[-1].balance == s.closing_balance
    assert s.status == Statement.Status.ISSUED and s.generated_by == admin_user
    # the rebate grant (no balance account) is not a line
    assert not s.lines.filter(kind=JournalEntry.Kind.REBATE).exists()


def test_regenerating_replaces_until_confirmed(distributor, dist_admin):
    inv = invoice(distributor, "100.00", issued=dt.date(2026, 5, 3))
    s = statements.generate_statement(distributor_id=distributor.pk, period_start=MAY[0], period_end=MAY[1])
    payment(distributor, "40.00", to=inv, posted_at=at(dt.date(2026, 5, 20)))
    again = statements.generate_statement(distributor_id=distributor.pk, period_start=MAY[0], period_end=MAY[1])
    assert again.pk == s.pk and again.number == s.number
    assert again.closing_balance == Decimal("60.00") and again.lines.count() == 2
    statements.confirm_statement(statement_id=s.pk, actor=dist_admin)
    payment(distributor, "10.00", to=inv, posted_at=at(dt.date(2026, 5, 21)))
    final = statements.generate_statement(distributor_id=distributor.pk, period_start=MAY[0], period_end=MAY[1])
    assert final.closing_balance == Decimal("60.00") and final.lines.count() == 2
    assert Statement.objects.count() == 1


def test_regenerating_keeps_disputes_on_their_line(distributor, dist_admin):
    invoice(distributor, "100.00", issued=dt.date(2026, 5, 3))
    s = statements.generate_statement(distributor_id=distributor.pk, period_start=MAY[0], period_end=MAY[1])
    line = s.lines.get()
    statements.dispute_statement(statement_id=s.pk, actor=dist_admin, comment="金额不对", line_id=line.pk)
    statements.generate_statement(distributor_id=distributor.pk, period_start=MAY[0], period_end=MAY[1])
    dispute = StatementDispute.objects.get()
    assert dispute.line.entry_id == line.entry_id and dispute.line_id != line.pk


@pytest.mark.parametrize(("start", "end"), [(dt.date(2026, 5, 31), dt.date(2026, 5, 1)),
                                            (dt.date(2026, 6, 1), dt.date(2026, 6, 10)),
                                            (dt.date(2024, 1, 1), dt.date(2026, 5, 31))])
def test_bad_periods_are_refused(distributor, start, end):
    with pytest.raises(ValidationFailed):
        statements.generate_statement(distributor_id=distributor.pk, period_start=start, period_end=end)
    assert not Statement.objects.exists()


AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
OPS = st.lists(st.tuples(st.sampled_from(["invoice", "payment", "rebate", "credit_note", "reverse"]), AMOUNTS,
                         st.integers(min_value=0, max_value=70)), min_size=1, max_size=12)


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_closing_is_opening_plus_movements_for_any_postings(distributor, ops):
    """Postings spread over April-June; May's statement adds up to the cent and matches
    the journal before and after the period."""
    from dms.finance import ledger

    sid = transaction.savepoint()
    try:
        invoices = []
        for op, amount, day in ops:
            when = at(dt.date(2026, 4, 1) + dt.timedelta(days=day))
            if op == "invoice" or not invoices:
                invoices.append(invoice(distributor, amount, issued=when.date(), posted_at=when))
                continue
            inv = invoices[-1]
            inv.refresh_from_db()
            part = min(amount, inv.open_amount)
            if op == "payment":
                payment(distributor, amount, to=inv, allocate=part, posted_at=when)
            elif op == "rebate" and part:
                grant_rebate(distributor, part, posted_at=when)
                rebate_offset(inv, part, posted_at=when)
            elif op == "credit_note" and part:
                credit_note(inv, part, posted_at=when)
            elif op == "reverse":
                entry = JournalEntry.objects.filter(reversed_by__isnull=True, reverses__isnull=True,
                                                    kind=JournalEntry.Kind.PAYMENT).first()
                if entry:
                    try:
                        ledger.reverse(entry_id=entry.pk)
                    except IntegrityError:
                        pass  # the ledger refuses to overdraw prepayment: nothing changes
        s = statements.generate_statement(distributor_id=distributor.pk, period_start=MAY[0], period_end=MAY[1])
        lines = list(s.lines.all())
        moved = sum((line.debit - line.credit for line in lines), Decimal(0))
        assert s.closing_balance == s.opening_balance + moved
        assert s.closing_balance == (s.opening_balance + s.invoices_amount - s.payments_amount
                                     - s.credit_notes_amount - s.rebates_amount + s.other_amount)
        assert s.opening_balance == statements.balance_before(distributor.pk, statements.day_start(MAY[0]))
        assert s.closing_balance == statements.balance_before(distributor.pk, statements.day_start(dt.date(2026, 6, 1)))
        if lines:
            assert lines[-1].balance == s.closing_balance
    finally:
        transaction.savepoint_rollback(sid)


# --- the monthly job ----------------------------------------------------------------


def test_monthly_job_is_idempotent_and_notifies(distributor, dist_admin, django_capture_on_commit_callbacks):
    quiet = DistributorFactory()  # no postings: no statement
    invoice(distributor, "500.00", issued=dt.date(2026, 5, 3))
    with django_capture_on_commit_callbacks(execute=True):
        assert statements.generate_monthly(dt.date(2026, 6, 1)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert statements.generate_monthly(dt.date(2026, 6, 2)) == 0
    s = Statement.objects.get()
    assert (s.distributor, s.period_start, s.period_end) == (distributor, *MAY)
    assert not Statement.objects.filter(distributor=quiet).exists()
    assert Notification.objects.filter(user=dist_admin, category="finance").count() == 1


def test_job_is_registered():
    from dms.finance import jobs  # noqa: F401
    from dms.notifications.jobs import JOBS

    assert {"finance_monthly_statements", "finance_overdue_holds", "finance_credit_scores"} <= set(JOBS)


# --- confirm, dispute, resolve ---------------------------------------------------------


@pytest.fixture
def statement(distributor):
    invoice(distributor, "100.00", issued=dt.date(2026, 5, 3))
    return statements.generate_statement(distributor_id=distributor.pk, period_start=MAY[0], period_end=MAY[1])


def test_confirm_records_who_and_when(statement, dist_admin):
    statements.confirm_statement(statement_id=statement.pk, actor=dist_admin)
    statement.refresh_from_db()
    assert statement.status == "confirmed" and statement.confirmed_by == dist_admin and statement.confirmed_at
    assert AuditLog.objects.filter(model="finance.statement", action="transition").count() == 1
    # a retry is a no-op; disputing a confirmed statement is refused
    statements.confirm_statement(statement_id=statement.pk, actor=dist_admin)
    with pytest.raises(InvalidTransition):
        statements.dispute_statement(statement_id=statement.pk, actor=dist_admin, comment="x")


def test_dispute_then_resolve_then_confirm(statement, dist_admin, admin_user, django_capture_on_commit_callbacks):
    line = statement.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        statements.dispute_statement(statement_id=statement.pk, actor=dist_admin, comment="发票金额有误",
                                     line_id=line.pk)
    statement.refresh_from_db()
    assert statement.status == "disputed"
    assert Notification.objects.filter(user=admin_user, title__contains=statement.number).exists()
    with pytest.raises(InvalidTransition):
        statements.confirm_statement(statement_id=statement.pk, actor=dist_admin)
    with django_capture_on_commit_callbacks(execute=True):
        statements.resolve_disputes(statement_id=statement.pk, actor=admin_user, resolution="已核实，金额无误")
    statement.refresh_from_db()
    dispute = statement.disputes.get()
    assert statement.status == "resolved" and dispute.resolved_by == admin_user
    assert Notification.objects.filter(user=dist_admin, body="已核实，金额无误").exists()
    statements.confirm_statement(statement_id=statement.pk, actor=dist_admin)
    statement.refresh_from_db()
    assert statement.status == "confirmed"
    assert AuditLog.objects.filter(model="finance.statement", action="transition").count() == 3


def test_dispute_needs_a_comment_and_a_line_of_this_statement(statement, distributor, dist_admin):
    with pytest.raises(ValidationFailed):
        statements.dispute_statement(statement_id=statement.pk, actor=dist_admin, comment="  ")
    other = DistributorFactory()
    invoice(other, "5.00", issued=dt.date(2026, 5, 3))
    foreign = statements.generate_statement(distributor_id=other.pk, period_start=MAY[0], period_end=MAY[1])
    with pytest.raises(ValidationFailed):
        statements.dispute_statement(statement_id=statement.pk, actor=dist_admin, comment="x",
                                     line_id=foreign.lines.get().pk)
    statement.refresh_from_db()
    assert statement.status == "issued" and not StatementDispute.objects.exists()


def test_resolve_needs_an_open_dispute(statement, admin_user):
    with pytest.raises(InvalidTransition):
        statements.resolve_disputes(statement_id=statement.pk, actor=admin_user, resolution="ok")


def test_distributor_users_helper_only_own(distributor, dist_admin):
    other = portal_user(DistributorFactory())
    assert list(statements.distributor_users(distributor.pk)) == [dist_admin]
    assert other not in statements.distributor_users(distributor.pk)
