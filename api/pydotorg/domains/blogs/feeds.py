"""Feed import (python.org's ``update_blogs``): download every feed, parse it with feedparser,
update or create its entries by (feed, url), then refresh the related blogs.

Downloads happen outside any transaction; each feed is then stored in its own short one, so a
feed that cannot be fetched, parsed or stored is logged and skipped while the others import.
Only values that differ are written: importing an unchanged feed again writes no entry and adds
no change-feed row (``last_import`` and the conditional-GET validators are bookkeeping). A feed
answering 304 to ``If-None-Match``/``If-Modified-Since`` is not parsed at all.
"""

from __future__ import annotations

import asyncio
import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser
import httpx
import structlog
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core.db import transaction, utcnow
from pydotorg.core.records import assign_changed
from pydotorg.core.urls import http_url_errors
from pydotorg.domains.blogs.models import BlogEntry, Feed, RelatedBlog
from pydotorg.domains.blogs.services import FEED_LOCK, canonical_entry_url, entry_text
from pydotorg.settings import Settings

log = structlog.get_logger(__name__)

USER_AGENT = "python.org blog importer (+https://www.python.org/)"
MAX_FEED_BYTES = 10 * 1024 * 1024
URL_MAX = 500


class FeedError(Exception):
    """A feed that cannot be used this time; the message says why."""


@dataclass(frozen=True)
class Download:
    status: int  # 200 (content) or 304 (not modified)
    content: bytes = b""
    url: str = ""  # after redirects: the base for relative links
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True)
class ParsedEntry:
    url: str
    title: str
    summary: str
    pub_date: datetime


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    link: str
    entries: list[ParsedEntry]
    skipped: int  # entries without a usable link or date


@dataclass
class Outcome:
    """What happened to one feed or related blog."""

    id: int
    name: str
    status: str  # imported | not modified | refreshed | failed | skipped
    created: int = 0
    updated: int = 0
    error: str = ""


@dataclass
class ImportReport:
    feeds: list[Outcome] = field(default_factory=list)
    related: list[Outcome] = field(default_factory=list)

    @property
    def written(self) -> int:
        return sum(o.created + o.updated for o in (*self.feeds, *self.related))

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in (*self.feeds, *self.related) if o.status == "failed"]

    def summary(self) -> dict[str, Any]:
        return {
            "feeds": len(self.feeds),
            "created": sum(o.created for o in self.feeds),
            "updated": sum(o.updated for o in self.feeds),
            "related_updated": sum(o.updated for o in self.related),
            "failed": [f"{o.name}: {o.error}" for o in self.failures],
        }


def create_client(settings: Settings) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=settings.blogs_fetch_timeout_seconds,
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
    )


async def download(
    client: httpx.AsyncClient, url: str, *, etag: str = "", last_modified: str = ""
) -> Download:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return Download(304, etag=etag, last_modified=last_modified)
            if not response.is_success:
                raise FeedError(f"HTTP {response.status_code}")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_FEED_BYTES:
                    raise FeedError(f"larger than {MAX_FEED_BYTES} bytes")
                chunks.append(chunk)
            return Download(
                200,
                b"".join(chunks),
                url=str(response.url),
                content_type=response.headers.get("content-type", ""),
                etag=response.headers.get("etag", "")[:500],
                last_modified=response.headers.get("last-modified", "")[:100],
            )
    except httpx.HTTPError as exc:
        raise FeedError(f"{type(exc).__name__}: {exc}".rstrip(": ")) from None


def _text(value: Any) -> str:
    return str(value or "").replace("\x00", "")  # PostgreSQL text cannot hold NUL


