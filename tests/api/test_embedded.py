"""Tests for the embedded PostgreSQL/Redis development servers."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
import redis

from pydotorg.dev import embedded


@pytest.fixture
def state_dir() -> Iterator[Path]:
    # Short path under /tmp: the PostgreSQL unix socket lives inside it.
    path = Path(tempfile.mkdtemp(prefix="pdo-", dir="/tmp"))
    try:
        yield path
    finally:
        embedded.down(path)
        shutil.rmtree(path, ignore_errors=True)


def _select_one(database_url: str) -> int:
    async def query() -> int:
        conn = await asyncpg.connect(database_url.replace("+asyncpg", "", 1))
        try:
            value: int = await conn.fetchval("SELECT 1")
        finally:
            await conn.close()
        return value

    return asyncio.run(query())


def _redis_ping(redis_url: str) -> bool:
    client = redis.Redis.from_url(redis_url)
    try:
        return bool(client.ping())
    finally:
        client.close()


def _refuses(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return False
    except OSError:
        return True


def test_up_reuse_down(state_dir: Path) -> None:
    try:
        services = embedded.up(state_dir)
        assert services.database_url.startswith("postgresql+asyncpg://postgres@127.0.0.1:")
        assert services.database_url.endswith("/pydotorg")
        assert services.redis_url == f"redis://127.0.0.1:{services.redis_port}/0"
        assert services.state_dir == state_dir
        assert (state_dir / "postgres" / "data" / "PG_VERSION").exists()
        assert (state_dir / "services.json").exists()

        assert _select_one(services.database_url) == 1
        assert _redis_ping(services.redis_url)

        again = embedded.up(state_dir)
        assert again == services
        assert embedded.status(state_dir) == services

        embedded.create_database(services, "second_db")
        embedded.create_database(services, "second_db")  # idempotent
        second_url = services.database_url.rsplit("/", 1)[0] + "/second_db"
        assert _select_one(second_url) == 1

        assert embedded.down(state_dir) is True
        assert _refuses(services.postgres_port)
        assert _refuses(services.redis_port)
        assert embedded.status(state_dir) is None
        assert not (state_dir / "services.json").exists()
        assert embedded.down(state_dir) is False

        # The data directory is reused on the next start.
        restarted = embedded.up(state_dir)
        assert _select_one(restarted.database_url) == 1
    finally:
        embedded.down(state_dir)


def test_servers_outlive_starting_process(state_dir: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from pydotorg.dev.embedded import up; "
        "s = up(Path(sys.argv[1])); print(s.postgres_port, s.redis_port)"
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", code, str(state_dir)],
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        )
        postgres_port, redis_port = map(int, result.stdout.split())

        services = embedded.status(state_dir)
        assert services is not None
        assert (services.postgres_port, services.redis_port) == (postgres_port, redis_port)
        assert _select_one(services.database_url) == 1
        assert _redis_ping(services.redis_url)
        assert embedded.up(state_dir) == services
    finally:
        embedded.down(state_dir)
    assert embedded.status(state_dir) is None


def test_concurrent_up_shares_servers(state_dir: Path) -> None:
    results: list[embedded.EmbeddedServices] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            results.append(embedded.up(state_dir))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        assert not errors
        assert len(results) == 3
        assert results[0] == results[1] == results[2]
        assert _select_one(results[0].database_url) == 1
    finally:
        for thread in threads:
            thread.join(timeout=180)
        stopped = embedded.down(state_dir)
    assert stopped is True
    assert embedded.status(state_dir) is None
