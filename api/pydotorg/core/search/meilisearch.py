"""Search with Meilisearch: one index (``meilisearch_index``) holds every type's documents.

A ``SearchDocument`` becomes a Meilisearch document keyed by ``key`` (its id with ":" made "-":
Meilisearch ids allow only letters, digits, "-" and "_"), keeping the original ``id`` and ``type``
as filterable fields, ``boost`` and ``order`` (the tie-breaker: the date's epoch seconds unless the
document says otherwise) for the ranking rules. Meilisearch queues every write as a task; the
engine waits for each task and fails when one fails, so the indexing job's cursor only moves once
the index holds what it was sent.

A search is one ``/multi-search`` request: the page of hits (filtered by type when asked) and,
when a type is asked, the same query over every type for the facet counts. Both use page mode
(``page``/``hitsPerPage``), whose ``totalHits`` and facet counts are exhaustive, not estimated.
Meilisearch tolerates typos itself, so ``corrected`` is always None.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import httpx2
from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchError,
    MeilisearchTimeoutError,
)
from meilisearch_python_sdk.models.search import SearchParams, SearchResultsWithUID
from meilisearch_python_sdk.models.settings import MeilisearchSettings, MinWordSizeForTypos, TypoTolerance
from meilisearch_python_sdk.models.task import TaskInfo
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.search.documents import (
    MARK_END,
    MARK_START,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResults,
    first_words,
    marked_html,
)
from pydotorg.core.search.engine import SearchUnavailable

PRIMARY_KEY = "key"
BATCH_SIZE = 1_000  # documents per request (at most ~20 MB of text with MAX_TEXT_CHARS)
TASK_TIMEOUT_MS = 60_000  # how long a write waits for Meilisearch to process its task
CROP_WORDS = 40
CROP_MARKER = "…"
SETTINGS = MeilisearchSettings(
    # The order is the attributes' importance (the "attribute" ranking rule).
    searchable_attributes=["title", "keywords", "text"],
    filterable_attributes=["type", "id"],
    sortable_attributes=["order", "boost"],
    displayed_attributes=["*"],
    # Textual relevance first; the boost only orders documents that match equally well up to the
    # attribute they match in, then exactness, then the newest first (docs/decisions.md).
    ranking_rules=["words", "typo", "proximity", "attribute", "boost:desc", "exactness", "order:desc"],
    # Meilisearch's defaults, stated so an index changed by hand is put back.
    typo_tolerance=TypoTolerance(
        enabled=True, min_word_size_for_typos=MinWordSizeForTypos(one_typo=5, two_typos=9)
    ),
)
RETRIEVED = ["id", "type", "title", "url", "text", "date", "detail"]
_UNSAFE_KEY_CHAR = re.compile(r"[^A-Za-z0-9_-]")
_WORD = re.compile(r"\w")


def document_key(doc_id: str) -> str:
    """The Meilisearch id of a document: "release:12" -> "release-12"; any other character
    Meilisearch refuses becomes "_<hex>_" (ids are ``<type>:<record id>``, so rarely needed)."""
    return _UNSAFE_KEY_CHAR.sub(lambda m: f"_{ord(m[0]):x}_", doc_id.replace(":", "-"))


def filter_value(value: str) -> str:
    """``value`` as a double-quoted Meilisearch filter string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_meilisearch(doc: SearchDocument) -> dict[str, Any]:
    return {
        PRIMARY_KEY: document_key(doc.id),
        "id": doc.id,
        "type": doc.type,
        "title": doc.title,
        "url": doc.url,
        "keywords": doc.keywords,
        "text": doc.text,
        "boost": float(doc.boost),
        "date": doc.date.isoformat() if doc.date else None,
        "order": int(doc.tiebreak),
        "detail": doc.detail,
    }


def _hit(found: dict[str, Any]) -> SearchHit:
    formatted = found.get("_formatted") or {}
    text = formatted.get("text")
    if not isinstance(text, str):  # no _formatted: Meilisearch did not crop, so cut it here
        text = first_words(found.get("text") or "", CROP_WORDS)
    excerpt = marked_html(text)
    date = found.get("date")
    return SearchHit(
        id=found["id"],
        type=found["type"],
        title=found.get("title") or "",
        url=found.get("url") or "",
        excerpt=excerpt,
        date=date[:10] if isinstance(date, str) and date else None,
        detail=found.get("detail") or "",
    )


