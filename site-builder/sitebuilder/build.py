"""One build: fetch (full or from the change feed), plan, render what changed, publish
atomically, purge what changed, and only then save the new cursor and output hashes.

Run in its own process (Pelican keeps process-wide state):
``python -m sitebuilder.build --api URL --out DIR [--full] [--api-key KEY]``; the SAQ job
``site.rebuild`` and ``pydotorg build-site`` both do exactly that.

A record the builder cannot render never stops the site: an output whose path is unsafe
(``outputs.unsafe_path``) or whose rendering raises is left out, logged, and listed under
``skipped`` in ``_state/last-build.json`` (which the worker hands on to ``/api/v3/site/status``);
everything else is published. Builds into one output directory take turns (a lock file), so a
build left running by a dead worker and its replacement never interleave.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import fcntl
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from sitebuilder.fetch import full_fetch, incremental_fetch
from sitebuilder.menus import globals_version, site_globals
from sitebuilder.outputs import Output, Skipped, url_of
from sitebuilder.plan import plan
from sitebuilder.settings import BuilderSettings
from sitebuilder.snapshot import Api, ApiError, Snapshot

if TYPE_CHECKING:
    from sitebuilder.origin import S3Origin
    from sitebuilder.render import RenderWorkers

log = structlog.get_logger(__name__)

REDIRECTS_FILE = "_redirects.json"
REPORT_FILE = "last-build.json"
# Purges of a publish not yet confirmed: written before the switch, removed once purged, so a
# build that dies in between leaves them to the next build instead of a stale CDN.
PENDING_PURGES_FILE = "pending-purges.json"
# Files published here but not yet to the S3 origin (PYDOTORG_SITE_ORIGIN=s3): kept until an S3
# publish succeeds, so a failed upload is retried by the next build even though the working copy
# (this directory) already has the files and the next build sees nothing new in them.
PENDING_REMOTE_FILE = "pending-remote.json"
BUILD_LOCK_FILE = ".build.lock"
RENDER_DIR_PREFIX = ".site-build-"
# Fewer outputs to render than this and a build renders in its own process alone: an edit's
# rebuild must not wait for worker processes to start (~0.5-1 s each: interpreter, imports).
PARALLEL_MIN_OUTPUTS = 500
# Exit status of a build that published but whose CDN purge failed (its purges stay in
# pending-purges.json for the next build); the worker counts these apart (pydotorg.core.tasks).
PURGE_FAILED_EXIT = 3


@dataclass
class Summary:
    mode: str
    written: int
    unchanged: int
    deleted: int
    changes: int
    cursor: int
    seconds: float
    purged: list[str]
    skipped: list[dict[str, str | None]] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.mode} build: {self.written} written, {self.unchanged} unchanged, "
            f"{self.deleted} deleted, {self.changes} changes, cursor {self.cursor}, "
            f"{self.seconds:.2f} s" + (f", {len(self.skipped)} skipped" if self.skipped else "")
        )


MAX_URL_PURGES = 256


@dataclass
class Purges:
    urls: list[str]
    keys: list[str]


def purge_plan(urls: list[str], *, site_changed: bool = False) -> Purges:
    """Purge changed URLs one by one; when the theme or the menus changed, or so many pages changed that one
    request per URL would be slower than refilling the cache, purge the ``site`` surrogate key
    (every file the origin serves carries it; deploy/fastly/README.md) instead."""
    if site_changed or len(urls) > MAX_URL_PURGES:
        return Purges(urls=[], keys=["site"])
    return Purges(urls=list(urls), keys=[])


def _progress_bar(done: int, total: int) -> None:
    if total and (done == total or done % 50 == 0):
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r  rendering [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _write_json(path: Path, value: Any) -> None:
    """Readers (the worker, operators) never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, path)


def _log_skipped(skipped: list[Skipped]) -> None:
    for s in skipped:
        log.warning("site.output_skipped", **s.as_dict())


