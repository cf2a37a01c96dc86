"""``/api/v3/minutes/``: PSF board meeting minutes. Anyone reads published ones; editors all."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.controllers import ContentRoutes, content_controller
from pydotorg.core.permissions import principal_of
from pydotorg.domains.minutes import schemas
from pydotorg.domains.minutes import services as svc
from pydotorg.domains.minutes.models import ADD_MINUTES, CHANGE_MINUTES, DELETE_MINUTES, Minutes


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


@get("/date/{day:date}", operation_id="minutes_by_date", summary="The minutes of a meeting date")
async def by_date(
    self: Controller,
    request: Request[Any, Any, Any],
    tx: NamedDependency[AsyncSession],
    day: FromPath[dt.date],
) -> schemas.MinutesRead:
    return minutes_read(await svc.minutes_of(tx, day, principal_of(request)))


MinutesController = content_controller(
    "MinutesController",
    ContentRoutes(
        path="/api/v3/minutes",
        tag="minutes",
        prefix="minutes",
        id_name="minutes_id",
        summaries={
            "list": "Board minutes, newest first (drafts for editors)",
            "read": "One meeting's minutes",
            "create": "Add minutes",
            "update": "Change minutes",
            "delete": "Delete minutes",
        },
        add=ADD_MINUTES,
        change=CHANGE_MINUTES,
        remove=DELETE_MINUTES,
        read_schema=schemas.MinutesRead,
        create_schema=schemas.MinutesCreate,
        update_schema=schemas.MinutesUpdate,
        list_schema=schemas.MinutesList,
        to_read=minutes_read,
        get=svc.get_minutes,
        find=svc.list_minutes,
        save=svc.save_minutes,
        filters=[("year", Annotated[int | None, Parameter(ge=1990, le=2999)])],
    ),
    by_date=by_date,
)
