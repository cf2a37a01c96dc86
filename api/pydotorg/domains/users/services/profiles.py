"""Profiles: the private view of one's own account, the public profile others see, and the
edits and deletion an account makes to itself."""

from __future__ import annotations

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.markup import render
from pydotorg.core.permissions import Principal
from pydotorg.core.records import visible_or_404
from pydotorg.domains.users import schemas
from pydotorg.domains.users.models import EmailPrivacy, SearchVisibility, User
from pydotorg.domains.users.services._common import Context
from pydotorg.domains.users.services.accounts import _ensure_unique, request_email_change
from pydotorg.domains.users.services.lookups import email_verified, grants_of, has_membership, pending_email


async def to_private(session: AsyncSession, user: User) -> schemas.UserPrivate:
    groups, perms = await grants_of(session, user)
    return schemas.UserPrivate(
        id=user.id,
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        email_verified=await email_verified(session, user),
        bio=user.bio,
        bio_markup_type=user.bio_markup_type,
        bio_html=user.bio_html,
        search_visibility=user.search_visibility,
        email_privacy=user.email_privacy,
        public_profile=user.public_profile,
        is_active=user.is_active,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
        date_joined=user.date_joined,
        last_login=user.last_login,
        has_membership=await has_membership(session, user.id),
        groups=groups,
        permissions=perms,
        pending_email=await pending_email(session, user),
    )


def is_searchable(user: User) -> bool:
    return user.is_active and user.public_profile and user.search_visibility == SearchVisibility.PUBLIC


async def public_profile(
    session: AsyncSession, username: str, viewer: Principal | None
) -> schemas.UserPublic | schemas.UserPrivate:
    user = await session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    is_self = viewer is not None and user is not None and viewer.user_id == user.id
    privileged = viewer is not None and viewer.has_perm("users.view_user")
    user = visible_or_404(
        user, f"No user named {username!r}.", lambda found: is_searchable(found) or is_self or privileged
    )
    if is_self or privileged:
        return await to_private(session, user)
    show_email = user.email_privacy == EmailPrivacy.PUBLIC or (
        user.email_privacy == EmailPrivacy.LOGGED_IN and viewer is not None
    )
    return schemas.UserPublic(
        id=user.id,
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        bio=user.bio,
        bio_markup_type=user.bio_markup_type,
        bio_html=user.bio_html,
        date_joined=user.date_joined,
        has_membership=await has_membership(session, user.id),
        email=user.email if show_email and user.email else None,
    )


def wants_email_change(user: User, data: schemas.UserUpdate) -> bool:
    """The update asks for another address (what the e-mail change limit counts)."""
    return data.email is not msgspec.UNSET and data.email.lower() != user.email.lower()


async def update_user(session: AsyncSession, ctx: Context, user: User, data: schemas.UserUpdate) -> User:
    """Apply a profile update. A new e-mail address is only requested here: it stays pending
    until confirmed (``request_email_change``); ``user.email`` keeps the current address."""
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    if "username" in changes and changes["username"].lower() != user.username.lower():
        await _ensure_unique(session, username=changes["username"], email=None, exclude=user.id)
    new_email = changes.pop("email", None)
    for key, value in changes.items():
        setattr(user, key, value)
    if "bio" in changes or "bio_markup_type" in changes:
        user.bio_html = render(user.bio, user.bio_markup_type, escape_html=True)
    if new_email is not None:
        await request_email_change(session, ctx, user, new_email)
    await session.flush()
    return user


async def delete_user(session: AsyncSession, user: User) -> None:
    await session.delete(user)
    await session.flush()
