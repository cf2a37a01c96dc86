"""Reads the other account services build on: an account by id, login name or address, the
state of its addresses, whether it holds a PSF membership, and its groups and permissions."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.permissions import PERMISSIONS
from pydotorg.core.records import get_visible_or_404
from pydotorg.domains.users.models import (
    EmailAddress,
    Group,
    GroupPermission,
    Membership,
    User,
    UserPermission,
    user_groups,
)


async def get_user(session: AsyncSession, user_id: int) -> User:
    return await get_visible_or_404(session, User, user_id, f"No user with id {user_id}.")


async def find_user(session: AsyncSession, login: str) -> User | None:
    """By username (case-insensitive, like python.org's natural key) or by e-mail."""
    user = await session.scalar(select(User).where(func.lower(User.username) == login.lower()))
    if user is None and "@" in login:
        found = await account_for_email(session, login)
        user = found[0] if found else None
    return user


async def account_for_email(session: AsyncSession, email: str) -> tuple[User, str] | None:
    """The account an address logs in to and receives resets for, with the address as stored.

    The account that verified the address wins; otherwise an account whose own (primary)
    address it is. An address that is only pending on some account (asked for, not confirmed)
    leads nowhere, so nobody can claim another person's address by typing it in."""
    row = (
        await session.execute(
            select(User, EmailAddress.email)
            .join(EmailAddress, EmailAddress.user_id == User.id)
            .where(func.lower(EmailAddress.email) == email.lower(), EmailAddress.verified)
            .order_by(User.id)
            .limit(1)
        )
    ).first()
    if row is not None:
        return row[0], row[1]
    user = await session.scalar(
        select(User).where(func.lower(User.email) == email.lower()).order_by(User.id).limit(1)
    )
    return (user, user.email) if user is not None else None


async def verified_owner(session: AsyncSession, email: str, *, exclude: int | None = None) -> int | None:
    """The id of the account that verified ``email`` (at most one: a partial unique index)."""
    stmt = select(EmailAddress.user_id).where(
        func.lower(EmailAddress.email) == email.lower(), EmailAddress.verified
    )
    if exclude is not None:
        stmt = stmt.where(EmailAddress.user_id != exclude)
    return await session.scalar(stmt.limit(1))


async def pending_email(session: AsyncSession, user: User) -> str | None:
    """The address the account asked to switch to and has not confirmed yet."""
    return await session.scalar(
        select(EmailAddress.email)
        .where(
            EmailAddress.user_id == user.id,
            EmailAddress.verified.is_(False),
            EmailAddress.primary.is_(False),
        )
        .order_by(EmailAddress.id.desc())
        .limit(1)
    )


async def email_verified(session: AsyncSession, user: User) -> bool:
    """The account's current address is verified."""
    if not user.email:
        return False
    return bool(
        await session.scalar(
            select(EmailAddress.verified).where(
                EmailAddress.user_id == user.id,
                func.lower(EmailAddress.email) == user.email.lower(),
            )
        )
    )


async def any_verified(session: AsyncSession, user: User) -> bool:
    """Some address of the account is verified (what allauth requires to log in)."""
    return bool(
        await session.scalar(
            select(EmailAddress.id).where(EmailAddress.user_id == user.id, EmailAddress.verified).limit(1)
        )
    )


async def has_membership(session: AsyncSession, user_id: int) -> bool:
    return bool(await session.scalar(select(Membership.id).where(Membership.creator_id == user_id)))


async def grants_of(session: AsyncSession, user: User) -> tuple[list[str], list[str]]:
    groups = list(
        await session.scalars(
            select(Group.name)
            .join(user_groups, user_groups.c.group_id == Group.id)
            .where(user_groups.c.user_id == user.id)
            .order_by(Group.name)
        )
    )
    if user.is_superuser:
        return groups, sorted(PERMISSIONS)
    direct = select(UserPermission.permission).where(UserPermission.user_id == user.id)
    via = (
        select(GroupPermission.permission)
        .join(user_groups, user_groups.c.group_id == GroupPermission.group_id)
        .where(user_groups.c.user_id == user.id)
    )
    return groups, sorted(set(await session.scalars(direct.union(via))))
