"""Permissions and groups: granting them to an account and creating and listing groups. A
non-superuser grants only what they hold."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from litestar.exceptions import PermissionDeniedException
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import BadRequest
from pydotorg.core.permissions import PERMISSIONS, Principal
from pydotorg.core.records import ensure_unique
from pydotorg.domains.users import schemas
from pydotorg.domains.users.models import Group, GroupPermission, User, UserPermission, user_groups
from pydotorg.domains.users.services.administration import _check_rank


def _check_permission_names(names: Sequence[str]) -> None:
    unknown = sorted(set(names) - PERMISSIONS.keys())
    if unknown:
        raise BadRequest(f"Unknown permission(s): {', '.join(unknown)}.", extra={"field": "permissions"})


def _check_held(actor: Principal, names: set[str]) -> None:
    """A non-superuser grants (or takes away) only permissions they hold themselves."""
    if actor.is_superuser:
        return
    missing = sorted(n for n in names if not actor.has_perm(n))
    if missing:
        raise PermissionDeniedException(
            f"You cannot grant or remove permissions you do not hold: {', '.join(missing)}."
        )


async def set_grants(session: AsyncSession, actor: Principal, user: User, data: schemas.GrantsUpdate) -> None:
    _check_rank(actor, user)
    if data.permissions is not msgspec.UNSET:
        _check_permission_names(data.permissions)
        current = set(
            await session.scalars(select(UserPermission.permission).where(UserPermission.user_id == user.id))
        )
        _check_held(actor, current ^ set(data.permissions))
        await session.execute(delete(UserPermission).where(UserPermission.user_id == user.id))
        session.add_all(UserPermission(user_id=user.id, permission=p) for p in set(data.permissions))
    if data.groups is not msgspec.UNSET:
        found = {g.name: g for g in await session.scalars(select(Group).where(Group.name.in_(data.groups)))}
        missing = sorted(set(data.groups) - found.keys())
        if missing:
            raise BadRequest(f"Unknown group(s): {', '.join(missing)}.", extra={"field": "groups"})
        current_ids = set(
            await session.scalars(select(user_groups.c.group_id).where(user_groups.c.user_id == user.id))
        )
        changed = current_ids ^ {g.id for g in found.values()}
        if changed:
            _check_held(
                actor,
                set(
                    await session.scalars(
                        select(GroupPermission.permission).where(GroupPermission.group_id.in_(changed))
                    )
                ),
            )
        await session.execute(delete(user_groups).where(user_groups.c.user_id == user.id))
        if found:
            await session.execute(
                user_groups.insert(),
                [{"user_id": user.id, "group_id": g.id} for g in found.values()],
            )
    await session.flush()


async def create_group(
    session: AsyncSession, actor: Principal, data: schemas.GroupCreate
) -> schemas.GroupRead:
    _check_permission_names(data.permissions)
    _check_held(actor, set(data.permissions))
    await ensure_unique(
        session, Group, "name", data.name, "A group with that name already exists.", conflict=True
    )
    group = Group(name=data.name)
    session.add(group)
    await session.flush()
    session.add_all(GroupPermission(group_id=group.id, permission=p) for p in set(data.permissions))
    await session.flush()
    return schemas.GroupRead(id=group.id, name=group.name, permissions=sorted(set(data.permissions)))


async def list_groups(session: AsyncSession) -> list[schemas.GroupRead]:
    groups = list(await session.scalars(select(Group).order_by(Group.name)))
    perms: dict[int, list[str]] = {}
    for gp in await session.scalars(select(GroupPermission).order_by(GroupPermission.permission)):
        perms.setdefault(gp.group_id, []).append(gp.permission)
    return [schemas.GroupRead(id=g.id, name=g.name, permissions=perms.get(g.id, [])) for g in groups]
