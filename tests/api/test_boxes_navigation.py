"""/api/v3/boxes/ and /api/v3/navigation/: permission matrices, sanitized box markup, menu
rules (URL names, safe links, parents in the same tree, no cycles), and the import of
python.org's real boxes and menu."""

from __future__ import annotations

import json
from typing import Any

from pydotorg.core.db import transaction
from pydotorg.dev.paths import PYTHON_ORG_DATA
from pydotorg.django_import import importer
from tests.helpers import check_permission_matrix

REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403}
DATA = PYTHON_ORG_DATA


async def _import(sessionmaker: Any, *names: str) -> importer.Report:
    objects: list[Any] = []
    for name in names:
        objects.extend(json.loads((DATA / name).read_text()))
    async with transaction(sessionmaker) as session:
        report, unknown = await importer.run(session, objects)
    assert not unknown
    return report


async def _ready(request: Any) -> Any:
    return request


async def test_box_matrix_sanitizing_and_labels(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("editor", permissions=("boxes.add_box", "boxes.change_box"))
    await actors.create("remover", permissions=("boxes.delete_box",))
    body = {
        "label": "homepage-introduction",
        "content_markup_type": "html",
        "content": '<p class="intro">Hi<script>x()</script><a href="javascript:y()" onclick="z()">a</a></p>',
    }
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "editor": 201, "root": 201},
        # label is unique: the superuser creates its own box.
        lambda caller: _ready(
            ("POST", "/api/v3/boxes", {**body, "label": "root-box"} if caller == "root" else body)
        ),
    )
    box = r["editor"].json()
    assert await db_conn.execute("DELETE FROM boxes WHERE label='root-box'") == "DELETE 1"
    stored = await db_conn.fetchrow("SELECT content, content_html FROM boxes WHERE id=$1", box["id"])
    assert stored["content"] == body["content"]
    assert (
        stored["content_html"]
        == box["content_html"]
        == '<p class="intro">Hi<a rel="noopener noreferrer">a</a></p>'
    )
    # Public reads, by id and by label.
    assert (await client.get(f"/api/v3/boxes/{box['id']}")).json()["label"] == "homepage-introduction"
    assert (await client.get("/api/v3/boxes/label/homepage-introduction")).json()["id"] == box["id"]
    assert (await client.get("/api/v3/boxes/label/nope")).status_code == 404
    # A second box with the same label is a conflict naming the field; nothing is written.
    dup = await client.post("/api/v3/boxes", headers=actors["editor"].headers, json=body)
    assert dup.status_code == 409 and "label" in dup.text
    assert await db_conn.fetchval("SELECT count(*) FROM boxes") == 1
    bad = await client.post(
        "/api/v3/boxes", headers=actors["editor"].headers, json={"label": "no spaces", "content": ""}
    )
    assert bad.status_code == 400 and "label" in bad.text
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "remover": 403, "editor": 200, "root": 200},
        ("PATCH", f"/api/v3/boxes/{box['id']}", {"content": "*hello*", "content_markup_type": "markdown"}),
    )
    assert await db_conn.fetchval("SELECT content_html FROM boxes WHERE id=$1", box["id"]) == (
        "<p><em>hello</em></p>"
    )
    changes = await db_conn.fetch("SELECT domain, kind, object_id FROM changes ORDER BY cursor")
    assert [(c["domain"], c["kind"], c["object_id"]) for c in changes][-1] == ("boxes", "box", str(box["id"]))

    async def remove(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", f"/api/v3/boxes/{box['id']}", None)
        spare = await client.post(
            "/api/v3/boxes", headers=actors["editor"].headers, json={"label": "spare", "content": "x"}
        )
        assert spare.status_code == 201
        return ("DELETE", f"/api/v3/boxes/{spare.json()['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "editor": 403, "remover": 204, "root": 204},
        remove,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM boxes") == 0


async def test_real_boxes_and_menu_import(client: Any, clean: None, sessionmaker: Any, db_conn: Any) -> None:
    report = await _import(sessionmaker, "boxes.json", "sitetree_menus.json")
    assert report.ok, report.failures
    assert dict(report.counts) == {"boxes.box": 63, "sitetree.tree": 1, "sitetree.treeitem": 115}
    assert await db_conn.fetchval("SELECT count(*) FROM boxes") == 63
    assert await db_conn.fetchval("SELECT count(*) FROM nav_items") == 115
    again = await _import(sessionmaker, "boxes.json", "sitetree_menus.json")
    assert sum(again.written.values()) == 0  # a second run changes nothing
    # Sequences follow the imported keys: a new box gets a fresh id.
    listing = (await client.get("/api/v3/boxes?limit=100")).json()
    assert listing["meta"]["total"] == 63
    labels = {b["label"] for b in listing["data"]}
    assert {"homepage-introduction", "supernav-python-about", "download-pgp"} <= labels
    about = (await client.get("/api/v3/boxes/label/supernav-python-about")).json()
    assert 'class="tier-2 super-navigation"' in about["content_html"]
    tree = (await client.get("/api/v3/navigation/trees/main")).json()
    assert tree["title"] == "Python.org" and len(tree["items"]) == 115
    by_id = {i["id"]: i for i in tree["items"]}
    assert by_id[1]["href"] == "/" and by_id[1]["alias"] == "python-meta"  # URL name "home"
    assert by_id[8]["href"] == "/downloads/" and by_id[5]["href"] == "/jobs/"
    assert by_id[124]["href"] == "/downloads/android/" and by_id[124]["parent_id"] == 8
    assert by_id[14]["in_menu"] is False and by_id[51]["hidden"] is True
    top = [i["title"] for i in tree["items"] if i["parent_id"] is None]
    assert top == ["Python", "PSF", "Docs", "PyPI", "Jobs", "Community"]
    python = [i["title"] for i in tree["items"] if i["parent_id"] == 1]
    assert python == [
        "About",
        "Downloads",
        "Documentation",
        "Community",
        "Success Stories",
        "News",
        "Events",
        "Contributing",
    ]


async def test_menu_rules_and_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("navigator", permissions=("navigation.change_menu",))
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "navigator": 201, "root": 201},
        # alias is unique: the superuser creates the second tree.
        lambda caller: _ready(
            (
                "POST",
                "/api/v3/navigation/trees",
                {"alias": "other", "title": "Other"}
                if caller == "root"
                else {"alias": "main", "title": "Python.org"},
            )
        ),
    )
    assert r["navigator"].json()["alias"] == "main" and r["root"].json()["alias"] == "other"
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "navigator": 201, "root": 201},
        (
            "POST",
            "/api/v3/navigation/items",
            {"tree": "main", "title": "Python", "url": "home", "url_as_pattern": True},
        ),
    )
    top = r["navigator"].json()
    assert await db_conn.execute("DELETE FROM nav_items WHERE id=$1", r["root"].json()["id"]) == "DELETE 1"
    assert top["href"] == "/" and top["tree"] == "main"
    h = actors["navigator"].headers

    async def item(**body: Any) -> Any:
        return await client.post("/api/v3/navigation/items", headers=h, json={"tree": "main", **body})

    child = (await item(title="Downloads", url="/downloads/", parent_id=top["id"])).json()
    grandchild = (await item(title="Windows", url="/downloads/windows/", parent_id=child["id"])).json()
    rows_before = await db_conn.fetchval("SELECT count(*) FROM nav_items")
    cases = [
        ({"title": "X", "url": "javascript:alert(1)"}, "url"),
        ({"title": "X", "url": "nope:name", "url_as_pattern": True}, "Unknown URL name"),
        ({"title": "X", "url": "/x/", "parent_id": 999999}, "parent_id"),
        ({"tree": "missing", "title": "X", "url": "/x/"}, "tree"),
        ({"title": "X", "url": "/x/", "unknown": 1}, "unknown"),
    ]
    for body, needle in cases:
        bad = await item(**body)
        assert bad.status_code == 400 and needle in bad.text, (body, bad.text)
    other_parent = await client.post(
        "/api/v3/navigation/items",
        headers=h,
        json={"tree": "other", "title": "Y", "url": "/y/", "parent_id": top["id"]},
    )
    assert other_parent.status_code == 400 and "parent_id" in other_parent.text
    # No cycles: an item cannot move under itself or its descendants.
    for parent in (top["id"], grandchild["id"]):
        cyc = await client.patch(
            f"/api/v3/navigation/items/{top['id']}", headers=h, json={"parent_id": parent}
        )
        assert cyc.status_code == 400 and "under itself" in cyc.text
    assert await db_conn.fetchval("SELECT count(*) FROM nav_items") == rows_before
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "navigator": 200, "root": 200},
        ("PATCH", f"/api/v3/navigation/items/{child['id']}", {"title": "Get Python", "sort_order": 3}),
    )
    assert await db_conn.fetchval("SELECT title FROM nav_items WHERE id=$1", child["id"]) == "Get Python"

    async def remove(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", f"/api/v3/navigation/items/{child['id']}", None)
        spare = await item(title="Spare", url="/spare/")
        assert spare.status_code == 201
        return ("DELETE", f"/api/v3/navigation/items/{spare.json()['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**REFUSED, "navigator": 204, "root": 204},
        remove,
    )
    # The subtree goes with it.
    assert await db_conn.fetchval("SELECT count(*) FROM nav_items") == 1
    tree = (await client.get("/api/v3/navigation/trees/main")).json()
    assert [i["title"] for i in tree["items"]] == ["Python"]
    assert (await client.get("/api/v3/navigation/trees/missing")).status_code == 404
