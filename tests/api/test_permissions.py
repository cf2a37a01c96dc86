"""Named permissions granted directly and through groups; staff and superuser flags; the
permission matrix of every write endpoint of the users domain."""

from __future__ import annotations

from typing import Any

from tests.helpers import check_permission_matrix


async def _ready(request: Any) -> Any:
    return request


async def test_admin_update_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    editor = await actors.create("editor", permissions=("users.change_user",))
    target = await actors.create("target")
    url = f"/api/v3/users/id/{target.user_id}"
    await check_permission_matrix(
        client,
        db_conn,
        {**actors.callers, "owner": target},
        {
            "anonymous": 401,
            "ordinary": 403,
            "owner": 403,
            "staffer": 403,
            "editor": 200,
            "root": 200,
        },
        ("PATCH", url, {"first_name": "Changed", "is_active": False}),
    )
    row = await db_conn.fetchrow("SELECT first_name, is_active FROM users WHERE id=$1", target.user_id)
    assert row["first_name"] == "Changed" and row["is_active"] is False
    assert editor.user_id


async def test_only_superusers_grant_superuser(client: Any, actors: Any, db_conn: Any) -> None:
    editor = await actors.create("editor", permissions=("users.change_user",))
    target = await actors.create("target")
    url = f"/api/v3/users/id/{target.user_id}"
    r = await client.patch(url, json={"is_superuser": True}, headers=editor.headers)
    assert r.status_code == 403
    assert await db_conn.fetchval("SELECT is_superuser FROM users WHERE id=$1", target.user_id) is False
    r = await client.patch(url, json={"is_superuser": True, "is_staff": True}, headers=actors["root"].headers)
    assert r.status_code == 200
    assert r.json()["is_superuser"] is True


async def test_grants_and_groups(client: Any, actors: Any, db_conn: Any) -> None:
    # A manager grants only what they hold themselves (issue 12): these three.
    manager = await actors.create(
        "manager", permissions=("users.change_group", "users.view_membership", "users.view_user")
    )
    target = await actors.create("target")
    group_body = {"name": "membership-staff", "permissions": ["users.view_membership"]}
    await check_permission_matrix(
        client,
        db_conn,
        {**actors.callers},
        {"anonymous": 401, "ordinary": 403, "staffer": 403, "manager": 201, "root": 201},
        # The name is unique: the superuser creates its own group.
        lambda caller: _ready(
            (
                "POST",
                "/api/v3/groups",
                {**group_body, "name": "root-group"} if caller == "root" else group_body,
            )
        ),
    )
    r = await client.post("/api/v3/groups", json=group_body, headers=manager.headers)
    assert r.status_code == 409
    r = await client.post(
        "/api/v3/groups", json={"name": "x", "permissions": ["nope.nope"]}, headers=manager.headers
    )
    assert r.status_code == 400 and "nope.nope" in r.json()["detail"]

    # The target cannot list memberships until the group grants it.
    r = await client.get("/api/v3/memberships", headers=target.headers)
    assert r.status_code == 403
    grants_url = f"/api/v3/users/id/{target.user_id}/grants"
    await check_permission_matrix(
        client,
        db_conn,
        {**actors.callers, "owner": target},
        {"anonymous": 401, "ordinary": 403, "owner": 403, "staffer": 403, "manager": 200, "root": 200},
        ("PUT", grants_url, {"groups": ["membership-staff"], "permissions": ["users.view_user"]}),
    )
    assert await db_conn.fetchval("SELECT count(*) FROM user_groups WHERE user_id=$1", target.user_id) == 1
    r = await client.get("/api/v3/memberships", headers=target.headers)
    assert r.status_code == 200, r.text
    r = await client.get("/api/v3/users/me", headers=target.headers)
    assert r.json()["groups"] == ["membership-staff"]
    assert r.json()["permissions"] == ["users.view_membership", "users.view_user"]

    for bad in ({"groups": ["ghosts"]}, {"permissions": ["users.fly"]}, {"extra": 1}):
        r = await client.put(grants_url, json=bad, headers=manager.headers)
        assert r.status_code == 400, bad
    # Removing the group removes what it granted.
    r = await client.put(grants_url, json={"groups": []}, headers=manager.headers)
    assert r.status_code == 200
    r = await client.get("/api/v3/memberships", headers=target.headers)
    assert r.status_code == 403


async def test_inactive_superuser_holds_nothing(client: Any, actors: Any, db_conn: Any) -> None:
    boss = await actors.create("boss", superuser=True)
    r = await client.get("/api/v3/users", headers=boss.headers)
    assert r.status_code == 200
    assert r.json()["meta"] == {"total": 4, "limit": 100, "offset": 0}
    await db_conn.execute("UPDATE users SET is_active=false WHERE id=$1", boss.user_id)
    r = await client.get("/api/v3/users", headers=boss.headers)
    assert r.status_code == 401


async def test_user_list_filters_and_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    viewer = await actors.create("viewer", permissions=("users.view_user",))
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {"anonymous": 401, "ordinary": 403, "staffer": 403, "viewer": 200, "root": 200},
        ("GET", "/api/v3/users?is_staff=true", None),
    )
    r = await client.get("/api/v3/users?is_staff=true", headers=viewer.headers)
    assert [u["username"] for u in r.json()["data"]] == ["staffer", "root"]
    r = await client.get("/api/v3/users?q=VIEW&limit=1", headers=viewer.headers)
    assert [u["username"] for u in r.json()["data"]] == ["viewer"]
    r = await client.get("/api/v3/users?limit=2&offset=1", headers=viewer.headers)
    body = r.json()
    assert body["meta"] == {"total": 4, "limit": 2, "offset": 1}
    assert [u["id"] for u in body["data"]] == [2, 3]


async def test_permissions_listing(client: Any, actors: Any) -> None:
    r = await client.get("/api/v3/permissions", headers=actors["ordinary"].headers)
    assert r.status_code == 200
    names = [p["name"] for p in r.json()]
    assert "site.read_changes" in names and names == sorted(names)
    assert (await client.get("/api/v3/permissions")).status_code == 401
