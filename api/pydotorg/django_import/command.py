"""``pydotorg import-django``: reading the source (dumpdata fixtures or python.org's Django
database), importing or verifying in one transaction, progress bars and the summary tables.

The per-model work is in ``importer`` (the converters each domain declares, composed in
``registry``); the Django database is read by ``source`` into the objects ``dumpdata`` would
have written, so both sources go through the same converters.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import asyncpg
from sqlalchemy.ext.asyncio import async_sessionmaker

from pydotorg.core.db import commit, create_engine, rollback
from pydotorg.django_import import importer
from pydotorg.django_import.source import read_django_database
from pydotorg.settings import Settings

Objects = list[Mapping[str, Any]]


class ProgressBars:
    """One bar per model and phase on a terminal (redrawn in place); one line per finished model
    otherwise (logs of a CI or Kubernetes job); nothing when disabled."""

    width = 30

    def __init__(self, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.phase = ""
        self._last: tuple[str, int] = ("", -1)
        self._started: dict[str, float] = {}

    def __call__(self, label: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        self._started.setdefault(label, time.perf_counter())
        tty = self.stream.isatty()
        if not tty and done < total:
            return
        filled = self.width * done // total if total else self.width
        if tty and (label, filled) == self._last and done < total:
            return
        self._last = (label, filled)
        bar = "#" * filled + "." * (self.width - filled)
        seconds = time.perf_counter() - self._started[label]
        line = f"  {self.phase:<7} {label:<28} [{bar}] {done:>7}/{total:<7} {seconds:5.1f} s"
        if tty:
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def start(self, phase: str) -> ProgressBars:
        self.phase, self._last = phase, ("", -1)
        self._started.clear()
        return self


# Compressed fixtures, as Django's loaddata reads them (the downloads fixture is carried gzipped).
_DECOMPRESS: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gzip.decompress,
    ".bz2": bz2.decompress,
    ".xz": lzma.decompress,
}


def read_fixture(path: Path) -> Objects:
    """One ``dumpdata`` file (``.json``, or ``.json.gz``/``.bz2``/``.xz``) as its list of objects;
    ValueError naming the file when it cannot be read or is not a dumpdata list."""
    try:
        raw = path.read_bytes()
        decompress = _DECOMPRESS.get(path.suffix)
        data = json.loads(decompress(raw) if decompress else raw)
    except (OSError, EOFError, ValueError, lzma.LZMAError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    if not isinstance(data, list):
        raise ValueError(f"{path}: not a dumpdata list")
    return data


def load_fixtures(paths: Sequence[Path]) -> Objects:
    objects: Objects = []
    for path in paths:
        objects.extend(read_fixture(path))
    return objects


async def read_source(database_url: str, bars: ProgressBars) -> tuple[Objects, list[tuple[str, str]]]:
    """Every model we import, read from python.org's database in one read-only snapshot."""
    try:
        result = await read_django_database(database_url, importer.LABELS, progress=bars.start("read"))
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise ValueError(f"cannot read the Django database: {type(exc).__name__}: {exc}") from None
    return list(result.objects), list(result.missing)


async def _in_transaction(settings: Settings, work: Any, *, keep: bool) -> Any:
    engine = create_engine(settings)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            try:
                result = await work(session)
            except BaseException:
                await rollback(session)
                raise
            if keep:
                await commit(session)
            else:
                await rollback(session)
            return result
    finally:
        await engine.dispose()


async def run_import(
    settings: Settings, objects: Objects, bars: ProgressBars, *, dry_run: bool
) -> tuple[importer.Report, Counter[str]]:
    """All or nothing: one transaction, committed unless this is a dry run."""

    async def work(session: Any) -> tuple[importer.Report, Counter[str]]:
        return await importer.run(session, objects, dry_run=dry_run, progress=bars.start("import"))

    result: tuple[importer.Report, Counter[str]] = await _in_transaction(settings, work, keep=not dry_run)
    return result


async def verify(settings: Settings, objects: Objects, bars: ProgressBars) -> list[importer.Check]:
    async def work(session: Any) -> list[importer.Check]:
        return await importer.verify(session, objects, progress=bars.start("verify"))

    checks: list[importer.Check] = await _in_transaction(settings, work, keep=False)
    return checks


def format_report(report: importer.Report, unknown: Mapping[str, int], *, dry_run: bool) -> str:
    failed = Counter(f.label for f in report.failures)
    lines = [f"{'model':<28} {'rows':>8} {'written':>8} {'failed':>7}"]
    for label in sorted(report.counts):
        lines.append(f"{label:<28} {report.counts[label]:>8} {report.written[label]:>8} {failed[label]:>7}")
    for label, count in sorted(unknown.items()):
        lines.append(f"{label:<28} {count:>8}  (no importer; skipped)")
    for name, count in sorted(report.unmapped.items()):
        lines.append(f"not mapped: {name} ({count}x) - no such permission here; not granted")
    rows = sum(report.counts.values())
    rate = rows / report.seconds if report.seconds else 0.0
    verb = "would write" if dry_run else "wrote"
    lines.append(
        f"{verb} {sum(report.written.values())} of {rows} rows in {report.seconds:.1f} s ({rate:,.0f} rows/s)"
    )
    return "\n".join(lines)


def format_checks(checks: Sequence[importer.Check]) -> str:
    lines = [f"{'model':<28} {'source':>8} {'target':>8} {'differ':>7}  {'checksum':<16}  result"]
    for c in checks:
        result = "ok" if c.ok else "MISMATCH"
        checksum = c.source_sum if c.source_sum == c.target_sum else f"{c.source_sum} != {c.target_sum}"
        lines.append(f"{c.label:<28} {c.source:>8} {c.target:>8} {c.differing:>7}  {checksum:<16}  {result}")
        lines.extend(f"    differs at pk {example}" for example in c.examples)
        lines.extend(f"    not convertible: pk={f.pk}: {f.reason}" for f in c.failures[:5])
    return "\n".join(lines)


__all__ = ["ProgressBars", "format_checks", "format_report", "load_fixtures", "read_source", "run_import"]
