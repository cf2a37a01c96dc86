"""Database plumbing: declarative base, the cms mixins, engine and the one commit helper.

Requests get a session from Advanced Alchemy's plugin; ``provide_transaction`` wraps it so the
commit happens *before* the response is produced. A commit failure therefore becomes an error
response, never a 2xx for data that was not stored. Jobs and CLI commands use ``transaction()``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import structlog
from advanced_alchemy.extensions.litestar import AsyncSessionConfig, SQLAlchemyAsyncConfig
from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, MetaData, String, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column

from pydotorg.settings import Settings

log = structlog.get_logger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

AfterCommit = Callable[[], Awaitable[None]]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True), int: Integer}

    # Change-feed identity: models that set ``__change_domain__`` are recorded in the feed.
    __change_domain__: str | None = None
    __change_kind__: str | None = None
    # Columns whose changes are bookkeeping, not content (no change-feed row for them alone).
    __change_ignore__: frozenset[str] = frozenset()


class IntPK:
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)


class BigIntPK:
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)


class ContentManageable:
    """python.org's ``cms.ContentManageable``: created/updated and who did it.

    ``creator_id`` and ``last_modified_by_id`` are filled from the session's actor by the
    ``before_flush`` listener below; ``updated`` is bumped on every real change.
    """

    created: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def creator_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    @declared_attr
    def last_modified_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


class NameSlug:
    """python.org's ``cms.NameSlugModel``: name plus a unique slug derived from it."""

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)


_SLUG_STRIP = re.compile(r"[^\w\s-]")
_SLUG_HYPHENATE = re.compile(r"[-\s]+")


def slugify(value: str) -> str:
    """Django's ``slugify`` (ASCII): "Python 3.14.1" -> ``python-3141``."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = _SLUG_STRIP.sub("", value.lower())
    return _SLUG_HYPHENATE.sub("-", value).strip("-_")


# --- engine and sessions -------------------------------------------------------------------


def create_engine(settings: Settings) -> AsyncEngine:
    if not settings.database_url:
        raise RuntimeError("PYDOTORG_DATABASE_URL is not set (run `pydotorg dev up` for a local one)")
    return create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_pre_ping=True,
        connect_args={
            "server_settings": {
                "application_name": "pydotorg",
                "statement_timeout": str(settings.database_statement_timeout_ms),
                "lock_timeout": str(settings.database_lock_timeout_ms),
                "timezone": "UTC",
            }
        },
    )


def create_sqlalchemy_config(engine: AsyncEngine) -> SQLAlchemyAsyncConfig:
    """Advanced Alchemy's plugin config; commit is owned by ``provide_transaction``."""
    return SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_config=AsyncSessionConfig(expire_on_commit=False, autoflush=True),
        session_dependency_key="db_session",
        create_all=False,
    )


def add_after_commit(session: AsyncSession | Session, callback: AfterCommit) -> None:
    """Run ``callback`` once the current transaction has committed (mail, job enqueue, ...)."""
    session.info.setdefault("after_commit", []).append(callback)


async def commit(session: AsyncSession) -> None:
    """Commit, then run the after-commit callbacks. The single place that commits."""
    await session.commit()
    callbacks: list[AfterCommit] = session.info.pop("after_commit", [])
    for callback in callbacks:
        try:
            await callback()
        except Exception:  # an after-commit effect must not turn a stored write into an error
            log.exception("after_commit_failed", callback=getattr(callback, "__name__", "?"))


async def rollback(session: AsyncSession) -> None:
    session.info.pop("after_commit", None)
    await session.rollback()


@asynccontextmanager
async def provide_transaction(db_session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """The request's transaction: commit when the handler returns, roll back when it raises.
    A context manager, so the request dependency's ``async with`` hands the handler's exception
    in here at once (an ``async for`` would leave this generator suspended and roll back later,
    in a clean-up task, after the session is closed)."""
    try:
        yield db_session
    except BaseException:
        await rollback(db_session)
        raise
    else:
        if db_session.in_transaction():
            await commit(db_session)


@asynccontextmanager
async def transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    actor_id: int | None = None,
    redis: Any = None,
    queue: Any = None,
) -> AsyncIterator[AsyncSession]:
    """For jobs and CLI commands: commit on success, roll back on error. With ``redis`` and
    ``queue``, a committed change also refreshes API caches and enqueues a site rebuild."""
    async with sessionmaker() as session:
        session.info["actor_id"] = actor_id
        session.info["redis"] = redis
        session.info["queue"] = queue
        try:
            yield session
        except BaseException:
            await rollback(session)
            raise
        await commit(session)


@asynccontextmanager
async def command_sessionmaker(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """For a CLI command: sessions on an engine of its own, disposed at the end."""
    engine = create_engine(settings)
    try:
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


# --- audit columns ---------------------------------------------------------------------------


@event.listens_for(Session, "before_flush")
def _stamp_audit_columns(session: Session, _ctx: Any, _instances: Any) -> None:
    actor_id = session.info.get("actor_id")
    now = utcnow()
    for obj in session.new:
        if isinstance(obj, ContentManageable):
            if obj.creator_id is None and actor_id is not None:
                obj.creator_id = actor_id
            if obj.last_modified_by_id is None and actor_id is not None:
                obj.last_modified_by_id = actor_id
    for obj in session.dirty:
        if isinstance(obj, ContentManageable) and session.is_modified(obj):
            obj.updated = now
            if actor_id is not None:
                obj.last_modified_by_id = actor_id
