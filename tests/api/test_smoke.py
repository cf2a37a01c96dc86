from __future__ import annotations


async def test_health(client) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "checks": {}}
    r = await client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["checks"] == {"database": "ok", "redis": "ok"}


async def test_me_with_token(client, actors) -> None:
    r = await client.get("/api/v3/users/me", headers=actors["ordinary"].headers)
    assert r.status_code == 200, r.text
    assert r.json()["username"] == "ordinary"
    r = await client.get("/api/v3/users/me")
    assert r.status_code == 401
