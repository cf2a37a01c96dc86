"""``/api/v3/minutes/``: PSF board meeting minutes. Anyone reads published ones; editors all."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from sqlalchemy import extract, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset, paginate
from pydotorg.core.permissions import Principal, permission_required, principal_of, register, staff_or
from pydotorg.core.schemas import given_fields
from pydotorg.domains.minutes import schemas
from pydotorg.domains.minutes import services as svc
from pydotorg.domains.minutes.models import Minutes

ADD_MINUTES = register("minutes.add_minutes", "Can add board minutes")
CHANGE_MINUTES = register("minutes.change_minutes", "Can change board minutes (and see drafts)")
DELETE_MINUTES = register("minutes.delete_minutes", "Can delete board minutes")

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


def can_see_drafts(principal: Principal | None) -> bool:
    return staff_or(principal, CHANGE_MINUTES)


def minutes_read(m: Minutes) -> schemas.MinutesRead:
    return schemas.MinutesRead(
        id=m.id,
        date=m.date,
        title=svc.title(m.date),
        url=svc.url(m.date),
        content=m.content,
        content_markup_type=m.content_markup_type,
        content_html=m.content_html,
        is_published=m.is_published,
        created=m.created,
        updated=m.updated,
    )


async def _minutes(tx: AsyncSession, minutes_id: int, principal: Principal | None) -> Minutes:
    minutes = await tx.get(Minutes, minutes_id)
    if minutes is None or not (minutes.is_published or can_see_drafts(principal)):
        raise NotFoundException(f"No minutes with id {minutes_id}.")
    return minutes


class MinutesController(Controller):
    path = "/api/v3/minutes"
    tags = ["minutes"]

    @get("/", operation_id="minutes_list", summary="Board minutes, newest first (drafts for editors)")
    async def list_minutes(
        self,
        request: Request[Any, Any, Any],
        tx: AsyncSession,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        year: Annotated[int | None, Parameter(ge=1990, le=2999)] = None,
    ) -> schemas.MinutesList:
        stmt = select(Minutes).order_by(Minutes.date.desc(), Minutes.id.desc())
        if not can_see_drafts(principal_of(request)):
            stmt = stmt.where(Minutes.is_published)
        if year is not None:
            stmt = stmt.where(extract("year", Minutes.date) == year)
        rows, meta = await paginate(tx, stmt, limit, offset)
        return schemas.MinutesList(data=[minutes_read(m) for m in rows], meta=meta)

    @get("/{minutes_id:int}", operation_id="minutes_read", summary="One meeting's minutes")
    async def read_minutes(
        self, request: Request[Any, Any, Any], tx: AsyncSession, minutes_id: PK
    ) -> schemas.MinutesRead:
        return minutes_read(await _minutes(tx, minutes_id, principal_of(request)))

    @get("/date/{day:date}", operation_id="minutes_by_date", summary="The minutes of a meeting date")
    async def by_date(
        self, request: Request[Any, Any, Any], tx: AsyncSession, day: dt.date
    ) -> schemas.MinutesRead:
        minutes = await tx.scalar(select(Minutes).where(Minutes.date == day))
        if minutes is None or not (minutes.is_published or can_see_drafts(principal_of(request))):
            raise NotFoundException(f"No minutes for {day.isoformat()}.")
        return minutes_read(minutes)

    @post(
        "/", operation_id="minutes_create", summary="Add minutes", guards=[permission_required(ADD_MINUTES)]
    )
    async def create_minutes(self, tx: AsyncSession, data: schemas.MinutesCreate) -> schemas.MinutesRead:
        return minutes_read(await svc.save_minutes(tx, given_fields(data)))

    @patch(
        "/{minutes_id:int}",
        operation_id="minutes_update",
        summary="Change minutes",
        guards=[permission_required(CHANGE_MINUTES)],
    )
    async def update_minutes(
        self, request: Request[Any, Any, Any], tx: AsyncSession, minutes_id: PK, data: schemas.MinutesUpdate
    ) -> schemas.MinutesRead:
        minutes = await _minutes(tx, minutes_id, principal_of(request))
        return minutes_read(await svc.save_minutes(tx, given_fields(data), minutes))

    @delete(
        "/{minutes_id:int}",
        operation_id="minutes_delete",
        summary="Delete minutes",
        guards=[permission_required(DELETE_MINUTES)],
    )
    async def delete_minutes(self, request: Request[Any, Any, Any], tx: AsyncSession, minutes_id: PK) -> None:
        await tx.delete(await _minutes(tx, minutes_id, principal_of(request)))
        await tx.flush()
