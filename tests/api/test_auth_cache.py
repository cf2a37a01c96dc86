"""The authentication cache (core/authcache.py, domains/users/invalidation.py), with the cache on
as the default settings have it.

A credential seen a moment ago is answered without SQL; every change to what it resolves to (a
revoked session or key, a password change, a deactivated or deleted account, staff and superuser
flags, permissions direct or through groups) is seen by the very next request, in this process at
once and in another (a second app) once it reads the generation from Redis; an API key's
``last_used`` is written once a minute, not per request."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar, Request, get
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy import event, select, update

from pydotorg.app import create_app
from pydotorg.core import authcache
from pydotorg.core.authcache import GENERATION_KEY, AuthCache
from pydotorg.core.db import transaction, utcnow
from pydotorg.core.permissions import principal_of
from pydotorg.domains.users.models import AuthSession, Group, GroupPermission, user_groups
from tests.helpers import PASSWORD

ME = "/api/v3/users/me"
WHO = "/api/v3/probe/who"
GROUPS = "/api/v3/groups"  # users.change_group: 403 without it
MANAGE_GROUPS = "users.change_group"


def _who(request: Request[Any, Any, Any]) -> dict[str, Any]:
    p = principal_of(request)
    if p is None:
        return {"user": None}
    return {
        "user": p.username,
        "user_id": p.user_id,
        "method": p.method,
        "is_staff": p.is_staff,
        "is_superuser": p.is_superuser,
        "permissions": sorted(p.permissions),
        "session_id": p.session_id,
    }


@get(WHO, sync_to_thread=False)
def who_v3(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return _who(request)


@get("/api/v1/probe/who/", sync_to_thread=False)
def who_v1(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return _who(request)


@get("/api/v2/probe/who/", sync_to_thread=False)
def who_v2(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return _who(request)


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.value = time.monotonic()

    def __call__(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


async def _app_client(settings: Any, mailer: Any) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = create_app(
        settings, mailer=mailer, configure_logs=False, extra_route_handlers=[who_v3, who_v1, who_v2]
    )
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as c:
        yield c


@pytest.fixture(scope="module")
async def _first(settings: Any, mailer: Any) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async for c in _app_client(settings, mailer):
        yield c


@pytest.fixture(scope="module")
async def _second(settings: Any, mailer: Any) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """Another API process: its own cache, reached only through Redis."""
    async for c in _app_client(settings, mailer):
        yield c


def _reset(client: AsyncTestClient[Litestar]) -> AuthCache:
    client.cookies.clear()
    cache: AuthCache = client.app.state.auth_cache
    cache.clock = time.monotonic
    cache.now = utcnow
    cache.clear()
    return cache


@pytest.fixture
async def first(actors: Any, _first: AsyncTestClient[Litestar]) -> AsyncTestClient[Litestar]:
    _reset(_first)
    return _first


@pytest.fixture
async def second(actors: Any, _second: AsyncTestClient[Litestar]) -> AsyncTestClient[Litestar]:
    _reset(_second)
    return _second


@pytest.fixture
async def redis(settings: Any) -> AsyncIterator[Redis]:
    r = Redis.from_url(settings.redis_url)
    yield r
    await r.aclose()


@contextmanager
def sql(client: AsyncTestClient[Litestar]) -> Iterator[list[str]]:
    """The SQL statements the app sends while the block runs."""
    statements: list[str] = []
    engine = client.app.state.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def who(client: AsyncTestClient[Litestar], headers: dict[str, str], path: str = WHO) -> dict[str, Any]:
    r = await client.get(path, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def warm(client: AsyncTestClient[Litestar], headers: dict[str, str], path: str = WHO) -> dict[str, Any]:
    """Authenticate twice: the second must be answered from the cache (no SQL at all), so a
    later answer that differs proves the entry was dropped. Returns what the second saw."""
    await who(client, headers, path)
    with sql(client) as second_look:
        body = await who(client, headers, path)
    assert second_look == [], second_look
    return body


async def new_key(client: AsyncTestClient[Litestar], token_headers: dict[str, str]) -> dict[str, Any]:
    r = await client.post(f"{ME}/api-keys", json={"name": "tooling"}, headers=token_headers)
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


async def login(client: AsyncTestClient[Litestar], username: str, kind: str = "token") -> dict[str, Any]:
    r = await client.post(
        "/api/v3/auth/login", json={"login": username, "password": PASSWORD, "session": kind}
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- no SQL for a credential seen a moment ago ---------------------------------------------


async def test_repeated_credentials_run_no_sql(first: Any, actors: Any) -> None:
    ordinary = actors["ordinary"]
    key = (await new_key(first, ordinary.headers))["key"]
    forms = {
        "token": (ordinary.headers, "token"),
        "apikey bearer": (bearer(key), "apikey"),
        "apikey tastypie": ({"Authorization": f"ApiKey ordinary:{key}"}, "tastypie"),
        "apikey drf": ({"Authorization": f"Token {key}"}, "drf"),
    }
    for name, (headers, method) in forms.items():
        with sql(first) as statements:
            await who(first, headers)
        assert statements, f"{name}: the first use of a credential looks it up"
        body = await warm(first, headers)
        assert body["user_id"] == ordinary.user_id and body["method"] == method, name
    # The legacy APIs answer their header forms from the same entries.
    for path, headers, method in (
        ("/api/v1/probe/who/", forms["apikey tastypie"][0], "tastypie"),
        ("/api/v2/probe/who/", forms["apikey drf"][0], "drf"),
    ):
        with sql(first) as statements:
            body = await who(first, headers, path)
        assert statements == [] and body["user_id"] == ordinary.user_id and body["method"] == method
    await login(first, "ordinary", "cookie")
    body = await warm(first, {})
    assert body["user_id"] == ordinary.user_id and body["method"] == "cookie"


async def test_a_refused_credential_is_remembered_too(first: Any, actors: Any) -> None:
    with sql(first) as statements:
        for _ in range(3):
            r = await first.get(WHO, headers=bearer("pdo_not-a-key"))
            assert r.status_code == 401 and r.json()["detail"] == "Invalid API key."
    assert len([s for s in statements if "api_keys" in s]) == 1


async def test_the_cache_really_serves_what_it_saw(first: Any, actors: Any, _db_conn: Any) -> None:
    """The control for every invalidation test below: a change the app cannot see (raw SQL on
    another connection) is not seen until something makes the cached answers stale."""
    ordinary = actors["ordinary"]
    assert (await warm(first, ordinary.headers))["is_staff"] is False
    await _db_conn.execute("UPDATE users SET is_staff = true WHERE id = $1", ordinary.user_id)
    assert (await who(first, ordinary.headers))["is_staff"] is False
    authcache.invalidate_local()
    assert (await who(first, ordinary.headers))["is_staff"] is True


async def test_entries_expire_after_the_ttl_and_the_session_end(
    first: Any, actors: Any, settings: Any, sessionmaker: Any
) -> None:
    cache: AuthCache = first.app.state.auth_cache
    clock = Clock()
    cache.clock = clock
    await warm(first, actors["ordinary"].headers)
    clock.advance(settings.auth_cache_seconds - 0.5)
    with sql(first) as statements:
        await who(first, actors["ordinary"].headers)
    assert statements == []
    clock.advance(0.6)
    with sql(first) as statements:
        await who(first, actors["ordinary"].headers)
    assert statements, "an entry older than the ttl is looked up again"

    # A session ending in 2 s is kept 2 s, not the ttl.
    async with transaction(sessionmaker) as s:
        await s.execute(
            update(AuthSession)
            .where(AuthSession.user_id == actors["staffer"].user_id)
            .values(expires=utcnow() + timedelta(seconds=2))
        )
    await warm(first, actors["staffer"].headers)
    clock.advance(2.1)
    with sql(first) as statements:
        await who(first, actors["staffer"].headers)
    assert statements, "an entry is not kept past its session's end"


# --- last_used -------------------------------------------------------------------------------


async def test_last_used_is_written_once_a_minute(first: Any, second: Any, actors: Any, db_conn: Any) -> None:
    ordinary = actors["ordinary"]
    created = await new_key(first, ordinary.headers)
    headers = bearer(created["key"])
    before = utcnow()
    with sql(first) as statements:
        for _ in range(50):
            assert (await who(first, headers))["user_id"] == ordinary.user_id
    updates = [s for s in statements if s.startswith("UPDATE api_keys")]
    assert len(updates) == 1, statements
    stored = await db_conn.fetchval("SELECT last_used FROM api_keys WHERE id = $1", created["id"])
    assert stored is not None and before <= stored <= utcnow()

    # Another process's first use of the key sends its write, which finds the row written less
    # than a minute ago and leaves it.
    with sql(second) as statements:
        await who(second, headers)
    assert len([s for s in statements if s.startswith("UPDATE api_keys")]) == 1
    assert await db_conn.fetchval("SELECT last_used FROM api_keys WHERE id = $1", created["id"]) == stored

    # A minute later (this process's clock), the next use is recorded, once.
    cache: AuthCache = first.app.state.auth_cache
    later = utcnow() + timedelta(seconds=61)
    cache.now = lambda: later
    with sql(first) as statements:
        for _ in range(5):
            await who(first, headers)
    assert len([s for s in statements if s.startswith("UPDATE api_keys")]) == 1
    assert await db_conn.fetchval("SELECT last_used FROM api_keys WHERE id = $1", created["id"]) == later
    r = await first.get(f"{ME}/api-keys", headers=ordinary.headers)
    assert r.json()[0]["last_used"].startswith(later.isoformat()[:19])


# --- invalidation: each event is seen by the next request ------------------------------------


async def test_logout_of_a_token(first: Any, actors: Any) -> None:
    token = (await login(first, "ordinary"))["token"]
    await warm(first, bearer(token))
    assert (await first.post("/api/v3/auth/logout", headers=bearer(token))).status_code < 300
    r = await first.get(WHO, headers=bearer(token))
    # An unknown token is then tried as an API key (credentials.bearer).
    assert r.status_code == 401 and r.json()["detail"] == "Invalid API key."


async def test_logout_of_a_cookie_session(first: Any, actors: Any) -> None:
    body = await login(first, "ordinary", "cookie")
    name = first.app.state.settings.session_cookie_name
    # Sent by hand: the log-out answer clears the jar's cookie, and the old value must still be
    # refused (a copy kept elsewhere).
    cookie = {"Cookie": f"{name}={first.cookies[name]}"}
    first.cookies.clear()
    assert (await warm(first, cookie))["method"] == "cookie"
    r = await first.post("/api/v3/auth/logout", headers={**cookie, "X-CSRF-Token": body["csrf_token"]})
    assert r.status_code < 300, r.text
    assert (await who(first, cookie))["user"] is None


async def test_revoking_a_key_refuses_it_everywhere(first: Any, actors: Any) -> None:
    ordinary = actors["ordinary"]
    created = await new_key(first, ordinary.headers)
    key = created["key"]
    forms = {
        WHO: [bearer(key), {"Authorization": f"ApiKey ordinary:{key}"}, {"Authorization": f"Token {key}"}],
        "/api/v1/probe/who/": [{"Authorization": f"ApiKey ordinary:{key}"}],
        "/api/v2/probe/who/": [{"Authorization": f"Token {key}"}],
    }
    for path, variants in forms.items():
        for headers in variants:
            assert (await warm(first, headers, path))["user_id"] == ordinary.user_id
    r = await first.delete(f"{ME}/api-keys/{created['id']}", headers=ordinary.headers)
    assert r.status_code == 204, r.text
    for headers in forms[WHO]:
        r = await first.get(WHO, headers=headers)
        assert r.status_code == 401 and r.json()["detail"] == "Invalid API key.", headers
    r = await first.get("/api/v1/probe/who/", headers=forms["/api/v1/probe/who/"][0])
    assert r.status_code == 401 and r.content == b""
    r = await first.get("/api/v2/probe/who/", headers=forms["/api/v2/probe/who/"][0])
    assert r.status_code == 401 and r.json() == {"detail": "Invalid token."}


async def test_password_change_revokes_other_sessions_and_keys(first: Any, actors: Any) -> None:
    ordinary = actors["ordinary"]
    other = (await login(first, "ordinary"))["token"]
    key = (await new_key(first, ordinary.headers))["key"]
    for headers in (ordinary.headers, bearer(other), bearer(key)):
        await warm(first, headers)
    r = await first.post(
        "/api/v3/auth/password/change",
        json={"old_password": PASSWORD, "new_password": "another-long-password-1"},
        headers=ordinary.headers,
    )
    assert r.status_code < 300, r.text
    assert (await first.get(WHO, headers=bearer(other))).status_code == 401
    assert (await first.get(WHO, headers=bearer(key))).status_code == 401
    # The session that changed it stays.
    assert (await who(first, ordinary.headers))["user_id"] == ordinary.user_id


async def test_deactivation_refuses_every_credential(first: Any, actors: Any) -> None:
    ordinary = actors["ordinary"]
    key = (await new_key(first, ordinary.headers))["key"]
    await warm(first, ordinary.headers)
    await warm(first, {"Authorization": f"Token {key}"}, "/api/v2/probe/who/")
    r = await first.patch(
        f"/api/v3/users/id/{ordinary.user_id}", json={"is_active": False}, headers=actors["root"].headers
    )
    assert r.status_code == 200 and r.json()["is_active"] is False, r.text
    r = await first.get(WHO, headers=ordinary.headers)
    assert r.status_code == 401 and r.json()["detail"] == "User inactive or deleted."
    r = await first.get("/api/v2/probe/who/", headers={"Authorization": f"Token {key}"})
    assert r.status_code == 401 and r.json() == {"detail": "User inactive or deleted."}
    # And back.
    r = await first.patch(
        f"/api/v3/users/id/{ordinary.user_id}", json={"is_active": True}, headers=actors["root"].headers
    )
    assert r.status_code == 200, r.text
    assert (await who(first, ordinary.headers))["user_id"] == ordinary.user_id


async def test_deleting_the_account(first: Any, actors: Any, db_conn: Any) -> None:
    ordinary = actors["ordinary"]
    await warm(first, ordinary.headers)
    assert (await first.delete(ME, headers=ordinary.headers)).status_code == 204
    assert await db_conn.fetchval("SELECT count(*) FROM users WHERE id = $1", ordinary.user_id) == 0
    assert (await first.get(WHO, headers=ordinary.headers)).status_code == 401


async def test_staff_and_superuser_flags(first: Any, actors: Any) -> None:
    ordinary, root = actors["ordinary"], actors["root"]
    seen = await warm(first, ordinary.headers)
    assert (seen["is_staff"], seen["is_superuser"]) == (False, False)
    path = f"/api/v3/users/id/{ordinary.user_id}"
    assert (await first.patch(path, json={"is_staff": True}, headers=root.headers)).status_code == 200
    seen = await who(first, ordinary.headers)
    assert (seen["is_staff"], seen["is_superuser"]) == (True, False)
    assert (await first.patch(path, json={"is_superuser": True}, headers=root.headers)).status_code == 200
    assert (await who(first, ordinary.headers))["is_superuser"] is True
    assert (await first.get(GROUPS, headers=ordinary.headers)).status_code == 200
    assert (await first.patch(path, json={"is_superuser": False}, headers=root.headers)).status_code == 200
    assert (await first.get(GROUPS, headers=ordinary.headers)).status_code == 403


async def test_direct_permission_grant_and_revoke(first: Any, actors: Any) -> None:
    ordinary, root = actors["ordinary"], actors["root"]
    grants = f"/api/v3/users/id/{ordinary.user_id}/grants"
    await warm(first, ordinary.headers)
    assert (await first.get(GROUPS, headers=ordinary.headers)).status_code == 403
    r = await first.put(grants, json={"permissions": [MANAGE_GROUPS]}, headers=root.headers)
    assert r.status_code == 200, r.text
    assert (await first.get(GROUPS, headers=ordinary.headers)).status_code == 200
    assert (await who(first, ordinary.headers))["permissions"] == [MANAGE_GROUPS]
    r = await first.put(grants, json={"permissions": []}, headers=root.headers)
    assert r.status_code == 200, r.text
    assert (await first.get(GROUPS, headers=ordinary.headers)).status_code == 403
    assert (await who(first, ordinary.headers))["permissions"] == []


async def test_group_membership_and_group_permissions(first: Any, actors: Any, sessionmaker: Any) -> None:
    ordinary, root = actors["ordinary"], actors["root"]
    grants = f"/api/v3/users/id/{ordinary.user_id}/grants"
    r = await first.post(
        "/api/v3/groups", json={"name": "Editors", "permissions": [MANAGE_GROUPS]}, headers=root.headers
    )
    assert r.status_code == 201, r.text
    group_id = r.json()["id"]
    await warm(first, ordinary.headers)
    assert (await first.put(grants, json={"groups": ["Editors"]}, headers=root.headers)).status_code == 200
    assert (await first.get(GROUPS, headers=ordinary.headers)).status_code == 200

    # The group's own permissions, changed through the ORM (a job, the importer, a shell).
    await warm(first, ordinary.headers)
    async with transaction(sessionmaker) as s:
        await s.delete(await s.get_one(GroupPermission, (group_id, MANAGE_GROUPS)))
    assert (await first.get(GROUPS, headers=ordinary.headers)).status_code == 403
    async with transaction(sessionmaker) as s:
        s.add(GroupPermission(group_id=group_id, permission=MANAGE_GROUPS))
    assert (await first.get(GROUPS, headers=ordinary.headers)).status_code == 200

    # Leaving the group (a Core delete on user_groups).
    await warm(first, ordinary.headers)
    assert (await first.put(grants, json={"groups": []}, headers=root.headers)).status_code == 200
    assert (await first.get(GROUPS, headers=ordinary.headers)).status_code == 403

    # Deleting the group (the database cascades to its members).
    assert (await first.put(grants, json={"groups": ["Editors"]}, headers=root.headers)).status_code == 200
    await warm(first, ordinary.headers)
    async with transaction(sessionmaker) as s:
        await s.delete(await s.get_one(Group, group_id))
    assert (await first.get(GROUPS, headers=ordinary.headers)).status_code == 403
    async with sessionmaker() as s:
        assert list(await s.scalars(select(user_groups.c.group_id))) == []


# --- other processes -------------------------------------------------------------------------


async def test_a_revoked_key_is_refused_by_another_process(
    first: Any, second: Any, actors: Any, redis: Redis, _db_conn: Any
) -> None:
    ordinary = actors["ordinary"]
    created = await new_key(first, ordinary.headers)
    headers = bearer(created["key"])
    clock = Clock()
    second.app.state.auth_cache.clock = clock
    await warm(second, headers)

    # A revoke through the API publishes the new generation to Redis, and the other process
    # refuses the key once it has read it.
    before = int(await redis.get(GENERATION_KEY) or 0)
    assert (await first.delete(f"{ME}/api-keys/{created['id']}", headers=ordinary.headers)).status_code == 204
    assert int(await redis.get(GENERATION_KEY) or 0) == before + 1
    clock.advance(second.app.state.settings.auth_generation_seconds)
    assert (await second.get(WHO, headers=headers)).status_code == 401

    # What another process sees of it is Redis alone: the same change made elsewhere (raw SQL,
    # then only the Redis bump that process's commit would send).
    other = await new_key(first, ordinary.headers)
    other_headers = bearer(other["key"])
    await warm(second, other_headers)
    await _db_conn.execute("UPDATE api_keys SET revoked_at = now() WHERE id = $1", other["id"])
    await authcache.publish_invalidation(redis)
    # Within the generation interval the second process has not looked at Redis yet ...
    assert (await who(second, other_headers))["user_id"] == ordinary.user_id
    # ... and right after it, it has.
    clock.advance(second.app.state.settings.auth_generation_seconds)
    r = await second.get(WHO, headers=other_headers)
    assert r.status_code == 401 and r.json()["detail"] == "Invalid API key."


async def test_without_redis_every_request_looks_up(second: Any, actors: Any) -> None:
    cache: AuthCache = second.app.state.auth_cache
    clock = Clock()
    cache.clock = clock
    headers = actors["ordinary"].headers
    await warm(second, headers)
    working = cache.redis
    cache.redis = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.5)
    try:
        clock.advance(cache.generation_seconds)
        for _ in range(3):
            with sql(second) as statements:
                assert (await who(second, headers))["user_id"] == actors["ordinary"].user_id
            assert statements, "no generation: no cached answer"
    finally:
        await cache.redis.aclose()
        cache.redis = working
    clock.advance(cache.generation_seconds)
    await warm(second, headers)


# --- the cache itself ------------------------------------------------------------------------


async def test_cache_is_bounded_and_least_recently_used_leaves(redis: Redis, clean: None) -> None:
    cache = AuthCache(redis, ttl=10, max_entries=3, generation_seconds=1, use_interval=60)
    generation = await cache.generation()
    assert generation is not None
    for n in range(3):
        cache.put(("k", n), generation, n)
    assert cache.get(("k", 0), generation) == 0  # 0 is now the most recent
    cache.put(("k", 3), generation, 3)
    assert len(cache) == 3
    assert cache.get(("k", 1), generation) is authcache.MISSING
    assert [cache.get(("k", n), generation) for n in (0, 2, 3)] == [0, 2, 3]
    # Another generation serves none of them.
    authcache.invalidate_local()
    newer = await cache.generation()
    assert newer != generation and cache.get(("k", 0), newer) is authcache.MISSING


async def test_a_zero_ttl_turns_the_cache_off(redis: Redis, clean: None) -> None:
    cache = AuthCache(redis, ttl=0, max_entries=3, generation_seconds=1, use_interval=60)
    assert await cache.generation() is None
    cache.put(("k", 1), None, 1)
    assert cache.get(("k", 1), None) is authcache.MISSING
    # The use throttle still holds without it.
    assert cache.use_due("key") is not None and cache.use_due("key") is None
