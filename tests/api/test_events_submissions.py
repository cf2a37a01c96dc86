"""Event suggestions (python.org's /events/submit/): an account is required, every field is,
line breaks cannot reach a mail header, the suggestion is stored and mailed to the events team
through the worker, it is rate limited, and only staff read the stored suggestions."""

from __future__ import annotations

from typing import Any

import msgspec

from tests.helpers import check_permission_matrix, wait_for_mail

SUGGESTION = {
    "event_name": "PyConES17",
    "event_type": "conference",
    "python_focus": "Country-wide conference",
    "expected_attendees": "500",
    "location": "Complejo San Francisco, Caceres, Spain",
    "date_from": "2017-09-22",
    "date_to": "2017-09-24",
    "recurrence": "None",
    "link": "https://2017.es.pycon.org/en/",
    "description": "A conference no one can afford to miss\nSecond line.",
}


async def test_suggestion_is_stored_and_mailed(
    client: Any, actors: Any, db_conn: Any, worker: Any, mailer: Any, settings: Any
) -> None:
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "ordinary": 201},
        ("POST", "/api/v3/events/submissions", SUGGESTION),
    )
    created = r["ordinary"].json()
    assert created["event_name"] == "PyConES17" and created["creator_id"] == actors["ordinary"].user_id
    row = await db_conn.fetchrow("SELECT * FROM event_submissions WHERE id=$1", created["id"])
    assert (
        row["submitter_email"] == "ordinary@example.org" and row["description"] == SUGGESTION["description"]
    )
    assert str(row["date_from"]) == "2017-09-22"
    [message] = await wait_for_mail(mailer)
    assert message["Subject"] == 'New event submission: "PyConES17"'
    assert message["To"] == settings.events_to_email == "events@python.org"
    assert message["From"] == settings.default_from_email
    assert message["Reply-To"] == "ordinary@example.org"
    body = message.get_content()
    assert "Name: PyConES17" in body and "Date: 2017-09-22 - 2017-09-24" in body
    assert "Submitted by: ordinary <ordinary@example.org>" in body and "Second line." in body
    # Suggestions are not site content: nothing in the change feed.
    assert await db_conn.fetchval("SELECT count(*) FROM changes WHERE domain = 'events'") == 0


async def test_invalid_suggestions_store_and_mail_nothing(
    client: Any, actors: Any, db_conn: Any, worker: Any, mailer: Any
) -> None:
    h = actors["ordinary"].headers
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "event_name"),
        ({k: v for k, v in SUGGESTION.items() if k != "date_from"}, "date_from"),
        ({**SUGGESTION, "event_name": "   "}, "event_name"),
        ({**SUGGESTION, "event_name": "invalid\ntitle"}, "Invalid header found."),
        ({**SUGGESTION, "event_name": "x\r\nBcc: victim@example.org"}, "Invalid header found."),
        ({**SUGGESTION, "location": "a\u2028b"}, "location"),
        ({**SUGGESTION, "link": "javascript:alert(1)"}, "link"),
        ({**SUGGESTION, "date_to": "2017-09-01"}, "date_to"),
        ({**SUGGESTION, "date_from": "not-a-date"}, "date_from"),
        ({**SUGGESTION, "extra": "field"}, "extra"),
    ]
    for body, needle in cases:
        r = await client.post("/api/v3/events/submissions", headers=h, json=body)
        assert r.status_code == 400 and needle in r.text, (body, r.text)
    assert await db_conn.fetchval("SELECT count(*) FROM event_submissions") == 0
    assert mailer.outbox == []


async def test_suggestions_are_rate_limited(client: Any, actors: Any, db_conn: Any, settings: Any) -> None:
    limit = int(settings.rate_limit_event_submission.split("/")[0])
    h = actors["ordinary"].headers
    for _ in range(limit):
        assert (
            await client.post("/api/v3/events/submissions", headers=h, json=SUGGESTION)
        ).status_code == 201
    over = await client.post("/api/v3/events/submissions", headers=h, json=SUGGESTION)
    assert over.status_code == 429 and "Retry-After" in over.headers
    assert await db_conn.fetchval("SELECT count(*) FROM event_submissions") == limit


async def test_only_staff_read_suggestions(client: Any, actors: Any, db_conn: Any) -> None:
    await client.post("/api/v3/events/submissions", headers=actors["ordinary"].headers, json=SUGGESTION)
    await actors.create("events-team", permissions=("events.view_submission",))
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "ordinary": 403, "staffer": 200, "root": 200, "events-team": 200},
        ("GET", "/api/v3/events/submissions", None),
    )
    listing = msgspec.json.decode(r["events-team"].content)
    assert listing["meta"]["total"] == 1 and listing["data"][0]["link"] == SUGGESTION["link"]
