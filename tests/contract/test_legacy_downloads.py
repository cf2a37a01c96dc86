"""python.org's API tests (inventory 4.6), run against /api/v1/ and /api/v2/ on its fixture."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.contract.conftest import FTP, Fixture

SITE = "https://www.python.org"


def _items(version: str, response: Any) -> list[dict[str, Any]]:
    body = response.json()
    return body["objects"] if version == "v1" else body


def _staff(version: str, dl: Fixture) -> dict[str, str]:
    return dl.staff_v1 if version == "v1" else dl.staff_v2


def _user(version: str, dl: Fixture) -> dict[str, str]:
    return dl.user_v1 if version == "v1" else dl.user_v2


def _uri(version: str, resource: str, pk: int) -> str:
    path = f"/api/{version}/{resource}/{pk}/"
    return path if version == "v1" else SITE + path


def _list(version: str, resource: str, query: str = "") -> str:
    # v1 paginates 20 per page by default; ask for everything like a client listing it all.
    sep = "&" if query else ""
    return (
        f"/api/{version}/{resource}/?{query}{sep}limit=0"
        if version == "v1"
        else (f"/api/{version}/{resource}/" + (f"?{query}" if query else ""))
    )


VERSIONS = ["v1", "v2"]


@pytest.mark.parametrize("version", VERSIONS)
async def test_invalid_credentials_are_401_on_get_and_delete(client: Any, dl: Fixture, version: str) -> None:
    bad = {"Authorization": "ApiKey staffkey:nope" if version == "v1" else "Token nope"}
    r = await client.get(f"/api/{version}/downloads/os/", headers=bad)
    assert r.status_code == 401
    r = await client.delete(f"/api/{version}/downloads/os/{dl.os['linux']}/", headers=bad)
    assert r.status_code == 401


@pytest.mark.parametrize("version", VERSIONS)
async def test_os_list_and_filters(client: Any, dl: Fixture, version: str) -> None:
    r = await client.get(_list(version, "downloads/os"))
    items = _items(version, r)
    # Ordered by name in the database's collation (python.org's test pins only the first).
    assert sorted(o["name"] for o in items) == ["Linux", "Windows", "macOS"]
    first = items[0]
    assert first["resource_uri"] == _uri(version, "downloads/os", dl.os["linux"])
    assert set(first) == {"name", "slug", "resource_uri"}
    for query, count in [("name=Linux&slug=linux", 1), ("name=Spam", 0), ("name=linu", 0), ("name=LINUX", 0)]:
        r = await client.get(_list(version, "downloads/os", query))
        assert len(_items(version, r)) == count, query


@pytest.mark.parametrize("version", VERSIONS)
async def test_os_create_and_delete(client: Any, dl: Fixture, db_conn: Any, version: str) -> None:
    url = f"/api/{version}/downloads/os/"
    body = {"name": "Android", "slug": "android"}
    r = await client.post(url, json=body)
    assert r.status_code == 401
    r = await client.post(url, json=body, headers=_user(version, dl))
    assert r.status_code == (401 if version == "v1" else 403)
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_os") == 3
    r = await client.post(url, json=body, headers=_staff(version, dl))
    assert r.status_code == 201, r.text
    location = r.headers["Location"]
    r = await client.get(location.removeprefix(SITE))
    assert r.json()["slug"] == "android"
    pk = await db_conn.fetchval("SELECT id FROM downloads_os WHERE slug='android'")
    r = await client.delete(f"{url}{pk}/")
    assert r.status_code == 401
    r = await client.delete(f"{url}{pk}/", headers=_staff(version, dl))
    assert r.status_code == 204
    r = await client.get(f"{url}{pk}/")
    assert r.status_code == 404
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_os WHERE slug='android'") == 0


@pytest.mark.parametrize("version", VERSIONS)
async def test_release_visibility(client: Any, dl: Fixture, version: str) -> None:
    anonymous = _items(version, await client.get(_list(version, "downloads/release")))
    assert len(anonymous) == 7
    assert "Python 9.7.2" not in {r["name"] for r in anonymous}
    staff = _items(
        version, await client.get(_list(version, "downloads/release"), headers=_staff(version, dl))
    )
    assert len(staff) == 8
    assert anonymous[0]["is_latest"] is False  # ordered by name: "Python 0.0.0" first
    draft = dl.releases["Python 9.7.2"]
    r = await client.get(f"/api/{version}/downloads/release/{draft}/")
    assert r.status_code == (401 if version == "v1" else 404)
    r = await client.get(f"/api/{version}/downloads/release/{draft}/", headers=_staff(version, dl))
    assert r.status_code == 200


@pytest.mark.parametrize("version", VERSIONS)
async def test_release_create_with_page_and_latest(
    client: Any, dl: Fixture, db_conn: Any, version: str
) -> None:
    body = {
        "name": "Python 2.7.6",
        "slug": "python-276",
        "version": 2,
        "is_latest": True,
        "release_page": _uri(version, "pages/page", dl.page),
    }
    url = f"/api/{version}/downloads/release/"
    assert (await client.post(url, json=body)).status_code == 401
    r = await client.post(url, json=body, headers=_staff(version, dl))
    assert r.status_code == 201, r.text
    pk = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    row = await db_conn.fetchrow("SELECT * FROM downloads_releases WHERE id=$1", pk)
    assert row["is_latest"] is True and row["is_published"] is False
    assert row["release_page_id"] == dl.page
    # An unpublished latest does not demote the published one (appendix B.5).
    assert (
        await db_conn.fetchval("SELECT is_latest FROM downloads_releases WHERE name='Python 2.7.5'") is True
    )
    r = await client.get(f"{url}{pk}/")
    assert r.status_code == (401 if version == "v1" else 404)
    r = await client.get(f"{url}{pk}/", headers=_staff(version, dl))
    body = r.json()
    assert body["name"] == "Python 2.7.6" and body["is_latest"] is True
    assert body["release_page"] == _uri(version, "pages/page", dl.page)
    r = await client.delete(f"{url}{pk}/", headers=_staff(version, dl))
    assert r.status_code == 204
    assert (await client.get(f"{url}{pk}/", headers=_staff(version, dl))).status_code == 404


@pytest.mark.parametrize("version", VERSIONS)
async def test_release_filter_pre_release(client: Any, dl: Fixture, version: str) -> None:
    value = "True" if version == "v1" else "true"
    (item,) = _items(version, await client.get(_list(version, "downloads/release", f"pre_release={value}")))
    assert item["name"] == "Python 3.9.90"
    assert item["is_published"] is True and item["pre_release"] is True
    assert item["show_on_download_page"] is True and item["version"] == 3
    assert item["release_notes_url"] == ""


@pytest.mark.parametrize("version", VERSIONS)
async def test_release_datetimes(client: Any, dl: Fixture, version: str) -> None:
    (item,) = _items(version, await client.get(_list(version, "downloads/release", "slug=python-31019")))
    expected = "2025-10-09T00:00:00" if version == "v1" else "2025-10-09T00:00:00Z"
    assert item["release_date"] == expected


@pytest.mark.parametrize("version", VERSIONS)
async def test_release_files(client: Any, dl: Fixture, version: str) -> None:
    items = _items(version, await client.get(_list(version, "downloads/release_file")))
    assert len(items) == 5  # including the draft release's file, as python.org does
    pk = dl.files["XZ compressed source tarball"]
    r = await client.get(f"/api/{version}/downloads/release_file/{pk}/")
    body = r.json()
    assert body["filesize"] == 12345678 and body["gpg_signature_file"] == ""
    assert body["os"] == _uri(version, "downloads/os", dl.os["linux"])
    assert (await client.get(f"/api/{version}/downloads/release_file/999999/")).status_code == 404
    if version == "v2":
        keys = list(body)
        assert keys.index("resource_uri") == keys.index("download_button") + 1


@pytest.mark.parametrize("version", VERSIONS)
async def test_release_file_create_rules(client: Any, dl: Fixture, db_conn: Any, version: str) -> None:
    url = f"/api/{version}/downloads/release_file/"
    artifact = FTP + "3.10.19/python-3.10.19.exe"
    body = {
        "name": "Windows installer",
        "slug": "python-31019-exe",
        "os": _uri(version, "downloads/os", dl.os["windows"]),
        "release": _uri(version, "downloads/release", dl.releases["Python 3.10.19"]),
        "url": artifact,
        "md5_sum": "a" * 32,
        "filesize": 42,
        "download_button": True,
    }
    assert (await client.post(url, json=body)).status_code == 401
    r = await client.post(
        url, json={**body, "url": "http://www.python.org/ftp/x.exe"}, headers=_staff(version, dl)
    )
    assert r.status_code == 400
    message = ["Release file URLs must begin with 'https://www.python.org/'."]
    errors = r.json()["downloads/release_file"] if version == "v1" else r.json()
    assert errors["url"] == message
    r = await client.post(
        url, json={**body, "gpg_signature_file": FTP + "other.exe.asc"}, headers=_staff(version, dl)
    )
    assert r.status_code == 400
    errors = r.json()["downloads/release_file"] if version == "v1" else r.json()
    assert errors["gpg_signature_file"] == ["Sidecar URL must match the artifact URL plus '.asc'."]
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_release_files") == 5
    r = await client.post(
        url, json={**body, "gpg_signature_file": artifact + ".asc"}, headers=_staff(version, dl)
    )
    assert r.status_code == 201, r.text
    pk = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    row = await db_conn.fetchrow("SELECT * FROM downloads_release_files WHERE id=$1", pk)
    assert row["gpg_signature_file"] == artifact + ".asc" and row["filesize"] == 42
    # A second download button for the same OS and release is refused.
    r = await client.post(
        url, json={**body, "url": artifact + "2", "slug": "other"}, headers=_staff(version, dl)
    )
    assert r.status_code == 400
    if version == "v1":
        assert "Download button" in r.text
    else:  # DRF's UniqueTogetherValidator for the only_one_download_per_os_per_release constraint
        assert r.json() == {"non_field_errors": ["The fields os, release must make a unique set."]}
    # PUT: v1 refuses the method; v2 validates like POST.
    r = await client.put(
        f"{url}{pk}/", json={**body, "url": "http://www.python.org/x"}, headers=_staff(version, dl)
    )
    if version == "v1":
        assert r.status_code == 405
    else:
        assert r.status_code == 400 and r.json()["url"] == message
    r = await client.delete(f"{url}{pk}/")
    assert r.status_code == 401
    r = await client.delete(f"{url}{pk}/", headers=_staff(version, dl))
    assert r.status_code == 204
    assert (await client.get(f"{url}{pk}/")).status_code == 404


@pytest.mark.parametrize("version", VERSIONS)
async def test_release_file_filters(client: Any, dl: Fixture, version: str) -> None:
    r = await client.get(f"/api/{version}/downloads/release_file/?description=windows")
    assert r.status_code == 400
    message = "'exact' is not an allowed filter on the 'description' field."
    assert (r.json()["error"] == message) if version == "v1" else (r.json() == {"error": [message]})
    rel = dl.releases["Python 2.7.5"]
    for query, count in [
        ("description__contains=Windows", 2),
        ("name=Mac OS X 64-bit/32-bit installer", 1),
        (f"os={dl.os['windows']}", 2),
        (f"release={rel}", 4),
        (f"release={rel}&os={dl.os['macos']}", 1),
        (f"release={dl.releases['Python 9.7.2']}", 1),
    ]:
        r = await client.get(_list(version, "downloads/release_file", query))
        assert r.status_code == 200, (query, r.text)
        assert len(_items(version, r)) == count, query


async def test_v1_filters_across_relations_and_release_date(client: Any, dl: Fixture) -> None:
    r = await client.get("/api/v1/downloads/release_file/?os__slug=windows&limit=0")
    assert len(r.json()["objects"]) == 2
    r = await client.get("/api/v1/downloads/release_file/?release__name=Python+2.7.5&limit=0")
    assert len(r.json()["objects"]) == 4
    r = await client.get("/api/v1/downloads/release_file/?os__slug__startswith=win")
    assert r.status_code == 400
    assert r.json() == {"error": "'startswith' is not an allowed filter on the 'slug' field."}
    # python.org rejected every release_date lookup (appendix B.17); we answer them.
    r = await client.get("/api/v1/downloads/release/?release_date__gte=2025-01-01&limit=0")
    assert r.status_code == 200
    assert {o["name"] for o in r.json()["objects"]} == {"Python 3.9.90", "Python 3.10.19", "Python 3.10.18"}
    r = await client.get("/api/v1/downloads/release/?release_date__year=2024")
    assert {o["name"] for o in r.json()["objects"]} == {"Python 3.8.20", "Python 3.8.19"}
    r = await client.get("/api/v1/downloads/release/?version__startswith=2")
    assert [o["name"] for o in r.json()["objects"]] == ["Python 2.7.5"]
    r = await client.get("/api/v1/downloads/release/?release_date=garbage")
    assert r.status_code == 400
    # Parameters that are not fields are ignored; fields without filtering are refused.
    r = await client.get("/api/v1/downloads/release/?spam=1&limit=0")
    assert len(r.json()["objects"]) == 7
    r = await client.get("/api/v1/downloads/release/?release_notes_url=x")
    assert r.json() == {"error": "The 'release_notes_url' field does not allow filtering."}


async def test_v1_pagination(client: Any, dl: Fixture) -> None:
    r = await client.get("/api/v1/downloads/release/?limit=3&offset=2")
    body = r.json()
    assert body["meta"] == {
        "limit": 3,
        "offset": 2,
        "total_count": 7,
        "next": "/api/v1/downloads/release/?limit=3&offset=5",
        "previous": None,  # Tastypie: no previous page unless offset - limit >= 0
    }
    assert len(body["objects"]) == 3
    r = await client.get("/api/v1/downloads/release/?limit=3&offset=4")
    assert r.json()["meta"]["previous"] == "/api/v1/downloads/release/?limit=3&offset=1"
    r = await client.get("/api/v1/downloads/release/")
    assert r.json()["meta"]["limit"] == 20 and r.json()["meta"]["next"] is None
    r = await client.get("/api/v1/downloads/release/?limit=0")
    assert r.json()["meta"]["limit"] == 1000
    for bad in ("limit=-1", "limit=x", "offset=-5", "offset=y"):
        r = await client.get(f"/api/v1/downloads/release/?{bad}")
        assert r.status_code == 400 and "error" in r.json(), bad


async def test_v1_methods_and_bulk_delete(client: Any, dl: Fixture, db_conn: Any) -> None:
    staff = dl.staff_v1
    for method in ("put", "patch"):
        r = await client.request(method.upper(), "/api/v1/downloads/os/", json={}, headers=staff)
        assert r.status_code == 405, method
    r = await client.delete("/api/v1/downloads/os/", headers=staff)
    assert r.status_code == 405
    rel = dl.releases["Python 2.7.5"]
    message = {"error": "Deleting release files requires exactly one 'release' filter."}
    for query in ("", f"?release={rel}&os={dl.os['windows']}", f"?release={rel}&release={rel}"):
        r = await client.delete(f"/api/v1/downloads/release_file/{query}", headers=staff)
        assert r.status_code == 400 and r.json() == message, query
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_release_files") == 5
    r = await client.delete(f"/api/v1/downloads/release_file/?release={rel}")
    assert r.status_code == 401
    r = await client.delete(f"/api/v1/downloads/release_file/?release={rel}", headers=staff)
    assert r.status_code == 204
    r = await client.get(f"/api/v1/downloads/release_file/?release={rel}")
    assert r.json()["objects"] == []
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_release_files") == 1


async def test_v1_index_schema_and_set(client: Any, dl: Fixture) -> None:
    r = await client.get("/api/v1/")
    assert r.json()["downloads/release"] == {
        "list_endpoint": "/api/v1/downloads/release/",
        "schema": "/api/v1/downloads/release/schema/",
    }
    r = await client.get("/api/v1/downloads/release/schema/")
    schema = r.json()
    assert schema["default_limit"] == 20 and "release_date" in schema["filtering"]
    assert schema["fields"]["release_page"]["type"] == "related"
    a, b = dl.os["linux"], dl.os["windows"]
    r = await client.get(f"/api/v1/downloads/os/set/{a};{b};99999/")
    body = r.json()
    assert [o["slug"] for o in body["objects"]] == ["linux", "windows"]
    assert body["not_found"] == ["99999"]


async def test_v1_session_staff_cannot_write(client: Any, dl: Fixture, actors: Any, db_conn: Any) -> None:
    from tests.helpers import PASSWORD

    r = await client.post(
        "/api/v3/auth/login", json={"login": "staffkey", "password": PASSWORD, "session": "cookie"}
    )
    assert r.status_code == 200
    csrf = r.json()["csrf_token"]
    r = await client.post("/api/v1/downloads/os/", json={"name": "X"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 401
    # A bearer token (not an API key) does not count as Tastypie's API-key authentication.
    r = await client.post("/api/v1/downloads/os/", json={"name": "X"}, headers=actors["staffer"].headers)
    assert r.status_code == 401
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_os") == 3
    client.cookies.clear()


async def test_v2_root_and_methods(client: Any, dl: Fixture) -> None:
    r = await client.get("/api/v2/")
    assert r.json()["downloads/release_file"] == f"{SITE}/api/v2/downloads/release_file/"
    r = await client.get("/api/v2/downloads/release_file/delete_by_release/")
    assert r.status_code == 405
    assert r.json() == {"detail": 'Method "GET" not allowed.'}
    assert r.headers["allow"] == "DELETE, OPTIONS"
    r = await client.delete("/api/v2/downloads/release_file/delete_by_release/?release=1")
    assert r.status_code == 401
    assert r.json() == {"detail": "Authentication credentials were not provided."}
    r = await client.delete("/api/v2/downloads/release_file/delete_by_release/?release=1", headers=dl.user_v2)
    assert r.status_code == 403
    assert r.json() == {"detail": "You do not have permission to perform this action."}
    for query in ("", "?release=", "?release=abc"):
        r = await client.delete(
            f"/api/v2/downloads/release_file/delete_by_release/{query}", headers=dl.staff_v2
        )
        assert r.status_code == 400, query
    r = await client.get("/api/v2/downloads/os.json")
    assert r.status_code == 200 and len(r.json()) == 3


async def test_v2_delete_by_release_ignores_other_params(client: Any, dl: Fixture, db_conn: Any) -> None:
    rel = dl.releases["Python 2.7.5"]
    r = await client.delete(
        f"/api/v2/downloads/release_file/delete_by_release/?release={rel}&os={dl.os['windows']}",
        headers=dl.staff_v2,
    )
    assert r.status_code == 204
    assert (
        await db_conn.fetchval("SELECT count(*) FROM downloads_release_files WHERE release_id=$1", rel) == 0
    )
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_release_files") == 1


async def test_v2_pages_read_only(client: Any, dl: Fixture, db_conn: Any) -> None:
    r = await client.get("/api/v2/pages/page/")
    (page,) = r.json()
    assert page["path"] == "download/releases/2.7.5"
    assert page["content"] == "<p>x</p>\n"
    assert set(page) == {
        "title",
        "path",
        "keywords",
        "description",
        "content",
        "is_published",
        "template_name",
        "resource_uri",
    }
    r = await client.post("/api/v2/pages/page/", json={"title": "x", "path": "x"})
    assert r.status_code == 401
    r = await client.post("/api/v2/pages/page/", json={"title": "x", "path": "x"}, headers=dl.staff_v2)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD, OPTIONS"
    r = await client.delete(f"/api/v2/pages/page/{dl.page}/", headers=dl.staff_v2)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD, OPTIONS"
    r = await client.get("/api/v2/pages/page/?keywords__icontains=PYTHON&bogus=1")
    assert r.status_code == 400
    assert r.json() == {"error": ["'exact' is not an allowed filter on the 'bogus' field."]}
    assert await db_conn.fetchval("SELECT count(*) FROM pages") == 1


async def test_v2_throttles(settings: Any, mailer: Any, dl: Fixture) -> None:
    import msgspec
    from litestar.testing import AsyncTestClient

    from pydotorg.app import create_app

    tight = msgspec.structs.replace(settings, v2_throttle_anon="1/86400", v2_throttle_user="2/86400")
    async with AsyncTestClient(app=create_app(tight, mailer=mailer, configure_logs=False)) as c:
        assert (await c.get("/api/v2/downloads/os/")).status_code == 200
        r = await c.get("/api/v2/downloads/os/")
        assert r.status_code == 429
        assert r.json()["detail"].startswith("Request was throttled. Expected available in ")
        assert int(r.headers["retry-after"]) > 0
        for _ in range(2):
            assert (await c.get("/api/v2/downloads/os/", headers=dl.user_v2)).status_code == 200
        assert (await c.get("/api/v2/downloads/os/", headers=dl.user_v2)).status_code == 429


async def test_v1_throttle(settings: Any, mailer: Any, dl: Fixture) -> None:
    import msgspec
    from litestar.testing import AsyncTestClient

    from pydotorg.app import create_app

    tight = msgspec.structs.replace(settings, v1_throttle="2/3600")
    async with AsyncTestClient(app=create_app(tight, mailer=mailer, configure_logs=False)) as c:
        for _ in range(2):
            assert (await c.get("/api/v1/downloads/os/")).status_code == 200
        r = await c.get("/api/v1/downloads/os/")
        assert r.status_code == 429 and r.content == b""
        # Another identity (an API-key user) has its own budget.
        assert (await c.get("/api/v1/downloads/os/", headers=dl.staff_v1)).status_code == 200


async def test_v2_validation_errors(client: Any, dl: Fixture) -> None:
    r = await client.post("/api/v2/downloads/release_file/", json={}, headers=dl.staff_v2)
    assert r.status_code == 400
    assert set(r.json()) == {"name", "os", "release", "url"}
    r = await client.post(
        "/api/v2/downloads/release/", json={"name": "Python 4.0.0", "version": 7}, headers=dl.staff_v2
    )
    assert r.status_code == 400 and "version" in r.json()
    r = await client.post(
        "/api/v2/downloads/release_file/",
        content=b"{not json",
        headers={**dl.staff_v2, "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    r = await client.get("/api/v2/downloads/release/?is_published=maybe")
    assert r.status_code == 400 and "is_published" in r.json()
    r = await client.patch(
        f"/api/v2/downloads/release/{dl.releases['Python 3.8.19']}/",
        json={"release_notes_url": "https://docs.python.org/3.8/"},
        headers=dl.staff_v2,
    )
    assert r.status_code == 200
    assert r.json()["release_notes_url"] == "https://docs.python.org/3.8/"
    r = await client.post(
        "/api/v2/downloads/os/",
        content=json.dumps({"name": "A" * 300}),
        headers={**dl.staff_v2, "Content-Type": "application/json"},
    )
    assert r.status_code == 400 and "name" in r.json()


async def test_v1_pages(client: Any, dl: Fixture, db_conn: Any) -> None:
    r = await client.get("/api/v1/pages/page/")
    (page,) = r.json()["objects"]
    assert page["path"] == "download/releases/2.7.5" and page["content"] == "<p>x</p>\n"
    assert page["resource_uri"] == f"/api/v1/pages/page/{dl.page}/"
    body = {"title": "Draft", "path": "drafts/one", "content": "<p onclick='x'>hi</p>", "is_published": False}
    assert (await client.post("/api/v1/pages/page/", json=body, headers=dl.user_v1)).status_code == 401
    r = await client.post("/api/v1/pages/page/", json=body, headers=dl.staff_v1)
    assert r.status_code == 201
    pk = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert await db_conn.fetchval("SELECT content_html FROM pages WHERE id=$1", pk) == "<p>hi</p>"
    assert (await client.get(f"/api/v1/pages/page/{pk}/")).status_code == 401  # unpublished
    r = await client.get("/api/v1/pages/page/?is_published=false", headers=dl.staff_v1)
    assert [p["path"] for p in r.json()["objects"]] == ["drafts/one"]
    r = await client.get("/api/v1/pages/page/?keywords__icontains=x&title=Draft")
    assert r.json()["objects"] == []
    assert (await client.delete(f"/api/v1/pages/page/{pk}/", headers=dl.staff_v1)).status_code == 204
    assert await db_conn.fetchval("SELECT count(*) FROM pages WHERE id=$1", pk) == 0
