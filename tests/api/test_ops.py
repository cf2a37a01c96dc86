"""Operations: health, readiness, metrics, request ids, security headers, OpenAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from pydotorg.app import create_app
from pydotorg.settings import Settings, SettingsError


async def test_health_and_ready(client: Any) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    r = await client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


async def test_ready_is_503_without_database(settings: Settings, mailer: Any) -> None:
    broken = msgspec.structs.replace(settings, database_url="postgresql+asyncpg://postgres@127.0.0.1:9/none")
    app = create_app(broken, mailer=mailer, configure_logs=False)
    async with AsyncTestClient(app=app) as c:
        r = await c.get("/readyz")
        assert r.status_code == 503
        assert r.json()["checks"]["database"].startswith("error")
        assert (await c.get("/healthz")).status_code == 200


async def test_metrics_count_requests_by_route(client: Any, actors: Any) -> None:
    for _ in range(3):
        await client.get("/api/v3/users/me", headers=actors["ordinary"].headers)
    r = await client.get("/metrics")
    assert r.status_code == 200
    lines = [
        line
        for line in r.text.splitlines()
        if line.startswith("pydotorg_requests_total")
        and 'method="GET",path="/api/v3/users/me",status_code="200"' in line
    ]
    assert lines and float(lines[0].rsplit(" ", 1)[1]) >= 3
    assert "pydotorg_request_duration_seconds" in r.text


async def test_request_id_and_security_headers(client: Any) -> None:
    r = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in r.headers  # production only
    r = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert r.headers["x-request-id"] != "bad id\twith spaces"
    assert len(r.headers["x-request-id"]) == 32
    r = await client.get("/api/v3/permissions")
    assert r.headers["cache-control"] == "no-store"


@pytest.fixture
async def production_client(settings: Settings, mailer: Any) -> AsyncIterator[Any]:
    prod = msgspec.structs.replace(
        settings,
        environment="production",
        secret_key="p" * 64,
        allowed_origins=("https://www.python.org",),
    )
    app = create_app(prod, mailer=mailer, configure_logs=False)
    async with AsyncTestClient(app=app) as c:
        yield c


async def test_production_headers_and_cors(production_client: Any, actors: Any) -> None:
    r = await production_client.get("/healthz")
    assert r.headers["strict-transport-security"].startswith("max-age=")
    r = await production_client.options(
        "/api/v3/users/me",
        headers={"Origin": "https://www.python.org", "Access-Control-Request-Method": "PATCH"},
    )
    assert r.headers["access-control-allow-origin"] == "https://www.python.org"
    assert r.headers["access-control-allow-credentials"] == "true"
    r = await production_client.options(
        "/api/v3/users/me",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "PATCH"},
    )
    assert r.headers.get("access-control-allow-origin") != "https://evil.example"
    from tests.helpers import PASSWORD

    r = await production_client.post(
        "/api/v3/auth/login",
        json={"login": "ordinary", "password": PASSWORD, "session": "cookie"},
    )
    assert r.status_code == 200
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("pydotorg_session"))
    assert "Secure" in cookie and "HttpOnly" in cookie
    production_client.cookies.clear()


def test_production_refuses_weak_secret() -> None:
    with pytest.raises(SettingsError):
        Settings.from_env({"PYDOTORG_ENVIRONMENT": "production"})
    with pytest.raises(SettingsError):
        Settings.from_env({"PYDOTORG_ENVIRONMENT": "production", "PYDOTORG_SECRET_KEY": "short"})
    ok = Settings.from_env({"PYDOTORG_ENVIRONMENT": "production", "PYDOTORG_SECRET_KEY": "k" * 40})
    assert ok.secret_key == "k" * 40


async def test_openapi_is_served(client: Any) -> None:
    r = await client.get("/api/schema/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v3/auth/login" in paths and "/api/v3/changes" in paths
    operation_ids = [
        op["operationId"]
        for item in paths.values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    ]
    assert len(operation_ids) == len(set(operation_ids))
    assert (await client.get("/api/schema/swagger")).status_code == 200


async def test_metrics_report_queue_jobs(settings: Settings, mailer: Any, actors: Any) -> None:
    idle = msgspec.structs.replace(settings, queue_name="metrics-idle-queue")
    app = create_app(idle, mailer=mailer, configure_logs=False)
    async with AsyncTestClient(app=app) as c:
        r = await c.patch("/api/v3/users/me", json={"first_name": "Q"}, headers=actors["ordinary"].headers)
        assert r.status_code == 200
        text = (await c.get("/metrics")).text
        assert 'pydotorg_queue_jobs{state="queued"} 2.0' in text  # the site rebuild and the search index
        assert "pydotorg_workers 0.0" in text
