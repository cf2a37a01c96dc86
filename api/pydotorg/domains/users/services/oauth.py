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

A flow that cannot finish raises ``FlowFailed`` with a short reason code (``REASONS``); the
callback sends the browser to the site's error page with that code, and the transaction is rolled
back, so a failed flow stores nothing.

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
from litestar.exceptions import NotFoundException
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


# Why a flow failed, as the callback's error page (/accounts/social/login/error/?reason=) names it.
REASONS = frozenset(
    {
        "denied",  # the visitor declined at the provider (error=access_denied)
        "provider",  # the provider sent another error, or no code
        "state",  # no, a forged or another provider's state cookie, or a state that does not match
        "expired",  # the state cookie is older than oauth_state_max_age_seconds
        "signed_out",  # the account that started connecting is no longer signed in in this browser
        "exchange",  # the provider did not accept the authorization code
        "unavailable",  # the provider could not be reached or sent an account this site cannot read
        "taken",  # the provider account is connected to another python.org account
        "email_unverified",  # no verified address to find, connect or create an account with
        "inactive",  # the account the provider account leads to is inactive
    }
)


class FlowFailed(Exception):
    """A sign-in or connect flow that cannot finish: ``reason`` is one of ``REASONS`` (what the
    browser is told), ``detail`` the explanation for the log."""

    def __init__(self, reason: str, detail: str) -> None:
        assert reason in REASONS, reason
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


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
        raise FlowFailed(
            "state", f"No sign-in with {label} was started in this browser (or its cookie was lost)."
        )
    try:
        payload = tokens.unsign(
            settings.secret_key, _PURPOSE, cookie, max_age=settings.oauth_state_max_age_seconds
        )
    except tokens.BadToken as exc:
        if "expired" in str(exc):
            raise FlowFailed("expired", f"The sign-in with {label} took too long.") from None
        raise FlowFailed("state", f"The state cookie of the sign-in with {label} is not valid.") from None
    if payload.get("pr") != name:
        raise FlowFailed("state", f"The sign-in started in this browser was not with {label}.")
    if not state or not hmac.compare_digest(str(payload["s"]).encode(), state.encode()):
        raise FlowFailed("state", "The state parameter does not match the sign-in started in this browser.")
    return payload


async def _exchange(settings: Settings, provider: Provider, code: str, verifier: str) -> str:
    try:
        token = await provider.client.get_access_token(
            code, callback_url(settings, provider.name), code_verifier=verifier
        )
    except OAuth2RequestError as exc:
        status = exc.response.status_code if exc.response is not None else 0
        if 400 <= status < 500:
            raise FlowFailed("exchange", f"{provider.label} did not accept the authorization code.") from None
        raise FlowFailed("unavailable", f"{provider.label} could not be reached (status {status}).") from None
    access_token = token.get("access_token")
    if not access_token:  # GitHub answers an error with 200 and {"error": ...}
        reason = str(token.get("error", "no token"))[:100]
        raise FlowFailed("exchange", f"{provider.label} did not accept the authorization code ({reason}).")
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
        # RFC 6749 4.1.2.1: access_denied is the resource owner's (or the provider's) refusal.
        raise FlowFailed(
            "denied" if error == "access_denied" else "provider",
            f"{provider.label} did not authorize the sign-in ({error[:100]}).",
        )
    if not code:
        raise FlowFailed("provider", f"{provider.label} sent no authorization code.")
    bound = payload.get("u")
    if bound is not None and (principal is None or principal.user_id != bound):
        raise FlowFailed(
            "signed_out", f"The account that started connecting {provider.label} is no longer signed in here."
        )
    access_token = await _exchange(ctx.settings, provider, code, str(payload["v"]))
    try:
        identity = await provider.identity(ctx.settings, access_token)
    except (KeyError, TypeError, AttributeError, IndexError):
        raise FlowFailed("unavailable", f"{provider.label} sent an account this site cannot read.") from None
    next_path = str(payload["n"])

    connection = await session.scalar(
        select(SocialAccount).where(
            SocialAccount.provider == name, SocialAccount.provider_user_id == identity.provider_user_id
        )
    )
    if bound is not None:
        user = await get_user(session, int(bound))
        if connection is not None and connection.user_id != user.id:
            raise FlowFailed(
                "taken", f"This {provider.label} account is already connected to another python.org account."
            )
        if connection is None:
            _connect(session, user, name, identity)
        return Outcome(user, next_path, None, None)

    if connection is not None:
        user = await get_user(session, connection.user_id)
        if identity.email:
            connection.email = identity.email[:254]
    elif identity.email is None:
        raise FlowFailed(
            "email_unverified",
            f"{provider.label} does not report a verified e-mail address for this account, so it "
            "cannot sign in to an existing account or create one.",
        )
    else:
        owner = await verified_owner(session, identity.email)
        if owner is not None:
            user = await get_user(session, owner)
        else:
            user = await _sign_up(session, identity)
        _connect(session, user, name, identity)
    if not user.is_active:
        raise FlowFailed("inactive", f"The account {user.id} is inactive.")
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
    "REASONS",
    "STATE_COOKIE",
    "STATE_COOKIE_PATH",
    "FlowFailed",
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