@contextmanager
def _build_lock(out: Path) -> Iterator[None]:
    """One build at a time per output directory; the lock goes with the process that held it."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / BUILD_LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build(
    api_url: str,
    out: Path,
    *,
    api_key: str = "",
    full: bool = False,
    site_url: str = "",
    state_dir: Path | None = None,
    show_progress: bool = False,
    processes: int = 1,
    parallel_min: int = PARALLEL_MIN_OUTPUTS,
    purge_site: bool = False,
    standby: Standby | None = None,
) -> Summary:
    """``processes`` render in parallel (``render_outputs``) when at least ``parallel_min``
    outputs changed. ``standby``: what this process prepared while it waited (``--wait``)."""
    with _build_lock(out):
        for leftover in out.glob(RENDER_DIR_PREFIX + "*"):  # from a build that was killed
            shutil.rmtree(leftover, ignore_errors=True)
        return _build(
            api_url,
            out,
            api_key=api_key,
            full=full,
            site_url=site_url,
            state_dir=state_dir,
            show_progress=show_progress,
            processes=processes,
            parallel_min=parallel_min,
            standby=standby,
            purge_site=purge_site,
        )


def _build(
    api_url: str,
    out: Path,
    *,
    api_key: str,
    full: bool,
    site_url: str,
    state_dir: Path | None,
    show_progress: bool,
    processes: int,
    parallel_min: int,
    purge_site: bool = False,
    standby: Standby | None,
) -> Summary:
    from sitebuilder.origin import LocalDirectoryOrigin
    from sitebuilder.render import RenderWorkers

    workers: RenderWorkers | None = None
    if processes > 1 and (full or LocalDirectoryOrigin(out).current_dir() is None):
        # A full build renders thousands of pages: its render processes start (~0.7 s each) while
        # it fetches, not after.
        workers = RenderWorkers(processes - 1, progress=show_progress).start()
    try:
        return _build_with(
            api_url,
            out,
            api_key=api_key,
            full=full,
            site_url=site_url,
            state_dir=state_dir,
            show_progress=show_progress,
            processes=processes,
            parallel_min=parallel_min,
            standby=standby,
            workers=workers,
            purge_site=purge_site,
        )
    finally:
        if workers is not None:
            workers.close()


def _build_with(
    api_url: str,
    out: Path,
    *,
    api_key: str,
    full: bool,
    site_url: str,
    state_dir: Path | None,
    show_progress: bool,
    processes: int,
    parallel_min: int,
    purge_site: bool = False,
    standby: Standby | None,
    workers: RenderWorkers | None,
) -> Summary:
    from sitebuilder.cdn import create_cdn
    from sitebuilder.origin import LocalDirectoryOrigin, walk_files
    from sitebuilder.render import theme_version

    started = time.perf_counter()
    started_at = round(time.time(), 3)  # when the build began, to set against when a change was made
    phases: dict[str, float] = {}
    mark = started

    def phase(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[name] = round(now - mark, 3)
        mark = now

    state = state_dir or out / "_state"
    snapshot_path = state / "snapshot.json"
    origin = LocalDirectoryOrigin(out)
    if full:
        previous = None
    else:
        previous = standby.snapshot(snapshot_path) if standby is not None else Snapshot.load(snapshot_path)
    current = origin.current_dir()
    if current is None:
        previous = None  # nothing published yet: a full build
    api = Api(api_url, api_key)
    try:
        if previous is None:
            snap, changes = full_fetch(api), -1
            old_outputs: dict[str, str] = {}
        else:
            old_outputs = dict(previous.outputs)
            snap, changes = incremental_fetch(api, previous)
    finally:
        api.close()
    phase("fetch")
    site_url = site_url.rstrip("/")
    theme = f"{theme_version()} {site_url}"  # every link carries the site URL
    outputs, skipped = plan(snap, site_url)
    version = globals_version(theme, snap)
    # Pages show the menus; fragments and generated text files depend on the theme and URL alone.
    hashes = {o.path: o.digest(version if o.uses_site_globals else theme) for o in outputs}
    site_changed = previous is not None and previous.site_version not in ("", version)
    todo: list[Output] = [o for o in outputs if old_outputs.get(o.path) != hashes[o.path]]
    removed = sorted(set(old_outputs) - set(hashes))
    phase("plan")
    if previous is not None and not todo and not removed:
        _publish_remote(state, current, [], [])  # a publish to S3 an earlier build could not finish
        snap.outputs = hashes
        snap.site_version = version
        snap.save(snapshot_path)
        _log_skipped(skipped)
        summary = Summary(
            "incremental",
            0,
            len(outputs),
            0,
            changes,
            snap.cursor,
            time.perf_counter() - started,
            [],
            [s.as_dict() for s in skipped],
        )
        _write_json(
            state / REPORT_FILE,
            {
                **dataclasses.asdict(summary),
                "published": [],
                "deleted_files": [],
                "purged_urls": [],
                "purged_keys": [],
                "phase_seconds": phases,
                "started_at": started_at,
                **({"standby": standby.timings()} if standby is not None else {}),
            },
        )
        return summary
    with tempfile.TemporaryDirectory(prefix=RENDER_DIR_PREFIX, dir=_render_parent(out)) as tmp:
        rendered = Path(tmp) / "rendered"
        failed = render_outputs(
            todo,
            rendered,
            snap,
            site_url,
            live=current,
            show_progress=show_progress,
            processes=processes if len(todo) >= parallel_min else 1,
            workers=workers,
        )
        if failed:
            # Not published and not recorded as built: the next build tries them again (and a
            # full build of the same data leaves them out just the same).
            for f in failed:
                hashes.pop(f.path, None)
            skipped = sorted(skipped + failed, key=lambda s: s.path)
            removed = sorted(set(old_outputs) - set(hashes))
        phase("render")
        changed: list[str] = []
        live = current if previous is not None else None
        for rel in sorted(walk_files(rendered), key=lambda path: path.split("/")):
            produced = rendered / rel
            if (
                live is not None
                and (live / rel).exists()
                and (live / rel).read_bytes() == produced.read_bytes()
            ):
                produced.unlink()  # identical to what is live: nothing to publish or purge
                continue
            changed.append(rel)
        urls = sorted({url_of(p) for p in changed + removed if not p.startswith("theme/")})
        pending = _pending_purges(state)
        purges = purge_plan(
            sorted(set(urls) | set(pending.urls)),
            site_changed=site_changed or bool(pending.keys) or any(p.startswith("theme/") for p in changed),
        )
        if previous is not None and (purges.urls or purges.keys):
            _write_json(state / PENDING_PURGES_FILE, dataclasses.asdict(purges))
        if standby is not None:
            standby.wait_for_origin()
        if live is not None:
            # Only the changed files are handed over; the rest is linked from the live release.
            asyncio.run(origin.publish(rendered, changed=changed, deleted=removed, overlay=True))
            remote_changed, remote_deleted = changed, removed
        else:
            # Everything was rendered: the tree itself becomes the release. What the release it
            # replaces had and this one has not goes from the S3 origin too.
            before = set(walk_files(current)) if current is not None else set()
            asyncio.run(origin.publish(rendered, changed=changed, deleted=removed, move=True))
            remote_changed, remote_deleted = None, sorted(before - set(changed))
    live_now = origin.current_dir()
    assert live_now is not None
    _publish_remote(state, live_now, remote_changed, remote_deleted)
    phase("publish")
    # --purge-site: a full rebuild over a live site replaces what every page shows.
    purge_all = purge_site and previous is None and current is not None
    if purge_all:
        purges = Purges(urls=[], keys=["site"])
    # The CDN's HTTP client lives in one event loop: every call to it runs in this one.
    purge = previous is not None or purge_all  # a first build has nothing cached
    redirects = json.loads((live_now / REDIRECTS_FILE).read_text()) if REDIRECTS_FILE in changed else None

    async def update_cdn() -> None:
        cdn = create_cdn(BuilderSettings.from_env())
        if purge and purges.keys:
            await cdn.purge_keys(purges.keys)
        if purge and purges.urls:
            await cdn.purge_urls([site_url + u for u in purges.urls])
        (state / PENDING_PURGES_FILE).unlink(missing_ok=True)
        if redirects is not None:  # the edge answers data redirects with their real status
            await cdn.sync_redirects(redirects)

    asyncio.run(update_cdn())
    phase("purge")
    snap.outputs = hashes
    snap.site_version = version
    snap.save(snapshot_path)  # only after a successful publish: a failed build retries the same changes
    _log_skipped(skipped)
    summary = Summary(
        "incremental" if previous is not None else "full",
        len(todo) - len(failed),
        len(outputs) - len(todo),
        len(removed),
        max(changes, 0),
        snap.cursor,
        time.perf_counter() - started,
        urls,
        [s.as_dict() for s in skipped],
    )
    # What the last build did, for operators and tests: the files published and what was purged.
    report = {
        **dataclasses.asdict(summary),
        "published": changed,
        "deleted_files": removed,
        "purged_urls": purges.urls if previous is not None else [],
        "purged_keys": purges.keys if previous is not None or purge_all else [],
        "phase_seconds": {**phases, "save": round(time.perf_counter() - mark, 3)},
        "started_at": started_at,
        **({"standby": standby.timings()} if standby is not None else {}),
    }
    _write_json(state / REPORT_FILE, report)
    return summary


def _publish_remote(state: Path, live: Path | None, changed: list[str] | None, deleted: list[str]) -> None:
    """With ``PYDOTORG_SITE_ORIGIN=s3``, publish to the site bucket what was just published here
    (``changed`` None: the whole tree), with whatever an earlier build failed to publish there.
    Raises when the bucket refuses it; the next build tries again (``PENDING_REMOTE_FILE``)."""
    settings = BuilderSettings.from_env()
    if settings.site_origin != "s3" or live is None:
        return
    if errors := settings.origin_errors():
        raise ApiError("; ".join(errors))
    pending_path = state / PENDING_REMOTE_FILE
    try:
        pending = json.loads(pending_path.read_text())
    except (OSError, ValueError):
        pending = {"all": False, "changed": [], "deleted": []}
    everything = bool(pending.get("all")) or changed is None
    upload = set() if everything else {*pending.get("changed", []), *(changed or [])}
    gone = {*pending.get("deleted", []), *deleted} - upload
    if not everything and not upload and not gone:
        return
    _write_json(pending_path, {"all": everything, "changed": sorted(upload), "deleted": sorted(gone)})
    # Files still live only: one queued by a failed publish may have been removed since.
    files = None if everything else [p for p in sorted(upload) if (live / p).is_file()]
    asyncio.run(_site_bucket(settings).publish(live, changed=files, deleted=sorted(gone)))
    pending_path.unlink(missing_ok=True)


def _site_bucket(settings: BuilderSettings) -> S3Origin:
    from sitebuilder.objectstore import S3ObjectStore
    from sitebuilder.origin import S3Origin

    store = S3ObjectStore(
        settings.s3_endpoint_url,
        settings.site_s3_bucket,
        settings.s3_access_key,
        settings.s3_secret_key,
        region=settings.s3_region,
        prefix=settings.site_s3_prefix,
    )
    return S3Origin(store)


def _rollback(settings: BuilderSettings) -> int:
    """``--rollback``: the S3 origin's last publish undone, then the whole site purged."""
    from sitebuilder.cdn import create_cdn
    from sitebuilder.objectstore import ObjectStoreError

    if settings.site_origin != "s3":
        print(
            "error: --rollback needs PYDOTORG_SITE_ORIGIN=s3 (a local origin keeps its releases "
            "under <out>/releases: point <out>/current at one)",
            file=sys.stderr,
        )
        return 2

    async def run() -> str:
        now = await _site_bucket(settings).rollback()
        await create_cdn(settings).purge_keys(["site"])
        return now

    try:
        now = asyncio.run(run())
    except ObjectStoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"rolled back: publish {now} is live again; run `make site-publish` once the cause is fixed")
    return 0


