"""``pydotorg dev run``: the API, a worker and the static site's server together on this
machine, on the embedded PostgreSQL and Redis unless the environment names others.

The terminal gets the addresses, one progress bar for the first build and a short line for each
warning or error; everything the processes print goes to ``<state>/logs/{api,worker,build,site}.log``
(each start moves the previous run's file to ``*.log.1``). The processes log exactly as in
production (``core/observability.py``): only where their output goes differs. Each runs in a
session of its own, so Ctrl-C reaches this process alone and it stops them all, their children
included (the worker's build processes), within ``STOP_SECONDS``."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import msgspec

from pydotorg.dev import embedded
from pydotorg.dev.seed import credentials_path, stored_credentials, stored_site_key
from pydotorg.settings import Settings

# Ctrl-C to everything gone: SIGINT, then SIGKILL to whatever is left after GRACE_SECONDS.
STOP_SECONDS = 5.0
GRACE_SECONDS = STOP_SECONDS - 1.5
STOP_HINT = "PostgreSQL and Redis are still running (`make down` or `pydotorg dev down` stops them)."
SHOWN_LEVELS = {"warning", "error", "critical", "exception"}
SHORT_LINE = 160
# structlog's console renderer (the site builder's logs): "2026-12-07 04:46:51 [error    ] event k=v"
_CONSOLE_LINE = re.compile(r"\[(warning|error|critical)\s*\]\s+(.*)$")
# The site builder's progress bar (sitebuilder/build.py); a log line may follow it on the same line.
_PROGRESS = re.compile(r"  rendering \[[#.]*\] \d+/\d+")


def with_dev_services(settings: Settings, *, need_redis: bool = True) -> Settings:
    """Fill in the embedded servers' URLs when the environment names none (development)."""
    if settings.database_url and (settings.redis_url or not need_redis):
        return settings
    services = embedded.status(settings.state_dir.resolve())
    if services is None:
        raise RuntimeError(
            "no database configured: set PYDOTORG_DATABASE_URL and PYDOTORG_REDIS_URL, "
            "or run `pydotorg dev up` first"
        )
    return msgspec.structs.replace(
        settings,
        database_url=settings.database_url or services.database_url,
        redis_url=settings.redis_url or services.redis_url,
    )


def notable(line: str) -> str | None:
    """What the terminal shows of one line of a process's output: its warning or error, in
    short, or None (request logs, job bookkeeping, progress: the log file has them)."""
    text = line.strip()
    if text.startswith("{"):
        try:
            event = json.loads(text)
        except ValueError:
            return None
        if not isinstance(event, dict) or str(event.get("level", "")).lower() not in SHOWN_LEVELS:
            return None
        details = " ".join(
            f"{key}={value}"
            for key, value in event.items()
            if key not in {"event", "level", "timestamp", "request_id", "exception"}
        )
        return f"{event['level']}: {event.get('event', '')} {details}".strip()
    match = _CONSOLE_LINE.search(text)
    if match:
        return f"{match.group(1)}: {match.group(2)}"
    if text.lower().startswith("error:"):
        return text
    return None


def short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHORT_LINE else text[: SHORT_LINE - 1] + "…"


@dataclass
class Terminal:
    """Where the runner writes: ``echo`` for whole lines, ``stream`` for the progress bar."""

    echo: Callable[[str], object]
    stream: IO[str] = field(default_factory=lambda: sys.stderr)
    lock: threading.Lock = field(default_factory=threading.Lock)
    bar_open: bool = False
    stopping: bool = False  # what the processes report while being stopped is in their logs only

    def report(self, text: str) -> None:
        """A process's warning or error; none once the stop has begun (a worker whose build is
        interrupted reports that build as failed, which is the stop working, not news)."""
        if not self.stopping:
            self.line(text)

    def line(self, text: str) -> None:
        with self.lock:
            if self.bar_open:
                self.stream.write("\n")
                self.stream.flush()
                self.bar_open = False
            self.echo(text)

    def progress(self, text: str) -> None:
        with self.lock:
            self.stream.write("\r" + text)
            self.stream.flush()
            self.bar_open = True

    def end_progress(self) -> None:
        with self.lock:
            if self.bar_open:
                self.stream.write("\n")
                self.stream.flush()
                self.bar_open = False


