"""Personal API keys: shown once, stored as a SHA-256 only, accepted as ``Bearer``, ``ApiKey
<username>:<key>`` and ``Token``, revocable by their owner only."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.helpers import db_fingerprint

KEYS = "/api/v3/users/me/api-keys"
ME = "/api/v3/users/me"


def _schemes(username: str, key: str) -> dict[str, dict[str, str]]:
    return {
        "bearer": {"Authorization": f"Bearer {key}"},
        "apikey": {"Authorization": f"ApiKey {username}:{key}"},
        "token": {"Authorization": f"Token {key}"},
    }


async def _create(client: Any, caller: Any, name: str = "laptop") -> dict[str, Any]:
    r = await client.post(KEYS, json={"name": name}, headers=caller.headers)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_create_shows_the_key_once_and_stores_a_hash(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    body = await _create(client, me, "release tooling")
    key = body["key"]
    assert set(body) == {"id", "name", "prefix", "created", "key"}
    assert key.startswith("pdo_") and len(key) >= 40
    assert body["name"] == "release tooling"
    assert body["prefix"] == key[:12]

    row = await db_conn.fetchrow("SELECT * FROM api_keys WHERE id=$1", body["id"])
    assert row["user_id"] == me.user_id
    assert row["name"] == "release tooling"
    assert row["origin"] == "personal"
    assert row["prefix"] == key[:12]
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert row["revoked_at"] is None and row["last_used"] is None
    # The key itself is stored nowhere in the table (only its 12-character prefix).
    dumps = await db_conn.fetch("SELECT t::text AS line FROM api_keys t")
    assert len(dumps) == 1
    assert key not in dumps[0]["line"]
    assert key[12:] not in dumps[0]["line"]

    second = await _create(client, me)
    assert second["key"] != key and second["id"] != body["id"]
    assert second["name"] == "laptop"
    r = await client.post(KEYS, json={}, headers=me.headers)
    assert r.status_code == 201, r.text
    assert r.json()["name"] == ""
    assert await db_conn.fetchval("SELECT count(*) FROM api_keys WHERE user_id=$1", me.user_id) == 3


async def test_list_never_shows_key_or_hash(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    first = await _create(client, me, "one")
    second = await _create(client, me, "two")
    await _create(client, actors["staffer"], "not mine")

    r = await client.get(KEYS, headers=me.headers)
    assert r.status_code == 200, r.text
    listed = r.json()
    assert [(k["id"], k["name"]) for k in listed] == [(first["id"], "one"), (second["id"], "two")]
    for entry in listed:
        assert set(entry) == {
            "id",
            "name",
            "prefix",
            "origin",
            "created",
            "last_used",
            "revoked_at",
        }
        assert entry["origin"] == "personal" and entry["revoked_at"] is None
    hashes = [r["key_hash"] for r in await db_conn.fetch("SELECT key_hash FROM api_keys")]
    for secret in [first["key"], second["key"], *hashes]:
        assert secret not in r.text
    assert "key_hash" not in r.text

    assert (await client.get(KEYS)).status_code == 401


async def test_key_authenticates_with_every_scheme(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    created = await _create(client, me)
    for scheme, headers in _schemes("ordinary", created["key"]).items():
        r = await client.get(ME, headers=headers)
        assert r.status_code == 200, (scheme, r.text)
        assert r.json()["username"] == "ordinary", scheme
        assert r.json()["id"] == me.user_id
    # The username in an ApiKey header is matched case-insensitively, as log-in is.
    r = await client.get(ME, headers={"Authorization": f"ApiKey ORDINARY:{created['key']}"})
    assert r.status_code == 200, r.text
    last_used = await db_conn.fetchval("SELECT last_used FROM api_keys WHERE id=$1", created["id"])
    assert last_used is not None
    r = await client.get(KEYS, headers=me.headers)
    assert r.json()[0]["last_used"] is not None

    # A key authenticates writes too (no CSRF for header credentials).
    r = await client.patch(
        ME, json={"first_name": "Keyed"}, headers=_schemes("ordinary", created["key"])["token"]
    )
    assert r.status_code == 200, r.text
    assert await db_conn.fetchval("SELECT first_name FROM users WHERE id=$1", me.user_id) == "Keyed"


async def test_wrong_credentials_are_refused(client: Any, actors: Any, db_conn: Any) -> None:
    created = await _create(client, actors["ordinary"])
    key = created["key"]
    before = await db_fingerprint(db_conn)
    for header in (
        f"ApiKey staffer:{key}",
        f"ApiKey nobody:{key}",
        f"ApiKey ordinary:{key}x",
        f"ApiKey ordinary:{key[:-1]}",
        f"ApiKey {key}",
        f"ApiKey ordinary:{key}:extra",
        f"Bearer {key}x",
        "Bearer pdo_not-a-key",
        f"Token {key} extra",
        f"Basic {key}",
        f"Token {created['prefix']}",
    ):
        r = await client.get(ME, headers={"Authorization": header})
        assert r.status_code == 401, (header, r.text)
        r = await client.patch(ME, json={"first_name": "Nope"}, headers={"Authorization": header})
        assert r.status_code == 401, (header, r.text)
    assert await db_fingerprint(db_conn) == before


async def test_revoke(client: Any, actors: Any, db_conn: Any) -> None:
    me = actors["ordinary"]
    doomed = await _create(client, me, "doomed")
    kept = await _create(client, me, "kept")

    r = await client.delete(f"{KEYS}/{doomed['id']}", headers=me.headers)
    assert r.status_code == 204, r.text
    revoked_at = await db_conn.fetchval("SELECT revoked_at FROM api_keys WHERE id=$1", doomed["id"])
    assert revoked_at is not None
    assert await db_conn.fetchval("SELECT revoked_at FROM api_keys WHERE id=$1", kept["id"]) is None
    for scheme, headers in _schemes("ordinary", doomed["key"]).items():
        r = await client.get(ME, headers=headers)
        assert r.status_code == 401, (scheme, r.text)
    for scheme, headers in _schemes("ordinary", kept["key"]).items():
        assert (await client.get(ME, headers=headers)).status_code == 200, scheme

    listed = {k["id"]: k for k in (await client.get(KEYS, headers=me.headers)).json()}
    assert listed[doomed["id"]]["revoked_at"] is not None
    assert listed[kept["id"]]["revoked_at"] is None

    # Revoking again is harmless and keeps the first revocation time.
    r = await client.delete(f"{KEYS}/{doomed['id']}", headers=me.headers)
    assert r.status_code == 204, r.text
    assert await db_conn.fetchval("SELECT revoked_at FROM api_keys WHERE id=$1", doomed["id"]) == revoked_at

    # A key can revoke itself.
    headers = _schemes("ordinary", kept["key"])["bearer"]
    r = await client.delete(f"{KEYS}/{kept['id']}", headers=headers)
    assert r.status_code == 204, r.text
    assert (await client.get(ME, headers=headers)).status_code == 401


async def test_cannot_revoke_someone_elses_key(client: Any, actors: Any, db_conn: Any) -> None:
    theirs = await _create(client, actors["staffer"], "staffer's")
    before = await db_fingerprint(db_conn)
    for caller in ("ordinary", "root"):
        r = await client.delete(f"{KEYS}/{theirs['id']}", headers=actors[caller].headers)
        assert r.status_code == 404, (caller, r.text)
        assert r.json()["detail"] == f"No API key with id {theirs['id']}."
    r = await client.delete(f"{KEYS}/{theirs['id']}")
    assert r.status_code == 401, r.text
    r = await client.delete(f"{KEYS}/{theirs['id'] + 100}", headers=actors["staffer"].headers)
    assert r.status_code == 404, r.text
    assert await db_fingerprint(db_conn) == before
    assert await db_conn.fetchval("SELECT revoked_at FROM api_keys WHERE id=$1", theirs["id"]) is None
    for scheme, headers in _schemes("staffer", theirs["key"]).items():
        r = await client.get(ME, headers=headers)
        assert r.status_code == 200, (scheme, r.text)
        assert r.json()["username"] == "staffer"


async def test_create_requires_login_and_valid_input(client: Any, actors: Any, db_conn: Any) -> None:
    before = await db_fingerprint(db_conn)
    assert (await client.post(KEYS, json={"name": "x"})).status_code == 401
    for bad in ({"name": "x" * 101}, {"name": 1}, {"key": "pdo_chosen"}, {"origin": "drf"}):
        r = await client.post(KEYS, json=bad, headers=actors["ordinary"].headers)
        assert r.status_code == 400, (bad, r.text)
    assert await db_fingerprint(db_conn) == before


async def test_key_of_inactive_user_is_refused(client: Any, actors: Any, db_conn: Any) -> None:
    created = await _create(client, actors["ordinary"])
    await db_conn.execute("UPDATE users SET is_active=false WHERE username='ordinary'")
    for scheme, headers in _schemes("ordinary", created["key"]).items():
        r = await client.get(ME, headers=headers)
        assert r.status_code == 401, (scheme, r.text)
