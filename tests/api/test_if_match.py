"""Optimistic concurrency on /api/v3/ (issue 20): ``ETag`` on reads, ``If-Match`` on writes with
``412 Precondition Failed`` (core/preconditions.py, docs/api/concurrency.md). Every refusal is
checked against the stored state: nothing is written on a 412."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from pydotorg.app import create_app
from pydotorg.core.httpcache import entity_tag
from pydotorg.core.preconditions import CHANGED, UNREADABLE, if_match
from pydotorg.settings import Settings
from tests.api.test_events_v3 import add_event, setup_calendar
from tests.api.test_jobs import create_job, setup_board
from tests.helpers import StateProbe, serve_asgi, state_changes


@dataclass(frozen=True)
class Kind:
    """One domain's record: how to make one, the field a PATCH changes, and where it is stored."""

    name: str
    table: str
    column: str
    make: Callable[[Any, Any], Awaitable[str]]  # (client, actors) -> the record's URL
    who: str = "root"  # who edits it (``make`` creates any other)


async def _page(client: Any, actors: Any) -> str:
    r = await client.post(
        "/api/v3/pages", headers=actors["root"].headers, json={"title": "About", "path": "/about/"}
    )
    assert r.status_code == 201, r.text
    return f"/api/v3/pages/{r.json()['id']}"


async def _release(client: Any, actors: Any) -> str:
    r = await client.post(
        "/api/v3/downloads/releases",
        headers=actors["root"].headers,
        json={"name": "Python 3.14.1", "is_published": True},
    )
    assert r.status_code == 201, r.text
    return f"/api/v3/downloads/releases/{r.json()['id']}"


async def _event(client: Any, actors: Any) -> str:
    await setup_calendar(client, actors["root"].headers)
    event = await add_event(client, actors["root"].headers, title="Sprint")
    return f"/api/v3/events/{event['id']}"


async def _job(client: Any, actors: Any) -> str:
    await setup_board(client, actors)
    return f"/api/v3/jobs/{(await create_job(client, actors))['id']}"


async def _box(client: Any, actors: Any) -> str:
    r = await client.post(
        "/api/v3/boxes",
        headers=actors["root"].headers,
        json={"label": "intro", "content_markup_type": "html", "content": "<p>Hi</p>"},
    )
    assert r.status_code == 201, r.text
    return f"/api/v3/boxes/{r.json()['id']}"


KINDS = [
    Kind("pages", "pages", "title", _page),
    Kind("releases", "downloads_releases", "name", _release),
    Kind("events", "events", "title", _event),
    Kind("jobs", "jobs", "city", _job, who="owner"),
    Kind("boxes", "boxes", "content", _box),
]


async def _stored(db_conn: Any, kind: Kind, url: str) -> Any:
    record_id = int(url.rsplit("/", 1)[1])
    return await db_conn.fetchval(f'SELECT "{kind.column}" FROM "{kind.table}" WHERE id=$1', record_id)


def _forms(tag: str) -> tuple[str, str, str]:
    """A plain-body tag and the tags of the same body gzipped and brotli-compressed."""
    return tag, tag[:-1] + '-gzip"', tag[:-1] + '-br"'


def _value(kind: Kind, n: int) -> str:
    return f"<p>Edit {n}</p>" if kind.column == "content" else f"Edit {n}"


