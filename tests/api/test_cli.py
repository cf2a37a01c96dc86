"""The real ``pydotorg`` command, run as a subprocess against the test database: accounts and
API keys it creates work over HTTP; failures are one line on stderr with no traceback."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest

from pydotorg.cli import main as cli_main
from pydotorg.core import passwords

RM_PASSWORD = "release-manager-pw"


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli_env(settings: Any, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYDOTORG_")}
    env.update(
        PYDOTORG_DATABASE_URL=settings.database_url,
        PYDOTORG_REDIS_URL=settings.redis_url,
        PYDOTORG_ENVIRONMENT="test",
        PYDOTORG_SECRET_KEY=settings.secret_key,
        PYDOTORG_STATE_DIR=str(tmp_path / "state"),
        PYDOTORG_LOG_JSON="false",
    )
    return env


async def _run(env: dict[str, str], *args: str) -> Result:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pydotorg.cli",
        *args,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return Result(proc.returncode, out.decode(), err.decode())


def _one_line_failure(result: Result, code: int = 1) -> str:
    assert result.returncode == code, result
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines
    return lines[0]


async def _create_rm(env: dict[str, str], *extra: str) -> Result:
    return await _run(
        env,
        "users",
        "create",
        "--username",
        "rm",
        "--email",
        "rm@example.org",
        "--password",
        RM_PASSWORD,
        *extra,
    )


async def test_users_create(cli_env: dict[str, str], db_conn: Any, client: Any) -> None:
    result = await _create_rm(cli_env, "--superuser")
    assert result.returncode == 0, result
    row = await db_conn.fetchrow("SELECT * FROM users WHERE username='rm'")
    assert row is not None
    assert result.stdout.strip() == f"created user rm (id {row['id']})"
    assert row["email"] == "rm@example.org"
    assert row["is_superuser"] is True and row["is_staff"] is True and row["is_active"] is True
    assert row["password"].startswith("$argon2id$")
    assert RM_PASSWORD not in row["password"]
    assert passwords.verify_password(row["password"], RM_PASSWORD)
    address = await db_conn.fetchrow(
        'SELECT email, verified, "primary" FROM email_addresses WHERE user_id=$1', row["id"]
    )
    assert tuple(address) == ("rm@example.org", True, True)

    # The account logs in over HTTP straight away (its address counts as verified).
    r = await client.post("/api/v3/auth/login", json={"login": "rm", "password": RM_PASSWORD})
    assert r.status_code == 200, r.text
    assert r.json()["user"]["is_superuser"] is True


async def test_users_create_plain_and_staff(cli_env: dict[str, str], db_conn: Any) -> None:
    plain, staff = await asyncio.gather(
        _run(cli_env, "users", "create", "--username", "plain", "--email", "p@example.org",
             "--password", RM_PASSWORD),
        _run(cli_env, "users", "create", "--username", "staff", "--email", "s@example.org",
             "--password", RM_PASSWORD, "--staff"),
    )  # fmt: skip
    assert plain.returncode == 0 and staff.returncode == 0, (plain, staff)
    rows = await db_conn.fetch("SELECT username, is_staff, is_superuser FROM users ORDER BY 1")
    assert [tuple(r) for r in rows] == [("plain", False, False), ("staff", True, False)]


async def test_duplicate_user_fails_with_one_line(cli_env: dict[str, str], db_conn: Any) -> None:
    assert (await _create_rm(cli_env)).returncode == 0
    before = await db_conn.fetchval("SELECT count(*) FROM users")

    same, other_case, same_email = await asyncio.gather(
        _create_rm(cli_env),
        # Case-insensitively, as python.org's natural key.
        _run(cli_env, "users", "create", "--username", "RM", "--email", "other@example.org",
             "--password", RM_PASSWORD),
        _run(cli_env, "users", "create", "--username", "rm2", "--email", "RM@example.org",
             "--password", RM_PASSWORD),
    )  # fmt: skip
    taken = "Error: A user with that username already exists."
    assert _one_line_failure(same) == taken
    assert _one_line_failure(other_case) == taken
    assert _one_line_failure(same_email) == ("Error: A user is already registered with this e-mail address.")
    assert await db_conn.fetchval("SELECT count(*) FROM users") == before == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--username", "bad name", "--email", "x@example.org", "--password", RM_PASSWORD),
         "invalid input"),
        (("--username", "x", "--email", "not-an-address", "--password", RM_PASSWORD),
         "invalid input"),
        (("--username", "x", "--email", "x@example.org", "--password", "short"), "invalid input"),
    ],
)  # fmt: skip
async def test_invalid_input_fails_with_one_line(
    cli_env: dict[str, str], db_conn: Any, args: tuple[str, ...], message: str
) -> None:
    line = _one_line_failure(await _run(cli_env, "users", "create", *args))
    assert message in line
    assert await db_conn.fetchval("SELECT count(*) FROM users") == 0


async def test_api_key_authenticates_over_http(cli_env: dict[str, str], db_conn: Any, client: Any) -> None:
    assert (await _create_rm(cli_env, "--superuser")).returncode == 0
    result = await _run(cli_env, "users", "api-key", "rm")
    assert result.returncode == 0, result
    key = result.stdout.strip()
    assert len(result.stdout.strip().splitlines()) == 1
    assert key.startswith("pdo_")

    row = await db_conn.fetchrow("SELECT * FROM api_keys")
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert row["name"] == "cli" and row["origin"] == "personal" and row["revoked_at"] is None
    assert row["user_id"] == await db_conn.fetchval("SELECT id FROM users WHERE username='rm'")

    r = await client.get("/api/v3/users/me", headers={"Authorization": f"ApiKey rm:{key}"})
    assert r.status_code == 200, r.text
    assert r.json()["username"] == "rm"
    assert r.json()["is_superuser"] is True
    for header in (f"Bearer {key}", f"Token {key}"):
        r = await client.get("/api/v3/users/me", headers={"Authorization": header})
        assert r.status_code == 200, (header, r.text)
    r = await client.get("/api/v3/users/me", headers={"Authorization": f"ApiKey other:{key}"})
    assert r.status_code == 401

    # A second key with its own label; the first keeps working.
    result = await _run(cli_env, "users", "api-key", "RM", "--name", "release tooling")
    assert result.returncode == 0, result
    second = result.stdout.strip()
    assert second != key
    names = await db_conn.fetch("SELECT name FROM api_keys ORDER BY id")
    assert [r["name"] for r in names] == ["cli", "release tooling"]
    for k in (key, second):
        r = await client.get("/api/v3/users/me", headers={"Authorization": f"ApiKey rm:{k}"})
        assert r.status_code == 200, r.text


async def test_api_key_for_unknown_user_fails(cli_env: dict[str, str], db_conn: Any) -> None:
    line = _one_line_failure(await _run(cli_env, "users", "api-key", "nobody"))
    assert line == "Error: no user named 'nobody'"
    assert await db_conn.fetchval("SELECT count(*) FROM api_keys") == 0


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            paths.extend(_command_paths(command, (*prefix, name)))
        else:
            paths.append((*prefix, name))
    return paths


async def test_help_for_every_command_and_group(cli_env: dict[str, str]) -> None:
    paths = _command_paths(cli_main)
    expected = {
        (),
        ("dev",),
        ("dev", "up"),
        ("dev", "down"),
        ("dev", "env"),
        ("dev", "run"),
        ("migrate",),
        ("serve",),
        ("worker",),
        ("users",),
        ("users", "create"),
        ("users", "api-key"),
        ("seed",),
        ("openapi",),
    }
    assert expected <= set(paths), sorted(expected - set(paths))
    results = await asyncio.gather(*(_run(cli_env, *p, "--help") for p in paths))
    for path, result in zip(paths, results, strict=True):
        assert result.returncode == 0, (path, result)
        assert result.stdout.startswith("Usage: "), (path, result.stdout)
        assert " ".join(path) in result.stdout.splitlines()[0], (path, result.stdout)
        assert result.stderr == "", (path, result.stderr)
        command = cli_main
        for part in path:
            assert isinstance(command, click.Group)
            command = command.commands[part]
        summary = " ".join((command.help or "").strip().splitlines()[0].split())
        assert summary and summary in " ".join(result.stdout.split()), (path, result.stdout)
    short = await _run(cli_env, "users", "create", "-h")
    assert short.returncode == 0 and "--superuser" in short.stdout


async def test_unknown_command_and_missing_option(cli_env: dict[str, str]) -> None:
    result = await _run(cli_env, "frobnicate")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "No such command 'frobnicate'" in result.stderr
    result = await _run(cli_env, "users", "create", "--username", "x")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Missing option '--email'" in result.stderr


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_migrate_against_a_dead_database_fails_with_one_line(
    cli_env: dict[str, str],
) -> None:
    port = _free_port()
    env = {**cli_env, "PYDOTORG_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:{port}/x"}
    result = await _run(env, "migrate")
    line = _one_line_failure(result)
    assert str(port) in line or "refused" in line.lower(), line
    assert result.stdout == ""


async def test_migrate_is_idempotent_on_the_test_database(cli_env: dict[str, str]) -> None:
    result = await _run(cli_env, "migrate")
    assert result.returncode == 0, result
    assert result.stdout.strip().splitlines()[-1] == "database is at the latest migration"
    assert "Traceback" not in result.stderr


async def test_production_without_secret_key_fails_with_one_line(
    cli_env: dict[str, str], db_conn: Any
) -> None:
    env = {**cli_env, "PYDOTORG_ENVIRONMENT": "production"}
    del env["PYDOTORG_SECRET_KEY"]
    result = await _run(env, "users", "api-key", "rm")
    assert "PYDOTORG_SECRET_KEY" in _one_line_failure(result)


async def test_search_reindex_fills_the_index_and_sets_the_cursor(
    cli_env: dict[str, str], db_conn: Any, client: Any, sessionmaker: Any
) -> None:
    from pydotorg.core.db import transaction
    from pydotorg.domains.pages.models import Page

    async with transaction(sessionmaker) as s:
        for n in range(3):
            s.add(Page(title=f"Reindexed page {n}", path=f"reindexed/{n}", content_html="<p>Walrus.</p>"))
    result = await _run(cli_env, "search", "reindex")
    assert result.returncode == 0, result
    assert "Indexing 3 documents (postgres)" in result.stdout and "Indexed 3 documents." in result.stdout
    rows = await db_conn.fetch("SELECT id, title, url FROM search_documents ORDER BY url")
    assert [(r["title"], r["url"]) for r in rows] == [
        (f"Reindexed page {n}", f"/reindexed/{n}/") for n in range(3)
    ]
    head = await db_conn.fetchval("SELECT coalesce(max(cursor), 0) FROM changes")
    assert await db_conn.fetchval("SELECT cursor FROM search_cursors WHERE engine = 'postgres'") == head
    r = await client.get("/api/v3/search", params={"q": "walrus"})
    assert r.json()["total"] == 3


async def test_search_reindex_against_an_unreachable_meilisearch_is_one_line(cli_env: dict[str, str]) -> None:
    env = {
        **cli_env,
        "PYDOTORG_SEARCH_ENGINE": "meilisearch",
        "PYDOTORG_MEILISEARCH_URL": "http://127.0.0.1:9",
    }
    line = _one_line_failure(await _run(env, "search", "reindex"))
    assert "unavailable" in line or "unreachable" in line, line