def _render_parent(out: Path) -> Path:
    """Where a build renders: the system's temporary directory when it is on the output
    directory's file system (the origin then moves a full build's tree into place instead of
    copying it), else inside the output directory."""
    system = Path(tempfile.gettempdir())
    try:
        if system.stat().st_dev == out.stat().st_dev:
            return system
    except OSError:
        pass
    return out


def _pending_purges(state: Path) -> Purges:
    try:
        raw = json.loads((state / PENDING_PURGES_FILE).read_text())
        return Purges(urls=[str(u) for u in raw["urls"]], keys=[str(k) for k in raw["keys"]])
    except (OSError, ValueError, KeyError, TypeError):
        return Purges(urls=[], keys=[])


def render_outputs(
    todo: list[Output],
    rendered: Path,
    snap: Snapshot,
    site_url: str,
    *,
    live: Path | None = None,
    show_progress: bool = False,
    processes: int = 1,
    workers: RenderWorkers | None = None,
) -> list[Skipped]:
    """Render ``todo`` into ``rendered`` (in ``processes`` processes, ``render_parallel``: the
    same files and failures as one); mirrors (``alias_of``) are copies of the file they mirror,
    from this render or, when that file did not change, from the ``live`` tree. Returns the
    outputs that could not be rendered (left out of ``rendered``)."""
    from sitebuilder.render import render_parallel

    failed = render_parallel(
        todo,
        rendered,
        site_url=site_url,
        site_globals=site_globals(snap),
        progress=_progress_bar if show_progress else None,
        processes=processes,
        workers=workers,
    )
    failed_paths = {f.path for f in failed}
    for alias in todo:
        if alias.alias_of is None:
            continue
        if alias.alias_of in failed_paths:
            failed.append(Skipped(alias.path, f"mirrors the skipped {alias.alias_of}", alias.record))
            continue
        source = rendered / alias.alias_of
        if not source.exists() and live is not None:
            source = live / alias.alias_of
        assert source.exists(), f"{alias.path} mirrors a missing {alias.alias_of}"
        target = rendered / alias.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return failed


