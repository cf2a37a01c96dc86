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

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import (
    BigInteger,
    Identity,
    Index,
    Integer,
    Select,
    String,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
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
# Stamped on every change by ``ContentManageable``'s listener: never reported as changed fields.
AUDIT_STAMPS = frozenset({"updated", "last_modified_by_id"})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who a change is recorded for: the user's id and username at the time."""

    user_id: int
    username: str


# Set for each request by the auth middleware (core/auth.py) once it knows the principal, so every
# change row the request writes names its actor. Jobs run in contexts of their own (null actor);
# a command may name one with ``acting_as``.
CURRENT_ACTOR: ContextVar[Actor | None] = ContextVar("pydotorg_change_actor", default=None)


@contextmanager
def acting_as(actor: Actor | None) -> Iterator[None]:
    token = CURRENT_ACTOR.set(actor)
    try:
        yield
    finally:
        CURRENT_ACTOR.reset(token)


class Change(Base):
    __tablename__ = "changes"
    # One record's history (``GET /api/v3/changes/history``), newest first.
    __table_args__ = (Index("ix_changes_record", "domain", "kind", "object_id", "cursor"),)

    cursor: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    domain: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(10))
    created: Mapped[datetime] = mapped_column(server_default=func.now())
    # Who made the change (audit history): the user's id and username at the time, with no foreign
    # key (core knows no domain; the name outlives a deleted account). Null/"" for jobs and imports.
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str] = mapped_column(String(150), default="", server_default="")
    # The changed column names of an "updated" row (``__change_ignore__`` ones left out).
    fields: Mapped[list[str]] = mapped_column(
        ARRAY(String(100)), default=list, server_default=text("'{}'::varchar[]")
    )


def _identity(obj: Any) -> tuple[str, str, str] | None:
    domain = getattr(type(obj), "__change_domain__", None)
    if not domain:
        return None
    kind = type(obj).__change_kind__ or type(obj).__tablename__
    return domain, kind, str(obj.id)


def _changed_columns(obj: Any) -> list[str]:
    """The columns that changed, other than the model's ``__change_ignore__`` ones; a record
    with none is not reported."""
    ignored: frozenset[str] = getattr(type(obj), "__change_ignore__", frozenset())
    state = inspect(obj)
    return [
        attr.key
        for attr in state.mapper.column_attrs
        if attr.key not in ignored and state.attrs[attr.key].history.has_changes()
    ]


def _actor(session: Session) -> tuple[int | None, str]:
    """The request's actor, else what a job's or command's ``transaction(actor_id=...)`` said."""
    actor = CURRENT_ACTOR.get()
    if actor is not None:
        return actor.user_id, actor.username
    return session.info.get("actor_id"), str(session.info.get("actor") or "")


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, _ctx: Any) -> None:
    rows: dict[tuple[str, str, str], str] = {}
    fields: dict[tuple[str, str, str], list[str]] = {}
    for action, objs in (
        ("created", session.new),
        ("updated", session.dirty),
        ("deleted", session.deleted),
    ):
        for obj in objs:
            ident = _identity(obj)
            if ident is None:
                continue
            if action == "updated":
                changed = _changed_columns(obj)
                if not changed:
                    continue
                # Empty when only the stamps moved: a related record (a rule, a link) changed.
                fields[ident] = sorted(set(changed) - AUDIT_STAMPS)
            # A record created and updated in one transaction is reported once as "created".
            if action == "deleted":
                rows[ident] = action
            else:
                rows.setdefault(ident, action)
    if not rows:
        return
    actor_id, actor = _actor(session)
    conn = session.connection()
    if not session.info.get("change_lock"):
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHANGE_FEED_LOCK})
        session.info["change_lock"] = True
    conn.execute(
        insert(Change),
        [
            {
                "domain": d,
                "kind": k,
                "object_id": i,
                "action": a,
                "actor_id": actor_id,
                "actor": actor,
                "fields": fields.get((d, k, i), []) if a == "updated" else [],
            }
            for (d, k, i), a in sorted(rows.items())
        ],
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


# SAQ leaves this marker for 5 s after it aborts a job (a sweep: a worker starting while a job was
# being taken), and drops every enqueue with the job's key while the marker is there.
ABORT_MARKER = "saq:abort:"
WAITING_OR_RUNNING = frozenset({"new", "queued", "active", "aborting"})


async def enqueue_coalesced(queue: Any, function: str, key: str, **options: Any) -> None:
    """Enqueue ``function`` under ``key`` unless a job with that key is waiting or running (then it
    will see this change). SAQ also refuses the key while an aborted job's marker lives, which
    held edits back for up to 5 s after a worker started: a refusal with no job on its way clears
    that marker and enqueues again."""
    if await queue.enqueue(function, key=key, **options) is not None or not hasattr(queue, "redis"):
        return
    current = await queue.job(key)
    if current is not None and current.status.value in WAITING_OR_RUNNING:
        return
    await queue.redis.delete(ABORT_MARKER + key)
    await queue.enqueue(function, key=key, **options)


async def enqueue_rebuild(queue: Any, *, count: bool = True) -> None:
    """Coalesced: while a rebuild is queued (same key), SAQ returns None instead of a new job."""
    try:
        if count and hasattr(queue, "redis"):
            await queue.redis.incr(REBUILD_REQUESTS_KEY)
        await enqueue_coalesced(
            queue,
            REBUILD_JOB,
            REBUILD_KEY,
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
        await enqueue_coalesced(
            queue, SEARCH_JOB, SEARCH_KEY, timeout=600, retries=5, retry_delay=2.0, retry_backoff=True
        )
    except Exception as exc:  # Redis down: the search watch finds the index behind the feed later
        log.warning("search_enqueue_failed", error=str(exc))


async def list_changes(session: AsyncSession, *, after: int, limit: int) -> list[Change]:
    result = await session.scalars(
        select(Change).where(Change.cursor > after).order_by(Change.cursor).limit(limit)
    )
    return list(result)


def record_history(*, domain: str, kind: str, object_id: str) -> Select[Any]:
    """One record's change rows, newest first (``ix_changes_record``)."""
    return (
        select(Change)
        .where(Change.domain == domain, Change.kind == kind, Change.object_id == object_id)
        .order_by(Change.cursor.desc())
    )


async def latest_cursor(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(Change.cursor), 0))) or 0)
