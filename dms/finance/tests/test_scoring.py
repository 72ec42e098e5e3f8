"""Credit scoring (factors, rules, once-only notifications) and the overdue hold job."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone, translation

from dms.audit.models import AuditLog
from dms.core.testing.factories import ContractFactory, DistributorFactory, ProductFactory, stock
from dms.finance import scoring
from dms.finance.models import CreditScore, DistributorAccount
from dms.notifications.models import Notification

from .factories_statements import at, invoice, payment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The notifications are written in the active language; these tests read their English titles."""
    with translation.override("en"):
        yield
TODAY = dt.date(2026, 6, 10)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 10, 9, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def fin(make_staff):
    return make_staff("finance", username="fin1")


def _factors(score):
    return {f["code"]: f for f in score.factors}


def test_a_good_payer(distributor):
    ContractFactory(distributor=distributor, start_date=dt.date(2022, 1, 1), end_date=dt.date(2027, 1, 1))
    inv = invoice(distributor, "1000.00", issued=dt.date(2026, 3, 1), due=dt.date(2026, 3, 31))
    payment(distributor, "1000.00", to=inv, posted_at=at(dt.date(2026, 3, 20)))
    score, factors, limit = scoring.compute_score(distributor, TODAY)
    by = {f["code"]: f for f in factors}
    assert by["punctuality"]["points"] == 30 and by["punctuality"]["max"] == 30
    assert by["overdue"]["points"] == 25
    assert by["tenure"]["points"] == 10  # 53 months
    assert by["qualification"]["points"] == 10
    assert by["volume"]["points"] == 0 and by["trend"]["points"] == 5  # no orders
    assert score == 80 and limit == Decimal("0.00")
    assert sum(f["max"] for f in factors) == 100


def test_late_and_overdue(distributor):
    inv = invoice(distributor, "1000.00", issued=dt.date(2026, 2, 1), due=dt.date(2026, 3, 1))
    payment(distributor, "400.00", to=inv, posted_at=at(dt.date(2026, 4, 1)))  # paid late
    invoice(distributor, "600.00", issued=dt.date(2026, 3, 1), due=dt.date(2026, 3, 31))  # 71 days overdue
    distributor.qualification_flag = True
    distributor.save()
    _score, factors, _limit = scoring.compute_score(distributor, TODAY)
    by = {f["code"]: f for f in factors}
    assert by["punctuality"]["points"] == 0
    # open: 600 × 101 days (due 03-01) + 600 × 71 days → weighted 86; worst 101 > 60
    assert by["overdue"]["points"] == 0
    assert "101" in by["overdue"]["value"]
    assert by["qualification"]["points"] == 0


def test_volume_trend_and_suggested_limit(distributor):
    from dms.orders import services as orders

    product = ProductFactory(base_price=Decimal("1000.00"))
    stock(product, 1000)
    with time_machine.travel(dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC), tick=False):
        orders.create_order(distributor=distributor, submit=True, lines=[{"product": product.pk, "quantity": 10}])
    orders.create_order(distributor=distributor, submit=True, lines=[{"product": product.pk, "quantity": 30}])
    volume_trend, volume = scoring.volume_and_trend(distributor.pk, TODAY)
    assert volume > 0
    by = {f["code"]: f for f in volume_trend}
    assert by["trend"]["points"] == 10
    assert scoring.suggested_limit(90, Decimal("12345.00")) == Decimal("18000")
    assert scoring.suggested_limit(65, Decimal("12345.00")) == Decimal("6000")
    assert scoring.suggested_limit(50, Decimal("12345.00")) == 0


