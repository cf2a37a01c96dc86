"""Moderation and audit history: event suggestions accepted (an event is created from them, public
or a draft) or declined (with a note), once, with the submitter mailed; and every change-feed row
names who made it and, for an update, which fields changed (``GET /api/v3/changes/history``)."""

from __future__ import annotations

from typing import Any

from tests.helpers import assert_no_more_mail, check_permission_matrix, wait_for_mail

SUGGESTION = {
    "event_name": "PyCon Moderation 2027",
    "event_type": "conference",
    "python_focus": "Everything Python",
    "expected_attendees": "300",
    "location": "Lisbon, Portugal",
    "date_from": "2027-05-10",
    "date_to": "2027-05-12",
    "recurrence": "None",
    "link": "https://moderation.example.org/",
    "description": "Three days of talks.\nAnd sprints.",
}
REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403}


async def _setup(client: Any, actors: Any) -> tuple[int, Any]:
    """A calendar, an events editor and one pending suggestion by ``ordinary``."""
    editor = await actors.create("events-editor", permissions=("events.add_event", "events.add_calendar"))
    r = await client.post(
        "/api/v3/events/calendars",
        headers=editor.headers,
        json={"name": "Python Events", "slug": "python-events"},
    )
    assert r.status_code == 201, r.text
    r = await client.post("/api/v3/events/submissions", headers=actors["ordinary"].headers, json=SUGGESTION)
    assert r.status_code == 201, r.text
    return int(r.json()["id"]), editor


async def test_accept_creates_the_event_and_mails_the_submitter(
    client: Any, actors: Any, db_conn: Any, worker: Any, mailer: Any, settings: Any
) -> None:
    submission_id, editor = await _setup(client, actors)
    await wait_for_mail(mailer)  # the events team's notice of the suggestion
    mailer.outbox.clear()
    url = f"/api/v3/events/submissions/{submission_id}/accept"

    async def stored(caller: str, response: Any) -> None:
        body = response.json()
        assert body["status"] == "accepted" and body["decided_by"] == caller
        assert body["event_id"] is not None and body["decided_at"] is not None
        row = await db_conn.fetchrow("SELECT * FROM event_submissions WHERE id=$1", submission_id)
        assert row["status"] == "accepted" and row["event_id"] == body["event_id"]
        assert row["decided_by_id"] == actors[caller].user_id

    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "events-editor": 200},
        ("POST", url, {"calendar": "python-events", "publish": True}),
        changed=stored,
    )
    event_id = r["events-editor"].json()["event_id"]
    event = await db_conn.fetchrow("SELECT * FROM events WHERE id=$1", event_id)
    calendar_id = await db_conn.fetchval("SELECT id FROM event_calendars WHERE slug='python-events'")
    assert event["title"] == "PyCon Moderation 2027" and event["calendar_id"] == calendar_id
    assert event["is_published"] is True and event["creator_id"] == actors["ordinary"].user_id
    assert event["last_modified_by_id"] == editor.user_id
    assert "Three days of talks." in event["description"]
    assert "https://moderation.example.org/" in event["description"]
    venue = await db_conn.fetchrow("SELECT * FROM event_locations WHERE id=$1", event["venue_id"])
    assert venue["name"] == "Lisbon, Portugal" and venue["calendar_id"] == calendar_id
    rule = await db_conn.fetchrow("SELECT * FROM event_occurring_rules WHERE event_id=$1", event_id)
    assert rule["dt_start"].isoformat() == "2027-05-10T00:00:00+00:00"
    assert rule["dt_end"].isoformat() == "2027-05-12T00:00:00+00:00" and rule["all_day"] is True
    # The public API shows it, and the feed reports it as created by the editor.
    public = await client.get(f"/api/v3/events/{event_id}")
    assert public.status_code == 200 and public.json()["is_published"] is True
    feed = await db_conn.fetchrow(
        "SELECT action, actor, actor_id FROM changes WHERE kind='event' AND object_id=$1", str(event_id)
    )
    assert feed["action"] == "created" and feed["actor"] == "events-editor"
    assert feed["actor_id"] == editor.user_id

    [message] = await wait_for_mail(mailer)
    assert message["To"] == "ordinary@example.org"
    assert message["Subject"] == 'Your event suggestion was accepted: "PyCon Moderation 2027"'
    assert message["Reply-To"] == settings.events_to_email
    assert f"https://www.python.org/events/python-events/{event_id}/" in message.get_content()

    # Decided once: a second decision is a 409 and changes nothing.
    again = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"events-editor": 409, "root": 409},
        ("POST", url, {"calendar": "python-events", "publish": False}),
    )
    assert "already accepted" in again["root"].text
    assert (
        await client.post(
            f"/api/v3/events/submissions/{submission_id}/decline",
            headers=editor.headers,
            json={"note": "no"},
        )
    ).status_code == 409
    assert await db_conn.fetchval("SELECT count(*) FROM events") == 1
    await assert_no_more_mail(mailer, 1)


