"""Where the built site is published: the static origin behind the CDN.

``LocalDirectoryOrigin`` keeps whole releases side by side (``root/releases/<id>/``) and
switches the ``root/current`` symlink atomically, so a reader (nginx serves
``/srv/site/current``) always sees one complete release. ``S3Origin`` uploads to an
S3-compatible bucket: new objects first, deletions last, then a manifest.

Paths given to ``publish`` (``changed``, ``deleted``) are relative POSIX paths of files in the
built tree (``downloads/index.html``). ``source_dir`` is always the complete tree; ``changed``
says which of its files differ from the previous publish (``None``: treat all as changed).
A path in ``deleted`` is never published, even if ``source_dir`` still has it.

A publish costs what changed, not the size of the site (about 10,000 files, a directory each):
a full publish moves the built tree into place (``move``), and an overlay publish reuses an old
release (recycling) or a hard-linked copy of the live one made while nothing was waiting
(``prepare_next``, which the waiting build process runs).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import hashlib
import json
import mimetypes
import os
import secrets
import shutil
import stat
import subprocess
import threading
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Protocol, TypeVar

import structlog

from sitebuilder.cdn import run_bounded, surrogate_keys
from sitebuilder.objectstore import ObjectStore, ObjectStoreError

log = structlog.get_logger(__name__)

T = TypeVar("T")

RELEASES = "releases"
CURRENT = "current"
_PARTIAL = ".partial-"
_TRASH = ".trash-"
# A hard-linked copy of release <id>, made ahead of the next overlay publish on top of <id>.
_NEXT = ".next-"
LINK_THREADS = 8


def _unlink_file(path: Path) -> None:
    """Remove a file or symlink if there is one (never a directory)."""
    if path.is_file() or path.is_symlink():
        path.unlink()


def _remove_empty_parents(directory: Path, top: Path) -> None:
    while directory != top and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent


def _batches(items: list[str], size: int = 256) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _remove_in_background(paths: list[Path]) -> None:
    """Delete pruned release trees without holding up the publish: a detached ``rm -rf`` that
    outlives this (short-lived) build process. If it is interrupted, the next prune retries.
    A daemon thread reaps it, so a long-lived process (the tests, ``serve``) leaves no zombie
    and no "subprocess is still running" warning behind."""
    remover = subprocess.Popen(  # noqa: S603
        ["rm", "-rf", "--", *map(str, paths)],  # noqa: S607
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    threading.Thread(target=remover.wait, name="prune-releases", daemon=True).start()


class Origin(Protocol):
    async def publish(
        self, source_dir: Path, *, changed: Collection[str] | None = None, deleted: Collection[str] = ()
    ) -> str:
        """Publish ``source_dir``; returns the new release id."""
        ...


def new_release_id() -> str:
    """Sortable by time (UTC, microseconds), unique thanks to a random suffix."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"


def normalize_path(path: str) -> str:
    """``/downloads/index.html`` -> ``downloads/index.html``; refuses anything that could escape
    the tree or that HTTP would normalise."""
    cleaned = path.replace("\\", "/").lstrip("/")
    parts = cleaned.split("/")
    if not cleaned or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"published path {path!r} is not a relative file path")
    return cleaned


def walk_files(source_dir: Path) -> Iterator[str]:
    """Relative POSIX paths of every file under ``source_dir``, sorted."""
    for dirpath, dirnames, filenames in os.walk(source_dir):
        dirnames.sort()
        base = Path(dirpath).relative_to(source_dir)
        for name in sorted(filenames):
            yield (base / name).as_posix()


# --- a local directory -----------------------------------------------------------------------


def _copy_file(src: Path, dst: Path) -> None:
    shutil.copy2(src, dst)


def _link_file(src: Path, dst: Path) -> None:
    os.link(src, dst)


