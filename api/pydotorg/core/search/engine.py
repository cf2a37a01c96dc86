"""The one interface both search engines implement (``postgres.PostgresEngine``,
``meilisearch.MeilisearchEngine``); ``create_engine(settings)`` picks one from the settings.

Every call takes the caller's database session. The PostgreSQL engine writes and reads through it,
so the indexing job's document changes and its cursor commit together; Meilisearch ignores it.
An engine that cannot be reached raises ``SearchUnavailable`` (the API answers 503, the indexing
job fails and is retried, its cursor unmoved)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.search.documents import SearchDocument, SearchQuery, SearchResults


class SearchUnavailable(ConnectionError):
    """The search engine did not answer (or answered with a server error): a ConnectionError, so
    the API answers it as every unreachable backing service, 503 with Retry-After."""


class SearchEngine(Protocol):
    # The key of this engine's cursor in ``search_cursors`` ("postgres", "meilisearch:<index>"):
    # a new engine or index starts from nothing and is filled by a full reindex.
    name: str

    async def prepare(self) -> None:
        """Create the index and apply its settings (idempotent)."""

    async def upsert(self, session: AsyncSession, docs: Sequence[SearchDocument]) -> None:
        """Add or replace these documents (by id)."""

    async def delete(self, session: AsyncSession, ids: Collection[str]) -> None:
        """Remove these document ids; unknown ids are ignored."""

    async def replace_type(self, session: AsyncSession, type_: str, docs: Sequence[SearchDocument]) -> None:
        """Make ``docs`` the whole set of documents of ``type_``."""

    async def clear(self, session: AsyncSession) -> None:
        """Remove every document."""

    async def optimize(self, session: AsyncSession) -> None:
        """After a bulk load (the full reindex): whatever makes the next searches fast."""

    async def search(self, session: AsyncSession, query: SearchQuery) -> SearchResults:
        """One page of results, the facet counts and the total."""

    async def aclose(self) -> None:
        """Release connections."""
