"""python.org's events fixture (``events.json``) through ``pydotorg import-django``'s importers:
counts, what the API then shows, a second run that writes nothing, and rule changes reported
as changes of their event."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pydotorg.core.db import transaction
from pydotorg.dev.paths import PYTHON_ORG_DATA
from pydotorg.django_import import importer

DATA = PYTHON_ORG_DATA


def fixture(*names: str) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for name in names:
        objects.extend(json.loads((DATA / name).read_text()))
    return objects


async def run(sessionmaker: Any, objects: list[dict[str, Any]]) -> importer.Report:
    async with transaction(sessionmaker) as session:
        report, unknown = await importer.run(session, objects)
    assert not unknown
    return report


async def test_events_fixture_imports_once(client: Any, sessionmaker: Any, db_conn: Any) -> None:
    objects = fixture("users.json", "events.json")
    report = await run(sessionmaker, objects)
    assert report.ok, report.failures
    assert {k: v for k, v in report.counts.items() if k.startswith("events.")} == {
        "events.calendar": 1,
        "events.eventcategory": 1,
        "events.eventlocation": 1,
        "events.event": 3,
        "events.occurringrule": 3,
        "events.recurringrule": 1,
    }
    for table, count in {
        "event_calendars": 1,
        "event_categories": 1,
        "event_locations": 1,
        "events": 3,
        "event_occurring_rules": 3,
        "event_recurring_rules": 1,
        "event_category_links": 2,
    }.items():
        assert await db_conn.fetchval(f"SELECT count(*) FROM {table}") == count, table
    admin = await db_conn.fetchval("SELECT id FROM users WHERE username = 'admin'")
    assert await db_conn.fetchval("SELECT creator_id FROM events WHERE id = 1") == admin
    assert await db_conn.fetchval("SELECT duration_internal FROM event_recurring_rules") == timedelta(
        minutes=15
    )

    cursor = await db_conn.fetchval("SELECT max(cursor) FROM changes")
    again = await run(sessionmaker, objects)
    assert again.ok and sum(again.written.values()) == 0
    assert await db_conn.fetchval("SELECT max(cursor) FROM changes") == cursor  # no change rows either

    # What the API shows for it, at a fixed instant.
    at = "2026-01-01T00:00:00Z"
    listing = (await client.get(f"/api/v3/events?calendar=python-events&order=id&at={at}")).json()
    assert [e["title"] for e in listing["data"]] == ["Example event", "Example event 2", "Example event 3"]
    first, second, third = listing["data"]
    assert first["url"] == "/events/python-events/1/" and first["featured"] is True
    assert first["categories"] == [{"id": 1, "slug": "test-category", "name": "test category"}]
    assert first["description_html"] == "<p>Example event</p>\n"
    assert first["occurring_rule"] == {
        "dt_start": "2024-10-07T18:42:45Z",
        "dt_end": "2030-10-08T18:42:45Z",
        "all_day": True,
        "single_day": False,
    }
    assert first["next_occurrence"] is None and first["previous_occurrence"] is None  # running
    assert second["previous_occurrence"]["dt_end"] == "2023-10-08T18:45:00Z"
    # The occurring rule ended after the recurring rule's last occurrence (2024-10-09).
    assert third["previous_occurrence"] == {
        "dt_start": "2025-10-08T18:45:16Z",
        "dt_end": "2025-10-31T18:45:16Z",
        "all_day": False,
        "single_day": False,
    }
    assert third["recurring_rules"][0]["duration"] == "15 min"
    upcoming = (await client.get(f"/api/v3/events?upcoming=true&at={at}")).json()
    assert upcoming["meta"]["total"] == 0
    past = (await client.get(f"/api/v3/events?past=true&at={at}&order=id")).json()
    assert [e["id"] for e in past["data"]] == [2, 3]
    cal = (await client.get("/api/v3/events/calendars")).json()["data"][0]
    assert cal["twitter"] == "https://x.com/ThePSF" and cal["url"] is None


async def test_rule_and_category_changes_are_reported_as_their_event(
    clean: None, sessionmaker: Any, db_conn: Any
) -> None:
    objects = fixture("users.json", "events.json")
    assert (await run(sessionmaker, objects)).ok
    cursor = await db_conn.fetchval("SELECT max(cursor) FROM changes")
    changed = copy.deepcopy(objects)
    for obj in changed:
        if obj["model"] == "events.recurringrule":
            obj["fields"]["duration"] = "2 hours"
        if obj["model"] == "events.occurringrule" and obj["pk"] == 2:
            obj["fields"]["all_day"] = True
        if obj["model"] == "events.event" and obj["pk"] == 1:
            obj["fields"]["categories"] = []
    alarm = {"event": 1, "trigger": 48, "creator": ["admin"], "created": "2024-10-08T18:45:00Z"}
    changed.append({"model": "events.alarm", "pk": 1, "fields": alarm})
    report = await run(sessionmaker, changed)
    assert report.ok, report.failures
    rows = await db_conn.fetch(
        "SELECT domain, kind, object_id FROM changes WHERE cursor > $1 ORDER BY object_id", cursor
    )
    assert {(r["domain"], r["kind"], r["object_id"]) for r in rows} == {
        ("events", "event", "1"),  # lost its category
        ("events", "event", "2"),  # its occurring rule changed
        ("events", "event", "3"),  # its recurring rule changed
    }
    assert await db_conn.fetchval("SELECT duration_internal FROM event_recurring_rules") == timedelta(hours=2)
    assert await db_conn.fetchval("SELECT count(*) FROM event_category_links") == 1
    alarm_row = await db_conn.fetchrow("SELECT event_id, trigger FROM event_alarms WHERE id = 1")
    assert dict(alarm_row) == {"event_id": 1, "trigger": 48}  # stored, and not in the feed


async def test_bad_rows_are_reported_and_skipped(clean: None, sessionmaker: Any, db_conn: Any) -> None:
    objects = fixture("users.json", "events.json")
    for obj in objects:
        if obj["model"] == "events.recurringrule":
            obj["fields"].update(duration="2 ws", duration_internal="nonsense")
        if obj["model"] == "events.occurringrule" and obj["pk"] == 3:
            obj["fields"]["dt_end"] = "2020-01-01T00:00:00Z"  # before its start
    objects.append(
        {"model": "events.event", "pk": 9, "fields": {"title": "Orphan", "calendar": 77, "description": ""}}
    )
    report = await run(sessionmaker, objects)
    failed = {(f.label, f.pk) for f in report.failures}
    assert failed == {("events.recurringrule", 1), ("events.occurringrule", 3), ("events.event", 9)}
    assert await db_conn.fetchval("SELECT count(*) FROM events") == 3
    assert await db_conn.fetchval("SELECT count(*) FROM event_occurring_rules") == 2
    assert datetime(2030, 10, 8, 18, 42, 45, tzinfo=UTC) == await db_conn.fetchval(
        "SELECT dt_end FROM event_occurring_rules WHERE event_id = 1"
    )
