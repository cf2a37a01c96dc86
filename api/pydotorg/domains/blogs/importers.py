"""Django fixtures -> blogs (``blogs.feed``, ``blogs.blogentry``, ``blogs.feedaggregate`` with
its ``feeds``, ``blogs.relatedblog``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select

from pydotorg.core.db import utcnow
from pydotorg.core.importing import ImportContext, ModelImport, RowError, parse_dt
from pydotorg.core.urls import HTTP_URL_PATTERN
from pydotorg.domains.blogs.models import BlogEntry, Feed, FeedAggregate, RelatedBlog
from pydotorg.domains.blogs.services import canonical_entry_url, entry_text
from pydotorg.settings import Settings

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")
HTTP_URL = re.compile(HTTP_URL_PATTERN)  # the one link rule (core/urls.py)
# Stored links move to python.org's canonical blog host, as its data migration 0004 did (importers
# get no settings; this is the setting's default, which the feed import uses too).
PYTHON_BLOG_URL = Settings().python_blog_url


def _text(fields: Mapping[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    value = str(fields.get(name) or "")
    if required and not value.strip():
        raise RowError(f"{name} is empty")
    if len(value) > limit:
        raise RowError(f"{name} is longer than {limit} characters")
    return value


def _http_url(fields: Mapping[str, Any], name: str, *, required: bool = True) -> str:
    value = _text(fields, name, 500, required=required)
    if value and not HTTP_URL.match(value):
        raise RowError(f"{name} {value!r} is not an http(s) URL")
    return value


async def _claim(ctx: ImportContext, key: tuple[Any, ...], pk: int, what: str, taken_by: Select[Any]) -> None:
    """A unique key python.org did not enforce: a second row with it is reported, not merged.
    ``taken_by`` selects the id of a stored row holding the key."""
    claimed: dict[tuple[Any, ...], int] = ctx.session.info.setdefault("blogs.import.claimed", {})
    other = claimed.get(key)
    if other is None:
        other = await ctx.session.scalar(taken_by)
    if other is not None and other != pk:
        raise RowError(f"{what} is already used by row {other}")
    claimed[key] = pk


async def convert_feed(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    feed_url = _http_url(fields, "feed_url")
    row: dict[str, Any] = {
        "id": int(pk),
        "name": _text(fields, "name", 200, required=True),
        "website_url": _text(fields, "website_url", 500),
        "feed_url": feed_url,
        "last_import": parse_dt(fields.get("last_import")),
    }
    taken_by = select(Feed.id).where(Feed.feed_url == feed_url)
    await _claim(ctx, ("feed", feed_url), int(pk), f"feed_url {feed_url!r}", taken_by)
    return row


async def convert_entry(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    feed_id = await ctx.require(Feed.__table__, fields.get("feed"), "feed")
    if feed_id is None:
        raise RowError("entry without a feed")
    url = canonical_entry_url(_http_url(fields, "url"), PYTHON_BLOG_URL)
    pub_date = parse_dt(fields.get("pub_date"))
    if pub_date is None:
        raise RowError("pub_date is missing")
    summary = str(fields.get("summary") or "")
    row: dict[str, Any] = {
        "id": int(pk),
        "feed_id": feed_id,
        "title": _text(fields, "title", 200),
        "summary": summary,
        **entry_text(summary),
        # python.org stored the weekday as microseconds (datetime(*struct_time[:7])); feeds
        # carry whole seconds, so the next feed import finds these rows unchanged.
        "pub_date": pub_date.replace(microsecond=0),
        "url": url,
    }
    taken_by = select(BlogEntry.id).where(BlogEntry.feed_id == feed_id, BlogEntry.url == url)
    await _claim(ctx, ("entry", feed_id, url), int(pk), f"url {url!r} of feed {feed_id}", taken_by)
    return row


async def convert_aggregate(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    slug = str(fields.get("slug") or "")
    if not SLUG_RE.match(slug):
        raise RowError(f"slug {slug!r} is not a slug of at most 50 characters")
    feeds = fields.get("feeds") or []
    if not isinstance(feeds, list):
        raise RowError("feeds is not a list of feed ids")
    row: dict[str, Any] = {
        "id": int(pk),
        "name": _text(fields, "name", 200, required=True),
        "slug": slug,
        "description": str(fields.get("description") or ""),
        "feed_ids": sorted({await ctx.require(Feed.__table__, f, "feed") or 0 for f in feeds} - {0}),
    }
    taken_by = select(FeedAggregate.id).where(FeedAggregate.slug == slug)
    await _claim(ctx, ("aggregate", slug), int(pk), f"slug {slug!r}", taken_by)
    return row


async def convert_related(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    return {
        "id": int(pk),
        "name": _text(fields, "name", 100, required=True),
        "feed_url": _http_url(fields, "feed_url"),
        "blog_url": _http_url(fields, "blog_url", required=False),
        "blog_name": _text(fields, "blog_name", 200),
        "last_entry_published": parse_dt(fields.get("last_entry_published")),
        "last_entry_title": _text(fields, "last_entry_title", 500),
        "created": parse_dt(fields.get("created")) or utcnow(),
        "updated": parse_dt(fields.get("updated")) or utcnow(),
        "creator_id": await ctx.user_id(fields.get("creator")),
        "last_modified_by_id": await ctx.user_id(fields.get("last_modified_by")),
    }


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport("blogs.feed", Feed.__table__, convert_feed, ("blogs", "feed"), order=20),
    ModelImport("blogs.blogentry", BlogEntry.__table__, convert_entry, ("blogs", "entry"), order=21),
    ModelImport(
        "blogs.feedaggregate", FeedAggregate.__table__, convert_aggregate, ("blogs", "aggregate"), order=21
    ),
    ModelImport(
        "blogs.relatedblog", RelatedBlog.__table__, convert_related, ("blogs", "relatedblog"), order=20
    ),
)
