"""``/api/v2/``: python.org's Django REST Framework API, reproduced (inventory 2.2).

Bare JSON arrays (no pagination), absolute ``resource_uri``s and relation URLs built from the
configured site URL, ``Authorization: Token <key>``, ``IsStaffOrReadOnly`` status codes and
messages, strict filter sets for pages and release files, ``Z`` datetimes, and the anonymous and
per-user daily throttles. The sponsor endpoints (``sponsors/logo-placement/``,
``sponsors/sponsorship-assets/``) are in ``legacy/sponsors.py``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import msgspec
from litestar import Request, Response, Router, route
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.permissions import Principal, principal_of
from pydotorg.core.reads import ReadPool, Where, text_match
from pydotorg.domains.downloads import services as downloads
from pydotorg.domains.downloads.models import OS, Release, ReleaseFile
from pydotorg.legacy import rows
from pydotorg.legacy.resources import (
    PAGE,
    RESOURCES,
    WRITABLE,
    BadValue,
    Resource,
    is_staff,
    parse_bool,
    parse_datetime,
    parse_int,
    parse_value,
    visible,
    zulu_iso,
)
from pydotorg.legacy.throttle import throttled
from pydotorg.settings import Settings, parse_rate

PREFIX = "/api/v2"
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
OBJECT_NAMES = {
    "pages/page": "Page",
    "downloads/os": "OS",
    "downloads/release": "Release",
    "downloads/release_file": "ReleaseFile",
}
REQUIRED = {
    "downloads/os": ("name",),
    "downloads/release": ("name",),
    "downloads/release_file": ("name", "os", "release", "url"),
}
# Strict filter sets (BaseFilterSet): any other parameter is a 400.
STRICT = {
    "pages/page": {
        "title": "title",
        "path": "path",
        "keywords": "keywords",
        "keywords__icontains": "keywords",
        "is_published": "is_published",
    },
    "downloads/release_file": {
        "name": "name",
        "slug": "slug",
        "description__contains": "description",
        "os": "os",
        "release": "release",
    },
}
# Simple filterset_fields: unknown parameters are ignored.
SIMPLE = {
    "downloads/os": ("name", "slug"),
    "downloads/release": ("name", "slug", "is_published", "pre_release", "version", "release_date"),
}
VERSION_CHOICES = {1, 2, 3, 100}
# DRF builds its UniqueValidator message from the model's verbose names (python.org's Meta).
VERBOSE_NAMES = {
    "downloads/os": "Operating System",
    "downloads/release": "Release",
    "downloads/release_file": "Release File",
}
FIELD_LABELS = {"url": "URL"}
UNIQUE_SET = "The fields os, release must make a unique set."
_ALREADY_EXISTS = re.compile(r"^.+ with this (?P<field>\w+) already exists\.$")


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(
        msgspec.json.encode(data),
        status_code=status,
        media_type="application/json",
        headers=headers or {},
    )


def _detail(message: str, status: int, headers: dict[str, str] | None = None) -> Response[bytes]:
    return _json({"detail": message}, status, headers)


def _base(settings: Settings) -> str:
    return settings.site_url.rstrip("/") + PREFIX


def _prefix(settings: Settings) -> str:
    """What a resource's path is appended to in the URLs DRF sends."""
    return f"{_base(settings)}/"


def url_of(settings: Settings, resource_name: str, pk: int) -> str:
    return f"{_base(settings)}/{resource_name}/{pk}/"


