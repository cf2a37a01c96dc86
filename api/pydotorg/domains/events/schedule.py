"""When events happen: python.org's duration text, and the next and previous occurrence of an
event across its occurring rule and recurring rules (dateutil rrules). Pure functions over
plain values, so the same code serves the API, the iCal import and the tests.

Differences from python.org, on purpose (docs/decisions.md, "Events"):
- A recurring rule whose ``finish`` is still ahead but which has no occurrence left after
  ``now`` reports its latest occurrence at or before ``now``; python.org reported "now" itself,
  a value that changes on every request.
- The previous occurrence of a recurring rule is its latest occurrence that has ended;
  python.org used the end of the *next* occurrence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, Protocol, cast

from dateutil.rrule import rrule

YEARLY, MONTHLY, WEEKLY, DAILY = 0, 1, 2, 3
_FIXED_STEP = {WEEKLY: timedelta(days=7), DAILY: timedelta(days=1)}
_APPROXIMATE_STEP = {YEARLY: timedelta(days=365), MONTHLY: timedelta(days=30), **_FIXED_STEP}

# Instants the API accepts: wide enough for any event, narrow enough that adding a rule's
# duration or stepping an rrule can never leave datetime's range.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
MAX_DURATION = timedelta(days=366)


# --- instants ------------------------------------------------------------------------------


def as_utc(value: date | datetime) -> datetime:
    """python.org's ``convert_dt_to_aware``: a date is midnight UTC, a naive datetime is UTC."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), tzinfo=UTC)
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def in_range(value: datetime) -> bool:
    try:
        return EARLIEST <= as_utc(value) < LATEST
    except OverflowError:  # e.g. year 1 with a positive UTC offset
        return False


def seconds_resolution(dt: datetime) -> datetime:
    return dt.replace(microsecond=0)


def minutes_resolution(dt: datetime) -> datetime:
    return dt.replace(second=0, microsecond=0)


def valid_dt_end(dt_start: datetime, dt_end: datetime) -> bool:
    """python.org's ``RuleMixin.valid_dt_end``: the end is after the start, to the minute."""
    return minutes_resolution(dt_end) > minutes_resolution(dt_start)


# --- durations -----------------------------------------------------------------------------

# "[-]D day[s][,] [-]H:MM[:SS[.f]]" — how PostgreSQL and Django serialise a timedelta.
_CLOCK = re.compile(
    r"^((?P<days>[-+]?\d+) days?,? )?(?P<sign>[-+]?)(?P<hours>\d+):(?P<minutes>\d+)"
    r"(:(?P<seconds>\d+(\.\d+)?))?$"
)
_NUMBER = r"-?((\d*\.\d+)|\d+)"
# "1 week, 2 days, 3 hrs, 4 min, 5 s" and the many spellings python.org accepts.
_WORDS = re.compile(
    rf"^((?P<weeks>{_NUMBER})\W*w((ee)?(k(s)?)?)(,)?\W*)?"
    rf"((?P<days>{_NUMBER})\W*d(ay(s)?)?(,)?\W*)?"
    rf"((?P<hours>{_NUMBER})\W*h(ou)?(r(s)?)?(,)?\W*)?"
    rf"((?P<minutes>{_NUMBER})\W*m(in(ute)?(s)?)?(,)?\W*)?"
    rf"((?P<seconds>{_NUMBER})\W*s(ec(ond)?(s)?)?)?\W*$"
)


def parse_duration(text: str) -> timedelta:
    """python.org's ``timedelta_parse``: "1 day", "1.5 days", ".5 hours", "1 hour, 5 mins",
    "-1 day, -1:01:01" … An empty or unreadable string raises ``TypeError``, as there."""
    text = text.strip()
    if not text:
        raise TypeError(f"{text!r} is not a valid time interval")
    parts: dict[str, str]
    clock = _CLOCK.match(text)
    if clock:
        parts = {k: v for k, v in clock.groupdict().items() if v is not None}
        sign = parts.pop("sign", "")
        if sign == "-":
            for unit in ("hours", "minutes", "seconds"):
                if unit in parts:
                    parts[unit] = "-" + parts[unit]
    else:
        words = _WORDS.match(text)
        if not words:
            raise TypeError(f"{text!r} is not a valid time interval")
        parts = {k: v for k, v in words.groupdict().items() if v is not None}
    try:
        return timedelta(**{unit: float(value) for unit, value in parts.items()})
    except OverflowError:
        raise TypeError(f"{text!r} is out of range") from None