@dataclass
class Child:
    """One process the runner started, in a session (process group) of its own."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    pumps: list[threading.Thread] = field(default_factory=list)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signum)


def _open_log(path: Path) -> IO[bytes]:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        os.replace(path, path.with_name(path.name + ".1"))
    return open(path, "ab", buffering=0)


def _chunks(stream: io.BufferedIOBase) -> Iterator[str]:
    """Split a stream into its lines and its carriage-return segments (a progress bar redraws
    itself with ``\\r``)."""
    pending = b""
    while True:
        data = stream.read1(65536)
        if not data:
            break
        pending += data
        while True:
            cut = min((i for i in (pending.find(b"\n"), pending.find(b"\r")) if i >= 0), default=-1)
            if cut < 0:
                break
            piece, pending = pending[:cut], pending[cut + 1 :]
            if piece:  # nothing between "\r" and "\n", or before a bar's leading "\r"
                yield piece.decode("utf-8", "replace")
    if pending:
        yield pending.decode("utf-8", "replace")


def _pump(
    name: str,
    stream: io.BufferedIOBase,
    log: IO[bytes],
    terminal: Terminal,
    relative_log: str,
    *,
    progress: bool = False,
    shown: Callable[[str], bool] | None = None,
) -> None:
    """Copy a process's output to its log file; show its warnings and errors (and, for the first
    build, its progress bar and summary) on the terminal."""
    previous = ""
    traceback = False
    try:
        for segment in _chunks(stream):
            bar = _PROGRESS.match(segment) if progress else None
            if bar is not None:
                terminal.progress(bar.group(0))
            text = segment[bar.end() :] if bar is not None else segment
            if not text:
                continue
            log.write(text.encode() + b"\n")
            if shown is not None and shown(text):
                continue
            if text.startswith("Traceback (most recent call last)"):
                traceback = True
                continue
            if traceback:
                if text[:1] in (" ", "\t") or not text.strip():
                    continue
                traceback = False
                message: str | None = f"error: {text.strip()}"
            else:
                message = notable(text)
            if message and message != previous:
                previous = message
                terminal.report(f"  ! {name}: {short(message)}  (details: {relative_log})")
    finally:
        log.close()


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _start(
    name: str,
    args: list[str],
    env: dict[str, str],
    logs: Path,
    terminal: Terminal,
    *,
    progress: bool = False,
    shown: Callable[[str], bool] | None = None,
) -> Child:
    """Start a process with its output pumped to ``<logs>/<name>.log``. With ``progress``, its
    stderr (where the builder draws its bar) is read apart from its stdout, so a log line never
    lands in the middle of the bar."""
    log_path = logs / f"{name}.log"
    logs_to = [_open_log(log_path)]
    proc = subprocess.Popen(  # noqa: S603
        args,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if progress else subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches the runner only; it stops the whole group
    )
    assert proc.stdout is not None
    streams = [proc.stdout]
    if proc.stderr is not None:
        streams.append(proc.stderr)
        logs_to.append(open(log_path, "ab", buffering=0))  # noqa: SIM115  (an appender of its own)
    pumps = [
        threading.Thread(
            target=_pump,
            args=(name, stream, log, terminal, _relative(log_path)),
            kwargs={"progress": stream is proc.stderr, "shown": shown},
            name=f"dev-run-{name}",
            daemon=True,
        )
        for stream, log in zip(streams, logs_to, strict=True)
    ]
    for pump in pumps:
        pump.start()
    return Child(name, proc, log_path, pumps)


def stop(children: list[Child], *, grace: float = GRACE_SECONDS) -> None:
    """SIGINT to every process group, SIGKILL to those still there after ``grace`` seconds."""
    for child in children:
        if child.alive():
            child.signal_group(signal.SIGINT)
    deadline = time.monotonic() + grace
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    for child in children:
        # The group too: a child that exited may have left processes of its own behind.
        child.signal_group(signal.SIGKILL)
        if child.alive():
            child.proc.wait()
    for child in children:
        for pump in child.pumps:
            pump.join(timeout=0.5)


def _interrupt(signum: int, frame: object) -> None:
    # Once: `uv run` passes the terminal's Ctrl-C on, so a second SIGINT follows the first, and it
    # must not cut the stop short. `kill` (SIGTERM) stops everything like Ctrl-C.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def run(settings: Settings, host: str, port: int, echo: Callable[[str], object]) -> None:
    """Run the API, a worker and the site's server until interrupted (what `make run` ends
    with); ``echo`` prints the addresses and what the processes report."""
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    terminal = Terminal(echo)
    logs = settings.state_dir.resolve() / "logs"
    env = dict(os.environ)
    env["PYDOTORG_DATABASE_URL"] = settings.database_url
    env["PYDOTORG_REDIS_URL"] = settings.redis_url
    site_key = settings.site_api_key or stored_site_key(settings)
    env["PYDOTORG_SITE_API_KEY"] = site_key
    bound, host = host, local_address(host)  # listen on `bound`; links and requests go to `host`
    env["PYDOTORG_SITE_API_URL"] = f"http://{host}:{port}"
    env.setdefault("PYDOTORG_SITE_URL", f"http://{host}:{port + 1}")
    env["PYTHONUNBUFFERED"] = "1"  # the log files keep up with what happens
    exe = [sys.executable, "-m", "pydotorg.cli"]
    children: list[Child] = []
    api_status: int | None = None
    try:
        api = _start("api", [*exe, "serve", "--host", bound, "--port", str(port)], env, logs, terminal)
        children.append(api)
        wait_for(f"http://{host}:{port}/readyz", alive=api.alive)
        site_args = [sys.executable, "-m", "sitebuilder.serve", "--root", str(settings.site_dir)]
        site_args += ["--host", bound, "--port", str(port + 1), "--api", f"http://{host}:{port}"]
        if settings.storage_backend == "local":
            site_args += ["--media", str(settings.media_dir)]
        # The site's server first: it serves /media/ before anything is published, and the first
        # build reads the sponsor logos from there (sitebuilder/sections/sponsors.py). It serves
        # the site and the API on one origin, as behind Fastly.
        children.append(_start("site", site_args, env, logs, terminal))
        if site_key:
            first_build(children, exe, host, port, settings, env, logs, terminal)
        children.append(_start("worker", [*exe, "worker"], env, logs, terminal))
        for line in banner(settings, host, port):
            terminal.line(line)
        while api.alive() and children[-1].alive():
            time.sleep(0.2)
        for child in children:
            if not child.alive() and child.proc.returncode:
                status = child.proc.returncode
                terminal.line(
                    f"  ! the {child.name} process exited (status {status}); see {_relative(child.log_path)}"
                )
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # (see _interrupt)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        terminal.stopping = True
        terminal.end_progress()
        stop(children)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        api_status = children[0].proc.returncode if children else None
        terminal.line("Stopped the API, the worker and the site's server. " + STOP_HINT)
    if api_status not in (0, None, -signal.SIGINT, -signal.SIGKILL, 130):
        raise RuntimeError(f"the API server exited with status {api_status}; see {_relative(logs)}/api.log")


def first_build(
    children: list[Child],
    exe: list[str],
    host: str,
    port: int,
    settings: Settings,
    env: dict[str, str],
    logs: Path,
    terminal: Terminal,
) -> None:
    """Build and publish the site before the worker starts (it rebuilds after each change from
    then on): a progress bar and the build's one-line summary on the terminal."""

    def summary(text: str) -> bool:
        if " build: " in text and " written, " in text:
            terminal.end_progress()
            terminal.line("  " + text.strip())
            return True
        return False

    build = _start(
        "build",
        [*exe, "build-site", "--api", f"http://{host}:{port}", "--out", str(settings.site_dir)],
        env,
        logs,
        terminal,
        progress=True,
        shown=summary,
    )
    children.append(build)
    terminal.line(f"Building the site into {_relative(settings.site_dir)}/ ...")
    while build.alive():
        time.sleep(0.1)
    for pump in build.pumps:
        pump.join(timeout=2)
    terminal.end_progress()
    children.remove(build)
    if build.proc.returncode:
        terminal.line(
            f"  ! the first build failed (status {build.proc.returncode}); the worker tries again "
            f"on the next change (details: {_relative(build.log_path)})"
        )


