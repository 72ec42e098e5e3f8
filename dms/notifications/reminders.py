"""The generic date-reminder mechanism.

A *source* (registered in code by the app that owns the records) says which records
carry a date, which date, and who "channel_manager", "distributor_users" … are for a
record. *Rules* (data, ``ReminderRule``) say how many days before or after that date to
notify whom. ``run_reminders`` may run any number of times a day: for each record it
sends the latest stage that is due (a 7-days-before reminder supersedes a 30-days-before
one that was missed) and ``ReminderLog`` makes each (rule, record, date) go out once.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Category, ReminderLog, ReminderRule
from .services import notify

CATCH_UP_DAYS = 30  # how late a missed after-the-date reminder is still sent


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    queryset: Callable[[], QuerySet]
    date_field: str
    category: str
    distributor: Callable  # record -> Distributor
    url: Callable = lambda obj: ""


SOURCES: dict[str, Source] = {}


def register(source: Source):
    SOURCES[source.key] = source


def recipients(names: str, distributor) -> list:
    User = get_user_model()
    users = []
    for name in [n.strip() for n in names.split(",") if n.strip()]:
        if name == "channel_manager":
            users.append(distributor.channel_manager)
        elif name == "distributor_users":
            users.extend(User.objects.filter(distributor=distributor, is_active=True))
        elif name == "distributor_admin":
            users.extend(User.objects.filter(distributor=distributor, is_active=True, groups__name=name))
        else:
            users.extend(User.objects.filter(distributor__isnull=True, is_active=True, groups__name=name))
    return [u for u in users if u is not None]


def _due_rule(rules, date, today):
    """The latest rule whose trigger date has come (before-rules stop at the date itself)."""
    best = None
    for rule in rules:
        trigger = date + dt.timedelta(days=rule.offset_days)
        if trigger > today or (rule.offset_days < 0 and today > date):
            continue
        if rule.offset_days > 0 and (today - trigger).days > CATCH_UP_DAYS:
            continue
        if best is None or trigger > best[1]:
            best = (rule, trigger)
    return best[0] if best else None


def run_reminders(today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    sent = 0
    rules_by_source: dict[str, list[ReminderRule]] = {}
    for rule in ReminderRule.objects.filter(enabled=True):
        rules_by_source.setdefault(rule.source, []).append(rule)
    for key, rules in rules_by_source.items():
        source = SOURCES.get(key)
        if source is None:
            continue
        latest_before = max([-r.offset_days for r in rules if r.offset_days < 0] or [0])
        latest_after = max([r.offset_days for r in rules if r.offset_days > 0] or [0])
        lo = today - dt.timedelta(days=latest_after + CATCH_UP_DAYS)
        hi = today + dt.timedelta(days=latest_before)
        qs = source.queryset().filter(**{f"{source.date_field}__range": (lo, hi)})
        ctype = None
        for obj in qs:
            date = getattr(obj, source.date_field)
            rule = _due_rule(rules, date, today)
            if rule is None:
                continue
            ctype = ctype or ContentType.objects.get_for_model(obj)
            sent += _send(rule, source, obj, ctype, date, today)
    return sent


def _send(rule, source, obj, ctype, date, today) -> int:
    try:
        with transaction.atomic():
            log = ReminderLog.objects.create(rule=rule, content_type=ctype, object_id=obj.pk, target_date=date)
            distributor = source.distributor(obj)
            users = recipients(rule.recipients, distributor)
            days = (date - today).days
            title = rule.title.format(object=obj, date=date.isoformat(), days=abs(days))
            body = _("%(object)s (%(distributor)s): date %(date)s.") % {
                "object": obj, "distributor": distributor, "date": date.isoformat()
            }
            notify(users, category=source.category or Category.SYSTEM, title=title, body=body, url=source.url(obj))
            log.recipient_count = len(users)
            log.save(update_fields=["recipient_count"])
            return 1
    except IntegrityError:
        return 0  # already sent (another run got there first)