def build_from_snapshot(
    snapshot_path: Path,
    out: Path,
    *,
    site_url: str,
    processes: int = 1,
    parallel_min: int = PARALLEL_MIN_OUTPUTS,
) -> Summary:
    """Render a saved snapshot without the API (theme work, fixture sites): a full build of
    exactly that data, published to ``out`` with no purge and no saved state."""
    from sitebuilder.origin import LocalDirectoryOrigin, walk_files

    started = time.perf_counter()
    snap = Snapshot.load(snapshot_path)
    if snap is None:
        raise ApiError(f"{snapshot_path}: not a snapshot")
    site_url = site_url.rstrip("/")
    outputs, skipped = plan(snap, site_url)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=RENDER_DIR_PREFIX, dir=_render_parent(out)) as tmp:
        rendered = Path(tmp) / "rendered"
        skipped += render_outputs(
            outputs,
            rendered,
            snap,
            site_url,
            processes=processes if len(outputs) >= parallel_min else 1,
        )
        _log_skipped(skipped)
        files = list(walk_files(rendered))
        asyncio.run(LocalDirectoryOrigin(out).publish(rendered, changed=files, deleted=[], move=True))
    return Summary("snapshot", len(outputs), 0, 0, 0, snap.cursor, time.perf_counter() - started, [])


