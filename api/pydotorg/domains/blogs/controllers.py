"""``/api/v3/blogs/``: imported blog entries (newest first), the feeds they come from, feed
aggregates (feed-backed blocks such as ``psf-news``) and related blogs."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset
from pydotorg.core.permissions import permission_required
from pydotorg.core.records import delete_record
from pydotorg.core.schemas import given_fields
from pydotorg.domains.blogs import schemas
from pydotorg.domains.blogs import services as svc
from pydotorg.domains.blogs.models import (
    ADD_AGGREGATE,
    ADD_FEED,
    ADD_RELATED,
    CHANGE_AGGREGATE,
    CHANGE_ENTRY,
    CHANGE_FEED,
    CHANGE_RELATED,
    DELETE_AGGREGATE,
    DELETE_ENTRY,
    DELETE_FEED,
    DELETE_RELATED,
    BlogEntry,
    Feed,
    FeedAggregate,
    RelatedBlog,
)
from pydotorg.settings import Settings

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
SlugParam = Annotated[str, Parameter(max_length=50)]


def entry_read(e: BlogEntry, feed_name: str) -> schemas.EntryRead:
    return schemas.EntryRead(
        id=e.id,
        feed_id=e.feed_id,
        feed_name=feed_name,
        title=e.title,
        url=e.url,
        pub_date=e.pub_date,
        summary_html=e.summary_html,
        excerpt=e.excerpt,
    )


def feed_read(f: Feed, settings: Settings) -> schemas.FeedRead:
    return schemas.FeedRead(
        id=f.id,
        name=f.name,
        website_url=f.website_url,
        feed_url=f.feed_url,
        last_import=f.last_import,
        is_python_blog=svc.is_python_blog(f, settings.python_blog_feed_url),
    )


def aggregate_read(a: FeedAggregate) -> schemas.AggregateRead:
    return schemas.AggregateRead(
        id=a.id, name=a.name, slug=a.slug, description=a.description, feed_ids=sorted(a.feed_ids)
    )


def related_read(r: RelatedBlog) -> schemas.RelatedBlogRead:
    return schemas.RelatedBlogRead(
        id=r.id,
        name=r.name,
        feed_url=r.feed_url,
        blog_url=r.blog_url,
        blog_name=r.blog_name,
        last_entry_published=r.last_entry_published,
        last_entry_title=r.last_entry_title,
        created=r.created,
        updated=r.updated,
    )


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _entry_read(tx: AsyncSession, entry: BlogEntry) -> schemas.EntryRead:
    names = await svc.feed_names(tx, [entry.feed_id])
    return entry_read(entry, names.get(entry.feed_id, ""))


class BlogsController(Controller):
    path = "/api/v3/blogs"
    tags = ["blogs"]

    # --- entries ---------------------------------------------------------------------------

    @get("/entries", operation_id="blogs_entries_list", summary="Blog entries, newest first")
    async def list_entries(
        self,
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        feed: Annotated[int | None, Parameter(ge=1, le=2**31 - 1, description="a feed id")] = None,
        aggregate: Annotated[str | None, Parameter(max_length=50, description="an aggregate slug")] = None,
    ) -> schemas.EntryList:
        rows, meta = await svc.list_entries(tx, limit=limit, offset=offset, feed_id=feed, aggregate=aggregate)
        names = await svc.feed_names(tx, (e.feed_id for e in rows))
        return schemas.EntryList(data=[entry_read(e, names.get(e.feed_id, "")) for e in rows], meta=meta)

    @get("/entries/{entry_id:int}", operation_id="blogs_entries_read", summary="One blog entry")
    async def read_entry(self, tx: NamedDependency[AsyncSession], entry_id: PK) -> schemas.EntryRead:
        return await _entry_read(tx, await svc.get_entry(tx, entry_id))

    @patch(
        "/entries/{entry_id:int}",
        operation_id="blogs_entries_update",
        summary="Correct a blog entry (the next import of a changed feed restores the feed's text)",
        guards=[permission_required(CHANGE_ENTRY)],
    )
    async def update_entry(
        self, tx: NamedDependency[AsyncSession], entry_id: PK, data: JSONBody[schemas.EntryUpdate]
    ) -> schemas.EntryRead:
        entry = await svc.get_entry(tx, entry_id)
        return await _entry_read(tx, await svc.save_entry(tx, entry, given_fields(data)))

    @delete(
        "/entries/{entry_id:int}",
        operation_id="blogs_entries_delete",
        summary="Delete a blog entry",
        guards=[permission_required(DELETE_ENTRY)],
    )
    async def delete_entry(self, tx: NamedDependency[AsyncSession], entry_id: PK) -> None:
        await delete_record(tx, await svc.get_entry(tx, entry_id))

    # --- feeds -----------------------------------------------------------------------------

    @get("/feeds", operation_id="blogs_feeds_list", summary="Feeds by name")
    async def list_feeds(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> schemas.FeedList:
        rows, meta = await svc.list_feeds(tx, limit=limit, offset=offset)
        settings = _settings(request)
        return schemas.FeedList(data=[feed_read(f, settings) for f in rows], meta=meta)

    @get("/feeds/{feed_id:int}", operation_id="blogs_feeds_read", summary="One feed")
    async def read_feed(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], feed_id: PK
    ) -> schemas.FeedRead:
        return feed_read(await svc.get_feed(tx, feed_id), _settings(request))

    @post(
        "/feeds",
        operation_id="blogs_feeds_create",
        summary="Add a feed",
        guards=[permission_required(ADD_FEED)],
    )
    async def create_feed(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        data: JSONBody[schemas.FeedCreate],
    ) -> schemas.FeedRead:
        return feed_read(await svc.save_feed(tx, given_fields(data)), _settings(request))

    @patch(
        "/feeds/{feed_id:int}",
        operation_id="blogs_feeds_update",
        summary="Change a feed",
        guards=[permission_required(CHANGE_FEED)],
    )
    async def update_feed(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        feed_id: PK,
        data: JSONBody[schemas.FeedUpdate],
    ) -> schemas.FeedRead:
        feed = await svc.get_feed(tx, feed_id)
        return feed_read(await svc.save_feed(tx, given_fields(data), feed), _settings(request))

    @delete(
        "/feeds/{feed_id:int}",
        operation_id="blogs_feeds_delete",
        summary="Delete a feed, its entries, and its place in aggregates",
        guards=[permission_required(DELETE_FEED)],
    )
    async def delete_feed(self, tx: NamedDependency[AsyncSession], feed_id: PK) -> None:
        await svc.delete_feed(tx, await svc.get_feed(tx, feed_id))

    # --- aggregates ------------------------------------------------------------------------

    @get("/aggregates", operation_id="blogs_aggregates_list", summary="Feed aggregates by slug")
    async def list_aggregates(
        self, tx: NamedDependency[AsyncSession], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.AggregateList:
        rows, meta = await svc.list_aggregates(tx, limit=limit, offset=offset)
        return schemas.AggregateList(data=[aggregate_read(a) for a in rows], meta=meta)

    @get("/aggregates/{slug:str}", operation_id="blogs_aggregates_read", summary="One feed aggregate")
    async def read_aggregate(
        self, tx: NamedDependency[AsyncSession], slug: SlugParam
    ) -> schemas.AggregateRead:
        return aggregate_read(await svc.get_aggregate(tx, slug))

    @post(
        "/aggregates",
        operation_id="blogs_aggregates_create",
        summary="Add a feed aggregate",
        guards=[permission_required(ADD_AGGREGATE)],
    )
    async def create_aggregate(
        self, tx: NamedDependency[AsyncSession], data: JSONBody[schemas.AggregateCreate]
    ) -> schemas.AggregateRead:
        return aggregate_read(await svc.save_aggregate(tx, given_fields(data)))

    @patch(
        "/aggregates/{slug:str}",
        operation_id="blogs_aggregates_update",
        summary="Change a feed aggregate (feed_ids replaces the whole set)",
        guards=[permission_required(CHANGE_AGGREGATE)],
    )
    async def update_aggregate(
        self, tx: NamedDependency[AsyncSession], slug: SlugParam, data: JSONBody[schemas.AggregateUpdate]
    ) -> schemas.AggregateRead:
        aggregate = await svc.get_aggregate(tx, slug)
        return aggregate_read(await svc.save_aggregate(tx, given_fields(data), aggregate))

    @delete(
        "/aggregates/{slug:str}",
        operation_id="blogs_aggregates_delete",
        summary="Delete a feed aggregate (its feeds stay)",
        guards=[permission_required(DELETE_AGGREGATE)],
    )
    async def delete_aggregate(self, tx: NamedDependency[AsyncSession], slug: SlugParam) -> None:
        await delete_record(tx, await svc.get_aggregate(tx, slug))

    # --- related blogs ---------------------------------------------------------------------

    @get("/related-blogs", operation_id="blogs_related_list", summary="Related blogs by name")
    async def list_related(
        self, tx: NamedDependency[AsyncSession], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.RelatedBlogList:
        rows, meta = await svc.list_related_blogs(tx, limit=limit, offset=offset)
        return schemas.RelatedBlogList(data=[related_read(r) for r in rows], meta=meta)

    @get("/related-blogs/{blog_id:int}", operation_id="blogs_related_read", summary="One related blog")
    async def read_related(self, tx: NamedDependency[AsyncSession], blog_id: PK) -> schemas.RelatedBlogRead:
        return related_read(await svc.get_related_blog(tx, blog_id))

    @post(
        "/related-blogs",
        operation_id="blogs_related_create",
        summary="Add a related blog (the feed import fills in its name, link and latest entry)",
        guards=[permission_required(ADD_RELATED)],
    )
    async def create_related(
        self, tx: NamedDependency[AsyncSession], data: JSONBody[schemas.RelatedBlogCreate]
    ) -> schemas.RelatedBlogRead:
        return related_read(await svc.save_related_blog(tx, given_fields(data)))

    @patch(
        "/related-blogs/{blog_id:int}",
        operation_id="blogs_related_update",
        summary="Change a related blog",
        guards=[permission_required(CHANGE_RELATED)],
    )
    async def update_related(
        self, tx: NamedDependency[AsyncSession], blog_id: PK, data: JSONBody[schemas.RelatedBlogUpdate]
    ) -> schemas.RelatedBlogRead:
        blog = await svc.get_related_blog(tx, blog_id)
        return related_read(await svc.save_related_blog(tx, given_fields(data), blog))

    @delete(
        "/related-blogs/{blog_id:int}",
        operation_id="blogs_related_delete",
        summary="Delete a related blog",
        guards=[permission_required(DELETE_RELATED)],
    )
    async def delete_related(self, tx: NamedDependency[AsyncSession], blog_id: PK) -> None:
        await delete_record(tx, await svc.get_related_blog(tx, blog_id))
        await tx.flush()
