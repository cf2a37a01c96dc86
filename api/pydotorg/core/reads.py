"""Hot read paths without the ORM: one small asyncpg pool per API process and plain SQL.

The busiest public reads (the legacy download lists that PyPI, the release tooling and mirrors
poll, and ``/api/v3/`` lists the site builder reads) spent most of their time in the ORM: a
session per request, a pool pre-ping, ``BEGIN``/``COMMIT`` round trips, an object per row and
attribute access per field (docs/performance.md has the profile). Reads that go through
``ReadPool`` send one statement, outside any transaction, on a connection of their own pool, and
hand the rows (tuples in output order, values already in their final form where SQL can do it)
straight to msgspec.

Statements are written as SQL text with ``{}`` where a parameter goes: ``Query`` numbers them
``$1``, ``$2`` ... as conditions are added, so the text depends only on which filters a request
uses and asyncpg's statement cache prepares each shape once. Column names in that text come
from code, never from the request; values always travel as parameters.

A connection the server dropped (a restart, a failover) is retried once on a fresh one; any
other connection failure propagates and ``core/availability.py`` answers 503.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg

from pydotorg.settings import Settings

# Errors after which the same statement may run again on another connection: the pooled
# connection was closed under us. A read is idempotent, so one retry is safe.
_RETRYABLE = (asyncpg.exceptions.ConnectionDoesNotExistError, asyncpg.exceptions.InterfaceError)


async def _keep_state(_conn: asyncpg.Connection) -> None:
    """The pool's reset between users. Reads set nothing on a connection (no SET, LISTEN,
    advisory lock or open transaction), so the default reset's round trip is skipped."""


class ReadPool:
    """asyncpg pool for read-only statements, opened on first use in the serving event loop."""

    def __init__(self, settings: Settings) -> None:
        self._dsn = settings.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self._size = max(1, settings.database_read_pool_size)
        self._server_settings = {
            "application_name": "pydotorg-reads",
            "statement_timeout": str(settings.database_statement_timeout_ms),
            "timezone": "UTC",
            "default_transaction_read_only": "on",
        }
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    async def _get(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._lock:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        self._dsn,
                        min_size=0,
                        max_size=self._size,
                        reset=_keep_state,
                        server_settings=self._server_settings,
                    )
        return self._pool

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        pool = await self._get()
        try:
            return await pool.fetch(sql, *args)
        except _RETRYABLE:
            return await pool.fetch(sql, *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        pool = await self._get()
        try:
            return await pool.fetchval(sql, *args)
        except _RETRYABLE:
            return await pool.fetchval(sql, *args)

    async def aclose(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()


class Where:
    """One condition: SQL text with ``{}`` for each of ``args``."""

    __slots__ = ("args", "sql")

    def __init__(self, sql: str, *args: Any) -> None:
        self.sql = sql
        self.args = args


class Query:
    """Parameters in order, numbered as they are added."""

    __slots__ = ("args",)

    def __init__(self, *args: Any) -> None:
        self.args: list[Any] = list(args)

    def param(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    def where(self, conditions: Iterable[Where]) -> str:
        """``WHERE a AND b`` (or nothing) with each condition's ``{}`` numbered in turn."""
        parts = [c.sql.format(*(self.param(v) for v in c.args)) for c in conditions]
        return f" WHERE {' AND '.join(parts)}" if parts else ""


def escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def text_match(expr: str, lookup: str, value: str) -> Where:
    """Django's text lookups on the SQL expression ``expr`` (LIKE patterns escaped)."""
    if lookup == "exact":
        return Where(f"{expr} = {{}}", value)
    if lookup == "iexact":
        return Where(f"lower({expr}) = {{}}", value.lower())
    operator = "ILIKE" if lookup.startswith("i") else "LIKE"
    escaped = escape_like(value)
    pattern = {
        "contains": f"%{escaped}%",
        "icontains": f"%{escaped}%",
        "startswith": f"{escaped}%",
        "istartswith": f"{escaped}%",
        "endswith": f"%{escaped}",
        "iendswith": f"%{escaped}",
    }.get(lookup)
    if pattern is None:
        raise ValueError(lookup)
    return Where(f"{expr} {operator} {{}} ESCAPE '\\'", pattern)


async def select(
    reads: ReadPool,
    struct: type[Any],
    *,
    columns: str,
    source: str,
    order: str,
    conditions: Sequence[Where] = (),
    args: Sequence[Any] = (),
    limit: int | None = None,
    offset: int = 0,
    with_total: bool = False,
) -> tuple[list[Any], int | None]:
    """``SELECT columns FROM source WHERE conditions ORDER BY order`` (``args`` are ``$1``... of
    ``columns``), each row as ``struct`` (its fields are the columns, in order); with
    ``with_total``, also how many rows match in all, counted in the same statement."""
    query = Query(*args)
    sql = f"SELECT {columns}{', count(*) OVER ()' if with_total else ''} FROM {source}"  # noqa: S608
    sql += f"{query.where(conditions)} ORDER BY {order}"
    if limit is not None:
        sql += f" LIMIT {query.param(limit)} OFFSET {query.param(offset)}"
    records = await reads.fetch(sql, *query.args)
    if not with_total:
        return [struct(*r) for r in records], None
    if records:
        return [struct(*r[:-1]) for r in records], int(records[0][-1])
    # Past the last page, or nothing matches: no row carried the total.
    count = Query()
    sql = f"SELECT count(*) FROM {source}{count.where(conditions)}"  # noqa: S608
    return [], int(await reads.fetchval(sql, *count.args))