def test_low_score_sets_prepayment_only_once_and_recovery_lifts_it(distributor, fin, channel_manager, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    invoice(distributor, "5000.00", issued=dt.date(2026, 1, 1), due=dt.date(2026, 1, 31))  # 130 days overdue
    with django_capture_on_commit_callbacks(execute=True):
        result = scoring.score_distributor(distributor=distributor, today=TODAY)
    assert result.score < 60
    account = DistributorAccount.objects.get(distributor=distributor)
    assert account.prepayment_only and account.prepayment_only_source == "score" and account.score == result.score
    assert AuditLog.objects.filter(model="finance.distributoraccount", changes__prepayment_only=[False, True]).exists()
    assert Notification.objects.filter(user=fin, title__contains="prepayment").count() == 1
    assert Notification.objects.filter(user=channel_manager).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        scoring.score_distributor(distributor=distributor, today=TODAY)
    assert Notification.objects.filter(user=fin).count() == 1  # already set: no second message
    # the score recovers: the rule lifts what it set
    monkeypatch.setattr(scoring, "compute_score", lambda d, today: (70, [], Decimal("0.00")))
    with django_capture_on_commit_callbacks(execute=True):
        scoring.score_distributor(distributor=distributor, today=TODAY)
    account.refresh_from_db()
    assert not account.prepayment_only and account.prepayment_only_source == ""


def test_manual_prepayment_only_is_not_lifted_by_the_rule(distributor):
    DistributorAccount.objects.filter(distributor=distributor).update(prepayment_only=True)
    result = scoring.score_distributor(distributor=distributor, today=TODAY)
    assert result.score >= 60
    assert DistributorAccount.objects.get(distributor=distributor).prepayment_only


def test_raise_suggestion_is_sent_once(distributor, fin, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(scoring, "compute_score", lambda d, today: (90, [], Decimal("900000.00")))
    with django_capture_on_commit_callbacks(execute=True):
        scoring.score_distributor(distributor=distributor, today=TODAY)
        scoring.score_distributor(distributor=distributor, today=TODAY)
    assert Notification.objects.filter(user=fin, title__contains="raise").count() == 1


def test_nightly_job_scores_each_active_distributor_once_a_day(distributor):
    DistributorFactory(status="suspended")
    assert scoring.score_all(TODAY) == 1
    assert scoring.score_all(TODAY) == 0
    assert CreditScore.objects.count() == 1


def test_factor_labels_are_rendered_from_codes(distributor):
    result = scoring.score_distributor(distributor=distributor, today=TODAY)
    rows = scoring.factor_rows(result.factors)
    with translation.override("en"):
        assert {str(r["label"]) for r in rows} >= {"Payment punctuality", "Tenure"}
    assert all(f["label"] == f["code"] for f in result.factors)  # stored as codes


# --- overdue hold ----------------------------------------------------------------------


def test_overdue_hold_set_and_lifted(distributor, fin, dist_admin, channel_manager, settings,
                                     django_capture_on_commit_callbacks):
    settings.FINANCE_OVERDUE_HOLD_DAYS = 30
    inv = invoice(distributor, "100.00", issued=dt.date(2026, 4, 1), due=dt.date(2026, 5, 1))  # 40 days
    invoice(distributor, "100.00", issued=dt.date(2026, 5, 1), due=dt.date(2026, 5, 20))  # 21 days: fine
    with django_capture_on_commit_callbacks(execute=True):
        assert scoring.apply_overdue_holds(TODAY) == 1
        assert scoring.apply_overdue_holds(TODAY) == 0
    account = DistributorAccount.objects.get(distributor=distributor)
    assert account.on_hold and account.hold_source == "overdue" and account.hold_since
    for user in (fin, dist_admin, channel_manager):
        assert Notification.objects.filter(user=user, category="finance").count() == 1
    payment(distributor, "100.00", to=inv)
    with django_capture_on_commit_callbacks(execute=True):
        assert scoring.apply_overdue_holds(TODAY) == 1
    account.refresh_from_db()
    assert not account.on_hold and account.hold_source == "" and account.hold_reason == ""
    assert AuditLog.objects.filter(model="finance.distributoraccount", changes__on_hold=[True, False]).exists()


def test_manual_hold_is_not_lifted(distributor):
    DistributorAccount.objects.filter(distributor=distributor).update(
        on_hold=True, hold_reason="财务手工冻结", hold_since=timezone.now())
    assert scoring.apply_overdue_holds(TODAY) == 0
    assert DistributorAccount.objects.get(distributor=distributor).on_hold
