import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from dms.core.testing.factories import ContractFactory, QualificationFactory, portal_user
from dms.notifications.jobs import run_all
from dms.notifications.models import Notification, ReminderLog, ReminderRule
from dms.notifications.reminders import run_reminders

START = dt.date(2026, 1, 1)
END = START + dt.timedelta(days=90)


def contract_titles(user):
    return sorted(Notification.objects.filter(user=user, category="contract").values_list("title", flat=True))


@pytest.mark.django_db(transaction=True)
def test_contract_reminders_go_out_once_each_over_a_simulated_quarter(distributor, channel_manager):
    admin = portal_user(distributor, "distributor_admin", username="dadmin")
    staff = portal_user(distributor, "distributor_staff", username="dstaff")
    ContractFactory(distributor=distributor, start_date=START - dt.timedelta(days=300), end_date=END)
    day = START
    while day <= END + dt.timedelta(days=5):
        with time_machine.travel(dt.datetime(day.year, day.month, day.day, 2, tzinfo=dt.UTC), tick=False):
            for _ in range(3):  # the job may run several times a day
                run_all()
        day += dt.timedelta(days=1)
    # 60, 30 and 7 days before: three reminders, to the manager and the distributor's admin only
    assert len(contract_titles(channel_manager)) == 3
    assert len(contract_titles(admin)) == 3
    assert contract_titles(staff) == []
    assert ReminderLog.objects.filter(rule__source="contract_end").count() == 3
    assert sorted(ReminderLog.objects.values_list("rule__offset_days", flat=True)) == [-60, -30, -7]


@pytest.mark.django_db
def test_a_late_contract_gets_only_the_latest_due_stage(distributor, channel_manager):
    today = dt.date(2026, 5, 1)
    ContractFactory(distributor=distributor, start_date=today - dt.timedelta(days=300),
                    end_date=today + dt.timedelta(days=20))
    assert run_reminders(today) == 1
    assert run_reminders(today) == 0
    assert ReminderLog.objects.get().rule.offset_days == -30  # not the stale 60-day one
    assert run_reminders(today + dt.timedelta(days=1)) == 0  # the 60-day one is never sent late


@pytest.mark.django_db
def test_reminder_days_are_data(distributor, channel_manager):
    ReminderRule.objects.filter(source="contract_end").update(enabled=False)
    ReminderRule.objects.create(name="90", source="contract_end", offset_days=-90, recipients="channel_manager",
                                title="{object} ends in {days} days")
    today = dt.date(2026, 5, 1)
    c = ContractFactory(distributor=distributor, start_date=today - dt.timedelta(days=300),
                        end_date=today + dt.timedelta(days=90))
    assert run_reminders(today) == 1
    n = Notification.objects.get(user=channel_manager)
    assert n.title == f"{c.number} ends in 90 days"


@pytest.mark.django_db
def test_expired_qualification_notifies_manager_and_distributor_and_emails(distributor, channel_manager,
                                                                          django_capture_on_commit_callbacks):
    user = portal_user(distributor, "distributor_staff", username="dstaff2")
    today = dt.date(2026, 5, 1)
    QualificationFactory(distributor=distributor, valid_to=today - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        results = run_all(today)
    assert results["flag_expired_qualifications"] == 1
    distributor.refresh_from_db()
    assert distributor.qualification_flag
    for u in (user, channel_manager):
        assert Notification.objects.filter(user=u, category="qualification").count() == 1
    assert {m.to[0] for m in mail.outbox} >= {user.email, channel_manager.email}
    with django_capture_on_commit_callbacks(execute=True):
        run_all(today)
        run_all(today + dt.timedelta(days=1))
    assert Notification.objects.filter(user=user, category="qualification").count() == 1


@pytest.mark.django_db
def test_email_preference_off_sends_no_email(distributor, channel_manager, django_capture_on_commit_callbacks):
    from dms.notifications.services import set_preference

    set_preference(user=channel_manager, category="contract", in_app=True, email=False)
    today = dt.date(2026, 5, 1)
    ContractFactory(distributor=distributor, start_date=today - dt.timedelta(days=300),
                    end_date=today + dt.timedelta(days=7))
    with django_capture_on_commit_callbacks(execute=True):
        run_reminders(today)
    assert Notification.objects.filter(user=channel_manager).count() == 1
    assert mail.outbox == []


@pytest.mark.django_db
def test_run_jobs_command(distributor, capsys):
    ContractFactory(distributor=distributor, start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 1, 1))
    call_command("run_jobs", "--date", "2026-01-05")
    out = capsys.readouterr().out
    assert "expire_contracts: 1" in out
    call_command("run_jobs", "--date", "2026-01-05")
    assert "expire_contracts: 0" in capsys.readouterr().out
