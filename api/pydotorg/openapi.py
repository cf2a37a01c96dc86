"""The committed OpenAPI document, generated from the app with placeholder connection URLs
(building the schema needs no database)."""

from __future__ import annotations

import json

from pydotorg.app import create_app
from pydotorg.settings import Settings

_OFFLINE = Settings(
    environment="test",
    secret_key="x" * 48,
    database_url="postgresql+asyncpg://openapi@127.0.0.1:1/openapi",
    redis_url="redis://127.0.0.1:1/0",
)


def render_openapi() -> str:
    app = create_app(_OFFLINE, configure_logs=False)
    schema = app.openapi_schema.to_schema()
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
