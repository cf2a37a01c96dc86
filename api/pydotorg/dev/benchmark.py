"""``make bench``: python.org's downloads at full scale, imported and served, then loaded with wrk.

Prints the import time and, per endpoint, requests per second and p99 latency at 32
connections next to the Django figures quoted in DESIGN.md and the targets (3x, 10x for the
full release list; p99 under 50 ms). The API runs as ``pydotorg serve --workers 2`` on the
embedded PostgreSQL and Redis under ``.state/bench``. Throttles are raised for the run (a load
test from one address would otherwise measure 429s).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from pydotorg.core.migrate import REPO_ROOT, upgrade
from pydotorg.dev import embedded, searchbench
from pydotorg.dev.paths import BENCH_DOWNLOADS
from pydotorg.django_import.command import read_fixture
from pydotorg.django_import.django_db import create_django_database, load_objects
from pydotorg.django_import.source import asyncpg_dsn

STATE = REPO_ROOT / ".state" / "bench"
FIXTURE = Path(os.environ.get("PYDOTORG_BENCH_FIXTURE", BENCH_DOWNLOADS))
DURATION = int(os.environ.get("PYDOTORG_BENCH_SECONDS", "10"))
CONNECTIONS = 32
SEARCH_SECONDS = int(os.environ.get("PYDOTORG_BENCH_SEARCH_SECONDS", "20"))


@dataclass
class Case:
    name: str
    path: str
    django_rps: float
    factor: float


CASES = [
    Case("v2 release list (all 600)", "/api/v2/downloads/release/", 50, 10),
    Case("v2 release files of a release", "/api/v2/downloads/release_file/?release=509", 253, 3),
    Case("v1 release list ?limit=20", "/api/v1/downloads/release/?limit=20", 540, 3),
    Case("v1 release by name", "/api/v1/downloads/release/?name=Python+3.12.4", 800, 3),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_import(admin_url: str, env: dict[str, str], cli: list[str]) -> None:
    """The same fixture read from a database with python.org's Django table layout (built by the
    migration tests' DDL and loader) into a fresh target: ``import-django --database-url``."""
    objects = read_fixture(FIXTURE)

    async def prepare() -> tuple[str, str]:
        source = await create_django_database(admin_url, "pydotorg_bench_django")
        conn = await asyncpg.connect(asyncpg_dsn(source))
        try:
            await load_objects(conn, objects)
        finally:
            await conn.close()
        target = await _fresh_database(admin_url, "pydotorg_bench_target")
        await upgrade(target)
        return source, target

    source, target = asyncio.run(prepare())
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603
        [*cli, "import-django", "--quiet", "--database-url", source],
        env={**env, "PYDOTORG_DATABASE_URL": target},
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        print(result.stdout, result.stderr, file=sys.stderr)
        raise SystemExit(1)
    rows = sum(int(x) for x in re.findall(r"^downloads\.\w+\s+(\d+)", result.stdout, re.M))
    print(
        f"import from a Django database ({FIXTURE.name} loaded): {rows} rows in {wall:.1f} s wall "
        f"({rows / wall:,.0f} rows/s; read in one snapshot + import)"
    )


async def _fresh_database(admin_url: str, name: str) -> str:
    conn = await asyncpg.connect(admin_url.replace("+asyncpg", ""))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


class NotStarted(RuntimeError):
    pass


