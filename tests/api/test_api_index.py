"""``GET /api/v3/``: the index of the v3 resources, read from the app's routes; and the schema
browser at ``/api/schema``, which loads Swagger UI from the API itself, never from a CDN."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from pydotorg.core.apidocs import swagger_static_dir


async def test_the_v3_root_lists_every_documented_resource(client: Any) -> None:
    r = await client.get("/api/v3/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    index = r.json()
    assert index["docs"] == "/api/schema" and index["schema"] == "/api/schema/openapi.json"
    resources = {item["name"]: item for item in index["resources"]}
    # Generated from the routes: the same first segments as the OpenAPI document's v3 paths.
    schema = (await client.get(index["schema"])).json()
    expected = {p.split("/")[3] for p in schema["paths"] if p.startswith("/api/v3/") and p.split("/")[3]}
    assert set(resources) == expected
    assert {"downloads", "pages", "jobs", "events", "auth", "users"} <= set(resources)
    assert resources["downloads"]["url"] == "/api/v3/downloads"
    assert resources["downloads"]["docs"] == "/api/schema/swagger#/downloads"
    assert resources["groups"]["docs"] == "/api/schema/swagger#/users"  # its tag
    assert resources["work-groups"]["docs"] == "/api/schema/swagger#/work%20groups"
    assert "GET" in resources["pages"]["methods"] and "POST" in resources["pages"]["methods"]
    assert "HEAD" not in resources["pages"]["methods"]
    # Public, and the same without the trailing slash.
    assert (await client.get("/api/v3")).json() == index


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href"} and value:
                self.urls.append(value)


async def test_the_schema_browser_loads_only_same_origin_files(client: Any) -> None:
    for page in ("/api/schema", "/api/schema/swagger"):
        r = await client.get(page)
        assert r.status_code == 200 and "SwaggerUIBundle" in r.text
        refs = _Refs()
        refs.feed(r.text)
        assert len(refs.urls) == 4, refs.urls  # the favicon, the CSS and two scripts
        assert not re.search(r"https?://", r.text.split("<body")[0]), "the page's head names another origin"
        for url in refs.urls:
            assert url.startswith("/api/static/swagger-ui/"), url
            asset = await client.get(url)
            assert asset.status_code == 200, url
            name = url.rsplit("/", 1)[1]
            assert asset.content == (swagger_static_dir() / name).read_bytes()
            expected_type = {"js": "text/javascript", "css": "text/css", "png": "image/png"}[
                name.rsplit(".", 1)[1]
            ]
            assert asset.headers["content-type"].startswith(expected_type)
            assert "immutable" in asset.headers["cache-control"]
            # The API sends no Content-Security-Policy of its own: nothing refuses these files.
            assert "content-security-policy" not in asset.headers
        assert "content-security-policy" not in r.headers


async def test_only_the_pages_files_are_served(client: Any) -> None:
    page = (await client.get("/api/schema")).text
    bundle = re.search(r'src="(/api/static/swagger-ui/[^"]+/)swagger-ui-bundle\.js"', page)
    assert bundle is not None
    base = bundle.group(1)
    for name in (
        "swagger-editor-bundle.js",
        "swagger-ui-bundle.js.map",
        "../../../../etc/passwd",
        "index.css",
    ):
        assert (await client.get(base + name)).status_code == 404, name
    assert (await client.get("/api/static/swagger-ui/0.0.1/swagger-ui-bundle.js")).status_code == 404
