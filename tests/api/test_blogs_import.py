"""Blog feed import against feeds served over real HTTP by a local server: python.org's Python
Insider Atom export, a synthetic RSS feed (legacy Blogger links, hostile markup, entries without
a date or link), a page that is not a feed, a 500 and a closed port. Checks the stored rows, the
change feed, conditional GET, idempotence, related blogs, the SAQ job and ``pydotorg blogs import``."""

from __future__ import annotations

import asyncio
import hashlib
import html
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from pydotorg.core.db import transaction
from pydotorg.dev.paths import PYTHON_ORG_DATA
from pydotorg.domains.blogs.feeds import import_feeds
from pydotorg.domains.blogs.services import save_feed, save_related_blog
from pydotorg.domains.blogs.tasks import CRON_JOBS, IMPORT_JOB, JOB_FUNCTIONS
from tests.helpers import db_fingerprint, serve_asgi

PSF_FEED = (PYTHON_ORG_DATA / "psf_feed_example.xml").read_bytes()
HOSTILE = (
    '<p style="color:red" onclick="steal()">Join the <b>Python</b> Security&nbsp;Response Team</p>'
    "<script>alert(1)</script><style>p { display: none }</style>"
    '<form action="https://evil.example/"><input name="password"></form>'
    '<img src="javascript:alert(1)"><a href="javascript:alert(2)">link</a><!-- hidden -->'
    "<p>Read &amp; share</p>"
)


def rss(items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Python Insider'
        f"</title><link>https://blog.python.org/</link>{items}</channel></rss>"
    ).encode()


def item(title: str, link: str | None, pub: str | None, summary: str = "") -> str:
    parts = [f"<title>{html.escape(title)}</title>"]
    if link is not None:
        parts.append(f"<link>{link}</link>")
    if pub is not None:
        parts.append(f"<pubDate>{pub}</pubDate>")
    if summary:
        parts.append(f"<description>{html.escape(summary)}</description>")
    return "<item>" + "".join(parts) + "</item>"


BLOGSPOT_FEED = rss(
    item(
        "Join the Python Security Response Team",
        "http://pythoninsider.blogspot.com/2026/02/join-the-psrt.html",
        "Tue, 10 Feb 2026 12:30:00 +0100",
        HOSTILE,
    )
    + item(
        "Already canonical", "https://blog.python.org/2026/01/canonical.html", "Thu, 08 Jan 2026 09:00:00 GMT"
    )
    + item(
        "Elsewhere",
        "http://feedproxy.google.com/~r/PythonInsider/~3/abc/post.html",
        "Wed, 07 Jan 2026 09:00:00 GMT",
    )
    + item("No date", "https://blog.python.org/no-date.html", None)
    + item("No link", None, "Wed, 07 Jan 2026 09:00:00 GMT")
    + item(
        "Same post again",
        "https://pythoninsider.blogspot.com/2026/02/join-the-psrt.html",
        "Tue, 10 Feb 2026 12:30:00 +0100",
    )
)


