"""openapi/legacy.yaml describes /api/v1/ and /api/v2/ as the app serves them: every route the app
registers under those prefixes is described (and nothing else), and the real responses to the
contract fixture (every list and detail of every resource, as a guest and as staff, plus writes
and errors) validate against the documented status codes and schemas."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from litestar.routes import HTTPRoute
from schemathesis.core.failures import FailureGroup

from tests.contract.conftest import FTP, Fixture

DESCRIPTION = Path(__file__).resolve().parents[2] / "openapi" / "legacy.yaml"
SITE = "https://www.python.org"
RESOURCES = ("pages/page", "downloads/os", "downloads/release", "downloads/release_file")
METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module")
def described() -> Any:
    return schemathesis.openapi.from_path(DESCRIPTION)


def _template(path: str) -> str:
    # Litestar stores paths without their trailing slash (it still serves and needs it).
    return re.sub(r"\{[^}]*\}", "{}", path).rstrip("/")


def conforms(described: Any, path: str, method: str, response: Any) -> None:
    """The status is documented for the operation and the body matches its schema."""
    operation = described[path][method]
    status = response.status_code
    assert operation.responses.find_by_status_code(status) is not None, (
        f"{method} {path}: {status} is not documented ({response.text[:200]})"
    )
    try:
        operation.validate_response(response)
    except FailureGroup as exc:
        raise AssertionError(f"{method} {path} -> {status}: {exc}") from None


def test_description_is_valid_openapi(described: Any) -> None:
    described.validate()  # OpenAPI 3.1's own schema
    ids = [
        op["operationId"]
        for item in described.raw_schema["paths"].values()
        for method, op in item.items()
        if method in METHODS
    ]
    assert len(ids) == len(set(ids))


def test_every_legacy_route_is_described(app: Any, described: Any) -> None:
    registered: dict[str, set[str]] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith(("/api/v1", "/api/v2")):
            registered.setdefault(_template(route.path), set()).update(m.lower() for m in route.methods)
    paths = described.raw_schema["paths"]
    documented = {_template(p): {m for m in item if m in METHODS} for p, item in paths.items()}
    assert sorted(documented) == sorted(registered)
    for path, methods in documented.items():
        assert methods, path
        assert methods <= registered[path], (path, methods - registered[path])
    # The legacy routes stay out of the v3 document Litestar publishes.
    assert not [p for p in app.openapi_schema.paths or {} if p.startswith(("/api/v1", "/api/v2"))]


def test_validation_rejects_what_the_description_does_not_allow(described: Any) -> None:
    """The schemas are strict: an unknown field, a missing one or a v2-style URI fails."""

    def response(status: int, body: Any) -> httpx.Response:
        request = httpx.Request("GET", "http://testserver/api/v1/downloads/os/1/")
        made = httpx.Response(status, json=body, request=request)
        made.elapsed = timedelta(0)
        return made

    detail = "/api/v1/downloads/os/{pk}/"
    good = {"name": "Linux", "slug": "linux", "resource_uri": "/api/v1/downloads/os/1/"}
    conforms(described, detail, "GET", response(200, good))
    for bad in (
        {**good, "extra": 1},
        {"name": "Linux", "resource_uri": "/api/v1/downloads/os/1/"},
        {**good, "resource_uri": f"{SITE}/api/v2/downloads/os/1/"},
    ):
        with pytest.raises(AssertionError):
            conforms(described, detail, "GET", response(200, bad))
    with pytest.raises(AssertionError, match="not documented"):
        conforms(described, detail, "GET", response(418, {}))


async def _files_of(db_conn: Any, release: int) -> int:
    return int(
        await db_conn.fetchval("SELECT count(*) FROM downloads_release_files WHERE release_id=$1", release)
    )


def _ids(dl: Fixture, resource: str) -> list[int]:
    return {
        "pages/page": [dl.page],
        "downloads/os": list(dl.os.values()),
        "downloads/release": list(dl.releases.values()),
        "downloads/release_file": list(dl.files.values()),
    }[resource]


@pytest.mark.parametrize("resource", RESOURCES)
async def test_v1_reads_conform(client: Any, dl: Fixture, described: Any, resource: str) -> None:
    base = f"/api/v1/{resource}/"
    for headers in ({}, dl.staff_v1):
        for query in ("", "?limit=2&offset=1", "?limit=0", "?format=json"):
            r = await client.get(base + query, headers=headers)
            assert r.status_code == 200 and r.json()["meta"]["total_count"], (resource, query)
            conforms(described, base, "GET", r)
        ids = _ids(dl, resource)
        for pk in ids:
            r = await client.get(f"{base}{pk}/", headers=headers)
            conforms(described, base + "{pk}/", "GET", r)
        r = await client.get(f"{base}set/{';'.join(map(str, ids))};99999/", headers=headers)
        assert r.json()["objects"] and "99999" in r.json()["not_found"]
        conforms(described, base + "set/{pks}/", "GET", r)
    # Staff see drafts; a guest gets 401 on an unpublished release.
    if resource == "downloads/release":
        draft = dl.releases["Python 9.7.2"]
        r = await client.get(f"{base}{draft}/")
        assert r.status_code == 401
        conforms(described, base + "{pk}/", "GET", r)
    r = await client.get(f"{base}99999/")
    assert r.status_code == 404
    conforms(described, base + "{pk}/", "GET", r)
    r = await client.get(f"{base}schema/")
    conforms(described, base + "schema/", "GET", r)
    r = await client.get(base + "?limit=x")
    assert r.status_code == 400
    conforms(described, base, "GET", r)


async def test_v1_index_filters_and_errors_conform(client: Any, dl: Fixture, described: Any) -> None:
    conforms(described, "/api/v1/", "GET", await client.get("/api/v1/"))
    base = "/api/v1/downloads/release_file/"
    for query in (
        "?os__slug=windows",
        f"?release={dl.releases['Python 2.7.5']}",
        "?release__name=Python+2.7.5&description__contains=Windows",
        "?release__release_date__gte=2013-01-01T00:00:00&os__isnull=false",
        f"?os__in={dl.os['windows']},{dl.os['linux']}",
    ):
        r = await client.get(base + query)
        assert r.status_code == 200 and r.json()["objects"], query
        conforms(described, base, "GET", r)
    r = await client.get("/api/v1/downloads/release/?release_notes_url=x")
    assert r.status_code == 400
    conforms(described, "/api/v1/downloads/release/", "GET", r)
    r = await client.get("/api/v1/downloads/os/", headers={"Authorization": "ApiKey staffkey:wrong"})
    assert r.status_code == 401
    conforms(described, "/api/v1/downloads/os/", "GET", r)


async def test_v1_writes_conform(client: Any, dl: Fixture, described: Any, db_conn: Any) -> None:
    base = "/api/v1/downloads/release_file/"
    body = {
        "name": "Source tarball (3.8.20)",
        "os": f"/api/v1/downloads/os/{dl.os['linux']}/",
        "release": f"/api/v1/downloads/release/{dl.releases['Python 3.8.20']}/",
        "url": FTP + "3.8.20/Python-3.8.20.tgz",
    }
    r = await client.post(base, json=body)
    assert r.status_code == 401
    conforms(described, base, "POST", r)
    r = await client.post(base, json=body, headers=dl.staff_v1)
    assert r.status_code == 201
    conforms(described, base, "POST", r)
    assert re.fullmatch(r"/api/v1/downloads/release_file/\d+/", r.headers["Location"])
    r = await client.post(base, json=body, headers=dl.staff_v1)  # the same URL again
    assert r.status_code == 400 and "url" in r.json()["downloads/release_file"]
    conforms(described, base, "POST", r)
    r = await client.post("/api/v1/downloads/os/", content=b"{not json", headers=dl.staff_v1)
    assert r.status_code == 400
    conforms(described, "/api/v1/downloads/os/", "POST", r)
    release = dl.releases["Python 3.8.20"]
    r = await client.delete(f"{base}?release={release}", headers=dl.staff_v1)
    assert r.status_code == 204
    conforms(described, base, "DELETE", r)
    assert await _files_of(db_conn, release) == 0
    r = await client.delete(f"{base}?os={dl.os['linux']}", headers=dl.staff_v1)
    assert r.status_code == 400
    conforms(described, base, "DELETE", r)
    pk = dl.os["macos"]
    r = await client.delete(f"/api/v1/downloads/os/{pk}/", headers=dl.staff_v1)
    assert r.status_code == 204
    conforms(described, "/api/v1/downloads/os/{pk}/", "DELETE", r)


@pytest.mark.parametrize("resource", RESOURCES)
async def test_v2_reads_conform(client: Any, dl: Fixture, described: Any, resource: str) -> None:
    base = f"/api/v2/{resource}/"
    for headers in ({}, dl.staff_v2):
        for path in (base, f"/api/v2/{resource}.json"):
            r = await client.get(path, headers=headers)
            assert r.status_code == 200 and r.json(), path
            conforms(described, path, "GET", r)
        for pk in _ids(dl, resource):
            r = await client.get(f"{base}{pk}/", headers=headers)
            conforms(described, base + "{pk}/", "GET", r)
    r = await client.get(f"{base}99999/")
    assert r.status_code == 404
    conforms(described, base + "{pk}/", "GET", r)


async def test_v2_root_filters_and_errors_conform(client: Any, dl: Fixture, described: Any) -> None:
    for path in ("/api/v2/", "/api/v2/.json"):
        conforms(described, path, "GET", await client.get(path))
    base = "/api/v2/downloads/release_file/"
    r = await client.get(f"{base}?os={dl.os['windows']}&release={dl.releases['Python 2.7.5']}")
    assert r.status_code == 200 and len(r.json()) == 2
    conforms(described, base, "GET", r)
    for query in ("?os=999", "?bogus=1"):
        r = await client.get(base + query)
        assert r.status_code == 400, query
        conforms(described, base, "GET", r)
    r = await client.get("/api/v2/downloads/release/?is_published=false", headers=dl.staff_v2)
    assert [o["name"] for o in r.json()] == ["Python 9.7.2"]
    conforms(described, "/api/v2/downloads/release/", "GET", r)
    r = await client.get("/api/v2/downloads/release/?version=7")
    assert r.status_code == 400
    conforms(described, "/api/v2/downloads/release/", "GET", r)
    r = await client.get("/api/v2/downloads/os/", headers={"Authorization": "Token wrong"})
    assert r.status_code == 401
    conforms(described, "/api/v2/downloads/os/", "GET", r)


async def test_v2_writes_conform(client: Any, dl: Fixture, described: Any, db_conn: Any) -> None:
    base = "/api/v2/downloads/release/"
    body = {"name": "Python 3.15.0", "version": 3}
    for headers, status in (({}, 401), (dl.user_v2, 403), (dl.staff_v2, 201), (dl.staff_v2, 400)):
        r = await client.post(base, json=body, headers=headers)
        assert r.status_code == status, r.text
        conforms(described, base, "POST", r)
    pk = await db_conn.fetchval("SELECT id FROM downloads_releases WHERE name='Python 3.15.0'")
    detail = f"{base}{{pk}}/"
    r = await client.patch(f"{base}{pk}/", json={"is_published": True}, headers=dl.staff_v2)
    assert r.status_code == 200 and r.json()["is_published"] is True
    conforms(described, detail, "PATCH", r)
    r = await client.put(f"{base}{pk}/", json={"name": "Python 3.15.1"}, headers=dl.staff_v2)
    assert r.status_code == 200 and r.json()["name"] == "Python 3.15.1"
    conforms(described, detail, "PUT", r)
    r = await client.put(f"{base}{pk}/", json={}, headers=dl.staff_v2)
    assert r.status_code == 400
    conforms(described, detail, "PUT", r)
    r = await client.patch(f"{base}{pk}/", content=b"{not json", headers=dl.staff_v2)
    assert r.status_code == 400
    conforms(described, detail, "PATCH", r)
    r = await client.delete(f"{base}{pk}/", headers=dl.staff_v2)
    assert r.status_code == 204
    conforms(described, detail, "DELETE", r)
    r = await client.delete(f"{base}{pk}/", headers=dl.staff_v2)
    assert r.status_code == 404
    conforms(described, detail, "DELETE", r)
    files = "/api/v2/downloads/release_file/"
    r = await client.post(
        files,
        json={
            "name": "Source tarball (3.8.20)",
            "os": f"{SITE}/api/v2/downloads/os/{dl.os['linux']}/",
            "release": f"/api/v2/downloads/release/{dl.releases['Python 3.8.20']}/",
            "url": FTP + "3.8.20/Python-3.8.20.tgz",
        },
        headers=dl.staff_v2,
    )
    assert r.status_code == 201
    conforms(described, files, "POST", r)
    assert r.headers["Location"] == r.json()["resource_uri"]
    by_release = files + "delete_by_release/"
    release = dl.releases["Python 3.8.20"]
    for query, status in (("?release=abc", 400), (f"?release={release}", 204)):
        r = await client.delete(by_release + query, headers=dl.staff_v2)
        assert r.status_code == status
        conforms(described, by_release, "DELETE", r)
    assert await _files_of(db_conn, release) == 0
