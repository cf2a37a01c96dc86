"""Bad input is a 4xx that says what is wrong, never a 500, and never changes the database.

Every /api/v3/ endpoint of the users domain that takes a body gets malformed JSON, wrong types,
unknown fields, JSON that is not an object, NUL characters (PostgreSQL text cannot hold them)
and oversized values; path and query parameters get out-of-range integers and NUL bytes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.helpers import PASSWORD, db_fingerprint

MEMBERSHIP = {
    "legal_name": "Ada Lovelace",
    "preferred_name": "Ada",
    "email_address": "ada@example.org",
    "city": "London",
    "region": "Greater London",
    "country": "UK",
    "postal_code": "W1",
    "psf_code_of_conduct": True,
}
# A NUL in a password is hashed, never stored or queried; those fields are left out of the
# NUL sweep (see test_nul_in_a_password_is_just_a_wrong_password).
PASSWORD_FIELDS = {"password", "old_password", "new_password"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    caller: str
    body: dict[str, Any]


ENDPOINTS = {
    "signup": Endpoint(
        "POST",
        "/api/v3/auth/signup",
        "anonymous",
        {"username": "newbie", "email": "newbie@example.org", "password": "s3cret-enough"},
    ),
    "login": Endpoint("POST", "/api/v3/auth/login", "anonymous", {"login": "ordinary", "password": PASSWORD}),
    "verify_email": Endpoint("POST", "/api/v3/auth/verify-email", "anonymous", {"token": "a.b"}),
    "password_reset": Endpoint(
        "POST", "/api/v3/auth/password/reset", "anonymous", {"email": "ordinary@example.org"}
    ),
    "password_reset_confirm": Endpoint(
        "POST",
        "/api/v3/auth/password/reset/confirm",
        "anonymous",
        {"token": "a.b", "new_password": "another-password"},
    ),
    "password_change": Endpoint(
        "POST",
        "/api/v3/auth/password/change",
        "ordinary",
        {"old_password": PASSWORD, "new_password": "another-password"},
    ),
    "me_update": Endpoint(
        "PATCH",
        "/api/v3/users/me",
        "ordinary",
        {"username": "ada", "first_name": "Ada", "email": "ada@example.net", "bio": "*hi*"},
    ),
    "api_key_create": Endpoint("POST", "/api/v3/users/me/api-keys", "ordinary", {"name": "k"}),
    "membership_create": Endpoint("POST", "/api/v3/users/me/membership", "staffer", MEMBERSHIP),
    "membership_update": Endpoint(
        "PATCH",
        "/api/v3/users/me/membership",
        "ordinary",
        {"city": "Paris", "email_address": "ada@example.net", "votes": True},
    ),
    "admin_update": Endpoint(
        "PATCH",
        "/api/v3/users/id/{ordinary}",
        "root",
        {"first_name": "Ada", "is_staff": True, "bio_markup_type": "text"},
    ),
    "grants": Endpoint(
        "PUT",
        "/api/v3/users/id/{ordinary}/grants",
        "root",
        {"permissions": ["users.view_user"], "groups": ["editors"]},
    ),
    "group_create": Endpoint(
        "POST", "/api/v3/groups", "root", {"name": "reviewers", "permissions": ["users.view_user"]}
    ),
}
endpoint_names = pytest.mark.parametrize("name", sorted(ENDPOINTS))


@pytest.fixture
async def world(client: Any, actors: Any, db_conn: Any) -> Any:
    """ordinary has a membership and there is an ``editors`` group; returns the actors."""
    r = await client.post("/api/v3/users/me/membership", json=MEMBERSHIP, headers=actors["ordinary"].headers)
    assert r.status_code == 201, r.text
    r = await client.post("/api/v3/groups", json={"name": "editors"}, headers=actors["root"].headers)
    assert r.status_code == 201, r.text
    return actors


def _target(world: Any, name: str) -> tuple[str, str, dict[str, str], dict[str, Any]]:
    ep = ENDPOINTS[name]
    path = ep.path.format(ordinary=world["ordinary"].user_id)
    return ep.method, path, world[ep.caller].headers, ep.body


def _wrong_type(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, str):
        return 12345
    if isinstance(value, list):
        return "not-a-list"
    return "1"


def _assert_error(r: Any, status: int = 400) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert body["status_code"] == status
    assert body["detail"] and body["detail"] != "Internal Server Error"
    return body


@endpoint_names
async def test_valid_body_is_accepted(client: Any, world: Any, db_conn: Any, name: str) -> None:
    """The bodies the other tests corrupt are themselves fine (so a 400 is the corruption's)."""
    method, path, headers, body = _target(world, name)
    r = await client.request(method, path, json=body, headers=headers)
    expected = 400 if name in {"verify_email", "password_reset_confirm"} else None
    if expected:  # the dummy token is refused by the service, after validation
        assert r.status_code == 400 and "token" in r.json()["detail"], r.text
    else:
        assert 200 <= r.status_code < 300, r.text


@endpoint_names
async def test_malformed_json_is_400(client: Any, world: Any, db_conn: Any, name: str) -> None:
    method, path, headers, _ = _target(world, name)
    headers = {**headers, "Content-Type": "application/json"}
    before = await db_fingerprint(db_conn)
    for raw in (
        b"{bad",
        b'{"name": ',
        b"{'single': 'quotes'}",
        b'{"a": 1,}',
        b"",
        b"\xef\xbb\xbf{}",  # byte-order mark
        b'{"bio": "\xff\xfe"}',  # not UTF-8
        b"[" * 100_000,  # nested deeper than the decoder recurses
        b'{"a": "\\ud800"}',  # lone surrogate escape
        b"1e999999",
        b"nul\x00l",
    ):
        r = await client.request(method, path, content=raw, headers=headers)
        _assert_error(r)
    assert await db_fingerprint(db_conn) == before


@endpoint_names
async def test_json_that_is_not_an_object_is_400(client: Any, world: Any, db_conn: Any, name: str) -> None:
    method, path, headers, body = _target(world, name)
    before = await db_fingerprint(db_conn)
    for bad in (None, [], [body], "text", 0, 1.5, True, {"": ""}, {"__proto__": {}}):
        r = await client.request(method, path, json=bad, headers=headers)
        _assert_error(r)
    assert await db_fingerprint(db_conn) == before


@endpoint_names
async def test_wrong_type_names_the_field(client: Any, world: Any, db_conn: Any, name: str) -> None:
    method, path, headers, body = _target(world, name)
    before = await db_fingerprint(db_conn)
    for field, value in body.items():
        r = await client.request(method, path, json={**body, field: _wrong_type(value)}, headers=headers)
        error = _assert_error(r)
        assert error["detail"].startswith("Validation failed"), error
        (problem,) = error["extra"]
        assert problem["key"] == field, (field, problem)
        assert problem["message"].startswith("Expected"), problem
        assert problem["source"] == "body"
    assert await db_fingerprint(db_conn) == before


@endpoint_names
async def test_unknown_field_is_named(client: Any, world: Any, db_conn: Any, name: str) -> None:
    method, path, headers, body = _target(world, name)
    before = await db_fingerprint(db_conn)
    r = await client.request(method, path, json={**body, "is_superuser_please": True}, headers=headers)
    error = _assert_error(r)
    (problem,) = error["extra"]
    assert "unknown field `is_superuser_please`" in problem["message"], problem
    assert await db_fingerprint(db_conn) == before


def _with_nul(value: Any) -> Any:
    if isinstance(value, list):
        return [f"{v}\u0000" for v in value]
    return f"a\u0000{value}" if isinstance(value, str) else value


@pytest.mark.parametrize("name", sorted(set(ENDPOINTS) - {"password_change"}))  # passwords only
async def test_nul_characters_are_refused(client: Any, world: Any, db_conn: Any, name: str) -> None:
    """Every string of the body at once (one field at a time costs a logged traceback each;
    test_nul_reaching_the_database_is_a_400_that_says_so takes single fields)."""
    method, path, headers, body = _target(world, name)
    before = await db_fingerprint(db_conn)
    bad = {f: v if f in PASSWORD_FIELDS else _with_nul(v) for f, v in body.items()}
    r = await client.request(method, path, json=bad, headers=headers)
    _assert_error(r)
    assert await db_fingerprint(db_conn) == before


async def test_nul_reaching_the_database_is_a_400_that_says_so(client: Any, world: Any, db_conn: Any) -> None:
    before = await db_fingerprint(db_conn)
    cases = [
        ("PATCH", "/api/v3/users/me", "ordinary", {"bio": "before\u0000after"}),
        ("PATCH", "/api/v3/users/me", "ordinary", {"first_name": "\u0000"}),
        ("POST", "/api/v3/users/me/membership", "staffer", {**MEMBERSHIP, "city": "a\u0000"}),
        ("PATCH", "/api/v3/users/me/membership", "ordinary", {"city": "\u0000"}),
        ("POST", "/api/v3/users/me/api-keys", "ordinary", {"name": "k\u0000"}),
        ("POST", "/api/v3/auth/login", "anonymous", {"login": "ordinary\u0000", "password": "x"}),
        ("GET", "/api/v3/users?q=a%00b", "root", None),
        ("GET", "/api/v3/users/ordinary%00", "anonymous", None),
        # The ORM-free reads (core/reads.py) get the same answer from asyncpg's own error.
        ("GET", "/api/v3/downloads/releases?name=%00", "root", None),
        ("GET", "/api/v3/downloads/releases?q=a%00&slug=x", "anonymous", None),
    ]
    for method, path, caller, body in cases:
        r = await client.request(method, path, json=body, headers=world[caller].headers)
        error = _assert_error(r)
        if body is None:  # query and path values reach the database, which refuses them
            assert error["detail"] == "Invalid value: NUL characters are not allowed.", path
        else:  # request bodies are refused before any database work, naming the field
            field = next(iter(k for k, v in body.items() if isinstance(v, str) and "\u0000" in v))
            assert error["status_code"] == 400
            assert f"{field}: NUL characters are not allowed" in r.text, (path, r.text)
    assert await db_fingerprint(db_conn) == before


async def test_nul_in_a_password_is_refused(client: Any, world: Any, db_conn: Any) -> None:
    """Django refuses NUL in passwords; so do we, before hashing or comparing anything."""
    before = await db_fingerprint(db_conn)
    r = await client.post("/api/v3/auth/login", json={"login": "ordinary", "password": PASSWORD + "\u0000"})
    assert r.status_code == 400 and "password: NUL characters are not allowed" in r.text
    r = await client.post(
        "/api/v3/auth/password/change",
        json={"old_password": "\u0000" + PASSWORD, "new_password": "another-password"},
        headers=world["ordinary"].headers,
    )
    assert r.status_code == 400, r.text
    assert "old_password: NUL characters are not allowed" in r.text
    assert await db_fingerprint(db_conn) == before


async def test_oversized_input(client: Any, world: Any, db_conn: Any) -> None:
    headers = world["ordinary"].headers
    before = await db_fingerprint(db_conn)
    r = await client.patch("/api/v3/users/me", json={"first_name": "x" * 1_000_000}, headers=headers)
    (problem,) = _assert_error(r)["extra"]
    assert problem["key"] == "first_name"
    r = await client.patch("/api/v3/users/me", json={"bio": "é" * 20_001}, headers=headers)
    (problem,) = _assert_error(r)["extra"]
    assert problem["key"] == "bio"
    # Bigger than the request body limit: refused before it is read.
    r = await client.patch("/api/v3/users/me", json={"bio": "x" * 11_000_000}, headers=headers)
    _assert_error(r, 413)
    # Long lists would exceed the database's parameter limit: refused as input instead.
    root = world["root"].headers
    url = f"/api/v3/users/id/{world['ordinary'].user_id}/grants"
    r = await client.put(url, json={"groups": [f"g{i}" for i in range(40_000)]}, headers=root)
    (problem,) = _assert_error(r)["extra"]
    assert problem["key"] == "groups" and "length <= 1000" in problem["message"]
    many = ["users.view_user"] * 1001
    r = await client.put(url, json={"permissions": many}, headers=root)
    (problem,) = _assert_error(r)["extra"]
    assert problem["key"] == "permissions"
    r = await client.post("/api/v3/groups", json={"name": "big", "permissions": many}, headers=root)
    (problem,) = _assert_error(r)["extra"]
    assert problem["key"] == "permissions"
    r = await client.post("/api/v3/auth/login", json={"login": "x" * 255, "password": "y" * 257})
    assert len(_assert_error(r)["extra"]) >= 1
    assert await db_fingerprint(db_conn) == before


@pytest.mark.parametrize(
    ("method", "path", "caller", "key"),
    [
        ("DELETE", "/api/v3/users/me/api-keys/99999999999", "ordinary", "key_id"),
        ("DELETE", "/api/v3/users/me/api-keys/2147483648", "ordinary", "key_id"),
        ("DELETE", "/api/v3/users/me/api-keys/" + "9" * 400, "ordinary", "key_id"),
        ("DELETE", "/api/v3/users/me/api-keys/0", "ordinary", "key_id"),
        ("DELETE", "/api/v3/users/me/api-keys/-1", "ordinary", "key_id"),
        ("PATCH", "/api/v3/users/id/99999999999", "root", "user_id"),
        ("PUT", "/api/v3/users/id/99999999999/grants", "root", "user_id"),
        ("GET", "/api/v3/users?limit=0", "root", "limit"),
        ("GET", "/api/v3/users?limit=1001", "root", "limit"),
        ("GET", "/api/v3/users?limit=99999999999999999999", "root", "limit"),
        ("GET", "/api/v3/users?offset=-1", "root", "offset"),
        ("GET", "/api/v3/users?offset=99999999999", "root", "offset"),
        ("GET", "/api/v3/users?is_staff=maybe", "root", "is_staff"),
        ("GET", "/api/v3/memberships?limit=abc", "root", "limit"),
        ("GET", "/api/v3/users?q=" + "x" * 151, "root", "q"),
    ],
)
async def test_out_of_range_parameters_are_400(
    client: Any, world: Any, db_conn: Any, method: str, path: str, caller: str, key: str
) -> None:
    before = await db_fingerprint(db_conn)
    body = {"first_name": "X"} if method == "PATCH" else ({} if method == "PUT" else None)
    r = await client.request(method, path, json=body, headers=world[caller].headers)
    (problem,) = _assert_error(r)["extra"]
    assert problem["key"] == key, problem
    assert await db_fingerprint(db_conn) == before


async def test_in_range_but_missing_ids_are_404(client: Any, world: Any, db_conn: Any) -> None:
    r = await client.delete("/api/v3/users/me/api-keys/2147483647", headers=world["ordinary"].headers)
    _assert_error(r, 404)
    r = await client.patch(
        "/api/v3/users/id/2147483647", json={"first_name": "X"}, headers=world["root"].headers
    )
    _assert_error(r, 404)
    # Not an integer at all: no such route.
    r = await client.delete("/api/v3/users/me/api-keys/abc", headers=world["ordinary"].headers)
    assert r.status_code in (404, 405), r.text
