"""``/api/v1/``: python.org's Tastypie API, reproduced for existing clients (inventory 2.1).

CPython's release tooling (``add_to_pydotorg.py``) calls it: ``GET release/?name=Python+X``,
``GET os/?slug=...``, ``DELETE release_file/?release=<pk>``, ``POST release_file/`` with
``Authorization: ApiKey user:key``. The envelope, pagination, filters, error bodies and status
codes follow Tastypie; the one deliberate difference is that ``release_date`` filters work
(python.org declared them so that every lookup was refused — inventory appendix B.17).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import msgspec
from litestar import Request, Response, Router, route
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.permissions import Principal, principal_of
from pydotorg.core.reads import Where, text_match
from pydotorg.domains.downloads import services as downloads
from pydotorg.domains.downloads.models import OS, Release, ReleaseFile
from pydotorg.domains.pages import services as pages
from pydotorg.domains.pages.models import Page
from pydotorg.legacy import rows
from pydotorg.legacy.resources import (
    RESOURCES,
    WRITABLE,
    BadValue,
    Resource,
    id_from_uri,
    is_staff,
    naive_iso,
    parse_bool,
    parse_datetime,
    parse_int,
    parse_value,
)
from pydotorg.legacy.throttle import throttled
from pydotorg.settings import parse_rate

PREFIX = "/api/v1"
URI_PREFIX = f"{PREFIX}/"
DEFAULT_LIMIT = 20
MAX_LIMIT = 1000

ALL = "ALL"
ALL_WITH_RELATIONS = "ALL_WITH_RELATIONS"
QUERY_TERMS = {
    "exact",
    "iexact",
    "contains",
    "icontains",
    "in",
    "gt",
    "gte",
    "lt",
    "lte",
    "startswith",
    "istartswith",
    "endswith",
    "iendswith",
    "range",
    "year",
    "month",
    "day",
    "week_day",
    "isnull",
    "search",
    "regex",
    "iregex",
}
FILTERING: dict[str, dict[str, Any]] = {
    "pages/page": {
        "title": ("exact",),
        "keywords": ("exact", "icontains"),
        "path": ("exact",),
        "is_published": ("exact",),
    },
    "downloads/os": {"name": ("exact",), "slug": ("exact",)},
    "downloads/release": {
        "name": ("exact",),
        "slug": ("exact",),
        "is_published": ("exact",),
        "pre_release": ("exact",),
        "version": ("exact", "startswith"),
        "release_date": ("exact", "gt", "gte", "lt", "lte", "year", "month", "day"),
    },
    "downloads/release_file": {
        "name": ("exact",),
        "slug": ("exact",),
        "os": ALL_WITH_RELATIONS,
        "release": ALL_WITH_RELATIONS,
        "description": ("contains",),
    },
}
# Lookups Django's ForeignKey answers (the Related* lookups); any other is refused with a 400.
RELATED_LOOKUPS = {"exact", "in", "gt", "gte", "lt", "lte", "isnull"}
MISMATCHED = "Invalid resource lookup data provided (mismatched type)."
METHODS: dict[str, Any] = {
    "list": {"downloads/release_file": ("get", "post", "delete")},
    "detail": ("get", "delete"),
}


def _json(data: Any, status: int = 200) -> Response[bytes]:
    body = msgspec.json.encode(_sorted(data))
    return Response(body, status_code=status, media_type="application/json")


def _encoded(data: Any) -> Response[bytes]:
    """Data whose keys are already in Tastypie's sorted order (rows.Shape sorts the fields)."""
    return Response(msgspec.json.encode(data), status_code=200, media_type="application/json")


def _sorted(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _sorted(data[k]) for k in sorted(data)}
    if isinstance(data, list):
        return [_sorted(v) for v in data]
    return data


