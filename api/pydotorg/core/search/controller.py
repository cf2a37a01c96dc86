"""``GET /api/v3/search``: the site's search, for anyone (docs/api/v3-search.md).

The engine and the searchable types come from the app's state (``app.py`` puts there the engine
the settings name and ``pydotorg.indexes.SEARCH_SOURCES``); this module knows no domain."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, cast

import msgspec
from litestar import Controller, MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import Parameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.search.cache import AnswerCache, Generation
from pydotorg.core.search.documents import MAX_PAGE, MAX_QUERY_LENGTH, PER_PAGE, SearchQuery, SearchSource
from pydotorg.core.search.engine import SearchEngine

# Public answers: a browser may reuse one for a minute (the back button, a shared link).
CACHE_HEADERS = {"Cache-Control": "public, max-age=60"}
TypeParam = QueryParameter(name="type", description="results of this type only")


class Facet(msgspec.Struct):
    type: str
    label: str
    count: int


class SearchResult(msgspec.Struct):
    id: str  # "<type>:<record id>"
    type: str
    title: str  # plain text
    url: str  # the page on the site ("/jobs/12/"); blog posts: the post on its blog (https://...)
    excerpt: str  # safe HTML: escaped text, the matched words in <mark>
    date: str | None  # ISO date
    detail: str  # one line: company and place for a job, venue for an event


class SearchPage(msgspec.Struct):
    query: str
    type: str | None
    page: int
    per_page: int
    total: int
    pages: int
    corrected: str | None  # the query that ran when the one asked found nothing (a misspelling)
    facets: list[Facet]
    results: list[SearchResult]


class SearchController(Controller):
    path = "/api/v3/search"
    tags = ["search"]

    @get(
        "/",
        operation_id="search",
        summary="Search the site",
        description=(
            "Releases, events, calendars, jobs, job types and categories, pages, success stories, "
            "community posts, board minutes and blog posts that a visitor can open, most relevant "
            f"first, {PER_PAGE} per page. `q` is 1 to {MAX_QUERY_LENGTH} characters: words (each also "
            'matches as a prefix), "quoted phrases", `or`, `-excluded`. `facets` counts the matches '
            "per type whatever `type` is. 400 names a bad parameter; 503 when the search engine is down."
        ),
    )
    async def search(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        q: Annotated[str | None, Parameter(description="what to search for")] = None,  # checked below
        type_: Annotated[str | None, TypeParam] = None,
        page: Annotated[int, Parameter(ge=1, le=MAX_PAGE, description="page number")] = 1,
    ) -> Response[SearchPage]:
        sources: tuple[SearchSource, ...] = request.app.state.search_sources
        labels = {s.type: s.label for s in sources}
        query = " ".join((q or "").split())
        errors: dict[str, list[str]] = {}
        if not query:
            errors["q"] = ["Enter something to search for."]
        elif len(query) > MAX_QUERY_LENGTH:
            errors["q"] = [f"Use at most {MAX_QUERY_LENGTH} characters (this query has {len(query)})."]
        if type_ is not None and type_ not in labels:
            errors["type"] = [f"Unknown type {type_[:40]!r}; use one of: {', '.join(labels)}."]
        if errors:
            raise ValidationFailed(errors)
        engine: SearchEngine = request.app.state.search_engine
        cache: AnswerCache | None = request.app.state.search_cache
        search = SearchQuery(q=query, type=type_, page=page)
        if cache is None:
            return _encoded(await _answer(engine, db_session, search, labels))
        clock: Generation = request.app.state.search_generation
        key = (await clock.current(db_session), query, type_, page)
        cached = cache.get(key)
        if cached is None and (pending := cache.computing.get(key)) is not None:
            cached = await asyncio.shield(pending)  # the same search is running: wait for its answer
        if cached is not None:
            return _encoded(cached)
        computing: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        cache.computing[key] = computing
        body: bytes | None = None
        try:
            body = await _answer(engine, db_session, search, labels)
            cache.store(key, body)
        finally:
            cache.computing.pop(key, None)
            computing.set_result(body)  # None when it failed: the waiters then search themselves
        return _encoded(body)


async def _answer(
    engine: SearchEngine, session: AsyncSession, search: SearchQuery, labels: dict[str, str]
) -> bytes:
    found = await engine.search(session, search)
    return msgspec.json.encode(
        SearchPage(
            query=search.q,
            type=search.type,
            page=search.page,
            per_page=PER_PAGE,
            total=found.total,
            pages=min(-(-found.total // PER_PAGE), MAX_PAGE),
            corrected=found.corrected,
            facets=[
                Facet(type=t, label=labels[t], count=found.facets[t]) for t in labels if found.facets.get(t)
            ],
            results=[
                SearchResult(
                    id=h.id,
                    type=h.type,
                    title=h.title,
                    url=h.url,
                    excerpt=h.excerpt,
                    date=h.date,
                    detail=h.detail,
                )
                for h in found.hits
            ],
        )
    )


def _encoded(body: bytes) -> Response[SearchPage]:
    """The answer already encoded (Litestar sends bytes as they are); typed as what it encodes."""
    return Response(cast(SearchPage, body), media_type=MediaType.JSON, headers=CACHE_HEADERS)
