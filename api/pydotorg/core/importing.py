"""What a domain's ``importers.py`` declares to import python.org's Django data: one
``ModelImport`` per Django model label (target table, converter, order, change-feed kind), and
the helpers converters share (``ImportContext``, ``RowError``, ``parse_dt``, ``sync_links``).

Django's multi-table inheritance (django-polymorphic's parent table plus one table per subclass,
the child's primary key being the parent's) is declared with ``ModelImport.parts``: the child
labels whose rows extend the parent's rows. The engine merges each child row into the parent row
with the same primary key before conversion, so one converter makes one row of our table from
both; it names the child's label in ``fields[PART]``.

Each domain lists its imports in a module-level ``IMPORTS`` tuple; ``pydotorg.django_import``
composes them and runs them. These types live in core because domains may not import the
importer (it sits above them).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession


class RowError(ValueError):
    """A row that cannot be imported; the message says why."""


# The key under which a merged row's fields name the child label it was merged with (a Django field
# name is a Python identifier, so this cannot clash with one).
PART = "part:label"

Converter = Callable[[Any, Mapping[str, Any], "ImportContext"], Awaitable[dict[str, Any] | None]]


@dataclass
class ModelImport:
    label: str  # Django "app.model"
    table: Any  # the model's Table
    convert: Converter
    change: tuple[str, str] | None = None  # (domain, kind) for the change feed
    order: int = 100  # lower runs first (dependencies)
    key: tuple[str, ...] = ("id",)
    sequence: bool = True
    # Reorders a model's rows before conversion (parents before children for self-references).
    prepare: Callable[[list[Mapping[str, Any]]], list[Mapping[str, Any]]] | None = None
    # Runs once the model's rows are stored, with (pk, fields) of each imported row: many-to-many
    # links, which need both ends to exist. Returns how many rows it wrote; RowError -> reported.
    links: Callable[[Any, Mapping[str, Any], ImportContext], Awaitable[int]] | None = None
    # Multi-table inheritance: the labels of the child models whose rows (same pk) are merged into
    # this model's rows before conversion. A child row without a parent row is reported by the
    # engine; a parent row without a child (no ``PART`` in its fields) is the converter's to judge.
    parts: tuple[str, ...] = ()


@dataclass
class ImportContext:
    """Lookups shared by converters (natural keys, ids seen in this run)."""

    session: AsyncSession
    # The users and groups tables (``id`` plus ``username`` / ``name``), given by the engine:
    # core knows no domain, and nearly every model refers to a user.
    users_table: Any = None
    groups_table: Any = None
    usernames: dict[str, int] = field(default_factory=dict)
    seen: dict[str, set[Any]] = field(default_factory=lambda: defaultdict(set))
    existing: dict[str, set[Any]] = field(default_factory=dict)
    # Things the target has no place for (a Django permission without a named permission here),
    # reported once with how often they occurred; they do not fail the import.
    unmapped: Counter[str] = field(default_factory=Counter)
    groups: dict[str, int] = field(default_factory=dict)  # group name -> id, read once
    # Many-to-many tables read once per run: (table, owner column) -> owner -> targets.
    links: dict[tuple[str, str], dict[Any, set[Any]]] = field(default_factory=dict)

    async def ids(self, table: Any) -> set[Any]:
        if table.name not in self.existing:
            self.existing[table.name] = set(await self.session.scalars(select(table.c.id)))
        return self.existing[table.name]

    async def require(self, table: Any, value: Any, what: str) -> int | None:
        if value is None:
            return None
        if value in self.seen[table.name] or value in await self.ids(table):
            return int(value)
        raise RowError(f"{what} {value!r} does not exist")

    async def user_id(self, value: Any) -> int | None:
        """A user reference: a pk, or a natural key ``["username"]``."""
        if value is None:
            return None
        if isinstance(value, list):
            if not value:
                return None
            name = str(value[0]).lower()
            if name not in self.usernames:
                users = self.users_table
                uid = await self.session.scalar(
                    select(users.c.id).where(func.lower(users.c.username) == name)
                )
                if uid is None:
                    raise RowError(f"user {value[0]!r} does not exist")
                self.usernames[name] = uid
            return self.usernames[name]
        return await self.require(self.users_table, value, "user")

    async def group_id(self, value: Any) -> int:
        """A group reference: a pk, or a natural key ``["name"]``."""
        table = self.groups_table
        if isinstance(value, list):
            name = str(value[0]) if value else ""
            if name not in self.groups:
                gid = await self.session.scalar(select(table.c.id).where(table.c.name == name))
                if gid is None:
                    raise RowError(f"group {name!r} does not exist")
                self.groups[name] = int(gid)
            return self.groups[name]
        gid = await self.require(table, value, "group")
        if gid is None:
            raise RowError("group reference is empty")
        return gid


async def sync_links(
    ctx: ImportContext, table: Any, owner: str, owner_id: Any, target: str, wanted: set[Any]
) -> int:
    """Make ``table``'s rows for ``owner_id`` exactly ``wanted``; returns how many rows changed.
    The table's current rows are read once per run (not once per owner), so linking 100,000
    users costs one query plus the writes that something actually changed."""
    key = (table.name, owner)
    if key not in ctx.links:
        held: dict[Any, set[Any]] = defaultdict(set)
        for row_owner, row_target in await ctx.session.execute(select(table.c[owner], table.c[target])):
            held[row_owner].add(row_target)
        ctx.links[key] = held
    current = ctx.links[key][owner_id]
    gone, new = current - wanted, wanted - current
    if gone:
        await ctx.session.execute(table.delete().where(table.c[owner] == owner_id, table.c[target].in_(gone)))
    if new:
        await ctx.session.execute(
            pg_insert(table).on_conflict_do_nothing(),
            [{owner: owner_id, target: value} for value in sorted(new)],
        )
    ctx.links[key][owner_id] = set(wanted)
    return len(gone) + len(new)


def parse_dt(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
