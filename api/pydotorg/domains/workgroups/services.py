"""Working-group rules: unique slugs, existing users, charter sections rendered and sanitized."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import slugify
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.markup import render
from pydotorg.domains.users.models import User
from pydotorg.domains.workgroups.models import CHARTER_FIELDS, WorkGroup


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
        stmt = select(WorkGroup.id).where(WorkGroup.slug == values["slug"])
        if group is not None:
            stmt = stmt.where(WorkGroup.id != group.id)
        if await session.scalar(stmt):
            errors["slug"] = ["Work group with this slug already exists."]
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
        for key, value in values.items():
            if getattr(group, key) != value:
                setattr(group, key, value)
    for key, html in rendered(group).items():
        if getattr(group, key) != html:
            setattr(group, key, html)
    session.add(group)
    await session.flush()
    return group
