"""GitHub and Google sign-in: the authorization-code flow with PKCE and ``state``, signing in,
signing up and connecting a provider account, and the caller's list of connections.

The flow, for a browser on the site:

1. ``begin``: a random ``state`` and PKCE verifier are made and kept in a signed, short-lived,
   httpOnly cookie (so they belong to this browser); the browser is sent to the provider with the
   state and the verifier's S256 challenge.
2. ``complete``: the provider sends the browser back with ``code`` and ``state``. The cookie must
   be there, unexpired, for the same provider, with the same state; then the code is exchanged
   with the verifier (httpx-oauth's client) and the provider's user is read.
3. The provider account leads to a python.org account: the one it is connected to; or, when the
   browser started the flow signed in, that account (connecting it); or the account that has
   verified the e-mail address the provider reports as verified (connecting it); or a new
   account with that address, already verified. An address the provider has not verified is
   never used to find, connect or create an account (anyone can type any address at a
   provider): the sign-in is refused with the way to connect the provider while signed in.

The providers themselves (configuration, httpx-oauth clients, reading their user) are in
``oauth_providers``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from httpx_oauth.oauth2 import OAuth2RequestError
from litestar.exceptions import NotFoundException, PermissionDeniedException, ServiceUnavailableException
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core import tokens
from pydotorg.core.db import utcnow
from pydotorg.core.errors import BadRequest, ConflictException
from pydotorg.core.permissions import Principal
from pydotorg.core.urls import link_errors
from pydotorg.domains.users import schemas
from pydotorg.domains.users.models import AuthSession, EmailAddress, SocialAccount, User
from pydotorg.domains.users.services._common import Context
from pydotorg.domains.users.services.accounts import create_user, open_session
from pydotorg.domains.users.services.lookups import get_user, verified_owner
from pydotorg.domains.users.services.oauth_providers import (
    LABELS,
    Identity,
    Provider,
    callback_url,
    get_provider,
    list_providers,
    providers,
)
from pydotorg.settings import Settings

STATE_COOKIE = "pydotorg_oauth"
STATE_COOKIE_PATH = "/api/v3/auth/oauth/"
_PURPOSE = "oauth-state"
_USERNAME_CHARS = re.compile(r"[^A-Za-z0-9_.@+-]")


@dataclass(frozen=True)
class Outcome:
    """Where a finished flow leaves the browser: ``token``/``auth`` are a new cookie session
    (None when a signed-in browser connected a provider to its own account)."""

    user: User
    next: str
    token: str | None
    auth: AuthSession | None


def safe_next(value: str | None) -> str:
    """``next`` must be a path on this site: one ``/``, then no ``/`` or ``\\`` (the links rule
    of core/urls.py for a site path); an empty value means the home page."""
    if not value:
        return "/"
    if not value.startswith("/") or link_errors(value):
        raise BadRequest("next: Enter a path on this site starting with one /.", extra={"field": "next"})
    return value


# --- the flow -------------------------------------------------------------------------------


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


async def begin(
    settings: Settings, name: str, next_path: str | None, principal: Principal | None
) -> tuple[str, str]:
    """The provider's authorization URL and the signed state cookie's value. A signed-in
    browser's flow connects the provider to that account (bound to its user id)."""
    provider = get_provider(settings, name)
    target = safe_next(next_path)
    state = tokens.new_secret()
    verifier = secrets.token_urlsafe(64)  # 86 characters, within RFC 7636's 43-128
    url = await provider.client.get_authorization_url(
        callback_url(settings, name),
        state=state,
        scope=list(provider.scopes),
        code_challenge=_challenge(verifier),
        code_challenge_method="S256",
    )
    cookie = tokens.sign(
        settings.secret_key,
        _PURPOSE,
        {
            "pr": name,
            "s": state,
            "v": verifier,
            "n": target,
            "u": principal.user_id if principal else None,
        },
    )
    return url, cookie


