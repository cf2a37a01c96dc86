"""/api/v3/events/: calendars, categories, locations and events (with their rules as one
document) — permission matrices, what is stored, the change feed (rules report their event),
python.org's upcoming/past lists without duplicates, the filters and the read shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.helpers import check_permission_matrix

REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403}
NOW = datetime.now(UTC).replace(microsecond=0)


def iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


async def changes(db_conn: Any, after: int = 0) -> list[tuple[str, str, str, str]]:
    rows = await db_conn.fetch(
        "SELECT domain, kind, object_id, action FROM changes WHERE cursor > $1 ORDER BY cursor", after
    )
    return [(r["domain"], r["kind"], r["object_id"], r["action"]) for r in rows]


async def cursor(db_conn: Any) -> int:
    return int(await db_conn.fetchval("SELECT coalesce(max(cursor), 0) FROM changes"))


async def setup_calendar(client: Any, headers: dict[str, str], slug: str = "python-events") -> dict[str, Any]:
    r = await client.post("/api/v3/events/calendars", headers=headers, json={"name": slug, "slug": slug})
    assert r.status_code == 201, r.text
    return r.json()


async def add_event(client: Any, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    r = await client.post("/api/v3/events", headers=headers, json={"calendar": "python-events", **body})
    assert r.status_code == 201, r.text
    return r.json()


async def _ready(request: Any) -> Any:
    return request


async def test_calendar_matrix_and_fields(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("scheduler", permissions=("events.add_calendar", "events.change_calendar"))
    await actors.create("remover", permissions=("events.delete_calendar",))
    body = {
        "name": "Python Events",
        "description": "Conferences and meetups",
        "url": "https://calendar.google.com/calendar/ical/x/public/basic.ics",
        "twitter": "https://x.com/ThePSF",
    }
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "scheduler": 201, "root": 201},
        # The name (and its slug) is unique: the superuser creates its own calendar.
        lambda caller: _ready(
            (
                "POST",
                "/api/v3/events/calendars",
                {**body, "name": "Root Events"} if caller == "root" else body,
            )
        ),
    )
    root_url = f"/api/v3/events/calendars/{r['root'].json()['id']}"
    assert (await client.delete(root_url, headers=actors["root"].headers)).status_code == 204
    cal = r["scheduler"].json()
    assert cal["slug"] == "python-events" and cal["page_url"] == "/events/python-events/"
    assert cal["url"] == body["url"] and cal["rss"] is None
    stored = await db_conn.fetchrow(
        "SELECT name, slug, url, creator_id FROM event_calendars WHERE id=$1", cal["id"]
    )
    assert dict(stored) == {
        "name": "Python Events",
        "slug": "python-events",
        "url": body["url"],
        "creator_id": actors["scheduler"].user_id,
    }
    assert ("events", "calendar", str(cal["id"]), "created") in await changes(db_conn)
    # Public reads.
    assert (await client.get(f"/api/v3/events/calendars/{cal['id']}")).json()["name"] == "Python Events"
    listing = (await client.get("/api/v3/events/calendars?slug=python-events")).json()
    assert [c["id"] for c in listing["data"]] == [cal["id"]]
    # Rules: a duplicate slug is a conflict; URLs must be http(s).
    h = actors["scheduler"].headers
    dup = await client.post(
        "/api/v3/events/calendars", headers=h, json={"name": "x", "slug": "python-events"}
    )
    assert dup.status_code == 409 and "slug" in dup.json()["extra"]
    bad = await client.post(
        "/api/v3/events/calendars", headers=h, json={"name": "y", "url": "javascript:alert(1)"}
    )
    assert bad.status_code == 400 and "url" in bad.json()["extra"]
    assert await db_conn.fetchval("SELECT count(*) FROM event_calendars") == 1
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "scheduler": 200, "root": 200},
        ("PATCH", f"/api/v3/events/calendars/{cal['id']}", {"description": "All of them", "rss": ""}),
    )
    row = await db_conn.fetchrow("SELECT description, rss FROM event_calendars WHERE id=$1", cal["id"])
    assert row["description"] == "All of them" and row["rss"] is None

    async def remove(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", f"/api/v3/events/calendars/{cal['id']}", None)
        spare = await client.post(
            "/api/v3/events/calendars", headers=actors["scheduler"].headers, json={"name": "Spare"}
        )
        assert spare.status_code == 201, spare.text
        return ("DELETE", f"/api/v3/events/calendars/{spare.json()['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "scheduler": 403, "remover": 204, "root": 204},
        remove,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM event_calendars") == 0


async def test_category_and_location_matrices(client: Any, actors: Any, db_conn: Any) -> None:
    root = actors["root"].headers
    await setup_calendar(client, root)
    await setup_calendar(client, root, "python-user-group")
    await actors.create(
        "curator",
        permissions=(
            "events.add_eventcategory",
            "events.change_eventcategory",
            "events.add_eventlocation",
            "events.change_eventlocation",
        ),
    )
    await actors.create("remover", permissions=("events.delete_eventcategory", "events.delete_eventlocation"))
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "curator": 201, "root": 201},
        # The name (and its slug) is unique: the superuser creates its own category.
        lambda caller: _ready(
            (
                "POST",
                "/api/v3/events/categories",
                {"name": "Root Days" if caller == "root" else "Sprint Days", "calendar": "python-events"},
            )
        ),
    )
    root_url = f"/api/v3/events/categories/{r['root'].json()['id']}"
    assert (await client.delete(root_url, headers=actors["root"].headers)).status_code == 204
    cat = r["curator"].json()
    assert cat == {
        "id": cat["id"],
        "name": "Sprint Days",
        "slug": "sprint-days",
        "calendar_id": cat["calendar_id"],
        "calendar": "python-events",
        "page_url": "/events/python-events/categories/sprint-days/",
    }
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "curator": 201, "root": 201},
        (
            "POST",
            "/api/v3/events/locations",
            {
                "name": "PyCon Hall",
                "address": "1 Main St",
                "url": "https://hall.example.org/",
                "calendar": "python-events",
            },
        ),
    )
    loc = r["curator"].json()
    root_url = f"/api/v3/events/locations/{r['root'].json()['id']}"
    assert (await client.delete(root_url, headers=actors["root"].headers)).status_code == 204
    assert (
        loc["page_url"] == f"/events/python-events/locations/{loc['id']}/" and loc["address"] == "1 Main St"
    )
    h = actors["curator"].headers
    assert (
        await client.post("/api/v3/events/categories", headers=h, json={"name": "Sprint Days"})
    ).status_code == 409
    missing = await client.post("/api/v3/events/locations", headers=h, json={"name": "X", "calendar": "nope"})
    assert missing.status_code == 400 and "calendar" in missing.json()["extra"]
    # The sidebar lists of a calendar hold only its own categories and locations (appendix B.6).
    await client.post(
        "/api/v3/events/categories", headers=h, json={"name": "Meetup", "calendar": "python-user-group"}
    )
    await client.post(
        "/api/v3/events/locations", headers=h, json={"name": "Pub", "calendar": "python-user-group"}
    )
    cats = (await client.get("/api/v3/events/categories?calendar=python-events")).json()
    assert [c["slug"] for c in cats["data"]] == ["sprint-days"]
    locs = (await client.get("/api/v3/events/locations?calendar=python-user-group")).json()
    assert [loc["name"] for loc in locs["data"]] == ["Pub"]
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "curator": 200, "root": 200},
        ("PATCH", f"/api/v3/events/categories/{cat['id']}", {"name": "Sprints"}),
    )
    assert await db_conn.fetchval("SELECT name FROM event_categories WHERE id=$1", cat["id"]) == "Sprints"
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "curator": 200, "root": 200},
        ("PATCH", f"/api/v3/events/locations/{loc['id']}", {"address": None}),
    )
    assert await db_conn.fetchval("SELECT address FROM event_locations WHERE id=$1", loc["id"]) is None
    for kind, target in (("categories", cat), ("locations", loc)):

        async def remove(caller: str, kind: str = kind, target: Any = target) -> Any:
            if caller != "root":
                return ("DELETE", f"/api/v3/events/{kind}/{target['id']}", None)
            spare = await client.post(
                f"/api/v3/events/{kind}", headers=h, json={"name": "Spare", "calendar": "python-events"}
            )
            assert spare.status_code == 201, spare.text
            return ("DELETE", f"/api/v3/events/{kind}/{spare.json()['id']}", None)

        await check_permission_matrix(
            client,
            db_conn,
            actors.callers,
            {**REFUSED, "curator": 403, "remover": 204, "root": 204},
            remove,
        )
    assert await db_conn.fetchval("SELECT count(*) FROM event_categories") == 1
    assert await db_conn.fetchval("SELECT count(*) FROM event_locations") == 1


async def test_event_document_matrix_and_change_feed(client: Any, actors: Any, db_conn: Any) -> None:
    root = actors["root"].headers
    await setup_calendar(client, root)
    await client.post(
        "/api/v3/events/categories", headers=root, json={"name": "Conference", "calendar": "python-events"}
    )
    venue = (
        await client.post(
            "/api/v3/events/locations", headers=root, json={"name": "Hall", "calendar": "python-events"}
        )
    ).json()
    await actors.create("editor", permissions=("events.add_event", "events.change_event"))
    await actors.create("remover", permissions=("events.delete_event",))
    start = NOW + timedelta(days=10)
    body = {
        "calendar": "python-events",
        "title": "PyCon Example",
        "description": '<p onclick="x()">Join us <script>bad()</script><a href="javascript:y()">here</a></p>',
        "description_markup_type": "html",
        "venue_id": venue["id"],
        "categories": ["conference"],
        "featured": True,
        "occurring_rule": {"dt_start": iso(start), "dt_end": iso(start + timedelta(days=2)), "all_day": True},
        "recurring_rules": [
            {
                "begin": iso(NOW + timedelta(days=3)),
                "finish": iso(NOW + timedelta(days=60)),
                "duration": "2 hours",
            }
        ],
    }
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "editor": 201, "root": 201},
        ("POST", "/api/v3/events", body),
    )
    event = r["editor"].json()
    root_url = f"/api/v3/events/{r['root'].json()['id']}"
    assert (await client.delete(root_url, headers=actors["root"].headers)).status_code == 204
    eid = event["id"]
    assert event["url"] == f"/events/python-events/{eid}/"
    assert event["calendar"] == "python-events" and event["featured"] is True
    assert event["venue"] == {"id": venue["id"], "name": "Hall", "address": None, "url": None}
    assert [c["slug"] for c in event["categories"]] == ["conference"]
    html = event["description_html"]
    assert (
        "<script>" not in html and "onclick" not in html and "javascript:" not in html and "Join us" in html
    )
    assert event["occurring_rule"] == {
        "dt_start": iso(start),
        "dt_end": iso(start + timedelta(days=2)),
        "all_day": True,
        "single_day": False,
    }
    [rule] = event["recurring_rules"]
    assert rule["duration"] == "2 hours" and rule["duration_seconds"] == 7200 and rule["frequency"] == 2
    # The weekly rule's first occurrence (in 3 days) comes before the occurring rule (in 10).
    assert event["next_occurrence"] == {
        "dt_start": iso(NOW + timedelta(days=3)),
        "dt_end": iso(NOW + timedelta(days=3, hours=2)),
        "all_day": False,
        "single_day": (NOW + timedelta(days=3)).date() == (NOW + timedelta(days=3, hours=2)).date(),
    }
    assert event["previous_occurrence"] is None
    stored = await db_conn.fetchrow("SELECT title, description, creator_id FROM events WHERE id=$1", eid)
    assert stored["description"] == body["description"] and stored["creator_id"] == actors["editor"].user_id
    assert await db_conn.fetchval("SELECT count(*) FROM event_recurring_rules WHERE event_id=$1", eid) == 1
    assert await db_conn.fetchval(
        "SELECT duration_internal FROM event_recurring_rules WHERE event_id=$1", eid
    ) == timedelta(hours=2)
    assert await db_conn.fetchval("SELECT count(*) FROM event_category_links WHERE event_id=$1", eid) == 1
    kinds = {(k, a) for d, k, _, a in await changes(db_conn) if d == "events"}
    assert ("event", "created") in kinds and not {k for k, _ in kinds} - {
        "calendar",
        "category",
        "location",
        "event",
    }

    # A PATCH that only changes rules is reported as a change of the event itself.
    mark = await cursor(db_conn)
    before = await db_conn.fetchval("SELECT updated FROM events WHERE id=$1", eid)
    patch = {
        "recurring_rules": [
            {
                "id": rule["id"],
                "begin": iso(NOW + timedelta(days=3)),
                "finish": iso(NOW + timedelta(days=60)),
                "duration": "90 min",
                "frequency": 3,
            }
        ]
    }
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "editor": 200, "root": 200},
        ("PATCH", f"/api/v3/events/{eid}", patch),
    )
    assert r["editor"].json()["recurring_rules"][0]["id"] == rule["id"]  # kept, not replaced
    assert await changes(db_conn, mark) == [("events", "event", str(eid), "updated")]
    assert await db_conn.fetchval("SELECT updated FROM events WHERE id=$1", eid) > before
    assert await db_conn.fetchval("SELECT frequency FROM event_recurring_rules WHERE id=$1", rule["id"]) == 3
    # Sending the same document again changes nothing and records nothing.
    mark = await cursor(db_conn)
    again = await client.patch(f"/api/v3/events/{eid}", headers=actors["editor"].headers, json=patch)
    assert again.status_code == 200 and await changes(db_conn, mark) == []
    # Removing the occurring rule and the categories: the event is reported, the rows are gone.
    mark = await cursor(db_conn)
    r2 = await client.patch(
        f"/api/v3/events/{eid}",
        headers=actors["editor"].headers,
        json={"occurring_rule": None, "categories": [], "recurring_rules": []},
    )
    assert r2.status_code == 200, r2.text
    assert r2.json()["occurring_rule"] is None and r2.json()["next_occurrence"] is None
    assert await changes(db_conn, mark) == [("events", "event", str(eid), "updated")]
    for table in ("event_occurring_rules", "event_recurring_rules", "event_category_links"):
        assert await db_conn.fetchval(f"SELECT count(*) FROM {table} WHERE event_id=$1", eid) == 0

    async def remove(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", f"/api/v3/events/{eid}", None)
        spare = await client.post("/api/v3/events", headers=actors["editor"].headers, json=body)
        assert spare.status_code == 201, spare.text
        return ("DELETE", f"/api/v3/events/{spare.json()['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "editor": 403, "remover": 204, "root": 204},
        remove,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM events") == 0
    assert ("events", "event", str(eid), "deleted") in await changes(db_conn)


async def test_event_rules_are_checked(client: Any, actors: Any, db_conn: Any) -> None:
    root = actors["root"].headers
    await setup_calendar(client, root)
    await setup_calendar(client, root, "python-user-group")
    other_venue = (
        await client.post(
            "/api/v3/events/locations",
            headers=root,
            json={"name": "Elsewhere", "calendar": "python-user-group"},
        )
    ).json()
    start = iso(NOW)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"calendar": "missing"}, "calendar"),
        ({"venue_id": 999999}, "venue_id"),
        ({"venue_id": other_venue["id"]}, "venue_id"),
        ({"categories": ["no-such-category"]}, "categories"),
        ({"occurring_rule": {"dt_start": start, "dt_end": iso(NOW - timedelta(hours=1))}}, "occurring_rule"),
        ({"occurring_rule": {"dt_start": "0001-01-01T00:00:00+05:00", "dt_end": start}}, "occurring_rule"),
        ({"recurring_rules": [{"begin": start, "finish": start, "duration": "2 ws"}]}, "recurring_rules[0]"),
        (
            {"recurring_rules": [{"begin": start, "finish": start, "duration": "-2 days"}]},
            "recurring_rules[0]",
        ),
        (
            {"recurring_rules": [{"begin": start, "finish": iso(NOW - timedelta(days=1))}]},
            "recurring_rules[0]",
        ),
        ({"recurring_rules": [{"begin": start, "finish": start, "id": 12345}]}, "recurring_rules[0]"),
        ({"recurring_rules": [{"begin": start, "finish": start, "frequency": 5}]}, "frequency"),
        ({"recurring_rules": [{"begin": start, "finish": start, "interval": 0}]}, "interval"),
        ({"title": ""}, "title"),
        ({"unknown": 1}, "unknown"),
    ]
    for extra, needle in cases:
        r = await client.post(
            "/api/v3/events", headers=root, json={"calendar": "python-events", "title": "T", **extra}
        )
        assert r.status_code == 400 and needle in r.text, (extra, r.text)
    assert await db_conn.fetchval("SELECT count(*) FROM events") == 0
    # An iCal UID is unique within its calendar.
    await add_event(client, root, title="A", uid="abc@google.com")
    dup = await client.post(
        "/api/v3/events",
        headers=root,
        json={"calendar": "python-events", "title": "B", "uid": "abc@google.com"},
    )
    assert dup.status_code == 409 and "uid" in dup.json()["extra"]
    elsewhere = await client.post(
        "/api/v3/events",
        headers=root,
        json={"calendar": "python-user-group", "title": "B", "uid": "abc@google.com"},
    )
    assert elsewhere.status_code == 201


async def test_upcoming_past_filters_and_no_duplicates(client: Any, actors: Any, db_conn: Any) -> None:
    root = actors["root"].headers
    await setup_calendar(client, root)
    await setup_calendar(client, root, "python-user-group")
    await client.post(
        "/api/v3/events/categories", headers=root, json={"name": "Sprint", "calendar": "python-events"}
    )
    venue = (
        await client.post(
            "/api/v3/events/locations", headers=root, json={"name": "Hall", "calendar": "python-events"}
        )
    ).json()

    def occurring(days: float, length: float = 1) -> dict[str, Any]:
        start = NOW + timedelta(days=days)
        return {"occurring_rule": {"dt_start": iso(start), "dt_end": iso(start + timedelta(days=length))}}

    def weekly(begin_days: float, finish_days: float) -> dict[str, Any]:
        return {
            "begin": iso(NOW + timedelta(days=begin_days)),
            "finish": iso(NOW + timedelta(days=finish_days)),
        }

    future = await add_event(
        client, root, title="Future", featured=True, venue_id=venue["id"], **occurring(5)
    )
    past = await add_event(client, root, title="Past", categories=["sprint"], **occurring(-5))
    # Three recurring rules that all match "upcoming" and "past": python.org listed it three times.
    many = await add_event(
        client, root, title="Many rules", recurring_rules=[weekly(-30, 30), weekly(-20, 40), weekly(-10, 50)]
    )
    now_running = await add_event(client, root, title="Running", **occurring(-0.5))
    other = await add_event(
        client, root, title="Other calendar", calendar="python-user-group", **occurring(3)
    )

    async def ids(query: str) -> list[int]:
        r = await client.get(f"/api/v3/events?{query}")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["meta"]["total"] == len(body["data"])
        return [e["id"] for e in body["data"]]

    upcoming = await ids("upcoming=true&order=start")
    assert sorted(upcoming) == sorted([future["id"], many["id"], other["id"]])  # each once
    assert sorted(await ids("past=true")) == sorted([past["id"], many["id"]])  # running: neither
    assert sorted(await ids("upcoming=false&past=false")) == [now_running["id"]]
    assert await ids("calendar=python-user-group") == [other["id"]]
    assert await ids("category=sprint") == [past["id"]]
    assert await ids(f"location={venue['id']}") == [future["id"]]
    assert await ids("featured=true") == [future["id"]]
    assert await ids("calendar=nope") == []
    window = f"starts_after={iso(NOW + timedelta(days=4))}&starts_before={iso(NOW + timedelta(days=6))}"
    assert sorted(await ids(window)) == sorted([future["id"], many["id"]])
    assert await ids("q=runn") == [now_running["id"]]
    # python.org's order: latest start first; "start" is the reverse; the recurring-only event
    # sorts by its first begin.
    assert await ids("order=-start") == [future["id"], other["id"], now_running["id"], past["id"], many["id"]]
    assert await ids("order=start") == [many["id"], past["id"], now_running["id"], other["id"], future["id"]]
    # Evaluated at another instant: a year ahead, nothing is upcoming.
    assert await ids(f"upcoming=true&at={iso(NOW + timedelta(days=365))}") == []
    later = (await client.get(f"/api/v3/events/{future['id']}?at={iso(NOW + timedelta(days=30))}")).json()
    assert later["next_occurrence"] is None and later["previous_occurrence"]["dt_start"] == iso(
        NOW + timedelta(days=5)
    )
    # Bad instants are a 400 naming the parameter, not a 500.
    r = await client.get("/api/v3/events?at=0001-01-01T00:00:00%2B05:00")
    assert r.status_code == 400 and "at" in r.text


async def test_public_read_shape_limit_and_calendar_check(client: Any, actors: Any, db_conn: Any) -> None:
    root = actors["root"].headers
    await setup_calendar(client, root)
    await setup_calendar(client, root, "python-user-group")
    event = await add_event(
        client, root, title="Example", description="*Hello*", description_markup_type="markdown"
    )
    r = await client.get(f"/api/v3/events/{event['id']}")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {
        "id",
        "uid",
        "title",
        "calendar_id",
        "calendar",
        "url",
        "description",
        "description_markup_type",
        "description_html",
        "featured",
        "is_published",
        "venue",
        "categories",
        "occurring_rule",
        "recurring_rules",
        "next_occurrence",
        "previous_occurrence",
        "created",
        "updated",
    }
    assert body["description_html"] == "<p><em>Hello</em></p>"
    assert "creator_id" not in body and "last_modified_by_id" not in body
    # The calendar in the page URL must be the event's (python.org ignored it, appendix B.6).
    assert (await client.get(f"/api/v3/events/{event['id']}?calendar=python-events")).status_code == 200
    assert (await client.get(f"/api/v3/events/{event['id']}?calendar=python-user-group")).status_code == 404
    assert (await client.get("/api/v3/events/999999")).status_code == 404
    # The site builder takes everything in one call.
    await db_conn.execute(
        "INSERT INTO events (title, calendar_id, description, description_markup_type, description_html, "
        "featured, created, updated) SELECT 'E' || g, $1, '', 'text', '', false, now(), now() "
        "FROM generate_series(1, 1100) g",
        event["calendar_id"],
    )
    listing = (await client.get("/api/v3/events?limit=1000")).json()
    assert len(listing["data"]) == 1000 and listing["meta"] == {"total": 1101, "limit": 1000, "offset": 0}
    assert (await client.get("/api/v3/events?limit=1001")).status_code == 400


async def test_deletes_report_what_they_change(client: Any, actors: Any, db_conn: Any) -> None:
    root = actors["root"].headers
    cal = await setup_calendar(client, root)
    cat = (
        await client.post(
            "/api/v3/events/categories", headers=root, json={"name": "Sprint", "calendar": "python-events"}
        )
    ).json()
    venue = (
        await client.post(
            "/api/v3/events/locations", headers=root, json={"name": "Hall", "calendar": "python-events"}
        )
    ).json()
    event = await add_event(client, root, title="E", categories=["sprint"], venue_id=venue["id"])
    mark = await cursor(db_conn)
    assert (await client.delete(f"/api/v3/events/categories/{cat['id']}", headers=root)).status_code == 204
    assert await changes(db_conn, mark) == [
        ("events", "category", str(cat["id"]), "deleted"),
        ("events", "event", str(event["id"]), "updated"),
    ]
    mark = await cursor(db_conn)
    assert (await client.delete(f"/api/v3/events/locations/{venue['id']}", headers=root)).status_code == 204
    assert sorted(await changes(db_conn, mark)) == [
        ("events", "event", str(event["id"]), "updated"),
        ("events", "location", str(venue["id"]), "deleted"),
    ]
    assert (await client.get(f"/api/v3/events/{event['id']}")).json()["venue"] is None  # the event stays
    mark = await cursor(db_conn)
    assert (await client.delete(f"/api/v3/events/calendars/{cal['id']}", headers=root)).status_code == 204
    assert sorted(await changes(db_conn, mark)) == [
        ("events", "calendar", str(cal["id"]), "deleted"),
        ("events", "event", str(event["id"]), "deleted"),
    ]
    assert await db_conn.fetchval("SELECT count(*) FROM events") == 0