def nice_duration(value: timedelta, display: str = "long", sep: str = ", ") -> str:
    """python.org's ``timedelta_nice_repr``: "1 day, 2 hours", "1d, 1s", "0 sec" …"""
    if not isinstance(value, timedelta):
        raise TypeError("First argument must be a timedelta.")
    words = {
        "minimal": ["w", "d", "h", "m", "s"],
        "short": [" wks", " days", " hrs", " min", " sec"],
        "long": [" weeks", " days", " hours", " minutes", " seconds"],
    }.get(display)
    if words is None:
        raise ValueError(f"display must be 'minimal', 'short' or 'long', not {display!r}")
    weeks = int(value.days / 7)  # python.org truncates towards zero here
    values = [
        weeks,
        value.days % 7,
        value.seconds // 3600,
        value.seconds % 3600 // 60,
        value.seconds % 60,
    ]
    out = []
    for amount, word in zip(values, words, strict=True):
        if amount:
            out.append(f"{amount}{word.rstrip('s') if amount == 1 and len(word) > 1 else word}")
    return sep.join(out) if out else f"0{words[-1]}"


def freq_interval_as_timedelta(frequency: int, interval: int) -> timedelta:
    """python.org's approximation of a rule's period (a year is 365 days, a month 30)."""
    return interval * _APPROXIMATE_STEP[frequency]


# --- occurrences ---------------------------------------------------------------------------


class OccurringLike(Protocol):
    dt_start: datetime
    dt_end: datetime
    all_day: bool


class RecurringLike(Protocol):
    begin: datetime
    finish: datetime
    duration_internal: timedelta
    interval: int
    frequency: int
    all_day: bool


@dataclass(frozen=True, slots=True)
class Occurrence:
    dt_start: datetime
    dt_end: datetime
    all_day: bool

    @property
    def single_day(self) -> bool:
        """Starts and ends on the same (UTC) date."""
        return as_utc(self.dt_start).date() == as_utc(self.dt_end).date()


def _clock(begin: datetime) -> dict[str, Any]:
    """The time of day of every occurrence (dateutil takes it from ``dtstart`` otherwise)."""
    return {"byhour": begin.hour, "byminute": begin.minute, "bysecond": begin.second}


