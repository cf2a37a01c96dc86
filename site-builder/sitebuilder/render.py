"""Rendering with Pelican 4.12 and the theme in ``content-theme/``.

API content reaches Pelican through ``ApiOutputsGenerator``: it writes the selected outputs of the
plan with Pelican's writer and the theme's Jinja2 environment (autoescape on). What one render
writes (``RenderJob``: the outputs, the menus, where to report progress and failures) travels in
Pelican's settings, which Pelican hands to every generator: nothing about a build is kept in this
module. Pelican itself keeps process-wide state (signals, locale), so a build runs in its own
process (``sitebuilder.build``).
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import multiprocessing
import multiprocessing.connection
import os
import queue
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import structlog
from markupsafe import Markup
from pelican import Pelican, signals
from pelican.generators import Generator
from pelican.log import console as pelican_console
from pelican.settings import read_settings

from sitebuilder.markup import content
from sitebuilder.menus import PageChrome
from sitebuilder.outputs import Output, Skipped, text_of

log = structlog.get_logger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
THEME = REPO_ROOT / "content-theme"


def theme_version() -> str:
    """A hash of every theme file and of the builder's own code: a deploy that changes either
    re-renders every page on its next build (the worker runs one when it starts)."""
    digest = hashlib.sha256()
    code = Path(__file__).resolve().parent
    for root, pattern in ((THEME, "*"), (code, "*.py")):
        for path in sorted(root.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _date(value: Any) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).strftime("%Y-%m-%d")


def _longdate(value: Any) -> str:
    """python.org's "D Month YYYY": "2024-06-06" -> "6 June 2024"."""
    if not value:
        return ""
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return f"{parsed.day} {parsed:%B %Y}"


def _isotime(value: Any) -> str:
    """A ``<time datetime>`` value: the API's ISO 8601 timestamp to whole seconds (HTML allows
    at most three digits of a second; the API gives microseconds), in UTC as "…Z"; a date stays
    a date."""
    if not value:
        return ""
    text = str(value)
    if "T" not in text and " " not in text:
        return text
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        return f"{parsed:%Y-%m-%dT%H:%M:%S}"
    return f"{parsed.astimezone(UTC):%Y-%m-%dT%H:%M:%S}Z"


def _entities(value: Any) -> Markup:
    """Every character as a numeric character reference (python.org's e-mail obfuscation).
    Safe to mark: the output contains nothing but references."""
    return Markup("".join(f"&#{ord(c)};" for c in str(value or "")))  # noqa: S704  (references only)


def _eventdate(value: Any, with_time: bool = False) -> str:
    """An event's day as python.org shows it: "12 May 2027" (and "09:00 UTC" when timed)."""
    if not value:
        return ""
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    text = f"{parsed.day} {parsed:%b %Y}"
    return f"{text}, {parsed:%H:%M} UTC" if with_time else text


def _filesize(value: Any) -> str:
    """Django's ``filesizeformat`` (powers of 1024 with KB/MB/GB labels): 12345678 -> "11.8 MB"."""
    try:
        size = float(value)
    except (TypeError, ValueError):
        return "0 bytes"
    if size < 1024:
        return "1 byte" if size == 1 else f"{int(size)} bytes"
    for unit in ("KB", "MB", "GB", "TB"):
        size /= 1024
        if size < 1024 or unit == "TB":
            return f"{size:.1f} {unit}"
    return f"{size:.1f} TB"


# The Pelican setting that carries the ``RenderJob`` to ``ApiOutputsGenerator``.
RENDER_JOB = "SITEBUILDER_RENDER_JOB"


@dataclass
class RenderJob:
    """One render: the outputs to write, what every page shows (menus), an optional progress
    callback, and the outputs whose rendering raised (filled while rendering)."""

    outputs: Sequence[Output]
    site_globals: dict[str, Any]
    progress: Callable[[int, int], None] | None = None
    failed: list[Skipped] = field(default_factory=list)