async def _unchanged(client: Any, db_conn: Any, call: Callable[[], Awaitable[Any]], status: int = 412) -> Any:
    """``call`` answers ``status`` and changes nothing stored (tables, media, queued jobs)."""
    async with StateProbe(db_conn, client.app.state.settings) as probe:
        before = await probe.fingerprint()
        r = await call()
        assert r.status_code == status, r.text
        assert state_changes(before, await probe.fingerprint()) == []
    return r


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
async def test_read_then_conditional_writes(client: Any, actors: Any, db_conn: Any, kind: Kind) -> None:
    url = await kind.make(client, actors)
    h = actors[kind.who].headers
    read = await client.get(url, headers=h)
    assert read.status_code == 200, read.text
    # A body of 1 KiB or more comes compressed (httpx asks for it): its tag is the -br or -gzip form.
    first = read.headers["etag"]
    assert first in _forms(entity_tag(read.content).decode())

    # The current tag: the write goes through, answers the new tag, and the change is stored.
    r = await client.patch(url, headers={**h, "If-Match": first}, json={kind.column: _value(kind, 1)})
    assert r.status_code == 200, r.text
    assert await _stored(db_conn, kind, url) == _value(kind, 1)
    second = r.headers["etag"]
    assert second != first
    again = await client.get(url, headers=h)
    assert again.headers["etag"] in _forms(second) and again.content == r.content

    # The old tag: 412 naming the problem, the current tag to re-read with, nothing written.
    r = await _unchanged(
        client,
        db_conn,
        lambda: client.patch(url, headers={**h, "If-Match": first}, json={kind.column: _value(kind, 2)}),
    )
    assert r.json() == {"status_code": 412, "detail": CHANGED}
    assert r.headers["etag"] == second
    assert await _stored(db_conn, kind, url) == _value(kind, 1)

    # The chained tag from the write works without a re-read; so does its -gzip form and a list.
    gzip_form = second[:-1] + '-gzip"'
    r = await client.patch(
        url, headers={**h, "If-Match": f'"nope", {gzip_form}'}, json={kind.column: _value(kind, 3)}
    )
    assert r.status_code == 200, r.text
    assert await _stored(db_conn, kind, url) == _value(kind, 3)
    # A weak tag never matches (strong comparison, RFC 9110 13.1.1).
    third = r.headers["etag"]
    await _unchanged(
        client,
        db_conn,
        lambda: client.patch(url, headers={**h, "If-Match": f"W/{third}"}, json={kind.column: "x"}),
    )
    # "*": the record exists.
    r = await client.patch(url, headers={**h, "If-Match": "*"}, json={kind.column: _value(kind, 4)})
    assert r.status_code == 200, r.text
    assert await _stored(db_conn, kind, url) == _value(kind, 4)

    # DELETE with a stale tag: 412, the row is still there (jobs are withdrawn, not deleted).
    if kind.name != "jobs":
        r = await _unchanged(client, db_conn, lambda: client.delete(url, headers={**h, "If-Match": third}))
        assert await _stored(db_conn, kind, url) == _value(kind, 4)
        current = r.headers["etag"]
        r = await client.delete(url, headers={**h, "If-Match": current})
        assert r.status_code == 204, r.text
        record_id = int(url.rsplit("/", 1)[1])
        assert await db_conn.fetchval(f'SELECT count(*) FROM "{kind.table}" WHERE id=$1', record_id) == 0
        # Gone: no representation, so even "*" fails (412, not 404), and nothing is written.
        r = await _unchanged(
            client,
            db_conn,
            lambda: client.patch(url, headers={**h, "If-Match": "*"}, json={kind.column: "x"}),
        )
        assert r.json()["detail"] == UNREADABLE and "etag" not in r.headers


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
async def test_concurrent_writes_with_one_tag(
    client: Any, actors: Any, db_conn: Any, settings: Settings, mailer: Any, kind: Kind
) -> None:
    """Two PATCHes with the same tag at once, over two connections to a real server (the test
    client runs one request at a time): one wins, the other is a 412 carrying the winner's tag."""
    url = await kind.make(client, actors)
    h = actors[kind.who].headers
    tag = (await client.get(url, headers=h)).headers["etag"]
    app = create_app(settings, mailer=mailer, configure_logs=False)
    with serve_asgi(app, lifespan="on") as base:
        async with (
            httpx.AsyncClient(base_url=base, timeout=30) as one,
            httpx.AsyncClient(base_url=base) as two,
        ):
            answers = await asyncio.gather(
                *(
                    http.patch(url, headers={**h, "If-Match": tag}, json={kind.column: _value(kind, n)})
                    for n, http in ((1, one), (2, two))
                )
            )
    assert sorted(r.status_code for r in answers) == [200, 412], [r.text for r in answers]
    winner = next(n for n, r in zip((1, 2), answers, strict=True) if r.status_code == 200)
    won, lost = sorted(answers, key=lambda r: r.status_code)
    assert await _stored(db_conn, kind, url) == _value(kind, winner)
    assert lost.json()["detail"] == CHANGED and lost.headers["etag"] == won.headers["etag"]


