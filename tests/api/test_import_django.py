"""``pydotorg import-django --fixtures``: the shared python.org data imports with the expected
counts, a second run changes nothing, bad rows are reported and skipped, credentials carry over."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydotorg.core.db import transaction
from pydotorg.dev.paths import BENCH_DOWNLOADS, PYTHON_ORG_DATA, python_org_dumps
from pydotorg.django_import import importer
from tests.helpers import run_import_django

BENCH = BENCH_DOWNLOADS
USERS = PYTHON_ORG_DATA / "users.json"


_cli = run_import_django


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
    assert "wrote 0 of 16143 rows" in again.stdout
    assert await db_conn.fetchval("SELECT count(*) FROM changes") == changes
    # --verify: counts and a checksum over every imported column agree, and it shows progress
    # (one line per model when stderr is not a terminal).
    check = _cli(settings, "--verify", "--fixtures", str(BENCH), "--fixtures", str(USERS))
    assert check.returncode == 0, check.stdout + check.stderr
    line = next(x for x in check.stdout.splitlines() if x.startswith("downloads.releasefile"))
    assert line.split()[1:4] == ["15538", "15538", "0"] and line.endswith("ok")
    assert "verify  downloads.releasefile" in check.stderr and "15538/15538" in check.stderr
    # A row changed on our side (or missing) is found, named, and fails the check.
    await db_conn.execute(
        "UPDATE downloads_release_files SET md5_sum='0' WHERE id=(SELECT max(id) FROM downloads_release_files)"
    )
    await db_conn.execute("DELETE FROM downloads_releases WHERE id=1")
    check = _cli(settings, "--quiet", "--verify", "--fixtures", str(BENCH))
    assert check.returncode == 1
    assert "MISMATCH" in check.stdout and "md5_sum" in check.stdout
    releases = next(x for x in check.stdout.splitlines() if x.startswith("downloads.release "))
    assert releases.split()[1:3] == ["600", "599"]
    files = next(x for x in check.stdout.splitlines() if x.startswith("downloads.releasefile"))
    assert files.split()[1:4] == ["15538", "15526", "1"]  # release 1's 12 files went with it
    assert "2 model(s) differ: downloads.release, downloads.releasefile" in check.stderr


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
    assert dry.returncode == 1 and "would write 3 of 7 rows" in dry.stdout
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
            "fields": {"user": ["Release-Manager"]},  # as dumpdata writes it: the key is the pk
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


async def test_groups_and_permissions_map_to_named_permissions(
    client: Any, sessionmaker: Any, db_conn: Any
) -> None:
    """Django groups and permissions (natural keys [codename, app_label, model]) become our
    named permissions; ones we have no name for are reported, not granted, and do not fail."""
    objects = [
        {
            "model": "auth.group",
            "pk": 4,
            "fields": {
                "name": "Job Board Admin",
                "permissions": [
                    ["change_job", "jobs", "job"],
                    ["delete_jobreviewcomment", "jobs", "jobreviewcomment"],
                    ["add_sponsor", "sponsors", "sponsor"],
                ],
            },
        },
        {"model": "auth.group", "pk": 5, "fields": {"name": "Editors", "permissions": []}},
        {
            "model": "users.user",
            "pk": 20,
            "fields": {
                "username": "moderator",
                "email": "mod@python.org",
                "password": "!",
                "groups": [4, ["Editors"]],
                "user_permissions": [
                    ["add_release", "downloads", "release"],
                    ["change_tree", "sitetree", "tree"],
                ],
            },
        },
    ]
    async with transaction(sessionmaker) as s:
        report, _ = await importer.run(s, objects)
    assert report.ok, report.failures
    assert dict(report.unmapped) == {"permission sponsors.add_sponsor": 1}
    assert {
        r["permission"]
        for r in await db_conn.fetch("SELECT permission FROM group_permissions WHERE group_id=4")
    } == {"jobs.moderate"}
    assert {
        r["group_id"] for r in await db_conn.fetch("SELECT group_id FROM user_groups WHERE user_id=20")
    } == {
        4,
        5,
    }
    assert {r["permission"] for r in await db_conn.fetch("SELECT permission FROM user_permissions")} == {
        "downloads.add_release",
        "navigation.change_menu",
    }
    # A second run changes nothing; removing a group in the source removes the link.
    async with transaction(sessionmaker) as s:
        report, _ = await importer.run(s, objects)
    assert sum(report.written.values()) == 0
    objects[2]["fields"]["groups"] = [4]
    async with transaction(sessionmaker) as s:
        report, _ = await importer.run(s, objects)
    assert report.written["users.user"] == 1
    assert await db_conn.fetchval("SELECT count(*) FROM user_groups WHERE user_id=20") == 1
    # An unknown group is reported (model, pk, reason); the user row itself is kept.
    objects[2]["fields"]["groups"] = [99]
    async with transaction(sessionmaker) as s:
        report, _ = await importer.run(s, objects)
    assert [(f.label, f.pk) for f in report.failures] == [("users.user", 20)]
    assert "group 99 does not exist" in report.failures[0].reason
    assert await db_conn.fetchval("SELECT username FROM users WHERE id=20") == "moderator"


async def test_every_shared_file_imports_with_the_expected_counts(settings: Any, db_conn: Any) -> None:
    """All of python.org's dumps in data/pythondotorg/ and the downloads fixture in one run: the counts
    per model and the rows in our tables. The two sponsors dumps repeat the 2022 configuration
    (sponsors-admin.json, then sponsors.json in file order): each row counts once, the last
    file's version kept; every label has an importer."""
    files = [*python_org_dumps(), BENCH]
    result = _cli(settings, "--quiet", *(arg for path in files for arg in ("--fixtures", str(path))))
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {
        line.split()[0]: line.split()[1:]
        for line in result.stdout.splitlines()[1:]
        if line and not line.startswith(("wrote", "not mapped"))
    }
    expected = {
        "boxes.box": 63,
        "sitetree.tree": 1,
        "sitetree.treeitem": 115,
        "events.calendar": 1,
        "events.event": 3,
        "events.occurringrule": 3,
        "events.recurringrule": 1,
        "waffle.flag": 2,
        "users.user": 2,
        "account.emailaddress": 2,
        "downloads.os": 5,
        "downloads.release": 600,
        "downloads.releasefile": 15538,
        "sponsors.sponsorshippackage": 11,
        "sponsors.benefitfeatureconfiguration": 78,
        "sponsors.tieredbenefitconfiguration": 46,
        "sponsors.sponsor": 1,
        "sponsors.sponsorship": 1,
        "sponsors.benefitfeature": 38,
        "sponsors.logoplacement": 6,
        "sponsors.genericasset": 21,
        "sponsors.imgasset": 1,
    }
    for label, count in expected.items():
        assert rows[label][:3] == [str(count), str(count), "0"], (label, rows[label])
    assert not [line for line in result.stdout.splitlines() if "no importer" in line]
    tables = {
        "boxes": 63,
        "nav_items": 115,
        "events": 3,
        "feature_flags": 2,
        "users": 2,
        "downloads_releases": 600,
        "downloads_release_files": 15538,
        "benefit_feature_configurations": 78,
        "benefit_features": 38,
        "sponsor_assets": 21,
    }
    for table, count in tables.items():
        assert await db_conn.fetchval(f'SELECT count(*) FROM "{table}"') == count, table
    assert await db_conn.fetchval(
        "SELECT everyone FROM feature_flags WHERE name='sponsorship-applications-open'"
    )


async def test_an_unreadable_source_database_is_a_one_line_error(settings: Any) -> None:
    missing = settings.database_url.rsplit("/", 1)[0] + "/no_such_django_db"
    result = _cli(settings, "--quiet", "--database-url", missing)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (
        'cannot read the Django database: InvalidCatalogNameError: database "no_such_django_db"'
        in result.stderr
    )
    both = _cli(settings, "--database-url", missing, "--fixtures", str(USERS))
    assert both.returncode != 0 and "either --fixtures FILE… or --database-url URL" in both.stderr
