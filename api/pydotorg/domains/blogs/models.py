"""Blogs: the feeds python.org imports, their entries, feed aggregates and related blogs
(inventory 1.2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from pydotorg.core.db import Base, ContentManageable, IntPK
from pydotorg.core.permissions import register

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
ADD_FEED = register("blogs.add_feed", "Can add blog feeds")
CHANGE_FEED = register("blogs.change_feed", "Can change blog feeds")
DELETE_FEED = register("blogs.delete_feed", "Can delete blog feeds (with their entries)")
CHANGE_ENTRY = register("blogs.change_blogentry", "Can change imported blog entries")
DELETE_ENTRY = register("blogs.delete_blogentry", "Can delete imported blog entries")
ADD_AGGREGATE = register("blogs.add_feedaggregate", "Can add feed aggregates")
CHANGE_AGGREGATE = register("blogs.change_feedaggregate", "Can change feed aggregates")
DELETE_AGGREGATE = register("blogs.delete_feedaggregate", "Can delete feed aggregates")
ADD_RELATED = register("blogs.add_relatedblog", "Can add related blogs")
CHANGE_RELATED = register("blogs.change_relatedblog", "Can change related blogs")
DELETE_RELATED = register("blogs.delete_relatedblog", "Can delete related blogs")


class Feed(IntPK, Base):
    """A feed to import. ``etag`` and ``last_modified`` are the validators of the last download
    (conditional GET); like ``last_import`` they are bookkeeping, not content."""

    __tablename__ = "blog_feeds"
    __change_domain__ = "blogs"
    __change_kind__ = "feed"
    __change_ignore__ = frozenset({"last_import", "etag", "last_modified"})

    name: Mapped[str] = mapped_column(String(200))
    website_url: Mapped[str] = mapped_column(String(500), default="")
    feed_url: Mapped[str] = mapped_column(String(500), unique=True)
    last_import: Mapped[datetime | None] = mapped_column(nullable=True)
    etag: Mapped[str] = mapped_column(String(500), default="")
    last_modified: Mapped[str] = mapped_column(String(100), default="")


class BlogEntry(IntPK, Base):
    """One post of a feed, keyed by (feed, url). ``summary`` is the feed's HTML as received;
    ``summary_html`` is it sanitized, ``excerpt`` its visible text (both computed on write)."""

    __tablename__ = "blog_entries"
    __table_args__ = (UniqueConstraint("feed_id", "url"),)
    __change_domain__ = "blogs"
    __change_kind__ = "entry"

    feed_id: Mapped[int] = mapped_column(ForeignKey("blog_feeds.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    excerpt: Mapped[str] = mapped_column(Text, default="")
    pub_date: Mapped[datetime] = mapped_column(index=True)
    url: Mapped[str] = mapped_column(String(500))


class FeedAggregate(IntPK, Base):
    """A named set of feeds for a feed-backed block of the site (``psf-news``).

    Django's many-to-many ``feeds`` is the ``feed_ids`` array: the set is always read and
    written whole, and a change to it is a change of the aggregate (one change-feed row, one
    upsert when importing). Services keep it referring to existing feeds."""

    __tablename__ = "blog_feed_aggregates"
    __change_domain__ = "blogs"
    __change_kind__ = "aggregate"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(50), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    feed_ids: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), default=list, server_default=text("'{}'::integer[]")
    )


class RelatedBlog(IntPK, ContentManageable, Base):
    """An external blog; the feed import refreshes its name, link and latest entry."""

    __tablename__ = "blog_related_blogs"
    __change_domain__ = "blogs"
    __change_kind__ = "relatedblog"

    name: Mapped[str] = mapped_column(String(100))
    feed_url: Mapped[str] = mapped_column(String(500))
    blog_url: Mapped[str] = mapped_column(String(500), default="")
    blog_name: Mapped[str] = mapped_column(String(200), default="")
    last_entry_published: Mapped[datetime | None] = mapped_column(nullable=True, index=True)
    last_entry_title: Mapped[str] = mapped_column(String(500), default="")