async def test_accept_as_draft_is_hidden_from_the_public(
    client: Any, actors: Any, db_conn: Any, worker: Any, mailer: Any
) -> None:
    submission_id, editor = await _setup(client, actors)
    r = await client.post(
        f"/api/v3/events/submissions/{submission_id}/accept",
        headers=editor.headers,
        json={"calendar": "python-events"},  # publish defaults to false: a draft
    )
    assert r.status_code == 200, r.text
    event_id = r.json()["event_id"]
    assert await db_conn.fetchval("SELECT is_published FROM events WHERE id=$1", event_id) is False
    assert (await client.get(f"/api/v3/events/{event_id}")).status_code == 404
    assert (await client.get("/api/v3/events")).json()["meta"]["total"] == 0
    seen = await client.get(f"/api/v3/events/{event_id}", headers=editor.headers)
    assert seen.status_code == 200 and seen.json()["is_published"] is False
    drafts = await client.get("/api/v3/events?is_published=false", headers=editor.headers)
    assert [e["id"] for e in drafts.json()["data"]] == [event_id]
    messages = await wait_for_mail(mailer, 2)
    [accepted] = [m for m in messages if m["To"] == "ordinary@example.org"]
    assert "once the events team publishes it" in accepted.get_content()


async def test_decline_keeps_the_note_and_mails_it(
    client: Any, actors: Any, db_conn: Any, worker: Any, mailer: Any
) -> None:
    submission_id, editor = await _setup(client, actors)
    await wait_for_mail(mailer)
    mailer.outbox.clear()
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "events-editor": 200},
        (
            "POST",
            f"/api/v3/events/submissions/{submission_id}/decline",
            {"note": "Please resubmit with the venue's address."},
        ),
    )
    body = r["events-editor"].json()
    assert body["status"] == "declined" and body["event_id"] is None
    assert body["decided_by"] == "events-editor"
    row = await db_conn.fetchrow("SELECT * FROM event_submissions WHERE id=$1", submission_id)
    assert row["status"] == "declined" and row["decision_note"] == "Please resubmit with the venue's address."
    assert row["decided_by_id"] == editor.user_id and row["decided_at"] is not None
    assert await db_conn.fetchval("SELECT count(*) FROM events") == 0
    [message] = await wait_for_mail(mailer)
    assert message["To"] == "ordinary@example.org"
    assert message["Subject"] == 'Your event suggestion was declined: "PyCon Moderation 2027"'
    assert "Please resubmit with the venue's address." in message.get_content()
    r2 = await client.post(
        f"/api/v3/events/submissions/{submission_id}/accept",
        headers=editor.headers,
        json={"calendar": "python-events"},
    )
    assert r2.status_code == 409
    await assert_no_more_mail(mailer, 1)


async def test_bad_requests_change_nothing(client: Any, actors: Any, db_conn: Any) -> None:
    submission_id, editor = await _setup(client, actors)
    before = await db_conn.fetchrow("SELECT * FROM event_submissions WHERE id=$1", submission_id)
    r = await client.post(
        f"/api/v3/events/submissions/{submission_id}/accept",
        headers=editor.headers,
        json={"calendar": "no-such-calendar", "publish": True},
    )
    assert r.status_code == 400 and "no-such-calendar" in r.text
    r = await client.post(
        "/api/v3/events/submissions/999/accept", headers=editor.headers, json={"calendar": "python-events"}
    )
    assert r.status_code == 404
    r = await client.post("/api/v3/events/submissions/999/decline", headers=editor.headers, json={})
    assert r.status_code == 404
    assert await db_conn.fetchrow("SELECT * FROM event_submissions WHERE id=$1", submission_id) == before
    assert await db_conn.fetchval("SELECT count(*) FROM events") == 0
    assert await db_conn.fetchval("SELECT count(*) FROM event_locations") == 0


