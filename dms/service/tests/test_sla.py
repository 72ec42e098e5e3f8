"""Deadlines over working hours, nights, weekends, holidays and make-up working days."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dms.service.sla import Calendar, add_working_time, hours, load_calendar, working_time_between

SH = ZoneInfo("Asia/Shanghai")
WEEK = {d: (dt.time(9), dt.time(18)) for d in range(5)}
# National Day 2026: Thu 1 – Wed 7 October off, Saturday 10 October worked instead.
GOLDEN_WEEK = frozenset(dt.date(2026, 10, d) for d in range(1, 8))
CAL = Calendar(hours=WEEK, tz=SH, holidays=GOLDEN_WEEK, workdays=frozenset({dt.date(2026, 10, 10)}))


def at(day, hour, minute=0):
    return dt.datetime(2026, *day, hour, minute, tzinfo=SH)


def h(n):
    return dt.timedelta(hours=n)


@pytest.mark.parametrize(("start", "duration", "expected"), [
    (at((11, 23), 10), h(2), at((11, 23), 12)),            # Monday, inside the day
    (at((11, 23), 17), h(2), at((11, 24), 10)),            # over the night
    (at((11, 27), 17), h(8), at((11, 30), 16)),            # Friday 17:00 + 8 h = Monday 16:00
    (at((11, 28), 11), h(1), at((11, 30), 10)),            # raised on Saturday: the clock starts Monday 09:00
    (at((11, 23), 7), h(1), at((11, 23), 10)),             # before opening
    (at((11, 23), 20), h(9), at((11, 24), 18)),            # after closing: a whole next day
    (at((11, 23), 9), h(45), at((11, 27), 18)),            # a working week
    (at((9, 30), 17), h(2), at((10, 8), 10)),              # into the National Day holidays: out on Thu 8th
    (at((10, 9), 17), h(2), at((10, 10), 10)),             # ... and Saturday 10th is a working day
    (at((11, 23), 10), dt.timedelta(0), at((11, 23), 10)),
])
def test_add_working_time(start, duration, expected):
    result = add_working_time(start, duration, CAL)
    assert result == expected
    assert result.tzinfo == dt.UTC


def test_working_time_between_skips_nights_weekends_and_holidays():
    assert working_time_between(at((11, 27), 17), at((11, 30), 10), CAL) == h(2)
    # 30 September, 8 and 9 October, and Saturday 10 October (worked); not the holidays nor Sunday
    assert working_time_between(at((9, 30), 9), at((10, 12), 9), CAL) == h(4 * 9)
    assert working_time_between(at((11, 30), 10), at((11, 27), 10), CAL) == dt.timedelta(0)


def test_calendar_without_working_time_is_an_error():
    with pytest.raises(ValueError, match="no working time"):
        add_working_time(at((11, 23), 10), h(1), Calendar(hours={}, tz=SH))


@settings(max_examples=80, deadline=None)
@given(start=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31)),
       minutes=st.integers(min_value=1, max_value=60 * 200))
def test_adding_then_measuring_gives_the_duration_back(start, minutes):
    start = start.replace(tzinfo=SH)
    end = add_working_time(start, dt.timedelta(minutes=minutes), CAL)
    assert working_time_between(start, end, CAL) == dt.timedelta(minutes=minutes)
    assert CAL.window(end.astimezone(SH).date()) is not None


def test_hours_are_converted_to_the_minute():
    from decimal import Decimal

    assert hours(Decimal("1.5")) == dt.timedelta(minutes=90)


@pytest.mark.django_db
def test_calendar_from_data():
    from dms.service.models import Holiday, WorkingHours

    Holiday.objects.create(date=dt.date(2026, 10, 1), name="国庆节")
    Holiday.objects.create(date=dt.date(2026, 10, 10), name="国庆调休", is_working_day=True)
    WorkingHours.objects.filter(weekday=4).update(end=dt.time(17))
    cal = load_calendar()
    assert cal.window(dt.date(2026, 10, 1)) is None
    assert cal.window(dt.date(2026, 10, 10)) is not None
    assert cal.window(dt.date(2026, 11, 27))[1].time() == dt.time(17)
    assert cal.window(dt.date(2026, 11, 28)) is None