def _check_state(settings: Settings, name: str, cookie: str | None, state: str | None) -> dict[str, Any]:
    label = LABELS.get(name, name)
    if not cookie:
        raise BadRequest(
            f"No sign-in with {label} was started in this browser (or its cookie was lost); start again.",
            extra={"field": "state"},
        )
    try:
        payload = tokens.unsign(
            settings.secret_key, _PURPOSE, cookie, max_age=settings.oauth_state_max_age_seconds
        )
    except tokens.BadToken as exc:
        reason = "took too long" if "expired" in str(exc) else "is not valid"
        raise BadRequest(
            f"The sign-in with {label} {reason}; start again.", extra={"field": "state"}
        ) from None
    if payload.get("pr") != name:
        raise BadRequest(
            f"The sign-in started in this browser was not with {label}; start again.",
            extra={"field": "state"},
        )
    if not state or not hmac.compare_digest(str(payload["s"]).encode(), state.encode()):
        raise BadRequest(
            "The state parameter does not match the sign-in started in this browser; start again.",
            extra={"field": "state"},
        )
    return payload


async def _exchange(settings: Settings, provider: Provider, code: str, verifier: str) -> str:
    try:
        token = await provider.client.get_access_token(
            code, callback_url(settings, provider.name), code_verifier=verifier
        )
    except OAuth2RequestError as exc:
        status = exc.response.status_code if exc.response is not None else 0
        if 400 <= status < 500:
            raise BadRequest(
                f"{provider.label} did not accept the authorization code; start again.",
                extra={"field": "code"},
            ) from None
        raise ServiceUnavailableException(
            f"{provider.label} could not be reached; try again later."
        ) from None
    access_token = token.get("access_token")
    if not access_token:  # GitHub answers an error with 200 and {"error": ...}
        reason = str(token.get("error", "no token"))[:100]
        raise BadRequest(
            f"{provider.label} did not accept the authorization code ({reason}); start again.",
            extra={"field": "code"},
        )
    return str(access_token)


async def complete(
    session: AsyncSession,
    ctx: Context,
    name: str,
    *,
    cookie: str | None,
    state: str | None,
    code: str | None,
    error: str | None,
    principal: Principal | None,
) -> Outcome:
    provider = get_provider(ctx.settings, name)
    payload = _check_state(ctx.settings, name, cookie, state)
    if error:
        raise BadRequest(
            f"{provider.label} did not authorize the sign-in ({error[:100]}).", extra={"field": "error"}
        )
    if not code:
        raise BadRequest(f"{provider.label} sent no authorization code.", extra={"field": "code"})
    bound = payload.get("u")
    if bound is not None and (principal is None or principal.user_id != bound):
        raise BadRequest(
            f"The account that started connecting {provider.label} is no longer signed in here; start again.",
            extra={"field": "state"},
        )
    access_token = await _exchange(ctx.settings, provider, code, str(payload["v"]))
    try:
        identity = await provider.identity(ctx.settings, access_token)
    except (KeyError, TypeError, AttributeError, IndexError):
        raise ServiceUnavailableException(
            f"{provider.label} sent an account this site cannot read; try again later."
        ) from None
    next_path = str(payload["n"])

    connection = await session.scalar(
        select(SocialAccount).where(
            SocialAccount.provider == name, SocialAccount.provider_user_id == identity.provider_user_id
        )
    )
    if bound is not None:
        user = await get_user(session, int(bound))
        if connection is not None and connection.user_id != user.id:
            raise ConflictException(
                f"This {provider.label} account is already connected to another python.org account.",
                extra={"field": "provider"},
            )
        if connection is None:
            _connect(session, user, name, identity)
        return Outcome(user, next_path, None, None)

    if connection is not None:
        user = await get_user(session, connection.user_id)
        if identity.email:
            connection.email = identity.email[:254]
    elif identity.email is None:
        raise PermissionDeniedException(
            f"{provider.label} does not report a verified e-mail address for this account, so it "
            "cannot sign you in to an existing account or create one; nothing was connected or "
            f"created. Verify your address at {provider.label} and try again, or log in with your "
            f"password and connect {provider.label} from your account page."
        )
    else:
        owner = await verified_owner(session, identity.email)
        if owner is not None:
            user = await get_user(session, owner)
        else:
            user = await _sign_up(session, identity)
        _connect(session, user, name, identity)
    if not user.is_active:
        raise PermissionDeniedException("This account is inactive.")
    user.last_login = utcnow()
    token, auth = await open_session(session, ctx, user, "cookie")
    return Outcome(user, next_path, token, auth)


