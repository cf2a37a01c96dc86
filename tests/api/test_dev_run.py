"""``pydotorg dev run`` as ``make run`` ends (a subprocess against the test database, after the
demo seed): a quiet terminal (the addresses, the first build's progress bar and summary; the
processes' logs in ``<state>/logs/``), an API root that answers, and Ctrl-C (SIGINT) stopping every
process it started, their children included, within 5 s, then saying how to stop the databases."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from pydotorg.dev import run as dev_run
from tests.api.test_cli import _run, cli_env  # noqa: F401  (fixture)
from tests.api.test_demo_seed import _free_port_pair

STOP_SECONDS = 5.0


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent, session) of a live process, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1]), int(fields[3])


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _started_by(runner: int) -> dict[int, str]:
    """Every process in the sessions of the runner's children (each child leads one): the
    children and whatever they started. Their command lines, by pid."""
    stats = {pid: s for pid in _all_pids() if (s := _stat(pid)) is not None}
    sessions = {session for state, parent, session in stats.values() if parent == runner}
    found = {}
    for pid, (state, _, session) in stats.items():
        if session in sessions and state != "Z":
            try:
                found[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
    return found


def _alive(pids: dict[int, str]) -> dict[int, str]:
    return {pid: cmd for pid, cmd in pids.items() if (s := _stat(pid)) is not None and s[0] != "Z"}


async def _start(env: dict[str, str], port: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pydotorg.cli",
        "dev",
        "run",
        "--port",
        str(port),
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _read_until(proc: asyncio.subprocess.Process, marker: str, seconds: float = 120) -> str:
    assert proc.stdout is not None
    out = ""
    async with asyncio.timeout(seconds):
        while marker not in out:
            line = await proc.stdout.readline()
            assert line, f"dev run ended before {marker!r}: {out}"
            out += line.decode()
    return out


async def _interrupt(proc: asyncio.subprocess.Process, started: dict[int, str]) -> tuple[float, str, str]:
    """SIGINT to the runner alone (its children are in sessions of their own, as with Ctrl-C in a
    terminal); the seconds until every process is gone, and what the runner printed then."""
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    await _until(lambda: not _alive(started), 10)
    return time.monotonic() - sent, out.decode(), err.decode()


async def _until(condition: Callable[[], bool], seconds: float) -> None:
    """Poll ``condition`` (a process table or a file: nothing to await) until true or timeout."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.05)


async def _seed(env: dict[str, str], tmp_path: Path) -> None:
    result = await _run(env, "seed", "--demo", "--downloads", str(tmp_path / "absent.json"))
    assert result.returncode == 0, result.stderr


async def test_a_quiet_run_then_ctrl_c_stops_everything(
    cli_env: dict[str, str],  # noqa: F811
    db_conn: Any,
    tmp_path: Path,
) -> None:
    await _seed(cli_env, tmp_path)
    port = _free_port_pair()
    proc = await _start(cli_env, port)
    try:
        shown = await _read_until(proc, "Press Ctrl-C")
        started = _started_by(proc.pid)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as api:
            index = (await api.get("/api/v3/")).json()
            assert {"pages", "downloads", "jobs"} <= {r["name"] for r in index["resources"]}
            page = (await api.get("/api/schema")).text
            assert "cdn.jsdelivr.net" not in page and "/api/static/swagger-ui/" in page
        worker_log = Path(cli_env["PYDOTORG_STATE_DIR"]) / "logs" / "worker.log"
        # The worker processing jobs: stopping it then is the real test.
        await _until(lambda: "Worker starting" in worker_log.read_text(), 60)
    except BaseException:
        proc.kill()
        raise
    commands = " | ".join(started.values())
    assert "pydotorg.cli serve" in commands and "pydotorg.cli worker" in commands
    assert "sitebuilder.serve" in commands
    seconds, rest, err = await _interrupt(proc, started)
    assert not _alive(started), _alive(started)
    assert seconds < STOP_SECONDS, seconds
    assert "`make down`" in rest.splitlines()[-1]
    assert proc.returncode == 0, err

    logs = Path(cli_env["PYDOTORG_STATE_DIR"]) / "logs"
    terminal = shown + rest + err
    # The build fetched hundreds of API URLs: each is a line of api.log, none on the terminal.
    api_log = (logs / "api.log").read_text()
    assert "/api/v3/changes" in api_log and api_log.count("request") > 20
    assert "/api/v3/changes" not in terminal and "Enqueuing" not in terminal
    assert "Aborted" not in (logs / "worker.log").read_text()
    assert "Processed 0 articles" not in terminal + (logs / "build.log").read_text()
    # One progress bar, then the build's summary line; the log directory named once.
    assert err.count("rendering [") >= 1 and "\n" not in err.strip(), err
    assert next(line for line in shown.splitlines() if " build: " in line).strip().startswith("full build:")
    assert shown.count(str(logs)) == 1
    assert "Traceback" not in terminal


