"""The sign-in providers: which are configured (both client id and secret set), their
httpx-oauth clients with the endpoints from settings, and reading the provider's user.

What a provider says about its user becomes an ``Identity``; ``email`` is set only when the
provider reports the address as verified (GitHub: ``verified`` in ``/user/emails``, the primary
address first; Google: ``email_verified`` in OpenID userinfo). httpx-oauth's ``GitHubOAuth2`` and
``GoogleOAuth2`` hard-code the real endpoints (and Google's reads the People API, which says
nothing about verification), so the clients are its ``BaseOAuth2`` and the user is read here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_oauth.oauth2 import BaseOAuth2
from litestar.exceptions import NotFoundException, ServiceUnavailableException

from pydotorg.domains.users import schemas
from pydotorg.settings import Settings

_TIMEOUT = httpx.Timeout(10.0)


@dataclass(frozen=True)
class Identity:
    """What a provider says about its user. ``email`` is set only when the provider reports the
    address as verified; ``unverified_email`` is what it reported otherwise (for the message)."""

    provider_user_id: str
    email: str | None
    unverified_email: str | None
    username_hint: str
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    scopes: tuple[str, ...]
    client: BaseOAuth2[Any]
    identity: Callable[[Settings, str], Awaitable[Identity]]


async def _get_json(url: str, access_token: str) -> Any:
    try:
        async with httpx.AsyncClient(timeout=_TIMEOUT) as client:
            response = await client.get(
                url, headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
            )
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError):
        raise ServiceUnavailableException(
            "The sign-in provider did not answer as expected; try again later."
        ) from None


async def _github_identity(settings: Settings, access_token: str) -> Identity:
    base = settings.oauth_github_api_url.rstrip("/")
    user = await _get_json(f"{base}/user", access_token)
    emails = await _get_json(f"{base}/user/emails", access_token)
    # The primary address if GitHub verified it, else another verified one; never an unverified one.
    verified = [e for e in emails if e.get("verified") is True and e.get("email")]
    chosen = next((e for e in verified if e.get("primary")), verified[0] if verified else None)
    primary = next((e.get("email") for e in emails if e.get("primary")), None)
    return Identity(
        provider_user_id=str(user["id"]),
        email=chosen["email"] if chosen else None,
        unverified_email=None if chosen else (primary or user.get("email")),
        username_hint=str(user.get("login") or ""),
    )


async def _google_identity(settings: Settings, access_token: str) -> Identity:
    info = await _get_json(settings.oauth_google_userinfo_url, access_token)
    email = info.get("email")
    verified = info.get("email_verified") is True and bool(email)
    return Identity(
        provider_user_id=str(info["sub"]),
        email=email if verified else None,
        unverified_email=None if verified else email,
        username_hint=str(email or "").split("@", 1)[0],
        first_name=str(info.get("given_name") or "")[:150],
        last_name=str(info.get("family_name") or "")[:150],
    )


def providers(settings: Settings) -> dict[str, Provider]:
    """The configured providers (both client id and secret set), by name."""
    found: dict[str, Provider] = {}
    if settings.oauth_github_client_id:
        found["github"] = Provider(
            "github",
            "GitHub",
            ("read:user", "user:email"),
            BaseOAuth2(
                settings.oauth_github_client_id,
                settings.oauth_github_client_secret,
                settings.oauth_github_authorize_url,
                settings.oauth_github_token_url,
                name="github",
            ),
            _github_identity,
        )
    if settings.oauth_google_client_id:
        found["google"] = Provider(
            "google",
            "Google",
            ("openid", "email", "profile"),
            BaseOAuth2(
                settings.oauth_google_client_id,
                settings.oauth_google_client_secret,
                settings.oauth_google_authorize_url,
                settings.oauth_google_token_url,
                name="google",
            ),
            _google_identity,
        )
    return found


LABELS = {"github": "GitHub", "google": "Google"}


def list_providers(settings: Settings) -> list[schemas.OAuthProviderRead]:
    return [
        schemas.OAuthProviderRead(
            name=p.name, label=p.label, authorize_url=f"/api/v3/auth/oauth/{p.name}/authorize"
        )
        for p in providers(settings).values()
    ]


def get_provider(settings: Settings, name: str) -> Provider:
    provider = providers(settings).get(name)
    if provider is None:
        raise NotFoundException(f"Sign-in with {name!r} is not available on this site.")
    return provider


def callback_url(settings: Settings, name: str) -> str:
    """The redirect URI registered at the provider."""
    return f"{settings.site_url.rstrip('/')}/api/v3/auth/oauth/{name}/callback"