@contextmanager
def _serving(cli: list[str], env: dict[str, str]) -> Iterator[str]:
    """An API (``pydotorg serve``, 2 workers) with ``env`` for as long as the block runs; yields its
    URL. Raises ``NotStarted`` when it does not answer /readyz within 30 s."""
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [*cli, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise NotStarted("the API did not start")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def _wrk_script(url: str, script: Path, seconds: int) -> tuple[float, float]:
    _wrk_warm(url, ["-s", str(script)])
    return _wrk(url, ["-s", str(script)], seconds)


def _wrk(url: str, extra: list[str] | None = None, seconds: int = DURATION) -> tuple[float, float]:
    out = subprocess.run(  # noqa: S603
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", *(extra or []), url],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    assert p99 is not None, out
    value, unit = float(p99.group(1)), p99.group(2)
    ms = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"wrk saw {non2xx.group(1)} non-2xx responses for {url}")
    return rps, ms


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install -y wrk)", file=sys.stderr)
        return 1
    if not FIXTURE.exists():
        print(f"bench fixture not found: {FIXTURE}", file=sys.stderr)
        return 1
    services = embedded.up(STATE)
    database_url = asyncio.run(_fresh_database(services.database_url, "pydotorg_bench"))
    asyncio.run(upgrade(database_url))
    env = {
        **os.environ,
        "PYDOTORG_DATABASE_URL": database_url,
        "PYDOTORG_REDIS_URL": services.redis_url.rsplit("/", 1)[0] + "/15",
        "PYDOTORG_STATE_DIR": str(STATE),
        "PYDOTORG_LOG_LEVEL": "WARNING",
        "PYDOTORG_V1_THROTTLE": "100000000/3600",
        "PYDOTORG_V2_THROTTLE_ANON": "100000000/86400",
        "PYDOTORG_V2_THROTTLE_USER": "100000000/86400",
    }
    cli = [sys.executable, "-m", "pydotorg.cli"]
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603
        [*cli, "import-django", "--quiet", "--fixtures", str(FIXTURE)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        print(result.stdout, result.stderr, file=sys.stderr)
        return 1
    rows = sum(int(x) for x in re.findall(r"^downloads\.\w+\s+(\d+)", result.stdout, re.M))
    print(
        f"import of {FIXTURE.name}: {rows} rows in {wall:.1f} s wall "
        f"({rows / wall:,.0f} rows/s; target < 30 s)  [{result.stdout.strip().splitlines()[-1]}]"
    )

    _database_import(services.database_url, env, cli)

    try:
        with _serving(cli, env) as base:
            return _reads(cli, env, base)
    except NotStarted as exc:
        print(exc, file=sys.stderr)
        return 1


def _reads(cli: list[str], env: dict[str, str], base: str) -> int:
    """The read endpoints under load, then the site and search benchmarks on the same API."""
    print(f"\n{'endpoint':<34} {'django':>8} {'target':>8} {'ours':>9} {'p99 ms':>8}  result")
    failures = 0
    for case in CASES:
        url = base + case.path
        check = httpx.get(url, timeout=10)
        check.raise_for_status()
        json.loads(check.content)
        _wrk_warm(url)
        rps, p99 = _wrk(url)
        target = case.django_rps * case.factor
        ok = rps >= target and p99 < 50
        failures += not ok
        print(
            f"{case.name:<34} {case.django_rps:>8.0f} {target:>8.0f} {rps:>9.0f} "
            f"{p99:>8.1f}  {'ok' if ok else 'BELOW TARGET'}"
        )
    print(
        f"\n{CONNECTIONS} connections, {DURATION} s per endpoint, wrk and the API (2 workers) "
        f"on the same {os.cpu_count()}-core machine."
    )
    failures += _site(cli, env, base)
    return 0 if failures == 0 else 2


EDITS = 20


def _site(cli: list[str], env: dict[str, str], base: str) -> int:
    """Full site build time, then edit-to-published-and-purged latency through the real path:
    API write -> change feed -> SAQ ``site.rebuild`` in ``pydotorg worker`` -> incremental build ->
    publish -> purge (median of 20 edits)."""
    subprocess.run([*cli, "seed", "--demo"], env=env, capture_output=True, check=True)  # noqa: S603
    key = (STATE / "site-api-key").read_text().strip()
    password = next(
        line.rsplit(" ", 1)[1]
        for line in (STATE / "demo-credentials.txt").read_text().splitlines()
        if line.startswith("admin ")
    )
    out = STATE / "site"
    shutil.rmtree(out, ignore_errors=True)
    build = [sys.executable, "-m", "sitebuilder.build", "--api", base, "--out", str(out), "--api-key", key]
    started = time.perf_counter()
    result = subprocess.run([*build, "--full"], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    full_seconds = time.perf_counter() - started
    pages = int(result.stdout.split("full build: ")[1].split(" written")[0])
    full_ok = full_seconds < 30
    print(
        f"\nfull site build: {pages} files in {full_seconds:.1f} s ({pages / full_seconds:,.0f} files/s; "
        f"target for python.org's downloads, about 1,300 pages: under 30 s) {'ok' if full_ok else 'TOO SLOW'}"
    )
    failures = _site_at_scale(cli, env, build, full_ok)
    # Search on the same data, before the worker starts (its first run would index everything).
    failures += searchbench.run(cli, env, base, _wrk_script, _serving, seconds=SEARCH_SECONDS)
    token = httpx.post(base + "/api/v3/auth/login", json={"login": "admin", "password": password}).json()[
        "token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    release = httpx.get(base + "/api/v3/downloads/releases?is_latest=true&version=3").json()["data"][0]
    page = out / "current" / "downloads" / "release" / release["slug"] / "index.html"
    report = out / "_state" / "last-build.json"
    worker_env = {
        **env,
        "PYDOTORG_SITE_API_URL": base,
        "PYDOTORG_SITE_API_KEY": key,
        "PYDOTORG_SITE_ORIGIN_DIR": str(out),
    }
    worker = subprocess.Popen(  # noqa: S603
        [*cli, "worker"], env=worker_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    samples = []
    try:
        time.sleep(2)  # the worker's start-up sweep
        for i in range(EDITS):
            marker = f"Benchmark edit {i} at {time.time()}"
            started = time.perf_counter()
            r = httpx.patch(
                f"{base}/api/v3/downloads/releases/{release['id']}", headers=headers, json={"content": marker}
            )
            r.raise_for_status()
            deadline = started + 30
            while True:  # published (the page has the text) and purged (the report says so)
                if (
                    marker in page.read_text()
                    and release["url"] in _purged(report)
                    and report.stat().st_mtime >= page.stat().st_mtime
                ):
                    break
                if time.perf_counter() > deadline:
                    print(f"edit {i} was not published within 30 s", file=sys.stderr)
                    return 1
                time.sleep(0.01)
            samples.append(time.perf_counter() - started)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
    median = statistics.median(samples)
    ok = median < 2.0
    print(
        f"edit -> SAQ job -> render -> publish -> purge: median {median:.2f} s over {EDITS} edits "
        f"(min {min(samples):.2f}, max {max(samples):.2f}; target < 2 s) {'ok' if ok else 'ABOVE TARGET'}"
    )
    return 0 if ok and full_ok and not failures else 1


SCALE_EVENTS = searchbench.EVENT_COUNT
SCALE_JOBS = searchbench.JOB_COUNT


def _site_at_scale(cli: list[str], env: dict[str, str], build: list[str], downloads_ok: bool) -> int:
    """The whole site with 5,000 events, 2,000 jobs and python.org's main pages on top of its
    downloads (the search benchmark's data, dev/searchbench.py)."""
    fixture = STATE / "scale-fixture.json"
    fixture.write_text(json.dumps(searchbench.fixture()))
    result = subprocess.run(  # noqa: S603
        [*cli, "import-django", "--quiet", "--fixtures", str(fixture)],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        print(result.stdout[-2000:], result.stderr[-2000:], file=sys.stderr)
        return 1
    started = time.perf_counter()
    result = subprocess.run([*build, "--full"], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    seconds = time.perf_counter() - started
    files = int(result.stdout.split("full build: ")[1].split(" written")[0])
    ok = seconds < 60
    print(
        f"full site build with {SCALE_EVENTS:,} events and {SCALE_JOBS:,} jobs added: {files:,} files in "
        f"{seconds:.1f} s ({files / seconds:,.0f} files/s; target: under 60 s) {'ok' if ok else 'TOO SLOW'}"
    )
    return 0 if ok else 1


def _purged(report: Path) -> list[str]:
    try:
        return list(json.loads(report.read_text()).get("purged_urls", []))
    except (OSError, ValueError):
        return []


def _wrk_warm(url: str, extra: list[str] | None = None) -> None:
    subprocess.run(  # noqa: S603
        ["wrk", "-t1", "-c8", "-d2s", *(extra or []), url],  # noqa: S607
        capture_output=True,
        check=False,
    )


if __name__ == "__main__":
    raise SystemExit(main())
