"""/api/v3/minutes/: permission matrix, drafts for editors only, one meeting per date, sanitized
content, python.org's title and URL, and the Django import."""

from __future__ import annotations

from typing import Any

from pydotorg.core.db import transaction
from pydotorg.django_import import importer
from tests.helpers import check_permission_matrix

REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403}
STAMPS = {"created": "2019-05-09T10:00:00Z", "updated": "2019-05-09T10:00:00Z"}  # as dumpdata has them


async def _ready(request: Any) -> Any:
    return request


async def test_minutes_matrix_drafts_and_dates(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("secretary", permissions=("minutes.add_minutes", "minutes.change_minutes"))
    await actors.create("remover", permissions=("minutes.delete_minutes",))
    body = {
        "date": "2026-11-12",
        "content": "Present: *the board*.\n\n.. raw:: html\n\n   <script>x()</script>",
    }
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "secretary": 201, "root": 201},
        # the date is unique: the superuser creates its own.
        lambda caller: _ready(
            ("POST", "/api/v3/minutes", {**body, "date": "2026-11-13"} if caller == "root" else body)
        ),
    )
    minutes = r["secretary"].json()
    # Remove the superuser's copy so what follows sees the secretary's alone.
    root_url = f"/api/v3/minutes/{r['root'].json()['id']}"
    assert (await client.delete(root_url, headers=actors["root"].headers)).status_code == 204
    assert minutes["title"] == "PSF Meeting Minutes November 12, 2026"
    assert minutes["url"] == "/psf/records/board/minutes/2026-11-12/" and minutes["is_published"] is False
    stored = await db_conn.fetchrow(
        "SELECT content_html, is_published FROM minutes WHERE id=$1", minutes["id"]
    )
    assert "<em>the board</em>" in stored["content_html"] and "<script>" not in stored["content_html"]
    # A draft: invisible to the public (list, id, date), visible to the secretary.
    assert (await client.get("/api/v3/minutes")).json()["meta"]["total"] == 0
    assert (await client.get(f"/api/v3/minutes/{minutes['id']}")).status_code == 404
    assert (await client.get("/api/v3/minutes/date/2026-11-12")).status_code == 404
    h = actors["secretary"].headers
    assert (await client.get("/api/v3/minutes/date/2026-11-12", headers=h)).status_code == 200
    dup = await client.post("/api/v3/minutes", headers=h, json={"date": "2026-11-12"})
    assert dup.status_code == 409 and "date" in dup.text
    for bad in ({"date": "1800-01-01"}, {"date": "not a date"}, {"date": "2026-02-30"}):
        assert (await client.post("/api/v3/minutes", headers=h, json=bad)).status_code == 400, bad
    assert await db_conn.fetchval("SELECT count(*) FROM minutes") == 1
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "secretary": 200, "root": 200},
        ("PATCH", f"/api/v3/minutes/{minutes['id']}", {"is_published": True}),
    )
    public = (await client.get("/api/v3/minutes?year=2026")).json()
    assert [m["date"] for m in public["data"]] == ["2026-11-12"]
    assert (await client.get("/api/v3/minutes?year=2025")).json()["data"] == []

    async def remove(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", f"/api/v3/minutes/{minutes['id']}", None)
        spare = await client.post(
            "/api/v3/minutes", headers=actors["secretary"].headers, json={"date": "2026-11-14"}
        )
        assert spare.status_code == 201, spare.text
        return ("DELETE", f"/api/v3/minutes/{spare.json()['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "secretary": 403, "remover": 204, "root": 204},
        remove,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM minutes") == 0


async def test_minutes_import(clean: None, sessionmaker: Any, db_conn: Any) -> None:
    objects = [
        {
            "model": "minutes.minutes",
            "pk": 1,
            "fields": {"date": "2019-05-08", "content": "Met.", "is_published": True, **STAMPS},
        },
        {
            "model": "minutes.minutes",
            "pk": 2,
            "fields": {"date": "2019-05-08", "content": "Twice?", "is_published": True},
        },
        {"model": "minutes.minutes", "pk": 3, "fields": {"date": "someday", "content": "x"}},
    ]
    async with transaction(sessionmaker) as session:
        report, _ = await importer.run(session, objects)
    assert sorted((f.label, f.pk) for f in report.failures) == [
        ("minutes.minutes", 2),
        ("minutes.minutes", 3),
    ]
    assert (await db_conn.fetchval("SELECT content_html FROM minutes WHERE id=1")).strip() == "<p>Met.</p>"
    async with transaction(sessionmaker) as session:
        again, _ = await importer.run(session, objects[:1])
    assert sum(again.written.values()) == 0
    # Rows without timestamps (they get "now") are not rewritten by a second run either.
    bare = [{"model": "minutes.minutes", "pk": 9, "fields": {"date": "2020-02-02", "content": "No stamps."}}]
    async with transaction(sessionmaker) as session:
        await importer.run(session, bare)
    async with transaction(sessionmaker) as session:
        again, _ = await importer.run(session, bare)
    assert sum(again.written.values()) == 0
