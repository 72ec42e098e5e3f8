"""Periodic jobs. Apps register their idempotent daily jobs here; Celery beat runs them
(``run_daily_jobs``) and so does ``python manage.py run_jobs``."""

import datetime as dt
from collections.abc import Callable

from django.utils import timezone
from django_scopes import scopes_disabled

from dms.core.context import acting_as

JOBS: dict[str, Callable[[dt.date], int]] = {}
# Jobs that watch deadlines within the day (SLA warnings): run every few minutes, given the time.
FREQUENT_JOBS: dict[str, Callable[[dt.datetime], int]] = {}


def register_job(name: str):
    def deco(fn):
        JOBS[name] = fn
        return fn

    return deco


def register_frequent_job(name: str):
    """For jobs taking ``now`` (an aware datetime); each must be idempotent."""
    def deco(fn):
        FREQUENT_JOBS[name] = fn
        return fn

    return deco


def run_frequent(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    with scopes_disabled(), acting_as(None):
        return {name: fn(now) for name, fn in FREQUENT_JOBS.items()}


def run_all(today: dt.date | None = None, only: list[str] | None = None) -> dict[str, int]:
    from .reminders import run_reminders

    today = today or timezone.localdate()
    results = {}
    with scopes_disabled(), acting_as(None):
        for name, fn in JOBS.items():
            if not only or name in only:
                results[name] = fn(today)
        if not only or "reminders" in only:
            results["reminders"] = run_reminders(today)
    return results