async def test_list_filters_by_status(client: Any, actors: Any, db_conn: Any) -> None:
    submission_id, editor = await _setup(client, actors)
    r = await client.post("/api/v3/events/submissions", headers=actors["ordinary"].headers, json=SUGGESTION)
    second = r.json()["id"]
    await client.post(
        f"/api/v3/events/submissions/{second}/decline", headers=editor.headers, json={"note": "dup"}
    )
    staff = actors["staffer"].headers
    pending = (await client.get("/api/v3/events/submissions?status=pending", headers=staff)).json()
    assert [s["id"] for s in pending["data"]] == [submission_id] and pending["meta"]["total"] == 1
    assert pending["data"][0]["status"] == "pending" and pending["data"][0]["decided_by"] is None
    declined = (await client.get("/api/v3/events/submissions?status=declined", headers=staff)).json()
    assert [s["id"] for s in declined["data"]] == [second]
    assert declined["data"][0]["decided_by"] == "events-editor"
    assert declined["data"][0]["decision_note"] == "dup"
    everything = (await client.get("/api/v3/events/submissions", headers=staff)).json()
    assert everything["meta"]["total"] == 2
    bad = await client.get("/api/v3/events/submissions?status=maybe", headers=staff)
    assert bad.status_code == 400 and "status" in bad.text


async def test_history_names_the_editor_and_the_fields(client: Any, actors: Any, db_conn: Any) -> None:
    alice = await actors.create("alice", permissions=("pages.add_page", "pages.change_page"))
    bob = await actors.create("bob", permissions=("pages.change_page",))
    r = await client.post(
        "/api/v3/pages",
        headers=alice.headers,
        json={"title": "About", "path": "/about/", "content": "Hello", "content_markup_type": "text"},
    )
    assert r.status_code == 201, r.text
    page_id = r.json()["id"]
    r = await client.patch(f"/api/v3/pages/{page_id}", headers=bob.headers, json={"title": "About us"})
    assert r.status_code == 200, r.text
    r = await client.patch(f"/api/v3/pages/{page_id}", headers=alice.headers, json={"content": "Hi there"})
    assert r.status_code == 200, r.text
    url = f"/api/v3/changes/history?domain=pages&kind=page&object_id={page_id}"

    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "ordinary": 403, "staffer": 200},
        ("GET", url, None),
    )
    history = r["staffer"].json()
    assert history["meta"] == {"total": 3, "limit": 100, "offset": 0}
    entries = [(e["action"], e["actor"], e["fields"]) for e in history["data"]]
    assert entries == [
        ("updated", "alice", ["content", "content_html"]),
        ("updated", "bob", ["title"]),
        ("created", "alice", []),
    ]
    cursors = [e["cursor"] for e in history["data"]]
    assert cursors == sorted(cursors, reverse=True)
    stored = await db_conn.fetch(
        "SELECT actor_id, actor, fields FROM changes WHERE kind='page' AND object_id=$1 ORDER BY cursor",
        str(page_id),
    )
    assert [(s["actor_id"], s["actor"]) for s in stored] == [
        (alice.user_id, "alice"),
        (bob.user_id, "bob"),
        (alice.user_id, "alice"),
    ]
    # Pagination, and the feed reader's permission.
    await actors.create("builder", permissions=("site.read_changes",))
    page2 = await client.get(url + "&limit=1&offset=1", headers=actors["builder"].headers)
    assert page2.status_code == 200 and [e["actor"] for e in page2.json()["data"]] == ["bob"]
    # A deleted account's changes keep its name; a job's or import's rows have no actor.
    await db_conn.execute("UPDATE changes SET actor_id = NULL, actor = '' WHERE actor = 'bob'")
    again = (await client.get(url, headers=actors["staffer"].headers)).json()
    assert [e["actor"] for e in again["data"]] == ["alice", None, "alice"]
    # The change feed itself is unchanged in shape.
    feed = (await client.get("/api/v3/changes", headers=actors["staffer"].headers)).json()
    assert set(feed["data"][0]) == {"cursor", "domain", "kind", "id", "action"}


async def test_history_needs_every_parameter(client: Any, actors: Any) -> None:
    staff = actors["staffer"].headers
    for query in ("domain=pages&kind=page", "kind=page&object_id=1", "domain=pages&object_id=1", ""):
        r = await client.get(f"/api/v3/changes/history?{query}", headers=staff)
        assert r.status_code == 400, (query, r.text)
    r = await client.get("/api/v3/changes/history?domain=pages&kind=page&object_id=1", headers=staff)
    assert r.status_code == 200 and r.json()["data"] == []
