"""What the builder knows about the site's data: records and views fetched from the API, the
change-feed cursor they reflect, and the per-output hashes of the last published build; and the
API client that reads them.

Public data is fetched anonymously (so drafts never reach a page); only the change feed needs
the builder's API key. What each section reads, and re-reads on a change, is declared by the
section (``sitebuilder.sections``); ``sitebuilder.fetch`` runs a full or an incremental fetch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import msgspec

PAGE_SIZE = 1000
# Requests in flight at once for ``get_many`` (a full build reads ~600 release pages): enough to
# keep every API worker busy, few enough not to queue behind each other.
FETCH_THREADS = 4


class ApiError(RuntimeError):
    pass


class Api:
    """The API over HTTP, with retries on connection errors and 5xx. Safe to share between
    threads (``get_many``): httpx's client and its connection pool are."""

    def __init__(self, base_url: str, api_key: str = "", *, attempts: int = 4, timeout: float = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.attempts = attempts
        self.client = httpx.Client(timeout=timeout, transport=httpx.HTTPTransport(retries=2))

    def close(self) -> None:
        self.client.close()

    def get(self, path: str, *, auth: bool = False, allow_404: bool = False) -> Any:
        headers = {"Authorization": f"Bearer {self.api_key}"} if auth and self.api_key else {}
        delay = 0.5
        for attempt in range(1, self.attempts + 1):
            try:
                response = self.client.get(self.base_url + path, headers=headers)
            except httpx.TransportError as exc:
                if attempt == self.attempts:
                    raise ApiError(f"GET {path}: {exc}") from exc
            else:
                if response.status_code == 404 and allow_404:
                    return None
                if response.status_code < 500 and response.status_code != 429:
                    if response.status_code != 200:
                        raise ApiError(f"GET {path}: HTTP {response.status_code} {response.text[:200]}")
                    return msgspec.json.decode(response.content)
                if attempt == self.attempts:
                    raise ApiError(f"GET {path}: HTTP {response.status_code}")
            time.sleep(delay)
            delay *= 2
        raise ApiError(f"GET {path}: gave up")

    def get_many(self, paths: Sequence[str], *, allow_404: bool = False) -> list[Any]:
        """``get`` of each path, ``FETCH_THREADS`` at a time; the answers in ``paths``' order."""
        if len(paths) < 2:
            return [self.get(path, allow_404=allow_404) for path in paths]
        with ThreadPoolExecutor(max_workers=min(FETCH_THREADS, len(paths))) as pool:
            return list(pool.map(lambda path: self.get(path, allow_404=allow_404), paths))

    def pages_of(self, path: str) -> Iterator[Any]:
        """Every record of a paginated list: the first page, then the rest (``get_many``) once
        the first says how many there are."""
        sep = "&" if "?" in path else "?"
        first = self.get(f"{path}{sep}limit={PAGE_SIZE}&offset=0")
        yield from first["data"]
        offset = len(first["data"])
        total = first["meta"]["total"]
        if not first["data"] or offset >= total:
            return
        pages = self.get_many(
            [f"{path}{sep}limit={PAGE_SIZE}&offset={start}" for start in range(offset, total, PAGE_SIZE)]
        )
        for body in pages:
            yield from body["data"]
            offset += len(body["data"])
            if not body["data"]:
                return
        if offset < total:  # records added while reading: read on from where the pages ended
            yield from self._pages_from(path, offset)

    def _pages_from(self, path: str, offset: int) -> Iterator[Any]:
        sep = "&" if "?" in path else "?"
        while True:
            body = self.get(f"{path}{sep}limit={PAGE_SIZE}&offset={offset}")
            yield from body["data"]
            offset += len(body["data"])
            if not body["data"] or offset >= body["meta"]["total"]:
                return


@dataclass
class Snapshot:
    """Keys are strings: ``page:<id>``, ``box:<id>``, ``os:<id>``, ``release:<id>``, ``view:<name>``."""

    cursor: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    file_release: dict[str, int] = field(default_factory=dict)  # release-file id -> release id
    outputs: dict[str, str] = field(default_factory=dict)  # output path -> content hash
    site_version: str = ""  # theme + menus of the last published build (a change purges everything)
    # The sections whose data this snapshot holds: a section added since (a new release of the
    # builder) is fetched whole by the next incremental build, not left empty until a full one.
    sections: list[str] = field(default_factory=list)
    # While ``frozen``: the records of each prefix, sorted once when first asked for.
    _index: dict[str, list[tuple[str, Any]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _sorted: dict[str, list[Any]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> Snapshot | None:
        try:
            raw = msgspec.json.decode(path.read_bytes())
        except (OSError, msgspec.DecodeError):
            return None
        return cls(
            cursor=raw["cursor"],
            data=raw["data"],
            file_release=raw["file_release"],
            outputs=raw.get("outputs", {}),
            site_version=raw.get("site_version", ""),
            sections=raw.get("sections", []),
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        state = {
            "cursor": self.cursor,
            "data": self.data,
            "file_release": self.file_release,
            "outputs": self.outputs,
            "site_version": self.site_version,
            "sections": self.sections,
        }
        # In the order the data was read (sorting 30 MB of keys would triple the time this takes);
        # output hashes sort keys themselves (``Output.digest``), so nothing depends on it.
        tmp.write_bytes(msgspec.json.encode(state))
        tmp.replace(path)

    def refresh(self, api: Api, key: str, path: str, *, public: Callable[[Any], bool] = bool) -> None:
        """Re-read one record: stored when the API has it (and ``public`` says it may be
        shown), dropped when it answers 404 — deleted, or a draft an anonymous reader cannot see."""
        record = api.get(path, allow_404=True)
        if record is not None and public(record):
            self.data[key] = record
        else:
            self.data.pop(key, None)

    def items(self, prefix: str) -> list[Any]:
        """The records kept under ``<prefix>:<id>``, in id order."""
        if self._index is not None:
            if prefix not in self._sorted:
                chosen = self._index.get(prefix, [])
                self._sorted[prefix] = [v for _, v in sorted(chosen, key=lambda kv: _key_order(kv[0]))]
            return list(self._sorted[prefix])
        start = prefix + ":"
        chosen = [(k, v) for k, v in self.data.items() if k.startswith(start)]
        return [v for _, v in sorted(chosen, key=lambda kv: _key_order(kv[0]))]

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """While the snapshot is only read (planning asks ``items`` of ~20 prefixes, each a scan of
        ~20,000 keys on the large site): ``items`` answers from an index made in one scan."""
        index: dict[str, list[tuple[str, Any]]] = {}
        for key, value in self.data.items():
            kind, sep, _ = key.partition(":")
            if sep:
                index.setdefault(kind, []).append((key, value))
        self._index, self._sorted = index, {}
        try:
            yield
        finally:
            self._index, self._sorted = None, {}


def _key_order(key: str) -> tuple[str, int | str]:
    kind, _, ident = key.partition(":")
    return (kind, int(ident)) if ident.isascii() and ident.isdigit() else (kind, ident)


def today() -> str:
    """The build's day (UTC). Pages that depend on "now" (a job's "New" badge, upcoming events)
    use it, and the first build of a new day re-reads what depends on it."""
    return datetime.now(UTC).date().isoformat()