class MeilisearchEngine:
    def __init__(self, url: str, api_key: str, index: str, timeout: float = 5.0) -> None:
        self.name = f"meilisearch:{index}"
        self.url = url
        self.index_uid = index
        self._client = AsyncClient(url, api_key or None)
        self._client.http_client.timeout = httpx2.Timeout(timeout)
        self._index = self._client.index(index)
        self._prepared = False

    @contextmanager
    def _reaching(self, action: str) -> Iterator[None]:
        """Turn "Meilisearch cannot answer" into ``SearchUnavailable``; a request Meilisearch
        refuses as invalid (4xx) is our bug and keeps its own exception and message."""
        where = f"Meilisearch at {self.url} ({action})"
        try:
            yield
        except MeilisearchApiError as err:
            if err.status_code in (401, 403):
                raise SearchUnavailable(
                    f"{where} refused the API key (PYDOTORG_MEILISEARCH_API_KEY): {err}"
                ) from err
            if err.status_code >= 500:
                raise SearchUnavailable(f"{where} answered {err.status_code}: {err}") from err
            raise
        except (MeilisearchCommunicationError, MeilisearchTimeoutError) as err:
            raise SearchUnavailable(f"{where} is unreachable: {err}") from err
        except MeilisearchError as err:  # the SDK's wrapper for read timeouts and broken connections
            raise SearchUnavailable(f"{where} failed: {err.__cause__ or err!r}") from err
        except httpx2.HTTPStatusError as err:  # a non-JSON answer, such as a proxy's 502 page
            status = err.response.status_code
            if status >= 500 or status in (401, 403):
                raise SearchUnavailable(f"{where} answered {status}") from err
            raise
        except httpx2.HTTPError as err:
            raise SearchUnavailable(f"{where} failed: {err!r}") from err

    async def _wait(self, tasks: Sequence[TaskInfo], action: str) -> None:
        for task in tasks:
            result = await self._client.wait_for_task(task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS)
            if result.status != "succeeded":
                error = result.error or {}
                raise SearchUnavailable(
                    f"Meilisearch task {task.task_uid} ({action}) {result.status}: "
                    f"{error.get('code', '')}: {error.get('message', '')}"
                )

    async def prepare(self) -> None:
        with self._reaching("prepare"):
            try:
                await self._index.fetch_info()
            except MeilisearchApiError as err:
                if err.code != "index_not_found":
                    raise
                await self._client.create_index(self.index_uid, PRIMARY_KEY, timeout_in_ms=TASK_TIMEOUT_MS)
                await self._index.fetch_info()
            if self._index.primary_key not in (None, PRIMARY_KEY):
                raise RuntimeError(
                    f"The Meilisearch index {self.index_uid!r} has the primary key "
                    f"{self._index.primary_key!r}, not {PRIMARY_KEY!r}: delete it or choose another "
                    "PYDOTORG_MEILISEARCH_INDEX"
                )
            task = await self._index.update_settings(SETTINGS)
            await self._wait([task], "settings")
        self._prepared = True

    async def _ensure_prepared(self) -> None:
        if not self._prepared:
            await self.prepare()

    async def _add(self, docs: Sequence[SearchDocument]) -> None:
        with self._reaching("add documents"):
            tasks = [
                await self._index.add_documents(
                    [to_meilisearch(d) for d in docs[start : start + BATCH_SIZE]], primary_key=PRIMARY_KEY
                )
                for start in range(0, len(docs), BATCH_SIZE)
            ]
            await self._wait(tasks, "add documents")

    async def _delete_where(self, filter_: str) -> None:
        with self._reaching("delete documents"):
            task = await self._index.delete_documents_by_filter(filter_)
            await self._wait([task], f"delete documents where {filter_}")

    async def upsert(self, session: AsyncSession, docs: Sequence[SearchDocument]) -> None:
        await self._ensure_prepared()
        if docs:
            await self._add(docs)

    async def delete(self, session: AsyncSession, ids: Collection[str]) -> None:
        await self._ensure_prepared()
        keys = sorted({document_key(i) for i in ids})
        if not keys:
            return
        with self._reaching("delete documents"):
            tasks = [
                await self._index.delete_documents(keys[start : start + BATCH_SIZE])
                for start in range(0, len(keys), BATCH_SIZE)
            ]
            await self._wait(tasks, "delete documents")

    async def replace_type(self, session: AsyncSession, type_: str, docs: Sequence[SearchDocument]) -> None:
        await self._ensure_prepared()
        await self.upsert(session, docs)
        of_type = f"type = {filter_value(type_)}"
        if docs:
            kept = ", ".join(filter_value(d.id) for d in docs)
            await self._delete_where(f"{of_type} AND NOT id IN [{kept}]")
        else:
            await self._delete_where(of_type)

    async def clear(self, session: AsyncSession) -> None:
        await self._ensure_prepared()
        with self._reaching("delete all documents"):
            task = await self._index.delete_all_documents()
            await self._wait([task], "delete all documents")

    async def optimize(self, session: AsyncSession) -> None:
        """Nothing to do: Meilisearch has indexed every document once its task succeeded."""

    async def search(self, session: AsyncSession, query: SearchQuery) -> SearchResults:
        if not _WORD.search(query.q):  # Meilisearch would answer every document
            return SearchResults(total=0, hits=[], facets={})
        hits_query = SearchParams(
            index_uid=self.index_uid,
            q=query.q,
            filter=f"type = {filter_value(query.type)}" if query.type else None,
            facets=None if query.type else ["type"],
            page=query.page,
            hits_per_page=query.per_page,
            attributes_to_retrieve=RETRIEVED,
            attributes_to_highlight=["title", "text"],
            attributes_to_crop=["text"],
            crop_length=CROP_WORDS,
            crop_marker=CROP_MARKER,
            highlight_pre_tag=MARK_START,
            highlight_post_tag=MARK_END,
            matching_strategy="all",
        )
        queries = [hits_query]
        if query.type:  # the facet counts are over every type, whatever the filter
            queries.append(
                SearchParams(
                    index_uid=self.index_uid,
                    q=query.q,
                    facets=["type"],
                    page=1,
                    hits_per_page=0,
                    attributes_to_retrieve=[PRIMARY_KEY],
                    matching_strategy="all",
                )
            )
        with self._reaching("search"):
            try:
                answers = await self._client.multi_search(queries)
            except MeilisearchApiError as err:
                if err.code == "index_not_found":
                    raise SearchUnavailable(
                        f"The Meilisearch index {self.index_uid!r} does not exist yet: run a full reindex"
                    ) from err
                raise
        answers = cast(list[SearchResultsWithUID[dict[str, Any]]], answers)  # not federated: one per query
        found = answers[0]
        distribution = (answers[-1].facet_distribution or {}).get("type") or {}
        return SearchResults(
            total=found.total_hits if found.total_hits is not None else found.estimated_total_hits or 0,
            hits=[_hit(h) for h in found.hits],
            facets={str(t): int(n) for t, n in distribution.items()},
        )

    async def aclose(self) -> None:
        await self._client.aclose()
