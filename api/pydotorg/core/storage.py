"""Media files behind one interface: a local directory in development and tests; object
storage in production (the site issue adds the S3-compatible backend next to the origin one).

Stored names are relative paths (``pages/about/logo.png``), as python.org's FileFields store
them; ``url()`` turns one into a public URL under the media base URL.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from pathlib import Path, PurePosixPath
from typing import Protocol

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class Storage(Protocol):
    async def save(self, name: str, data: bytes) -> str: ...
    async def delete(self, name: str) -> None: ...
    async def read(self, name: str) -> bytes: ...
    def url(self, name: str) -> str: ...


def safe_name(directory: str, filename: str) -> str:
    """A relative storage path that cannot escape ``directory``."""
    base = PurePosixPath(filename.replace("\\", "/")).name or "file"
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = _UNSAFE.sub("-", stem).strip("-.") or "file"
    ext = _UNSAFE.sub("", ext)[:10]
    cleaned = f"{stem[:80]}.{ext}" if ext else stem[:80]
    parts = [p for p in PurePosixPath(directory).parts if p not in ("", ".", "..", "/")]
    return str(PurePosixPath(*parts, cleaned)) if parts else cleaned


class LocalStorage:
    def __init__(self, root: Path, base_url: str = "/media/") -> None:
        self.root = root
        self.base_url = base_url.rstrip("/") + "/"

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage name {name!r} escapes the media root")
        return path

    async def save(self, name: str, data: bytes) -> str:
        path = self._path(name)
        if path.exists():  # never overwrite (python.org's storage had file_overwrite=False)
            stem, suffix = path.stem, path.suffix
            path = path.with_name(f"{stem}-{secrets.token_hex(4)}{suffix}")
        await asyncio.to_thread(_write, path, data)
        return str(path.relative_to(self.root.resolve()))

    async def delete(self, name: str) -> None:
        path = self._path(name)
        await asyncio.to_thread(path.unlink, True)

    async def read(self, name: str) -> bytes:
        return await asyncio.to_thread(self._path(name).read_bytes)

    def url(self, name: str) -> str:
        return self.base_url + name


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