class ApiOutputsGenerator(Generator):
    def generate_context(self) -> None:
        self.env.filters["date"] = _date
        self.env.filters["filesizeformat"] = _filesize
        self.env.filters["longdate"] = _longdate
        self.env.filters["entities"] = _entities
        self.env.filters["eventdate"] = _eventdate
        self.env.filters["isotime"] = _isotime
        self.env.filters["content"] = content  # the API's HTML, tidied and marked safe
        self.context.update(self.job.site_globals)
        self.context["SITE_DESCRIPTION"] = "The official home of the Python Programming Language"
        # The top bar, navigation and footer, rendered once for this render (a new cache per build).
        self.context["site_chrome"] = PageChrome(self.env, self.context)

    @property
    def job(self) -> RenderJob:
        job: RenderJob = self.settings[RENDER_JOB]
        return job

    def generate_output(self, writer: Any) -> None:
        job = self.job
        total = len(job.outputs)
        for index, output in enumerate(job.outputs, 1):
            target = Path(self.output_path) / output.path
            if output.alias_of is not None:
                continue  # copied from the output it mirrors once everything is written
            try:
                self._write(writer, output, target)
            except Exception as exc:
                # One record the theme cannot render must not stop the site: leave its file out
                # and report it (build.py), render everything else.
                reason = f"rendering failed: {type(exc).__name__}: {exc}"[:500]
                job.failed.append(Skipped(output.path, reason, output.record))
                if target.is_file():
                    target.unlink()
            if job.progress is not None:
                job.progress(index, total)

    def _write(self, writer: Any, output: Output, target: Path) -> None:
        if output.template is None:
            target.parent.mkdir(parents=True, exist_ok=True)
            text = text_of(output)
            if isinstance(text, bytes):
                target.write_bytes(text)
            else:
                target.write_text(text, encoding="utf-8")
        else:
            writer.write_file(
                output.path,
                self.get_template(output.template.removesuffix(".html")),
                self.context,
                relative_urls=False,
                override_output=True,
                page_url=output.url,
                **output.context,
            )


def _get_generators(_pelican: Any) -> type[Generator]:
    return ApiOutputsGenerator


def render(
    outputs: Sequence[Output],
    out_dir: Path,
    *,
    site_url: str,
    site_globals: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    theme_static: bool = True,
) -> list[Skipped]:
    """Render ``outputs`` (and, with ``theme_static``, the theme's static files) into ``out_dir``;
    ``site_globals`` is what every page shows (menus). Outputs that mirror another (``alias_of``)
    are rendered by the caller copying the mirrored file. Returns the outputs whose rendering
    raised: they are left out of ``out_dir``."""
    job = RenderJob(list(outputs), dict(site_globals or {}), progress)
    signals.get_generators.connect(_get_generators)
    logging.getLogger("pelican").setLevel(logging.WARNING)
    # Pelican prints "Done: Processed 0 articles, ..." on its rich console after every run (our
    # generator is none of the ones it counts): that console prints nothing else we use.
    pelican_console.quiet = True
    with tempfile.TemporaryDirectory(prefix="pelican-content-") as content:
        settings = read_settings(
            path=None,
            override={
                "PATH": content,
                "OUTPUT_PATH": str(out_dir),
                "CACHE_PATH": str(Path(content) / "cache"),
                "THEME": str(THEME),
                "SITEURL": site_url,
                "SITENAME": "Python.org",
                "TIMEZONE": "UTC",
                "DEFAULT_LANG": "en",
                "RELATIVE_URLS": False,
                "DIRECT_TEMPLATES": [],
                "PAGINATED_TEMPLATES": {},
                "ARCHIVES_SAVE_AS": "",
                "AUTHORS_SAVE_AS": "",
                "CATEGORIES_SAVE_AS": "",
                "TAGS_SAVE_AS": "",
                "INDEX_SAVE_AS": "",
                "FEED_ALL_ATOM": None,
                "FEED_ALL_RSS": None,
                "FEED_ATOM": None,
                "FEED_RSS": None,
                "CATEGORY_FEED_ATOM": None,
                "CATEGORY_FEED_RSS": None,
                "AUTHOR_FEED_ATOM": None,
                "AUTHOR_FEED_RSS": None,
                "TRANSLATION_FEED_ATOM": None,
                "TAG_FEED_ATOM": None,
                "DELETE_OUTPUT_DIRECTORY": False,
                "JINJA_ENVIRONMENT": {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True},
                "JINJA_FILTERS": {
                    "date": _date,
                    "filesizeformat": _filesize,
                    "longdate": _longdate,
                    "entities": _entities,
                    "eventdate": _eventdate,
                },
                "THEME_STATIC_DIR": "theme",
                **({} if theme_static else {"THEME_STATIC_PATHS": []}),
                "STATIC_PATHS": [],
                "PLUGINS": [],
                "LOAD_CONTENT_CACHE": False,
                "CACHE_CONTENT": False,
                RENDER_JOB: job,
            },
        )
        Pelican(settings).run()
    return list(job.failed)


