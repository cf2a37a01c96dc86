"""The Django import engine: imports python.org's Django data (``dumpdata`` objects) into our
tables, or verifies that it has been.

Each domain declares a ``ModelImport`` per Django model label in its ``importers.py`` (composed in
``registry.py``): the target table, a converter from Django ``fields`` to our row, and its
dependencies. Rows are upserted by primary key (kept from Django; sequences are reset
afterwards), only when they differ, so a second run changes nothing. A row that fails conversion
or validation is reported (model, pk, reason) and skipped; the rest still imports. Every inserted
or changed row is appended to the change feed in the same transaction, so the site builder sees
the import.

Several dumps may be given together; an object whose (model, pk) came earlier is replaced by the
later one, as ``manage.py loaddata`` saves the last. A model with ``parts`` (Django multi-table
inheritance) gets each child row merged into the parent row with the same pk before conversion;
the report and ``--verify`` still count and check every Django label, the children's rows among
their parent's.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as time_of_day
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.changes import CHANGE_FEED_LOCK, Change
from pydotorg.core.importing import PART, ImportContext, ModelImport, RowError
from pydotorg.django_import.registry import LABELS, PARTS, REGISTRY
from pydotorg.domains.users.models import Group, User

MAX_PARAMETERS = 32_000  # PostgreSQL's wire protocol allows 32767 bind parameters
# Alone these never make a row differ, and --verify does not compare them: converters fill the
# first three with "now" when a fixture lacks them, and the last two record use of the new site.
BOOKKEEPING = frozenset({"created", "updated", "date_joined", "last_login", "last_used"})


@dataclass
class Failure:
    label: str
    pk: Any
    reason: str


@dataclass
class Report:
    counts: Counter[str] = field(default_factory=Counter)  # rows in the input
    written: Counter[str] = field(default_factory=Counter)  # inserted or changed
    failures: list[Failure] = field(default_factory=list)
    unmapped: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures


def group(
    objects: Iterable[Mapping[str, Any]],
) -> tuple[dict[str, list[Mapping[str, Any]]], Counter[str]]:
    """The objects we import by label (the others counted by label); a later object with the same
    (label, pk) replaces the earlier one."""
    grouped: dict[str, dict[Any, Mapping[str, Any]]] = defaultdict(dict)
    unknown: Counter[str] = Counter()
    for index, obj in enumerate(objects):
        label = str(obj.get("model", ""))
        if label in REGISTRY or label in PARTS:
            pk = obj.get("pk")
            # Without a pk (dumpdata --natural-primary) there is nothing to replace by.
            grouped[label][pk if pk is not None else ("no pk", index)] = obj
        else:
            unknown[label] += 1
    return {label: list(rows.values()) for label, rows in grouped.items()}, unknown


def families(grouped: Mapping[str, Any]) -> list[str]:
    """The labels to import, each child label stood for by its parent, in dependency order."""
    labels = {PARTS.get(label, label) for label in grouped}
    return sorted(labels, key=lambda lbl: (REGISTRY[lbl].order, lbl))


def merge_parts(
    spec: ModelImport, grouped: Mapping[str, list[Mapping[str, Any]]], failures: list[Failure]
) -> list[Mapping[str, Any]]:
    """The parent's objects, each with the fields of its child (same pk) and ``fields[PART]``
    naming the child's label; a child without a parent, or a second child of one parent, is a
    failure of that child's row."""
    children: dict[Any, tuple[str, Mapping[str, Any]]] = {}
    for part in spec.parts:
        for obj in grouped.get(part, []):
            pk = obj.get("pk")
            if pk in children:
                failures.append(Failure(part, pk, f"pk {pk} is already a {children[pk][0]} row"))
                continue
            children[pk] = (part, obj.get("fields") or {})
    merged: list[Mapping[str, Any]] = []
    for obj in grouped.get(spec.label, []):
        pk = obj.get("pk")
        fields = dict(obj.get("fields") or {})
        if pk in children:
            part, extra = children.pop(pk)
            fields.update(extra)
            fields[PART] = part
        merged.append({"model": spec.label, "pk": pk, "fields": fields})
    for pk, (part, _) in children.items():
        failures.append(Failure(part, pk, f"no {spec.label} row with pk {pk}"))
    return merged


