"""Accounts and their addresses: creation, sign-up, e-mail verification, pending address
changes, log-in, sessions and log-out."""

from __future__ import annotations

import functools
from datetime import timedelta

from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core import passwords, tokens
from pydotorg.core.db import utcnow
from pydotorg.core.errors import BadRequest, ConflictException
from pydotorg.core.mail import build_message
from pydotorg.core.permissions import Principal
from pydotorg.core.records import ensure_unique
from pydotorg.core.tasks import enqueue_mail
from pydotorg.domains.users import schemas
from pydotorg.domains.users.models import AuthSession, EmailAddress, User
from pydotorg.domains.users.services._common import Context, _queue_mail
from pydotorg.domains.users.services.lookups import any_verified, find_user, get_user, verified_owner

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
    does. An address that is only pending or unconfirmed elsewhere does not stop the sign-up.

    A filled honeypot (``website``) gets the same answer as a sign-up before anything is
    checked, and nothing is stored or mailed: a bot learns nothing, not even a taken username."""
    if data.website:
        return
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


# A genuine confirmation link still names its account and address after it expires, so the
# confirmation page can offer a new one for it; this long after it was sent, it is refused and
# the visitor types the address instead.
RESEND_WINDOW_SECONDS = 90 * 24 * 3600


async def resend_verification(
    session: AsyncSession, ctx: Context, data: schemas.VerificationResendRequest
) -> None:
    """Mail a new confirmation link, with the enumeration rules of sign-up and reset: the caller
    always gets the same answer. A link goes only to an address that an active account claims
    and nobody has verified (a sign-up's address or a pending change); for an address typed in,
    to the newest such claim. Each account's mails share the per-account allowance that log-in
    resends use, so repeating this cannot flood an inbox; over it, nothing is sent."""
    if (data.token is None) == (data.email is None):
        raise BadRequest(
            "Send either the token of an earlier link or an e-mail address.", extra={"field": "token"}
        )
    query = (
        select(EmailAddress)
        .join(User, User.id == EmailAddress.user_id)
        .where(EmailAddress.verified.is_(False), User.is_active)
    )
    if data.token is not None:
        try:
            payload = tokens.unsign(
                ctx.settings.secret_key, "verify-email", data.token, max_age=RESEND_WINDOW_SECONDS
            )
        except tokens.BadToken as exc:
            raise BadRequest(f"Invalid verification token: {exc}.", extra={"field": "token"}) from None
        query = query.where(
            EmailAddress.user_id == int(payload["u"]), func.lower(EmailAddress.email) == str(payload["e"])
        )
    else:
        assert data.email is not None
        query = query.where(func.lower(EmailAddress.email) == data.email.lower())
    address = await session.scalar(query.order_by(EmailAddress.id.desc()).limit(1))
    if address is None or await verified_owner(session, address.email):
        return
    if ctx.limiter is not None:
        allowed, _ = await ctx.limiter.hit(
            "verification_resend", f"user:{address.user_id}", ctx.settings.rate_limit_email_change
        )
        if not allowed:
            return
    user = await get_user(session, address.user_id)
    _send_verification(session, ctx, user, address.email, change=not address.primary)


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
