"""Scheduled publication: the frequent job notifies the targeted users once an
announcement's publication time has passed (idempotent: ``notified_at`` is claimed once)."""

from dms.notifications.jobs import register_frequent_job

from .services import notify_due_announcements


@register_frequent_job("comms_scheduled_announcements")
def scheduled_announcements(now) -> int:
    return notify_due_announcements(now)
