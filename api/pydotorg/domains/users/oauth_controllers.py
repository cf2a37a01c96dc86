"""``/api/v3/`` routes for GitHub and Google sign-in (``services/oauth.py``) and the caller's
connected accounts.

``/auth/oauth/<provider>/authorize`` and ``/callback`` are browser navigations, not JSON
operations: the first redirects to the provider, the second (where the provider sends the
browser back) sets the same cookie session a password log-in sets and redirects to ``next`` (a
path on this site, checked when the flow starts and carried in the signed state cookie). A flow
that cannot finish (the visitor declined, a missing or mismatched state, a code the provider did
not accept, ...: ``oauth.FlowFailed``) redirects the browser to the site's page
``/accounts/social/login/error/?reason=<code>&provider=<name>`` (django-allauth's URL), whose
script turns the code into a fixed message; an inactive account goes to ``/accounts/inactive/``
as a password log-in does. The transaction is rolled back, so nothing of a failed flow is
stored. They are left out of the OpenAPI document, which describes the JSON API (no operation there answers a
redirect; tests/security/test_open_redirect.py). A provider that is not configured is a 404.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import structlog
from litestar import Controller, Request, delete, get
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import Parameter, QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_302_FOUND
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.permissions import Principal, login_required, principal_of
from pydotorg.core.ratelimit import RateLimiter
from pydotorg.domains.users import schemas, services
from pydotorg.domains.users.controllers import _session_cookies
from pydotorg.domains.users.services import oauth
from pydotorg.settings import Settings

ProviderName = Annotated[str, Parameter(max_length=20, pattern=r"^[a-z]+$")]
QueryValue = Annotated[str | None, Parameter(max_length=2048)]
ConnectionId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
ERROR_PAGE = "/accounts/social/login/error/"
INACTIVE_PAGE = "/accounts/inactive/"
log = structlog.get_logger(__name__)


def _state_cookie(settings: Settings, value: str, *, clear: bool = False) -> Cookie:
    return Cookie(
        key=oauth.STATE_COOKIE,
        value=value,
        httponly=True,
        secure=settings.is_production,
        samesite="lax",  # sent on the provider's top-level redirect back to the callback
        max_age=0 if clear else settings.oauth_state_max_age_seconds,
        path=oauth.STATE_COOKIE_PATH,
    )


def _flow_failed(request: Request[Any, Any, Any], exc: oauth.FlowFailed) -> Redirect:
    """The callback's failures, for a browser: the error page with the reason code (and the
    provider's name, a configured one: the route found it), the state cookie cleared."""
    settings: Settings = request.app.state.settings
    provider = str(request.path_params.get("provider", ""))
    log.info("oauth_flow_failed", provider=provider, reason=exc.reason, detail=exc.detail)
    if exc.reason == "inactive":
        target = INACTIVE_PAGE
    else:
        target = f"{ERROR_PAGE}?{urlencode({'reason': exc.reason, 'provider': provider})}"
    return Redirect(target, status_code=HTTP_302_FOUND, cookies=[_state_cookie(settings, "", clear=True)])


class OAuthController(Controller):
    path = "/api/v3/auth"
    tags = ["auth"]

    @get(
        "/providers",
        operation_id="auth_providers",
        summary="The configured GitHub/Google sign-in providers (empty when none is)",
    )
    async def list_providers(self, request: Request[Any, Any, Any]) -> list[schemas.OAuthProviderRead]:
        return oauth.list_providers(request.app.state.settings)

    @get(
        "/oauth/{provider:str}/authorize",
        operation_id="auth_oauth_authorize",
        summary="Start signing in with a provider (a browser navigation; redirects to the provider)",
        include_in_schema=False,
    )
    async def authorize(
        self,
        request: Request[Any, Any, Any],
        provider: ProviderName,
        next_path: Annotated[str | None, QueryParameter(name="next", max_length=2048)] = None,
    ) -> Redirect:
        settings: Settings = request.app.state.settings
        url, cookie = await oauth.begin(settings, provider, next_path, principal_of(request))
        return Redirect(url, status_code=HTTP_302_FOUND, cookies=[_state_cookie(settings, cookie)])

    @get(
        "/oauth/{provider:str}/callback",
        operation_id="auth_oauth_callback",
        summary="Where the provider sends the browser back; signs in and redirects to next",
        include_in_schema=False,
        exception_handlers={oauth.FlowFailed: _flow_failed},
    )
    async def callback(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        ctx: NamedDependency[services.Context],
        provider: ProviderName,
        code: QueryValue = None,
        oauth_state: Annotated[str | None, QueryParameter(name="state", max_length=2048)] = None,
        error: QueryValue = None,
    ) -> Redirect:
        oauth.get_provider(ctx.settings, provider)  # 404 before anything else when not configured
        limiter: RateLimiter = request.app.state.rate_limiter
        await limiter.check(request, "oauth_callback", ctx.settings.rate_limit_login)
        outcome = await oauth.complete(
            tx,
            ctx,
            provider,
            cookie=request.cookies.get(oauth.STATE_COOKIE),
            state=oauth_state,
            code=code,
            error=error,
            principal=principal_of(request),
        )
        cookies = [_state_cookie(ctx.settings, "", clear=True)]
        if outcome.token is not None and outcome.auth is not None:
            cookies += _session_cookies(ctx.settings, outcome.token, outcome.auth.csrf_token)
        return Redirect(outcome.next, status_code=HTTP_302_FOUND, cookies=cookies)


class ConnectionsController(Controller):
    path = "/api/v3/users/me/connections"
    tags = ["users"]
    guards = [login_required]

    @get("/", operation_id="connections_list", summary="Your connected GitHub/Google accounts")
    async def list_connections(
        self, tx: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> schemas.ConnectionsRead:
        return await oauth.list_connections(tx, principal.user_id)

    @delete(
        "/{connection_id:int}",
        operation_id="connections_delete",
        summary="Remove a connection (refused for the last way in to an account without a password)",
    )
    async def remove_connection(
        self,
        tx: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        connection_id: ConnectionId,
    ) -> None:
        await oauth.remove_connection(tx, principal.user_id, connection_id)


ROUTE_HANDLERS = (OAuthController, ConnectionsController)

__all__ = ["ROUTE_HANDLERS", "ConnectionsController", "OAuthController"]
