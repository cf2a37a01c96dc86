"""``pydotorg seed --demo`` as ``make run`` runs it (a subprocess against the test database, with
no downloads fixture): python.org's job types and categories come from the
repository, the demo editor moderates the job board over HTTP with its printed password, a
second seed adds nothing and prints the accounts again, and ``dev run``'s banner lists them."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from pydotorg.dev import run as dev_run
from pydotorg.dev.paths import DEMO_DATA_DIR
from pydotorg.dev.seed import DEMO_SPONSORS, EDITOR_PERMISSIONS, EDITORS_GROUP, JOB_TAXONOMY_FILE
from tests.api.test_cli import _run, cli_env  # noqa: F401  (fixture)
from tests.api.test_jobs import job_body
from tests.helpers import db_fingerprint
from tests.site.test_build import live_api  # noqa: F401  (fixture)


@pytest.fixture
def seed_env(cli_env: dict[str, str]) -> dict[str, str]:  # noqa: F811
    """The CLI's environment: the seed reads nothing but the repository and the database."""
    return cli_env


async def _seed(env: dict[str, str], tmp_path: Path) -> str:
    result = await _run(env, "seed", "--demo", "--downloads", str(tmp_path / "absent.json"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def _passwords(env: dict[str, str]) -> dict[str, str]:
    lines = (Path(env["PYDOTORG_STATE_DIR"]) / "demo-credentials.txt").read_text().splitlines()
    return {line.split(" ", 1)[0]: line.rsplit(" ", 1)[1] for line in lines}


async def _login(api: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    r = await api.post("/api/v3/auth/login", json={"login": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def test_seed_twice_adds_nothing_the_second_time(
    seed_env: dict[str, str], db_conn: Any, tmp_path: Path
) -> None:
    first = await _seed(seed_env, tmp_path)
    taxonomy = json.loads(JOB_TAXONOMY_FILE.read_text())
    assert f"added {len(taxonomy['job_types'])} job types" in first
    assert f"added {len(taxonomy['job_categories'])} job categories" in first
    assert "seeded demo accounts" in first
    types = [r["name"] for r in await db_conn.fetch("SELECT name FROM job_types ORDER BY name")]
    categories = [r["name"] for r in await db_conn.fetch("SELECT name FROM job_categories ORDER BY name")]
    assert types == sorted(taxonomy["job_types"]) and categories == sorted(taxonomy["job_categories"])
    assert await db_conn.fetchval("SELECT count(*) FROM job_types WHERE NOT active") == 0
    # An election open for nominations (so make run can nominate), and no public profile for
    # the builder's service account.
    assert (
        await db_conn.fetchval(
            "SELECT count(*) FROM elections WHERE nominations_open_at < now() AND nominations_close_at > now()"
        )
        == 1
    )
    assert await db_conn.fetchval("SELECT public_profile FROM users WHERE username = 'site-builder'") is False
    assert await db_conn.fetchval("SELECT slug FROM job_types WHERE name = 'Systems / Administration'") == (
        "systems-administration"
    )
    granted = await db_conn.fetch(
        "SELECT gp.permission FROM group_permissions gp JOIN groups g ON g.id = gp.group_id WHERE g.name = $1",
        EDITORS_GROUP,
    )
    assert sorted(r["permission"] for r in granted) == sorted(EDITOR_PERMISSIONS)
    members = await db_conn.fetch(
        "SELECT u.username FROM user_groups ug JOIN users u ON u.id = ug.user_id "
        "JOIN groups g ON g.id = ug.group_id WHERE g.name = $1",
        EDITORS_GROUP,
    )
    assert [r["username"] for r in members] == ["editor"]
    passwords = _passwords(seed_env)
    assert set(passwords) == {"admin", "editor", "reader"}
    for username, password in passwords.items():
        assert f"{username} (" in first and password in first

    before = await db_fingerprint(db_conn)
    second = await _seed(seed_env, tmp_path)
    assert await db_fingerprint(db_conn) == before  # nothing added, nothing changed
    assert "nothing seeded" in second and "added" not in second
    # The accounts are printed again, with the passwords the first seed made.
    for username, password in passwords.items():
        assert f"  {username} (" in second and password in second
    assert _passwords(seed_env) == passwords


async def test_seed_shows_demo_sponsors_on_the_three_logo_walls(
    seed_env: dict[str, str],
    db_conn: Any,
    tmp_path: Path,
    live_api: str,  # noqa: F811
) -> None:
    """python.org's sponsorship configuration is imported and four demo sponsors, their logos
    stored as uploads, hold finalized sponsorships active today whose benefits place their logos
    on /psf/sponsors/, /downloads/ and the jobs sidebar as their package says; a second seed
    adds no sponsor."""
    await _seed(seed_env, tmp_path)
    assert await db_conn.fetchval("SELECT count(*) FROM sponsorship_packages") == 11  # sponsors.json
    rows = await db_conn.fetch(
        "SELECT s.name, s.web_logo, p.slug, sp.status, sp.start_date <= current_date AS started, "
        "sp.end_date >= current_date AS running FROM sponsors s JOIN sponsorships sp ON sp.sponsor_id = s.id "
        "JOIN sponsorship_packages p ON p.id = sp.package_id ORDER BY s.name"
    )
    expected = sorted(DEMO_SPONSORS)
    assert [(r["name"], r["slug"], r["status"], r["started"], r["running"]) for r in rows] == [
        (name, package, "finalized", True, True) for name, package, _, _ in expected
    ]
    media = Path(seed_env["PYDOTORG_STATE_DIR"]) / "media"
    for row, (_, _, logo, _) in zip(rows, expected, strict=True):
        assert row["web_logo"].startswith("sponsors/logos/")
        assert (media / row["web_logo"]).read_bytes() == (DEMO_DATA_DIR / logo).read_bytes()
    async with httpx.AsyncClient(base_url=live_api, timeout=30) as api:
        walls = {}
        for flight in ("sponsors", "download", "jobs"):
            r = await api.get("/api/v3/sponsors/placements", params={"publisher": "psf", "flight": flight})
            assert r.status_code == 200, r.text
            walls[flight] = [(item["name"], item["package"]["name"]) for item in r.json()]
    visionary = [("Pythonic Cloud", "Visionary"), ("Snake Data Labs", "Visionary")]
    assert walls["download"] == visionary
    assert walls["jobs"] == [*visionary, ("Indent Systems", "Sustainability")]
    assert walls["sponsors"] == [*walls["jobs"], ("Duck Typing Co.", "Supporting")]
    # python.org's flags: a new person can apply to sponsor (the form is open to everyone).
    async with httpx.AsyncClient(base_url=live_api, timeout=30) as api:
        r = await api.get("/api/v3/flags/sponsorship-applications-open/active")
        assert r.status_code == 200 and r.json()["active"] is True, r.text
        r = await api.get("/api/v3/flags/psf_membership/active")
        assert r.status_code == 200 and r.json()["active"] is False, r.text
    sponsors_before = await db_conn.fetchval("SELECT count(*) FROM sponsors")
    files_before = sorted(p.name for p in (media / "sponsors/logos").iterdir())
    await _seed(seed_env, tmp_path)
    assert await db_conn.fetchval("SELECT count(*) FROM sponsors") == sponsors_before == len(DEMO_SPONSORS)
    assert sorted(p.name for p in (media / "sponsors/logos").iterdir()) == files_before


async def test_seed_completes_an_already_seeded_database(
    seed_env: dict[str, str], db_conn: Any, tmp_path: Path
) -> None:
    """A database seeded before the job taxonomy and the Editors group existed gets them."""
    await _seed(seed_env, tmp_path)
    await db_conn.execute("DELETE FROM groups WHERE name = $1", EDITORS_GROUP)
    await db_conn.execute("DELETE FROM job_types WHERE slug IN ('web', 'cloud')")
    await db_conn.execute("DELETE FROM job_categories")
    # A category python.org's import brought in under another slug is not added twice.
    await db_conn.execute(
        "INSERT INTO job_categories (name, slug, active) VALUES ('analyst', 'analysts', true)"
    )
    users_before = await db_conn.fetchval("SELECT count(*) FROM users")
    out = await _seed(seed_env, tmp_path)
    assert "added 2 job types" in out
    taxonomy = json.loads(JOB_TAXONOMY_FILE.read_text())
    assert f"added {len(taxonomy['job_categories']) - 1} job categories" in out
    assert f"added {len(EDITOR_PERMISSIONS) + 1} editor grants" in out
    assert await db_conn.fetchval("SELECT count(*) FROM users") == users_before
    assert await db_conn.fetchval("SELECT count(*) FROM job_categories WHERE lower(name) = 'analyst'") == 1
    assert (
        await db_conn.fetchval(
            "SELECT count(*) FROM user_groups ug JOIN users u ON u.id = ug.user_id WHERE u.username = 'editor'"
        )
        == 1
    )
    # A group that lost a permission gets it back, and only it.
    await db_conn.execute("DELETE FROM group_permissions WHERE permission = 'jobs.moderate'")
    out = await _seed(seed_env, tmp_path)
    assert "added 1 editor grants" in out and "job types" not in out
    assert (
        await db_conn.fetchval("SELECT count(*) FROM group_permissions WHERE permission = 'jobs.moderate'")
        == 1
    )


async def test_the_demo_editor_moderates_the_job_board(
    seed_env: dict[str, str],
    db_conn: Any,
    tmp_path: Path,
    live_api: str,  # noqa: F811
) -> None:
    await _seed(seed_env, tmp_path)
    passwords = _passwords(seed_env)
    async with httpx.AsyncClient(base_url=live_api, timeout=30) as api:
        # The job form's lists: every seeded category and type, before any job exists.
        r = await api.get("/api/v3/jobs/categories", params={"with_jobs": "false", "limit": 100})
        assert r.status_code == 200
        assert "software-developer" in {c["slug"] for c in r.json()["data"]}
        # The demo reader posts a job with them and sends it for review.
        reader = await _login(api, "reader", passwords["reader"])
        r = await api.post(
            "/api/v3/jobs/",
            json=job_body(category="software-developer", job_types=["web", "cloud"]),
            headers=reader,
        )
        assert r.status_code == 201, r.text
        job_id = r.json()["id"]
        r = await api.post(f"/api/v3/jobs/{job_id}/submit", headers=reader)
        assert r.status_code == 200, r.text
        r = await api.post(f"/api/v3/jobs/{job_id}/approve", headers=reader)
        assert r.status_code == 403
        assert await db_conn.fetchval("SELECT status FROM jobs WHERE id = $1", job_id) == "review"

        editor = await _login(api, "editor", passwords["editor"])
        me = (await api.get("/api/v3/users/me", headers=editor)).json()
        assert me["is_staff"] and not me["is_superuser"]
        assert me["groups"] == [EDITORS_GROUP] and "jobs.moderate" in me["permissions"]
        r = await api.get("/api/v3/jobs/review", headers=editor)
        assert r.status_code == 200 and [j["id"] for j in r.json()["data"]] == [job_id]
        r = await api.post(f"/api/v3/jobs/{job_id}/approve", headers=editor)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "approved"
    row = await db_conn.fetchrow("SELECT status, expires FROM jobs WHERE id = $1", job_id)
    assert row["status"] == "approved" and row["expires"] is not None
    types = await db_conn.fetch(
        "SELECT t.slug FROM job_job_types jt JOIN job_types t ON t.id = jt.job_type_id WHERE jt.job_id = $1 "
        "ORDER BY t.slug",
        job_id,
    )
    assert [t["slug"] for t in types] == ["cloud", "web"]


async def test_dev_run_banner_lists_the_demo_accounts_on_every_start(
    seed_env: dict[str, str], db_conn: Any, tmp_path: Path, settings: Any
) -> None:
    state = Path(seed_env["PYDOTORG_STATE_DIR"])
    local = msgspec.structs.replace(settings, state_dir=state)
    assert any("Accounts:  none recorded" in line for line in dev_run.banner(local, "127.0.0.1", 8000))
    await _seed(seed_env, tmp_path)
    passwords = _passwords(seed_env)
    await _seed(seed_env, tmp_path)  # a second start: the seed adds nothing
    for _ in range(2):
        text = "\n".join(dev_run.banner(local, "127.0.0.1", 8000))
        assert "Site:      http://127.0.0.1:8001/" in text
        for username, password in passwords.items():
            assert f"    {username} (" in text and password in text


def _free_port_pair() -> int:
    """A port whose next port is free too (``dev run`` serves the site on port + 1)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
        return port
    raise AssertionError("no free pair of ports")


async def test_dev_run_prints_the_accounts_on_a_second_start(
    seed_env: dict[str, str], db_conn: Any, tmp_path: Path
) -> None:
    """What ``make run`` does the second time: seed (nothing to add) and ``dev run``, whose
    banner lists the demo accounts; then SIGTERM stops it all."""
    await _seed(seed_env, tmp_path)
    passwords = _passwords(seed_env)
    second = await _seed(seed_env, tmp_path)
    assert all(password in second for password in passwords.values())
    port = _free_port_pair()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pydotorg.cli",
        "dev",
        "run",
        "--port",
        str(port),
        env=seed_env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    banner: list[str] = []
    try:
        async with asyncio.timeout(120):
            while not banner or "Press Ctrl-C" not in banner[-1]:
                line = await proc.stdout.readline()
                assert line, "dev run ended before its banner"
                banner.append(line.decode())
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 60)
    text = "".join(banner)
    assert f"Site:      http://127.0.0.1:{port + 1}/" in text
    for username, password in passwords.items():
        assert f"    {username} (" in text and password in text