def _utc(parsed: Any) -> datetime | None:
    """feedparser's ``*_parsed`` values are UTC ``struct_time``s."""
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def parse(content: bytes, *, base_url: str, content_type: str, python_blog_url: str) -> ParsedFeed:
    parsed = feedparser.parse(
        content, response_headers={"content-location": base_url, "content-type": content_type}
    )
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        reason = parsed.get("bozo_exception") or "no RSS or Atom feed found"
        raise FeedError(f"not a feed: {reason}")
    entries: list[ParsedEntry] = []
    seen: set[str] = set()
    skipped = 0
    for item in parsed.entries:
        link = _text(item.get("link")).strip()
        pub_date = _utc(item.get("published_parsed") or item.get("updated_parsed"))
        url = canonical_entry_url(link, python_blog_url) if link else ""
        if http_url_errors(url, max_length=URL_MAX) or pub_date is None:  # the one link rule
            skipped += 1
            continue
        if url in seen:  # the same post twice in one document: the first one counts
            continue
        seen.add(url)
        entries.append(
            ParsedEntry(url, _text(item.get("title")).strip(), _text(item.get("summary")), pub_date)
        )
    return ParsedFeed(
        title=_text(parsed.feed.get("title")).strip(),
        link=_text(parsed.feed.get("link")).strip(),
        entries=entries,
        skipped=skipped,
    )


async def _fetch_and_parse(
    client: httpx.AsyncClient, url: str, settings: Settings, *, etag: str = "", last_modified: str = ""
) -> tuple[Download, ParsedFeed | None]:
    # httpx's timeout bounds each read; this bounds the whole download (a server dripping bytes).
    deadline = settings.blogs_fetch_timeout_seconds
    try:
        fetched = await asyncio.wait_for(
            download(client, url, etag=etag, last_modified=last_modified), deadline
        )
    except TimeoutError:
        raise FeedError(f"no complete answer within {deadline:g} s") from None
    if fetched.status == 304:
        return fetched, None
    try:
        parsed = await asyncio.to_thread(
            parse,
            fetched.content,
            base_url=fetched.url,
            content_type=fetched.content_type,
            python_blog_url=settings.python_blog_url,
        )
    except FeedError:
        raise
    except Exception as exc:  # feedparser reports problems as "bozo"; anything else is one too
        raise FeedError(f"cannot parse: {type(exc).__name__}: {exc}") from None
    return fetched, parsed


async def store_entries(session: AsyncSession, feed: Feed, entries: Sequence[ParsedEntry]) -> tuple[int, int]:
    """Update or create ``entries`` of ``feed`` by url; returns (created, updated)."""
    if not entries:
        return 0, 0
    existing = {
        e.url: e
        for e in await session.scalars(
            select(BlogEntry).where(BlogEntry.feed_id == feed.id, BlogEntry.url.in_([p.url for p in entries]))
        )
    }
    created = updated = 0
    for item in entries:
        values: dict[str, Any] = {
            "title": item.title[:200],
            "summary": item.summary,
            "pub_date": item.pub_date,
        }
        entry = existing.get(item.url)
        if entry is None:
            session.add(BlogEntry(feed_id=feed.id, url=item.url, **values, **entry_text(item.summary)))
            created += 1
            continue
        if entry.summary != item.summary:
            values.update(entry_text(item.summary))
        if any(getattr(entry, k) != v for k, v in values.items()):
            assign_changed(entry, values)
            updated += 1
    await session.flush()
    return created, updated


async def import_feed(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    client: httpx.AsyncClient,
    feed: Any,
    *,
    force: bool = False,
    redis: Any = None,
    queue: Any = None,
) -> Outcome:
    """Import one feed (``feed``: a row with id, name, feed_url, etag, last_modified)."""
    outcome = Outcome(feed.id, feed.name, "imported")
    try:
        fetched, parsed = await _fetch_and_parse(
            client,
            feed.feed_url,
            settings,
            etag="" if force else feed.etag,
            last_modified="" if force else feed.last_modified,
        )
    except FeedError as exc:
        # Info, not a warning: import_feeds warns once for every feed that failed in a run.
        log.info("blog_feed_failed", feed_id=feed.id, url=feed.feed_url, error=str(exc))
        outcome.status, outcome.error = "failed", str(exc)
        return outcome
    try:
        async with transaction(sessionmaker, redis=redis, queue=queue) as session:
            await session.execute(select(func.pg_advisory_xact_lock(FEED_LOCK, feed.id)))
            current = await session.get(Feed, feed.id)
            if current is None or current.feed_url != feed.feed_url:
                outcome.status, outcome.error = "skipped", "the feed was changed or deleted meanwhile"
                return outcome
            if parsed is None:
                outcome.status = "not modified"
            else:
                outcome.created, outcome.updated = await store_entries(session, current, parsed.entries)
                if parsed.skipped:
                    log.info("blog_entries_skipped", feed_id=feed.id, count=parsed.skipped)
            assign_changed(
                current,
                {"last_import": utcnow(), "etag": fetched.etag, "last_modified": fetched.last_modified},
            )
    except SQLAlchemyError as exc:
        log.warning("blog_feed_store_failed", feed_id=feed.id, error=str(exc))
        outcome.status, outcome.error = "failed", f"database error: {str(exc).splitlines()[0][:200]}"
    return outcome


