"""The change feed: one row per changed record, written in the same transaction as the change.

Rows are ``(cursor, domain, kind, object_id, action)``. Cursor order is commit order: the first
flush that records a change takes a transaction-scoped advisory lock, so two writers cannot
commit out of cursor order (a reader that saw cursor N can never later find a row < N appear).
Write transactions are short, so serialising their last part costs little.

After a commit that recorded changes, ``site.rebuild`` and ``search.index`` are enqueued, each
with a fixed key so a burst of writes coalesces into one rebuild and one indexing run. If Redis is
down the write still stands: the site builder and the search index work from their saved
cursors, not from the queue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import BigInteger, Identity, String, event, func, insert, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from pydotorg.core.db import Base, add_after_commit

log = structlog.get_logger(__name__)

CHANGE_FEED_LOCK = 0x70796F7267  # "pyorg"
REBUILD_JOB = "site.rebuild"
REBUILD_KEY = "site.rebuild"
# A running rebuild touches its SAQ job every second; one untouched this long belongs to a worker
# that died, and the site watch (core/tasks.py) replaces it.
REBUILD_HEARTBEAT_SECONDS = 5
VERSION_KEY = "pydotorg:data_version"


class Change(Base):
    __tablename__ = "changes"

    cursor: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    domain: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(10))
    created: Mapped[datetime] = mapped_column(server_default=func.now())


def _identity(obj: Any) -> tuple[str, str, str] | None:
    domain = getattr(type(obj), "__change_domain__", None)
    if not domain:
        return None
    kind = type(obj).__change_kind__ or type(obj).__tablename__
    return domain, kind, str(obj.id)


def _content_changed(obj: Any) -> bool:
    """True when a column other than the model's ``__change_ignore__`` ones changed."""
    ignored: frozenset[str] = getattr(type(obj), "__change_ignore__", frozenset())
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        if attr.key in ignored:
            continue
        if state.attrs[attr.key].history.has_changes():
            return True
    return False


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, _ctx: Any) -> None:
    rows: dict[tuple[str, str, str], str] = {}
    for action, objs in (
        ("created", session.new),
        ("updated", session.dirty),
        ("deleted", session.deleted),
    ):
        for obj in objs:
            if action == "updated" and not _content_changed(obj):
                continue
            ident = _identity(obj)
            if ident is None:
                continue
            # A record created and updated in one transaction is reported once as "created".
            if action == "deleted":
                rows[ident] = action
            else:
                rows.setdefault(ident, action)
    if not rows:
        return
    conn = session.connection()
    if not session.info.get("change_lock"):
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHANGE_FEED_LOCK})
        session.info["change_lock"] = True
    conn.execute(
        insert(Change),
        [{"domain": d, "kind": k, "object_id": i, "action": a} for (d, k, i), a in sorted(rows.items())],
    )
    if not session.info.get("rebuild_scheduled"):
        session.info["rebuild_scheduled"] = True
        redis = session.info.get("redis")
        if redis is not None:
            add_after_commit(session, lambda: bump_data_version(redis))
        queue = session.info.get("queue")
        if queue is not None:
            add_after_commit(session, lambda: enqueue_rebuild(queue))
            add_after_commit(session, lambda: enqueue_search_index(queue))


@event.listens_for(Session, "after_commit")
def _reset(session: Session) -> None:
    session.info.pop("change_lock", None)
    session.info.pop("rebuild_scheduled", None)


@event.listens_for(Session, "after_rollback")
def _reset_rollback(session: Session) -> None:
    session.info.pop("change_lock", None)
    session.info.pop("rebuild_scheduled", None)


LOCAL_WRITES = [0]  # bumped in-process so this process's caches turn over at once


def invalidate_local() -> None:
    LOCAL_WRITES[0] += 1


async def bump_data_version(redis: Any) -> None:
    """Tell every API process that cached read responses are out of date."""
    invalidate_local()
    try:
        await redis.incr(VERSION_KEY)
    except Exception as exc:  # cached entries expire after a few seconds anyway
        log.warning("data_version_bump_failed", error=str(exc))


# Counts rebuild requests. SAQ drops an enqueue whose key is still queued *or running*, so a
# write committed while a rebuild is finishing would wait for the next write; the worker compares
# this counter with the value the job saw when it last started building, and enqueues again.
REBUILD_REQUESTS_KEY = "pydotorg:site:rebuild_requests"


async def enqueue_rebuild(queue: Any, *, count: bool = True) -> None:
    """Coalesced: while a rebuild is queued (same key), SAQ returns None instead of a new job."""
    try:
        if count and hasattr(queue, "redis"):
            await queue.redis.incr(REBUILD_REQUESTS_KEY)
        await queue.enqueue(
            REBUILD_JOB,
            key=REBUILD_KEY,
            timeout=600,
            heartbeat=REBUILD_HEARTBEAT_SECONDS,
            retries=3,
            retry_delay=5.0,
        )
    except Exception as exc:  # Redis down: the change is in the feed; the next rebuild finds it.
        log.warning("rebuild_enqueue_failed", error=str(exc))


SEARCH_JOB = "search.index"
SEARCH_KEY = "search.index"
SEARCH_REQUESTS_KEY = "pydotorg:search:index_requests"  # as REBUILD_REQUESTS_KEY, for search.index


async def enqueue_search_index(queue: Any, *, count: bool = True) -> None:
    """Coalesced like the rebuild: one ``search.index`` job applies every change after the
    search index's cursor (core/search/indexing.py)."""
    try:
        if count and hasattr(queue, "redis"):
            await queue.redis.incr(SEARCH_REQUESTS_KEY)
        await queue.enqueue(
            SEARCH_JOB, key=SEARCH_KEY, timeout=600, retries=5, retry_delay=2.0, retry_backoff=True
        )
    except Exception as exc:  # Redis down: the search watch finds the index behind the feed later
        log.warning("search_enqueue_failed", error=str(exc))


async def list_changes(session: AsyncSession, *, after: int, limit: int) -> list[Change]:
    result = await session.scalars(
        select(Change).where(Change.cursor > after).order_by(Change.cursor).limit(limit)
    )
    return list(result)


async def latest_cursor(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(Change.cursor), 0))) or 0)
