"""Run Alembic from code (``pydotorg migrate``, ``make run``, the test session)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

REPO_ROOT = Path(__file__).resolve().parents[3]
MIGRATIONS = REPO_ROOT / "migrations"


def alembic_config(url: str = "") -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:

            def run(sync_conn: Connection) -> None:
                config = alembic_config(url)
                config.attributes["connection"] = sync_conn
                command.upgrade(config, revision)

            await conn.run_sync(run)
    finally:
        await engine.dispose()
