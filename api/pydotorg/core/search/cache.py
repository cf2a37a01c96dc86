"""A per-process cache of search answers, bounded in bytes.

An answer is cached under the index's generation (the ``updated`` time of the engine's row in
``search_cursors``, which moves in the same transaction as every change to the index, or right
after it for Meilisearch; each process looks at it at most once a second) and the normalised
query, type and page: a new generation makes every
older entry unreachable, and the least recently used entries leave once the bytes are spent.
Only the parameters the endpoint accepts are in the key, so varying anything else cannot grow it.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Hashable
from datetime import datetime

from prometheus_client import Counter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.lru import ByteLRU
from pydotorg.core.search.postgres import SearchCursor

CACHE_LOOKUPS = Counter("pydotorg_search_cache_total", "Search answers by cache outcome", ["outcome"])


class AnswerCache(ByteLRU[Hashable, bytes]):
    """Also the searches being run now, by key, so that a burst of the same search (a popular query
    right after the index changed) runs it once and the others wait for its answer."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes)
        self.computing: dict[Hashable, asyncio.Future[bytes | None]] = {}

    def get(self, key: Hashable) -> bytes | None:
        value = super().get(key)
        CACHE_LOOKUPS.labels("hit" if value is not None else "miss").inc()
        return value

    def store(self, key: Hashable, value: bytes) -> None:
        if len(value) <= self.max_bytes // 8:  # one answer never takes more than an eighth
            self.put(key, value, len(value))


class Generation:
    """When the engine's index last changed (None: never filled), read from the database at most
    once per ``max_age`` seconds: the cached answers' clock."""

    def __init__(self, engine_name: str, max_age: float) -> None:
        self.engine_name = engine_name
        self.max_age = max_age
        self._value: datetime | None = None
        self._read_at = -math.inf
        self._looking = False

    async def current(self, session: AsyncSession) -> datetime | None:
        """One request looks; those that arrive while it does use the value it is replacing (a
        look per request in flight, when the second turns, stalled a loaded process)."""
        now = time.monotonic()
        if now - self._read_at >= self.max_age and not self._looking:
            self._looking = True
            try:
                stmt = select(SearchCursor.updated).where(SearchCursor.engine == self.engine_name)
                self._value = await session.scalar(stmt)
                self._read_at = now
            finally:
                self._looking = False
        return self._value
