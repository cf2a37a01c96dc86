"""``/api/v3/flags``: feature flags. Anyone may ask whether a flag is on for them; the flags
themselves are seen by staff and ``flags.change_flag`` holders and changed with ``flags.*``."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset
from pydotorg.core.permissions import (
    permission_required,
    principal_of,
    staff_or_permission,
)
from pydotorg.core.records import delete_record
from pydotorg.core.schemas import given_fields
from pydotorg.domains.flags import schemas
from pydotorg.domains.flags import services as svc
from pydotorg.domains.flags.models import ADD_FLAG, CHANGE_FLAG, DELETE_FLAG, Flag

NameParam = Annotated[str, Parameter(min_length=1, max_length=100, description="the flag's name")]


# Staff (python.org's admin showed flags to staff) or flags.change_flag.
flag_reader = staff_or_permission(CHANGE_FLAG)


def flag_read(f: Flag, users: list[int], groups: list[int]) -> schemas.FlagRead:
    return schemas.FlagRead(
        id=f.id,
        name=f.name,
        everyone=f.everyone,
        percent=float(f.percent) if f.percent is not None else None,
        testing=f.testing,
        superusers=f.superusers,
        staff=f.staff,
        authenticated=f.authenticated,
        languages=f.languages,
        rollout=f.rollout,
        note=f.note,
        users=users,
        groups=groups,
        created=f.created,
        modified=f.modified,
    )


async def _read(tx: AsyncSession, flag: Flag) -> schemas.FlagRead:
    users, groups = (await svc.links_of(tx, [flag.id]))[flag.id]
    return flag_read(flag, users, groups)


class FlagsController(Controller):
    path = "/api/v3/flags"
    tags = ["flags"]

    @get("/", operation_id="flags_list", summary="Feature flags by name", guards=[flag_reader])
    async def list_flags(
        self, tx: NamedDependency[AsyncSession], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.FlagList:
        rows, meta = await svc.list_flags(tx, limit=limit, offset=offset)
        links = await svc.links_of(tx, [f.id for f in rows])
        return schemas.FlagList(data=[flag_read(f, *links[f.id]) for f in rows], meta=meta)

    @get("/{name:str}", operation_id="flags_read", summary="One feature flag", guards=[flag_reader])
    async def read_flag(self, tx: NamedDependency[AsyncSession], name: NameParam) -> schemas.FlagRead:
        return await _read(tx, await svc.get_flag(tx, name))

    @get(
        "/{name:str}/active",
        operation_id="flags_active",
        summary="Whether the flag is on for you (anyone may ask; unknown flags are 404)",
    )
    async def flag_active(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], name: NameParam
    ) -> Response[schemas.FlagActive]:
        flag = await svc.get_flag(tx, name)
        query = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
        testing = svc.testing_override(flag, query, request.cookies)
        active = await svc.is_active(tx, flag, principal_of(request), testing=testing)
        answer = Response(schemas.FlagActive(name=flag.name, active=active))
        if testing is not None:
            # waffle's testing mode: this answer is the caller's own, and a ?dwft_ switch is
            # remembered for their later requests (a session cookie, as waffle sets it).
            answer.headers["Cache-Control"] = "private, no-store"
            key = svc.test_cookie(flag.name)
            if key in query:
                value = "True" if testing else "False"
                answer.set_cookie(key, value, path="/", samesite="lax", httponly=True)
        return answer

    @post(
        "/", operation_id="flags_create", summary="Add a feature flag", guards=[permission_required(ADD_FLAG)]
    )
    async def create_flag(
        self, tx: NamedDependency[AsyncSession], data: JSONBody[schemas.FlagCreate]
    ) -> schemas.FlagRead:
        return await _read(tx, await svc.save_flag(tx, given_fields(data)))

    @patch(
        "/{name:str}",
        operation_id="flags_update",
        summary="Change a feature flag (users and groups, when given, replace the lists)",
        guards=[permission_required(CHANGE_FLAG)],
    )
    async def update_flag(
        self, tx: NamedDependency[AsyncSession], name: NameParam, data: JSONBody[schemas.FlagUpdate]
    ) -> schemas.FlagRead:
        flag = await svc.get_flag(tx, name)
        return await _read(tx, await svc.save_flag(tx, given_fields(data), flag))

    @delete(
        "/{name:str}",
        operation_id="flags_delete",
        summary="Delete a feature flag",
        guards=[permission_required(DELETE_FLAG)],
    )
    async def delete_flag(self, tx: NamedDependency[AsyncSession], name: NameParam) -> None:
        await delete_record(tx, await svc.get_flag(tx, name))
