"""``/api/v3/blogs/``: imported blog entries (newest first), the feeds they come from, feed
aggregates (feed-backed blocks such as ``psf-news``) and related blogs."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from litestar import Controller, Request, delete, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset, paginate
from pydotorg.core.permissions import permission_required, register
from pydotorg.core.schemas import given_fields
from pydotorg.domains.blogs import schemas
from pydotorg.domains.blogs import services as svc
from pydotorg.domains.blogs.models import BlogEntry, Feed, FeedAggregate, RelatedBlog
from pydotorg.settings import Settings

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

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
SlugParam = Annotated[str, Parameter(max_length=50)]
Model = TypeVar("Model", BlogEntry, Feed, RelatedBlog)


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


async def _get(tx: AsyncSession, model: type[Model], pk: int, what: str) -> Model:
    obj = await tx.get(model, pk)
    if obj is None:
        raise NotFoundException(f"No {what} with id {pk}.")
    return obj


async def _aggregate(tx: AsyncSession, slug: str) -> FeedAggregate:
    aggregate = await svc.aggregate_by_slug(tx, slug)
    if aggregate is None:
        raise NotFoundException(f"No feed aggregate {slug!r}.")
    return aggregate


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
        tx: AsyncSession,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        feed: Annotated[int | None, Parameter(ge=1, le=2**31 - 1, description="a feed id")] = None,
        aggregate: Annotated[str | None, Parameter(max_length=50, description="an aggregate slug")] = None,
    ) -> schemas.EntryList:
        stmt = svc.entries_query(feed_id=feed, aggregate=aggregate)
        rows, meta = await paginate(tx, stmt, limit, offset)
        names = await svc.feed_names(tx, (e.feed_id for e in rows))
        return schemas.EntryList(data=[entry_read(e, names.get(e.feed_id, "")) for e in rows], meta=meta)

    @get("/entries/{entry_id:int}", operation_id="blogs_entries_read", summary="One blog entry")
    async def read_entry(self, tx: AsyncSession, entry_id: PK) -> schemas.EntryRead:
        return await _entry_read(tx, await _get(tx, BlogEntry, entry_id, "blog entry"))

    @patch(
        "/entries/{entry_id:int}",
        operation_id="blogs_entries_update",
        summary="Correct a blog entry (the next import of a changed feed restores the feed's text)",
        guards=[permission_required(CHANGE_ENTRY)],
    )
    async def update_entry(
        self, tx: AsyncSession, entry_id: PK, data: schemas.EntryUpdate
    ) -> schemas.EntryRead:
        entry = await _get(tx, BlogEntry, entry_id, "blog entry")
        return await _entry_read(tx, await svc.save_entry(tx, entry, given_fields(data)))

    @delete(
        "/entries/{entry_id:int}",
        operation_id="blogs_entries_delete",
        summary="Delete a blog entry",
        guards=[permission_required(DELETE_ENTRY)],
    )
    async def delete_entry(self, tx: AsyncSession, entry_id: PK) -> None:
        await tx.delete(await _get(tx, BlogEntry, entry_id, "blog entry"))
        await tx.flush()

    # --- feeds -----------------------------------------------------------------------------

    @get("/feeds", operation_id="blogs_feeds_list", summary="Feeds by name")
    async def list_feeds(
        self,
        request: Request[Any, Any, Any],
        tx: AsyncSession,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> schemas.FeedList:
        rows, meta = await paginate(tx, select(Feed).order_by(Feed.name, Feed.id), limit, offset)
        settings = _settings(request)
        return schemas.FeedList(data=[feed_read(f, settings) for f in rows], meta=meta)

    @get("/feeds/{feed_id:int}", operation_id="blogs_feeds_read", summary="One feed")
    async def read_feed(
        self, request: Request[Any, Any, Any], tx: AsyncSession, feed_id: PK
    ) -> schemas.FeedRead:
        return feed_read(await _get(tx, Feed, feed_id, "feed"), _settings(request))

    @post(
        "/feeds",
        operation_id="blogs_feeds_create",
        summary="Add a feed",
        guards=[permission_required(ADD_FEED)],
    )
    async def create_feed(
        self, request: Request[Any, Any, Any], tx: AsyncSession, data: schemas.FeedCreate
    ) -> schemas.FeedRead:
        return feed_read(await svc.save_feed(tx, given_fields(data)), _settings(request))

    @patch(
        "/feeds/{feed_id:int}",
        operation_id="blogs_feeds_update",
        summary="Change a feed",
        guards=[permission_required(CHANGE_FEED)],
    )
    async def update_feed(
        self, request: Request[Any, Any, Any], tx: AsyncSession, feed_id: PK, data: schemas.FeedUpdate
    ) -> schemas.FeedRead:
        feed = await _get(tx, Feed, feed_id, "feed")
        return feed_read(await svc.save_feed(tx, given_fields(data), feed), _settings(request))

    @delete(
        "/feeds/{feed_id:int}",
        operation_id="blogs_feeds_delete",
        summary="Delete a feed, its entries, and its place in aggregates",
        guards=[permission_required(DELETE_FEED)],
    )
    async def delete_feed(self, tx: AsyncSession, feed_id: PK) -> None:
        await svc.delete_feed(tx, await _get(tx, Feed, feed_id, "feed"))

    # --- aggregates ------------------------------------------------------------------------

    @get("/aggregates", operation_id="blogs_aggregates_list", summary="Feed aggregates by slug")
    async def list_aggregates(
        self, tx: AsyncSession, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.AggregateList:
        stmt = select(FeedAggregate).order_by(FeedAggregate.slug)
        rows, meta = await paginate(tx, stmt, limit, offset)
        return schemas.AggregateList(data=[aggregate_read(a) for a in rows], meta=meta)

    @get("/aggregates/{slug:str}", operation_id="blogs_aggregates_read", summary="One feed aggregate")
    async def read_aggregate(self, tx: AsyncSession, slug: SlugParam) -> schemas.AggregateRead:
        return aggregate_read(await _aggregate(tx, slug))

    @post(
        "/aggregates",
        operation_id="blogs_aggregates_create",
        summary="Add a feed aggregate",
        guards=[permission_required(ADD_AGGREGATE)],
    )
    async def create_aggregate(
        self, tx: AsyncSession, data: schemas.AggregateCreate
    ) -> schemas.AggregateRead:
        return aggregate_read(await svc.save_aggregate(tx, given_fields(data)))

    @patch(
        "/aggregates/{slug:str}",
        operation_id="blogs_aggregates_update",
        summary="Change a feed aggregate (feed_ids replaces the whole set)",
        guards=[permission_required(CHANGE_AGGREGATE)],
    )
    async def update_aggregate(
        self, tx: AsyncSession, slug: SlugParam, data: schemas.AggregateUpdate
    ) -> schemas.AggregateRead:
        aggregate = await _aggregate(tx, slug)
        return aggregate_read(await svc.save_aggregate(tx, given_fields(data), aggregate))

    @delete(
        "/aggregates/{slug:str}",
        operation_id="blogs_aggregates_delete",
        summary="Delete a feed aggregate (its feeds stay)",
        guards=[permission_required(DELETE_AGGREGATE)],
    )
    async def delete_aggregate(self, tx: AsyncSession, slug: SlugParam) -> None:
        await tx.delete(await _aggregate(tx, slug))
        await tx.flush()

    # --- related blogs ---------------------------------------------------------------------

    @get("/related-blogs", operation_id="blogs_related_list", summary="Related blogs by name")
    async def list_related(
        self, tx: AsyncSession, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.RelatedBlogList:
        stmt = select(RelatedBlog).order_by(RelatedBlog.name, RelatedBlog.id)
        rows, meta = await paginate(tx, stmt, limit, offset)
        return schemas.RelatedBlogList(data=[related_read(r) for r in rows], meta=meta)

    @get("/related-blogs/{blog_id:int}", operation_id="blogs_related_read", summary="One related blog")
    async def read_related(self, tx: AsyncSession, blog_id: PK) -> schemas.RelatedBlogRead:
        return related_read(await _get(tx, RelatedBlog, blog_id, "related blog"))

    @post(
        "/related-blogs",
        operation_id="blogs_related_create",
        summary="Add a related blog (the feed import fills in its name, link and latest entry)",
        guards=[permission_required(ADD_RELATED)],
    )
    async def create_related(
        self, tx: AsyncSession, data: schemas.RelatedBlogCreate
    ) -> schemas.RelatedBlogRead:
        return related_read(await svc.save_related_blog(tx, given_fields(data)))

    @patch(
        "/related-blogs/{blog_id:int}",
        operation_id="blogs_related_update",
        summary="Change a related blog",
        guards=[permission_required(CHANGE_RELATED)],
    )
    async def update_related(
        self, tx: AsyncSession, blog_id: PK, data: schemas.RelatedBlogUpdate
    ) -> schemas.RelatedBlogRead:
        blog = await _get(tx, RelatedBlog, blog_id, "related blog")
        return related_read(await svc.save_related_blog(tx, given_fields(data), blog))

    @delete(
        "/related-blogs/{blog_id:int}",
        operation_id="blogs_related_delete",
        summary="Delete a related blog",
        guards=[permission_required(DELETE_RELATED)],
    )
    async def delete_related(self, tx: AsyncSession, blog_id: PK) -> None:
        await tx.delete(await _get(tx, RelatedBlog, blog_id, "related blog"))
        await tx.flush()
