"""The daily job that reminds channel managers of due visits: a week before the due date,
on the day, and once overdue. ``VisitReminder`` makes each (distributor, due date, stage)
go out once, however often the job runs; a late run sends only the latest stage due."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from dms.notifications.jobs import register_job

from . import notify
from .models import VisitReminder
from .schedule import REMIND_BEFORE_DAYS, schedule

Stage = VisitReminder.Stage


def stage_for(days: int) -> str | None:
    """The reminder stage for a due date ``days`` away (negative: overdue)."""
    if days < 0:
        return Stage.OVERDUE
    if days == 0:
        return Stage.DUE
    if days <= REMIND_BEFORE_DAYS:
        return Stage.SOON
    return None


@register_job("visit_reminders")
def send_visit_reminders(today: dt.date | None = None) -> int:
    """Run inside scopes_disabled() (the job runner does so)."""
    today = today or timezone.localdate()
    sent = 0
    for due in schedule(today=today):
        stage = stage_for(due.days)
        if stage is None or due.distributor.channel_manager_id is None:
            continue
        try:
            with transaction.atomic():
                VisitReminder.objects.create(distributor=due.distributor, due_date=due.next_due, stage=stage)
                notify.due_reminder(due, stage)
        except IntegrityError:
            continue  # this stage of this due date was sent already
        sent += 1
    return sent
