"""Read python.org's live Django database as ``dumpdata`` would write it.

``read_django_database`` opens one read-only, repeatable-read transaction (every table comes
from the same snapshot while the site keeps running), streams each table in primary-key order
through a server-side cursor and yields the objects ``manage.py dumpdata`` produces:
``{"model": label, "pk": pk, "fields": {...}}`` with foreign keys under their field name,
many-to-many fields as sorted lists, and values as Django's JSON serializer writes them. The
importer's converters then take them exactly as they take fixture files.

Where the reader differs from ``dumpdata`` it is on purpose: references to other rows are
always primary keys (``dumpdata --natural-foreign`` would write users as ``["username"]``),
except permissions, which come out as ``[codename, app_label, model]`` because our side maps
them by name, and content types (a polymorphic row's ``polymorphic_ctype``, a generic foreign
key's ``content_type``), which come out as ``[app_label, model]``, as ``--natural-foreign`` writes
them, since their ids mean nothing outside python.org's database; datetimes keep their
microseconds (Django's encoder cuts them to milliseconds).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import Any, NamedTuple

import asyncpg

from pydotorg.django_import.layout import (
    CONTENT_TYPE,
    CONTENT_TYPE_TABLE,
    LAYOUT,
    PERMISSION,
    PERMISSION_TABLE,
    DjangoTable,
    ManyToMany,
)

Progress = Callable[[str, int, int], None]
PermissionKey = list[str]  # [codename, app_label, model]
ContentTypeKey = list[str]  # [app_label, model]
# The referenced models that travel by natural key, and the tables their keys are read from.
NATURAL_KEY_TABLES = {
    PERMISSION: (PERMISSION_TABLE, CONTENT_TYPE_TABLE),
    CONTENT_TYPE: (CONTENT_TYPE_TABLE,),
}


class MissingTable(NamedTuple):
    """A table the source database does not have (unpacks as ``label, table``).

    When it is the model's own table the model was not read; when it is one of its
    many-to-many (or the permission) tables, the model was read without that field.
    """

    label: str
    table: str

    def __str__(self) -> str:
        if self.table == LAYOUT[self.label].table:
            return f"table {self.table} missing ({self.label} not read)"
        return f"table {self.table} missing ({self.label} read without it)"


@dataclass
class DjangoSnapshot:
    """What one read gave: the objects, row counts per label, and the tables that were missing.

    ``objects`` is ready for ``pydotorg.django_import.importer.run``; report ``missing`` (``label, table``
    pairs whose ``str`` is "table X missing (...)") so an operator sees what the source lacked.
    """

    objects: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    missing: list[MissingTable] = field(default_factory=list)


def asyncpg_dsn(database_url: str) -> str:
    """asyncpg wants ``postgresql://``; accept SQLAlchemy's ``postgresql+asyncpg://`` too."""
    for prefix in ("postgresql+asyncpg://", "postgres+asyncpg://"):
        if database_url.startswith(prefix):
            return "postgresql://" + database_url[len(prefix) :]
    return database_url


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _labels(labels: Iterable[str] | None) -> list[str]:
    chosen = list(LAYOUT) if labels is None else list(dict.fromkeys(labels))
    unknown = [label for label in chosen if label not in LAYOUT]
    if unknown:
        raise ValueError(f"no Django table is known for {', '.join(unknown)}")
    return chosen


def duration_string(value: dt.timedelta) -> str:
    """Django's text for a DurationField: ``[D ]HH:MM:SS[.ffffff]``."""
    minutes, seconds = divmod(value.seconds, 60)
    hours, minutes = divmod(minutes, 60)
    text = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    if value.days:
        text = f"{value.days} {text}"
    if value.microseconds:
        text += f".{value.microseconds:06d}"
    return text


