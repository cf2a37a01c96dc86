"""Search: one interface (``engine.SearchEngine``), two engines (PostgreSQL full-text search,
the default; Meilisearch in production), the indexing job that keeps the index in step with the
change feed, and ``GET /api/v3/search``. Domains declare what is searchable (``SearchSource`` in
their ``search.py``); ``pydotorg.indexes`` composes them."""

from __future__ import annotations

from pydotorg.core.search.documents import SearchDocument, SearchSource
from pydotorg.core.search.engine import SearchEngine, SearchUnavailable
from pydotorg.settings import Settings


def create_engine(settings: Settings) -> SearchEngine:
    """The engine the settings name."""
    if settings.search_engine == "meilisearch":
        from pydotorg.core.search.meilisearch import MeilisearchEngine  # the SDK loads only when used

        return MeilisearchEngine(
            settings.meilisearch_url,
            settings.meilisearch_api_key,
            settings.meilisearch_index,
            timeout=settings.meilisearch_timeout_seconds,
        )
    from pydotorg.core.search.postgres import PostgresEngine

    return PostgresEngine()


__all__ = ["SearchDocument", "SearchEngine", "SearchSource", "SearchUnavailable", "create_engine"]
