"""The SLA watcher: a warning at 80 % and one at the deadline, each sent once."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from dms.accounts.roles import Role
from dms.core.testing.factories import UserFactory
from dms.notifications.jobs import FREQUENT_JOBS, run_frequent
from dms.notifications.models import Notification
from dms.service import services
from dms.service.models import Ticket

from .factories import make_ticket

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 23, 10, tzinfo=SH)


def sla_titles(user):
    return list(Notification.objects.filter(user=user, title__startswith="SLA").order_by("pk")
                .values_list("title", flat=True))


@pytest.fixture
def urgent(distributor, dist_admin):
    with time_machine.travel(MONDAY_10, tick=False):
        # urgent: first response within 1 working hour, resolution within 8
        return make_ticket(distributor, dist_admin, priority="urgent")


def run_at(*moments):
    with translation.override("en"):
        return [run_frequent(m.astimezone(dt.UTC))["service_sla_warnings"] for m in moments]


def test_registered_as_a_frequent_job():
    assert "service_sla_warnings" in FREQUENT_JOBS


def test_warning_then_breach_each_once(urgent, channel_manager, dist_admin):
    admin = UserFactory(roles=[Role.ADMIN])
    n = urgent.number
    # 10:47 (78 %): nothing; 10:48 (80 %) warning; runs again; 11:00 breach (to admins too)
    sent = run_at(MONDAY_10 + dt.timedelta(minutes=47), MONDAY_10 + dt.timedelta(minutes=48),
                  MONDAY_10 + dt.timedelta(minutes=53), MONDAY_10 + dt.timedelta(minutes=60),
                  MONDAY_10 + dt.timedelta(minutes=65))
    assert sent == [0, 1, 0, 1, 0]
    assert sla_titles(channel_manager) == [
        f"SLA at risk: first response on ticket {n} is due soon",
        f"SLA breached: first response on ticket {n} is overdue"]
    assert sla_titles(admin) == [f"SLA breached: first response on ticket {n} is overdue"]
    assert sla_titles(dist_admin) == []


def test_a_late_run_sends_only_the_breach(urgent, channel_manager):
    assert run_at(MONDAY_10 + dt.timedelta(hours=2), MONDAY_10 + dt.timedelta(hours=3)) == [1, 0]
    assert len(sla_titles(channel_manager)) == 1


def test_answered_tickets_get_no_first_response_warning(urgent, channel_manager):
    with time_machine.travel(MONDAY_10 + dt.timedelta(minutes=20), tick=False):
        services.post_message(ticket_id=urgent.pk, body="收到，正在核实", actor=channel_manager)
    assert run_at(MONDAY_10 + dt.timedelta(minutes=55)) == [0]


def test_resolution_warning_and_breach_and_the_pause(urgent, channel_manager):
    with time_machine.travel(MONDAY_10 + dt.timedelta(minutes=20), tick=False):
        services.post_message(ticket_id=urgent.pk, body="收到", actor=channel_manager)
        services.change_status(ticket_id=urgent.pk, status=Ticket.Status.WAITING, actor=channel_manager)
    # resolution due Tuesday 09:00 (8 working hours); while waiting nothing is sent
    tuesday = dt.datetime(2026, 11, 24, 12, tzinfo=SH)
    assert run_at(tuesday) == [0]
    with time_machine.travel(tuesday, tick=False):
        services.change_status(ticket_id=urgent.pk, status=Ticket.Status.IN_PROGRESS, actor=channel_manager)
    urgent.refresh_from_db()
    # 7 h 40 min were left at the pause (Monday 10:20): due Tuesday 12:00 + 7:40 → Wednesday 10:40
    assert urgent.resolution_due_at == dt.datetime(2026, 11, 25, 10, 40, tzinfo=SH)
    assert run_at(dt.datetime(2026, 11, 25, 9, 30, tzinfo=SH), dt.datetime(2026, 11, 25, 10, 41, tzinfo=SH),
                  dt.datetime(2026, 11, 25, 11, tzinfo=SH)) == [1, 1, 0]
    titles = sla_titles(channel_manager)
    assert titles[-2:] == [f"SLA at risk: resolution on ticket {urgent.number} is due soon",
                           f"SLA breached: resolution on ticket {urgent.number} is overdue"]