class LocalDirectoryOrigin:
    """``root/releases/<id>/`` trees and a relative ``root/current -> releases/<id>`` symlink.

    A publish builds the new release completely (copying from ``source_dir``; files not in
    ``changed`` are hard-linked from the current release when it has them with the same size),
    then replaces ``current`` in one ``rename(2)``. The newest ``keep`` releases (and always
    the current one) are kept. A failure before the switch leaves ``current`` as it was and
    removes the partial release. Publishes to one root are serialised (a lock file).
    """

    def __init__(self, root: Path, *, keep: int = 3, hardlink: bool = True) -> None:
        if keep < 1:
            raise ValueError("keep must be at least 1")
        self.root = Path(root)
        self.keep = keep
        self.hardlink = hardlink
        self._lock = asyncio.Lock()

    @property
    def releases_dir(self) -> Path:
        return self.root / RELEASES

    @property
    def current_link(self) -> Path:
        return self.root / CURRENT

    def current_release(self) -> str | None:
        try:
            target = os.readlink(self.current_link)
        except FileNotFoundError:
            return None
        return PurePosixPath(target).name

    def current_dir(self) -> Path | None:
        release = self.current_release()
        return self.releases_dir / release if release else None

    def releases(self) -> list[str]:
        """Release ids, oldest first."""
        if not self.releases_dir.is_dir():
            return []
        return sorted(p.name for p in self.releases_dir.iterdir() if not p.name.startswith("."))

    async def publish(
        self,
        source_dir: Path,
        *,
        changed: Collection[str] | None = None,
        deleted: Collection[str] = (),
        overlay: bool = False,
        move: bool = False,
    ) -> str:
        """With ``overlay``, ``source_dir`` holds only the ``changed`` files; everything else is
        taken (hard-linked) from the current release. With ``move`` (not an overlay), the caller
        gives ``source_dir`` away: renamed into place as the new release when it is on the same
        file system (nothing copied, nothing linked), copied as usual when not."""
        changed_set = None if changed is None else {normalize_path(p) for p in changed}
        deleted_set = {normalize_path(p) for p in deleted}
        if overlay and changed_set is None:
            raise ValueError("an overlay publish needs the list of changed files")
        if overlay and move:
            raise ValueError("an overlay publish takes the changed files, it cannot move a tree")
        async with self._lock:
            return await asyncio.to_thread(
                self._publish, Path(source_dir), changed_set, deleted_set, overlay, move
            )

    def prepare_next(self) -> bool:
        """Make the next overlay publish cost what it changes: when it could not recycle an old
        release (fewer than ``keep`` of them, or a full publish since), build a hard-linked copy
        of the current release now (``.next-<id>``), for a publish on top of that release to take
        over. Slow (a directory and a link per file) and meant for idle time: the waiting build
        process runs it (``sitebuilder.build --wait``). Returns whether a copy is ready."""
        if not self.hardlink or not self.releases_dir.is_dir():
            return False
        return self._locked(self._prepare_next)

    def _prepare_next(self) -> bool:
        current = self.current_dir()
        if current is None or not current.is_dir():
            return False
        if (self.releases_dir / (_NEXT + current.name)).is_dir():
            return True
        self._clear_leftovers()
        if self._recyclable() is not None:
            return False
        partial = self.releases_dir / (_PARTIAL + _NEXT + current.name)
        try:
            self._link_tree(current, partial, exclude=set())
            partial.rename(self.releases_dir / (_NEXT + current.name))
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        log.info("origin.prepared_next", release=current.name, root=str(self.root))
        return True

    def _clear_leftovers(self) -> None:
        """Partial releases of a crashed publish, and copies made for a release no longer live;
        called with the lock held."""
        for leftover in self.releases_dir.glob(_PARTIAL + "*"):
            shutil.rmtree(leftover, ignore_errors=True)
        current = self.current_release()
        stale = [p for p in self.releases_dir.glob(_NEXT + "*") if p.name != _NEXT + str(current)]
        trash = []
        for path in stale:
            doomed = self.releases_dir / (_TRASH + path.name)
            try:
                path.rename(doomed)
                trash.append(doomed)
            except OSError as exc:
                log.warning("origin.prune_failed", release=path.name, error=str(exc))
        if trash:
            _remove_in_background(trash)

    async def activate(self, release_id: str) -> None:
        """Point ``current`` at an existing release (a rollback)."""
        async with self._lock:
            await asyncio.to_thread(self._locked, lambda: self._activate_existing(release_id))

    def _activate_existing(self, release_id: str) -> None:
        if release_id.startswith(".") or "/" in release_id:
            raise ValueError(f"invalid release id {release_id!r}")
        if not (self.releases_dir / release_id).is_dir():
            raise FileNotFoundError(f"no release {release_id!r} under {self.releases_dir}")
        self._switch(release_id)

    def _locked(self, action: Callable[[], T]) -> T:
        self.releases_dir.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                return action()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _publish(
        self,
        source_dir: Path,
        changed: set[str] | None,
        deleted: set[str],
        overlay: bool = False,
        move: bool = False,
    ) -> str:
        if not source_dir.is_dir():
            raise FileNotFoundError(f"nothing to publish: {source_dir} is not a directory")
        if self.current_link.exists() and not self.current_link.is_symlink():
            raise RuntimeError(f"{self.current_link} exists and is not a symlink; move it away first")
        return self._locked(lambda: self._build_and_switch(source_dir, changed, deleted, overlay, move))

    def _build_and_switch(
        self,
        source_dir: Path,
        changed: set[str] | None,
        deleted: set[str],
        overlay: bool = False,
        move: bool = False,
    ) -> str:
        self._clear_leftovers()  # a crashed publish's partial release, copies of older releases
        release_id = new_release_id()
        partial = self.releases_dir / (_PARTIAL + release_id)
        final = self.releases_dir / release_id
        previous = self.current_dir()
        log_entry = {"release": release_id, "overlay": overlay, "changed": [], "deleted": sorted(deleted)}
        try:
            recycled = self._recyclable() if overlay and previous is not None else None
            prepared = self.releases_dir / (_NEXT + previous.name) if previous is not None else None
            if recycled is not None and previous is not None:
                copied, linked = self._recycle(
                    recycled, source_dir, partial, previous, changed or set(), deleted
                )
            elif overlay and previous is not None and prepared is not None and prepared.is_dir():
                prepared.rename(partial)  # a copy of the live release (prepare_next)
                copied, linked = self._bring_up_to_date(
                    partial, source_dir, previous, set(), changed or set(), deleted
                )
            elif overlay and previous is not None:
                copied, linked = self._build_overlay(source_dir, partial, previous, changed or set(), deleted)
            elif move and self._moved(source_dir, partial, deleted):
                copied, linked = 0, 0
            else:
                copied, linked = self._build(source_dir, partial, previous, changed, deleted)
            log_entry["changed"] = sorted(changed or ()) if overlay else []
            partial.rename(final)
            self._switch(release_id)
            self._append_log(log_entry)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            if self.current_release() != release_id:
                shutil.rmtree(final, ignore_errors=True)
            raise
        log.info("origin.published", release=release_id, copied=copied, linked=linked, root=str(self.root))
        self._prune(keep_also=release_id)
        return release_id

    def _build(
        self,
        source_dir: Path,
        target: Path,
        previous: Path | None,
        changed: set[str] | None,
        deleted: set[str],
    ) -> tuple[int, int]:
        target.mkdir()
        copied = linked = 0
        for dirpath, dirnames, filenames in os.walk(source_dir):
            dirnames.sort()
            rel_dir = Path(dirpath).relative_to(source_dir)
            (target / rel_dir).mkdir(exist_ok=True)
            for name in sorted(filenames):
                rel = (rel_dir / name).as_posix()
                if rel in deleted:
                    continue
                src, dst = Path(dirpath) / name, target / rel_dir / name
                if self._can_link(rel, src, previous, changed):
                    assert previous is not None
                    _link_file(previous / rel, dst)
                    linked += 1
                else:
                    _copy_file(src, dst)
                    copied += 1
        return copied, linked

    def _moved(self, source_dir: Path, target: Path, deleted: set[str]) -> bool:
        """``source_dir`` renamed to ``target`` (the deleted paths taken out first); False when
        they are on different file systems (the caller copies instead)."""
        for rel in deleted:
            _unlink_file(source_dir / rel)
        try:
            os.rename(source_dir, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            return False
        for rel in sorted(deleted):
            _remove_empty_parents((target / rel).parent, target)
        return True

    def _build_overlay(
        self, source_dir: Path, target: Path, previous: Path, changed: set[str], deleted: set[str]
    ) -> tuple[int, int]:
        """The previous release (hard-linked) with the changed files from ``source_dir`` on top."""
        linked = self._link_tree(previous, target, exclude=changed | deleted)
        linked, copied = (linked, 0) if self.hardlink else (0, linked)
        for rel in sorted(changed - deleted):
            dst = target / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            _copy_file(source_dir / rel, dst)
            copied += 1
        for rel in sorted(deleted):  # directories a deletion emptied
            parent = (target / rel).parent
            while parent != target and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
        return copied, linked

    def _link_tree(self, previous: Path, target: Path, *, exclude: set[str]) -> int:
        """``target``: a new tree of ``previous``'s files (hard links), but for ``exclude``.

        A site has a directory per page (``x/index.html``), so this is mostly directory creation
        and linking; both are system calls that release the GIL, so a small thread pool does
        them several at a time (python.org's ~10,000 files: ~4 s serial, well under 1 s here)."""
        target.mkdir()
        kept = [rel for rel in walk_files(previous) if rel not in exclude]
        directories: set[str] = set()
        for rel in kept:
            directory = os.path.dirname(rel)
            while directory and directory not in directories:  # the directory and its parents
                directories.add(directory)
                directory = os.path.dirname(directory)
        # Parents first: one level at a time.
        by_depth: dict[int, list[str]] = {}
        for directory in sorted(directories):
            by_depth.setdefault(directory.count("/"), []).append(directory)
        link = os.link if self.hardlink else shutil.copy2
        src_root, dst_root = str(previous), str(target)

        def make_dirs(batch: list[str]) -> None:
            for directory in batch:
                os.mkdir(os.path.join(dst_root, directory))

        def place(batch: list[str]) -> None:
            for rel in batch:
                link(os.path.join(src_root, rel), os.path.join(dst_root, rel))

        with ThreadPoolExecutor(max_workers=LINK_THREADS) as pool:
            for depth in sorted(by_depth):
                list(pool.map(make_dirs, _batches(by_depth[depth])))
            list(pool.map(place, _batches(kept)))
        return len(kept)

    def _can_link(self, rel: str, src: Path, previous: Path | None, changed: set[str] | None) -> bool:
        if not self.hardlink or previous is None or changed is None or rel in changed:
            return False
        try:
            old = (previous / rel).stat()
        except OSError:
            return False
        return stat.S_ISREG(old.st_mode) and old.st_size == src.stat().st_size

    def _switch(self, release_id: str) -> None:
        tmp = self.root / f".{CURRENT}-{secrets.token_hex(4)}"
        os.symlink(f"{RELEASES}/{release_id}", tmp)
        try:
            os.replace(tmp, self.current_link)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(self.root)

    # --- recycling: the oldest release, brought up to date, becomes the next one ----------------
    #
    # A site has a directory per page, so building a release from scratch (even with hard
    # links) costs one mkdir and one link per page, and pruning one costs as much again. With a
    # full set of releases kept, the oldest one is due for pruning anyway: it is renamed to the
    # new partial release and only the paths that changed since it was published are brought in
    # line with the current release (the publish log says which), then the new files go on top.
    # The cost follows the size of the change, not of the site. Without a usable log (a full
    # publish since, a missing entry) a release is built from scratch as before.

    @property
    def log_path(self) -> Path:
        return self.root / ".publish-log.json"

    def _read_log(self) -> list[dict[str, object]]:
        try:
            entries = json.loads(self.log_path.read_text())
        except (OSError, ValueError):
            return []
        return entries if isinstance(entries, list) else []

    def _append_log(self, entry: dict[str, object]) -> None:
        kept = set(self.releases())
        entries = [e for e in self._read_log() if e.get("release") in kept] + [entry]
        tmp = self.log_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(entries))
        os.replace(tmp, self.log_path)

    def _recyclable(self) -> str | None:
        """The oldest release, when a full set is kept and the log covers every publish since."""
        releases = self.releases()
        current = self.current_release()
        if len(releases) < self.keep or self.keep < 2 or not releases or releases[0] == current:
            return None
        oldest = releases[0]
        ids = [e.get("release") for e in self._read_log()]
        if oldest not in ids:
            return None
        later = self._read_log()[ids.index(oldest) + 1 :]
        if not later or not all(e.get("overlay") for e in later):
            return None
        return oldest

    def _recycle(
        self,
        old: str,
        source_dir: Path,
        target: Path,
        previous: Path,
        changed: set[str],
        deleted: set[str],
    ) -> tuple[int, int]:
        entries = self._read_log()
        ids = [e.get("release") for e in entries]
        touched: set[str] = set()
        for entry in entries[ids.index(old) + 1 :]:
            touched.update(str(p) for p in entry.get("changed", []))  # type: ignore[attr-defined]
            touched.update(str(p) for p in entry.get("deleted", []))  # type: ignore[attr-defined]
        (self.releases_dir / old).rename(target)
        return self._bring_up_to_date(target, source_dir, previous, touched, changed, deleted)

    def _bring_up_to_date(
        self,
        target: Path,
        source_dir: Path,
        previous: Path,
        touched: set[str],
        changed: set[str],
        deleted: set[str],
    ) -> tuple[int, int]:
        """``target``, a tree that differs from ``previous`` at most at ``touched``, made
        ``previous`` with the ``changed`` files from ``source_dir`` and without ``deleted``."""
        linked = copied = 0
        for rel in sorted(touched - changed - deleted):  # back in line with the current release
            dst = target / rel
            _unlink_file(dst)
            if (previous / rel).is_file():
                dst.parent.mkdir(parents=True, exist_ok=True)
                (_link_file if self.hardlink else _copy_file)(previous / rel, dst)
                linked += 1
            else:
                _remove_empty_parents(dst.parent, target)
        for rel in sorted(changed - deleted):
            dst = target / rel
            _unlink_file(dst)
            dst.parent.mkdir(parents=True, exist_ok=True)
            _copy_file(source_dir / rel, dst)
            copied += 1
        for rel in sorted(deleted):
            dst = target / rel
            _unlink_file(dst)
            _remove_empty_parents(dst.parent, target)
        return copied, linked

    def _prune(self, keep_also: str) -> None:
        releases = self.releases()
        keep = set(releases[-self.keep :]) | {keep_also}
        current = self.current_release()
        if current:
            keep.add(current)
        trash = []
        for release in releases:
            if release not in keep:
                # Renamed out of the way at once (no reader can be sent there any more); the
                # files go in the background, as removing ~10,000 of them takes a second.
                doomed = self.releases_dir / (_TRASH + release)
                try:
                    (self.releases_dir / release).rename(doomed)
                    trash.append(doomed)
                except OSError as exc:  # the publish itself succeeded; try again next time
                    log.warning("origin.prune_failed", release=release, error=str(exc))
        trash += [p for p in self.releases_dir.glob(_TRASH + "*") if p not in trash]  # left by a crash
        if trash:
            _remove_in_background(trash)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- S3-compatible object storage ----------------------------------------------------------------

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".ics": "text/calendar; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".css": "text/css",
    ".js": "application/javascript",
    ".mjs": "application/javascript",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".pdf": "application/pdf",
}