async def test_ctrl_c_during_the_first_build_stops_it_too(
    cli_env: dict[str, str],  # noqa: F811
    db_conn: Any,
    tmp_path: Path,
) -> None:
    await _seed(cli_env, tmp_path)
    proc = await _start(cli_env, _free_port_pair())
    try:
        await _read_until(proc, "Building the site")
        # The builder itself (`build-site` runs `python -m sitebuilder.build`): a grandchild.
        await _until(lambda: "sitebuilder.build" in " ".join(_started_by(proc.pid).values()), 10)
        started = _started_by(proc.pid)
    except BaseException:
        proc.kill()
        raise
    assert any("build-site" in command for command in started.values()), started
    assert any("sitebuilder.build" in command for command in started.values()), started
    seconds, rest, err = await _interrupt(proc, started)
    assert not _alive(started), _alive(started)
    assert seconds < STOP_SECONDS, seconds
    assert "`make down`" in rest.splitlines()[-1]
    assert "Press Ctrl-C" not in rest  # it stopped before the worker started
    assert "Traceback" not in rest + err


def test_what_reaches_the_terminal_and_what_the_log() -> None:
    """A process's output through the runner: the builder's progress bar (its stderr) to the
    terminal only, every line to the log, and warnings, errors and a traceback's last line to the
    terminal in short."""
    stdout = (
        b"2026-12-07 04:53:43 [info     ] site.render_share    process=0\n"
        b'{"method": "GET", "path": "/api/v3/pages", "status": 200, "event": "request", "level": "info"}\n'
        b'{"failed": 2, "feeds": 2, "event": "blog_feeds_failed", "level": "warning", "timestamp": "t"}\n'
        b"Error processing job Job<function: site.rebuild>\r\n"
        b"Traceback (most recent call last):\n"
        b'  File "x.py", line 1, in <module>\n'
        b"ValueError: boom\n"
        b"2026-12-07 04:53:44 [error    ] site.output_skipped  path=/x/\n"
    )
    stderr = b"\r  rendering [#.] 50/100\r  rendering [##] 100/100\nerror: the API answered 500\n"
    log = io.BytesIO()
    log.close = lambda: None  # type: ignore[method-assign]  (read below; _pump closes it)
    shown: list[str] = []
    bar = io.StringIO()
    terminal = dev_run.Terminal(shown.append, bar)
    dev_run._pump("build", io.BufferedReader(io.BytesIO(stderr)), log, terminal, "b.log", progress=True)
    assert bar.getvalue() == "\r  rendering [#.] 50/100\r  rendering [##] 100/100\n"
    assert log.getvalue() == b"error: the API answered 500\n"
    assert shown == ["  ! build: error: the API answered 500  (details: b.log)"]
    dev_run._pump("worker", io.BufferedReader(io.BytesIO(stdout)), log, terminal, "w.log")
    logged = log.getvalue().decode().splitlines()
    assert len(logged) == 9 and "/api/v3/pages" in logged[2] and "rendering" not in "".join(logged)
    assert shown[1:] == [
        "  ! worker: warning: blog_feeds_failed failed=2 feeds=2  (details: w.log)",
        "  ! worker: error: ValueError: boom  (details: w.log)",
        "  ! worker: error: site.output_skipped path=/x/  (details: w.log)",
    ]
    terminal.stopping = True  # what a process says while it is being stopped stays in its log
    dev_run._pump("worker", io.BufferedReader(io.BytesIO(b"error: interrupted\n")), log, terminal, "w.log")
    assert len(shown) == 4 and log.getvalue().endswith(b"error: interrupted\n")