async def test_permissions_come_before_the_precondition(client: Any, actors: Any, db_conn: Any) -> None:
    """A caller refused today is refused the same way with If-Match, whatever the tag: a 412
    would tell an anonymous caller that the record exists."""
    url = await _page(client, actors)
    root = actors["root"].headers
    hidden = await client.patch(url, headers={**root, "If-Match": "*"}, json={"is_published": False})
    assert hidden.status_code == 200
    for caller, status in (("anonymous", 401), ("ordinary", 403), ("staffer", 403)):
        for tag in ('"stale"', hidden.headers["etag"], "*"):
            h = {**actors[caller].headers, "If-Match": tag}
            await _unchanged(
                client, db_conn, lambda h=h: client.patch(url, headers=h, json={"title": "x"}), status
            )
            await _unchanged(client, db_conn, lambda h=h: client.delete(url, headers=h), status)
        missing = {**actors[caller].headers, "If-Match": '"stale"'}
        await _unchanged(
            client, db_conn, lambda m=missing: client.patch("/api/v3/pages/999", headers=m, json={}), status
        )
    # The editor: a missing record is a 412 like a changed one (RFC 9110 13.1.1), nothing written.
    root = {**actors["root"].headers, "If-Match": "*"}
    r = await _unchanged(client, db_conn, lambda: client.patch("/api/v3/pages/999", headers=root, json={}))
    assert r.json()["detail"] == UNREADABLE


async def test_actions_collections_and_no_condition(client: Any, actors: Any, db_conn: Any) -> None:
    url = await _job(client, actors)  # setup_board makes the owner
    owner = actors["owner"].headers
    tag = (await client.get(url, headers=owner)).headers["etag"]
    # An action on a record (POST .../submit) is conditional on the record it names.
    await _unchanged(
        client, db_conn, lambda: client.post(f"{url}/submit", headers={**owner, "If-Match": '"x"'})
    )
    assert (
        await db_conn.fetchval("SELECT status FROM jobs WHERE id=$1", int(url.rsplit("/", 1)[1])) == "draft"
    )
    r = await client.post(f"{url}/submit", headers={**owner, "If-Match": tag})
    assert r.status_code in (200, 201), r.text
    assert (
        await db_conn.fetchval("SELECT status FROM jobs WHERE id=$1", int(url.rsplit("/", 1)[1])) == "review"
    )
    # A write without If-Match is unconditional, as before: no lock, no read after it, no tag.
    root = actors["root"].headers
    page = await _page(client, actors)
    r = await client.patch(page, headers=root, json={"title": "Plain"})
    assert r.status_code == 200 and "etag" not in r.headers
    assert await db_conn.fetchval("SELECT title FROM pages WHERE title = 'Plain'") == "Plain"
    # A create: evaluated against the collection the POST targets; "*" holds (it exists), a tag
    # that is not the list's current one does not, and nothing is created.
    r = await client.post(
        "/api/v3/pages", headers={**root, "If-Match": "*"}, json={"title": "New", "path": "/new/"}
    )
    assert r.status_code == 201, r.text
    await _unchanged(
        client,
        db_conn,
        lambda: client.post(
            "/api/v3/pages", headers={**root, "If-Match": '"x"'}, json={"title": "N2", "path": "/n2/"}
        ),
    )


def test_if_match_comparison() -> None:
    tag = b'"abc"'
    assert if_match('"abc"', tag) and if_match('"abc-gzip"', tag) and if_match('"x", "abc"', tag)
    assert if_match('"abc-br"', tag) and not if_match('"abc-zstd"', tag)
    assert if_match("*", tag) and not if_match("*", None) and not if_match('"abc"', None)
    # "*" asks only whether the record exists (a readable answer without a tag: not JSON, too big).
    assert if_match("*", None, exists=True) and not if_match("*", tag, exists=False)
    assert not if_match('W/"abc"', tag) and not if_match('"abd"', tag) and not if_match("abc", tag)


async def test_redis_down_is_a_503(client: Any, actors: Any, db_conn: Any, monkeypatch: Any) -> None:
    """The lock lives in Redis: without it a conditional write is not attempted (503, Retry-After,
    nothing written); an unconditional one takes no lock."""
    url = await _page(client, actors)
    h = actors["root"].headers
    tag = (await client.get(url, headers=h)).headers["etag"]
    dead = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=1)
    monkeypatch.setattr(client.app.state, "redis", dead)
    try:
        r = await _unchanged(
            client,
            db_conn,
            lambda: client.patch(url, headers={**h, "If-Match": tag}, json={"title": "x"}),
            503,
        )
    finally:
        monkeypatch.undo()
        await dead.aclose()
    assert r.headers["retry-after"] and r.json()["status_code"] == 503
    r = await client.patch(url, headers={**h, "If-Match": tag}, json={"title": "Back"})
    assert r.status_code == 200 and await db_conn.fetchval("SELECT title FROM pages") == "Back"