async def refresh_related_blog(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    client: httpx.AsyncClient,
    blog: Any,
    *,
    redis: Any = None,
    queue: Any = None,
) -> Outcome:
    """python.org's ``RelatedBlog.update_blog_data``: the feed's title and link, and its newest
    entry's title and date."""
    outcome = Outcome(blog.id, blog.name, "refreshed")
    try:
        _, parsed = await _fetch_and_parse(client, blog.feed_url, settings)
    except FeedError as exc:
        log.info("related_blog_failed", blog_id=blog.id, url=blog.feed_url, error=str(exc))  # as above
        outcome.status, outcome.error = "failed", str(exc)
        return outcome
    assert parsed is not None  # no validators sent, so never 304
    values: dict[str, Any] = {}
    if parsed.title:
        values["blog_name"] = parsed.title[:200]
    if parsed.link.startswith(("http://", "https://")) and len(parsed.link) <= URL_MAX:
        values["blog_url"] = parsed.link
    if parsed.entries:
        newest = max(parsed.entries, key=lambda e: e.pub_date)
        values["last_entry_published"] = newest.pub_date
        values["last_entry_title"] = newest.title[:500]
    try:
        async with transaction(sessionmaker, redis=redis, queue=queue) as session:
            current = await session.get(RelatedBlog, blog.id)
            if current is None or current.feed_url != blog.feed_url:
                outcome.status, outcome.error = "skipped", "the blog was changed or deleted meanwhile"
                return outcome
            assign_changed(current, values)
            outcome.updated = int(session.is_modified(current))
    except SQLAlchemyError as exc:
        log.warning("related_blog_store_failed", blog_id=blog.id, error=str(exc))
        outcome.status, outcome.error = "failed", f"database error: {str(exc).splitlines()[0][:200]}"
    return outcome


async def import_feeds(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    client: httpx.AsyncClient | None = None,
    force: bool = False,
    redis: Any = None,
    queue: Any = None,
) -> ImportReport:
    """Import every feed, then refresh every related blog. ``force`` ignores the stored
    validators (downloads and compares everything). With ``redis``/``queue``, committed changes
    refresh the API caches and enqueue a site rebuild."""
    async with sessionmaker() as session:
        feeds = (
            await session.execute(
                select(Feed.id, Feed.name, Feed.feed_url, Feed.etag, Feed.last_modified).order_by(Feed.id)
            )
        ).all()
        blogs = (
            await session.execute(
                select(RelatedBlog.id, RelatedBlog.name, RelatedBlog.feed_url).order_by(RelatedBlog.id)
            )
        ).all()
    report = ImportReport()
    http = client or create_client(settings)
    try:
        for feed in feeds:
            report.feeds.append(
                await import_feed(sessionmaker, settings, http, feed, force=force, redis=redis, queue=queue)
            )
        for blog in blogs:
            report.related.append(
                await refresh_related_blog(sessionmaker, settings, http, blog, redis=redis, queue=queue)
            )
    finally:
        if client is None:
            await http.aclose()
    log.info("blog_import", **report.summary())
    if failures := report.failures:
        # One warning per run, not one per feed: offline, every feed fails the same way. The
        # lines above name each feed and its reason.
        log.warning(
            "blog_feeds_failed",
            failed=len(failures),
            feeds=len(report.feeds) + len(report.related),
            first_error=f"{failures[0].name}: {failures[0].error}",
        )
    return report
