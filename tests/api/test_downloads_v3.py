"""/api/v3/downloads/: CRUD with named permissions (the matrix for every write), visibility of
drafts, python.org's rules, and the one-call page views."""

from __future__ import annotations

from typing import Any

from tests.contract.conftest import FTP, Fixture, dl  # noqa: F401  (fixture)
from tests.helpers import check_permission_matrix

MATRIX_REFUSED = {"anonymous": 401, "ordinary": 403, "staffer": 403}


async def _ready(request: Any) -> Any:
    return request


async def test_os_write_matrix(client: Any, actors: Any, db_conn: Any) -> None:
    await actors.create("adder", permissions=("downloads.add_os",))
    await actors.create("changer", permissions=("downloads.change_os",))
    await actors.create("deleter", permissions=("downloads.delete_os",))
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**MATRIX_REFUSED, "changer": 403, "adder": 201, "root": 201},
        # The name (and its slug) is unique: the superuser adds its own.
        lambda caller: _ready(
            ("POST", "/api/v3/downloads/os", {"name": "macOS" if caller == "root" else "Windows"})
        ),
    )
    os_id = r["adder"].json()["id"]
    root_os = f"/api/v3/downloads/os/{r['root'].json()['id']}"
    assert (await client.delete(root_os, headers=actors["root"].headers)).status_code == 204
    assert await db_conn.fetchval("SELECT slug FROM downloads_os WHERE id=$1", os_id) == "windows"
    assert (
        await db_conn.fetchval("SELECT creator_id FROM downloads_os WHERE id=$1", os_id)
        == actors["adder"].user_id
    )
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**MATRIX_REFUSED, "adder": 403, "changer": 200, "root": 200},
        ("PATCH", f"/api/v3/downloads/os/{os_id}", {"name": "Microsoft Windows"}),
    )
    row = await db_conn.fetchrow("SELECT name, last_modified_by_id FROM downloads_os WHERE id=$1", os_id)
    assert row["name"] == "Microsoft Windows" and row["last_modified_by_id"] == actors["changer"].user_id

    async def remove(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", f"/api/v3/downloads/os/{os_id}", None)
        spare = await client.post(
            "/api/v3/downloads/os", headers=actors["adder"].headers, json={"name": "Spare"}
        )
        assert spare.status_code == 201, spare.text
        return ("DELETE", f"/api/v3/downloads/os/{spare.json()['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**MATRIX_REFUSED, "changer": 403, "deleter": 204, "root": 204},
        remove,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_os") == 0
    r = await client.delete(f"/api/v3/downloads/os/{os_id}", headers=actors["root"].headers)
    assert r.status_code == 404


async def test_release_lifecycle_and_rules(client: Any, actors: Any, db_conn: Any) -> None:
    editor = await actors.create(
        "editor",
        permissions=("downloads.add_release", "downloads.change_release", "downloads.delete_release"),
    )
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**MATRIX_REFUSED, "editor": 201, "root": 201},
        # The name (and its slug) is unique: the superuser adds its own draft release.
        lambda caller: _ready(
            (
                "POST",
                "/api/v3/downloads/releases",
                {"name": "Python 0.9.0"}
                if caller == "root"
                else {
                    "name": "Python 3.14.1",
                    "is_published": True,
                    "is_latest": True,
                    "content": "**hi** <script>x</script>",
                },
            )
        ),
    )
    root_release = f"/api/v3/downloads/releases/{r['root'].json()['id']}"
    assert (await client.delete(root_release, headers=actors["root"].headers)).status_code == 204
    first = r["editor"].json()
    assert first["slug"] == "python-3141" and first["is_latest"] is True
    assert "<strong>hi</strong>" in first["content_html"] and "<script>" not in first["content_html"]
    r = await client.post(
        "/api/v3/downloads/releases",
        headers=editor.headers,
        json={"name": "Python 3.14.2", "is_published": True, "is_latest": True},
    )
    second = r.json()
    # Publishing a newer latest demotes the older one of the same version.
    assert (
        await db_conn.fetchval("SELECT is_latest FROM downloads_releases WHERE id=$1", first["id"]) is False
    )
    # A duplicate slug is a conflict; a bad version or unknown field is a 400 naming it.
    r = await client.post(
        "/api/v3/downloads/releases", headers=editor.headers, json={"name": "Python 3.14.2"}
    )
    assert r.status_code == 409 and "slug" in r.json()["extra"]
    for body, field in (
        ({"name": "x", "version": 4}, "version"),
        ({"name": "x", "spam": 1}, "spam"),
        ({"name": "x", "release_page_id": 99}, "release_page"),
    ):
        r = await client.post("/api/v3/downloads/releases", headers=editor.headers, json=body)
        assert r.status_code == 400 and field in r.text, body
    # Drafts are invisible to the public, visible to editors.
    r = await client.patch(
        f"/api/v3/downloads/releases/{second['id']}", headers=editor.headers, json={"is_published": False}
    )
    assert r.status_code == 200
    assert (await client.get(f"/api/v3/downloads/releases/{second['id']}")).status_code == 404
    r = await client.get("/api/v3/downloads/releases")
    assert [x["name"] for x in r.json()["data"]] == ["Python 3.14.1"]
    r = await client.get("/api/v3/downloads/releases", headers=editor.headers)
    assert r.json()["meta"]["total"] == 2

    async def remove(caller: str) -> Any:
        if caller != "root":
            return ("DELETE", f"/api/v3/downloads/releases/{first['id']}", None)
        spare = await client.post(
            "/api/v3/downloads/releases", headers=editor.headers, json={"name": "Python 0.0.1"}
        )
        assert spare.status_code == 201, spare.text
        return ("DELETE", f"/api/v3/downloads/releases/{spare.json()['id']}", None)

    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**MATRIX_REFUSED, "editor": 204, "root": 204},
        remove,
    )
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_releases") == 1