# Estimated costs in microseconds (measured on a 2-core machine with the 10,161-file site): a
# page costs about the same whatever it shows (the page around the content: head, menus,
# footer), plus a little per byte of its data (a release's file table, an OS's release list);
# generated text (iCal) is made from its context byte by byte. A worker process starts (spawn,
# imports, unpickling its share: ~0.5-0.8 s) before its first page; the build's own process is
# ready.
PAGE_MICROSECONDS = 1_600
TEMPLATE_BYTES_PER_MICROSECOND = 64
GENERATED_BYTES_PER_MICROSECOND = 2
WORKER_START_MICROSECONDS = 700_000
PROGRESS_EVERY = 50


def output_cost(output: Output) -> int:
    """An estimate of rendering ``output``, in microseconds (see above)."""
    if output.alias_of is not None:
        return 0  # copied by the caller
    if output.template is None and output.renderer is None:
        return 20 + len(output.text or "") // 1_000
    size = len(msgspec.json.encode(output.context))
    if output.template is None:
        return size // GENERATED_BYTES_PER_MICROSECOND
    return PAGE_MICROSECONDS + size // TEMPLATE_BYTES_PER_MICROSECOND


def balance(costs: Sequence[int], processes: int, *, started: bool = False) -> list[list[int]]:
    """Split the indexes of ``costs`` into ``processes`` groups that finish together: longest first
    onto the least loaded group. Group 0 is the build's own process; the workers start
    ``WORKER_START_MICROSECONDS`` behind it (at most half a fair share, so that every process
    renders something), or level with it when they were ``started`` ahead (``RenderWorkers``).
    Each group keeps the indexes in order."""
    head_start = 0 if started else min(WORKER_START_MICROSECONDS, sum(costs) // (2 * processes))
    loads = [(0 if n == 0 else head_start, n) for n in range(processes)]
    heapq.heapify(loads)
    groups: list[list[int]] = [[] for _ in range(processes)]
    for index in sorted(range(len(costs)), key=lambda i: (-costs[i], i)):
        load, n = heapq.heappop(loads)
        groups[n].append(index)
        heapq.heappush(loads, (load + costs[index], n))
    return [sorted(group) for group in groups]


_worker_progress: Any = None


def _start_worker(progress_queue: Any) -> None:
    global _worker_progress  # one per worker process, set once as it starts
    _worker_progress = progress_queue
    parent = multiprocessing.parent_process()
    if parent is not None:
        # A build killed outright (the worker's timeout sends SIGKILL) must not leave its render
        # processes behind: each one ends as soon as the build's process is gone.
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


def _exit_with(parent_sentinel: int) -> None:
    multiprocessing.connection.wait([parent_sentinel])
    os._exit(1)


def _report_progress(done: int, total: int) -> None:
    if _worker_progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
        _worker_progress.put(done % PROGRESS_EVERY or PROGRESS_EVERY)


def _render_share(
    outputs: list[Output], out_dir: str, site_url: str, site_globals: dict[str, Any]
) -> tuple[list[Skipped], float, float]:
    """A worker process's share of a parallel render: one Pelican run over its outputs, without
    the theme's static files (the build's own process copies those)."""
    started, cpu = time.perf_counter(), time.process_time()
    failed = render(
        outputs,
        Path(out_dir),
        site_url=site_url,
        site_globals=site_globals,
        progress=_report_progress if _worker_progress is not None else None,
        theme_static=False,
    )
    return failed, time.perf_counter() - started, time.process_time() - cpu


def _loaded() -> int:
    """Run in each worker as soon as it starts: by then it has imported Pelican and the theme's
    renderer (unpickling this function imports this module)."""
    return os.getpid()


class RenderWorkers:
    """The ``count`` spawned processes of a parallel render (a fresh interpreter each: Pelican's
    process-wide state is never shared). ``start`` them before there is anything to render (a
    full build starts them before it fetches) and their ~0.7 s of start-up overlaps the fetch;
    ``close`` ends them."""

    def __init__(self, count: int, *, progress: bool = False) -> None:
        context = multiprocessing.get_context("spawn")
        self.count = count
        self.progress_queue: Any = context.Queue() if progress else None
        self.pool = ProcessPoolExecutor(
            max_workers=count, mp_context=context, initializer=_start_worker, initargs=(self.progress_queue,)
        )
        self.started = False

    def start(self) -> RenderWorkers:
        """Start every process now (each submission starts one while none is idle)."""
        for _ in range(self.count):
            self.pool.submit(_loaded)
        self.started = True
        return self

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self.progress_queue is not None:
            self.progress_queue.close()
            self.progress_queue.join_thread()


def render_parallel(
    outputs: Sequence[Output],
    out_dir: Path,
    *,
    site_url: str,
    site_globals: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    processes: int,
    workers: RenderWorkers | None = None,
) -> list[Skipped]:
    """``render`` across ``processes`` processes: this one and ``processes - 1`` spawned workers
    (``RenderWorkers``: given, already started, or started here), each rendering its share of
    ``outputs`` (``balance``) in one Pelican run into the same ``out_dir`` (no two outputs share
    a path). The files and the failures are exactly ``render``'s: rendering is a pure function of
    each output's context, and the failures come back in ``outputs``' order. A worker that dies
    fails the render (``BrokenProcessPool``), so nothing half-built is published."""
    outputs = list(outputs)
    globals_ = dict(site_globals or {})
    rendered = [o for o in outputs if o.alias_of is None]
    if workers is not None:
        processes = min(processes, workers.count + 1)
    started = workers is not None and workers.started
    groups = [g for g in balance([output_cost(o) for o in rendered], max(processes, 1), started=started) if g]
    if len(groups) < 2:
        return render(outputs, out_dir, site_url=site_url, site_globals=globals_, progress=progress)
    own, *shares = ([rendered[i] for i in group] for group in groups)
    owned = workers is None
    if workers is None:
        workers = RenderWorkers(len(shares), progress=progress is not None)
    try:
        return _render_shares(own, shares, outputs, out_dir, site_url, globals_, progress, workers)
    finally:
        if owned:
            workers.close()


def _render_shares(
    own: list[Output],
    shares: list[list[Output]],
    outputs: list[Output],
    out_dir: Path,
    site_url: str,
    globals_: dict[str, Any],
    progress: Callable[[int, int], None] | None,
    workers: RenderWorkers,
) -> list[Skipped]:
    progress_queue = workers.progress_queue if progress is not None else None
    total = len(own) + sum(len(share) for share in shares)
    done_elsewhere = 0

    def collect(wait: float = 0.0) -> None:
        """Add up what the workers reported; ``wait`` for the first report at most that long."""
        nonlocal done_elsewhere
        while progress_queue is not None:
            try:
                done_elsewhere += progress_queue.get(timeout=wait) if wait else progress_queue.get_nowait()
            except queue.Empty:
                return
            wait = 0.0

    reported = -1

    def report(done: int) -> None:
        nonlocal reported
        if progress is not None and done != reported:
            reported = done
            progress(done, total)

    def own_progress(done: int, _total: int) -> None:
        collect()
        report(done + done_elsewhere)

    started, cpu = time.perf_counter(), time.process_time()
    futures: list[Future[tuple[list[Skipped], float, float]]] = [
        workers.pool.submit(_render_share, share, str(out_dir), site_url, globals_) for share in shares
    ]
    try:
        failed = render(
            own,
            out_dir,
            site_url=site_url,
            site_globals=globals_,
            progress=own_progress if progress is not None else None,
        )
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    log.info(
        "site.render_share",
        process=0,
        outputs=len(own),
        failed=len(failed),
        seconds=round(time.perf_counter() - started, 3),
        cpu_seconds=round(time.process_time() - cpu, 3),
    )
    while progress is not None and not all(f.done() for f in futures):
        collect(0.1)
        report(len(own) + done_elsewhere)
    for n, future in enumerate(futures, 1):
        share_failed, seconds, cpu_seconds = future.result()
        log.info(
            "site.render_share",
            process=n,
            outputs=len(shares[n - 1]),
            failed=len(share_failed),
            seconds=round(seconds, 3),
            cpu_seconds=round(cpu_seconds, 3),
        )
        failed += share_failed
    report(total)
    order = {o.path: n for n, o in enumerate(outputs)}
    return sorted(failed, key=lambda s: order[s.path])