SURROGATE_CONTROL = "max-age=2592000, stale-if-error=86400"


def content_type(path: str) -> str:
    suffix = PurePosixPath(path).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def cache_control(path: str) -> str:
    """Browser TTLs as deploy/origin/nginx.conf sends them."""
    return "public, max-age=3600" if path.startswith("static/") else "public, max-age=300"


def _strings(value: object) -> list[str]:
    """A journal's list of paths (or the keys of its path -> hash map)."""
    return [str(v) for v in value] if isinstance(value, list | dict) else []


class S3Origin:
    """The site in an S3-compatible bucket under the store's key prefix, through an ``ObjectStore``
    (sitebuilder/objectstore.py: obstore, path-style, retrying connection errors and 5xx).

    A bucket has no atomic switch, so a publish goes in three steps, each recorded in a journal
    (``_publish/pending.json``) before the next begins:

    1. **Stage**: every new or changed object is uploaded under ``_staging/<id>/``. This is the
       step that moves data and the one likely to fail; when it does, nothing live has changed
       and the staged objects are removed.
    2. **Back up**: each live object the publish will replace or remove is copied (server-side)
       to ``_previous/<id>/``; paths that were not there are listed as ``absent``.
    3. **Promote**: the staged objects are copied over the live ones, the removed ones deleted,
       the journal moved to ``_publish/<id>.json`` and ``_publish/current.json`` pointed at it;
       then the staging copies are removed.

    What is live changes only once everything is uploaded. A publish interrupted after step 1
    (the process killed, the store gone mid-way) is completed by the next publish, or by
    ``recover()``, from its journal: its staged objects are all there. ``rollback()`` puts back
    what the current publish replaced and removes what it added, and points ``current.json`` at
    the publish before it. Objects carry ``Content-Type``, ``Cache-Control`` and the CDN headers
    of the nginx origin as user metadata (``x-amz-meta-surrogate-key`` /
    ``x-amz-meta-surrogate-control``); server-side copies keep them.
    """

    manifest_dir = "_publish"
    staging_dir = "_staging"
    previous_dir = "_previous"

    def __init__(self, store: ObjectStore, *, concurrency: int = 8) -> None:
        """``store``: the bucket and key prefix the site lives under (an ``S3ObjectStore`` with
        ``prefix="site/"``, say); ``concurrency``: requests in flight at once."""
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.store = store
        self.concurrency = concurrency

    @property
    def pending_key(self) -> str:
        return f"{self.manifest_dir}/pending.json"

    @property
    def current_key(self) -> str:
        return f"{self.manifest_dir}/current.json"

    async def publish(
        self, source_dir: Path, *, changed: Collection[str] | None = None, deleted: Collection[str] = ()
    ) -> str:
        source_dir = Path(source_dir)
        if not source_dir.is_dir():
            raise FileNotFoundError(f"nothing to publish: {source_dir} is not a directory")
        deleted_set = {normalize_path(p) for p in deleted}
        if changed is None:
            uploads = await asyncio.to_thread(lambda: list(walk_files(source_dir)))
        else:
            uploads = sorted({normalize_path(p) for p in changed})
        uploads = [p for p in uploads if p not in deleted_set]
        missing = [p for p in uploads if not (source_dir / p).is_file()]
        if missing:
            raise FileNotFoundError(f"changed files missing from {source_dir}: {', '.join(missing[:5])}")
        await self.recover()
        release_id = new_release_id()
        hashes: dict[str, str] = {}
        staging = f"{self.staging_dir}/{release_id}"

        async def stage(path: str) -> None:
            data = await asyncio.to_thread((source_dir / path).read_bytes)
            await self.store.put(f"{staging}/{path}", data, self.attributes(path))
            hashes[path] = hashlib.sha256(data).hexdigest()

        try:
            await run_bounded(uploads, stage, self.concurrency)
        except BaseException:
            with contextlib.suppress(Exception):  # best effort: the staging area is not served
                await run_bounded(
                    sorted(hashes), lambda p: self.store.delete(f"{staging}/{p}"), self.concurrency
                )
            raise
        current = await self._read(self.current_key)
        journal: dict[str, object] = {
            "id": release_id,
            "state": "staged",
            "previous": current.get("id") if current else None,
            "full": changed is None,
            "uploaded": dict(sorted(hashes.items())),
            "deleted": sorted(deleted_set),
            "absent": [],
        }
        await self._write(self.pending_key, journal)
        await self._promote(journal)
        log.info("origin.published", release=release_id, uploaded=len(uploads), deleted=len(deleted_set))
        return release_id

    async def recover(self) -> str | None:
        """Complete a publish an interruption left in its journal; its id, or None."""
        journal = await self._read(self.pending_key)
        if not journal:
            return None
        log.warning("origin.recovering", release=journal["id"], state=journal["state"])
        await self._promote(journal)
        return str(journal["id"])

    async def _promote(self, journal: dict[str, object]) -> None:
        release_id = str(journal["id"])
        uploaded = sorted(_strings(journal["uploaded"]))
        deleted = _strings(journal["deleted"])
        staging = f"{self.staging_dir}/{release_id}"
        backup = f"{self.previous_dir}/{release_id}"
        if journal["state"] == "staged":
            absent: list[str] = []

            async def keep(path: str) -> None:
                if not await self.store.copy(path, f"{backup}/{path}"):
                    absent.append(path)

            await run_bounded([*uploaded, *deleted], keep, self.concurrency)
            journal["absent"] = sorted(absent)
            journal["state"] = "backed-up"
            await self._write(self.pending_key, journal)

        async def promote(path: str) -> None:
            if not await self.store.copy(f"{staging}/{path}", path):
                raise ObjectStoreError(f"staged object {staging}/{path} is missing; publish again")

        await run_bounded(uploaded, promote, self.concurrency)
        await run_bounded(deleted, self.store.delete, self.concurrency)
        journal["state"] = "live"
        journal["published_at"] = datetime.now(UTC).isoformat()
        await self._write(f"{self.manifest_dir}/{release_id}.json", journal)
        await self._write(self.current_key, {"id": release_id, "previous": journal["previous"]})
        await self.store.delete(self.pending_key)
        await run_bounded(uploaded, lambda p: self.store.delete(f"{staging}/{p}"), self.concurrency)

    async def rollback(self) -> str:
        """Undo the current publish: what it replaced or removed comes back from
        ``_previous/<id>/``, what it added goes. Returns the id now current."""
        await self.recover()
        current = await self._read(self.current_key)
        if not current or not current.get("previous"):
            raise ObjectStoreError("nothing to roll back to: no earlier publish is recorded")
        release_id = str(current["id"])
        journal = await self._read(f"{self.manifest_dir}/{release_id}.json")
        if not journal or journal.get("state") != "live":
            raise ObjectStoreError(f"publish {release_id} has no journal to roll back from")
        absent = set(_strings(journal["absent"]))
        paths = sorted({*_strings(journal["uploaded"]), *_strings(journal["deleted"])})
        backup = f"{self.previous_dir}/{release_id}"

        async def restore(path: str) -> None:
            if path in absent:
                await self.store.delete(path)
            elif not await self.store.copy(f"{backup}/{path}", path):
                raise ObjectStoreError(f"backup {backup}/{path} is missing; cannot roll back")

        await run_bounded(paths, restore, self.concurrency)
        journal["state"] = "rolled-back"
        await self._write(f"{self.manifest_dir}/{release_id}.json", journal)
        previous = str(current["previous"])
        before = await self._read(f"{self.manifest_dir}/{previous}.json")
        await self._write(
            self.current_key, {"id": previous, "previous": before.get("previous") if before else None}
        )
        log.info("origin.rolled_back", release=release_id, now=previous, restored=len(paths))
        return previous

    async def _read(self, key: str) -> dict[str, object] | None:
        body = await self.store.get(key)
        return None if body is None else dict(json.loads(body))

    async def _write(self, key: str, value: dict[str, object]) -> None:
        body = json.dumps(value, indent=1, sort_keys=True).encode()
        await self.store.put(key, body, {"Content-Type": "application/json", "Cache-Control": "no-store"})

    @staticmethod
    def attributes(path: str) -> dict[str, str]:
        """What an object is stored with: two headers S3 serves back, and the CDN headers the
        nginx origin sends (``Surrogate-Key``, ``Surrogate-Control``) as user metadata."""
        return {
            "Content-Type": content_type(path),
            "Cache-Control": cache_control(path),
            "surrogate-key": " ".join(surrogate_keys(path)),
            "surrogate-control": SURROGATE_CONTROL,
        }
