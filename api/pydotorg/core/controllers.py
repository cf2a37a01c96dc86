"""Platform routes (the change feed, the site's build status, health and readiness) and the one
CRUD controller shape the small content domains share (``content_controller``)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromQuery, JSONBody, Parameter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.changes import REBUILD_KEY, latest_cursor, list_changes, record_history
from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, ListMeta, Offset, paginate
from pydotorg.core.permissions import (
    READ_CHANGES,
    VIEW_SITE_STATUS,
    Principal,
    permission_required,
    principal_of,
    staff_or_permission,
    staff_required,
)
from pydotorg.core.records import delete_record
from pydotorg.core.schemas import given_fields
from pydotorg.core.site_status import LAST_BUILD_KEY, LAST_ERROR_KEY, SITE_CURSOR_KEY, load_json


class ChangeRead(msgspec.Struct):
    cursor: int
    domain: str
    kind: str
    id: str
    action: str


class ChangeMeta(msgspec.Struct):
    after: int
    limit: int
    next: int
    latest: int


class ChangeList(msgspec.Struct):
    data: list[ChangeRead]
    meta: ChangeMeta


class HistoryEntry(msgspec.Struct):
    """One change of a record: who (the username at the time; null for jobs, imports and commands)
    and, for ``updated``, which fields (empty: only related records changed, e.g. an event's rules)."""

    cursor: int
    action: str
    fields: list[str]
    actor: str | None
    created: datetime


class HistoryList(msgspec.Struct):
    data: list[HistoryEntry]
    meta: ListMeta


def _staff_or_feed_reader(connection: Any, handler: Any) -> None:
    try:
        staff_required(connection, handler)
    except Exception:
        permission_required(READ_CHANGES)(connection, handler)


class ChangesController(Controller):
    path = "/api/v3/changes"
    tags = ["changes"]

    @get(
        "/",
        operation_id="changes_list",
        guards=[_staff_or_feed_reader],
        summary="Committed changes after a cursor, in commit order (staff or site.read_changes)",
    )
    async def changes(
        self,
        tx: NamedDependency[AsyncSession],
        after: Annotated[int, Parameter(ge=0, le=2**53, description="last cursor seen")] = 0,
        limit: Annotated[int, Parameter(ge=1, le=10_000)] = 1000,
    ) -> ChangeList:
        rows = await list_changes(tx, after=after, limit=limit)
        data = [ChangeRead(r.cursor, r.domain, r.kind, r.object_id, r.action) for r in rows]
        return ChangeList(
            data=data,
            meta=ChangeMeta(
                after=after,
                limit=limit,
                next=data[-1].cursor if data else after,
                latest=await latest_cursor(tx),
            ),
        )

    @get(
        "/history",
        operation_id="changes_history",
        guards=[_staff_or_feed_reader],
        summary="One record's changes, newest first, with who made them (staff or site.read_changes)",
    )
    async def history(
        self,
        tx: NamedDependency[AsyncSession],
        domain: Annotated[str, Parameter(min_length=1, max_length=40, description="e.g. pages")],
        kind: Annotated[str, Parameter(min_length=1, max_length=60, description="e.g. page")],
        object_id: Annotated[str, Parameter(min_length=1, max_length=100, description="the record's id")],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> HistoryList:
        stmt = record_history(domain=domain, kind=kind, object_id=object_id)
        rows, meta = await paginate(tx, stmt, limit, offset)
        data = [HistoryEntry(r.cursor, r.action, list(r.fields), r.actor or None, r.created) for r in rows]
        return HistoryList(data=data, meta=meta)


class SkippedOutput(msgspec.Struct):
    """An output the builder left out, and the record behind it (change-feed names) when known."""

    path: str
    reason: str
    domain: str | None = None
    kind: str | None = None
    id: str | None = None


class SiteBuild(msgspec.Struct):
    """The last build that published (the builder's ``last-build.json``, in short)."""

    finished_at: str
    mode: str = ""
    cursor: int = 0
    written: int = 0
    unchanged: int = 0
    deleted: int = 0
    changes: int = 0
    seconds: float = 0.0
    skipped: list[SkippedOutput] = msgspec.field(default_factory=list)


class SiteBuildError(msgspec.Struct):
    finished_at: str
    error: str


class SiteStatus(msgspec.Struct):
    head: int  # the change feed's latest cursor
    published_cursor: int | None  # what the live site reflects (None: no build recorded)
    behind: int  # changes not yet published
    rebuild: str  # the site.rebuild job: idle, queued, active, failed, ...
    last_build: SiteBuild | None
    last_error: SiteBuildError | None  # the last build failed (cleared by the next success)


class SiteStatusController(Controller):
    path = "/api/v3/site"
    tags = ["site"]

    @get(
        "/status",
        operation_id="site_status",
        guards=[staff_or_permission(VIEW_SITE_STATUS)],
        summary="The published site against the change feed, and the last build (staff or site.view_status)",
    )
    async def status(self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession]) -> SiteStatus:
        head = await latest_cursor(tx)
        state = request.app.state
        # Kept in Redis: with Redis down this is a 503 (core/availability.py), like any read of it.
        raw_cursor = await state.redis.get(SITE_CURSOR_KEY)
        last_build = await load_json(state.redis, LAST_BUILD_KEY)
        last_error = await load_json(state.redis, LAST_ERROR_KEY)
        job = await state.queue.job(REBUILD_KEY)
        published = int(raw_cursor) if raw_cursor is not None else None
        return SiteStatus(
            head=head,
            published_cursor=published,
            behind=max(head - (published or 0), 0),
            rebuild=job.status.value if job is not None and job.status is not None else "idle",
            last_build=_convert(last_build, SiteBuild),
            last_error=_convert(last_error, SiteBuildError),
        )


def _convert(value: dict[str, Any] | None, kind: type[Any]) -> Any:
    if value is None:
        return None
    try:
        return msgspec.convert(value, kind)
    except msgspec.ValidationError:
        return None


class Health(msgspec.Struct):
    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)


