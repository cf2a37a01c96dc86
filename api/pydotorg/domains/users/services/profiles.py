"""Profiles: the private view of one's own account, the public profile others see, and the
edits and deletion an account makes to itself."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import ColumnElement, FromClause, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import Base
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.markup import render
from pydotorg.core.pagination import paginate
from pydotorg.core.permissions import Principal
from pydotorg.core.records import get_visible_or_404, visible_or_404
from pydotorg.domains.users import schemas
from pydotorg.domains.users.models import EmailPrivacy, Membership, SearchVisibility, User
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


def searchable() -> ColumnElement[bool]:
    """python.org's ``User.objects.searchable()``: active, public profile, indexable."""
    return (
        User.is_active.is_(True)
        & User.public_profile.is_(True)
        & (User.search_visibility == int(SearchVisibility.PUBLIC))
    )


def _profile(user: User, member: bool) -> schemas.ProfileRead:
    return schemas.ProfileRead(
        id=user.id,
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        bio_html=user.bio_html,
        date_joined=user.date_joined,
        has_membership=member,
        email_privacy=user.email_privacy,
        email=user.email if user.email_privacy == EmailPrivacy.PUBLIC and user.email else None,
    )


async def _members_among(session: AsyncSession, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    found = await session.scalars(select(Membership.creator_id).where(Membership.creator_id.in_(ids)))
    return {i for i in found if i is not None}


async def list_profiles(session: AsyncSession, *, limit: int, offset: int) -> schemas.ProfileList:
    """The searchable users' public profiles (what the site builds ``/users/<username>/`` from);
    nobody else's data is in it."""
    users, meta = await paginate(session, select(User).where(searchable()).order_by(User.id), limit, offset)
    members = await _members_among(session, [u.id for u in users])
    return schemas.ProfileList(data=[_profile(u, u.id in members) for u in users], meta=meta)


async def get_profile(session: AsyncSession, user_id: int) -> schemas.ProfileRead:
    """One searchable user's public profile; any other account is a 404 like a missing one."""
    user = await get_visible_or_404(
        session, User, (User.id == user_id) & searchable(), f"No public profile with id {user_id}."
    )
    return _profile(user, await has_membership(session, user.id))


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
    if data.website:
        # A bot filled the hidden field (django-honeypot answered 400 as well).
        raise ValidationFailed({"website": ["Invalid submission."]})
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    del changes["website"]
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


async def _detach_dependents(session: AsyncSession, table: FromClause, ids: list[Any]) -> None:
    """Do what the database's ``ON DELETE`` rules would do to the change-feed records pointing at
    rows ``ids`` of ``table``, through the ORM, so each one is in the feed and the site rebuilds
    (or deletes) the pages that show it; the rules alone change rows the feed never hears of.
    ``CASCADE`` deletes the record (its own dependents first), ``SET NULL`` clears the column.

    Generic over the mapped models so the accounts domain names no other domain: for a user
    that is a nominee's record and the nominations made for it (deleted, as python.org does),
    and the jobs, events, stories and nominations the person submitted (kept, without them)."""
    if not ids:
        return
    # Deletions first, so a record both deleted and detached (a self-nomination names its
    # nominee and its nominator) is reported once, as deleted.
    for rule in ("CASCADE", "SET NULL"):
        for mapper in list(Base.registry.mappers):
            model = mapper.class_
            if not getattr(model, "__change_domain__", None):
                continue
            for column in mapper.local_table.columns:
                to_table = [fk for fk in column.foreign_keys if fk.column.table is table]
                if rule not in {(fk.ondelete or "").upper() for fk in to_table}:
                    continue  # not pointing at ``table`` this way (other rules refuse the delete)
                rows = list(await session.scalars(select(model).where(column.in_(ids))))
                if rule == "CASCADE":
                    await _detach_dependents(session, mapper.local_table, [r.id for r in rows])
                    for row in rows:
                        await session.delete(row)
                else:
                    key = mapper.get_property_by_column(column).key
                    for row in rows:
                        setattr(row, key, None)
        await session.flush()


async def delete_user(session: AsyncSession, user: User) -> None:
    """Delete the account (python.org's self-service delete). What pointed at it follows the
    foreign keys' rules, applied through the ORM so the site hears of each (see
    ``_detach_dependents``); the account's membership, addresses, keys and sessions go with it."""
    await _detach_dependents(session, User.__table__, [user.id])
    await session.delete(user)
    await session.flush()
