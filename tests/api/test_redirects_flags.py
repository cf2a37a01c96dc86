"""/api/v3/redirects and /api/v3/flags: permission matrices, the redirect rules, waffle's flag
rules for each kind of caller, and the Django import of both (python.org's real flags.json)."""

from __future__ import annotations

import json
import zlib
from datetime import datetime
from typing import Any

import pytest

from pydotorg.core.db import transaction
from pydotorg.dev.paths import PYTHON_ORG_DATA
from pydotorg.django_import import importer
from tests.helpers import check_permission_matrix, db_fingerprint


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403}
FLAGS_JSON = PYTHON_ORG_DATA / "flags.json"


async def _refused_without_writing(
    client: Any, db_conn: Any, headers: dict[str, str], method: str, url: str, body: Any, field: str
) -> Any:
    before = await db_fingerprint(db_conn)
    r = await client.request(method, url, headers=headers, json=body)
    assert r.status_code == 400, (body, r.status_code, r.text)
    assert field in r.text, (body, r.text)
    assert await db_fingerprint(db_conn) == before, body
    return r


async def _ready(request: Any) -> Any:
    return request


# --- redirects ----------------------------------------------------------------------------------


async def test_redirect_matrix_reads_and_feed(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("editor", permissions=("redirects.add_redirect", "redirects.change_redirect"))
    await actors.create("remover", permissions=("redirects.delete_redirect",))
    body = {"old_path": "/about/old/", "new_path": "/about/"}

    def create(caller: str) -> Any:
        # old_path is unique: the superuser creates its own.
        sent = {**body, "old_path": "/root/old/"} if caller == "root" else body
        return _ready(("POST", "/api/v3/redirects", sent))

    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "editor": 201, "root": 201},
        create,
    )
    redirect = r["editor"].json()
    assert await db_conn.execute("DELETE FROM redirects WHERE id=$1", r["root"].json()["id"]) == "DELETE 1"
    stored = await db_conn.fetchrow("SELECT old_path, new_path FROM redirects WHERE id=$1", redirect["id"])
    assert dict(stored) == body
    feed = await db_conn.fetch(
        "SELECT domain, kind, object_id, action FROM changes WHERE domain = 'redirects' AND object_id=$1",
        str(redirect["id"]),
    )
    assert [tuple(c) for c in feed] == [("redirects", "redirect", str(redirect["id"]), "created")]
    editor = actors["editor"].headers
    gone = await client.post("/api/v3/redirects", headers=editor, json={"old_path": "/gone/"})
    assert gone.status_code == 201 and gone.json()["new_path"] == ""  # empty: 410 Gone
    url = await client.post(
        "/api/v3/redirects",
        headers=editor,
        json={"old_path": "/b/", "new_path": "https://docs.python.org/3/"},
    )
    assert url.status_code == 201
    # Public reads, ordered by old path; the filter is exact.
    listed = (await client.get("/api/v3/redirects")).json()
    assert [x["old_path"] for x in listed["data"]] == ["/about/old/", "/b/", "/gone/"]
    assert listed["meta"] == {"total": 3, "limit": 100, "offset": 0}
    page = (await client.get("/api/v3/redirects?limit=1&offset=1")).json()
    assert [x["old_path"] for x in page["data"]] == ["/b/"] and page["meta"]["total"] == 3
    one = (await client.get("/api/v3/redirects", params={"old_path": "/gone/"})).json()["data"]
    assert [x["id"] for x in one] == [gone.json()["id"]]
    assert (await client.get("/api/v3/redirects", params={"old_path": "/gone"})).json()["data"] == []
    read = await client.get(f"/api/v3/redirects/{redirect['id']}")
    assert read.status_code == 200 and read.json()["new_path"] == "/about/"
    assert (await client.get("/api/v3/redirects/999999")).status_code == 404

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "editor": 200, "root": 200},
        ("PATCH", f"/api/v3/redirects/{redirect['id']}", {"new_path": "/about/new/"}),
    )
    stored = await db_conn.fetchrow("SELECT old_path, new_path FROM redirects WHERE id=$1", redirect["id"])
    assert dict(stored) == {"old_path": "/about/old/", "new_path": "/about/new/"}

    async def remove(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", f"/api/v3/redirects/{redirect['id']}", None)
        spare = await client.post("/api/v3/redirects", headers=editor, json={"old_path": "/spare/"})
        assert spare.status_code == 201
        return ("DELETE", f"/api/v3/redirects/{spare.json()['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "editor": 403, "remover": 204, "root": 204},
        remove,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM redirects WHERE id=$1", redirect["id"]) == 0
    actions = await db_conn.fetch(
        "SELECT action FROM changes WHERE object_id=$1 AND domain='redirects' ORDER BY cursor",
        str(redirect["id"]),
    )
    assert [a["action"] for a in actions] == ["created", "updated", "deleted"]


BAD_REDIRECTS = [
    ({"old_path": "about/"}, "old_path"),  # not a path
    ({"old_path": "/" + "a" * 200}, "old_path"),  # 201 characters
    ({"old_path": "/a b/"}, "old_path"),
    ({"old_path": "/a\tb/"}, "old_path"),
    ({"old_path": "/search?q=x"}, "old_path"),
    ({"old_path": "/page#part"}, "old_path"),
    ({"old_path": "/"}, "old_path"),
    ({"old_path": "/api/v3/flags"}, "old_path"),
    ({"old_path": "/api/"}, "old_path"),
    ({"old_path": "/x/", "new_path": "about/"}, "new_path"),
    ({"old_path": "/x/", "new_path": "javascript:alert(1)"}, "new_path"),
    ({"old_path": "/x/", "new_path": "ftp://example.org/"}, "new_path"),
    ({"old_path": "/x/", "new_path": "//evil.example/"}, "new_path"),
    ({"old_path": "/x/", "new_path": "https://"}, "new_path"),
    ({"old_path": "/x/", "new_path": "/a b/"}, "new_path"),
    ({"old_path": "/x/", "new_path": "/" + "b" * 200}, "new_path"),
    ({"old_path": "/x/", "new_path": "/x/"}, "new_path"),  # to itself
]


@pytest.mark.parametrize(("body", "field"), BAD_REDIRECTS)
async def test_redirect_rules_refuse_and_write_nothing(
    client: Any, actors: Any, db_conn: Any, body: dict[str, str], field: str
) -> None:
    editor = await actors.create(
        "editor", permissions=("redirects.add_redirect", "redirects.change_redirect")
    )
    await _refused_without_writing(client, db_conn, editor.headers, "POST", "/api/v3/redirects", body, field)
    existing = await client.post("/api/v3/redirects", headers=editor.headers, json={"old_path": "/ok/"})
    assert existing.status_code == 201
    url = f"/api/v3/redirects/{existing.json()['id']}"
    await _refused_without_writing(client, db_conn, editor.headers, "PATCH", url, body, field)


async def test_redirect_duplicates_and_patch_rules(client: Any, actors: Any, db_conn: Any) -> None:
    editor = (
        await actors.create("editor", permissions=("redirects.add_redirect", "redirects.change_redirect"))
    ).headers
    first = (
        await client.post("/api/v3/redirects", headers=editor, json={"old_path": "/a/", "new_path": "/b/"})
    ).json()
    second = (await client.post("/api/v3/redirects", headers=editor, json={"old_path": "/c/"})).json()
    before = await db_fingerprint(db_conn)
    # Django's message; the house rule for "already exists" is a 409 (as slugs and usernames).
    dup = await client.post("/api/v3/redirects", headers=editor, json={"old_path": "/a/", "new_path": "/z/"})
    assert dup.status_code == 409, dup.text
    assert dup.json()["extra"] == {"old_path": ["Redirect with this Old path already exists."]}
    moved = await client.patch(f"/api/v3/redirects/{second['id']}", headers=editor, json={"old_path": "/a/"})
    assert moved.status_code == 409
    # A PATCH is checked against the stored row: new_path alone may not equal the stored old_path.
    loop = await client.patch(f"/api/v3/redirects/{first['id']}", headers=editor, json={"new_path": "/a/"})
    assert loop.status_code == 400 and "new_path" in loop.json()["extra"]
    unknown = await client.post("/api/v3/redirects", headers=editor, json={"old_path": "/d/", "site": 2})
    assert unknown.status_code == 400
    assert await db_fingerprint(db_conn) == before
    # Keeping its own old path is not a duplicate of itself.
    same = await client.patch(f"/api/v3/redirects/{first['id']}", headers=editor, json={"old_path": "/a/"})
    assert same.status_code == 200
    assert (await client.patch("/api/v3/redirects/999999", headers=editor, json={})).status_code == 404


async def test_redirect_import_skips_other_sites(clean: None, sessionmaker: Any, db_conn: Any) -> None:
    objects = [
        {
            "model": "redirects.redirect",
            "pk": 4,
            "fields": {"site": 1, "old_path": "/old/", "new_path": "/new/"},
        },
        {"model": "redirects.redirect", "pk": 5, "fields": {"site": 1, "old_path": "/dead/", "new_path": ""}},
        {"model": "redirects.redirect", "pk": 6, "fields": {"site": 2, "old_path": "/x/", "new_path": "/y/"}},
        {
            "model": "redirects.redirect",
            "pk": 7,
            "fields": {"site": 1, "old_path": "/q?a=1", "new_path": "/"},
        },
    ]
    async with transaction(sessionmaker) as session:
        report, unknown = await importer.run(session, objects)
    assert not unknown
    failures = {f.pk: f.reason for f in report.failures}
    assert failures.keys() == {6, 7}
    assert failures[6] == "site 2 is not python.org's site 1"
    assert "old_path" in failures[7]
    rows = await db_conn.fetch("SELECT id, old_path, new_path FROM redirects ORDER BY id")
    assert [tuple(r) for r in rows] == [(4, "/old/", "/new/"), (5, "/dead/", "")]
    assert report.written["redirects.redirect"] == 2
    assert await db_conn.fetchval("SELECT count(*) FROM changes WHERE domain='redirects'") == 2
    async with transaction(sessionmaker) as session:
        again, _ = await importer.run(session, objects)
    assert sum(again.written.values()) == 0
    assert await db_conn.fetchval("SELECT count(*) FROM changes WHERE domain='redirects'") == 2
    # Primary keys are kept and the sequence follows them.
    assert await db_conn.fetchval("SELECT nextval(pg_get_serial_sequence('redirects', 'id'))") == 6


# --- flags --------------------------------------------------------------------------------------


async def _group(client: Any, root: Any, name: str, *members: Any) -> int:
    r = await client.post("/api/v3/groups", headers=root.headers, json={"name": name})
    assert r.status_code == 201, r.text
    for member in members:
        g = await client.put(
            f"/api/v3/users/id/{member.user_id}/grants", headers=root.headers, json={"groups": [name]}
        )
        assert g.status_code == 200, g.text
    return int(r.json()["id"])


async def test_flag_matrices(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("creator", permissions=("flags.add_flag",))
    changer = await actors.create("changer", permissions=("flags.change_flag",))
    await actors.create("remover", permissions=("flags.delete_flag",))
    body = {"name": "new-menu", "note": "The new menu", "staff": True, "users": [changer.user_id]}
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "changer": 403, "remover": 403, "creator": 201, "root": 201},
        # name is unique: the superuser creates its own flag.
        lambda caller: _ready(("POST", "/api/v3/flags", {"name": "root-menu"} if caller == "root" else body)),
    )
    flag = r["creator"].json()
    assert await db_conn.execute("DELETE FROM feature_flags WHERE name='root-menu'") == "DELETE 1"
    assert flag["everyone"] is None and flag["superusers"] is True and flag["percent"] is None
    assert flag["users"] == [changer.user_id] and flag["groups"] == []
    stored = await db_conn.fetchrow("SELECT name, note, staff, superusers, everyone FROM feature_flags")
    assert dict(stored) == {
        "name": "new-menu",
        "note": "The new menu",
        "staff": True,
        "superusers": True,
        "everyone": None,
    }
    assert (
        await db_conn.fetchval("SELECT user_id FROM feature_flag_users WHERE flag_id=$1", flag["id"])
        == changer.user_id
    )

    # Reads: staff or flags.change_flag; nobody else.
    reads = {
        "anonymous": 401,
        "ordinary": 403,
        "creator": 403,
        "remover": 403,
        "staffer": 200,
        "changer": 200,
        "root": 200,
    }
    r = await check_permission_matrix(client, db_conn, actors.callers, reads, ("GET", "/api/v3/flags", None))
    assert [f["name"] for f in r["staffer"].json()["data"]] == ["new-menu"]
    r = await check_permission_matrix(
        client, db_conn, actors.callers, reads, ("GET", "/api/v3/flags/new-menu", None)
    )
    assert r["changer"].json() == flag
    assert (await client.get("/api/v3/flags/nope", headers=changer.headers)).status_code == 404

    root = actors["root"]
    group_id = await _group(client, root, "beta", actors["ordinary"])
    patch = {
        "everyone": False,
        "percent": 12.5,
        "users": [],
        "groups": [group_id],
        "testing": True,
        "rollout": True,
        "languages": "en,de",
    }
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "creator": 403, "remover": 403, "changer": 200, "root": 200},
        ("PATCH", "/api/v3/flags/new-menu", patch),
    )
    changed = r["changer"].json()
    assert changed["percent"] == 12.5 and changed["users"] == [] and changed["groups"] == [group_id]
    assert _when(changed["modified"]) > _when(flag["modified"]) and changed["created"] == flag["created"]
    stored = await db_conn.fetchrow(
        "SELECT everyone, percent::text AS percent, testing, rollout, languages FROM feature_flags"
    )
    assert dict(stored) == {
        "everyone": False,
        "percent": "12.5",
        "testing": True,
        "rollout": True,
        "languages": "en,de",
    }
    assert await db_conn.fetchval("SELECT count(*) FROM feature_flag_users") == 0
    assert await db_conn.fetchval("SELECT group_id FROM feature_flag_groups") == group_id
    # Only the links change: the flag's modified moves and the change feed hears of it.
    feed = await db_conn.fetchval("SELECT count(*) FROM changes WHERE domain='flags'")
    r = await client.patch(
        "/api/v3/flags/new-menu", headers=changer.headers, json={"users": [changer.user_id]}
    )
    assert r.status_code == 200 and _when(r.json()["modified"]) > _when(changed["modified"])
    assert await db_conn.fetchval("SELECT count(*) FROM changes WHERE domain='flags'") == feed + 1
    # A PATCH that changes nothing writes nothing.
    before = await db_fingerprint(db_conn)
    same = await client.patch(
        "/api/v3/flags/new-menu", headers=changer.headers, json={"users": [changer.user_id], "percent": 12.5}
    )
    assert same.status_code == 200 and await db_fingerprint(db_conn) == before

    async def spare_flag(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", "/api/v3/flags/new-menu", None)
        spare = await client.post("/api/v3/flags", headers=root.headers, json={"name": "spare"})
        assert spare.status_code == 201
        return ("DELETE", "/api/v3/flags/spare", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "creator": 403, "changer": 403, "remover": 204, "root": 204},
        spare_flag,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM feature_flags") == 0
    assert await db_conn.fetchval("SELECT count(*) FROM feature_flag_groups") == 0
    assert await db_conn.fetchval("SELECT count(*) FROM feature_flag_users") == 0
    assert await db_conn.fetchval("SELECT count(*) FROM groups WHERE id=$1", group_id) == 1
    assert (await client.delete("/api/v3/flags/new-menu", headers=root.headers)).status_code == 404


async def test_flag_rules_refuse_and_write_nothing(client: Any, actors: Any, db_conn: Any) -> None:
    root = actors["root"].headers
    r = await client.post("/api/v3/flags", headers=root, json={"name": "kept"})
    assert r.status_code == 201
    for body, field in [
        ({"name": "two words"}, "name"),
        ({"name": "a/b"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "p", "percent": 12.34}, "percent"),
        ({"name": "p", "percent": 100}, "percent"),
        ({"name": "p", "percent": -1}, "percent"),
        ({"name": "p", "users": [999999]}, "users"),
        ({"name": "p", "groups": [999999]}, "groups"),
        ({"name": "p", "everyone": "yes"}, "everyone"),
    ]:
        await _refused_without_writing(client, db_conn, root, "POST", "/api/v3/flags", body, field)
    for body, field in [
        ({"name": "renamed"}, "name"),  # the name is how code refers to a flag: not changeable
        ({"percent": 0.05}, "percent"),
        ({"users": [999999]}, "users"),
        ({"groups": [1, 999999]}, "groups"),
    ]:
        await _refused_without_writing(client, db_conn, root, "PATCH", "/api/v3/flags/kept", body, field)
    before = await db_fingerprint(db_conn)
    dup = await client.post("/api/v3/flags", headers=root, json={"name": "kept"})
    assert dup.status_code == 409 and dup.json()["extra"] == {"name": ["Flag with this Name already exists."]}
    assert await db_fingerprint(db_conn) == before
    assert (await client.patch("/api/v3/flags/missing", headers=root, json={})).status_code == 404


async def test_flag_active_for_each_caller(client: Any, actors: Any, db_conn: Any) -> None:
    root = actors["root"]
    listed = await actors.create("listed")
    member = await actors.create("member")
    group_id = await _group(client, root, "testers", member)

    async def set_flag(**fields: Any) -> None:
        r = await client.patch("/api/v3/flags/beta", headers=root.headers, json=fields)
        assert r.status_code == 200, r.text

    async def active() -> dict[str, bool]:
        out = {}
        for name in ("anonymous", "ordinary", "staffer", "root", "listed", "member"):
            r = await client.get("/api/v3/flags/beta/active", headers=actors[name].headers)
            assert r.status_code == 200, r.text
            assert r.json()["name"] == "beta"
            out[name] = r.json()["active"]
        return out

    assert (await client.get("/api/v3/flags/beta/active")).status_code == 404
    created = await client.post("/api/v3/flags", headers=root.headers, json={"name": "beta"})
    assert created.status_code == 201
    off = dict.fromkeys(("anonymous", "ordinary", "staffer", "root", "listed", "member"), False)
    # Waffle's defaults: superusers only.
    assert await active() == {**off, "root": True}
    await set_flag(superusers=False)
    assert await active() == off
    await set_flag(staff=True)
    assert await active() == {**off, "staffer": True, "root": True}  # superusers are staff here
    await set_flag(staff=False, authenticated=True)
    assert await active() == {**dict.fromkeys(off, True), "anonymous": False}
    await set_flag(authenticated=False, users=[listed.user_id], groups=[group_id])
    assert await active() == {**off, "listed": True, "member": True}
    # everyone decides before every other rule, both ways.
    await set_flag(everyone=True)
    assert await active() == dict.fromkeys(off, True)
    await set_flag(everyone=False, superusers=True, authenticated=True)
    assert await active() == off
    # rollout is stored, not evaluated; testing is waffle's testing mode.
    await set_flag(
        everyone=None, superusers=False, authenticated=False, users=[], groups=[], testing=True, rollout=True
    )
    assert await active() == off  # no switch sent: the other rules decide
    url = "/api/v3/flags/beta/active"
    r = await client.get(url, params={"dwft_beta": "1"})
    assert r.json() == {"name": "beta", "active": True}
    assert r.cookies.get("dwft_beta") == "True"
    assert r.headers["cache-control"] == "private, no-store"
    remembered = await client.get(url, headers={"Cookie": "dwft_beta=True"})
    assert remembered.json()["active"] is True and "set-cookie" not in remembered.headers
    assert remembered.headers["cache-control"] == "private, no-store"
    r = await client.get(url, params={"dwft_beta": "0"}, headers={"Cookie": "dwft_beta=True"})
    assert r.json()["active"] is False and r.cookies.get("dwft_beta") == "False"
    # everyone decides before the testing switch; without testing mode the switch is ignored.
    await set_flag(everyone=False)
    assert (await client.get(url, params={"dwft_beta": "1"})).json()["active"] is False
    await set_flag(everyone=None, testing=False)
    r = await client.get(url, params={"dwft_beta": "1"}, headers={"Cookie": "dwft_beta=True"})
    assert r.json()["active"] is False and "set-cookie" not in r.headers
    assert "private" not in r.headers.get("cache-control", "")

    # percent: a deterministic bucket of crc32("name:user_id") per logged-in user.
    ordinary = actors["ordinary"]
    bucket = zlib.crc32(f"beta:{ordinary.user_id}".encode()) % 1000
    below, above = bucket / 10, (bucket + 1) / 10
    if above <= 99.9:
        await set_flag(percent=above)
        for _ in range(3):  # the same answer every time
            r = await client.get("/api/v3/flags/beta/active", headers=ordinary.headers)
            assert r.json()["active"] is True
        anonymous = await client.get("/api/v3/flags/beta/active")
        assert anonymous.json()["active"] is False  # no user, no bucket
    await set_flag(percent=below)
    for _ in range(3):
        r = await client.get("/api/v3/flags/beta/active", headers=ordinary.headers)
        assert r.json()["active"] is False
    # Over many users the share is about the percentage, and each user's answer is stable.
    await set_flag(percent=50.0)
    buckets = {uid: zlib.crc32(f"beta:{uid}".encode()) % 1000 for uid in range(1, 2001)}
    assert 900 < sum(b < 500 for b in buckets.values()) < 1100
    for name in ("ordinary", "staffer", "listed", "member"):
        caller = actors[name]
        r = await client.get("/api/v3/flags/beta/active", headers=caller.headers)
        assert r.json()["active"] is (buckets[caller.user_id] < 500), name
    await set_flag(percent=0)
    assert await active() == off
    # An inactive account is not a logged-in user (Django's authentication refused it).
    await set_flag(percent=None, authenticated=True, superusers=True)
    gone = await actors.create("inactive", superuser=True)
    await db_conn.execute("UPDATE users SET is_active=false WHERE id=$1", gone.user_id)
    r = await client.get("/api/v3/flags/beta/active", headers=gone.headers)
    assert r.status_code == 401, r.text  # its credentials are refused: never "on" for it


async def test_flags_json_import(actors: Any, sessionmaker: Any, db_conn: Any, client: Any) -> None:
    objects = json.loads(FLAGS_JSON.read_text())
    async with transaction(sessionmaker) as session:
        report, unknown = await importer.run(session, objects)
    assert not unknown and report.ok, report.failures
    assert report.written["waffle.flag"] == 2
    rows = await db_conn.fetch(
        "SELECT id, name, everyone, percent, testing, superusers, staff, authenticated, rollout, "
        "languages, modified FROM feature_flags ORDER BY id"
    )
    assert [(r["id"], r["name"], r["everyone"], r["testing"], r["superusers"]) for r in rows] == [
        (1, "psf_membership", None, True, True),
        (2, "sponsorship-applications-open", True, False, False),
    ]
    assert rows[0]["modified"].isoformat() == "2017-03-22T01:45:42.077000+00:00"
    note = await db_conn.fetchval("SELECT note FROM feature_flags WHERE id=2")
    assert note.startswith("Controls if the application form")
    assert await db_conn.fetchval("SELECT count(*) FROM changes WHERE domain='flags'") == 2
    async with transaction(sessionmaker) as session:
        again, _ = await importer.run(session, objects)
    assert sum(again.written.values()) == 0 and again.ok
    assert await db_conn.fetchval("SELECT count(*) FROM changes WHERE domain='flags'") == 2
    # python.org's behaviour: membership for superusers only; sponsorship applications for all.
    for name, expected in (("anonymous", False), ("staffer", False), ("root", True)):
        r = await client.get("/api/v3/flags/psf_membership/active", headers=actors[name].headers)
        assert r.json() == {"name": "psf_membership", "active": expected}, name
    r = await client.get("/api/v3/flags/sponsorship-applications-open/active")
    assert r.json() == {"name": "sponsorship-applications-open", "active": True}


async def test_flag_import_links_users_and_groups(
    actors: Any, sessionmaker: Any, db_conn: Any, client: Any
) -> None:
    ordinary, staffer = actors["ordinary"], actors["staffer"]
    group_id = await _group(client, actors["root"], "sponsors-team")
    fields = {
        "name": "jobs_board_admin",
        "everyone": None,
        "percent": "2.5",
        "users": [ordinary.user_id, ["staffer"]],
        "groups": [group_id],
    }
    objects: list[dict[str, Any]] = [
        {"model": "waffle.flag", "pk": 9, "fields": fields},
        {"model": "waffle.flag", "pk": 10, "fields": {"name": "bad name"}},
        {"model": "waffle.flag", "pk": 11, "fields": {"name": "ghost", "users": [999999]}},
    ]
    async with transaction(sessionmaker) as session:
        report, _ = await importer.run(session, objects)
    failures = {f.pk: f.reason for f in report.failures}
    assert failures.keys() == {10, 11} and "999999" in failures[11]
    users = await db_conn.fetch("SELECT user_id FROM feature_flag_users WHERE flag_id=9 ORDER BY user_id")
    assert [u["user_id"] for u in users] == sorted([ordinary.user_id, staffer.user_id])
    assert await db_conn.fetchval("SELECT group_id FROM feature_flag_groups WHERE flag_id=9") == group_id
    assert await db_conn.fetchval("SELECT percent::text FROM feature_flags WHERE id=9") == "2.5"
    async with transaction(sessionmaker) as session:
        again, _ = await importer.run(session, objects[:1])
    assert sum(again.written.values()) == 0 and again.ok
    # A later dump with fewer users replaces the set.
    fewer = [{"model": "waffle.flag", "pk": 9, "fields": {**fields, "users": [ordinary.user_id]}}]
    feed = await db_conn.fetchval("SELECT count(*) FROM changes WHERE domain='flags'")
    async with transaction(sessionmaker) as session:
        third, _ = await importer.run(session, fewer)
    assert third.written["waffle.flag"] == 1
    assert await db_conn.fetchval("SELECT count(*) FROM feature_flag_users WHERE flag_id=9") == 1
    assert await db_conn.fetchval("SELECT count(*) FROM changes WHERE domain='flags'") == feed + 1
