"""``pydotorg import-django --fixtures``: the shared python.org data imports with the expected
counts, a second run changes nothing, bad rows are reported and skipped, credentials carry over."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pydotorg import importers  # noqa: F401  (registers the importers)
from pydotorg.core import importer
from pydotorg.core.db import transaction
from pydotorg.paths import shared_data_dir

DATA = shared_data_dir()
BENCH = DATA / "bench" / "downloads.json"
USERS = DATA / "pythondotorg" / "users.json"


def _cli(settings: Any, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYDOTORG_DATABASE_URL": settings.database_url,
        "PYDOTORG_ENVIRONMENT": "test",
        "PYDOTORG_SECRET_KEY": settings.secret_key,
    }
    return subprocess.run(
        [sys.executable, "-m", "pydotorg.cli", "import-django", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.skipif(not BENCH.exists(), reason="shared bench data not present")
async def test_full_downloads_fixture_and_second_run(settings: Any, db_conn: Any) -> None:
    result = _cli(settings, "--quiet", "--fixtures", str(BENCH), "--fixtures", str(USERS))
    assert result.returncode == 0, result.stderr
    counts = {
        t: await db_conn.fetchval(f'SELECT count(*) FROM "{t}"')
        for t in ("downloads_os", "downloads_releases", "downloads_release_files", "users", "email_addresses")
    }
    assert counts == {
        "downloads_os": 5,
        "downloads_releases": 600,
        "downloads_release_files": 15538,
        "users": 2,
        "email_addresses": 2,
    }
    assert "downloads.releasefile" in result.stdout and "15538" in result.stdout
    # Primary keys are kept (the release tooling assumes Source = 3) and sequences follow them.
    assert await db_conn.fetchval("SELECT slug FROM downloads_os WHERE id=3") == "source"
    assert await db_conn.fetchval("SELECT name FROM downloads_releases WHERE id=509") == "Python 3.12.4"
    latest = await db_conn.fetch("SELECT name FROM downloads_releases WHERE is_latest ORDER BY name")
    assert [r["name"] for r in latest] == ["Python 2.7.18", "Python 3.14.5", "Python install manager 26.2"]
    html = await db_conn.fetchval("SELECT content_html FROM downloads_releases WHERE id=1")
    assert html.startswith("<p><strong>This is a beta preview")
    changes = await db_conn.fetchval("SELECT count(*) FROM changes")
    assert changes == 5 + 600 + 15538 + 2
    next_id = await db_conn.fetchval("SELECT nextval(pg_get_serial_sequence('downloads_releases', 'id'))")
    assert next_id > 600
    # Second run: nothing written, nothing appended to the feed.
    again = _cli(settings, "--quiet", "--fixtures", str(BENCH))
    assert again.returncode == 0
    assert "wrote 0 rows" in again.stdout
    assert await db_conn.fetchval("SELECT count(*) FROM changes") == changes


async def test_bad_rows_are_reported_and_skipped(settings: Any, db_conn: Any, tmp_path: Path) -> None:
    rows = [
        {"model": "downloads.os", "pk": 1, "fields": {"name": "Windows", "slug": "windows"}},
        {"model": "downloads.release", "pk": 7, "fields": {"name": "Python 3.1.0", "version": 9}},
        {
            "model": "downloads.release",
            "pk": 8,
            "fields": {"name": "Python 3.2.0", "version": 3, "is_published": True},
        },
        {
            "model": "downloads.releasefile",
            "pk": 1,
            "fields": {"name": "x", "os": 1, "release": 8, "url": "https://evil.example/x.exe"},
        },
        {
            "model": "downloads.releasefile",
            "pk": 2,
            "fields": {"name": "y", "os": 1, "release": 7, "url": "https://www.python.org/ftp/y.exe"},
        },
        {
            "model": "downloads.releasefile",
            "pk": 3,
            "fields": {"name": "z", "os": 1, "release": 8, "url": "https://www.python.org/ftp/z.exe"},
        },
        {"model": "sitetree.tree", "pk": 1, "fields": {}},
    ]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(rows))
    dry = _cli(settings, "--quiet", "--dry-run", "--fixtures", str(path))
    assert dry.returncode == 1 and "would write 3 rows" in dry.stdout
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_os") == 0
    result = _cli(settings, "--quiet", "--fixtures", str(path))
    assert result.returncode == 1
    assert "FAILED downloads.release pk=7: version 9 is not one of 1, 2, 3, 100" in result.stderr
    assert "FAILED downloads.releasefile pk=1" in result.stderr
    assert "FAILED downloads.releasefile pk=2: release 7 does not exist" in result.stderr
    assert "sitetree.tree" in result.stdout  # reported as having no importer
    assert "Traceback" not in result.stderr
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_release_files") == 1
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_releases") == 1


async def test_legacy_credentials_and_hashes_carry_over(client: Any, sessionmaker: Any) -> None:
    objects = [
        {
            "model": "users.user",
            "pk": 10,
            "fields": {
                "username": "Release-Manager",
                "email": "rm@python.org",
                "is_staff": True,
                "is_active": True,
                "password": "pbkdf2_sha256$260000$Jq1XgGzqKQ0pWk3ZbTqP2a$sJSt1NSeo0M/Yx7rFt1e6YrJ7FGfLnAz47fZzij4hSo=",
            },
        },
        {
            "model": "account.emailaddress",
            "pk": 10,
            "fields": {
                "user": ["release-manager"],
                "email": "rm@python.org",
                "verified": True,
                "primary": True,
            },
        },
        {"model": "tastypie.apikey", "pk": 3, "fields": {"user": 10, "key": "0123456789abcdef" * 2}},
        {
            "model": "authtoken.token",
            "pk": "f" * 40,
            "fields": {"user": ["Release-Manager"], "key": "f" * 40},
        },
    ]
    async with transaction(sessionmaker) as s:
        report, _ = await importer.run(s, objects)
    assert report.ok, report.failures
    r = await client.get(
        "/api/v3/users/me", headers={"Authorization": f"ApiKey Release-Manager:{'0123456789abcdef' * 2}"}
    )
    assert r.status_code == 200 and r.json()["is_staff"] is True
    r = await client.get("/api/v3/users/me", headers={"Authorization": f"Token {'f' * 40}"})
    assert r.status_code == 200
    r = await client.post(
        "/api/v3/auth/login", json={"login": "rm@python.org", "password": "release-manager-pw"}
    )
    assert r.status_code == 200, r.text
