"""Django fixtures -> feature flags (``waffle.flag``) with their ``users`` and ``groups``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select

from pydotorg.core.changes import Change
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.importing import ImportContext, ModelImport, RowError, parse_dt, sync_links
from pydotorg.domains.flags.models import Flag, flag_groups, flag_users
from pydotorg.domains.flags.schemas import NAME_PATTERN
from pydotorg.domains.flags.services import percent_value

NAME = re.compile(NAME_PATTERN)


def _bool(fields: Mapping[str, Any], name: str, default: bool) -> bool:
    value = fields.get(name)
    return default if value is None else bool(value)


async def convert_flag(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    name = str(fields.get("name") or "")
    if len(name) > 100 or not NAME.match(name):
        # The name is the flag's URL segment: /api/v3/flags/{name}/active.
        raise RowError(f"name {name!r} is not 1-100 letters, digits, '-', '_' or '.'")
    table = Flag.__table__
    other = await ctx.session.scalar(select(table.c.id).where(table.c.name == name, table.c.id != int(pk)))
    if other is not None or name in ctx.seen["feature_flags.name"]:
        raise RowError(f"name {name!r} is already used")
    ctx.seen["feature_flags.name"].add(name)
    everyone = fields.get("everyone")
    percent = fields.get("percent")
    try:
        stored_percent = percent_value(None if percent in (None, "") else float(percent))
    except ValidationFailed as exc:
        raise RowError(f"percent {percent!r}: {' '.join(exc.errors['percent'])}") from exc
    row: dict[str, Any] = {
        "id": int(pk),
        "name": name,
        "everyone": None if everyone is None else bool(everyone),
        "percent": stored_percent,
        "testing": _bool(fields, "testing", False),
        "superusers": _bool(fields, "superusers", True),
        "staff": _bool(fields, "staff", False),
        "authenticated": _bool(fields, "authenticated", False),
        "languages": str(fields.get("languages") or ""),
        "rollout": _bool(fields, "rollout", False),
        "note": str(fields.get("note") or ""),
    }
    # Timestamps the fixture lacks are left out: "now" on insert, and a later run keeps them
    # (a "now" here would make every run rewrite the row).
    for column in ("created", "modified"):
        if (when := parse_dt(fields.get(column))) is not None:
            row[column] = when
    return row


async def link_flag(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> int:
    """The flag's users (ids or natural keys ``["username"]``) and groups."""
    users = set()
    for value in fields.get("users") or []:
        uid = await ctx.user_id(value)
        if uid is None:
            raise RowError("user reference is empty")
        users.add(uid)
    groups = {await ctx.group_id(value) for value in fields.get("groups") or []}
    changed = await sync_links(ctx, flag_users, "flag_id", int(pk), "user_id", users)
    changed += await sync_links(ctx, flag_groups, "flag_id", int(pk), "group_id", groups)
    if changed:  # who the flag is on for changed even when the flag's own row did not
        await ctx.session.execute(
            insert(Change), {"domain": "flags", "kind": "flag", "object_id": str(pk), "action": "updated"}
        )
    return changed


# After users and groups (order 0 and 1): the links point at them.


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport("waffle.flag", Flag.__table__, convert_flag, ("flags", "flag"), order=20, links=link_flag),
)
