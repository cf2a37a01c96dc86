"""Alembic environment (async, asyncpg). The URL comes from PYDOTORG_DATABASE_URL via Settings,
or from ``config.attributes["connection"]`` when called programmatically (tests, ``migrate``)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from pydotorg.models import metadata
from pydotorg.settings import Settings

config = context.config
target_metadata = metadata

LOCK_TIMEOUT = "10s"
STATEMENT_TIMEOUT = "10min"


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=False,
        transaction_per_migration=True,
    )


def do_run_migrations(connection: Connection) -> None:
    connection.exec_driver_sql(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
    connection.exec_driver_sql(f"SET statement_timeout = '{STATEMENT_TIMEOUT}'")
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
        await connection.commit()
    await engine.dispose()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
    else:
        asyncio.run(run_async_migrations())