def local_address(host: str) -> str:
    """Where this machine reaches a server listening on ``host``: a wildcard address (``HOST=0.0.0.0``
    listens on every interface) is reached on the loopback."""
    return {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}.get(host, host)  # noqa: S104


def banner(settings: Settings, host: str, port: int) -> list[str]:
    """What ``dev run`` prints once everything is up: the addresses and, on every start, the
    demo accounts (the first seed wrote their passwords to ``.state/demo-credentials.txt``)."""
    bound, host = host, local_address(host)
    base = f"http://{host}:{port}"
    lines = [""]
    if bound != host:
        lines.append(
            f"  Listening on every interface ({bound}): from elsewhere use this machine's name, and set "
            "PYDOTORG_SITE_URL to it for the site's links"
        )
    lines += [
        f"  Site:      http://{host}:{port + 1}/   (rebuilt by the worker after each change)",
        f"  API:       {base}/api/v3/",
        f"  API docs:  {base}/api/schema",
        f"  Health:    {base}/healthz  {base}/readyz  {base}/metrics",
        f"  Mail:      {settings.mail_dir.resolve()}/",
        f"  Logs:      {settings.state_dir.resolve() / 'logs'}/",
    ]
    accounts = stored_credentials(settings)
    if accounts:
        lines.append(f"  Accounts:  (from {credentials_path(settings).resolve()})")
        lines += [f"    {account}" for account in accounts]
    else:
        lines.append(f"  Accounts:  none recorded in {credentials_path(settings).resolve()}")
    lines += ["  Press Ctrl-C to stop.", ""]
    return lines


def wait_for(url: str, seconds: float = 30, alive: Callable[[], bool] | None = None) -> None:
    """Wait until ``url`` answers 200 (or, with ``alive``, until the process serving it dies)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if alive is not None and not alive():
            raise RuntimeError(f"the process serving {url} exited; see .state/logs/")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")