def dumpdata_value(value: Any) -> Any:
    """A column value as Django's serializer writes it to JSON."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        text = value.isoformat()
        return text[: -len("+00:00")] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_string(value)
    if isinstance(value, Decimal | uuid.UUID | IPv4Address | IPv6Address | IPv4Network | IPv6Network):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")  # as BinaryField.value_to_string
    if isinstance(value, list | tuple):
        return [dumpdata_value(item) for item in value]
    if isinstance(value, dict):  # a json/jsonb column, already decoded
        return value
    return str(value)


async def _connect(database_url: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    return conn


async def _existing(conn: asyncpg.Connection, tables: Iterable[str]) -> set[str]:
    names = sorted(set(tables))
    rows = await conn.fetch(
        "SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(quote_ident(name)) IS NOT NULL",
        names,
    )
    return {row["name"] for row in rows}


async def _permission_keys(conn: asyncpg.Connection) -> dict[int, PermissionKey]:
    rows = await conn.fetch(
        f"SELECT p.id, p.codename, ct.app_label, ct.model FROM {PERMISSION_TABLE} p "  # noqa: S608
        f"JOIN {CONTENT_TYPE_TABLE} ct ON ct.id = p.content_type_id"
    )
    return {row["id"]: [row["codename"], row["app_label"], row["model"]] for row in rows}


async def _content_type_keys(conn: asyncpg.Connection) -> dict[int, ContentTypeKey]:
    rows = await conn.fetch(f"SELECT id, app_label, model FROM {CONTENT_TYPE_TABLE}")  # noqa: S608
    return {row["id"]: [row["app_label"], row["model"]] for row in rows}


class _Reader:
    """One read inside one snapshot: table existence, permission and content type natural keys,
    the batches."""

    def __init__(self, conn: asyncpg.Connection, snapshot: DjangoSnapshot) -> None:
        self.conn = conn
        self.snapshot = snapshot
        self.present: set[str] = set()
        self.permissions: dict[int, PermissionKey] | None = None
        self.content_types: dict[int, ContentTypeKey] | None = None

    async def prepare(self, labels: Sequence[str]) -> None:
        wanted = [t for label in labels for t in LAYOUT[label].tables()]
        for label in labels:
            for target in self._targets(LAYOUT[label]) & NATURAL_KEY_TABLES.keys():
                wanted += NATURAL_KEY_TABLES[target]
        self.present = await _existing(self.conn, wanted)
        if {PERMISSION_TABLE, CONTENT_TYPE_TABLE} <= self.present:
            self.permissions = await _permission_keys(self.conn)
        if CONTENT_TYPE_TABLE in self.present:
            self.content_types = await _content_type_keys(self.conn)

    @staticmethod
    def _targets(spec: DjangoTable) -> set[str]:
        return {fk.target for fk in spec.foreign_keys.values()} | {
            m2m.target_label for m2m in spec.many_to_many.values()
        }

    def _usable(self, label: str, table: str, target: str) -> bool:
        """Whether a field's table (and, for permissions and content types, the tables their
        natural keys come from) can be read."""
        needed = [table, *NATURAL_KEY_TABLES.get(target, ())]
        gone = [t for t in needed if t not in self.present]
        for name in gone:
            if MissingTable(label, name) not in self.snapshot.missing:
                self.snapshot.missing.append(MissingTable(label, name))
        return not gone

    def _reference(self, target: str, value: Any) -> Any:
        if value is None or target not in NATURAL_KEY_TABLES:
            return value
        keys = self.permissions if target == PERMISSION else self.content_types
        assert keys is not None  # _usable checked the tables the keys come from
        return keys.get(value, value)

    async def read(self, label: str, batch_size: int, progress: Progress | None) -> None:
        spec = LAYOUT[label]
        if spec.table not in self.present:
            self.snapshot.missing.append(MissingTable(label, spec.table))
            return
        fks = {
            column: (name, spec.foreign_keys[name].target)
            for column, name in spec.fk_columns.items()
            if spec.foreign_keys[name].target not in NATURAL_KEY_TABLES
            or self._usable(label, spec.table, spec.foreign_keys[name].target)
        }
        many = {
            name: m2m
            for name, m2m in spec.many_to_many.items()
            if self._usable(label, m2m.through, m2m.target_label)
        }
        table, pk = quote(spec.table), quote(spec.pk)
        total = await self.conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608
        self.snapshot.counts[label] = total
        done = 0
        cursor = await self.conn.cursor(f"SELECT * FROM {table} ORDER BY {pk}")  # noqa: S608
        while rows := await cursor.fetch(batch_size):
            related = {
                name: await self._many(m2m, [row[spec.pk] for row in rows]) for name, m2m in many.items()
            }
            for row in rows:
                fields: dict[str, Any] = {}
                for column, value in row.items():
                    if column == spec.pk:
                        continue
                    if column in fks:
                        name, target = fks[column]
                        fields[name] = self._reference(target, value)
                    else:
                        fields[column] = dumpdata_value(value)
                for name, values in related.items():
                    fields[name] = sorted(values.get(row[spec.pk], []))
                self.snapshot.objects.append(
                    {"model": label, "pk": dumpdata_value(row[spec.pk]), "fields": fields}
                )
            done += len(rows)
            if progress:
                progress(label, done, total)
        if progress and not done:
            progress(label, 0, total)

    async def _many(self, m2m: ManyToMany, owners: list[Any]) -> dict[Any, list[Any]]:
        owner, target = quote(m2m.owner), quote(m2m.target)
        rows = await self.conn.fetch(
            f"SELECT {owner} AS owner, {target} AS target FROM {quote(m2m.through)} "  # noqa: S608
            f"WHERE {owner} = ANY($1)",
            owners,
        )
        related: dict[Any, list[Any]] = defaultdict(list)
        for row in rows:
            related[row["owner"]].append(self._reference(m2m.target_label, row["target"]))
        return related


async def read_django_database(
    database_url: str,
    labels: Iterable[str] | None = None,
    *,
    batch_size: int = 2000,
    progress: Progress | None = None,
) -> DjangoSnapshot:
    """Read ``labels`` (default: every model in ``LAYOUT``, in its order) from one snapshot.

    ``progress(label, done, total)`` is called after every batch of a table (once with
    ``done == 0`` for an empty one); ``total`` is the table's row count in the same snapshot.
    A table that does not exist is skipped and listed in ``missing``; an unknown label is a
    ``ValueError``.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    chosen = _labels(labels)
    snapshot = DjangoSnapshot()
    conn = await _connect(database_url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            reader = _Reader(conn, snapshot)
            await reader.prepare(chosen)
            for label in chosen:
                await reader.read(label, batch_size, progress)
    finally:
        await conn.close()
    return snapshot


async def source_counts(database_url: str, labels: Iterable[str] | None = None) -> dict[str, int]:
    """Row counts per label from one read-only snapshot (for checking an import afterwards).

    Labels whose table is missing are left out, so "missing" and "empty" stay distinguishable.
    """
    chosen = _labels(labels)
    conn = await _connect(database_url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            present = await _existing(conn, (LAYOUT[label].table for label in chosen))
            return {
                label: await conn.fetchval(f"SELECT count(*) FROM {quote(LAYOUT[label].table)}")  # noqa: S608
                for label in chosen
                if LAYOUT[label].table in present
            }
    finally:
        await conn.close()


__all__ = [
    "DjangoSnapshot",
    "MissingTable",
    "asyncpg_dsn",
    "dumpdata_value",
    "duration_string",
    "quote",
    "read_django_database",
    "source_counts",
]
