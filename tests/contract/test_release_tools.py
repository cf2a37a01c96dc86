"""Replays how CPython's release tooling (python/release-tools ``add_to_pydotorg.py``) talks to
/api/v1/: the exact URLs, headers and bodies it sends, and what it reads back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pydotorg.core.db import transaction
from pydotorg.domains.downloads import services as downloads
from pydotorg.domains.users.services import create_api_key

BASE = "/api/v1/"


@pytest.fixture
async def setup(actors: Any, sessionmaker: Any) -> dict[str, Any]:
    rm = await actors.create("hugo", staff=True)
    async with transaction(sessionmaker) as s:
        _, key = await create_api_key(s, rm.user_id, "release", key="f" * 40, origin="tastypie")
        ids = {}
        for name, slug in (
            ("Windows", "windows"),
            ("macOS", "macos"),
            ("Source release", "source"),
        ):
            ids[slug] = (await downloads.save_os(s, {"name": name, "slug": slug})).id
        release = await downloads.save_release(
            s,
            {"name": "Python 3.14.0rc2", "version": 3, "is_published": False, "pre_release": True},
        )
        old = await downloads.save_release_file(
            s,
            {
                "name": "stale",
                "os_id": ids["source"],
                "release_id": release.id,
                "url": "https://www.python.org/ftp/python/3.14.0/stale.tgz",
            },
        )
    return {"auth": f"hugo:{key}", "release": release.id, "os": ids, "stale": old.id}


def _session_headers(auth: str) -> dict[str, str]:
    return {"Authorization": f"ApiKey {auth}", "Content-Type": "application/json"}


async def test_add_to_pydotorg_flow(client: Any, setup: dict[str, Any], db_conn: Any) -> None:
    headers = _session_headers(setup["auth"])
    # query_object(base_url, "release", name="Python+" + rel): the '+' is a space.
    r = await client.get(f"{BASE}downloads/release/?name=Python+3.14.0rc2", headers=headers)
    assert r.status_code == 200
    obj = json.loads(r.text)["objects"][0]
    rel_pk = int(obj["resource_uri"].strip("/").split("/")[-1])
    assert rel_pk == setup["release"]
    r = await client.get(f"{BASE}downloads/os/?slug=source", headers=headers)
    os_pk = int(json.loads(r.text)["objects"][0]["resource_uri"].strip("/").split("/")[-1])
    assert os_pk == setup["os"]["source"]

    r = await client.delete(f"{BASE}downloads/release_file/?release={rel_pk}", headers=headers)
    assert r.status_code == 204
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_release_files") == 0

    url = "https://www.python.org/ftp/python/3.14.0/Python-3.14.0rc2.tar.xz"
    file_dict = {
        "name": "XZ compressed source tarball",
        "slug": "3140-rc2-XZ-compressed-source-tarball",
        "os": f"/api/v1/downloads/os/{os_pk}/",
        "release": f"/api/v1/downloads/release/{rel_pk}/",
        "description": "",
        "is_source": True,
        "url": url,
        "sha256_sum": "a" * 64,
        "filesize": 22_000_000,
        "download_button": True,
        "gpg_signature_file": url + ".asc",
        "sigstore_bundle_file": url + ".sigstore",
        "sbom_spdx2_file": url + ".spdx.json",
    }
    r = await client.post(f"{BASE}downloads/release_file/", content=json.dumps(file_dict), headers=headers)
    assert r.status_code == 201, r.text
    assert r.content == b""
    pk = int(r.headers["Location"].strip("/").split("/")[-1])
    row = await db_conn.fetchrow("SELECT * FROM downloads_release_files WHERE id=$1", pk)
    assert row["url"] == url and row["release_id"] == rel_pk and row["os_id"] == os_pk
    assert row["download_button"] is True and row["filesize"] == 22_000_000
    assert row["sigstore_bundle_file"] == url + ".sigstore"
    # The detail is readable at the Location, in Tastypie's shape.
    r = await client.get(r.headers["Location"], headers=headers)
    body = r.json()
    assert list(body) == sorted(body)
    assert body["os"] == f"/api/v1/downloads/os/{os_pk}/"
    assert body["resource_uri"] == f"/api/v1/downloads/release_file/{pk}/"

    # Running the script again deletes and recreates: the second run is the same.
    r = await client.delete(f"{BASE}downloads/release_file/?release={rel_pk}", headers=headers)
    assert r.status_code == 204
    r = await client.post(f"{BASE}downloads/release_file/", content=json.dumps(file_dict), headers=headers)
    assert r.status_code == 201
    assert await db_conn.fetchval("SELECT count(*) FROM downloads_release_files") == 1


async def test_release_tools_errors_are_reported_not_500(client: Any, setup: dict[str, Any]) -> None:
    headers = _session_headers(setup["auth"])
    bad = {
        "name": "x",
        "os": f"/api/v1/downloads/os/{setup['os']['source']}/",
        "release": f"/api/v1/downloads/release/{setup['release']}/",
        "url": "http://www.python.org/ftp/python/x.tgz",
    }
    r = await client.post(f"{BASE}downloads/release_file/", content=json.dumps(bad), headers=headers)
    assert r.status_code == 400
    assert r.json() == {
        "downloads/release_file": {"url": ["Release file URLs must begin with 'https://www.python.org/'."]}
    }
    bad["url"] = "https://www.python.org/ftp/python/x.tgz"
    bad["gpg_signature_file"] = "https://www.python.org/ftp/python/y.tgz.asc"
    r = await client.post(f"{BASE}downloads/release_file/", content=json.dumps(bad), headers=headers)
    assert r.status_code == 400
    assert r.json()["downloads/release_file"]["gpg_signature_file"] == [
        "Sidecar URL must match the artifact URL plus '.asc'."
    ]
    # A non-staff key cannot write.
    r = await client.get(f"{BASE}downloads/release/?name=Python+3.99.0", headers=headers)
    assert r.json()["objects"] == []