def _empty(status: int, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(b"", status_code=status, media_type="text/html; charset=utf-8", headers=headers or {})


def _error(message: str) -> Response[bytes]:
    return _json({"error": message}, 400)


def _not_allowed(allowed: str) -> Response[bytes]:
    """Tastypie's ``method_check``: the allowed methods are the body and the ``Allow`` header."""
    return Response(
        allowed.encode(),
        status_code=405,
        media_type="text/html; charset=utf-8",
        headers={"Allow": allowed},
    )


def uri(resource_name: str, pk: int) -> str:
    return f"{PREFIX}/{resource_name}/{pk}/"


def serialize(resource: Resource, obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in resource.fields:
        if name in resource.relations:
            rel = resource.relations[name]
            value = getattr(obj, rel.attr)
            out[name] = uri(rel.target, value) if value is not None else None
        elif name == "content":
            out[name] = obj.content_html
        else:
            value = getattr(obj, name)
            out[name] = naive_iso(value) if resource.types.get(name) == "datetime" else value
    out["resource_uri"] = uri(resource.name, obj.id)
    return out


def _can_write(principal: Principal | None) -> bool:
    """StaffAuthorization: staff, authenticated through the ApiKey header."""
    return is_staff(principal) and principal is not None and principal.method == "tastypie"


# --- filters -------------------------------------------------------------------------------


class FilterError(Exception):
    pass


def _split(param: str) -> tuple[str, list[str], str]:
    parts = param.split("__")
    field = parts[0]
    lookup = "exact"
    rest = parts[1:]
    if rest and rest[-1] in QUERY_TERMS:
        lookup = rest.pop()
    return field, rest, lookup


def _condition(resource: Resource, field: str, path: list[str], lookup: str, raw: str) -> Where | None:
    filtering = FILTERING[resource.name]
    if field not in resource.fields:
        return None  # Tastypie ignores parameters that are not fields of the resource
    allowed = filtering.get(field)
    if allowed is None:
        raise FilterError(f"The '{field}' field does not allow filtering.")
    if path:
        if allowed != ALL_WITH_RELATIONS or field not in resource.relations:
            raise FilterError(f"Lookups are not allowed more than one level deep on the '{field}' field.")
        target = RESOURCES[resource.relations[field].target]
        sub = path[0]
        if sub not in target.fields and sub not in ("id", "pk"):
            raise FilterError(f"The '{sub}' field does not allow filtering.")
        if sub in ("id", "pk"):
            return _compare(target, "id", lookup, raw)
        sub_allowed = FILTERING[target.name].get(sub)
        if sub_allowed is None:
            raise FilterError(f"The '{sub}' field does not allow filtering.")
        if sub_allowed not in (ALL, ALL_WITH_RELATIONS) and lookup not in sub_allowed:
            raise FilterError(f"'{lookup}' is not an allowed filter on the '{sub}' field.")
        return _compare(target, sub, lookup, raw)
    if allowed not in (ALL, ALL_WITH_RELATIONS) and lookup not in allowed:
        raise FilterError(f"'{lookup}' is not an allowed filter on the '{field}' field.")
    if field in resource.relations:
        if lookup not in RELATED_LOOKUPS:  # Django: "Related Field got invalid lookup"
            raise FilterError(f"'{lookup}' is not an allowed filter on the '{field}' field.")
        rel = resource.relations[field]
        column = rows.column(resource, rel.attr)
        try:
            if "\x00" in raw:
                raise BadValue("null character")
            if lookup == "isnull":
                return Where(f"{column} IS NULL" if _tastypie_bool(raw) else f"{column} IS NOT NULL")
            if lookup == "in":
                return Where(
                    f"{column} = ANY({{}})", [id_from_uri(v, rel.target) for v in raw.split(",") if v]
                )
            return _compare_column(column, lookup, id_from_uri(raw, rel.target))
        except BadValue as exc:
            raise FilterError(MISMATCHED) from exc
    return _compare(resource, field, lookup, raw)


def _tastypie_bool(raw: str) -> bool:
    """``isnull`` takes what Tastypie's ``string_to_python`` turns into a bool, as Django
    refuses anything else for it."""
    if raw in ("true", "True"):
        return True
    if raw in ("false", "False"):
        return False
    raise BadValue("Must be a valid boolean.")


TEXT_LOOKUPS = frozenset(
    {"startswith", "istartswith", "endswith", "iendswith", "contains", "icontains", "iexact"}
)


def _compare(resource: Resource, field: str, lookup: str, raw: str) -> Where:
    column = rows.column(resource, field)
    kind = "int" if field == "id" else resource.types.get(field, "str")
    try:
        if "\x00" in raw:  # PostgreSQL cannot hold it; Django raises ValueError, Tastypie a 400
            raise BadValue("null character")
        if lookup == "isnull":
            return Where(f"{column} IS NULL" if _tastypie_bool(raw) else f"{column} IS NOT NULL")
        if lookup == "in":
            return Where(f"{column} = ANY({{}})", [_convert(kind, v) for v in raw.split(",")])
        if kind == "datetime" and lookup in ("year", "month", "day"):
            return Where(f"EXTRACT({lookup} FROM {column}) = {{}}", parse_int(raw))
        if lookup in TEXT_LOOKUPS and kind != "str":
            return text_match(f"CAST({column} AS VARCHAR)", lookup, raw)
        return _compare_column(column, lookup, _convert(kind, raw))
    except BadValue as exc:
        raise FilterError(MISMATCHED) from exc


def _convert(kind: str, raw: str) -> Any:
    if kind == "bool":
        return parse_bool(raw)
    if kind == "int":
        return parse_int(raw)
    if kind == "datetime":
        return parse_datetime(raw)
    if "\x00" in raw:
        raise BadValue("null character")
    return raw


COMPARISONS = {"exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def _compare_column(column: str, lookup: str, value: Any) -> Where:
    if lookup in COMPARISONS:
        return Where(f"{column} {COMPARISONS[lookup]} {{}}", value)
    if lookup in TEXT_LOOKUPS:
        return text_match(column, lookup, str(value))
    raise FilterError(f"'{lookup}' is not an allowed filter.")


def _filters(resource: Resource, params: list[tuple[str, str]]) -> list[Where]:
    conditions: list[Where] = []
    for key, value in params:
        if key in ("limit", "offset", "format", "order_by"):
            continue
        field, path, lookup = _split(key)
        condition = _condition(resource, field, path, lookup, value)
        if condition is not None:
            conditions.append(condition)
    return conditions


# --- handlers ------------------------------------------------------------------------------


def _page_params(params: list[tuple[str, str]]) -> tuple[int, int]:
    values = dict(params)
    raw_limit = values.get("limit", str(DEFAULT_LIMIT))
    try:
        limit = int(raw_limit)
    except ValueError:
        raise FilterError(
            f"Invalid limit '{raw_limit}' provided. Please provide a positive integer."
        ) from None
    if limit < 0:
        raise FilterError(f"Invalid limit '{raw_limit}' provided. Please provide a positive integer >= 0.")
    raw_offset = values.get("offset", "0")
    try:
        offset = int(raw_offset)
    except ValueError:
        raise FilterError(f"Invalid offset '{raw_offset}' provided. Please provide an integer.") from None
    if offset < 0:
        raise FilterError(f"Invalid offset '{raw_offset}' provided. Please provide a positive integer >= 0.")
    limit = MAX_LIMIT if limit == 0 else min(limit, MAX_LIMIT)
    return limit, min(offset, 2**62)


def _page_uri(resource: Resource, params: list[tuple[str, str]], limit: int, offset: int) -> str:
    kept = [(k, v) for k, v in params if k not in ("limit", "offset")]
    return f"{PREFIX}/{resource.name}/?{urlencode([*kept, ('limit', limit), ('offset', offset)])}"


async def list_get(resource: Resource, request: Request[Any, Any, Any]) -> Response[bytes]:
    params = parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    principal = principal_of(request)
    try:
        limit, offset = _page_params(params)
        conditions = _filters(resource, params)
    except FilterError as exc:
        return _error(str(exc))
    objects, total = await rows.fetch(
        request.app.state.reads,
        "v1",
        resource,
        URI_PREFIX,
        [*rows.visibility(resource, principal), *conditions],
        limit=limit,
        offset=offset,
        with_total=True,
    )
    assert total is not None
    meta = {  # keys sorted, as Tastypie sends them
        "limit": limit,
        # Tastypie's Paginator.get_next/get_previous: none unless a whole page fits before this one.
        "next": _page_uri(resource, params, limit, offset + limit) if offset + limit < total else None,
        "offset": offset,
        "previous": _page_uri(resource, params, limit, offset - limit) if offset - limit >= 0 else None,
        "total_count": total,
    }
    return _encoded({"meta": meta, "objects": objects})


async def _read(resource: Resource, request: Request[Any, Any, Any], pks: list[int]) -> dict[int, Any]:
    """The objects with these ids as Tastypie sends them, whether published or not."""
    condition = Where(f"{rows.column(resource, 'id')} = ANY({{}})", pks)
    found, _ = await rows.fetch(request.app.state.reads, "v1", resource, URI_PREFIX, [condition])
    return {_id_of(o.resource_uri): o for o in found}


def _id_of(resource_uri: str) -> int:
    return int(resource_uri.rstrip("/").rsplit("/", 1)[1])


def _pk(raw: str) -> int | None:
    if not (raw.isascii() and raw.isdigit()) or int(raw) > 2**31 - 1:
        return None
    return int(raw)


def _visible(resource: Resource, obj: Any, principal: Principal | None) -> bool:
    return not resource.published_only or obj.is_published or is_staff(principal)


async def detail_get(resource: Resource, request: Request[Any, Any, Any], pk: str) -> Response[bytes]:
    number = _pk(pk)
    obj = (await _read(resource, request, [number])).get(number) if number is not None else None
    if obj is None:
        return _empty(404)
    if not _visible(resource, obj, principal_of(request)):
        return _empty(401)
    return _encoded(obj)


async def _get(resource: Resource, tx: AsyncSession, pk: str) -> Any:
    number = _pk(pk)
    if number is None:
        return None
    return await tx.scalar(resource.base_query().where(resource.model.id == number))


async def set_get(resource: Resource, request: Request[Any, Any, Any], pks: str) -> Response[bytes]:
    principal = principal_of(request)
    wanted = [p for p in pks.split(";") if p]
    numbers = [n for n in (_pk(p) for p in wanted) if n is not None]
    found = await _read(resource, request, numbers) if numbers else {}
    objects, not_found = [], []
    for raw in wanted:
        number = _pk(raw)
        obj = found.get(number) if number is not None else None
        if obj is not None and _visible(resource, obj, principal):
            objects.append(obj)
        else:
            not_found.append(raw)
    return _encoded({"not_found": not_found, "objects": objects})


async def list_post(resource: Resource, request: Request[Any, Any, Any], tx: AsyncSession) -> Response[bytes]:
    if not _can_write(principal_of(request)):
        return _empty(401)
    try:
        body = msgspec.json.decode(await request.body())
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):  # bad UTF-8, deep nesting
        return _error("Request is not valid JSON.")  # Tastypie's Serializer.from_json
    if not isinstance(body, dict):
        return _error("The request body must be a JSON object.")
    try:
        values = _input(resource, body)
        obj = await _save(resource, tx, values)
    except BadValue as exc:
        return _error(str(exc))
    except downloads.ValidationFailed as exc:
        return _json({resource.name: exc.errors}, 400)
    return Response(
        b"",
        status_code=201,
        headers={"Location": uri(resource.name, obj.id)},
        media_type="text/html; charset=utf-8",
    )


def _input(resource: Resource, body: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in WRITABLE[resource.name]:
        if name not in body:
            continue
        raw = body[name]
        if name in resource.relations:
            rel = resource.relations[name]
            values[rel.attr] = None if raw in (None, "") else id_from_uri(raw, rel.target)
        else:
            try:
                values[name] = parse_value(resource, name, raw)
            except BadValue as exc:
                raise downloads.ValidationFailed({name: [str(exc)]}) from None
    return values


async def _save(resource: Resource, tx: AsyncSession, values: dict[str, Any]) -> Any:
    if resource.model is OS:
        return await downloads.save_os(tx, values)
    if resource.model is Release:
        return await downloads.save_release(tx, values)
    if resource.model is ReleaseFile:
        return await downloads.save_release_file(tx, values)
    if resource.model is Page:
        if "content" in values:
            values.setdefault("content_markup_type", "html")
        return await pages.save_page(tx, values)
    raise AssertionError(resource.name)


async def detail_delete(
    resource: Resource, request: Request[Any, Any, Any], tx: AsyncSession, pk: str
) -> Response[bytes]:
    if not _can_write(principal_of(request)):
        return _empty(401)
    obj = await _get(resource, tx, pk)
    if obj is None:
        return _empty(404)
    await downloads.delete(tx, obj)
    return _empty(204)


async def list_delete(
    resource: Resource, request: Request[Any, Any, Any], tx: AsyncSession
) -> Response[bytes]:
    if resource.name != "downloads/release_file":
        return _not_allowed("GET,POST")
    if not _can_write(principal_of(request)):
        return _empty(401)
    params = parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    message = "Deleting release files requires exactly one 'release' filter."
    if len(params) != 1 or params[0][0] != "release":
        return _error(message)
    try:
        release_id = id_from_uri(params[0][1], "downloads/release")
    except BadValue:
        return _error(message)
    await downloads.delete_files_of_release(tx, release_id)
    return _empty(204)


def schema(resource: Resource) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    table = resource.model.__table__
    for name in (*resource.fields, "resource_uri"):
        if name == "resource_uri":
            kind, nullable, unique = "string", False, False
        elif name in resource.relations:
            column = table.columns[resource.relations[name].attr]
            kind, nullable, unique = "related", column.nullable, False
        else:
            column = table.columns[name if name != "content" else "content_html"]
            kind = {"bool": "boolean", "int": "integer", "datetime": "datetime"}.get(
                resource.types.get(name, "str"), "string"
            )
            nullable, unique = column.nullable, bool(column.unique)
        fields[name] = {
            "blank": False,
            "default": "No default provided.",
            "help_text": "",
            "nullable": bool(nullable),
            "readonly": name == "resource_uri",
            "type": kind,
            "unique": unique,
            "verbose_name": name.replace("_", " "),
        }
    filtering = {
        k: (2 if v == ALL_WITH_RELATIONS else 1 if v == ALL else list(v))
        for k, v in FILTERING[resource.name].items()
    }
    list_methods = METHODS["list"].get(resource.name, ("get", "post"))
    return {
        "allowed_detail_http_methods": list(METHODS["detail"]),
        "allowed_list_http_methods": list(list_methods),
        "default_format": "application/json",
        "default_limit": DEFAULT_LIMIT,
        "fields": fields,
        "filtering": filtering,
    }


# --- routing -------------------------------------------------------------------------------


async def _throttle(request: Request[Any, Any, Any]) -> Response[bytes] | None:
    """Writes; GETs are throttled (and cached) by ``LegacyReadMiddleware``."""
    if request.method == "GET":
        return None
    principal = principal_of(request)
    identity = f"user:{principal.username.lower()}" if principal else None
    limit, window = parse_rate(request.app.state.settings.v1_throttle)
    if await throttled(request, "v1", limit, window, identity=identity):
        return _empty(429)
    return None


def _handlers(resource: Resource) -> list[Any]:
    base = f"{PREFIX}/{resource.name}"
    list_methods = METHODS["list"].get(resource.name, ("get", "post"))
    list_allowed = ",".join(m.upper() for m in list_methods)
    detail_allowed = ",".join(m.upper() for m in METHODS["detail"])

    @route(
        f"{base}/",
        http_method=["GET", "POST", "DELETE", "PUT", "PATCH"],
        operation_id=f"v1_{resource.name.replace('/', '_')}_list",
        include_in_schema=False,
    )
    async def list_endpoint(
        request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession]
    ) -> Response[bytes]:
        method = request.method
        if method.lower() not in list_methods:  # Tastypie checks the method first
            return _not_allowed(list_allowed)
        if (limited := await _throttle(request)) is not None:
            return limited
        if method == "GET":
            return await list_get(resource, request)
        if method == "POST":
            return await list_post(resource, request, tx)
        return await list_delete(resource, request, tx)

    @route(
        f"{base}/schema/",
        http_method=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
        operation_id=f"v1_{resource.name.replace('/', '_')}_schema",
    )
    async def schema_endpoint(request: Request[Any, Any, Any]) -> Response[bytes]:
        if request.method != "GET":
            return _not_allowed("GET")
        return _json(schema(resource))

    @route(
        f"{base}/set/{{pks:str}}/",
        http_method=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
        operation_id=f"v1_{resource.name.replace('/', '_')}_set",
    )
    async def set_endpoint(
        request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], pks: FromPath[str]
    ) -> Response[bytes]:
        if request.method != "GET":
            return _not_allowed("GET")
        if (limited := await _throttle(request)) is not None:
            return limited
        return await set_get(resource, request, pks)

    @route(
        f"{base}/{{pk:str}}/",
        http_method=["GET", "DELETE", "PUT", "PATCH", "POST"],
        include_in_schema=False,
        operation_id=f"v1_{resource.name.replace('/', '_')}_detail",
    )
    async def detail_endpoint(
        request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], pk: FromPath[str]
    ) -> Response[bytes]:
        if request.method not in ("GET", "DELETE"):
            return _not_allowed(detail_allowed)
        if (limited := await _throttle(request)) is not None:
            return limited
        if request.method == "GET":
            return await detail_get(resource, request, pk)
        return await detail_delete(resource, request, tx, pk)

    return [list_endpoint, schema_endpoint, set_endpoint, detail_endpoint]


@route(f"{PREFIX}/", http_method=["GET"], include_in_schema=False, operation_id="v1_index")
async def index() -> Response[bytes]:
    return _json(
        {
            name: {"list_endpoint": f"{PREFIX}/{name}/", "schema": f"{PREFIX}/{name}/schema/"}
            for name in RESOURCES
        }
    )


def router(middleware: list[Any] | None = None) -> Router:
    handlers: list[Callable[..., Any]] = [index]
    for resource in RESOURCES.values():
        handlers.extend(_handlers(resource))
    return Router(path="/", route_handlers=handlers, middleware=middleware or [])
