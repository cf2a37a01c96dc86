"""Business rules for accounts: sign-up, verification, log-in, passwords, profiles, keys,
memberships, groups and grants. Controllers call these; nothing here commits (the request's
transaction or ``db.transaction`` does)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec
from litestar.exceptions import (
    NotAuthorizedException,
    PermissionDeniedException,
)
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core import passwords, tokens
from pydotorg.core.db import utcnow
from pydotorg.core.errors import BadRequest, ConflictException
from pydotorg.core.mail import Mailer, build_message
from pydotorg.core.markup import render
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import PERMISSIONS, Principal, may_administer
from pydotorg.core.ratelimit import RateLimiter
from pydotorg.core.records import ensure_unique, get_visible_or_404, visible_or_404
from pydotorg.core.tasks import enqueue_mail, mail_after_commit
from pydotorg.domains.users import schemas
from pydotorg.domains.users.models import (
    ApiKey,
    AuthSession,
    EmailAddress,
    EmailPrivacy,
    Group,
    GroupPermission,
    Membership,
    MembershipType,
    SearchVisibility,
    User,
    UserPermission,
    user_groups,
)
from pydotorg.settings import Settings

PSF_MEMBERS_LIST = "psf-members-announce-request@python.org"
VOTE_AFFIRMATION_DAYS = 366


@dataclass
class Context:
    """What a service call needs besides the session: settings, mail, the queue and the rate
    limiter (for limits that depend on the account rather than on the request)."""

    settings: Settings
    mailer: Mailer
    queue: Any = None
    limiter: RateLimiter | None = None


# --- lookups -------------------------------------------------------------------------------


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


# --- creation and sign-up ------------------------------------------------------------------


async def _ensure_unique(
    session: AsyncSession, *, username: str | None, email: str | None, exclude: int | None = None
) -> None:
    if username is not None:
        await ensure_unique(
            session,
            User,
            "username",
            username,
            "A user with that username already exists.",
            exclude=exclude,
            condition=func.lower(User.username) == username.lower(),
            conflict=True,
        )
    # Only a verified address is taken: pending and unconfirmed ones never block anyone.
    if email is not None and await verified_owner(session, email, exclude=exclude):
        raise ConflictException(
            "A user is already registered with this e-mail address.",
            extra={"field": "email"},
        )


async def create_user(
    session: AsyncSession,
    *,
    username: str,
    email: str,
    password: str | None,
    is_staff: bool = False,
    is_superuser: bool = False,
    email_verified: bool = False,
) -> User:
    await _ensure_unique(session, username=username, email=email)
    user = User(
        username=username,
        email=email,
        password=passwords.hash_password(password) if password else "!",
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    session.add(user)
    await session.flush()
    session.add(EmailAddress(user_id=user.id, email=email, verified=email_verified, primary=True))
    await session.flush()
    return user


def _queue_mail(
    session: AsyncSession,
    ctx: Context,
    *,
    to: str,
    subject: str,
    body: str,
    from_email: str | None = None,
    reply_to: str | None = None,
) -> None:
    """Queue a message once the transaction commits (nothing is sent for a rolled-back write)."""
    message = build_message(
        to=[to],
        subject=subject,
        body=body,
        from_email=from_email or ctx.settings.default_from_email,
        reply_to=reply_to,
    )

    mail_after_commit(session, ctx.queue, ctx.mailer, message)


def verification_token(ctx: Context, user: User, email: str) -> str:
    return tokens.sign(ctx.settings.secret_key, "verify-email", {"u": user.id, "e": email.lower()})


def _verification_mail(ctx: Context, user: User, email: str, *, change: bool = False) -> dict[str, str]:
    token = verification_token(ctx, user, email)
    hours = ctx.settings.email_verification_max_age_seconds // 3600
    link = f"{ctx.settings.site_url}/accounts/confirm-email/?token={token}"
    why = (
        f"Someone (hopefully you) asked to use this e-mail address for the python.org account "
        f"{user.username!r}. It replaces the account's address only once you confirm it.\n"
        if change
        else "Someone (hopefully you) signed up at python.org with this e-mail address.\n"
    )
    return {
        "to": email,
        "subject": "[Python.org] Please confirm your e-mail address",
        "body": (
            f"Hello {user.username},\n\n{why}"
            f"To confirm it, open this link within {hours} hours:\n\n{link}\n\n"
            f"Or send this token to {ctx.settings.site_url}/api/v3/auth/verify-email:\n{token}\n"
            "If you did not ask for this, ignore this message.\n"
        ),
    }


def _send_verification(
    session: AsyncSession, ctx: Context, user: User, email: str, *, change: bool = False
) -> None:
    _queue_mail(session, ctx, **_verification_mail(ctx, user, email, change=change))


async def signup(session: AsyncSession, ctx: Context, data: schemas.SignupRequest) -> None:
    """Create an inactive-until-verified account. An e-mail address that is already
    registered (verified by an account) is not revealed: the owner of that address is told
    instead (allauth's enumeration prevention); a taken username is reported, as python.org
    does. An address that is only pending or unconfirmed elsewhere does not stop the sign-up."""
    await _ensure_unique(session, username=data.username, email=None)
    if await verified_owner(session, data.email):
        _queue_mail(
            session,
            ctx,
            to=data.email,
            subject="[Python.org] Account already exists",
            body=(
                "Someone tried to sign up at python.org with this e-mail address, which "
                "already has an account. If it was you, log in or reset your password at "
                f"{ctx.settings.site_url}/accounts/password/reset/.\n"
            ),
        )
        return
    user = await create_user(session, username=data.username, email=data.email, password=data.password)
    _send_verification(session, ctx, user, data.email)


async def verify_email(session: AsyncSession, ctx: Context, token: str) -> User:
    try:
        payload = tokens.unsign(
            ctx.settings.secret_key,
            "verify-email",
            token,
            max_age=ctx.settings.email_verification_max_age_seconds,
        )
    except tokens.BadToken as exc:
        raise BadRequest(f"Invalid verification token: {exc}.") from None
    address = await session.scalar(
        select(EmailAddress).where(
            EmailAddress.user_id == int(payload["u"]),
            func.lower(EmailAddress.email) == str(payload["e"]),
        )
    )
    if address is None:
        raise BadRequest("Invalid verification token: the address is no longer on the account.")
    user = await get_user(session, address.user_id)
    if address.verified:  # a second click changes nothing
        return user
    if await verified_owner(session, address.email, exclude=user.id):
        raise BadRequest("Invalid verification token: the address is no longer available.")
    address.verified = True
    # allauth: once one account proves an address, other accounts' unconfirmed claims on it go.
    await session.execute(
        delete(EmailAddress).where(
            func.lower(EmailAddress.email) == address.email.lower(),
            EmailAddress.user_id != user.id,
            EmailAddress.verified.is_(False),
        )
    )
    # A confirmed address becomes the account's address (a sign-up's, or a requested change).
    await session.execute(
        update(EmailAddress)
        .where(EmailAddress.user_id == user.id, EmailAddress.id != address.id)
        .values(primary=False)
    )
    address.primary = True
    user.email = address.email
    await session.flush()
    return user


# --- log in / out --------------------------------------------------------------------------


async def login(
    session: AsyncSession, ctx: Context, data: schemas.LoginRequest
) -> tuple[User, str, AuthSession]:
    user = await find_user(session, data.login)
    if user is None or not passwords.verify_password(user.password, data.password):
        if user is None:
            passwords.verify_password(_dummy_hash(), data.password)  # same cost either way
        raise NotAuthorizedException("The username/e-mail or password is not correct.")
    if not user.is_active:
        raise PermissionDeniedException("This account is inactive.")
    if not await any_verified(session, user):
        # The refusal rolls the transaction back, so this mail is queued right away. Counted
        # per account, with the e-mail change allowance: repeated log-ins must not turn an
        # unconfirmed sign-up into a way of flooding someone's inbox.
        allowed = (
            ctx.limiter is None
            or (
                await ctx.limiter.hit(
                    "verification_resend", f"user:{user.id}", ctx.settings.rate_limit_email_change
                )
            )[0]
        )
        if allowed:
            mail = _verification_mail(ctx, user, user.email)
            message = build_message(
                from_email=ctx.settings.default_from_email,
                to=[mail["to"]],
                subject=mail["subject"],
                body=mail["body"],
            )
            await enqueue_mail(ctx.queue, ctx.mailer, message)
        raise PermissionDeniedException(
            "The e-mail address of this account is not verified; a new confirmation message has been sent."
        )
    if passwords.needs_rehash(user.password):
        user.password = passwords.hash_password(data.password)
    user.last_login = utcnow()
    token, auth = await open_session(session, ctx, user, data.session)
    return user, token, auth


@functools.cache
def _dummy_hash() -> str:
    return passwords.hash_password("timing equaliser")


async def open_session(session: AsyncSession, ctx: Context, user: User, kind: str) -> tuple[str, AuthSession]:
    token = tokens.new_secret()
    lifetime = (
        ctx.settings.session_lifetime_seconds if kind == "cookie" else ctx.settings.token_lifetime_seconds
    )
    auth = AuthSession(
        user_id=user.id,
        kind=kind,
        token_hash=tokens.digest(token),
        csrf_token=tokens.new_secret(24) if kind == "cookie" else "",
        expires=utcnow() + timedelta(seconds=lifetime),
    )
    session.add(auth)
    await session.flush()
    return token, auth


async def logout(session: AsyncSession, principal: Principal) -> None:
    if principal.session_id is None:
        raise BadRequest("This credential is an API key; revoke it instead of logging out.")
    await session.execute(
        update(AuthSession).where(AuthSession.id == principal.session_id).values(revoked_at=utcnow())
    )


async def _revoke_credentials(session: AsyncSession, user_id: int, keep: int | None = None) -> None:
    """End every log-in (but ``keep``, the caller's own session) and revoke every API key:
    whoever learnt the old password may have made a key with it. There is no exception for
    release tooling: it sends a key from its environment on each run, so a release manager
    makes a new key after a password change (see docs/decisions.md)."""
    now = utcnow()
    stmt = update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep)
    await session.execute(stmt.values(revoked_at=now))
    await session.execute(
        update(ApiKey).where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None)).values(revoked_at=now)
    )


# --- passwords -----------------------------------------------------------------------------


async def change_password(
    session: AsyncSession, principal: Principal, data: schemas.PasswordChangeRequest
) -> None:
    user = await get_user(session, principal.user_id)
    if not passwords.verify_password(user.password, data.old_password):
        raise BadRequest("The old password is not correct.", extra={"field": "old_password"})
    user.password = passwords.hash_password(data.new_password)
    await _revoke_credentials(session, user.id, keep=principal.session_id)


def _reset_fingerprint(user: User) -> str:
    # Bound to the current hash and last log-in: a used or outdated link stops working.
    last = user.last_login.isoformat() if user.last_login else ""
    return tokens.digest(f"{user.password}|{last}")[:16]


async def request_password_reset(session: AsyncSession, ctx: Context, email: str) -> None:
    """Always succeeds from the caller's point of view (no account enumeration). The link
    goes to the address asked for, and only if it is an account's verified address or its own
    address (``account_for_email``), never to an account that merely asked for it."""
    found = await account_for_email(session, email)
    if found is None or not found[0].is_active:
        return
    user, address = found
    token = tokens.sign(
        ctx.settings.secret_key, "password-reset", {"u": user.id, "f": _reset_fingerprint(user)}
    )
    hours = ctx.settings.password_reset_max_age_seconds // 3600
    _queue_mail(
        session,
        ctx,
        to=address,
        subject="[Python.org] Password reset",
        body=(
            f"Hello {user.username},\n\nA password reset was requested for your python.org "
            f"account. Open this link within {hours} hours to choose a new password:\n\n"
            f"{ctx.settings.site_url}/accounts/password/reset/key/?token={token}\n\n"
            "If you did not ask for this, ignore this message.\n"
        ),
    )


async def confirm_password_reset(
    session: AsyncSession, ctx: Context, data: schemas.PasswordResetConfirm
) -> None:
    try:
        payload = tokens.unsign(
            ctx.settings.secret_key,
            "password-reset",
            data.token,
            max_age=ctx.settings.password_reset_max_age_seconds,
        )
    except tokens.BadToken as exc:
        raise BadRequest(f"Invalid password reset token: {exc}.") from None
    user = await session.get(User, int(payload["u"]))
    if user is None or payload.get("f") != _reset_fingerprint(user) or not user.is_active:
        raise BadRequest("Invalid password reset token: it was already used or is outdated.")
    user.password = passwords.hash_password(data.new_password)
    await _revoke_credentials(session, user.id)


# --- profile -------------------------------------------------------------------------------


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


async def request_email_change(session: AsyncSession, ctx: Context, user: User, new_email: str) -> None:
    """allauth's model: the new address is pending until its owner confirms it.

    The answer never depends on whether someone else uses the address: a pending row is added
    either way and one message goes to the address, a confirmation link if it is free or a
    notice (no link) if another account verified it. Going back to an address this account
    verified earlier needs no mail. One pending address at a time: asking again replaces it.
    """
    if new_email.lower() == user.email.lower():
        return
    rows = list(await session.scalars(select(EmailAddress).where(EmailAddress.user_id == user.id)))
    earlier = next((r for r in rows if r.verified and r.email.lower() == new_email.lower()), None)
    for row in rows:
        if not row.verified and not row.primary:
            await session.delete(row)
    if earlier is not None:
        for row in rows:
            row.primary = row is earlier
        user.email = earlier.email
        return
    session.add(EmailAddress(user_id=user.id, email=new_email, verified=False, primary=False))
    if await verified_owner(session, new_email, exclude=user.id):
        _queue_mail(
            session,
            ctx,
            to=new_email,
            subject="[Python.org] Your e-mail address",
            body=(
                "Someone asked to use this e-mail address for another python.org account. It "
                "already belongs to your account, so nothing changed and nothing needs to be "
                "done. If you have forgotten your password, reset it at "
                f"{ctx.settings.site_url}/accounts/password/reset/.\n"
            ),
        )
    else:
        _send_verification(session, ctx, user, new_email, change=True)


async def delete_user(session: AsyncSession, user: User) -> None:
    await session.delete(user)
    await session.flush()


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


# --- grants --------------------------------------------------------------------------------


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


# --- API keys ------------------------------------------------------------------------------


async def create_api_key(
    session: AsyncSession,
    user_id: int,
    name: str,
    *,
    key: str | None = None,
    origin: str = "personal",
) -> tuple[ApiKey, str]:
    key = key or tokens.new_api_key()
    api_key = ApiKey(user_id=user_id, name=name, prefix=key[:12], key_hash=tokens.digest(key), origin=origin)
    session.add(api_key)
    await session.flush()
    return api_key, key


async def list_api_keys(session: AsyncSession, user_id: int) -> list[schemas.ApiKeyRead]:
    keys = await session.scalars(select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.id))
    return [
        schemas.ApiKeyRead(
            id=k.id,
            name=k.name,
            prefix=k.prefix,
            origin=k.origin,
            created=k.created,
            last_used=k.last_used,
            revoked_at=k.revoked_at,
        )
        for k in keys
    ]


async def revoke_api_key(session: AsyncSession, user_id: int, key_id: int) -> None:
    key = await get_visible_or_404(
        session, ApiKey, (ApiKey.id == key_id) & (ApiKey.user_id == user_id), f"No API key with id {key_id}."
    )
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    await session.flush()


# --- membership ----------------------------------------------------------------------------


def to_membership(m: Membership, username: str | None) -> schemas.MembershipRead:
    needs = bool(
        m.votes
        and (
            m.last_vote_affirmation is None
            or m.last_vote_affirmation < utcnow() - timedelta(days=VOTE_AFFIRMATION_DAYS)
        )
    )
    return schemas.MembershipRead(
        id=m.id,
        membership_type=m.membership_type,
        membership_type_name=MembershipType(m.membership_type).name.title(),
        legal_name=m.legal_name,
        preferred_name=m.preferred_name,
        email_address=m.email_address,
        city=m.city,
        region=m.region,
        country=m.country,
        postal_code=m.postal_code,
        psf_code_of_conduct=m.psf_code_of_conduct,
        psf_announcements=m.psf_announcements,
        votes=m.votes,
        last_vote_affirmation=m.last_vote_affirmation,
        needs_vote_affirmation=needs,
        higher_level_member=m.membership_type != MembershipType.BASIC,
        created=m.created,
        updated=m.updated,
        username=username,
    )


async def get_membership(session: AsyncSession, user_id: int) -> Membership:
    return await get_visible_or_404(
        session, Membership, Membership.creator_id == user_id, "You have no PSF membership."
    )


def _touch_votes(m: Membership, now: datetime) -> None:
    if m.votes and m.last_vote_affirmation is None:
        m.last_vote_affirmation = now


async def create_membership(
    session: AsyncSession, ctx: Context, principal: Principal, data: schemas.MembershipCreate
) -> Membership:
    if not data.psf_code_of_conduct:
        raise BadRequest(
            "Agreeing to the code of conduct is required.",
            extra={"field": "psf_code_of_conduct"},
        )
    if await has_membership(session, principal.user_id):
        raise ConflictException("You already have a PSF membership; edit it instead.")
    now = utcnow()
    membership = Membership(
        **msgspec.structs.asdict(data), creator_id=principal.user_id, created=now, updated=now
    )
    _touch_votes(membership, now)
    session.add(membership)
    await session.flush()
    if data.psf_announcements:
        _subscribe_announcements(session, ctx, membership)
    return membership


def _subscribe_announcements(session: AsyncSession, ctx: Context, m: Membership) -> None:
    _queue_mail(
        session,
        ctx,
        to=PSF_MEMBERS_LIST,
        subject="subscribe",
        body="subscribe\n",
        from_email=m.email_address,
    )


async def update_membership(
    session: AsyncSession, ctx: Context, membership: Membership, data: schemas.MembershipUpdate
) -> Membership:
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    was_subscribed = bool(membership.psf_announcements)
    for key, value in changes.items():
        setattr(membership, key, value)
    now = utcnow()
    membership.updated = now
    _touch_votes(membership, now)
    await session.flush()
    if membership.psf_announcements and not was_subscribed:
        _subscribe_announcements(session, ctx, membership)
    return membership


async def affirm_vote(session: AsyncSession, membership: Membership) -> Membership:
    now = utcnow()
    membership.votes = True
    membership.last_vote_affirmation = now
    membership.updated = now
    await session.flush()
    return membership


async def delete_membership(session: AsyncSession, membership: Membership) -> None:
    await session.delete(membership)
    await session.flush()


async def list_memberships(
    session: AsyncSession, *, limit: int, offset: int, votes: bool | None
) -> schemas.MembershipList:
    stmt = select(Membership, User.username).join(User, User.id == Membership.creator_id, isouter=True)
    if votes is not None:
        stmt = stmt.where(Membership.votes == votes)
    total = int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = await session.execute(stmt.order_by(Membership.id).limit(limit).offset(offset))
    return schemas.MembershipList(
        data=[to_membership(m, u) for m, u in rows],
        meta=ListMeta(total=total, limit=limit, offset=offset),
    )
