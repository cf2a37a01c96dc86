"""Blog rules: an entry's derived text (sanitized summary, visible-text excerpt), canonical
Python Insider links, unique feed URLs and aggregate slugs, aggregates that name only existing
feeds, and the reads the controllers share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Select, any_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import slugify
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.markup import render
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.records import assign_changed, ensure_unique, get_visible_or_404, visible_or_404
from pydotorg.domains.blogs.models import BlogEntry, Feed, FeedAggregate, RelatedBlog

# Blogger served Python Insider's entry links on this host (python.org issue #2685).
LEGACY_BLOG_HOST = "pythoninsider.blogspot.com"
SLUG_MAX = 50
# "blog": with a feed id, an advisory lock that serialises an import of the feed with its deletion.
FEED_LOCK = 0x626C6F67


# --- entry text --------------------------------------------------------------------------------


_BLOCK_TAGS = (
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr img li main nav ol p pre section table td th tr ul"
)


class _VisibleText(HTMLParser):
    """Collects the text a browser would show: no script/style/head/title content, no comments;
    block boundaries become spaces, inline markup does not split words."""

    HIDDEN = frozenset({"script", "style", "head", "title", "template"})
    BLOCK = frozenset(_BLOCK_TAGS.split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "body":  # ends an unclosed <head>, as in a browser
            self.hidden = 0
        elif tag in self.BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The plain text of an HTML fragment, whitespace collapsed (python.org's ``excerpt``)."""
    if not html:
        return ""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def entry_text(summary: str) -> dict[str, str]:
    """The columns derived from an entry's raw summary."""
    return {"summary_html": render(summary, "html"), "excerpt": visible_text(summary)}


def canonical_entry_url(url: str, python_blog_url: str) -> str:
    """Links on Blogger's legacy host (and on the blog's own host with another scheme) move to
    ``python_blog_url``'s scheme and host; every other URL is kept as it is."""
    parts = urlsplit(url)
    canonical = urlsplit(python_blog_url)
    if parts.hostname not in {LEGACY_BLOG_HOST, canonical.hostname}:
        return url
    if (parts.scheme, parts.netloc) == (canonical.scheme, canonical.netloc):
        return url
    return urlunsplit(parts._replace(scheme=canonical.scheme, netloc=canonical.netloc))


def as_utc(value: datetime, field: str) -> datetime:
    """A time in UTC (naive means UTC); one that leaves the calendar in UTC is refused."""
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise ValidationFailed({field: ["The date is out of range."]}) from None


# --- feeds -------------------------------------------------------------------------------------


async def save_feed(session: AsyncSession, data: Mapping[str, Any], feed: Feed | None = None) -> Feed:
    values = dict(data)
    if "feed_url" in values:
        await ensure_unique(
            session,
            Feed,
            "feed_url",
            values["feed_url"],
            "Feed with this feed_url already exists.",
            exclude=feed,
        )
    if feed is None:
        feed = Feed(**{"website_url": "", "etag": "", "last_modified": "", **values})
    else:
        if values.get("feed_url", feed.feed_url) != feed.feed_url:
            # The validators belong to the old URL: the next import downloads the new one.
            values.update(etag="", last_modified="")
        assign_changed(feed, values)
    session.add(feed)
    await session.flush()
    return feed


async def delete_feed(session: AsyncSession, feed: Feed) -> None:
    """Delete a feed with its entries (each in the change feed) and drop it from aggregates.

    The import lock keeps a running import of this feed from adding entries meanwhile (they
    would go by the database's cascade, unseen by the change feed). The feed row is deleted
    before the aggregates are read: an aggregate being saved holds a
    share lock on the feeds it names (``save_aggregate``), so either that save commits first and
    is seen here, or it waits and then finds the feed gone."""
    await session.execute(select(func.pg_advisory_xact_lock(FEED_LOCK, feed.id)))
    for entry in await session.scalars(select(BlogEntry).where(BlogEntry.feed_id == feed.id)):
        await session.delete(entry)
    await session.flush()
    await session.delete(feed)
    await session.flush()
    stmt = select(FeedAggregate).where(any_(FeedAggregate.feed_ids) == feed.id).with_for_update()
    for aggregate in await session.scalars(stmt):
        aggregate.feed_ids = [i for i in aggregate.feed_ids if i != feed.id]
    await session.flush()


async def get_feed(session: AsyncSession, feed_id: int) -> Feed:
    return await get_visible_or_404(session, Feed, feed_id, f"No feed with id {feed_id}.")


async def list_feeds(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[Feed], ListMeta]:
    return await paginate(session, select(Feed).order_by(Feed.name, Feed.id), limit, offset)


def is_python_blog(feed: Feed, python_blog_feed_url: str) -> bool:
    return feed.feed_url == python_blog_feed_url


# --- aggregates --------------------------------------------------------------------------------