def _items(
    spec: ModelImport, grouped: Mapping[str, list[Mapping[str, Any]]], failures: list[Failure]
) -> list[Mapping[str, Any]]:
    items = merge_parts(spec, grouped, failures) if spec.parts else grouped.get(spec.label, [])
    return spec.prepare(items) if spec.prepare else items


Converted = list[tuple[Any, Mapping[str, Any], dict[str, Any]]]  # (pk, Django fields, our row)


async def convert_all(
    spec: ModelImport,
    items: list[Mapping[str, Any]],
    ctx: ImportContext,
    failures: list[Failure],
    progress: Callable[[int], None] | None = None,
) -> Converted:
    """Each object through the model's converter: rows to write, failures reported (model, pk,
    reason), ``None`` (nothing to import) skipped; ids remembered for later references."""
    converted: Converted = []
    for index, obj in enumerate(items, 1):
        pk, fields = obj.get("pk"), obj.get("fields") or {}
        try:
            row = await spec.convert(pk, fields, ctx)
        except (RowError, ValueError, TypeError, KeyError) as exc:
            failures.append(Failure(spec.label, pk, str(exc) or type(exc).__name__))
            continue
        if row is not None:
            converted.append((pk, fields, row))
            ctx.seen[spec.table.name].add(row.get("id", pk))
        if progress and index % 500 == 0:
            progress(index)
    return converted


def _context(session: AsyncSession) -> ImportContext:
    return ImportContext(session, users_table=User.__table__, groups_table=Group.__table__)


async def run(
    session: AsyncSession,
    objects: Iterable[Mapping[str, Any]],
    *,
    dry_run: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    batch_size: int = 2000,
) -> tuple[Report, Counter[str]]:
    """Import into the session's transaction (the caller commits or, for a dry run, rolls back)."""
    started = time.perf_counter()
    report = Report()
    grouped, unknown = group(objects)
    ctx = _context(session)
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHANGE_FEED_LOCK})
    for label in families(grouped):
        spec = REGISTRY[label]
        items = _items(spec, grouped, report.failures)
        for counted in (label, *spec.parts):
            if counted in grouped:
                report.counts[counted] = len(grouped[counted])

        def step(done: int, label: str = label, total: int = len(items)) -> None:
            if progress:
                progress(label, done, total)

        converted = await convert_all(spec, items, ctx, report.failures, step)
        rows = [row for _, _, row in converted]
        # A merged row written counts for its child label too: "written" counts Django rows.
        part_of = {row[spec.key[0]]: fields[PART] for _, fields, row in converted if PART in fields}
        shapes: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in rows:  # one multi-row statement per set of columns
            shapes[tuple(sorted(row))].append(row)
        for same in shapes.values():
            # Columns left out still take a parameter each for their Python-side defaults.
            size = max(1, min(batch_size, MAX_PARAMETERS // len(spec.table.columns)))
            for start in range(0, len(same), size):
                changed = await _upsert(session, spec, same[start : start + size])
                report.written[label] += len(changed)
                report.written.update(part_of[key] for key in changed if key in part_of)
                if changed and spec.change:
                    domain, kind = spec.change
                    await session.execute(
                        insert(Change),
                        [
                            {
                                "domain": domain,
                                "kind": kind,
                                "object_id": str(pk),
                                "action": "updated",
                            }
                            for pk in changed
                        ],
                    )
        if spec.links:
            for pk, fields, _ in converted:
                try:
                    report.written[label] += await spec.links(pk, fields, ctx)
                except (RowError, ValueError, TypeError, KeyError) as exc:
                    report.failures.append(Failure(label, pk, str(exc) or type(exc).__name__))
        if progress:
            progress(label, len(items), len(items))
        if spec.sequence and rows and not dry_run:
            table = spec.table
            highest = select(func.coalesce(func.max(table.c.id), 1)).scalar_subquery()
            await session.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), highest)))
    report.unmapped = ctx.unmapped
    report.seconds = time.perf_counter() - started
    return report, unknown


