"""Platform routes: the change feed, the site's build status, health and readiness."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import Parameter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.changes import REBUILD_KEY, latest_cursor, list_changes
from pydotorg.core.permissions import (
    READ_CHANGES,
    VIEW_SITE_STATUS,
    permission_required,
    staff_or_permission,
    staff_required,
)
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
        tx: AsyncSession,
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
    async def status(self, request: Request[Any, Any, Any], tx: AsyncSession) -> SiteStatus:
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
