"""/api/v3/work-groups/: PSF working groups (API only; python.org has no public page): the
permission matrix, unapproved groups for editors only, users checked, charters sanitized, import."""

from __future__ import annotations

from typing import Any

from pydotorg.core.db import transaction
from pydotorg.django_import import importer
from tests.helpers import check_permission_matrix

REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403}
STAMPS = {"created": "2020-01-01T00:00:00Z", "updated": "2020-01-01T00:00:00Z"}


async def _ready(request: Any) -> Any:
    return request


async def test_workgroup_matrix_and_rules(client: Any, actors: Any, db_conn: Any) -> None:
    editor = await actors.create(
        "chair", permissions=("workgroups.add_workgroup", "workgroups.change_workgroup")
    )
    await actors.create("remover", permissions=("workgroups.delete_workgroup",))
    body = {
        "name": "Python Packaging WG",
        "communication": "Mailing list and *monthly* calls.<script>x()</script>",
        "organizer_ids": [editor.user_id],
    }
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "chair": 201, "root": 201},
        # the name (and slug) is unique: the superuser creates its own.
        lambda caller: _ready(
            ("POST", "/api/v3/work-groups", {**body, "name": "Root WG"} if caller == "root" else body)
        ),
    )
    group = r["chair"].json()
    # Remove the superuser's copy so what follows sees the chair's alone.
    root_url = f"/api/v3/work-groups/{r['root'].json()['id']}"
    assert (await client.delete(root_url, headers=actors["root"].headers)).status_code == 204
    assert group["slug"] == "python-packaging-wg" and group["approved"] is False
    assert "<em>monthly</em>" in group["communication_html"] and "<script>" not in group["communication_html"]
    stored = await db_conn.fetchrow(
        "SELECT organizer_ids, communication FROM work_groups WHERE id=$1", group["id"]
    )
    assert stored["organizer_ids"] == [editor.user_id] and stored["communication"] == body["communication"]
    assert (await client.get("/api/v3/work-groups")).json()["data"] == []  # not approved yet
    assert (await client.get(f"/api/v3/work-groups/{group['id']}")).status_code == 404
    h = actors["chair"].headers
    bad = await client.post("/api/v3/work-groups", headers=h, json={**body, "organizer_ids": [999999]})
    assert bad.status_code == 400 and "organizer_ids" in bad.text
    dup = await client.post("/api/v3/work-groups", headers=h, json=body)
    assert dup.status_code == 409 and "slug" in dup.text
    assert await db_conn.fetchval("SELECT count(*) FROM work_groups") == 1
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "chair": 200, "root": 200},
        ("PATCH", f"/api/v3/work-groups/{group['id']}", {"approved": True}),
    )
    assert [g["slug"] for g in (await client.get("/api/v3/work-groups")).json()["data"]] == [
        "python-packaging-wg"
    ]

    async def remove(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", f"/api/v3/work-groups/{group['id']}", None)
        spare = await client.post(
            "/api/v3/work-groups", headers=actors["chair"].headers, json={**body, "name": "Spare WG"}
        )
        assert spare.status_code == 201, spare.text
        return ("DELETE", f"/api/v3/work-groups/{spare.json()['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "chair": 403, "remover": 204, "root": 204},
        remove,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM work_groups") == 0


async def test_workgroup_import(actors: Any, sessionmaker: Any, db_conn: Any) -> None:
    member = actors["ordinary"].user_id
    objects = [
        {
            "model": "work_groups.workgroup",
            "pk": 4,
            "fields": {
                "name": "Diversity WG",
                "slug": "diversity",
                "communication": "Slack.",
                "approved": True,
                "members": [member],
                **STAMPS,
            },
        },
        {
            "model": "work_groups.workgroup",
            "pk": 5,
            "fields": {"name": "Bad", "slug": "Not A Slug", **STAMPS},
        },
    ]
    async with transaction(sessionmaker) as session:
        report, _ = await importer.run(session, objects)
    assert [(f.label, f.pk) for f in report.failures] == [("work_groups.workgroup", 5)]
    assert await db_conn.fetchval("SELECT member_ids FROM work_groups WHERE id=4") == [member]
    async with transaction(sessionmaker) as session:
        again, _ = await importer.run(session, objects[:1])
    assert sum(again.written.values()) == 0