def warm_up() -> None:
    """Import what a build needs (Pelican and the theme's renderer, the origin and CDN clients):
    most of a build process's start-up, done before there is anything to build."""
    import sitebuilder.cdn
    import sitebuilder.origin
    import sitebuilder.render  # noqa: F401  (imports Pelican)


def _file_id(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class Standby:
    """What a build process waiting for "go" (``--wait``) does before it is told to build.

    The worker starts the next build process as soon as a build starts, so it loads while that
    build runs. Once no build holds the output directory (the build lock, taken without waiting
    so "go" is never held up), a thread loads the saved snapshot and has the origin prepare the
    next release tree (``LocalDirectoryOrigin.prepare_next``). The build uses the snapshot if the
    file is still the one loaded, and reads it itself otherwise (or if "go" came first).
    """

    POLL_SECONDS = 0.01

    def __init__(self, out: Path, state_dir: Path | None = None) -> None:
        self.out = out
        self.snapshot_path = (state_dir or out / "_state") / "snapshot.json"
        self.ready_at = time.time()  # loaded (imports done): from here a "go" is taken at once
        self.go_at: float | None = None
        self.preloaded_at: float | None = None
        self._snapshot: Snapshot | None = None
        self._snapshot_id: tuple[int, int, int] | None = None
        self._go = threading.Event()
        self._thread = threading.Thread(target=self._prepare, name="standby", daemon=True)
        self._thread.start()

    def go(self) -> None:
        self.go_at = time.time()
        self._go.set()

    def _prepare(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        with open(self.out / BUILD_LOCK_FILE, "a") as lock:
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:  # a build is running: prepare for what it publishes
                    if self._go.wait(self.POLL_SECONDS):
                        return
            try:
                self._preload()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _preload(self) -> None:
        from sitebuilder.origin import LocalDirectoryOrigin

        before = _file_id(self.snapshot_path)
        if before is not None:
            snap = Snapshot.load(self.snapshot_path)
            if snap is not None and _file_id(self.snapshot_path) == before:
                self._snapshot, self._snapshot_id = snap, before
        self.preloaded_at = time.time()
        try:
            LocalDirectoryOrigin(self.out).prepare_next()
        except Exception as exc:  # an optimisation: the publish builds its tree itself
            log.warning("site.prepare_next_failed", error=f"{type(exc).__name__}: {exc}")

    def snapshot(self, path: Path) -> Snapshot | None:
        """The snapshot at ``path``: the one loaded ahead when it is that file, unchanged. Called
        with the build lock held, so the thread has finished or given up."""
        self._thread.join()
        loaded, self._snapshot = self._snapshot, None
        if loaded is not None and path == self.snapshot_path and _file_id(path) == self._snapshot_id:
            return loaded
        return Snapshot.load(path)

    def wait_for_origin(self) -> None:
        self._thread.join()

    def timings(self) -> dict[str, float | None]:
        """When this process was loaded, had the snapshot read and the next release prepared,
        and was told to build (``last-build.json``: a "go" before "ready" means the change waited
        for the build process to start)."""
        return {
            "ready_at": round(self.ready_at, 3),
            "preloaded_at": None if self.preloaded_at is None else round(self.preloaded_at, 3),
            "go_at": None if self.go_at is None else round(self.go_at, 3),
        }


def _usable_cpus() -> int:
    """The CPUs this process may run on (a container's cpuset, not the host's count); a CPU quota
    is not visible here: set PYDOTORG_SITE_RENDER_PROCESSES to match it."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sitebuilder.build", description=__doc__)
    parser.add_argument(
        "--api", help="API base URL, e.g. http://127.0.0.1:8000 (required unless --from-snapshot)"
    )
    parser.add_argument("--out", required=True, type=Path, help="origin directory (releases + 'current')")
    parser.add_argument("--full", action="store_true", help="rebuild everything from a full fetch")
    parser.add_argument(
        "--rollback",
        action="store_true",
        help="with PYDOTORG_SITE_ORIGIN=s3: put the site bucket back as it was before its last "
        "publish, purge the `site` key, and exit (operations.md, restoring a previous site build)",
    )
    parser.add_argument(
        "--purge-site",
        action="store_true",
        help="with --full: purge the CDN's whole `site` key after publishing (a theme or builder "
        "deploy changes every page; `make site-publish`)",
    )
    settings = BuilderSettings.from_env()
    parser.add_argument("--api-key", default=settings.site_api_key)
    parser.add_argument("--site-url", default=settings.site_url)
    parser.add_argument("--progress", action="store_true")
    parser.add_argument(
        "--processes",
        type=int,
        default=settings.site_render_processes or _usable_cpus(),
        help="render in this many processes (default: PYDOTORG_SITE_RENDER_PROCESSES, else one per "
        "CPU); 1 renders in this process alone",
    )
    parser.add_argument(
        "--parallel-min",
        type=int,
        default=PARALLEL_MIN_OUTPUTS,
        help="render in parallel only when at least this many outputs changed "
        f"(default {PARALLEL_MIN_OUTPUTS}: an edit's rebuild does not wait for processes to start)",
    )
    parser.add_argument(
        "--from-snapshot", type=Path, default=None, help="render a saved snapshot.json; no API needed"
    )
    parser.add_argument(
        "--wait",
        action="store_true",
        help="load everything, then wait for a line on stdin before building (EOF: exit unbuilt); "
        "the worker keeps one such process ready so an edit does not wait for Python to start",
    )
    args = parser.parse_args(argv)
    standby = None
    if args.wait:
        warm_up()
        standby = Standby(args.out) if args.from_snapshot is None else None
        if sys.stdin.readline().strip() != "go":
            return 0
        if standby is not None:
            standby.go()
    if args.from_snapshot is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        try:
            summary = build_from_snapshot(
                args.from_snapshot,
                args.out,
                site_url=args.site_url,
                processes=args.processes,
                parallel_min=args.parallel_min,
            )
            print(summary.line())
        except ApiError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0
    if not args.api:
        parser.error("--api is required")
    if not args.api_key:
        print(
            "error: an API key with the site.read_changes permission is required "
            "(--api-key or PYDOTORG_SITE_API_KEY)",
            file=sys.stderr,
        )
        return 2
    if errors := settings.origin_errors():
        print(f"error: {'; '.join(errors)}", file=sys.stderr)
        return 2
    if args.rollback:
        return _rollback(settings)
    args.out.mkdir(parents=True, exist_ok=True)
    from sitebuilder.cdn import PurgeError
    from sitebuilder.objectstore import ObjectStoreError

    try:
        summary = build(
            args.api,
            args.out,
            api_key=args.api_key,
            full=args.full,
            purge_site=args.purge_site,
            site_url=args.site_url,
            show_progress=args.progress,
            processes=args.processes,
            parallel_min=args.parallel_min,
            standby=standby,
        )
    except ApiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except PurgeError as exc:
        print(f"error: published, but the CDN purge failed: {exc}", file=sys.stderr)
        return PURGE_FAILED_EXIT
    except ObjectStoreError as exc:  # the S3 origin: the next build publishes what this one could not
        print(f"error: the site bucket refused the publish: {exc}", file=sys.stderr)
        return 1
    print(summary.line())
    return 0


if __name__ == "__main__":
    status = main()
    # Everything is written, published and reported by now: end without the interpreter's
    # teardown. It skips tearing down the snapshot's objects (a few hundred ms with 10,000 pages,
    # which the waiting worker would pay) and the object store client's native threads, whose
    # teardown after a refused upload once aborted the process (SIGABRT instead of exit 1, in CI).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