class HealthController(Controller):
    tags = ["operations"]
    include_in_schema = True

    @get("/healthz", operation_id="healthz", summary="The process is up", sync_to_thread=False)
    def healthz(self) -> Health:
        return Health(status="ok")

    @get("/readyz", operation_id="readyz", summary="Database and Redis are reachable", responses={})
    async def readyz(self, request: Request[Any, Any, Any]) -> Response[Health]:
        state = request.app.state
        checks: dict[str, str] = {}
        try:
            async with state.sessionmaker() as session:
                await session.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {type(exc).__name__}"
        try:
            await state.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
        ok = all(v == "ok" for v in checks.values())
        return Response(
            Health(status="ok" if ok else "unavailable", checks=checks),
            status_code=200 if ok else 503,
        )


# --- the content domains' CRUD shape ------------------------------------------------------------

RecordId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


@dataclass(frozen=True, slots=True)
class ContentRoutes:
    """A small content domain's list/read/create/update/delete routes: what they are called, who
    may write, the shapes they take and give, and the service calls behind them.

    The domain still declares every operation: ``<prefix>_list``, ``_read``, ``_create``,
    ``_update`` and ``_delete`` with its summaries, the path parameter ``id_name`` and the list's
    query ``filters``, so the OpenAPI document is the one hand-written handlers would give.

    The services: ``get(session, id)`` loads a record or answers 404, ``find(session, limit=,
    offset=, **filters)`` returns a page, ``save(session, values, record=None)`` creates or
    changes one, ``remove_record(session, record)`` deletes it (``delete_record`` unless the
    domain deletes more with it). With ``per_caller``, ``get`` and ``find`` take the caller
    (``Principal | None``) after the session and hide what that caller may not see (drafts,
    inactive or unapproved records)."""

    path: str
    tag: str
    prefix: str
    id_name: str
    summaries: Mapping[str, str]  # list, read, create, update, delete
    add: str  # the permissions guarding create, update and delete
    change: str
    remove: str
    read_schema: type[Any]
    create_schema: type[Any]
    update_schema: type[Any]
    list_schema: type[Any]
    to_read: Callable[[Any], Any]
    get: Callable[..., Awaitable[Any]]
    find: Callable[..., Awaitable[tuple[list[Any], ListMeta]]]
    save: Callable[..., Awaitable[Any]]
    filters: Sequence[tuple[str, Any]] = ()  # (name, annotation) of the list's query parameters
    per_caller: bool = True
    remove_record: Callable[[AsyncSession, Any], Awaitable[None]] = delete_record

    def caller(self, request: Request[Any, Any, Any]) -> tuple[Principal | None, ...]:
        """What ``get`` and ``find`` take after the session: the caller, when they depend on it."""
        return (principal_of(request),) if self.per_caller else ()


