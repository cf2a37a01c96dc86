"""Flag rules: valid percentages, existing users and groups, and whether a flag is on for a caller.

``is_active`` follows django-waffle's ``Flag.is_active``. ``testing`` is waffle's testing mode:
``?dwft_<name>=1`` (or ``0``) turns the flag on (off) for that request and is remembered in the
``dwft_<name>`` cookie (``True``/``False``), which later requests send back; it is evaluated right
after ``everyone``, as in waffle, and such answers are private to the caller (the controller
marks them uncacheable). ``rollout`` (waffle's random percentage cookie that slowly widens) is
stored but not evaluated, and ``languages`` (the request's language) is kept for the data only:
python.org serves one language. The percentage is a deterministic bucket of the user
(``crc32("name:user_id") % 1000``) instead of waffle's random cookie, so the same user gets the
same answer on every request and every server.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import utcnow
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal
from pydotorg.core.records import assign_changed, ensure_unique, get_visible_or_404
from pydotorg.domains.flags.models import Flag, flag_groups, flag_users
from pydotorg.domains.users.models import Group, User, user_groups

ONE_DECIMAL = Decimal("0.1")
LINKS: dict[str, tuple[Table, str, Any, str]] = {
    # field: (link table, its column, the target's id column, what the message calls it)
    "users": (flag_users, "user_id", User.id, "user"),
    "groups": (flag_groups, "group_id", Group.id, "group"),
}


def bucket(name: str, user_id: int) -> int:
    """The user's place (0-999) in the flag's percentage: stable across requests and servers."""
    return zlib.crc32(f"{name}:{user_id}".encode()) % 1000


def percent_value(value: float | None) -> Decimal | None:
    """A percentage as stored (``Numeric(3, 1)``); more than one decimal place is refused, as
    Django's ``DecimalField`` did, rather than silently rounded."""
    if value is None:
        return None
    percent = Decimal(str(value))
    if not percent.is_finite() or percent != percent.quantize(ONE_DECIMAL):
        raise ValidationFailed({"percent": ["Ensure that there are no more than 1 decimal place."]})
    if not Decimal(0) <= percent <= Decimal("99.9"):
        raise ValidationFailed({"percent": ["Enter a number from 0.0 to 99.9."]})
    return percent.quantize(ONE_DECIMAL)


async def links_of(session: AsyncSession, flag_ids: Iterable[int]) -> dict[int, tuple[list[int], list[int]]]:
    """``{flag_id: (user ids, group ids)}`` for the given flags, ids in ascending order."""
    ids = list(flag_ids)
    out: dict[int, tuple[list[int], list[int]]] = {i: ([], []) for i in ids}
    if not ids:
        return out
    for position, (table, column, _, _) in enumerate(LINKS.values()):
        rows = await session.execute(
            select(table.c.flag_id, table.c[column])
            .where(table.c.flag_id.in_(ids))
            .order_by(table.c.flag_id, table.c[column])
        )
        for flag_id, target in rows:
            out[flag_id][position].append(target)
    return out


async def _missing(session: AsyncSession, id_column: Any, wanted: set[int]) -> list[int]:
    found = set(await session.scalars(select(id_column).where(id_column.in_(wanted)))) if wanted else set()
    return sorted(wanted - found)


async def _replace_links(session: AsyncSession, flag_id: int, field: str, wanted: set[int]) -> bool:
    table, column, _, _ = LINKS[field]
    current = set(await session.scalars(select(table.c[column]).where(table.c.flag_id == flag_id)))
    gone, new = current - wanted, wanted - current
    if gone:
        await session.execute(delete(table).where(table.c.flag_id == flag_id, table.c[column].in_(gone)))
    if new:
        await session.execute(insert(table), [{"flag_id": flag_id, column: i} for i in sorted(new)])
    return bool(gone or new)


async def get_flag(session: AsyncSession, name: str) -> Flag:
    return await get_visible_or_404(session, Flag, Flag.name == name, f"No flag named {name!r}.")


async def list_flags(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[Flag], ListMeta]:
    return await paginate(session, select(Flag).order_by(Flag.name), limit, offset)


async def save_flag(session: AsyncSession, data: Mapping[str, Any], flag: Flag | None = None) -> Flag:
    values = dict(data)
    links = {field: set(values.pop(field)) for field in LINKS if field in values}
    errors: dict[str, list[str]] = {}
    if "percent" in values:
        try:
            values["percent"] = percent_value(values["percent"])
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if flag is None:
        await ensure_unique(
            session, Flag, "name", values["name"], "Flag with this Name already exists.", errors=errors
        )
    for field, wanted in links.items():
        _, _, id_column, what = LINKS[field]
        if missing := await _missing(session, id_column, wanted):
            errors[field] = [f"No {what} with id {', '.join(map(str, missing))}."]
    if errors:
        raise ValidationFailed(errors)
    changed = False
    if flag is None:
        flag = Flag(**values)
        session.add(flag)
        await session.flush()
    else:
        changed = assign_changed(flag, values)
    for field, wanted in links.items():
        changed = await _replace_links(session, flag.id, field, wanted) or changed
    if changed:
        # waffle's ``modified`` (auto_now); a change of the users or groups alone also moves it,
        # which puts the flag in the change feed.
        flag.modified = utcnow()
    await session.flush()
    return flag


def test_cookie(name: str) -> str:
    """waffle's testing-mode parameter and cookie name (``WAFFLE_TEST_COOKIE``)."""
    return f"dwft_{name}"


def testing_override(flag: Flag, query: Mapping[str, str], cookies: Mapping[str, str]) -> bool | None:
    """waffle's testing mode: the caller's ``?dwft_<name>=`` (``1`` is on, anything else off),
    else its ``dwft_<name>`` cookie (``True`` is on); None when the flag is not in testing mode
    or the caller sent neither."""
    if not flag.testing:
        return None
    key = test_cookie(flag.name)
    if key in query:
        return query[key] == "1"
    if key in cookies:
        return cookies[key] == "True"
    return None


async def is_active(
    session: AsyncSession, flag: Flag, principal: Principal | None, *, testing: bool | None = None
) -> bool:
    """Whether ``flag`` is on for the caller, in waffle's order (see the module docstring);
    ``testing`` is the caller's testing-mode answer (``testing_override``)."""
    if flag.everyone is not None:
        return flag.everyone
    if testing is not None:
        return testing
    # Django's authentication refuses inactive accounts, so waffle saw them as anonymous.
    user = principal if principal is not None and principal.is_active else None
    if user is None:
        return False
    if flag.superusers and user.is_superuser:
        return True
    if flag.staff and user.is_staff:
        return True
    if flag.authenticated:
        return True
    listed = await session.scalar(
        select(flag_users.c.user_id).where(
            flag_users.c.flag_id == flag.id, flag_users.c.user_id == user.user_id
        )
    )
    if listed is not None:
        return True
    in_group = await session.scalar(
        select(flag_groups.c.group_id)
        .join(user_groups, user_groups.c.group_id == flag_groups.c.group_id)
        .where(flag_groups.c.flag_id == flag.id, user_groups.c.user_id == user.user_id)
        .limit(1)
    )
    if in_group is not None:
        return True
    if flag.percent is not None:
        return bucket(flag.name, user.user_id) < flag.percent * 10
    return False