class FeedServer:
    """A tiny ASGI app: ``bodies[path]`` with an ETag (304 on If-None-Match), ``/error`` -> 500,
    anything else -> 404. Records every request's path and headers."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.requests.append((scope["path"], headers))
        body = self.bodies.get(scope["path"])
        status, extra = 404, []
        if scope["path"] == "/error":
            status, body = 500, b"Internal Server Error"
        elif body is not None:
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            extra = [(b"etag", etag.encode()), (b"last-modified", b"Mon, 04 Mar 2013 15:00:00 GMT")]
            status = 304 if headers.get("if-none-match") == etag else 200
        payload = b"" if status == 304 or body is None else body
        content_type = b"text/html" if scope["path"].endswith(".html") else b"application/xml"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", content_type), *extra],
            }
        )
        if scope["path"] == "/slow.xml":  # headers at once, then a trickle
            for _ in range(30):
                await send({"type": "http.response.body", "body": b" ", "more_body": True})
                await asyncio.sleep(0.1)
        await send({"type": "http.response.body", "body": payload})

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]


@pytest.fixture
def feeds_server() -> Any:
    server = FeedServer()
    server.bodies = {
        "/psf.xml": PSF_FEED,
        "/blogspot.xml": BLOGSPOT_FEED,
        "/not-a-feed.html": b"<html>hi</html>",
        "/slow.xml": PSF_FEED,
    }
    with serve_asgi(server) as url:
        yield server, url


async def _feed(sessionmaker: Any, name: str, url: str) -> int:
    async with transaction(sessionmaker) as s:
        return (
            await save_feed(s, {"name": name, "feed_url": url, "website_url": "https://blog.python.org"})
        ).id


async def _changes(db_conn: Any) -> list[tuple[str, str, str]]:
    rows = await db_conn.fetch(
        "SELECT kind, object_id, action FROM changes WHERE domain='blogs' ORDER BY cursor"
    )
    return [(r["kind"], r["object_id"], r["action"]) for r in rows]


async def test_import_stores_entries_skips_broken_feeds_and_is_idempotent(
    db_conn: Any, sessionmaker: Any, settings: Any, feeds_server: Any
) -> None:
    server, base = feeds_server
    psf = await _feed(sessionmaker, "Python Insider", f"{base}/psf.xml")
    broken = await _feed(sessionmaker, "Not a feed", f"{base}/not-a-feed.html")
    failing = await _feed(sessionmaker, "Server error", f"{base}/error")
    closed = await _feed(sessionmaker, "Unreachable", "http://127.0.0.1:9/feed.xml")
    before = await _changes(db_conn)

    report = await import_feeds(sessionmaker, settings)

    outcome = {o.id: o for o in report.feeds}
    assert (outcome[psf].status, outcome[psf].created, outcome[psf].updated) == ("imported", 25, 0)
    assert outcome[broken].status == "failed" and "not a feed" in outcome[broken].error
    assert outcome[failing].status == "failed" and outcome[failing].error == "HTTP 500"
    assert outcome[closed].status == "failed" and "ConnectError" in outcome[closed].error
    assert report.summary()["created"] == 25 and len(report.summary()["failed"]) == 3
    # Stored rows: 25 entries of the PSF feed, nothing for the others.
    assert await db_conn.fetchval("SELECT count(*) FROM blog_entries") == 25
    assert await db_conn.fetchval("SELECT count(*) FROM blog_entries WHERE feed_id <> $1", psf) == 0
    first = await db_conn.fetchrow(
        "SELECT * FROM blog_entries WHERE title = 'Introducing Electronic Contributor Agreements'"
    )
    assert first["pub_date"] == datetime(2013, 3, 4, 15, 0, tzinfo=UTC)  # 10:00 -05:00
    assert first["url"] == (
        "http://feedproxy.google.com/~r/PythonInsider/~3/tGNCqyOiun4/introducing-electronic-contributor.html"
    )
    assert "We're happy to announce the new way to file a contributor agreement" in first["summary"]
    assert first["excerpt"].startswith(
        "We're happy to announce the new way to file a contributor agreement: on the web at "
        "http://www.python.org/psf/contrib/contrib-form/. Through the use of Adobe's EchoSign"
    )
    assert "<" not in first["excerpt"] and "  " not in first["excerpt"]
    assert '<a href="https://us.pycon.org/2013/" rel="noopener noreferrer">PyCon</a>' in first["summary_html"]
    oldest = await db_conn.fetchval("SELECT min(pub_date) FROM blog_entries")
    assert oldest == datetime(2011, 4, 28, 14, 5, tzinfo=UTC)
    # Sanitized everywhere: no inline style or script survives in any summary_html.
    for row in await db_conn.fetch("SELECT summary, summary_html FROM blog_entries"):
        assert "<script" not in row["summary_html"] and "style=" not in row["summary_html"]
    assert await db_conn.fetchval("SELECT count(*) FROM blog_entries WHERE summary LIKE '%style=%'") == 5
    # Bookkeeping: only the imported feed has last_import and the validators of its download.
    feeds = {r["id"]: r for r in await db_conn.fetch("SELECT * FROM blog_feeds")}
    assert feeds[psf]["last_import"] is not None and feeds[psf]["etag"].startswith('"')
    assert all(feeds[i]["last_import"] is None for i in (broken, failing, closed))
    # One change row per created entry, none for the feeds' bookkeeping columns.
    added = (await _changes(db_conn))[len(before) :]
    assert len(added) == 25 and {(k, a) for k, _, a in added} == {("entry", "created")}

    # Second run: a conditional GET answered 304, nothing written, no change rows.
    entries_before = (await db_fingerprint(db_conn))["blog_entries"]
    changes_before = await db_conn.fetchval("SELECT count(*) FROM changes")
    server.requests.clear()
    again = await import_feeds(sessionmaker, settings)
    psf_request = dict(server.requests)["/psf.xml"]
    assert psf_request["if-none-match"] == feeds[psf]["etag"]
    assert psf_request["if-modified-since"] == "Mon, 04 Mar 2013 15:00:00 GMT"
    assert {o.id: o.status for o in again.feeds}[psf] == "not modified"
    assert again.written == 0
    # Forced: downloaded and parsed in full, still nothing differs.
    forced = await import_feeds(sessionmaker, settings, force=True)
    assert {o.id: (o.status, o.created, o.updated) for o in forced.feeds}[psf] == ("imported", 0, 0)
    assert (await db_fingerprint(db_conn))["blog_entries"] == entries_before
    assert await db_conn.fetchval("SELECT count(*) FROM changes") == changes_before

    # The feed changes one title: exactly that entry is written, with one change row.
    server.bodies["/psf.xml"] = PSF_FEED.replace(
        b"<title>Introducing Electronic Contributor Agreements</title>",
        b"<title>Electronic Contributor Agreements</title>",
    )
    changed = await import_feeds(sessionmaker, settings)
    assert {o.id: (o.created, o.updated) for o in changed.feeds}[psf] == (0, 1)
    assert await db_conn.fetchval("SELECT title FROM blog_entries WHERE id = $1", first["id"]) == (
        "Electronic Contributor Agreements"
    )
    assert (await _changes(db_conn))[-1] == ("entry", str(first["id"]), "updated")
    assert await db_conn.fetchval("SELECT count(*) FROM changes") == changes_before + 1


async def test_legacy_links_hostile_markup_and_unusable_entries(
    client: Any, db_conn: Any, sessionmaker: Any, settings: Any, feeds_server: Any
) -> None:
    _, base = feeds_server
    feed_id = await _feed(sessionmaker, "Python Insider", f"{base}/blogspot.xml")
    report = await import_feeds(sessionmaker, settings)
    assert (report.feeds[0].status, report.feeds[0].created) == ("imported", 3)
    rows = {
        r["title"]: r
        for r in await db_conn.fetch("SELECT * FROM blog_entries WHERE feed_id = $1 ORDER BY id", feed_id)
    }
    # No date, no link: skipped; the same post twice: stored once (the first one).
    assert sorted(rows) == ["Already canonical", "Elsewhere", "Join the Python Security Response Team"]
    psrt = rows["Join the Python Security Response Team"]
    assert psrt["url"] == "https://blog.python.org/2026/02/join-the-psrt.html"  # host and scheme
    assert rows["Already canonical"]["url"] == "https://blog.python.org/2026/01/canonical.html"
    assert rows["Elsewhere"]["url"] == "http://feedproxy.google.com/~r/PythonInsider/~3/abc/post.html"
    assert psrt["pub_date"] == datetime(2026, 2, 10, 11, 30, tzinfo=UTC)
    # The stored summary is the feed's (feedparser keeps inline styles, forms, javascript: images);
    # summary_html is sanitized; the excerpt is the visible text only.
    assert 'style="color: red;"' in psrt["summary"] and "<form" in psrt["summary"]
    assert 'src="javascript:alert(1)"' in psrt["summary"]
    assert psrt["summary_html"] == (
        "<p>Join the <b>Python</b> Security&nbsp;Response Team</p><img>"
        '<a href="" rel="noopener noreferrer">link</a><p>Read &amp; share</p>'
    )
    assert psrt["excerpt"] == "Join the Python Security Response Team link Read & share"
    entry = (await client.get(f"/api/v3/blogs/entries/{psrt['id']}")).json()
    assert entry == {
        "id": psrt["id"],
        "feed_id": feed_id,
        "feed_name": "Python Insider",
        "title": "Join the Python Security Response Team",
        "url": "https://blog.python.org/2026/02/join-the-psrt.html",
        "pub_date": "2026-02-10T11:30:00Z",
        "summary_html": psrt["summary_html"],
        "excerpt": "Join the Python Security Response Team link Read & share",
    }


async def test_a_feed_that_trickles_past_the_deadline_is_skipped(
    db_conn: Any, sessionmaker: Any, settings: Any, feeds_server: Any
) -> None:
    _, base = feeds_server
    slow = await _feed(sessionmaker, "Slow", f"{base}/slow.xml")
    fast = await _feed(sessionmaker, "Python Insider", f"{base}/psf.xml")
    impatient = msgspec.structs.replace(settings, blogs_fetch_timeout_seconds=1.0)
    report = await import_feeds(sessionmaker, impatient)
    outcome = {o.id: o for o in report.feeds}
    assert (outcome[slow].status, outcome[slow].error) == ("failed", "no complete answer within 1 s")
    assert (outcome[fast].status, outcome[fast].created) == ("imported", 25)
    assert await db_conn.fetchval("SELECT count(*) FROM blog_entries WHERE feed_id = $1", slow) == 0


async def test_related_blogs_are_refreshed_from_their_feeds(
    db_conn: Any, sessionmaker: Any, settings: Any, feeds_server: Any
) -> None:
    _, base = feeds_server
    async with transaction(sessionmaker) as s:
        insider = await save_related_blog(s, {"name": "insider", "feed_url": f"{base}/psf.xml"})
        gone = await save_related_blog(
            s,
            {
                "name": "gone",
                "feed_url": f"{base}/missing.xml",
                "blog_name": "Kept",
                "last_entry_title": "Old",
            },
        )
    report = await import_feeds(sessionmaker, settings)
    assert report.feeds == []
    outcome = {o.id: o for o in report.related}
    assert (outcome[insider.id].status, outcome[insider.id].updated) == ("refreshed", 1)
    assert outcome[gone.id].status == "failed" and outcome[gone.id].error == "HTTP 404"
    row = await db_conn.fetchrow("SELECT * FROM blog_related_blogs WHERE id = $1", insider.id)
    assert (row["blog_name"], row["blog_url"]) == ("Python Insider", "http://blog.python.org/")
    assert row["last_entry_title"] == "Introducing Electronic Contributor Agreements"
    assert row["last_entry_published"] == datetime(2013, 3, 4, 15, 0, tzinfo=UTC)
    kept = await db_conn.fetchrow(
        "SELECT blog_name, last_entry_title FROM blog_related_blogs WHERE id = $1", gone.id
    )
    assert dict(kept) == {"blog_name": "Kept", "last_entry_title": "Old"}
    changes = await db_conn.fetchval("SELECT count(*) FROM changes")
    fingerprint = await db_fingerprint(db_conn)
    again = await import_feeds(sessionmaker, settings)
    assert again.written == 0
    assert await db_fingerprint(db_conn) == fingerprint
    assert await db_conn.fetchval("SELECT count(*) FROM changes") == changes


async def test_the_saq_job_imports_and_is_scheduled(
    db_conn: Any, sessionmaker: Any, settings: Any, worker: Any, feeds_server: Any
) -> None:
    _, base = feeds_server
    assert dict(JOB_FUNCTIONS)[IMPORT_JOB].__qualname__ == IMPORT_JOB
    assert [(c.function.__qualname__, c.cron, c.timeout) for c in CRON_JOBS] == [
        (IMPORT_JOB, "*/30 * * * *", 900)
    ]
    from pydotorg import worker as tasks

    assert all(c in tasks.CRON_JOBS for c in CRON_JOBS)
    assert IMPORT_JOB in dict(tasks.JOB_FUNCTIONS)
    await _feed(sessionmaker, "Python Insider", f"{base}/psf.xml")
    result = await worker.queue.apply(IMPORT_JOB, timeout=120)
    assert result == {"feeds": 1, "created": 25, "updated": 0, "related_updated": 0, "failed": []}
    assert await db_conn.fetchval("SELECT count(*) FROM blog_entries") == 25


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
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_cli_import_reports_each_feed_and_fails_when_one_failed(
    db_conn: Any, sessionmaker: Any, settings: Any, feeds_server: Any, tmp_path: Path
) -> None:
    _, base = feeds_server
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYDOTORG_")}
    env.update(
        PYDOTORG_DATABASE_URL=settings.database_url,
        PYDOTORG_REDIS_URL=settings.redis_url,
        PYDOTORG_ENVIRONMENT="test",
        PYDOTORG_SECRET_KEY=settings.secret_key,
        PYDOTORG_STATE_DIR=str(tmp_path / "state"),
        PYDOTORG_LOG_JSON="false",
        PYDOTORG_LOG_LEVEL="ERROR",
    )
    await _feed(sessionmaker, "Python Insider", f"{base}/psf.xml")
    code, out, err = await _cli(env, "blogs", "import")
    assert code == 0, err
    assert out.splitlines()[1].split() == ["Python", "Insider", "imported", "25", "0"]
    assert await db_conn.fetchval("SELECT count(*) FROM blog_entries") == 25
    await _feed(sessionmaker, "Server error", f"{base}/error")
    code, out, err = await _cli(env, "blogs", "import", "--force")
    assert code == 1 and "Traceback" not in err
    assert (
        "FAILED Server error" in err and err.strip().splitlines()[-1] == "Error: 1 feed(s) failed; see above"
    )
    assert out.splitlines()[1].split() == ["Python", "Insider", "imported", "0", "0"]
    assert await db_conn.fetchval("SELECT count(*) FROM blog_entries") == 25
