"""Blog posts in search (python.org did not index them): the entries imported from the blog
feeds (the Python Insider blog and the PSF news aggregate), by title and summary. Their pages are
on the blogs' own sites, so a result links to the entry there (an absolute URL), as the
site's /blogs/ page does."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.search import SearchDocument, SearchSource
from pydotorg.core.search.documents import clean, document_id, html_text
from pydotorg.domains.blogs.models import BlogEntry, Feed

# A post is news about something: the site's own page about it comes first when both match alike
# ("security": the Python Security page before a post about XML security issues).
BOOST = 0.9


async def load(session: AsyncSession, ids: Collection[int] | None, now: datetime) -> list[SearchDocument]:
    stmt = (
        select(
            BlogEntry.id,
            BlogEntry.title,
            BlogEntry.summary_html,
            BlogEntry.pub_date,
            BlogEntry.url,
            Feed.name,
        )
        .join(Feed, Feed.id == BlogEntry.feed_id)
        .where(BlogEntry.url.startswith("https://") | BlogEntry.url.startswith("http://"))
    )
    if ids is not None:
        stmt = stmt.where(BlogEntry.id.in_(ids))
    return [
        SearchDocument(
            id=document_id("blog", b.id),
            type="blog",
            title=clean(b.title),
            url=b.url,
            keywords=clean(f"blog {b.name}"),
            text=html_text(b.summary_html),
            boost=BOOST,
            date=b.pub_date,
            detail=clean(b.name),
        )
        for b in await session.execute(stmt)
    ]


SOURCES = (
    SearchSource(
        type="blog",
        label="Blog posts",
        watches={("blogs", "entry"): "self", ("blogs", "feed"): "all"},
        load=load,
        order=110,
    ),
)
