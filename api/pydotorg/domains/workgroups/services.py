"""Working-group rules: who sees unapproved groups, unique slugs, existing users, charter sections
rendered and sanitized."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import slugify
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.markup import render
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal, staff_or
from pydotorg.core.records import assign_changed, ensure_unique, get_visible_or_404
from pydotorg.domains.users.models import User
from pydotorg.domains.workgroups.models import CHANGE_GROUP, CHARTER_FIELDS, WorkGroup


def can_see_all(principal: Principal | None) -> bool:
    return staff_or(principal, CHANGE_GROUP)


async def get_group(session: AsyncSession, group_id: int, principal: Principal | None) -> WorkGroup:
    """A group the caller may see (an approved one, or any for editors); else 404."""
    return await get_visible_or_404(
        session,
        WorkGroup,
        group_id,
        f"No work group with id {group_id}.",
        visible=lambda g: g.approved or can_see_all(principal),
    )


async def list_groups(
    session: AsyncSession, principal: Principal | None, *, limit: int, offset: int, active: bool | None = None
) -> tuple[list[WorkGroup], ListMeta]:
    """Groups by name; unapproved ones only for editors."""
    stmt = select(WorkGroup).order_by(WorkGroup.name, WorkGroup.id)
    if not can_see_all(principal):
        stmt = stmt.where(WorkGroup.approved)
    if active is not None:
        stmt = stmt.where(WorkGroup.active == active)
    return await paginate(session, stmt, limit, offset)


def rendered(group: WorkGroup) -> dict[str, str]:
    return {f"{name}_html": render(getattr(group, name) or "", group.markup_type) for name in CHARTER_FIELDS}


async def save_group(
    session: AsyncSession, data: Mapping[str, Any], group: WorkGroup | None = None
) -> WorkGroup:
    values = dict(data)
    errors: dict[str, list[str]] = {}
    if group is None and not values.get("slug"):
        values["slug"] = slugify(values.get("name", ""))[:200]
        if not values["slug"]:
            errors["name"] = ["The name needs letters or digits to make a slug from."]
    if values.get("slug"):
        await ensure_unique(
            session,
            WorkGroup,
            "slug",
            values["slug"],
            "Work group with this slug already exists.",
            exclude=group,
            errors=errors,
        )
    for field in ("organizer_ids", "member_ids"):
        if field in values:
            wanted = sorted(set(values[field]))
            found = (
                set(await session.scalars(select(User.id).where(User.id.in_(wanted)))) if wanted else set()
            )
            if missing := [i for i in wanted if i not in found]:
                errors[field] = [f"No user with id {', '.join(map(str, missing))}."]
            values[field] = wanted
    if errors:
        raise ValidationFailed(errors)
    if group is None:
        group = WorkGroup(**{"organizer_ids": [], "member_ids": [], **values})
    else:
        assign_changed(group, values)
    assign_changed(group, rendered(group))
    session.add(group)
    await session.flush()
    return group
