"""Staff acting on other accounts: the rank check (``may_administer``), staff and superuser
changes, and the user list."""

from __future__ import annotations

import msgspec
from litestar.exceptions import PermissionDeniedException
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.pagination import paginate
from pydotorg.core.permissions import Principal, may_administer
from pydotorg.domains.users import schemas
from pydotorg.domains.users.models import User
from pydotorg.domains.users.services._common import Context
from pydotorg.domains.users.services.lookups import get_user
from pydotorg.domains.users.services.profiles import to_private, update_user


def _check_rank(actor: Principal, target: User) -> None:
    if not may_administer(actor, target_is_staff=target.is_staff, target_is_superuser=target.is_superuser):
        raise PermissionDeniedException("Only a superuser can change a staff member or a superuser.")


async def admin_update_user(
    session: AsyncSession, ctx: Context, actor: Principal, user_id: int, data: schemas.UserAdminUpdate
) -> User:
    """``PATCH /users/id/{id}``: nobody acts on an account above their own level, and only a
    superuser makes or unmakes staff members and superusers (``may_administer``)."""
    user = await get_user(session, user_id)
    _check_rank(actor, user)
    for flag in ("is_staff", "is_superuser"):
        value = getattr(data, flag)
        if value is not msgspec.UNSET and value != getattr(user, flag) and not actor.is_superuser:
            raise PermissionDeniedException("Only a superuser can grant or remove staff or superuser status.")
    return await update_user(session, ctx, user, data)


async def list_users(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    q: str | None,
    is_staff: bool | None,
    is_active: bool | None,
) -> schemas.UserList:
    stmt = select(User)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            func.lower(User.username).like(like)
            | func.lower(User.email).like(like)
            | func.lower(User.first_name + " " + User.last_name).like(like)
        )
    if is_staff is not None:
        stmt = stmt.where(User.is_staff == is_staff)
    if is_active is not None:
        stmt = stmt.where(User.is_active == is_active)
    users, meta = await paginate(session, stmt.order_by(User.id), limit, offset)
    return schemas.UserList(data=[await to_private(session, u) for u in users], meta=meta)