def _connect(session: AsyncSession, user: User, name: str, identity: Identity) -> None:
    session.add(
        SocialAccount(
            user_id=user.id,
            provider=name,
            provider_user_id=identity.provider_user_id,
            email=(identity.email or identity.unverified_email or "")[:254],
        )
    )


async def _sign_up(session: AsyncSession, identity: Identity) -> User:
    """A new account with the provider's verified address (verified here too) and no password.
    Other accounts' unconfirmed claims on the address go, as when an address is confirmed."""
    assert identity.email is not None
    await session.execute(
        delete(EmailAddress).where(
            func.lower(EmailAddress.email) == identity.email.lower(), EmailAddress.verified.is_(False)
        )
    )
    user = await create_user(
        session,
        username=await _free_username(session, identity.username_hint),
        email=identity.email,
        password=None,
        email_verified=True,
    )
    user.first_name = identity.first_name
    user.last_name = identity.last_name
    return user


async def _free_username(session: AsyncSession, hint: str) -> str:
    """The provider's login (GitHub) or the address's local part (Google) in Django's username
    alphabet; ``-2``, ``-3``... when it is taken."""
    base = _USERNAME_CHARS.sub("", hint)[:140] or "user"
    for n in range(1, 50):
        candidate = base if n == 1 else f"{base}-{n}"
        taken = await session.scalar(
            select(User.id).where(func.lower(User.username) == candidate.lower()).limit(1)
        )
        if taken is None:
            return candidate
    return f"{base}-{secrets.token_hex(4)}"


# --- the caller's connections ---------------------------------------------------------------


def _has_password(user: User) -> bool:
    return bool(user.password) and not user.password.startswith("!")


async def list_connections(session: AsyncSession, user_id: int) -> schemas.ConnectionsRead:
    user = await get_user(session, user_id)
    rows = await session.scalars(
        select(SocialAccount).where(SocialAccount.user_id == user_id).order_by(SocialAccount.id)
    )
    return schemas.ConnectionsRead(
        has_password=_has_password(user),
        connections=[
            schemas.SocialAccountRead(
                id=r.id,
                provider=r.provider,
                label=LABELS.get(r.provider, r.provider),
                email=r.email,
                created=r.created,
            )
            for r in rows
        ],
    )


async def remove_connection(session: AsyncSession, user_id: int, connection_id: int) -> None:
    """Remove one of the caller's connections, unless it is the account's last way in (no usable
    password and no other connection)."""
    connection = await session.scalar(
        select(SocialAccount).where(SocialAccount.id == connection_id, SocialAccount.user_id == user_id)
    )
    if connection is None:
        raise NotFoundException(f"No connection with id {connection_id} on your account.")
    user = await get_user(session, user_id)
    others = await session.scalar(
        select(func.count())
        .select_from(SocialAccount)
        .where(SocialAccount.user_id == user_id, SocialAccount.id != connection_id)
    )
    if not _has_password(user) and not others:
        raise ConflictException(
            f"{LABELS.get(connection.provider, connection.provider)} is the only way to sign in to "
            "this account: set a password first (ask for a password reset link at your address), "
            "then remove the connection.",
            extra={"field": "id"},
        )
    await session.delete(connection)


__all__ = [
    "LABELS",
    "STATE_COOKIE",
    "STATE_COOKIE_PATH",
    "Identity",
    "Outcome",
    "begin",
    "complete",
    "get_provider",
    "list_connections",
    "list_providers",
    "providers",
    "remove_connection",
    "safe_next",
]