async def save_aggregate(
    session: AsyncSession, data: Mapping[str, Any], aggregate: FeedAggregate | None = None
) -> FeedAggregate:
    values = dict(data)
    errors: dict[str, list[str]] = {}
    if aggregate is None and not values.get("slug"):
        values["slug"] = slugify(values.get("name", ""))[:SLUG_MAX].strip("-_")
        if not values["slug"]:
            errors["slug"] = ["Give a slug: none can be derived from this name."]
    if values.get("slug"):
        await ensure_unique(
            session,
            FeedAggregate,
            "slug",
            values["slug"],
            "Feed aggregate with this slug already exists.",
            exclude=aggregate,
            errors=errors,
        )
    if "feed_ids" in values:
        wanted = sorted(set(values["feed_ids"]))
        # Share-locks the named feeds until commit, so none can be deleted under this save.
        found = set(
            await session.scalars(select(Feed.id).where(Feed.id.in_(wanted)).with_for_update(read=True))
        )
        if missing := [i for i in wanted if i not in found]:
            errors["feed_ids"] = [f"No feed with id {i}." for i in missing]
        values["feed_ids"] = wanted
    if errors:
        raise ValidationFailed(errors)
    if aggregate is None:
        aggregate = FeedAggregate(**{"description": "", "feed_ids": [], **values})
    else:
        assign_changed(aggregate, values)
    session.add(aggregate)
    await session.flush()
    return aggregate


async def aggregate_by_slug(session: AsyncSession, slug: str) -> FeedAggregate | None:
    return await session.scalar(select(FeedAggregate).where(FeedAggregate.slug == slug))


async def get_aggregate(session: AsyncSession, slug: str) -> FeedAggregate:
    return visible_or_404(await aggregate_by_slug(session, slug), f"No feed aggregate {slug!r}.")


async def list_aggregates(
    session: AsyncSession, *, limit: int, offset: int
) -> tuple[list[FeedAggregate], ListMeta]:
    return await paginate(session, select(FeedAggregate).order_by(FeedAggregate.slug), limit, offset)


# --- entries -----------------------------------------------------------------------------------


def entries_query(*, feed_id: int | None = None, aggregate: str | None = None) -> Select[Any]:
    """Entries newest first (python.org's ``get_latest_by = pub_date``), id as tie-breaker."""
    stmt = select(BlogEntry).order_by(BlogEntry.pub_date.desc(), BlogEntry.id.desc())
    if feed_id is not None:
        stmt = stmt.where(BlogEntry.feed_id == feed_id)
    if aggregate is not None:
        members = select(func.unnest(FeedAggregate.feed_ids)).where(FeedAggregate.slug == aggregate)
        stmt = stmt.where(BlogEntry.feed_id.in_(members.scalar_subquery()))
    return stmt


async def list_entries(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    feed_id: int | None = None,
    aggregate: str | None = None,
) -> tuple[list[BlogEntry], ListMeta]:
    return await paginate(session, entries_query(feed_id=feed_id, aggregate=aggregate), limit, offset)


async def get_entry(session: AsyncSession, entry_id: int) -> BlogEntry:
    return await get_visible_or_404(session, BlogEntry, entry_id, f"No blog entry with id {entry_id}.")


async def feed_names(session: AsyncSession, feed_ids: Iterable[int]) -> dict[int, str]:
    ids = set(feed_ids)
    if not ids:
        return {}
    rows = await session.execute(select(Feed.id, Feed.name).where(Feed.id.in_(ids)))
    return {feed_id: name for feed_id, name in rows}


async def save_entry(session: AsyncSession, entry: BlogEntry, data: Mapping[str, Any]) -> BlogEntry:
    """Staff corrections (python.org's admin allowed them); the next import that downloads the
    feed writes the feed's version again, as python.org's ``update_or_create`` did."""
    values = dict(data)
    if "url" in values:
        await ensure_unique(
            session,
            BlogEntry,
            "url",
            values["url"],
            "Blog entry with this url already exists.",
            exclude=entry,
            scope=[BlogEntry.feed_id == entry.feed_id],
        )
    if "pub_date" in values:
        values["pub_date"] = as_utc(values["pub_date"], "pub_date")
    if "summary" in values:
        values.update(entry_text(values["summary"]))
    assign_changed(entry, values)
    await session.flush()
    return entry


# --- related blogs -----------------------------------------------------------------------------


async def get_related_blog(session: AsyncSession, blog_id: int) -> RelatedBlog:
    return await get_visible_or_404(session, RelatedBlog, blog_id, f"No related blog with id {blog_id}.")


async def list_related_blogs(
    session: AsyncSession, *, limit: int, offset: int
) -> tuple[list[RelatedBlog], ListMeta]:
    stmt = select(RelatedBlog).order_by(RelatedBlog.name, RelatedBlog.id)
    return await paginate(session, stmt, limit, offset)


async def save_related_blog(
    session: AsyncSession, data: Mapping[str, Any], blog: RelatedBlog | None = None
) -> RelatedBlog:
    values = dict(data)
    if values.get("last_entry_published") is not None:
        values["last_entry_published"] = as_utc(values["last_entry_published"], "last_entry_published")
    if blog is None:
        blog = RelatedBlog(**{"blog_url": "", "blog_name": "", "last_entry_title": "", **values})
    else:
        assign_changed(blog, values)
    session.add(blog)
    await session.flush()
    return blog
