"""Legacy credentials: Tastypie ``ApiKey user:key`` on /api/v1/, DRF ``Token key`` on /api/v2/,
and both (plus Bearer) on /api/v3/. The v1/v2 resources arrive with the downloads issue, so the
middleware is exercised here through probe routes mounted under those prefixes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Request, get, post
from litestar.testing import AsyncTestClient

from pydotorg.app import create_app
from pydotorg.core.db import transaction
from pydotorg.core.permissions import principal_of
from pydotorg.domains.users.services import create_api_key


def _who(request: Request[Any, Any, Any]) -> dict[str, Any]:
    p = principal_of(request)
    return {"user": p.username if p else None, "method": p.method if p else None}


@get("/api/v1/probe/", sync_to_thread=False)
def v1_get(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return _who(request)


@post("/api/v1/probe/", sync_to_thread=False)
def v1_post(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return _who(request)


@get("/api/v2/probe/", sync_to_thread=False)
def v2_get(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return _who(request)


@pytest.fixture(scope="module")
async def probe_client(settings: Any, mailer: Any) -> AsyncIterator[Any]:
    app = create_app(
        settings,
        mailer=mailer,
        configure_logs=False,
        extra_route_handlers=[v1_get, v1_post, v2_get],
    )
    async with AsyncTestClient(app=app) as c:
        yield c


@pytest.fixture
async def keyed(actors: Any, sessionmaker: Any) -> dict[str, str]:
    """Legacy keys as the importer stores them: the old Tastypie key and DRF token."""
    await actors.create("former", active=True)
    async with transaction(sessionmaker) as s:
        _, v1 = await create_api_key(
            s, actors["ordinary"].user_id, "tastypie", key="a" * 40, origin="tastypie"
        )
        _, v2 = await create_api_key(s, actors["ordinary"].user_id, "drf", key="b" * 40, origin="drf")
        _, inactive = await create_api_key(s, actors["former"].user_id, "x", key="c" * 40)
    return {"v1": v1, "v2": v2, "inactive": inactive}


async def test_v1_apikey(probe_client: Any, keyed: dict[str, str], db_conn: Any) -> None:
    r = await probe_client.get("/api/v1/probe/")
    assert r.status_code == 200 and r.json() == {"user": None, "method": None}
    ok = {"Authorization": f"ApiKey ordinary:{keyed['v1']}"}
    r = await probe_client.get("/api/v1/probe/", headers=ok)
    assert r.json() == {"user": "ordinary", "method": "tastypie"}
    # The username is matched case-insensitively, like python.org's natural key.
    r = await probe_client.get("/api/v1/probe/", headers={"Authorization": f"ApiKey ORDINARY:{keyed['v1']}"})
    assert r.status_code == 200
    assert await db_conn.fetchval("SELECT last_used IS NOT NULL FROM api_keys WHERE origin='tastypie'")


@pytest.mark.parametrize(
    "header",
    [
        "ApiKey ordinary",  # no colon
        "ApiKey :{key}",  # empty username
        "ApiKey ordinary:",  # empty key
        "ApiKey ordinary:{key}:extra",  # two colons
        "ApiKey nobody:{key}",  # unknown user
        "ApiKey ordinary:wrong",  # wrong key
        "ApiKey root:{key}",  # someone else's key
        "Token {key}",  # not Tastypie's scheme
        "Bearer {key}",
        "ApiKey",
    ],
)
async def test_v1_bad_credentials_are_401_with_empty_body(
    probe_client: Any, keyed: dict[str, str], header: str
) -> None:
    r = await probe_client.get("/api/v1/probe/", headers={"Authorization": header.format(key=keyed["v1"])})
    assert r.status_code == 401
    assert r.content == b""


async def test_v1_inactive_and_legacy_params(probe_client: Any, keyed: dict[str, str], db_conn: Any) -> None:
    await db_conn.execute("UPDATE users SET is_active=false WHERE username='former'")
    r = await probe_client.get(
        "/api/v1/probe/", headers={"Authorization": f"ApiKey former:{keyed['inactive']}"}
    )
    assert r.status_code == 401
    # Credentials the legacy Tastypie way (query string or form body) are refused outright.
    r = await probe_client.get(f"/api/v1/probe/?username=ordinary&api_key={keyed['v1']}")
    assert r.status_code == 401 and r.content == b""
    r = await probe_client.post(
        "/api/v1/probe/",
        content=f"username=ordinary&api_key={keyed['v1']}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 401 and r.content == b""
    # A harmless form body is passed through to the handler unchanged.
    r = await probe_client.post(
        "/api/v1/probe/",
        content="name=x",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"ApiKey ordinary:{keyed['v1']}",
        },
    )
    assert r.status_code == 201 and r.json()["user"] == "ordinary"


async def test_v1_ignores_cookie_sessions(probe_client: Any, actors: Any) -> None:
    from tests.helpers import PASSWORD

    r = await probe_client.post(
        "/api/v3/auth/login", json={"login": "ordinary", "password": PASSWORD, "session": "cookie"}
    )
    assert r.status_code == 200
    assert (await probe_client.get("/api/v3/users/me")).status_code == 200
    r = await probe_client.get("/api/v1/probe/")
    assert r.json() == {"user": None, "method": None}
    r = await probe_client.get("/api/v2/probe/")
    assert r.json() == {"user": None, "method": None}
    probe_client.cookies.clear()


async def test_v2_token(probe_client: Any, keyed: dict[str, str], db_conn: Any) -> None:
    r = await probe_client.get("/api/v2/probe/", headers={"Authorization": f"Token {keyed['v2']}"})
    assert r.json() == {"user": "ordinary", "method": "drf"}
    # DRF ignores other schemes: the caller is anonymous, not refused.
    r = await probe_client.get("/api/v2/probe/", headers={"Authorization": f"Bearer {keyed['v2']}"})
    assert r.status_code == 200 and r.json()["user"] is None
    cases = {
        "Token": "Invalid token header. No credentials provided.",
        "Token a b": "Invalid token header. Token string should not contain spaces.",
        "Token nope": "Invalid token.",
    }
    for header, detail in cases.items():
        r = await probe_client.get("/api/v2/probe/", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r.json() == {"detail": detail}
        assert r.headers["www-authenticate"] == "Token"
    await db_conn.execute("UPDATE users SET is_active=false WHERE username='former'")
    r = await probe_client.get("/api/v2/probe/", headers={"Authorization": f"Token {keyed['inactive']}"})
    assert r.status_code == 401
    assert r.json() == {"detail": "User inactive or deleted."}


async def test_v3_accepts_every_scheme(client: Any, keyed: dict[str, str]) -> None:
    for header in (
        f"ApiKey ordinary:{keyed['v1']}",
        f"Token {keyed['v2']}",
        f"Bearer {keyed['v1']}",
    ):
        r = await client.get("/api/v3/users/me", headers={"Authorization": header})
        assert r.status_code == 200, header
        assert r.json()["username"] == "ordinary"
    for header in (
        "Basic b3JkaW5hcnk6eA==",
        "Bearer",
        "ApiKey ordinary",
        "Token a b",
        "Bearer nope",
    ):
        r = await client.get("/api/v3/users/me", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r.json()["status_code"] == 401
    r = await client.get(f"/api/v3/users/me?api_key={keyed['v1']}")
    assert r.status_code == 401
