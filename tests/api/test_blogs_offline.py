"""The blog import with no network (a laptop offline on ``make run``): the SAQ job stores nothing,
logs each feed's reason at info level and warns once, naming how many feeds failed; ``dev run``
turns that into one short line on the terminal."""

from __future__ import annotations

import json
from typing import Any

from structlog.testing import capture_logs

from pydotorg.core.db import transaction
from pydotorg.dev.run import notable
from pydotorg.domains.blogs.services import save_feed, save_related_blog
from pydotorg.domains.blogs.tasks import IMPORT_JOB

UNREACHABLE = "http://127.0.0.1:9/{}.xml"  # the discard port: connection refused at once


async def test_an_offline_import_warns_once(db_conn: Any, sessionmaker: Any, worker: Any) -> None:
    async with transaction(sessionmaker) as s:
        for name in ("insider", "planet", "psf"):
            await save_feed(
                s,
                {
                    "name": name,
                    "feed_url": UNREACHABLE.format(name),
                    "website_url": "https://blog.python.org",
                },
            )
        await save_related_blog(
            s,
            {
                "name": "related",
                "feed_url": UNREACHABLE.format("related"),
                "blog_url": "https://example.org/",
            },
        )
    with capture_logs() as logs:
        result = await worker.queue.apply(IMPORT_JOB, timeout=120)
    assert len(result["failed"]) == 4 and result["created"] == 0  # the summary counts related blogs too
    assert await db_conn.fetchval("SELECT count(*) FROM blog_entries") == 0
    blog_logs = [e for e in logs if str(e["event"]).startswith(("blog", "related_blog"))]
    warnings = [e for e in blog_logs if e["log_level"] in {"warning", "error", "critical"}]
    assert [(w["event"], w["failed"], w["feeds"]) for w in warnings] == [("blog_feeds_failed", 4, 4)]
    assert "ConnectError" in warnings[0]["first_error"]
    # The details stay in the log, one line per feed.
    per_feed = [e for e in blog_logs if e["event"] in {"blog_feed_failed", "related_blog_failed"}]
    assert len(per_feed) == 4 and {e["log_level"] for e in per_feed} == {"info"}
    # As the worker prints them (JSON, core/observability.py), the terminal shows one of them.
    lines = [json.dumps({**e, "level": e.pop("log_level")}) for e in blog_logs]
    shown = [text for text in map(notable, lines) if text]
    assert len(shown) == 1 and shown[0].startswith("warning: blog_feeds_failed failed=4 feeds=4")
