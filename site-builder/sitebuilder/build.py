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
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from sitebuilder.fetch import full_fetch, incremental_fetch
from sitebuilder.menus import globals_version, site_globals
from sitebuilder.outputs import Output, Skipped, url_of
from sitebuilder.plan import plan
from sitebuilder.settings import BuilderSettings
from sitebuilder.snapshot import Api, ApiError, Snapshot

log = structlog.get_logger(__name__)

REDIRECTS_FILE = "_redirects.json"
REPORT_FILE = "last-build.json"
# Purges of a publish not yet confirmed: written before the switch, removed once purged, so a
# build that dies in between leaves them to the next build instead of a stale CDN.
PENDING_PURGES_FILE = "pending-purges.json"
BUILD_LOCK_FILE = ".build.lock"
# Fewer outputs to render than this and a build renders in its own process alone: an edit's
# rebuild must not wait for worker processes to start (~0.5-1 s each: interpreter, imports).
PARALLEL_MIN_OUTPUTS = 500


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
) -> Summary:
    """``processes`` render in parallel (``render_outputs``) when at least ``parallel_min``
    outputs changed."""
    with _build_lock(out):
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
) -> Summary:
    from sitebuilder.cdn import create_cdn
    from sitebuilder.origin import LocalDirectoryOrigin
    from sitebuilder.render import theme_version

    started = time.perf_counter()
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
    previous = None if full else Snapshot.load(snapshot_path)
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
            },
        )
        return summary
    with tempfile.TemporaryDirectory(prefix="site-build-") as tmp:
        rendered = Path(tmp) / "rendered"
        failed = render_outputs(
            todo,
            rendered,
            snap,
            site_url,
            live=current,
            show_progress=show_progress,
            processes=processes if len(todo) >= parallel_min else 1,
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
        for produced in sorted(p for p in rendered.rglob("*") if p.is_file()):
            rel = str(produced.relative_to(rendered))
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
        if live is not None:
            # Only the changed files are handed over; the rest is linked from the live release.
            asyncio.run(origin.publish(rendered, changed=changed, deleted=removed, overlay=True))
        else:
            asyncio.run(origin.publish(rendered, changed=changed, deleted=removed))
    phase("publish")
    cdn = create_cdn(BuilderSettings.from_env())
    if previous is not None:  # a first build has nothing cached to purge
        if purges.keys:
            asyncio.run(cdn.purge_keys(purges.keys))
        if purges.urls:
            asyncio.run(cdn.purge_urls([site_url + u for u in purges.urls]))
    (state / PENDING_PURGES_FILE).unlink(missing_ok=True)
    if REDIRECTS_FILE in changed:  # the edge answers data redirects with their real status
        live_now = origin.current_dir()
        assert live_now is not None
        asyncio.run(cdn.sync_redirects(json.loads((live_now / REDIRECTS_FILE).read_text())))
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
        "purged_keys": purges.keys if previous is not None else [],
        "phase_seconds": {**phases, "save": round(time.perf_counter() - mark, 3)},
    }
    _write_json(state / REPORT_FILE, report)
    return summary


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
    from sitebuilder.origin import LocalDirectoryOrigin

    started = time.perf_counter()
    snap = Snapshot.load(snapshot_path)
    if snap is None:
        raise ApiError(f"{snapshot_path}: not a snapshot")
    site_url = site_url.rstrip("/")
    outputs, skipped = plan(snap, site_url)
    with tempfile.TemporaryDirectory(prefix="site-build-") as tmp:
        rendered = Path(tmp) / "rendered"
        skipped += render_outputs(
            outputs,
            rendered,
            snap,
            site_url,
            processes=processes if len(outputs) >= parallel_min else 1,
        )
        _log_skipped(skipped)
        files = sorted(str(p.relative_to(rendered)) for p in rendered.rglob("*") if p.is_file())
        asyncio.run(LocalDirectoryOrigin(out).publish(rendered, changed=files, deleted=[]))
    return Summary("snapshot", len(outputs), 0, 0, 0, snap.cursor, time.perf_counter() - started, [])


def warm_up() -> None:
    """Import what a build needs (Pelican and the theme's renderer, the origin and CDN clients):
    most of a build process's start-up, done before there is anything to build."""
    import sitebuilder.cdn
    import sitebuilder.origin
    import sitebuilder.render  # noqa: F401  (imports Pelican)


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
    if args.wait:
        warm_up()
        if sys.stdin.readline().strip() != "go":
            return 0
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
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        summary = build(
            args.api,
            args.out,
            api_key=args.api_key,
            full=args.full,
            site_url=args.site_url,
            show_progress=args.progress,
            processes=args.processes,
            parallel_min=args.parallel_min,
        )
    except ApiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(summary.line())
    return 0


if __name__ == "__main__":
    status = main()
    if "--wait" in sys.argv:
        # The worker waits for this process to end: skip tearing down the snapshot's objects
        # (a few hundred ms with 10,000 pages). Everything is written and published by now.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    raise SystemExit(status)
