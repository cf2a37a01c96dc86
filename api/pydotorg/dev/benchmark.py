"""``make bench``: python.org's downloads at full scale, imported and served, then loaded with wrk.

Prints the import time and, per endpoint, requests per second and p99 latency at 32
connections: the legacy reads anonymous (served from the in-process response cache, against
DESIGN.md's targets: 3x the Django figure it quotes, 10x for the full release list, p99 under
50 ms) and with a staff credential (never cached: issue 17's targets), ``/api/v3/`` lists,
``304`` answers, the ``/healthz`` floor, each figure's ratio to Django's measured on this
machine, body sizes plain and compressed, a mixed run (reads while a release is edited every
second) and the API's peak RSS. The API runs as ``pydotorg serve --workers 2`` on the
embedded PostgreSQL and Redis under ``.state/bench``. Throttles are raised for the run (a load
test from one address would otherwise measure 429s).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
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
class Target:
    """At least ``rps`` requests/s and, when given, a p99 under ``p99_ms``. A missed ``binding``
    target (DESIGN.md's) fails the run; issue 17's are reported until they are met (decisions)."""

    rps: float
    p99_ms: float | None
    binding: bool

    def met(self, load: Load) -> bool:
        return load.rps >= self.rps and (self.p99_ms is None or load.p99_ms < self.p99_ms)

    def __str__(self) -> str:
        return f">= {self.rps:,.0f}" + (f", p99 < {self.p99_ms:.0f}" if self.p99_ms else "")


@dataclass
class Case:
    name: str
    path: str
    django_rps: float  # the figure DESIGN.md quotes, which its targets multiply
    factor: float
    django_here: float  # python.org's Django measured on this machine (issue 17's table)
    uncached: Target  # with a staff credential, which the response cache never serves


CASES = [
    Case("v2 release list (all 600)", "/api/v2/downloads/release/", 50, 10, 38.5, Target(1000, 100, False)),
    Case(
        "v2 release files of a release",
        "/api/v2/downloads/release_file/?release=509",
        253,
        3,
        200,
        Target(3000, None, False),
    ),
    Case(
        "v1 release list ?limit=20",
        "/api/v1/downloads/release/?limit=20",
        540,
        3,
        383,
        Target(2500, None, False),
    ),
    Case(
        "v1 release by name",
        "/api/v1/downloads/release/?name=Python+3.12.4",
        800,
        3,
        637,
        Target(4000, None, False),
    ),
]
# /api/v3/ lists (no response cache: anonymous and staff both take the uncached path). The site
# builder reads these (with its own API key) besides the per-release details.
V3_RELEASES = "/api/v3/downloads/releases"
V3_RELEASES_TARGET = Target(1000, 100, False)
V3_LISTS = ["/api/v3/downloads/landing"]
NOT_MODIFIED_TARGET = Target(8000, None, False)
MIXED_PATHS = ["/api/v2/downloads/release/", V3_RELEASES]


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
    load = _load(url, extra, seconds)
    if load.non2xx:
        raise SystemExit(f"wrk saw {load.non2xx} non-2xx responses for {url}")
    return load.rps, load.p99_ms


@dataclass
class Load:
    """One wrk run: requests/s, p99 latency, answers outside 2xx/3xx, socket errors (timeouts too)."""

    rps: float
    p99_ms: float
    non2xx: int
    socket_errors: int


def _load(url: str, extra: list[str] | None = None, seconds: int = DURATION) -> Load:
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
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Load(
        rps,
        ms,
        int(non2xx.group(1)) if non2xx else 0,
        sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


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
    """The read endpoints under load (the module doc says which), then the site and search
    benchmarks on the same API."""
    staff = _credentials(cli, env, "benchstaff", "--staff")
    editor = _credentials(cli, env, "benchedit", "--superuser")  # edits need downloads.change_release
    report = Report(base)
    report.row("/healthz", "anonymous", [], None)  # the floor: no database, no authentication
    # The cached rows back to back, as before issue 17, so that the slow uncached loads (requests
    # still in flight, workers' heaps grown) cannot leak into their p99.
    for case in CASES:
        design = Target(case.django_rps * case.factor, 50, True)
        report.row(case.path, "anon, cached", [], design, case.django_here)
    for case in CASES:
        report.row(case.path, "staff", [_authorization(case.path, staff)], case.uncached, case.django_here)
    report.row(V3_RELEASES, "anonymous", [], None)
    report.row(V3_RELEASES, "staff", [_authorization(V3_RELEASES, staff)], V3_RELEASES_TARGET)
    for path in V3_LISTS:
        report.row(path, "staff", [_authorization(path, staff)], None)
    v2_list = CASES[0].path
    for path, caller, headers in (
        (v2_list, "anon, 304", []),
        (v2_list, "staff, 304", [_authorization(v2_list, staff)]),
        (V3_RELEASES, "staff, 304", [_authorization(V3_RELEASES, staff)]),
    ):
        etag = _get(base + path, headers).headers["etag"]
        report.row(path, caller, [*headers, f"If-None-Match: {etag}"], NOT_MODIFIED_TARGET, status=304)
    print(
        f"\n{CONNECTIONS} connections, {DURATION} s per row after a 2 s warm-up, wrk and the API\n"
        f"(2 workers) on the same {os.cpu_count()}-core machine. x Django: our req/s over python.org's\n"
        "Django app measured on this machine (issue 17). anon, cached: served from the legacy response\n"
        "cache, against DESIGN.md's targets (a miss fails the run). staff: a staff account's API key\n"
        "(v1 ApiKey, v2 Token, v3 Bearer), never served from the cache, against issue 17's targets\n"
        "(printed, not yet failing the run). 304: If-None-Match with the ETag of a first GET by the\n"
        "same caller (checked to answer 304)."
    )
    _sizes(base, [case.path for case in CASES] + [V3_RELEASES, *V3_LISTS])
    report.mixed(base, editor)
    _peak_rss(base)
    asyncio.run(_drop_accounts(env["PYDOTORG_DATABASE_URL"], [staff.username, editor.username]))
    site = _site(cli, env, base)
    report.summary(site == 0)
    return 0 if report.failures == 0 and site == 0 else 2


EDITS = 20
# Issue 17's targets (DESIGN.md's, which fail the run: a full build of the large site under 60 s, the
# median edit under 2 s).
FULL_BUILD_TARGET = 15.0
EDIT_MEDIAN_TARGET = 1.0
EDIT_MAX_TARGET = 2.0


def _site(cli: list[str], env: dict[str, str], base: str) -> int:
    """Full site builds and edit-to-live latency, on python.org's downloads (~1,400 files) and
    again with 5,000 events and 2,000 jobs added (~10,000 files): each full build timed with its
    phases, then 20 edits through the real path (API write -> change feed -> SAQ ``site.rebuild``
    in ``pydotorg worker`` -> incremental build -> publish -> purge), median and max."""
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
    seconds, pages = _full_build(build, env, out)
    full_ok = seconds < 30
    print(
        f"\nfull site build: {pages:,} files in {seconds:.1f} s ({pages / seconds:,.0f} files/s; "
        f"target for python.org's downloads, about 1,300 pages: under 30 s) {'ok' if full_ok else 'TOO SLOW'}"
    )
    _phases(out)
    # The search index up to date first: a worker's first indexing run would index everything,
    # on the same CPUs as the edits' builds.
    subprocess.run([*cli, "search", "reindex"], env=env, capture_output=True, check=True)  # noqa: S603
    failures = _edit_to_live(cli, env, base, key, password, out, pages)
    scale_failures, files = _site_at_scale(cli, env, build, out)
    failures += scale_failures
    # Search on the same data, before the worker starts (its first run would index everything).
    failures += searchbench.run(cli, env, base, _wrk_script, _serving, seconds=SEARCH_SECONDS)
    failures += _edit_to_live(cli, env, base, key, password, out, files)
    return 0 if full_ok and not failures else 1


def _full_build(build: list[str], env: dict[str, str], out: Path) -> tuple[float, int]:
    """A full build into an empty ``out``: seconds and files written."""
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    result = subprocess.run([*build, "--full"], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    seconds = time.perf_counter() - started
    return seconds, int(result.stdout.split("full build: ")[1].split(" written")[0])


def _phases(out: Path) -> None:
    phases = json.loads((out / "_state" / "last-build.json").read_text())["phase_seconds"]
    print("  phases: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in phases.items()))


def _edit_to_live(
    cli: list[str], env: dict[str, str], base: str, key: str, password: str, out: Path, files: int
) -> int:
    """``EDITS`` edits of a release's text, each timed from the API write until its page is
    published and purged, with the median of each build phase (``last-build.json``) and of the
    time from the write to the build's start. The worker starts first and one edit is made
    before the timed ones (its start-up is not an edit's latency)."""
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
    # The worker's log is kept (STATE/bench-worker-<files>.log) to explain a slow edit.
    worker_log = (STATE / f"bench-worker-{files}.log").open("w")
    worker = subprocess.Popen(  # noqa: S603
        [*cli, "worker"],
        env={**worker_env, "PYDOTORG_LOG_LEVEL": "INFO"},
        stdout=worker_log,
        stderr=worker_log,
    )
    samples: list[float] = []
    phases: dict[str, list[float]] = {}
    try:
        for i in range(EDITS + 1):
            marker = f"Benchmark edit {i} at {time.time()}"
            written_at, started = time.time(), time.perf_counter()
            r = httpx.patch(
                f"{base}/api/v3/downloads/releases/{release['id']}", headers=headers, json={"content": marker}
            )
            r.raise_for_status()
            deadline = started + 60
            while True:  # published (the page has the text) and purged (the report says so)
                if (
                    marker in page.read_text()
                    and release["url"] in _purged(report)
                    and report.stat().st_mtime >= page.stat().st_mtime
                ):
                    break
                if time.perf_counter() > deadline:
                    print(f"edit {i} was not published within 60 s", file=sys.stderr)
                    return 1
                time.sleep(0.01)
            seconds = time.perf_counter() - started
            if i == 0:
                print(f"\nfirst edit after the worker started (not counted): {seconds:.2f} s")
                continue
            samples.append(seconds)
            built = json.loads(report.read_text())
            phases.setdefault("write to build start", []).append(built["started_at"] - written_at)
            for name, value in built["phase_seconds"].items():
                phases.setdefault(name, []).append(value)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
        worker_log.close()
    (STATE / f"bench-edits-{files}.json").write_text(json.dumps(samples))
    median, worst = statistics.median(samples), max(samples)
    ok = median < EDIT_MEDIAN_TARGET and worst < EDIT_MAX_TARGET
    print(
        f"edit -> SAQ job -> render -> publish -> purge, {files:,}-file site: median {median:.2f} s, "
        f"max {worst:.2f} s over {EDITS} edits (min {min(samples):.2f}; targets: median < "
        f"{EDIT_MEDIAN_TARGET:.0f} s, max < {EDIT_MAX_TARGET:.0f} s) {'ok' if ok else 'ABOVE TARGET'}"
    )
    print(
        "  median of each step: "
        + ", ".join(f"{name} {statistics.median(values):.3f} s" for name, values in phases.items())
    )
    return 0 if median < 2.0 else 1


SCALE_EVENTS = searchbench.EVENT_COUNT
SCALE_JOBS = searchbench.JOB_COUNT


def _site_at_scale(cli: list[str], env: dict[str, str], build: list[str], out: Path) -> tuple[int, int]:
    """The whole site with 5,000 events, 2,000 jobs and python.org's main pages on top of its
    downloads (the search benchmark's data, dev/searchbench.py), built from scratch into ``out``.
    Returns the failures and the files built."""
    fixture = STATE / "scale-fixture.json"
    rows = searchbench.fixture()
    fixture.write_text(json.dumps(rows))
    # python.org's own pages replace the demo's pages at the same paths (the demo seeds stand-ins
    # at the paths python.org's menu links to), as an import into a demo database would.
    paths = [row["fields"]["path"] for row in rows if row["model"] == "pages.page"]
    asyncio.run(_delete_pages(env["PYDOTORG_DATABASE_URL"], paths))
    result = subprocess.run(  # noqa: S603
        [*cli, "import-django", "--quiet", "--fixtures", str(fixture)],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        print(result.stdout[-2000:], result.stderr[-2000:], file=sys.stderr)
        return 1, 0
    # After a bulk import, as an operator would: otherwise autovacuum and autoanalyze of the new
    # rows run during the measurements that follow (seen: the search p99 from 9 to 71 ms).
    asyncio.run(_vacuum(env["PYDOTORG_DATABASE_URL"]))
    seconds, files = _full_build(build, env, out)
    ok = seconds < FULL_BUILD_TARGET
    print(
        f"\nfull site build with {SCALE_EVENTS:,} events and {SCALE_JOBS:,} jobs added: {files:,} files in "
        f"{seconds:.1f} s ({files / seconds:,.0f} files/s, {os.cpu_count()} cores; target: under "
        f"{FULL_BUILD_TARGET:.0f} s) {'ok' if ok else 'TOO SLOW'}"
    )
    _phases(out)
    return (0 if seconds < 60 else 1), files


async def _delete_pages(database_url: str, paths: list[str]) -> None:
    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        await conn.execute("DELETE FROM pages WHERE path = ANY($1::text[])", paths)
    finally:
        await conn.close()


async def _vacuum(database_url: str) -> None:
    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        await conn.execute("VACUUM (ANALYZE)")
    finally:
        await conn.close()


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


@dataclass
class Credentials:
    username: str
    key: str


def _credentials(cli: list[str], env: dict[str, str], username: str, role: str) -> Credentials:
    """A new account (``role``: ``--staff`` or ``--superuser``) and an API key of it."""
    account = ["--username", username, "--email", f"{username}@example.org", role]
    subprocess.run(  # noqa: S603
        [*cli, "users", "create", *account, "--password", secrets.token_hex(16)],
        env=env,
        capture_output=True,
        text=True,
        check=False,  # the account may exist already (a reused database): the key is what matters
    )
    out = subprocess.run(  # noqa: S603
        [*cli, "users", "api-key", username, "--name", "bench"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return Credentials(username, out.split()[-1])


async def _drop_accounts(database_url: str, usernames: list[str]) -> None:
    """Delete the bench's own accounts (their keys go with them): ``seed --demo``, which the site
    part runs next, loads the demo data only into a database without accounts."""
    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        await conn.execute("DELETE FROM users WHERE username = ANY($1::text[])", usernames)
    finally:
        await conn.close()


def _authorization(path: str, credentials: Credentials) -> str:
    """The ``Authorization`` header each API reads an API key from."""
    if path.startswith("/api/v1/"):
        return f"Authorization: ApiKey {credentials.username}:{credentials.key}"
    if path.startswith("/api/v2/"):
        return f"Authorization: Token {credentials.key}"
    return f"Authorization: Bearer {credentials.key}"


def _get(url: str, headers: list[str], encoding: str = "identity") -> httpx.Response:
    """A GET with ``headers`` (``Name: value`` lines, as wrk takes them), the body left as sent."""
    request = {"Accept-Encoding": encoding, **dict(header.split(": ", 1) for header in headers)}
    with httpx.Client(timeout=30) as client, client.stream("GET", url, headers=request) as response:
        response._content = b"".join(response.iter_raw())  # not decoded: the sizes are the wire's
        return response


class Report:
    """The table of loads, row by row, and the tally of targets behind the closing line."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.failures = 0
        self.binding: list[str] = []  # missed DESIGN.md targets and errors: the run fails
        self.met = {True: 0, False: 0}  # targets met, by binding
        self.total = {True: 0, False: 0}
        self.short: list[str] = []  # issue 17's missed targets, by how much
        self.last_path = ""
        columns = f"{'endpoint':<46} {'caller':<12} {'req/s':>8} {'p99 ms':>8} {'x Django':>8}"
        print(f"\n{columns}  {'target':<20} result")

    def row(
        self,
        path: str,
        caller: str,
        headers: list[str],
        target: Target | None,
        django: float | None = None,
        status: int = 200,
    ) -> None:
        """Check once that ``path`` answers ``status`` to ``headers``, then load it with wrk."""
        name, url, self.last_path = ("" if path == self.last_path else path), self.base + path, path
        first = _get(url, headers)
        if first.status_code != status:
            print(f"{name:<46} {caller:<12} answered {first.status_code}, not {status}: {first.text[:200]}")
            self.failures += 1
            self.binding.append(f"{path} {caller}: {first.status_code}")
            return
        if status == 200 and path.startswith("/api/"):
            json.loads(first.content)
        extra = [arg for header in headers for arg in ("-H", header)]
        _wrk_warm(url, extra)
        load = _load(url, extra)
        result = ""
        if target is not None:
            ok = target.met(load)
            self.total[target.binding] += 1
            self.met[target.binding] += ok
            if ok:
                result = "ok"
            elif target.binding:
                result = "BELOW TARGET"
                self.failures += 1
                self.binding.append(f"{path} {caller}: {_shortfall(load, target)}")
            else:
                result = "BELOW TARGET (issue 17)"
                self.short.append(f"{path} {caller}: {_shortfall(load, target)}")
        if load.non2xx or load.socket_errors:
            result += f"; {load.non2xx} non-2xx/3xx, {load.socket_errors} socket errors or timeouts"
            if load.non2xx:
                self.failures += 1
                self.binding.append(f"{path} {caller}: {load.non2xx} non-2xx/3xx")
        ratio = f"{load.rps / django:.1f}x" if django else "-"
        print(
            f"{name:<46} {caller:<12} {load.rps:>8,.0f} {load.p99_ms:>8.1f} {ratio:>8}  "
            f"{target or '-'!s:<20} {result.lstrip('; ')}".rstrip(),
            flush=True,
        )

    def mixed(self, base: str, editor: Credentials) -> None:
        """Reads (``MIXED_PATHS`` in turn, anonymous) while one release is edited per second through
        the API; every answer must be 2xx/3xx, without socket errors, and every edit must succeed."""
        script = STATE / "mixed-reads.lua"
        paths = ", ".join(f'"{path}"' for path in MIXED_PATHS)
        script.write_text(
            f"local paths = {{{paths}}}\nlocal i = math.random(#paths)\n"
            'request = function()\n  i = i % #paths + 1\n  return wrk.format("GET", paths[i])\nend\n'
        )
        headers = {"Authorization": f"Bearer {editor.key}"}
        release = httpx.get(f"{base}{V3_RELEASES}?limit=1", timeout=30).raise_for_status().json()["data"][0]
        url = f"{base}{V3_RELEASES}/{release['id']}"
        edits = {"made": 0, "failed": 0}
        stop = threading.Event()

        def edit() -> None:
            with httpx.Client(headers=headers, timeout=30) as client:
                while not stop.is_set():
                    started = time.perf_counter()
                    marker = f"{release['content']}\n\nBenchmark edit {edits['made']} at {time.time()}"
                    try:
                        ok = client.patch(url, json={"content": marker}).status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    edits["made"] += 1
                    edits["failed"] += not ok
                    stop.wait(max(0.0, 1.0 - (time.perf_counter() - started)))

        _wrk_warm(base + "/", ["-s", str(script)])
        editing = threading.Thread(target=edit)
        editing.start()
        try:
            load = _load(base + "/", ["-s", str(script)])
        finally:
            stop.set()
            editing.join()
        httpx.patch(url, headers=headers, json={"content": release["content"]}, timeout=30).raise_for_status()
        errors = load.non2xx + load.socket_errors + edits["failed"]
        self.failures += errors > 0
        if errors:
            self.binding.append(f"mixed run: {errors} errors")
        print(
            f"\nmixed: {' and '.join(MIXED_PATHS)} in turn (anonymous), {CONNECTIONS} connections, "
            f"{DURATION} s, while a release is edited through the API once a second: {load.rps:,.0f} req/s, "
            f"p99 {load.p99_ms:.1f} ms; errors: {load.non2xx} non-2xx/3xx, {load.socket_errors} socket "
            f"errors/timeouts, {edits['failed']} of {edits['made']} edits failed (target: none) "
            f"{'ok' if not errors else 'ERRORS'}"
        )

    def summary(self, site_ok: bool) -> None:
        """The closing lines: issue 17's misses by how much, then which targets are met."""
        print(
            f"\nissue 17 targets (uncached with a staff credential, 304): {self.met[False]} of "
            f"{self.total[False]} met; reported, not yet failing the run" + (":" if self.short else ".")
        )
        for line in self.short:
            print(f"  below: {line}")
        if self.binding:
            print(f"  the reads fail the run: {'; '.join(self.binding)}")
        reads = f"{self.met[True]} of {self.total[True]} met" + (", FAILED (above)" if self.binding else "")
        print(
            f"targets: reads (DESIGN.md) {reads}; site and search {'passed' if site_ok else 'FAILED'} "
            f"(issue 17's site targets: their lines above); issue 17 reads {self.met[False]} of "
            f"{self.total[False]} met (not failing); {'ok' if site_ok and not self.failures else 'FAILED'}"
        )


def _shortfall(load: Load, target: Target) -> str:
    parts = []
    if load.rps < target.rps:
        parts.append(f"{load.rps:,.0f} req/s of {target.rps:,.0f} ({load.rps / target.rps:.1%})")
    if target.p99_ms is not None and load.p99_ms >= target.p99_ms:
        parts.append(f"p99 {load.p99_ms:,.0f} ms (target < {target.p99_ms:.0f})")
    return ", ".join(parts)


def _sizes(base: str, paths: list[str]) -> None:
    """Each body's bytes on the wire, anonymous: plain, gzip and brotli (where the API offers it)."""
    print(f"\n{'body bytes sent (anonymous GET)':<46} {'plain':>9} {'gzip':>17} {'br':>17}")
    for path in paths:
        plain = len(_get(base + path, []).content)
        cells = []
        for encoding in ("gzip", "br"):
            response = _get(base + path, [], encoding)
            if response.headers.get("content-encoding") == encoding:
                size = len(response.content)
                cells.append(f"{size:,} ({size / plain:.0%})")
            else:
                cells.append("sent plain")
        print(f"{path:<46} {plain:>9,} {cells[0]:>17} {cells[1]:>17}")


def _peak_rss(base: str) -> None:
    """The peak resident memory (``VmHWM``) of the API's processes: ``pydotorg serve`` listening on
    ``base``'s port and everything under it (its workers), summed."""
    port = base.rsplit(":", 1)[1]
    parents: dict[int, int] = {}
    commands: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            commands[int(entry.name)] = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    roots = [
        pid
        for pid, args in commands.items()
        if parents.get(pid) == os.getpid() and "serve" in args and "--port" in args and port in args
    ]
    tree, i = list(roots), 0
    while i < len(tree):
        tree.extend(pid for pid, parent in parents.items() if parent == tree[i])
        i += 1
    peaks = []
    for pid in tree:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
        if found:
            peaks.append(int(found.group(1)) / 1024)
    print(
        f"\nAPI peak RSS (VmHWM of each of its {len(peaks)} processes, summed): {sum(peaks):,.0f} MiB "
        f"({', '.join(f'{peak:,.0f}' for peak in peaks)} MiB)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
