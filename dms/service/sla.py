"""Working-time arithmetic for service-level deadlines.

Pure functions over a ``Calendar`` (weekly working hours, holidays, make-up working days,
a time zone), so they can be tested without a database. ``load_calendar()`` builds the
calendar from the data kept in the admin (``WorkingHours``, ``Holiday``).

A deadline "8 working hours after 17:00 on Friday" on a Mon–Fri 09:00–18:00 calendar is
Monday 16:00: only time inside a working window counts.
"""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

# A calendar with no working day for a whole year is a set-up mistake, not a deadline.
MAX_DAYS = 366 * 2
# Used when no working hours are configured at all: Monday to Friday, 09:00–18:00.
DEFAULT_HOURS = {day: (dt.time(9), dt.time(18)) for day in range(5)}


@dataclass(frozen=True)
class Calendar:
    # weekday (0 = Monday) -> (start, end) local times; days not listed are days off
    hours: dict[int, tuple[dt.time, dt.time]]
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(settings.TIME_ZONE))
    holidays: frozenset[dt.date] = frozenset()
    # weekend days worked in exchange for a holiday (调休): they use the first listed weekday's hours
    workdays: frozenset[dt.date] = frozenset()

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The working window of a local date, as aware datetimes, or None on a day off."""
        if day in self.holidays:
            return None
        hours = self.hours.get(day.weekday())
        if hours is None and day in self.workdays and self.hours:
            hours = self.hours[min(self.hours)]
        if hours is None or hours[0] >= hours[1]:
            return None
        return (dt.datetime.combine(day, hours[0], tzinfo=self.tz), dt.datetime.combine(day, hours[1], tzinfo=self.tz))


def add_working_time(start: dt.datetime, duration: dt.timedelta, calendar: Calendar) -> dt.datetime:
    """The moment ``duration`` of working time after ``start`` (aware); returned in UTC."""
    cursor = start.astimezone(calendar.tz)
    remaining = duration
    day = cursor.date()
    for _ in range(MAX_DAYS):
        window = calendar.window(day)
        if window is not None:
            begin, end = max(cursor, window[0]), window[1]
            if begin < end:
                if remaining <= end - begin:
                    return (begin + remaining).astimezone(dt.UTC)
                remaining -= end - begin
        day += dt.timedelta(days=1)
    raise ValueError("The working calendar has no working time.")


def working_time_between(start: dt.datetime, end: dt.datetime, calendar: Calendar) -> dt.timedelta:
    """Working time inside [start, end) (zero when end is not after start)."""
    total = dt.timedelta(0)
    if end <= start:
        return total
    a, b = start.astimezone(calendar.tz), end.astimezone(calendar.tz)
    day = a.date()
    while day <= b.date():
        window = calendar.window(day)
        if window is not None:
            lo, hi = max(a, window[0]), min(b, window[1])
            if lo < hi:
                total += hi - lo
        day += dt.timedelta(days=1)
    return total


def hours(value) -> dt.timedelta:
    """A target in (decimal) working hours as a timedelta, to the minute."""
    return dt.timedelta(minutes=int(round(value * 60)))


def load_calendar() -> Calendar:
    """The calendar as configured in the admin (working hours per weekday and holidays)."""
    from .models import Holiday, WorkingHours

    tz = ZoneInfo(getattr(settings, "DMS_SERVICE_TIME_ZONE", settings.TIME_ZONE))
    week = {w.weekday: (w.start, w.end) for w in WorkingHours.objects.all()} or DEFAULT_HOURS
    holidays, workdays = set(), set()
    for h in Holiday.objects.all():
        (workdays if h.is_working_day else holidays).add(h.date)
    return Calendar(hours=week, tz=tz, holidays=frozenset(holidays), workdays=frozenset(workdays))
