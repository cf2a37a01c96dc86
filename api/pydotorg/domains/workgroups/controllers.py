"""``/api/v3/work-groups/``: PSF working groups. Approved groups are public; editors see all."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset, paginate
from pydotorg.core.permissions import Principal, permission_required, principal_of, register, staff_or
from pydotorg.core.schemas import given_fields
from pydotorg.domains.workgroups import schemas
from pydotorg.domains.workgroups.models import WorkGroup
from pydotorg.domains.workgroups.services import save_group

ADD_GROUP = register("workgroups.add_workgroup", "Can add work groups")
CHANGE_GROUP = register("workgroups.change_workgroup", "Can change work groups (and see unapproved ones)")
DELETE_GROUP = register("workgroups.delete_workgroup", "Can delete work groups")

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


def can_see_all(principal: Principal | None) -> bool:
    return staff_or(principal, CHANGE_GROUP)


def group_read(g: WorkGroup) -> schemas.WorkGroupRead:
    return schemas.WorkGroupRead(
        id=g.id,
        name=g.name,
        slug=g.slug,
        active=g.active,
        approved=g.approved,
        short_description=g.short_description,
        markup_type=g.markup_type,
        purpose_html=g.purpose_html,
        active_time_html=g.active_time_html,
        core_values_html=g.core_values_html,
        rules_html=g.rules_html,
        communication_html=g.communication_html,
        support_html=g.support_html,
        url=g.url,
        organizer_ids=list(g.organizer_ids),
        member_ids=list(g.member_ids),
        created=g.created,
        updated=g.updated,
    )


async def _group(tx: AsyncSession, group_id: int, principal: Principal | None) -> WorkGroup:
    group = await tx.get(WorkGroup, group_id)
    if group is None or not (group.approved or can_see_all(principal)):
        raise NotFoundException(f"No work group with id {group_id}.")
    return group


class WorkGroupsController(Controller):
    path = "/api/v3/work-groups"
    tags = ["work groups"]

    @get("/", operation_id="workgroups_list", summary="Work groups by name (unapproved ones for editors)")
    async def list_groups(
        self,
        request: Request[Any, Any, Any],
        tx: AsyncSession,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        active: bool | None = None,
    ) -> schemas.WorkGroupList:
        stmt = select(WorkGroup).order_by(WorkGroup.name, WorkGroup.id)
        if not can_see_all(principal_of(request)):
            stmt = stmt.where(WorkGroup.approved)
        if active is not None:
            stmt = stmt.where(WorkGroup.active == active)
        rows, meta = await paginate(tx, stmt, limit, offset)
        return schemas.WorkGroupList(data=[group_read(g) for g in rows], meta=meta)

    @get("/{group_id:int}", operation_id="workgroups_read", summary="One work group")
    async def read_group(
        self, request: Request[Any, Any, Any], tx: AsyncSession, group_id: PK
    ) -> schemas.WorkGroupRead:
        return group_read(await _group(tx, group_id, principal_of(request)))

    @post(
        "/",
        operation_id="workgroups_create",
        summary="Add a work group",
        guards=[permission_required(ADD_GROUP)],
    )
    async def create_group(self, tx: AsyncSession, data: schemas.WorkGroupCreate) -> schemas.WorkGroupRead:
        return group_read(await save_group(tx, given_fields(data)))

    @patch(
        "/{group_id:int}",
        operation_id="workgroups_update",
        summary="Change a work group",
        guards=[permission_required(CHANGE_GROUP)],
    )
    async def update_group(
        self, request: Request[Any, Any, Any], tx: AsyncSession, group_id: PK, data: schemas.WorkGroupUpdate
    ) -> schemas.WorkGroupRead:
        group = await _group(tx, group_id, principal_of(request))
        return group_read(await save_group(tx, given_fields(data), group))

    @delete(
        "/{group_id:int}",
        operation_id="workgroups_delete",
        summary="Delete a work group",
        guards=[permission_required(DELETE_GROUP)],
    )
    async def delete_group(self, request: Request[Any, Any, Any], tx: AsyncSession, group_id: PK) -> None:
        await tx.delete(await _group(tx, group_id, principal_of(request)))
        await tx.flush()