def to_rrule(rule: RecurringLike, near: datetime | None = None, back: int = 1) -> rrule:
    """The rule as a dateutil rrule. With ``near``, the series starts ``back`` periods before the
    period holding ``near`` instead of at ``begin``: the same occurrences from there on (a suffix
    of the full series), without stepping through every one since ``begin``."""
    begin, finish = as_utc(rule.begin), as_utc(rule.finish)
    freq = cast(Literal[0, 1, 2, 3], rule.frequency)
    k = rule.interval
    full = rrule(freq=freq, interval=k, dtstart=begin, until=finish)
    if near is None or near <= begin:
        return full
    step = _FIXED_STEP.get(rule.frequency)
    if step is not None:  # every occurrence is begin + n periods
        skipped = math.floor((near - begin) / (step * k)) - back
        return (
            rrule(freq=freq, interval=k, dtstart=begin + skipped * step * k, until=finish)
            if skipped > 0
            else full
        )
    # Monthly and yearly rules skip months and years without the day (the 31st, 29 February):
    # the series starts on the first of an aligned month or year, with the day given explicitly.
    if rule.frequency == MONTHLY:
        skipped = ((near.year - begin.year) * 12 + near.month - begin.month) // k - back
        if skipped <= 0:
            return full
        month = begin.year * 12 + begin.month - 1 + skipped * k
        dtstart = datetime(month // 12, month % 12 + 1, 1, tzinfo=UTC)
        return rrule(
            freq=freq, interval=k, dtstart=dtstart, until=finish, bymonthday=begin.day, **_clock(begin)
        )
    skipped = (near.year - begin.year) // k - back
    if skipped <= 0:
        return full
    dtstart = datetime(begin.year + skipped * k, 1, 1, tzinfo=UTC)
    return rrule(
        freq=freq,
        interval=k,
        dtstart=dtstart,
        until=finish,
        bymonth=begin.month,
        bymonthday=begin.day,
        **_clock(begin),
    )


def _starts_at(rule: RecurringLike, start: datetime) -> Occurrence:
    return Occurrence(start, start + rule.duration_internal, rule.all_day)


def occurrence_after(rule: RecurringLike, moment: datetime) -> datetime | None:
    """The first start after ``moment`` (the shortened series is a suffix of the full one)."""
    return to_rrule(rule, moment).after(moment)


def occurrence_before(rule: RecurringLike, moment: datetime, inc: bool = False) -> datetime | None:
    """The last start before ``moment``. A day missing from the latest periods (the 31st, 29
    February) needs a longer look back; the full series is the last resort."""
    for back in (1, 13, 120):
        if (found := to_rrule(rule, moment, back).before(moment, inc=inc)) is not None:
            return found
    return to_rrule(rule).before(moment, inc=inc)


def recurring_next(rule: RecurringLike, now: datetime) -> Occurrence | None:
    """The rule's next occurrence after ``now``; for a rule still open (``finish`` ahead) with
    nothing left to start, the latest one at or before ``now``."""
    if as_utc(rule.finish) <= now:
        return None
    start = occurrence_after(rule, now) or occurrence_before(rule, now, inc=True)
    return _starts_at(rule, start) if start is not None else None


def recurring_previous(rule: RecurringLike, now: datetime) -> Occurrence | None:
    """The rule's latest occurrence that has ended before ``now``."""
    if as_utc(rule.begin) >= now:
        return None
    start = occurrence_before(rule, now - rule.duration_internal)
    return _starts_at(rule, start) if start is not None else None


def next_occurrence(
    occurring: OccurringLike | None, recurring: Iterable[RecurringLike], now: datetime
) -> Occurrence | None:
    """python.org's ``Event.next_time``: the earliest upcoming start among the occurring rule
    (if it starts after ``now``) and the recurring rules (if they finish after ``now``)."""
    candidates: list[Occurrence] = []
    for rule in recurring:
        if (found := recurring_next(rule, now)) is not None:
            candidates.append(found)
    if occurring is not None and as_utc(occurring.dt_start) > now:
        candidates.append(_occurrence(occurring))
    return min(candidates, key=lambda o: o.dt_start) if candidates else None


def previous_occurrence(
    occurring: OccurringLike | None, recurring: Iterable[RecurringLike], now: datetime
) -> Occurrence | None:
    """python.org's ``Event.previous_time``: the latest end among the occurring rule (if it
    ended before ``now``) and the recurring rules' last finished occurrences."""
    candidates: list[Occurrence] = []
    for rule in recurring:
        if (found := recurring_previous(rule, now)) is not None:
            candidates.append(found)
    if occurring is not None and as_utc(occurring.dt_end) < now:
        candidates.append(_occurrence(occurring))
    return max(candidates, key=lambda o: o.dt_end) if candidates else None


def next_or_previous(
    occurring: OccurringLike | None, recurring: Sequence[RecurringLike], now: datetime
) -> Occurrence | None:
    """python.org's ``next_or_previous_time``: next, else previous, else the occurring rule."""
    return (
        next_occurrence(occurring, recurring, now)
        or previous_occurrence(occurring, recurring, now)
        or (_occurrence(occurring) if occurring is not None else None)
    )


def _occurrence(rule: OccurringLike) -> Occurrence:
    return Occurrence(as_utc(rule.dt_start), as_utc(rule.dt_end), rule.all_day)