async def _upsert(session: AsyncSession, spec: ModelImport, rows: list[dict[str, Any]]) -> list[Any]:
    """Insert new rows, update rows that differ; returns the keys of what was written."""
    if not rows:
        return []
    table = spec.table
    columns = list(rows[0])
    stmt = pg_insert(table)
    update_cols = [c for c in columns if c not in spec.key]
    if update_cols:
        excluded = stmt.excluded
        # Bookkeeping timestamps alone do not make a row different: a fixture without them gets
        # "now" from its converter, and a second run must still change nothing.
        compared = [c for c in update_cols if c not in BOOKKEEPING] or update_cols
        differs = tuple_(*[table.c[c] for c in compared]).is_distinct_from(
            tuple_(*[excluded[c] for c in compared])
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c[k] for k in spec.key],
            set_={c: excluded[c] for c in update_cols},
            where=differs,
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=[table.c[k] for k in spec.key])
    # executemany: SQLAlchemy batches the rows into multi-row statements ("insertmanyvalues").
    result = await session.execute(stmt.returning(table.c[spec.key[0]]), rows)
    return list(result.scalars())


# --- verification ---------------------------------------------------------------------------


@dataclass
class Check:
    """One model's comparison: the source's rows as the importer would write them against the
    target's rows with the same keys, column by column (bookkeeping timestamps aside)."""

    label: str
    source: int = 0  # rows in the source that convert
    target: int = 0  # of those, rows found in the target
    differing: int = 0  # found rows whose compared columns differ
    source_sum: str = ""
    target_sum: str = ""
    failures: list[Failure] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)  # "pk=…: column" of the first differences

    @property
    def ok(self) -> bool:
        return self.source == self.target and not self.differing and self.source_sum == self.target_sum


def _canonical(value: Any) -> str:
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date | time_of_day):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return repr(value)


def _digest(lines: Iterable[str]) -> str:
    hasher = hashlib.sha256()
    for line in lines:
        hasher.update(line.encode())
        hasher.update(b"\n")
    return hasher.hexdigest()[:16]


async def verify(
    session: AsyncSession,
    objects: Iterable[Mapping[str, Any]],
    *,
    progress: Callable[[str, int, int], None] | None = None,
    chunk: int = 5000,
) -> list[Check]:
    """Compare source and target per model: counts, and a checksum over every column the importer
    writes (so rendered HTML, mapped values and foreign keys count too). Runs the converters, so
    it must run in a transaction the caller rolls back; it writes nothing itself."""
    grouped, _ = group(objects)
    ctx = _context(session)
    checks: list[Check] = []
    for label in families(grouped):
        spec, failures = REGISTRY[label], list[Failure]()
        items = _items(spec, grouped, failures)
        converted = await convert_all(spec, items, ctx, failures)
        expected = {tuple(row[k] for k in spec.key): (fields, row) for _, fields, row in converted}
        table, keys = spec.table, list(expected)
        found: dict[tuple[Any, ...], Any] = {}
        for start in range(0, len(keys), chunk):
            part = keys[start : start + chunk]
            stmt = select(table).where(tuple_(*[table.c[k] for k in spec.key]).in_(part))
            for stored in (await session.execute(stmt)).mappings():
                found[tuple(stored[k] for k in spec.key)] = stored
            if progress:
                progress(label, min(start + chunk, len(keys)), len(keys))
        # The parent's check covers every merged row; each child label's, the rows it extended.
        for checked in (label, *(p for p in spec.parts if p in grouped)):
            rows = {
                key: row
                for key, (fields, row) in expected.items()
                if checked == label or fields.get(PART) == checked
            }
            check = _compare(Check(checked), rows, found)
            check.failures = [f for f in failures if f.label == checked]
            checks.append(check)
    return checks


def _compare(
    check: Check, expected: Mapping[tuple[Any, ...], dict[str, Any]], found: Mapping[Any, Any]
) -> Check:
    check.source = len(expected)
    source_lines, target_lines = [], []
    for key in sorted(expected, key=repr):
        want = expected[key]
        columns = [c for c in sorted(want) if c not in BOOKKEEPING]
        source_lines.append(repr(key) + "|" + "|".join(_canonical(want[c]) for c in columns))
        have = found.get(key)
        if have is None:
            continue
        check.target += 1
        target_lines.append(repr(key) + "|" + "|".join(_canonical(have[c]) for c in columns))
        if source_lines[-1] != target_lines[-1]:
            check.differing += 1
            if len(check.examples) < 3:
                diff = [c for c in columns if _canonical(want[c]) != _canonical(have[c])]
                check.examples.append(f"{key[0] if len(key) == 1 else key}: {', '.join(diff)}")
    check.source_sum, check.target_sum = _digest(source_lines), _digest(target_lines)
    return check


__all__ = ["LABELS", "REGISTRY", "Check", "Report", "run", "verify"]
