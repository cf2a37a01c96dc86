"""Keeping the search index in step with the change feed.

``search.index`` (coalesced, enqueued after every commit that recorded changes) reads the feed
after the index's cursor (``search_cursors``, one row per engine), asks each source that watches a
changed kind for the documents of the changed records, upserts the ones it returns and deletes the
ones it leaves out (unpublished, deleted, no longer visible), then moves the cursor. With the
PostgreSQL engine the documents and the cursor commit in one transaction. With Meilisearch the
documents are written first and the cursor after: if Meilisearch is down the job fails before the
cursor moves, SAQ retries it, and the search watch enqueues it again while the index is behind,
so the index catches up when Meilisearch returns. Writes never wait for the index.

An index without a cursor (a new database, a new engine or index) is filled by a full reindex,
as is ``pydotorg search reindex``. ``search.daily`` re-reads the time-dependent sources (release
age and past events move the boosts; expired jobs leave).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import structlog
from prometheus_client import Gauge
from saq import CronJob
from saq.job import Status
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core.changes import (
    SEARCH_KEY,
    SEARCH_REQUESTS_KEY,
    Change,
    enqueue_search_index,
    latest_cursor,
)
from pydotorg.core.search.documents import SearchDocument, SearchSource, document_id
from pydotorg.core.search.engine import SearchEngine
from pydotorg.core.search.postgres import SearchCursor

log = structlog.get_logger(__name__)

SEARCH_LOCK = 0x7365617263  # "searc": one indexing run at a time per database
BATCH = 5_000  # change-feed rows per step
UPSERT_BATCH = 500

SEARCH_BEHIND = Gauge(
    "pydotorg_search_unindexed_changes", "Change-feed entries after the search index's cursor"
)

Progress = Callable[[int], None]


def _now() -> datetime:
    return datetime.now(UTC)


async def search_cursor(session: AsyncSession, engine: SearchEngine) -> int | None:
    return await session.scalar(select(SearchCursor.cursor).where(SearchCursor.engine == engine.name))


async def _save_cursor(session: AsyncSession, engine: SearchEngine, cursor: int) -> None:
    stmt = insert(SearchCursor).values(engine=engine.name, cursor=cursor)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[SearchCursor.engine], set_={"cursor": cursor, "updated": _now()}
        )
    )


async def _lock(session: AsyncSession) -> None:
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SEARCH_LOCK})


async def _write(
    session: AsyncSession, engine: SearchEngine, docs: Sequence[SearchDocument], progress: Progress | None
) -> None:
    for start in range(0, len(docs), UPSERT_BATCH):
        batch = docs[start : start + UPSERT_BATCH]
        await engine.upsert(session, batch)
        if progress is not None:
            progress(len(batch))


async def reindex(
    sessionmaker: async_sessionmaker[AsyncSession],
    engine: SearchEngine,
    sources: Sequence[SearchSource],
    *,
    progress: Callable[[int], Progress] | None = None,
    now: datetime | None = None,
) -> int:
    """Rebuild the whole index from the database; returns the number of documents.

    ``progress(total)`` is called once the documents are read and returns the callback that each
    written batch reports to (the command's progress bar)."""
    await engine.prepare()
    now = now or _now()
    async with sessionmaker() as session, session.begin():
        await _lock(session)
        head = await latest_cursor(session)  # changes after this are applied by the next run
        docs: list[SearchDocument] = []
        for source in sources:
            docs.extend(await source.load(session, None, now))
        await engine.clear(session)
        await _write(session, engine, docs, progress(len(docs)) if progress else None)
        await engine.optimize(session)
        await _save_cursor(session, engine, head)
    log.info("search_reindexed", engine=engine.name, documents=len(docs), cursor=head)
    return len(docs)


async def index_changes(
    sessionmaker: async_sessionmaker[AsyncSession],
    engine: SearchEngine,
    sources: Sequence[SearchSource],
    *,
    now: datetime | None = None,
) -> dict[str, int]:
    """Apply the change feed after the index's cursor, in steps of ``BATCH`` rows, until the
    index reaches the head it saw. Returns counts of what it did."""
    await engine.prepare()
    now = now or _now()
    done = {"changes": 0, "upserted": 0, "deleted": 0, "reindexed": 0}
    while True:
        async with sessionmaker() as session, session.begin():
            await _lock(session)
            cursor = await search_cursor(session, engine)
            if cursor is None:
                break
            rows = list(
                await session.execute(
                    select(Change.cursor, Change.domain, Change.kind, Change.object_id)
                    .where(Change.cursor > cursor)
                    .order_by(Change.cursor)
                    .limit(BATCH)
                )
            )
            if not rows:
                SEARCH_BEHIND.set(0)
                return done
            await _apply(session, engine, sources, rows, now, done)
            await _save_cursor(session, engine, rows[-1].cursor)
            done["changes"] += len(rows)
    # No cursor: this engine's index was never filled.
    done["reindexed"] = await reindex(sessionmaker, engine, sources, now=now)
    return done


async def _apply(
    session: AsyncSession,
    engine: SearchEngine,
    sources: Sequence[SearchSource],
    rows: Sequence[Any],
    now: datetime,
    done: dict[str, int],
) -> None:
    for source in sources:
        ids: set[int] = set()
        everything = False
        for row in rows:
            reach = source.watches.get((row.domain, row.kind))
            if reach == "all":
                everything = True
                break
            if reach == "self" and row.object_id.isdigit():
                ids.add(int(row.object_id))
        if everything:
            docs = await source.load(session, None, now)
            await engine.replace_type(session, source.type, docs)
            done["upserted"] += len(docs)
        elif ids:
            docs = await source.load(session, sorted(ids), now)
            await engine.upsert(session, docs)
            gone = {document_id(source.type, i) for i in ids} - {d.id for d in docs}
            await engine.delete(session, gone)
            done["upserted"] += len(docs)
            done["deleted"] += len(gone)


async def refresh(
    sessionmaker: async_sessionmaker[AsyncSession],
    engine: SearchEngine,
    sources: Sequence[SearchSource],
    *,
    now: datetime | None = None,
) -> int:
    """Re-read every time-dependent source whole (``search.daily``)."""
    await engine.prepare()
    now = now or _now()
    count = 0
    async with sessionmaker() as session, session.begin():
        await _lock(session)
        for source in sources:
            if source.time_dependent:
                docs = await source.load(session, None, now)
                await engine.replace_type(session, source.type, docs)
                count += len(docs)
        cursor = await search_cursor(session, engine)
        if cursor is not None:
            await _save_cursor(session, engine, cursor)  # a new generation: cached answers go
    return count


# --- jobs ------------------------------------------------------------------------------------


async def search_index(ctx: dict[str, Any]) -> dict[str, int]:
    """``search.index``: bring the index up to the change feed's head."""
    redis = getattr(ctx["queue"], "redis", None)
    if redis is not None:
        ctx["search_requests_seen"] = int(await redis.get(SEARCH_REQUESTS_KEY) or 0)
    done = await index_changes(ctx["sessionmaker"], ctx["search_engine"], ctx["search_sources"])
    log.info("search_indexed", **done)
    return done


async def search_daily(ctx: dict[str, Any]) -> dict[str, int]:
    """``search.daily``: re-read the sources whose documents move with the date."""
    count = await refresh(ctx["sessionmaker"], ctx["search_engine"], ctx["search_sources"])
    return {"refreshed": count}


search_daily.__qualname__ = "search.daily"  # SAQ enqueues a cron job under its function's __qualname__


async def check_search(ctx: dict[str, Any]) -> bool:
    """One look by the search watch: enqueue ``search.index`` when the index is behind the feed
    (or was never filled) and no run is waiting or running. True when it enqueued."""
    engine: SearchEngine = ctx["search_engine"]
    async with ctx["sessionmaker"]() as session:
        head = await latest_cursor(session)
        cursor = await search_cursor(session, engine)
    SEARCH_BEHIND.set(max(head - (cursor or 0), 0))
    if cursor is not None and cursor >= head:
        return False
    job = await ctx["queue"].job(SEARCH_KEY)
    if job is not None and job.status in (Status.NEW, Status.QUEUED, Status.ACTIVE, Status.ABORTING):
        return False
    await enqueue_search_index(ctx["queue"], count=False)
    return True


async def watch_search(ctx: dict[str, Any], every: float) -> None:
    """``check_search`` at start-up and every ``every`` seconds; an outage only skips a look."""
    while True:
        try:
            await check_search(ctx)
        except Exception as exc:
            log.warning("search_watch_failed", error=str(exc))
        await asyncio.sleep(every)


JOB_FUNCTIONS = (("search.index", search_index), ("search.daily", search_daily))
CRON_JOBS: tuple[CronJob[Any], ...] = (CronJob(search_daily, cron="15 0 * * *", timeout=600, retries=3),)
