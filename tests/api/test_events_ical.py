"""iCal import: python.org's events.ics served over real HTTP by a small local server —
78 events, all-day handling, sanitized descriptions, venues by location text, conditional GET
(304), idempotence (no writes and no change-feed rows on a second run), broken VEVENTs skipped,
the SAQ job through the worker and the ``pydotorg events import-ics`` command."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest

from pydotorg.core.db import transaction
from pydotorg.dev.paths import PYTHON_ORG_DATA
from pydotorg.domains.events.ical import CalendarResult, import_calendars, import_feed
from pydotorg.domains.events.models import Calendar
from tests.helpers import db_fingerprint, serve_asgi

EVENTS_ICS = (PYTHON_ORG_DATA / "events.ics").read_bytes()


@dataclass
class FeedServer:
    """Serves ``feeds[path]`` with an ETag; answers 304 to a matching If-None-Match."""

    feeds: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    url: str = ""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.requests.append((scope["path"], headers))
        body = self.feeds.get(scope["path"])
        if body is None:
            status, out, extra = (500 if scope["path"] == "/error" else 404), b"no", []
        else:
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            extra = [(b"etag", etag.encode()), (b"last-modified", b"Sat, 01 Feb 2014 00:00:00 GMT")]
            if scope["path"].startswith("/plain"):  # a server without validators
                extra, etag = [], ""
            if etag and headers.get("if-none-match") == etag:
                status, out = 304, b""
            else:
                status, out = 200, body
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/calendar"), *extra],
            }
        )
        await send({"type": "http.response.body", "body": out})


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer(feeds={"/events.ics": EVENTS_ICS})
    with serve_asgi(server) as url:
        server.url = url
        yield server


async def make_calendar(sessionmaker: Any, slug: str, url: str | None) -> int:
    async with transaction(sessionmaker) as s:
        calendar = Calendar(name=slug, slug=slug, url=url)
        s.add(calendar)
        await s.flush()
        return calendar.id


async def change_count(db_conn: Any) -> int:
    return int(await db_conn.fetchval("SELECT count(*) FROM changes"))


def feed_facts() -> tuple[int, int, set[str]]:
    """From the file itself: VEVENTs, all-day ones, distinct locations."""
    events = icalendar.Calendar.from_ical(EVENTS_ICS).walk("VEVENT")
    all_day = sum(1 for e in events if not isinstance(e["DTSTART"].dt, datetime))
    return len(events), all_day, {str(e["LOCATION"]).strip() for e in events if e.get("LOCATION")}


async def test_import_real_feed_conditional_get_and_idempotence(
    clean: None, sessionmaker: Any, db_conn: Any, feeds: FeedServer
) -> None:
    total, all_day, locations = feed_facts()
    assert total == 78
    cal_id = await make_calendar(sessionmaker, "python-events", feeds.url + "/events.ics")
    await make_calendar(sessionmaker, "no-feed", None)  # skipped: nothing to fetch
    before = await change_count(db_conn)
    [result] = await import_calendars(sessionmaker)
    assert (result.status, result.events, result.created, result.updated) == ("imported", 78, 78, 0)
    assert result.skipped == []
    assert await db_conn.fetchval("SELECT count(*) FROM events WHERE calendar_id=$1", cal_id) == 78
    assert await db_conn.fetchval("SELECT count(*) FROM event_occurring_rules") == 78
    assert await db_conn.fetchval("SELECT count(*) FROM event_occurring_rules WHERE all_day") == all_day == 74
    names = await db_conn.fetch("SELECT name FROM event_locations WHERE calendar_id=$1", cal_id)
    assert {r["name"] for r in names} == locations
    # All-day: DTSTART 2014-05-16, DTEND 2014-05-19 (exclusive) is stored as the 16th to the 18th.
    row = await db_conn.fetchrow(
        "SELECT e.title, e.description, e.description_markup_type, e.description_html, l.name AS venue, "
        "r.dt_start, r.dt_end, r.all_day FROM events e JOIN event_occurring_rules r ON r.event_id = e.id "
        "JOIN event_locations l ON l.id = e.venue_id WHERE e.uid = $1",
        "0dpji3hft657pi6cgradu20rro@google.com",
    )
    assert dict(row) == {
        "title": "PyCon APAC 2014",
        "description": '<a href="http://tw.pycon.org/2014apac/en/">PyCon APAC 2014</a>',
        "description_markup_type": "html",
        "description_html": '<a href="http://tw.pycon.org/2014apac/en/" rel="noopener noreferrer">PyCon APAC 2014</a>',
        "venue": "Academia Sinica, Taipei, Taiwan",
        "dt_start": datetime(2014, 5, 16, tzinfo=UTC),
        "dt_end": datetime(2014, 5, 18, tzinfo=UTC),
        "all_day": True,
    }
    timed = await db_conn.fetchrow(
        "SELECT r.dt_start, r.dt_end, r.all_day FROM events e JOIN event_occurring_rules r ON r.event_id = e.id "
        "WHERE e.uid = $1",
        "djtvr1jdnjifs9etni3t53ste4@google.com",
    )
    assert dict(timed) == {
        "dt_start": datetime(2013, 12, 8, 1, tzinfo=UTC),
        "dt_end": datetime(2013, 12, 8, 10, tzinfo=UTC),
        "all_day": False,
    }
    # The feed: 78 events and the new venues, nothing for rules (they belong to their event).
    kinds = await db_conn.fetch(
        "SELECT kind, count(*) FROM changes WHERE domain = 'events' AND cursor > $1 GROUP BY kind", before
    )
    assert {r["kind"]: r["count"] for r in kinds} == {"event": 78, "location": len(locations)}
    feed = await db_conn.fetchrow("SELECT * FROM event_calendar_feeds WHERE calendar_id=$1", cal_id)
    assert feed["etag"] and feed["content_sha256"] == hashlib.sha256(EVENTS_ICS).hexdigest()

    # Second run: a conditional GET, answered 304; nothing is written.
    fingerprint = await db_fingerprint(db_conn)
    changes_before = await change_count(db_conn)
    [again] = await import_calendars(sessionmaker)
    assert again.status == "not modified"
    _, last_headers = feeds.requests[-1]
    assert last_headers["if-none-match"] == feed["etag"]
    assert last_headers["if-modified-since"] == "Sat, 01 Feb 2014 00:00:00 GMT"
    assert await change_count(db_conn) == changes_before
    after = await db_fingerprint(db_conn)
    assert {t for t in after if after[t] != fingerprint[t]} <= {"event_calendar_feeds"}  # checked_at

    # A forced run downloads and imports everything again and still changes nothing.
    [forced] = await import_calendars(sessionmaker, force=True)
    assert (forced.status, forced.events, forced.created, forced.updated) == ("imported", 78, 0, 0)
    assert "if-none-match" not in feeds.requests[-1][1]
    assert await change_count(db_conn) == changes_before
    after = await db_fingerprint(db_conn)
    assert {t for t in after if after[t] != fingerprint[t]} <= {"event_calendar_feeds"}

    # The feed changes one VEVENT: the same event is updated, and reported once.
    feeds.feeds["/events.ics"] = EVENTS_ICS.replace(
        b'DESCRIPTION:<a href="http://tw.pycon.org/2014apac/en/">PyCon APAC 2014</a>',
        b"DESCRIPTION:Moved online",
    )
    [changed] = await import_calendars(sessionmaker, calendar_slug="python-events")
    assert (changed.created, changed.updated) == (0, 1)
    rows = await db_conn.fetch("SELECT kind, object_id FROM changes WHERE cursor > $1", changes_before)
    event_id = await db_conn.fetchval(
        "SELECT id FROM events WHERE uid=$1", "0dpji3hft657pi6cgradu20rro@google.com"
    )
    assert [(r["kind"], r["object_id"]) for r in rows] == [("event", str(event_id))]
    assert before < changes_before


SINGLE = """BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
{events}END:VCALENDAR
"""


def vevent(**props: str) -> str:
    return (
        "BEGIN:VEVENT\n" + "".join(f"{k.replace('_', '-')}:{v}\n" for k, v in props.items()) + "END:VEVENT\n"
    )


async def _import_text(sessionmaker: Any, calendar_id: int, text: str) -> CalendarResult:
    result = CalendarResult("test", "imported")
    async with transaction(sessionmaker) as s:
        calendar = await s.get(Calendar, calendar_id)
        assert calendar is not None
        await import_feed(s, calendar, text.encode(), result)
    return result


async def test_python_org_importer_cases(clean: None, sessionmaker: Any, db_conn: Any) -> None:
    cal_id = await make_calendar(sessionmaker, "python-events", "https://example.org/cal.ics")
    cologne = {
        "DTSTART;VALUE=DATE": "20160402",
        "DTEND;VALUE=DATE": "20160404",
        "UID": "8ceqself979pphq4eu7l5e2db8@google.com",
        "DESCRIPTION": '<a href="https://www.barcamptools.eu/pycamp201604">PythonCamp C\n ologne 2016</a>',
        "LOCATION": "GFU Cyrus AG, Am Grauen Stein 27, 51105 Köln, Germany",
        "SUMMARY": "PythonCamp Cologne 2016",
    }
    await _import_text(sessionmaker, cal_id, SINGLE.format(events=vevent(**cologne)))
    first = await db_conn.fetchrow(
        "SELECT e.id, e.description_html, r.dt_start, r.dt_end, r.all_day FROM events e "
        "JOIN event_occurring_rules r ON r.event_id = e.id WHERE e.uid = $1",
        cologne["UID"],
    )
    assert first["description_html"] == (
        '<a href="https://www.barcamptools.eu/pycamp201604" rel="noopener noreferrer">PythonCamp Cologne 2016</a>'
    )
    assert (first["dt_start"], first["dt_end"], first["all_day"]) == (
        datetime(2016, 4, 2, tzinfo=UTC),
        datetime(2016, 4, 3, tzinfo=UTC),
        True,
    )
    # The same UID again, changed: the same event is updated.
    istanbul = {**cologne, "DESCRIPTION": "Python Istanbul", "LOCATION": "Istanbul, Turkey"}
    result = await _import_text(sessionmaker, cal_id, SINGLE.format(events=vevent(**istanbul)))
    assert (result.created, result.updated) == (0, 1)
    second = await db_conn.fetchrow(
        "SELECT e.id, e.description_html, l.name FROM events e JOIN event_locations l ON l.id = e.venue_id "
        "WHERE e.uid = $1",
        cologne["UID"],
    )
    assert (second["id"], second["description_html"], second["name"]) == (
        first["id"],
        "Python Istanbul",
        "Istanbul, Turkey",
    )
    # A timed event keeps its exact times: single day, not all-day.
    timed = vevent(
        DTSTART="20130802T200000Z",
        DTEND="20130802T203000Z",
        UID="pythoncalendartestsingleday@python.org",
        SUMMARY="PythonCamp 2015 - Python Bar Camp in Cologne",
        LOCATION="GFU Cyrus AG, Am Grauen Stein 27, 51105 Cologne, Germany",
    )
    # Malicious text is stored as text; the description is sanitized; the site escapes titles.
    evil = vevent(
        **{"DTSTART;VALUE=DATE": "20150328", "DTEND;VALUE=DATE": "20150330"},
        UID="pythoncalendartest@python.org",
        SUMMARY="<javascript:alert(1)>",
        DESCRIPTION="<javascript:alert(1)><script>alert(2)</script><img src=x onerror=alert(3)>",
        LOCATION="<javascript:alert(1)>",
    )
    await _import_text(sessionmaker, cal_id, SINGLE.format(events=timed + evil))
    row = await db_conn.fetchrow(
        "SELECT r.dt_start, r.dt_end, r.all_day FROM events e JOIN event_occurring_rules r ON r.event_id = e.id "
        "WHERE e.uid = 'pythoncalendartestsingleday@python.org'"
    )
    assert (row["dt_start"], row["dt_end"], row["all_day"]) == (
        datetime(2013, 8, 2, 20, tzinfo=UTC),
        datetime(2013, 8, 2, 20, 30, tzinfo=UTC),
        False,
    )
    bad = await db_conn.fetchrow(
        "SELECT e.title, e.description_html, r.dt_start, r.dt_end, r.all_day FROM events e "
        "JOIN event_occurring_rules r ON r.event_id = e.id WHERE e.uid = 'pythoncalendartest@python.org'"
    )
    assert bad["title"] == "<javascript:alert(1)>"
    html = bad["description_html"]
    assert "<javascript" not in html and "<script" not in html and "onerror" not in html
    assert (bad["dt_start"], bad["dt_end"], bad["all_day"]) == (
        datetime(2015, 3, 28, tzinfo=UTC),
        datetime(2015, 3, 29, tzinfo=UTC),
        True,
    )


async def test_broken_vevents_are_skipped_and_feeds_that_fail_are_reported(
    clean: None, sessionmaker: Any, db_conn: Any, feeds: FeedServer
) -> None:
    good = vevent(**{"DTSTART;VALUE=DATE": "20240501"}, UID="good@example.org", SUMMARY="Good")
    broken = [
        vevent(DTSTART="notadate", UID="bad-date@example.org", SUMMARY="Bad"),
        vevent(**{"DTSTART;VALUE=DATE": "20240501"}, SUMMARY="No UID"),
        vevent(UID="no-start@example.org", SUMMARY="No start"),
        vevent(
            DTSTART="20240501T100000Z", DTEND="20240501T090000Z", UID="backwards@example.org", SUMMARY="x"
        ),
        vevent(DTSTART="00010101T000000Z", UID="ancient@example.org", SUMMARY="Too old"),
        vevent(
            **{"DTSTART;VALUE=DATE": "20240508", "RECURRENCE-ID;VALUE=DATE": "20240508"},
            UID="good@example.org",
            SUMMARY="One changed instance",
        ),
    ]
    feeds.feeds["/mixed.ics"] = SINGLE.format(
        events="".join(broken[:3]) + good + "".join(broken[3:])
    ).encode()
    feeds.feeds["/garbage.ics"] = b"this is not a calendar"
    await make_calendar(sessionmaker, "mixed", feeds.url + "/mixed.ics")
    await make_calendar(sessionmaker, "garbage", feeds.url + "/garbage.ics")
    await make_calendar(sessionmaker, "down", feeds.url + "/error")
    await make_calendar(sessionmaker, "unreachable", "http://127.0.0.1:9/never.ics")
    results = {r.calendar: r for r in await import_calendars(sessionmaker)}
    mixed = results["mixed"]
    assert (mixed.status, mixed.events, mixed.created, len(mixed.skipped)) == ("imported", 7, 1, 6)
    assert await db_conn.fetchval("SELECT title FROM events") == "Good"
    end = await db_conn.fetchval("SELECT dt_end FROM event_occurring_rules")
    assert end == datetime(2024, 5, 1, tzinfo=UTC)  # a date without DTEND lasts that day
    for name in ("garbage", "down", "unreachable"):
        assert results[name].status == "failed" and results[name].error, results[name]
    statuses = await db_conn.fetch(
        "SELECT c.slug, f.status FROM event_calendar_feeds f JOIN event_calendars c ON c.id = f.calendar_id"
    )
    assert {r["slug"] for r in statuses if r["status"].startswith(("failed", "not an iCalendar"))} == {
        "garbage",
        "down",
        "unreachable",
    }
    # A broken feed stays broken without writing anything; the good one imports once.
    again = {r.calendar: r for r in await import_calendars(sessionmaker)}
    assert again["mixed"].status == "not modified"
    assert await db_conn.fetchval("SELECT count(*) FROM events") == 1
    with pytest.raises(LookupError):
        await import_calendars(sessionmaker, calendar_slug="nope")


async def test_job_runs_in_the_worker(
    clean: None, sessionmaker: Any, db_conn: Any, worker: Any, feeds: FeedServer
) -> None:
    await make_calendar(sessionmaker, "python-events", feeds.url + "/events.ics")
    result = await worker.queue.apply("events.import_ics", timeout=60)
    assert [c["created"] for c in result["calendars"]] == [78]
    assert await db_conn.fetchval("SELECT count(*) FROM events") == 78
    assert any(job.function == "events.import_ics" for job in worker.cron_jobs) is False  # test settings
    from pydotorg import worker as tasks

    assert "events.import_ics" in dict(tasks.JOB_FUNCTIONS)
    assert any(c.function.__qualname__ == "events.import_ics" for c in tasks.CRON_JOBS)


async def _cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pydotorg.cli",
        *args,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_cli_import_ics(
    clean: None, sessionmaker: Any, db_conn: Any, settings: Any, feeds: FeedServer, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYDOTORG_")}
    env.update(
        PYDOTORG_DATABASE_URL=settings.database_url,
        PYDOTORG_REDIS_URL=settings.redis_url,
        PYDOTORG_ENVIRONMENT="test",
        PYDOTORG_SECRET_KEY=settings.secret_key,
        PYDOTORG_STATE_DIR=str(tmp_path / "state"),
        PYDOTORG_LOG_JSON="false",
        PYDOTORG_LOG_LEVEL="WARNING",
    )
    await make_calendar(sessionmaker, "python-events", feeds.url + "/events.ics")
    code, out, err = await _cli(env, "events", "import-ics", "--calendar", "python-events")
    assert code == 0, err
    assert "python-events" in out and " 78 " in out, out + err
    assert await db_conn.fetchval("SELECT count(*) FROM events") == 78
    code, out, err = await _cli(env, "events", "import-ics")
    assert code == 0 and "not modified" in out
    code, out, err = await _cli(env, "events", "import-ics", "--calendar", "missing")
    assert code == 1 and err.strip().splitlines() == ["Error: no calendar with slug 'missing'"]


async def test_feed_without_validators_is_compared_by_content(
    clean: None, sessionmaker: Any, db_conn: Any, feeds: FeedServer
) -> None:
    one = vevent(**{"DTSTART;VALUE=DATE": "20240501"}, UID="one@example.org", SUMMARY="One", LOCATION="Here")
    feeds.feeds["/plain.ics"] = SINGLE.format(events=one).encode()
    await make_calendar(sessionmaker, "plain", feeds.url + "/plain.ics")
    [first] = await import_calendars(sessionmaker)
    assert (first.status, first.created) == ("imported", 1)
    fingerprint, changes_before = await db_fingerprint(db_conn), await change_count(db_conn)
    [second] = await import_calendars(sessionmaker)
    assert second.status == "unchanged" and "if-none-match" not in feeds.requests[-1][1]
    after = await db_fingerprint(db_conn)
    assert {t for t in after if after[t] != fingerprint[t]} <= {"event_calendar_feeds"}
    assert await change_count(db_conn) == changes_before