async def test_release_file_rules_and_matrix(client: Any, actors: Any, db_conn: Any, dl: Fixture) -> None:  # noqa: F811
    await actors.create(
        "filer",
        permissions=(
            "downloads.add_releasefile",
            "downloads.change_releasefile",
            "downloads.delete_releasefile",
        ),
    )
    release = dl.releases["Python 3.10.19"]
    url = FTP + "3.10.19/Python-3.10.19.tar.xz"
    body = {
        "name": "XZ tarball",
        "os_id": dl.os["linux"],
        "release_id": release,
        "url": url,
        "sbom_spdx2_file": url + ".spdx.json",
        "download_button": True,
    }
    root_url = FTP + "3.10.19/Python-3.10.19.tgz"
    root_file = {
        **body,
        "name": "Gzipped tarball",
        "url": root_url,
        "sbom_spdx2_file": root_url + ".spdx.json",
        "download_button": False,  # one download button per OS
    }
    r = await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**MATRIX_REFUSED, "filer": 201, "root": 201},
        # The URL (and slug) is unique: the superuser adds another artifact of the release.
        lambda caller: _ready(("POST", "/api/v3/downloads/files", root_file if caller == "root" else body)),
    )
    file_id = r["filer"].json()["id"]
    filer = actors["filer"].headers
    r = await client.post("/api/v3/downloads/files", headers=filer, json={**body, "download_button": False})
    assert r.status_code == 409  # same url (and slug)
    r = await client.patch(
        f"/api/v3/downloads/files/{file_id}", headers=filer, json={"sbom_spdx2_file": FTP + "x.spdx.json"}
    )
    assert r.status_code == 400
    assert r.json()["extra"]["sbom_spdx2_file"] == [
        "Sidecar URL must match the artifact URL plus '.spdx.json'."
    ]
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        {**MATRIX_REFUSED, "filer": 200, "root": 200},
        ("PATCH", f"/api/v3/downloads/files/{file_id}", {"filesize": 123}),
    )
    assert await db_conn.fetchval("SELECT filesize FROM downloads_release_files WHERE id=$1", file_id) == 123
    # Files of drafts are hidden from the public (python.org showed them: appendix B.1).
    draft_file = dl.files["Source tarball (9.7.2)"]
    assert (await client.get(f"/api/v3/downloads/files/{draft_file}")).status_code == 404
    r = await client.get("/api/v3/downloads/files?limit=1000")
    assert draft_file not in {f["id"] for f in r.json()["data"]}
    r = await client.get(f"/api/v3/downloads/files/{draft_file}", headers=actors["staffer"].headers)
    assert r.status_code == 200
    await check_permission_matrix(
        client,
        db_conn,
        actors.callers,
        # The superuser repeats the same bulk delete: allowed, with nothing left to delete.
        {**MATRIX_REFUSED, "filer": 200, "root": 200},
        ("DELETE", f"/api/v3/downloads/files?release_id={dl.releases['Python 2.7.5']}", None),
    )
    assert (
        await db_conn.fetchval(
            "SELECT count(*) FROM downloads_release_files WHERE release_id=$1", dl.releases["Python 2.7.5"]
        )
        == 0
    )


async def test_landing_view(client: Any, dl: Fixture) -> None:  # noqa: F811
    r = await client.get("/api/v3/downloads/landing")
    body = r.json()
    assert body["latest_python3"]["name"] == "Python 3.10.19"
    assert body["latest_python2"]["name"] == "Python 2.7.5"
    assert body["latest_pymanager"] is None
    # The "Looking for a specific release?" list: by version, hidden/draft/pre-releases left out.
    assert [x["name"] for x in body["releases"]] == [
        "Python 3.10.19",
        "Python 3.10.18",
        "Python 3.8.20",
        "Python 3.8.19",
        "Python 2.7.5",
    ]
    assert [x["name"] for x in body["active_series"]] == [
        "Python 3.10.19",
        "Python 3.9.90",
        "Python 3.8.20",
        "Python 0.0.0",
    ]
    assert body["featured"] == []  # the latest Python 3 has no download-button files here


async def test_os_releases_and_release_detail(client: Any, dl: Fixture) -> None:  # noqa: F811
    r = await client.get("/api/v3/downloads/os/slug/windows/releases")
    body = r.json()
    assert [g["release"]["name"] for g in body["stable"]] == ["Python 2.7.5"]
    assert [f["name"] for f in body["stable"][0]["files"]] == [
        "Windows x86 MSI Installer (2.7.5)",
        "Windows X86-64 MSI Installer (2.7.5)",
    ]
    assert (await client.get("/api/v3/downloads/os/slug/beos/releases")).status_code == 404
    r = await client.get("/api/v3/downloads/releases/slug/python-31018")
    assert r.json()["superseded_by"]["name"] == "Python 3.10.19"
    r = await client.get("/api/v3/downloads/releases/slug/python-275")
    detail = r.json()
    assert detail["superseded_by"] is None
    assert detail["files_by_os"][0]["os"]["slug"] == "linux"
    assert (await client.get("/api/v3/downloads/releases/slug/python-972")).status_code == 404
