"""A clone of the repository on its own, with nothing beside it (as anyone cloning the public
repository gets it), carries every file ``make run`` needs: its seed, run from the clone's own
code, loads python.org's downloads, boxes, menu and events from the clone's ``data/``, and no
tracked file points outside the checkout."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncpg

REPO = Path(__file__).resolve().parents[2]
# A path out of the checkout: the old shared folder beside it, or one machine's absolute path.
OUTSIDE = re.compile(r"\.\./shared\b|/work/(?:shared|main)\b")


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _clone(into: Path) -> Path:
    clone = into / "pythondotorg"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=120)
    assert not (clone.parent / "shared").exists()
    return clone


def test_no_tracked_file_points_outside_the_checkout(tmp_path: Path) -> None:
    clone = _clone(tmp_path)
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=clone, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    offenders = []
    for name in tracked:
        path = clone / name
        if path.suffix in {".gz", ".png", ".svg", ".ico", ".jpg", ".woff", ".woff2", ".lock"}:
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        offenders += [
            f"{name}:{n}: {line.strip()[:120]}"
            for n, line in enumerate(text.splitlines(), 1)
            if OUTSIDE.search(line) and name != "tests/api/test_self_contained.py"
        ]
    assert not offenders, "\n".join(offenders)


async def test_the_seed_of_a_lone_clone_loads_python_orgs_data(
    servers: tuple[str, str], tmp_path: Path
) -> None:
    clone = _clone(tmp_path)
    admin_url, redis_url = servers
    name = f"pydotorg_clone_{os.getpid()}"
    conn = await asyncpg.connect(_plain(admin_url))
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = f"{admin_url.rsplit('/', 1)[0]}/{name}"
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYDOTORG_")}
        env.update(
            # The clone's own code, not the checkout this test runs from.
            PYTHONPATH=os.pathsep.join([str(clone / "api"), str(clone / "site-builder")]),
            PYDOTORG_DATABASE_URL=url,
            PYDOTORG_REDIS_URL=redis_url,
            PYDOTORG_ENVIRONMENT="test",
            PYDOTORG_SECRET_KEY="clone-secret-key-" + "x" * 40,
            PYDOTORG_STATE_DIR=str(tmp_path / "state"),
            PYDOTORG_LOG_JSON="false",
        )

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, *args], cwd=clone, env=env, capture_output=True, text=True, timeout=300
            )

        where = cli("-c", "import pydotorg; print(pydotorg.__file__)")
        assert Path(where.stdout.strip()).is_relative_to(clone), where
        migrated = cli("-m", "pydotorg.cli", "migrate")
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        seeded = cli("-m", "pydotorg.cli", "seed", "--demo")
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        assert "no python.org data" not in seeded.stdout
        assert f"downloads from {clone / 'data' / 'bench' / 'downloads.json.gz'}" in seeded.stdout, (
            seeded.stdout
        )
        conn = await asyncpg.connect(_plain(url))
        try:
            counts: dict[str, Any] = {
                table: await conn.fetchval(f"SELECT count(*) FROM {table}")
                for table in (
                    "downloads_releases",
                    "downloads_release_files",
                    "boxes",
                    "nav_items",
                    "events",
                    "pages",
                )
            }
        finally:
            await conn.close()
        assert counts["downloads_releases"] == 600 and counts["downloads_release_files"] == 15538, counts
        assert all(counts.values()), counts
    finally:
        conn = await asyncpg.connect(_plain(admin_url))
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()