_REQUEST = ("request", Request[Any, Any, Any], inspect.Parameter.empty)
_TX = ("tx", NamedDependency[AsyncSession], inspect.Parameter.empty)


def _marked(marker: Any, annotation: Any) -> Any:
    """``marker[annotation]`` (``FromQuery``, ``JSONBody``) for an annotation known only at run time:
    Litestar 3 stops inferring what an unmarked parameter is, so the built signature says it."""
    return marker[annotation]


def _with_signature(
    handler: Callable[..., Any], params: Sequence[tuple[str, Any, Any]], returns: Any
) -> Callable[..., Any]:
    """Give ``handler`` (which takes keyword arguments) the signature Litestar reads: it is what
    the route parses, injects and documents."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    handler.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("self", kind),
            *(
                inspect.Parameter(name, kind, annotation=annotation, default=default)
                for name, annotation, default in params
            ),
        ],
        return_annotation=returns,
    )
    handler.__annotations__ = {name: annotation for name, annotation, _ in params} | {"return": returns}
    return handler


def content_controller(name: str, routes: ContentRoutes, **more: HTTPRouteHandler) -> type[Controller]:
    """The ``Controller`` class ``name`` serving ``routes`` (see ``ContentRoutes``) and the
    domain's ``more`` handlers (written as methods: their first argument is the controller)."""

    async def load(request: Request[Any, Any, Any], tx: AsyncSession, path_values: dict[str, Any]) -> Any:
        return await routes.get(tx, path_values[routes.id_name], *routes.caller(request))

    async def list_records(
        self: Controller, request: Request[Any, Any, Any], tx: AsyncSession, **query: Any
    ) -> Any:
        rows, meta = await routes.find(tx, *routes.caller(request), **query)
        return routes.list_schema(data=[routes.to_read(r) for r in rows], meta=meta)

    async def read_record(
        self: Controller, request: Request[Any, Any, Any], tx: AsyncSession, **path: Any
    ) -> Any:
        return routes.to_read(await load(request, tx, path))

    async def create_record(self: Controller, tx: AsyncSession, data: Any) -> Any:
        return routes.to_read(await routes.save(tx, given_fields(data)))

    async def update_record(
        self: Controller, request: Request[Any, Any, Any], tx: AsyncSession, data: Any, **path: Any
    ) -> Any:
        return routes.to_read(await routes.save(tx, given_fields(data), await load(request, tx, path)))

    async def delete_one(
        self: Controller, request: Request[Any, Any, Any], tx: AsyncSession, **path: Any
    ) -> None:
        await routes.remove_record(tx, await load(request, tx, path))

    def named(kind: str) -> dict[str, Any]:
        return {"operation_id": f"{routes.prefix}_{kind}", "summary": routes.summaries[kind]}

    record_id = (routes.id_name, RecordId, inspect.Parameter.empty)
    by_id = f"/{{{routes.id_name}:int}}"
    filters = [
        (filter_name, _marked(FromQuery, annotation), None) for filter_name, annotation in routes.filters
    ]
    handlers = {
        "list_records": get("/", **named("list"))(
            _with_signature(
                list_records,
                [_REQUEST, _TX, ("limit", Limit, DEFAULT_LIMIT), ("offset", Offset, 0), *filters],
                routes.list_schema,
            )
        ),
        "read_record": get(by_id, **named("read"))(
            _with_signature(read_record, [_REQUEST, _TX, record_id], routes.read_schema)
        ),
        "create_record": post("/", guards=[permission_required(routes.add)], **named("create"))(
            _with_signature(
                create_record,
                [_TX, ("data", _marked(JSONBody, routes.create_schema), inspect.Parameter.empty)],
                routes.read_schema,
            )
        ),
        "update_record": patch(by_id, guards=[permission_required(routes.change)], **named("update"))(
            _with_signature(
                update_record,
                [
                    _REQUEST,
                    _TX,
                    record_id,
                    ("data", _marked(JSONBody, routes.update_schema), inspect.Parameter.empty),
                ],
                routes.read_schema,
            )
        ),
        "delete_record": delete(by_id, guards=[permission_required(routes.remove)], **named("delete"))(
            _with_signature(delete_one, [_REQUEST, _TX, record_id], None)
        ),
    }
    return type(name, (Controller,), {"path": routes.path, "tags": [routes.tag], **handlers, **more})
