"""The PEPs release-cycle data (inventory 1.8 "Integrations"): the status of every feature series
("3.14": bugfix, security, end-of-life, ...), as https://peps.python.org/api/release-cycle.json
publishes it, and the two things python.org made of it: the "Active Python Releases" table on
/downloads/ (``render_active_releases``) and the end-of-life warning on release pages
(``get_eol_info``).

python.org fetched the JSON while rendering a page (5 s timeout, cached an hour) and showed nothing
when the fetch failed. Here ``downloads.refresh_release_cycle`` (hourly, ``tasks.py``) stores it in
``downloads_release_cycle``; a fetch that fails (network, timeout, not 200, not JSON, not the
expected shape) is logged and keeps the last good copy. A row is written only when its data
changed, so the change feed names exactly the series whose status moved and the site builder
re-renders only the pages that show it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import msgspec
import structlog
from msgspec import Meta
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core.db import transaction
from pydotorg.core.pagination import ListMeta
from pydotorg.core.records import assign_changed
from pydotorg.domains.downloads.models import Release, ReleaseCycle
from pydotorg.settings import Settings

log = structlog.get_logger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # the real file is ~4 kB
USER_AGENT = "python.org downloads (+https://www.python.org/downloads/)"
END_OF_LIFE = "end-of-life"
# Statuses of a series that has not had its first final release yet (python.org's table shows
# them, relabelled "pre-release", only once a published release of the series exists).
NOT_YET_RELEASED = frozenset({"planned", "feature", "prerelease"})
PYTHON_2_MAJOR = 2

SeriesKey = Annotated[str, Meta(pattern=r"^[0-9]{1,4}\.[0-9]{1,4}$")]


class CycleEntry(msgspec.Struct):
    """One series as the PEPs API publishes it; only ``status`` is required."""

    status: Annotated[str, Meta(min_length=1, max_length=40)]
    branch: Annotated[str, Meta(max_length=100)] = ""
    pep: Annotated[int, Meta(ge=1, le=2**31 - 1)] | None = None
    first_release: Annotated[str, Meta(max_length=40)] = ""
    end_of_life: Annotated[str, Meta(max_length=40)] = ""
    release_manager: Annotated[str, Meta(max_length=200)] = ""


class BadReleaseCycle(ValueError):
    """The answer is not release-cycle data; the message says why."""


_DECODER = msgspec.json.Decoder(dict[SeriesKey, CycleEntry])


def parse(body: bytes) -> dict[str, CycleEntry]:
    """The series of a release-cycle document; ``BadReleaseCycle`` when it is not JSON, not the
    expected shape, or empty (an empty answer would wipe the table: treated as a failure)."""
    try:
        entries = _DECODER.decode(body)
    except msgspec.ValidationError as exc:
        raise BadReleaseCycle(f"not release-cycle data: {exc}") from exc
    except msgspec.DecodeError as exc:
        raise BadReleaseCycle(f"not JSON: {exc}") from exc
    if not entries:
        raise BadReleaseCycle("no series in the data")
    return entries


async def fetch(client: httpx.AsyncClient, url: str) -> bytes:
    """GET the document; anything but a 200 of at most ``MAX_BODY_BYTES`` raises."""
    async with client.stream("GET", url, headers={"Accept": "application/json"}) as response:
        if response.status_code != 200:
            raise BadReleaseCycle(f"{url} answered {response.status_code}")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise BadReleaseCycle(f"{url} is larger than {MAX_BODY_BYTES} bytes")
            chunks.append(chunk)
    return b"".join(chunks)


@dataclass
class StoreResult:
    created: list[str]
    updated: list[str]
    deleted: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "deleted": self.deleted}


def _columns(entry: CycleEntry) -> dict[str, Any]:
    return {
        "branch": entry.branch,
        "pep": entry.pep,
        "status": entry.status,
        "first_release": entry.first_release,
        "end_of_life": entry.end_of_life,
        "release_manager": entry.release_manager,
    }


async def store(session: AsyncSession, entries: Mapping[str, CycleEntry]) -> StoreResult:
    """Make the table equal to ``entries``, writing only the rows whose data differs."""
    result = StoreResult([], [], [])
    rows = {row.version: row for row in await session.scalars(select(ReleaseCycle))}
    for version, entry in sorted(entries.items()):
        row = rows.pop(version, None)
        if row is None:
            session.add(ReleaseCycle(version=version, **_columns(entry)))
            result.created.append(version)
        elif assign_changed(row, _columns(entry)):
            result.updated.append(version)
    for version, row in sorted(rows.items()):  # a series the data no longer lists
        await session.delete(row)
        result.deleted.append(version)
    await session.flush()
    return result


def http_client(timeout: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT})


async def refresh(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    redis: Any = None,
    queue: Any = None,
    client_factory: Callable[[float], httpx.AsyncClient] = http_client,
) -> dict[str, Any]:
    """Fetch the release-cycle data and store what changed (one transaction). A failed fetch
    writes nothing: the last good copy stays, and the failure is logged and returned."""
    url = settings.release_cycle_url
    if not url:
        return {"status": "disabled"}
    try:
        async with client_factory(settings.release_cycle_timeout_seconds) as client:
            entries = parse(await fetch(client, url))
    except (httpx.HTTPError, BadReleaseCycle) as exc:
        error = str(exc) or type(exc).__name__
        log.warning("release_cycle_fetch_failed", url=url, error=error, error_type=type(exc).__name__)
        return {"status": "failed", "url": url, "error": error}
    async with transaction(sessionmaker, redis=redis, queue=queue) as session:
        result = await store(session, entries)
    log.info("release_cycle_refreshed", url=url, series=len(entries), **result.as_dict())
    return {"status": "stored", "url": url, "series": len(entries), **result.as_dict()}


async def load_file(session: AsyncSession, body: bytes) -> StoreResult:
    """Store a saved copy of the data (the demo seed's ``release-cycle.json``)."""
    return await store(session, parse(body))


# --- reads ---------------------------------------------------------------------------------


def series_sort_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


async def all_series(session: AsyncSession) -> list[ReleaseCycle]:
    """Every stored series, newest first."""
    rows = list(await session.scalars(select(ReleaseCycle)))
    return sorted(rows, key=lambda row: series_sort_key(row.version), reverse=True)


_SERIES_RE = re.compile(r"^Python ([0-9]+)\.([0-9]+)")


async def list_series(
    session: AsyncSession, *, limit: int, offset: int
) -> tuple[list[ReleaseCycle], ListMeta]:
    """A page of ``all_series`` (a few dozen rows: sorted here, by version number)."""
    rows = await all_series(session)
    return rows[offset : offset + limit], ListMeta(total=len(rows), limit=limit, offset=offset)


def series_of(name: str) -> tuple[int, str] | None:
    """(major, "X.Y") of a release name ("Python 3.9.14" -> (3, "3.9")), as python.org's
    ``get_eol_info`` parses ``get_version()``; None when the name has no "X.Y" version."""
    match = _SERIES_RE.match(name)
    if match is None:
        return None
    return int(match[1]), f"{match[1]}.{match[2]}"


@dataclass(frozen=True)
class EolInfo:
    is_eol: bool = False
    end_of_life: str | None = None


async def eol_info(session: AsyncSession, name: str) -> EolInfo:
    """python.org's ``get_eol_info``: a release whose series' status is "end-of-life" is EOL (with
    that date); a Python <= 2 release whose series the data does not list is EOL (no date); with
    no data at all nothing is EOL."""
    series = series_of(name)
    if series is None:
        return EolInfo()
    major, version = series
    row = await session.get(ReleaseCycle, version)
    if row is None:
        has_data = bool(await session.scalar(select(exists().select_from(ReleaseCycle))))
        return EolInfo(is_eol=has_data and major <= PYTHON_2_MAJOR)
    if row.status == END_OF_LIFE:
        return EolInfo(is_eol=True, end_of_life=row.end_of_life or None)
    return EolInfo()


# The same rule as SQL, for the ORM-free release list (services.RELEASE_COLUMNS): ``is_eol``, then
# ``end_of_life``. The version is parsed as ``get_version`` does ("Python " + digits).
EOL_COLUMNS = (
    "COALESCE((SELECT c.status = 'end-of-life' FROM downloads_release_cycle c"
    r" WHERE c.version = substring(name from '^Python ([0-9]+\.[0-9]+)')),"
    r" ltrim(substring(name from '^Python ([0-9]+)\.[0-9]'), '0') IN ('', '1', '2')"
    " AND EXISTS (SELECT 1 FROM downloads_release_cycle), false),"
    " (SELECT NULLIF(c.end_of_life, '') FROM downloads_release_cycle c"
    r" WHERE c.version = substring(name from '^Python ([0-9]+\.[0-9]+)') AND c.status = 'end-of-life')"
)


@dataclass
class ActiveRelease:
    """One row of the "Active Python Releases" table."""

    version: str
    status: str
    first_release: str
    end_of_life: str
    pep: int | None
    last_release: Release | None  # for the end-of-life row: the series' newest release


async def _newest_of_series(session: AsyncSession, version: str) -> Release | None:
    """The newest published release named "Python X.Y.*", by date, pre-releases included
    (python.org's ``latest_python3(minor)``, which looked in Python 3 only, whatever the series)."""
    return await session.scalar(
        select(Release)
        .where(Release.is_published, Release.name.like(f"Python {version}.%"))
        .order_by(Release.release_date.desc(), Release.id.desc())
        .limit(1)
    )


async def active_releases(session: AsyncSession) -> list[ActiveRelease]:
    """python.org's ``render_active_releases``: series newest first; a series not yet released
    (planned, feature, prerelease) only once a published release of it exists, as "pre-release"
    with " (planned)" after its first-release date; of the end-of-life series only the newest,
    with the newest release of it. No data: an empty table."""
    rows: list[ActiveRelease] = []
    found_eol = False
    for series in await all_series(session):
        status, first_release = series.status, series.first_release
        last_release = None
        if status in NOT_YET_RELEASED:
            if await _newest_of_series(session, series.version) is None:
                continue
            if first_release:
                first_release = f"{first_release} (planned)"
            status = "pre-release"
        elif status == END_OF_LIFE:
            if found_eol:
                continue
            found_eol = True
            last_release = await _newest_of_series(session, series.version)
        rows.append(
            ActiveRelease(
                version=series.version,
                status=status,
                first_release=first_release,
                end_of_life=series.end_of_life,
                pep=series.pep,
                last_release=last_release,
            )
        )
    return rows
