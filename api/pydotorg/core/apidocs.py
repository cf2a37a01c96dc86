"""The API's front door: ``GET /api/v3/`` (an index of the v3 resources, read from the app's own
routes) and the schema browser at ``/api/schema`` with Swagger UI's files served by the API
itself from the ``swagger-ui-py`` wheel (pinned in uv.lock), so the docs work offline and load
nothing from a CDN."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import OpenAPIRenderPlugin, SwaggerRenderPlugin
from litestar.params import FromPath
from litestar.response import File

V3_PREFIX = "/api/v3/"
SCHEMA_PATH = "/api/schema"
SWAGGER_PATH = f"{SCHEMA_PATH}/swagger"
ASSETS_PATH = "/api/static/swagger-ui"
# What the Swagger page loads: nothing else of the package (its editor, source maps) is served.
SWAGGER_FILES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
ONE_YEAR = 365 * 24 * 3600


def swagger_static_dir() -> Path:
    """Where the installed ``swagger-ui-py`` keeps Swagger UI's dist files (found without
    importing the package, which would load its framework adapters)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed (uv sync)")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def swagger_version() -> str:
    """The package's version: part of the assets' URLs, so a new wheel is a new URL and the
    files can be cached for good."""
    return importlib.metadata.version("swagger-ui-py")


def asset_url(name: str) -> str:
    return f"{ASSETS_PATH}/{swagger_version()}/{name}"


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """Swagger UI at ``/api/schema`` and ``/api/schema/swagger``, from same-origin URLs only
    (the favicon too: Litestar's default one is on a CDN)."""
    return [
        SwaggerRenderPlugin(
            path=["/", "/swagger"],
            js_url=asset_url("swagger-ui-bundle.js"),
            css_url=asset_url("swagger-ui.css"),
            standalone_preset_js_url=asset_url("swagger-ui-standalone-preset.js"),
            favicon=f"<link rel='icon' type='image/png' href='{asset_url('favicon-32x32.png')}'>",
        )
    ]


@get(f"{ASSETS_PATH}/{{version:str}}/{{name:str}}", include_in_schema=False, sync_to_thread=False)
def swagger_asset(version: FromPath[str], name: FromPath[str]) -> File:
    """One of Swagger UI's files; only this wheel's version and the files the page loads."""
    media_type = SWAGGER_FILES.get(name)
    if media_type is None or version != swagger_version():
        raise NotFoundException()
    return File(
        swagger_static_dir() / name,
        media_type=media_type,
        content_disposition_type="inline",
        headers={"Cache-Control": f"public, max-age={ONE_YEAR}, immutable"},
    )


class Resource(msgspec.Struct):
    name: str
    url: str
    docs: str
    methods: list[str]


class ApiIndex(msgspec.Struct):
    version: str
    docs: str
    schema: str
    resources: list[Resource]


def api_resources(routes: Any) -> list[Resource]:
    """The v3 resources: the first path segment under ``/api/v3/`` of every documented route,
    with the methods it answers and a link to its section of the Swagger page (its tag)."""
    methods: dict[str, set[str]] = {}
    tags: dict[str, str] = {}
    for route in routes:
        path = getattr(route, "path", "")
        name = path.removeprefix(V3_PREFIX).split("/", 1)[0]
        if not path.startswith(V3_PREFIX) or not name or "{" in name:
            continue
        for handler in getattr(route, "route_handlers", ()):
            if not handler.resolve_include_in_schema():
                continue
            methods.setdefault(name, set()).update(
                m for m in handler.http_methods if m not in {"HEAD", "OPTIONS"}
            )
            handler_tags = handler.resolve_tags()
            if handler_tags and name not in tags:
                tags[name] = handler_tags[0]
    return [
        Resource(
            name=name,
            url=f"{V3_PREFIX}{name}",
            docs=f"{SWAGGER_PATH}#/{tags.get(name, name).replace(' ', '%20')}",
            methods=sorted(found),
        )
        for name, found in sorted(methods.items())
        if found
    ]


class ApiIndexController(Controller):
    path = V3_PREFIX.rstrip("/")
    tags = ["index"]

    @get(
        "/",
        operation_id="api_index",
        summary="The v3 resources, each with its URL and its part of the API docs (public)",
    )
    async def index(self, request: Request[Any, Any, Any]) -> Response[ApiIndex]:
        state = request.app.state
        index: ApiIndex | None = state.get("api_index")
        if index is None:  # the routes are fixed once the app is built
            version = request.app.openapi_config.version if request.app.openapi_config else ""
            index = ApiIndex(
                version, SCHEMA_PATH, f"{SCHEMA_PATH}/openapi.json", api_resources(request.app.routes)
            )
            state["api_index"] = index
        return Response(index, headers={"Cache-Control": "public, max-age=300"})