def serialize(settings: Settings, resource: Resource, obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in resource.fields:
        if name in resource.relations:
            rel = resource.relations[name]
            value = getattr(obj, rel.attr)
            out[name] = url_of(settings, rel.target, value) if value is not None else None
        elif name == "content":
            out[name] = obj.content_html
        else:
            value = getattr(obj, name)
            out[name] = zulu_iso(value) if resource.types.get(name) == "datetime" else value
        if name == "download_button":
            # DRF keeps the serializer's order: resource_uri before the sigstore/SBOM fields.
            out["resource_uri"] = url_of(settings, resource.name, obj.id)
    out.setdefault("resource_uri", url_of(settings, resource.name, obj.id))
    return out


def _permission(request: Request[Any, Any, Any]) -> Response[bytes] | None:
    """IsStaffOrReadOnly."""
    if request.method in SAFE:
        return None
    principal = principal_of(request)
    if principal is None:
        return _detail("Authentication credentials were not provided.", 401, {"WWW-Authenticate": "Token"})
    if not is_staff(principal):
        return _detail("You do not have permission to perform this action.", 403)
    return None


async def _throttle(request: Request[Any, Any, Any]) -> Response[bytes] | None:
    """Writes; GETs are throttled (and cached) by ``LegacyReadMiddleware``."""
    if request.method == "GET":
        return None
    settings: Settings = request.app.state.settings
    principal = principal_of(request)
    if principal is None:
        limit, window = parse_rate(settings.v2_throttle_anon)
        wait = await throttled(request, "v2-anon", limit, window)
    else:
        limit, window = parse_rate(settings.v2_throttle_user)
        wait = await throttled(request, "v2-user", limit, window, identity=f"user:{principal.user_id}")
    if wait is None:
        return None
    wait = math.ceil(wait)
    unit = "second" if wait == 1 else "seconds"
    return _detail(
        f"Request was throttled. Expected available in {wait} {unit}.",
        429,
        {"Retry-After": str(wait)},
    )


def drf_errors(resource: Resource, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The service's messages as a DRF ``ModelSerializer`` reports them, in its order: field
    errors (required, types, unique fields) stop validation; then the (os, release) unique set of
    the download-button constraint; only then ``validate()``, where python.org runs the model's
    URL rules."""
    verbose = VERBOSE_NAMES.get(resource.name, resource.name)
    fields: dict[str, list[str]] = {}
    rules: dict[str, list[str]] = {}
    unique_set = False
    for name, messages in errors.items():
        for message in messages:
            if message == downloads.BUTTON_MESSAGE:
                unique_set = True
            elif message == downloads.URL_MESSAGE or message.startswith("Sidecar URL must match"):
                rules.setdefault(name, []).append(message)
            elif match := _ALREADY_EXISTS.match(message):
                label = FIELD_LABELS.get(match["field"], match["field"].replace("_", " "))
                fields.setdefault(name, []).append(f"{verbose} with this {label} already exists.")
            else:
                fields.setdefault(name, []).append(message)
    if fields:
        return fields
    if unique_set:
        return {"non_field_errors": [UNIQUE_SET]}
    return rules


def _not_allowed(method: str, allowed: str) -> Response[bytes]:
    """DRF's 405: the message, and the view's methods in ``Allow`` (DRF sends it on every answer)."""
    return _detail(f'Method "{method}" not allowed.', 405, {"Allow": allowed})


# --- filters -------------------------------------------------------------------------------


class FilterErrors(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(str(body))
        self.body = body


async def _filters(reads: ReadPool, resource: Resource, params: list[tuple[str, str]]) -> list[Where]:
    conditions: list[Where] = []
    values = dict(params)
    if resource.name in STRICT:
        allowed = STRICT[resource.name]
        unknown = [p for p in dict.fromkeys(k for k, _ in params) if p not in allowed]
        if unknown:
            errors = []
            for param in unknown:
                parts = param.split("__")
                field, lookup = (param, "exact") if len(parts) == 1 else ("__".join(parts[:-1]), parts[-1])
                errors.append(f"{lookup!r} is not an allowed filter on the {field!r} field.")
            raise FilterErrors({"error": errors})
        names: list[str] | tuple[str, ...] = list(allowed)
    else:
        names = SIMPLE[resource.name]
    errors_by_field: dict[str, list[str]] = {}
    for name in names:
        if name not in values or values[name] == "":
            continue
        raw = values[name]
        field = STRICT.get(resource.name, {}).get(name, name)
        try:
            conditions.append(await _condition(reads, resource, name, field, raw))
        except BadValue as exc:
            errors_by_field[field if name == field else name] = [str(exc)]
    if errors_by_field:
        raise FilterErrors(errors_by_field)
    return conditions


async def _condition(reads: ReadPool, resource: Resource, name: str, field: str, raw: str) -> Where:
    if field in resource.relations:
        rel = resource.relations[field]
        try:
            pk = parse_int(raw, low=1)
        except BadValue:
            pk = 0
        if not pk or not await rows.exists(reads, RESOURCES[rel.target], pk):
            raise BadValue("Select a valid choice. That choice is not one of the available choices.")
        return Where(f"{rows.column(resource, rel.attr)} = {{}}", pk)
    column = rows.column(resource, field)
    kind = resource.types.get(field, "str")
    if "\x00" in raw and kind == "str":  # Django's ProhibitNullCharactersValidator
        raise BadValue("Null characters are not allowed.")
    if name.endswith("__icontains"):
        return text_match(column, "icontains", raw)
    if name.endswith("__contains"):
        return text_match(column, "contains", raw)
    if kind == "bool":
        try:
            return Where(f"{column} = {{}}", parse_bool(raw))
        except BadValue:
            raise BadValue(f"Select a valid choice. {raw} is not one of the available choices.") from None
    if field == "version":
        try:
            version = parse_int(raw)
        except BadValue:
            version = -1
        if version not in VERSION_CHOICES:
            raise BadValue(f"Select a valid choice. {raw} is not one of the available choices.")
        return Where(f"{column} = {{}}", version)
    if kind == "datetime":
        try:
            return Where(f"{column} = {{}}", parse_datetime(raw))
        except BadValue:
            raise BadValue("Enter a valid date/time.") from None
    return Where(f"{column} = {{}}", raw)


# --- input ---------------------------------------------------------------------------------


def _relation_id(settings: Settings, raw: Any, target: str) -> int:
    if not isinstance(raw, str):
        raise BadValue(f"Incorrect type. Expected URL string, received {type(raw).__name__}.")
    try:
        path = urlsplit(raw).path
    except ValueError:  # e.g. "http://a]b/...": urlsplit refuses a malformed IPv6 host
        raise BadValue("Invalid hyperlink - No URL match.") from None
    base_path = urlsplit(_base(settings)).path or PREFIX
    for prefix in {base_path, PREFIX}:
        if path.startswith(f"{prefix}/{target}/"):
            rest = path[len(f"{prefix}/{target}/") :].strip("/")
            if rest.isascii() and rest.isdigit():
                return parse_int(rest, low=1)
    raise BadValue("Invalid hyperlink - No URL match.")


async def _input(
    tx: AsyncSession,
    settings: Settings,
    resource: Resource,
    body: dict[str, Any],
    *,
    partial: bool,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if not partial:
        for name in REQUIRED.get(resource.name, ()):
            if body.get(name) in (None, ""):
                errors[name] = [
                    "This field is required."
                    if name not in body or (body[name] is None and name not in resource.relations)
                    else "This field may not be blank."
                ]
                if body.get(name) is None and name in body and name in resource.relations:
                    errors[name] = ["This field may not be null."]
    for name in WRITABLE[resource.name]:
        if name not in body or name in errors:
            continue
        raw = body[name]
        try:
            if name in resource.relations:
                rel = resource.relations[name]
                if raw is None and name == "release_page":
                    values[rel.attr] = None
                    continue
                pk = _relation_id(settings, raw, rel.target)
                if await tx.get(RESOURCES[rel.target].model, pk) is None:
                    raise BadValue("Invalid hyperlink - Object does not exist.")
                values[rel.attr] = pk
            else:
                if raw is None:
                    raise BadValue("This field may not be null.")
                values[name] = parse_value(resource, name, raw)
        except BadValue as exc:
            errors[name] = [str(exc)]
    if errors:
        raise downloads.ValidationFailed(errors)
    return values


async def _save(tx: AsyncSession, resource: Resource, values: dict[str, Any], obj: Any) -> Any:
    if resource.model is OS:
        return await downloads.save_os(tx, values, obj)
    if resource.model is Release:
        return await downloads.save_release(tx, values, obj)
    if resource.model is ReleaseFile:
        return await downloads.save_release_file(tx, values, obj)
    raise AssertionError(resource.name)


async def _body(request: Request[Any, Any, Any]) -> dict[str, Any] | Response[bytes]:
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode("utf-8", "replace")))
    try:
        body = msgspec.json.decode(raw) if raw else {}
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:  # DRF's ParseError
        return _detail(f"JSON parse error - {exc}", 400)
    if not isinstance(body, dict):
        return _json(
            {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {type(body).__name__}."]},
            400,
        )
    return body


# --- handlers ------------------------------------------------------------------------------


def _pk(raw: str) -> int | None:
    pk = raw.removesuffix(".json")
    if not (pk.isascii() and pk.isdigit()) or int(pk) > 2**31 - 1:
        return None
    return int(pk)


async def _read(
    reads: ReadPool, settings: Settings, resource: Resource, raw: str, principal: Principal | None
) -> Any:
    """GET of one object, as DRF sends it (None: not there or not visible)."""
    pk = _pk(raw)
    if pk is None:
        return None
    condition = Where(f"{rows.column(resource, 'id')} = {{}}", pk)
    found, _ = await rows.fetch(
        reads, "v2", resource, _prefix(settings), [*rows.visibility(resource, principal), condition]
    )
    return found[0] if found else None


async def _get(resource: Resource, tx: AsyncSession, raw: str, principal: Principal | None) -> Any:
    pk = _pk(raw)
    if pk is None:
        return None
    stmt = visible(resource, resource.base_query(), principal)
    return await tx.scalar(stmt.where(resource.model.id == pk))


def _handlers(resource: Resource) -> list[Any]:
    base = f"{PREFIX}/{resource.name}"
    read_only = resource is PAGE
    op = resource.name.replace("/", "_")

    @route(
        [f"{base}/", f"{base}.json"],
        http_method=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
        operation_id=f"v2_{op}_list",
    )
    async def list_endpoint(
        request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession]
    ) -> Response[bytes]:
        if (refused := _permission(request)) is not None:
            return refused
        if (limited := await _throttle(request)) is not None:
            return limited
        settings: Settings = request.app.state.settings
        if request.method == "GET":
            params = parse_qsl(
                request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True
            )
            reads: ReadPool = request.app.state.reads
            try:
                conditions = await _filters(reads, resource, params)
            except FilterErrors as exc:
                return _json(exc.body, 400)
            visible_rows = rows.visibility(resource, principal_of(request))
            found, _ = await rows.fetch(
                reads, "v2", resource, _prefix(settings), [*visible_rows, *conditions]
            )
            return _json(found)
        if request.method == "POST" and not read_only:
            body = await _body(request)
            if isinstance(body, Response):
                return body
            try:
                values = await _input(tx, settings, resource, body, partial=False)
                obj = await _save(tx, resource, values, None)
            except downloads.ValidationFailed as exc:
                return _json(drf_errors(resource, exc.errors), 400)
            data = serialize(settings, resource, obj)
            return _json(data, 201, {"Location": data["resource_uri"]})
        return _not_allowed(request.method, "GET, HEAD, OPTIONS" if read_only else "GET, POST, HEAD, OPTIONS")

    @route(
        f"{base}/{{pk:str}}/",
        http_method=["GET", "PUT", "PATCH", "DELETE", "POST"],
        include_in_schema=False,
        operation_id=f"v2_{op}_detail",
    )
    async def detail_endpoint(
        request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], pk: FromPath[str]
    ) -> Response[bytes]:
        if (refused := _permission(request)) is not None:
            return refused
        if (limited := await _throttle(request)) is not None:
            return limited
        settings: Settings = request.app.state.settings
        method = request.method
        if method == "POST" or (read_only and method != "GET"):
            allowed = "GET, HEAD, OPTIONS" if read_only else "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"
            return _not_allowed(method, allowed)
        if method == "GET":
            found = await _read(request.app.state.reads, settings, resource, pk, principal_of(request))
            if found is None:
                return _detail(f"No {OBJECT_NAMES[resource.name]} matches the given query.", 404)
            return _json(found)
        obj = await _get(resource, tx, pk, principal_of(request))
        if obj is None:
            return _detail(f"No {OBJECT_NAMES[resource.name]} matches the given query.", 404)
        if method == "DELETE":
            await downloads.delete(tx, obj)
            return Response(b"", status_code=204)
        body = await _body(request)
        if isinstance(body, Response):
            return body
        try:
            values = await _input(tx, settings, resource, body, partial=method == "PATCH")
            obj = await _save(tx, resource, values, obj)
        except downloads.ValidationFailed as exc:
            return _json(drf_errors(resource, exc.errors), 400)
        return _json(serialize(settings, resource, obj))

    handlers = [list_endpoint, detail_endpoint]
    if resource.model is ReleaseFile:

        @route(
            f"{base}/delete_by_release/",
            http_method=["GET", "DELETE", "POST", "PUT", "PATCH"],
            include_in_schema=False,
            operation_id="v2_release_file_delete_by_release",
        )
        async def delete_by_release(
            request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession]
        ) -> Response[bytes]:
            if (refused := _permission(request)) is not None:
                return refused
            if (limited := await _throttle(request)) is not None:
                return limited
            if request.method != "DELETE":
                return _not_allowed(request.method, "DELETE, OPTIONS")
            raw = request.query_params.get("release")
            if not raw:
                return Response(b"", status_code=400)
            try:
                release_id = parse_int(raw)
            except BadValue:
                return Response(b"", status_code=400)
            await downloads.delete_files_of_release(tx, release_id)
            return Response(b"", status_code=204)

        handlers.insert(0, delete_by_release)
    return handlers


@route(
    [f"{PREFIX}/", f"{PREFIX}/.json"],
    http_method=["GET"],
    include_in_schema=False,
    operation_id="v2_root",
)
async def root(request: Request[Any, Any, Any]) -> Response[bytes]:
    settings: Settings = request.app.state.settings
    return _json({name: f"{_base(settings)}/{name}/" for name in RESOURCES})


def router(middleware: list[Any] | None = None) -> Router:
    from pydotorg.legacy import sponsors  # it uses this module's helpers

    handlers: list[Callable[..., Any]] = [root]
    for resource in RESOURCES.values():
        handlers.extend(_handlers(resource))
    handlers.extend(sponsors.ROUTE_HANDLERS)
    return Router(path="/", route_handlers=handlers, middleware=middleware or [])
