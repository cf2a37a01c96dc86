"""``pydotorg import-django --database-url``: a database with python.org's Django table layout,
filled with every shared python.org file plus rows for the models those files lack (users with
real pbkdf2 hashes for known passwords among them), imports through the command line; the
counts are the expected ones, a bad row is reported and skipped, the old password logs in (and
is re-hashed), ``--verify`` agrees, and a second run writes nothing."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from pydotorg.django_import.django_db import create_django_database, drop_django_database, load_objects
from pydotorg.django_import.source import asyncpg_dsn
from tests.helpers import run_import_django
from tests.migration.test_django_source import HAND_WRITTEN, _input_objects

PASSWORD = "correct horse battery staple"


def django_pbkdf2(password: str, salt: str, iterations: int = 260_000) -> str:
    """What Django's PBKDF2PasswordHasher stores for ``password``."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode()}"


EXTRA: list[dict[str, Any]] = [
    {
        "model": "users.user",
        "pk": 30,
        "fields": {
            "username": "release-manager",
            "email": "rm@python.org",
            "password": django_pbkdf2(PASSWORD, "Jq1XgGzqKQ0p"),
            "is_staff": True,
            "groups": [1],
            "user_permissions": [
                ["add_release", "downloads", "release"],
                ["add_sponsor", "sponsors", "sponsor"],
            ],
        },
    },
    {
        "model": "account.emailaddress",
        "pk": 30,
        "fields": {"user": 30, "email": "rm@python.org", "verified": True},
    },
    # Deliberately bad: python.org never had release version 9.
    {
        "model": "downloads.release",
        "pk": 9000,
        "fields": {"name": "Python 9.0.0", "slug": "python-900", "version": 9},
    },
]


_cli = run_import_django


@pytest.fixture(scope="module")
async def django_url(servers: tuple[str, str]) -> AsyncIterator[str]:
    admin_url, _ = servers
    name = f"django_import_{os.getpid()}"
    url = await create_django_database(admin_url, name)
    try:
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            await load_objects(conn, _input_objects() + EXTRA)
        finally:
            await conn.close()
        yield url
    finally:
        await drop_django_database(admin_url, name)


def _row(stdout: str, label: str) -> list[str]:
    return next(line.split() for line in stdout.splitlines() if line.split()[:1] == [label])


async def test_import_from_the_django_database(
    django_url: str, settings: Any, db_conn: Any, client: Any
) -> None:
    result = _cli(settings, "--database-url", django_url)
    # The one deliberately bad release and python.org's nullable-post video are reported and
    # skipped; everything else imports, so the exit status is 1 and the rows are there.
    assert result.returncode == 1, result.stdout + result.stderr
    failed = sorted(line for line in result.stderr.splitlines() if line.startswith("FAILED"))
    assert failed == [
        "FAILED community.video pk=1: " + failed[0].split(": ", 1)[1],
        "FAILED downloads.release pk=9000: version 9 is not one of 1, 2, 3, 100",
    ]
    assert "read    downloads.releasefile" in result.stderr  # a progress bar per model and phase
    assert "import  downloads.releasefile" in result.stderr
    assert "not mapped: permission sponsors.add_sponsor (1x)" in result.stdout
    expected = {
        "boxes": 63 + sum(o["model"] == "boxes.box" for o in HAND_WRITTEN),
        "nav_items": 115 + sum(o["model"] == "sitetree.treeitem" for o in HAND_WRITTEN),
        "downloads_releases": 600,
        "downloads_release_files": 15538,
        "redirects": 2,
        "feature_flags": 2 + sum(o["model"] == "waffle.flag" for o in HAND_WRITTEN),
        # sponsors: each polymorphic parent + child pair read from the two tables is one row.
        "benefit_feature_configurations": 78,
        "benefit_features": 38,
        "sponsor_assets": 21,
        "sponsorship_benefits": 47 + sum(o["model"] == "sponsors.sponsorshipbenefit" for o in HAND_WRITTEN),
        "sponsorship_benefit_conflicts": 2,
        "sponsorship_contracts": 1,
        "sponsor_email_templates": 1,
    }
    counts = {table: await db_conn.fetchval(f'SELECT count(*) FROM "{table}"') for table in expected}
    assert counts == expected
    assert _row(result.stdout, "downloads.releasefile")[1:4] == ["15538", "15538", "0"]
    # Groups and permissions became named permissions; keys and tokens still authenticate.
    assert {
        r["permission"]
        for r in await db_conn.fetch("SELECT permission FROM user_permissions WHERE user_id=30")
    } == {"downloads.add_release"}
    assert await db_conn.fetchval("SELECT count(*) FROM user_groups WHERE user_id=30") == 1
    token = "0123456789abcdef0123456789abcdef01234567"
    r = await client.get("/api/v3/users/me", headers={"Authorization": f"Token {token}"})
    assert r.status_code == 200 and r.json()["username"] == "barry"
    # The Django password logs in, and the stored hash is upgraded to ours.
    r = await client.post("/api/v3/auth/login", json={"login": "rm@python.org", "password": PASSWORD})
    assert r.status_code == 200, r.text
    stored = await db_conn.fetchval("SELECT password FROM users WHERE id=30")
    assert not stored.startswith("pbkdf2_sha256$")
    r = await client.post("/api/v3/auth/login", json={"login": "rm@python.org", "password": "wrong"})
    assert r.status_code in (400, 401)

    # --verify agrees for every model the import wrote (the re-hashed password aside).
    check = _cli(settings, "--quiet", "--verify", "--database-url", django_url)
    lines = {line.split()[0]: line for line in check.stdout.splitlines()[1:] if not line.startswith(" ")}
    mismatched = sorted(label for label, line in lines.items() if not line.endswith("ok"))
    assert mismatched == ["users.user"], check.stdout
    assert _row(check.stdout, "users.user")[3] == "1"  # exactly the re-hashed one
    assert _row(check.stdout, "downloads.releasefile")[1:4] == ["15538", "15538", "0"]
    assert _row(check.stdout, "sponsors.tieredbenefitconfiguration")[1:4] == ["46", "46", "0"]

    # Second run: nothing written except the password the login upgraded (the source still has
    # the Django hash, which is the one the import keeps).
    changes = await db_conn.fetchval("SELECT count(*) FROM changes")
    again = _cli(settings, "--quiet", "--database-url", django_url)
    assert again.returncode == 1
    assert "wrote 1 of" in again.stdout and _row(again.stdout, "users.user")[2] == "1"
    again = _cli(settings, "--quiet", "--database-url", django_url)
    assert "wrote 0 of" in again.stdout
    assert await db_conn.fetchval("SELECT count(*) FROM changes") == changes + 1
