"""Platform routes: the change feed, health and readiness."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import Parameter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.changes import latest_cursor, list_changes
from pydotorg.core.permissions import READ_CHANGES, permission_required, staff_required


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
