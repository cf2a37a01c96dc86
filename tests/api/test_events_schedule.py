"""Event time logic without a database: python.org's duration parser (every accepted and
rejected form its tests pin), its nice repr, and the next/previous occurrence across an
occurring rule and recurring rules (inventory 4.4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.rrule import WEEKLY, rrule
from hypothesis import given, settings
from hypothesis import strategies as st

from pydotorg.domains.events import schedule
from pydotorg.domains.events.schedule import (
    DAILY,
    Occurrence,
    next_occurrence,
    next_or_previous,
    nice_duration,
    parse_duration,
    previous_occurrence,
)

NOW = datetime(2026, 6, 15, 12, 0, 0, tzinfo=UTC)


@dataclass
class Occurring:
    dt_start: datetime
    dt_end: datetime
    all_day: bool = False


@dataclass
class Recurring:
    begin: datetime
    finish: datetime
    duration_internal: timedelta = timedelta(minutes=15)
    interval: int = 1
    frequency: int = WEEKLY
    all_day: bool = False


ACCEPTED = [
    ("1 day", timedelta(1)),
    ("2 days", timedelta(2)),
    ("1 d", timedelta(1)),
    ("1 hour", timedelta(0, 3600)),
    ("1 hours", timedelta(0, 3600)),
    ("1 hr", timedelta(0, 3600)),
    ("1 hrs", timedelta(0, 3600)),
    ("1h", timedelta(0, 3600)),
    ("1wk", timedelta(7)),
    ("1 week", timedelta(7)),
    ("1 weeks", timedelta(7)),
    ("2 weeks", timedelta(14)),
    ("1 sec", timedelta(0, 1)),
    ("1 secs", timedelta(0, 1)),
    ("1 s", timedelta(0, 1)),
    ("1 second", timedelta(0, 1)),
    ("1 seconds", timedelta(0, 1)),
    ("1 minute", timedelta(0, 60)),
    ("1 min", timedelta(0, 60)),
    ("1 m", timedelta(0, 60)),
    ("1 minutes", timedelta(0, 60)),
    ("1 mins", timedelta(0, 60)),
    ("1.5 days", timedelta(1, 43200)),
    ("3 weeks", timedelta(21)),
    ("4.2 hours", timedelta(0, 15120)),
    (".5 hours", timedelta(0, 1800)),
    ("1 hour, 5 mins", timedelta(0, 3900)),
    ("-2 days", timedelta(-2)),
    ("-1 day 0:00:01", timedelta(-1, 1)),
    ("-1 day, -1:01:01", timedelta(-2, 82739)),
    ("-1 weeks, 2 days, -3 hours, 4 minutes, -5 seconds", timedelta(-5, 11045)),
    ("0 seconds", timedelta(0)),
    ("0 days", timedelta(0)),
    ("0 weeks", timedelta(0)),
    ("15 min", timedelta(minutes=15)),
    ("  2 hours  ", timedelta(hours=2)),
    ("1:30", timedelta(hours=1, minutes=30)),
    ("-1:30", timedelta(minutes=-90)),  # python.org: TypeError from a string concatenation bug
    ("1 day, 2:03:04.5", timedelta(days=1, hours=2, minutes=3, seconds=4.5)),
]
REJECTED = ["2 ws", "2 ds", "2 hs", "2 ms", "2 aa", "", " hours", "   ", "1", "hours 2", "9" * 40 + " days"]


@pytest.mark.parametrize("text, expected", ACCEPTED)
def test_duration_accepted(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", REJECTED)
def test_duration_rejected(text: str) -> None:
    with pytest.raises(TypeError):
        parse_duration(text)


@pytest.mark.parametrize(
    "delta, args, expected",
    [
        ({"days": 1, "hours": 2, "minutes": 3, "seconds": 4}, (), "1 day, 2 hours, 3 minutes, 4 seconds"),
        ({"days": 1, "seconds": 1}, ("minimal",), "1d, 1s"),
        ({"days": 1}, (), "1 day"),
        ({"days": 0}, (), "0 seconds"),
        ({"seconds": 1}, (), "1 second"),
        ({"seconds": 10}, (), "10 seconds"),
        ({"seconds": 60}, (), "1 minute"),
        ({"seconds": 150}, (), "2 minutes, 30 seconds"),
        ({"seconds": 3601}, (), "1 hour, 1 second"),
        ({"seconds": 19800}, (), "5 hours, 30 minutes"),
        ({"seconds": 91800}, (), "1 day, 1 hour, 30 minutes"),
        ({"seconds": 302400}, (), "3 days, 12 hours"),
        ({"days": 15}, (), "2 weeks, 1 day"),
        ({"seconds": 0}, ("minimal",), "0s"),
        ({"seconds": 0}, ("short",), "0 sec"),
        ({"seconds": 0}, ("long",), "0 seconds"),
    ],
)
def test_nice_duration(delta: dict[str, int], args: tuple[str, ...], expected: str) -> None:
    assert nice_duration(timedelta(**delta), *args) == expected


def test_nice_duration_needs_a_timedelta() -> None:
    with pytest.raises(TypeError):
        nice_duration("")  # type: ignore[arg-type]


def test_resolutions_and_valid_end() -> None:
    t = datetime(2026, 1, 1, 10, 30, 45, 123456, tzinfo=UTC)
    assert schedule.seconds_resolution(t).microsecond == 0
    assert schedule.minutes_resolution(t) == datetime(2026, 1, 1, 10, 30, tzinfo=UTC)
    assert schedule.valid_dt_end(t, t + timedelta(minutes=1))
    assert not schedule.valid_dt_end(t, t + timedelta(seconds=5))  # same minute


def test_instants_are_utc() -> None:
    assert schedule.as_utc(date(2016, 4, 2)) == datetime(2016, 4, 2, tzinfo=UTC)
    assert schedule.as_utc(datetime(2016, 4, 2, 10)) == datetime(2016, 4, 2, 10, tzinfo=UTC)
    plus_two = datetime.fromisoformat("2016-04-02T10:00:00+02:00")
    assert schedule.as_utc(plus_two) == datetime(2016, 4, 2, 8, tzinfo=UTC)
    assert not schedule.in_range(
        datetime(1, 1, 1, tzinfo=datetime.fromisoformat("2000-01-01T00:00+05:00").tzinfo)
    )
    assert not schedule.in_range(datetime(9999, 12, 31, tzinfo=UTC))


def test_future_occurring_rule_is_next_and_past_one_is_previous() -> None:
    start = NOW + timedelta(days=3)
    rule = Occurring(start, start + timedelta(days=5))
    nxt = next_occurrence(rule, [], NOW)
    assert nxt == Occurrence(start, start + timedelta(days=5), False)
    assert nxt is not None and not nxt.single_day
    assert previous_occurrence(rule, [], NOW) is None
    moved = Occurring(NOW - timedelta(days=5), NOW - timedelta(days=3))
    assert next_occurrence(moved, [], NOW) is None
    previous = previous_occurrence(moved, [], NOW)
    assert previous is not None and previous.dt_start == moved.dt_start
    assert next_or_previous(moved, [], NOW) == previous


def test_running_occurring_rule_is_neither_but_still_shown() -> None:
    rule = Occurring(NOW - timedelta(hours=1), NOW + timedelta(hours=1))
    assert next_occurrence(rule, [], NOW) is None and previous_occurrence(rule, [], NOW) is None
    assert next_or_previous(rule, [], NOW) == Occurrence(rule.dt_start, rule.dt_end, False)


def test_recurring_rule_next_start_is_the_rrules() -> None:
    begin = NOW + timedelta(days=3)
    rule = Recurring(begin, begin + timedelta(days=5))
    assert schedule.freq_interval_as_timedelta(rule.frequency, rule.interval) == timedelta(days=7)
    expected = rrule(WEEKLY, interval=1, dtstart=begin, until=begin + timedelta(days=5)).after(NOW)
    nxt = next_occurrence(None, [rule], NOW)
    assert nxt is not None and nxt.dt_start == expected == begin
    assert nxt.dt_end == begin + timedelta(minutes=15) and nxt.single_day
    gone = Recurring(NOW - timedelta(days=5), NOW - timedelta(days=3))
    assert next_occurrence(None, [gone], NOW) is None


def test_earliest_of_both_kinds_is_next() -> None:
    occurring = Occurring(NOW + timedelta(days=5), NOW + timedelta(days=11))
    recurring = Recurring(NOW + timedelta(days=3), NOW + timedelta(days=8))
    nxt = next_occurrence(occurring, [recurring], NOW)
    assert nxt is not None and nxt.dt_start == recurring.begin
    later = Recurring(NOW + timedelta(days=7), NOW + timedelta(days=9))
    nxt = next_occurrence(occurring, [later], NOW)
    assert nxt is not None and nxt.dt_start == occurring.dt_start


def test_weekly_rule_steps_to_the_next_week() -> None:
    begin = datetime(2020, 1, 6, 18, 0, tzinfo=UTC)  # a Monday, weekly for years
    rule = Recurring(begin, datetime(2030, 1, 1, tzinfo=UTC), duration_internal=timedelta(hours=2))
    nxt = next_occurrence(None, [rule], NOW)
    assert nxt is not None and nxt.dt_start == datetime(2026, 6, 15, 18, 0, tzinfo=UTC)  # tonight
    assert nxt == Occurrence(nxt.dt_start, nxt.dt_start + timedelta(hours=2), False)
    previous = previous_occurrence(None, [rule], NOW)
    assert previous is not None and previous.dt_start == datetime(2026, 6, 8, 18, 0, tzinfo=UTC)
    # The shortcut for daily/weekly rules gives what dateutil gives from the first occurrence.
    full = rrule(WEEKLY, dtstart=begin, until=rule.finish)
    assert nxt.dt_start == full.after(NOW)


def test_monthly_rule_skips_months_without_the_day() -> None:
    rule = Recurring(datetime(2026, 1, 31, 9, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC), frequency=1)
    nxt = next_occurrence(None, [rule], datetime(2026, 2, 1, tzinfo=UTC))
    assert nxt is not None and nxt.dt_start == datetime(2026, 3, 31, 9, tzinfo=UTC)


def test_open_rule_without_occurrences_left_reports_its_latest() -> None:
    # python.org reported "now" here; the latest occurrence is stable from one request to the next.
    rule = Recurring(NOW - timedelta(hours=1), NOW + timedelta(hours=1), frequency=DAILY)
    nxt = next_occurrence(None, [rule], NOW)
    assert nxt is not None and nxt.dt_start == rule.begin


def test_previous_is_the_latest_finished_occurrence() -> None:
    rule = Recurring(
        NOW - timedelta(days=10, hours=1),
        NOW + timedelta(days=10),
        frequency=DAILY,
        duration_internal=timedelta(hours=2),
    )
    previous = previous_occurrence(None, [rule], NOW)
    # The occurrence that began an hour ago is still running; the one before it has ended.
    assert previous is not None and previous.dt_start == NOW - timedelta(days=1, hours=1)
    assert previous.dt_end < NOW
    occurring = Occurring(NOW - timedelta(days=3), NOW - timedelta(days=2))
    latest = previous_occurrence(occurring, [rule], NOW)
    assert latest == previous


def test_all_day_and_single_day() -> None:
    day = datetime(2016, 4, 2, tzinfo=UTC)
    assert Occurrence(day, day, True).single_day
    assert not Occurrence(day, day + timedelta(days=1), True).single_day
    evening = datetime(2013, 8, 2, 20, tzinfo=UTC)
    assert Occurrence(evening, evening + timedelta(minutes=30), False).single_day


@settings(max_examples=400, deadline=None)
@given(
    begin=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1)),
    length=st.integers(min_value=0, max_value=40 * 365),
    moment_offset=st.integers(min_value=-400, max_value=50 * 365),
    frequency=st.sampled_from([0, 1, 2, 3]),
    interval=st.integers(min_value=1, max_value=40),
)
def test_shortened_series_agree_with_dateutil(
    begin: datetime, length: int, moment_offset: int, frequency: int, interval: int
) -> None:
    """The shortcut in ``to_rrule`` finds what stepping through the whole rrule finds."""
    begin = begin.replace(tzinfo=UTC)
    rule = Recurring(begin, begin + timedelta(days=length), frequency=frequency, interval=interval)
    moment = begin + timedelta(days=moment_offset, seconds=begin.second * 7)
    full = schedule.to_rrule(rule)
    assert schedule.occurrence_after(rule, moment) == full.after(moment)
    assert schedule.occurrence_before(rule, moment) == full.before(moment)
    assert schedule.occurrence_before(rule, moment, inc=True) == full.before(moment, inc=True)


@pytest.mark.parametrize("frequency", [0, 1])
@pytest.mark.parametrize("interval", [1, 2, 3, 5, 11, 12, 36, 100])
@pytest.mark.parametrize(
    "begin", [datetime(1904, 2, 29, 9, 30, tzinfo=UTC), datetime(1901, 1, 31, tzinfo=UTC)]
)
def test_shortened_series_with_missing_days(frequency: int, interval: int, begin: datetime) -> None:
    rule = Recurring(begin, datetime(2999, 1, 1, tzinfo=UTC), frequency=frequency, interval=interval)
    full = schedule.to_rrule(rule)
    for moment in (datetime(1950, 3, 1, tzinfo=UTC), NOW, datetime(2101, 3, 1, tzinfo=UTC)):
        assert schedule.occurrence_after(rule, moment) == full.after(moment)
        assert schedule.occurrence_before(rule, moment) == full.before(moment)
