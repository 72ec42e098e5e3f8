import datetime as dt

import pytest
from django.utils import timezone, translation

from dms.core.testing.factories import DistributorFactory, tier
from dms.distributors.models import Distributor
from dms.notifications.models import Notification
from dms.visits import reminders, services
from dms.visits.models import DEFAULT_INTERVAL_DAYS, VisitFrequency, VisitReminder
from dms.visits.schedule import next_due, schedule

from .factories import completed, planned

pytestmark = pytest.mark.django_db


def _activated(distributor, days_ago):
    distributor.status_changed_at = timezone.now() - dt.timedelta(days=days_ago)
    distributor.save(update_fields=["status_changed_at"])
    return distributor


def test_frequencies_are_seeded_per_tier():
    assert VisitFrequency.objects.get(tier=tier(1)).interval_days == 30
    assert VisitFrequency.objects.get(tier=tier(2)).interval_days == 90


def test_next_due_counts_from_activation_then_from_the_last_completed_visit(distributor):
    today = timezone.localdate()
    _activated(distributor, 10)
    assert next_due(distributor).next_due == today - dt.timedelta(days=10) + dt.timedelta(days=30)
    completed(distributor, days_ago=40)
    completed(distributor, days_ago=35)
    due = next_due(distributor)
    assert due.last_visit == today - dt.timedelta(days=35)
    assert due.next_due == today - dt.timedelta(days=5)
    assert due.state == "overdue" and due.overdue_days == 5


def test_planned_and_cancelled_visits_do_not_move_the_due_date(distributor):
    _activated(distributor, 100)
    before = next_due(distributor).next_due
    visit = planned(distributor, days_ahead=2)
    services.cancel_visit(visit_id=planned(distributor, days_ahead=1).pk, actor=None)
    due = next_due(distributor)
    assert due.next_due == before and due.last_visit is None
    assert (due.planned_id, due.planned_date) == (visit.pk, visit.planned_date)


def test_the_interval_follows_the_tier_and_falls_back_to_the_default(distributor):
    second = _activated(DistributorFactory(tier=tier(2), channel_manager=distributor.channel_manager), 0)
    assert next_due(second).interval_days == 90
    VisitFrequency.objects.filter(tier=tier(2)).update(interval_days=60)
    assert next_due(second).interval_days == 60
    VisitFrequency.objects.filter(tier=tier(2)).delete()
    assert next_due(second).interval_days == DEFAULT_INTERVAL_DAYS


def test_only_active_distributors_and_the_managers_own(distributor, other_distributor):
    DistributorFactory(status=Distributor.Status.SUSPENDED, channel_manager=distributor.channel_manager)
    assert [d.distributor for d in schedule(manager_id=distributor.channel_manager_id)] == [distributor]
    assert {d.distributor for d in schedule()} == {distributor, other_distributor}


def _titles(user):
    return list(Notification.objects.filter(user=user, category="visit").values_list("title", flat=True))


def test_reminders_go_out_once_per_stage_however_often_the_job_runs(distributor):
    _activated(distributor, 0)  # due in 30 days
    today = timezone.localdate()
    cm = distributor.channel_manager
    sent_per_day = {}
    with translation.override("en"):
        for offset in range(0, 40):
            day = today + dt.timedelta(days=offset)
            sent_per_day[offset] = sum(reminders.send_visit_reminders(day) for _ in range(3))
    assert {k: v for k, v in sent_per_day.items() if v} == {23: 1, 30: 1, 31: 1}
    assert VisitReminder.objects.filter(distributor=distributor).count() == 3
    titles = _titles(cm)
    assert len(titles) == 3
    assert any("today" in t for t in titles) and any("overdue" in t for t in titles)


def test_a_late_run_sends_only_the_latest_stage_and_a_visit_resets_the_cycle(distributor):
    _activated(distributor, 45)  # due 15 days ago
    assert reminders.send_visit_reminders(timezone.localdate()) == 1
    assert list(VisitReminder.objects.values_list("stage", flat=True)) == ["overdue"]
    completed(distributor, days_ago=0)
    # the next due date is 30 days away: nothing now, a new "soon" a week before it
    assert reminders.send_visit_reminders(timezone.localdate()) == 0
    assert reminders.send_visit_reminders(timezone.localdate() + dt.timedelta(days=23)) == 1


def test_distributor_without_manager_is_not_reminded(distributor):
    _activated(distributor, 45)
    distributor.channel_manager = None
    distributor.save(update_fields=["channel_manager"])
    assert reminders.send_visit_reminders(timezone.localdate()) == 0


def test_the_job_is_registered():
    from dms.notifications.jobs import JOBS

    assert JOBS["visit_reminders"] is reminders.send_visit_reminders
