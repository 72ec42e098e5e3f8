"""Tenant-scoped reads for statements, settlements and credit scores (the request's scope
applies: a channel manager sees his distributors', a distributor its own)."""

from django.db.models import Count, Q

from .models import CreditScore, Settlement, Statement, StatementDispute


def statements():
    return (Statement.objects.select_related("distributor", "confirmed_by")
            .annotate(open_disputes=Count("disputes", filter=Q(disputes__resolved_at__isnull=True))))


def statement_detail(pk: int) -> Statement:
    """Raises Statement.DoesNotExist outside the scope."""
    return Statement.objects.select_related("distributor", "generated_by", "confirmed_by").get(pk=pk)


def statement_lines(statement: Statement):
    return statement.lines.select_related("entry").order_by("date", "id")


def disputes(statement: Statement):
    return statement.disputes.select_related("line", "raised_by", "resolved_by").order_by("raised_at", "id")


def open_disputes():
    return (StatementDispute.objects.filter(resolved_at__isnull=True)
            .select_related("statement", "statement__distributor", "line", "raised_by").order_by("raised_at", "id"))


def settlements():
    return Settlement.objects.select_related("distributor", "created_by", "decided_by")


def scores(distributor_id: int):
    return CreditScore.objects.filter(distributor_id=distributor_id).order_by("-computed_at", "-id")
