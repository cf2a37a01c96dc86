"""The committed artefacts match the code: migrations vs models, openapi.json vs the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from pydotorg.models import metadata
from pydotorg.openapi import render_openapi

REPO = Path(__file__).resolve().parents[2]


async def test_migrations_match_models(test_database: str) -> None:
    """The test database was built by running the migrations; the models must agree with it."""
    engine = create_async_engine(test_database)
    try:
        async with engine.connect() as conn:

            def diff(sync_conn: Any) -> list[Any]:
                ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True})
                return list(compare_metadata(ctx, metadata))

            differences = await conn.run_sync(diff)
    finally:
        await engine.dispose()
    assert differences == [], f"models and migrations disagree: {differences}"


def test_committed_openapi_is_current() -> None:
    committed = (REPO / "openapi" / "openapi.json").read_text()
    assert committed == render_openapi(), "openapi/openapi.json is stale: run `make openapi`"
