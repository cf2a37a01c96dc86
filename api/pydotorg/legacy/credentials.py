"""The legacy APIs' credential rules, given to ``core.auth.AuthMiddleware`` by ``app.py``.

* ``/api/v1/`` (Tastypie): only ``ApiKey <username>:<key>``; no header means a guest; a
  malformed header, unknown user, wrong key or inactive user is a 401 with an empty body;
  ``username``/``api_key`` in the query string or form body is a 401. Cookies are ignored.
* ``/api/v2/`` (DRF): only ``Token <key>``; other schemes are ignored (anonymous), bad tokens
  get DRF's 401 ``{"detail": ...}`` bodies. Cookies are ignored.
* Everywhere else the same two header forms are accepted next to ``Bearer`` (``SCHEMES``), so
  a client written for python.org keeps working against ``/api/v3/``.

The prefix rules run their lookups through the middleware's ``resolve`` under the same names as
``SCHEMES`` (``apikey``, ``token``), so a key answers from the same cache entry on every API.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar.datastructures import Headers
from litestar.types import Receive, Scope
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.auth import (
    CredentialRejected,
    Identified,
    PrefixRules,
    Refused,
    Resolve,
    SchemeLookup,
    reject_unsupported,
    split_scheme,
)
from pydotorg.core.permissions import Principal
from pydotorg.domains.users.credentials import INACTIVE, api_key_principal


def _tastypie_refusal() -> Refused:
    """Tastypie's 401: an empty body."""
    return Refused(401, b"", "text/html; charset=utf-8")


def parse_apikey(value: str) -> tuple[str, str]:
    """``<username>:<key>`` of Tastypie's ``ApiKey`` header."""
    if value.count(":") != 1:
        raise CredentialRejected("Malformed ApiKey header.")
    username, key = value.split(":", 1)
    if not username or not key or " " in value:
        raise CredentialRejected("Malformed ApiKey header.")
    return username, key


async def tastypie_scheme(session: AsyncSession, value: str) -> Identified:
    """``Authorization: ApiKey <username>:<key>``."""
    username, key = parse_apikey(value)
    return await api_key_principal(session, key, method="tastypie", username=username)


async def drf_scheme(session: AsyncSession, value: str) -> Identified:
    """``Authorization: Token <key>``."""
    if not value or " " in value:
        reject_unsupported()
    return await api_key_principal(session, value, method="drf")


SCHEMES: Mapping[str, SchemeLookup] = {"apikey": tastypie_scheme, "token": drf_scheme}


async def v1_rules(
    scope: Scope, receive: Receive, headers: Headers, resolve: Resolve
) -> tuple[Principal | None, Receive]:
    """Tastypie's ``ApiKeyAuthentication`` as python.org configured it."""
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    if {"username", "api_key"} & query.keys():
        raise _tastypie_refusal()
    checked = await _check_form_body(scope, receive, headers)
    if checked is None:
        raise _tastypie_refusal()
    principal: Principal | None = None
    authorization = headers.get("authorization")
    if authorization:
        scheme, value = split_scheme(authorization)
        try:
            if scheme != "apikey":
                raise CredentialRejected("not an ApiKey header")
            principal = await resolve("apikey", tastypie_scheme, value)
        except CredentialRejected:
            raise _tastypie_refusal() from None
    return principal, checked


async def v2_rules(
    scope: Scope, receive: Receive, headers: Headers, resolve: Resolve
) -> tuple[Principal | None, Receive]:
    """DRF's ``TokenAuthentication``: its messages, its ``WWW-Authenticate: Token``."""
    principal: Principal | None = None
    parts = headers.get("authorization", "").split()
    if parts and parts[0].lower() == "token":
        detail = None
        if len(parts) == 1:
            detail = "Invalid token header. No credentials provided."
        elif len(parts) > 2:
            detail = "Invalid token header. Token string should not contain spaces."
        else:
            try:
                principal = await resolve("token", drf_scheme, parts[1])
            except CredentialRejected as exc:
                detail = exc.detail if exc.detail == INACTIVE else "Invalid token."
        if detail is not None:
            body = msgspec.json.encode({"detail": detail})
            raise Refused(401, body, "application/json", www_authenticate="Token")
    return principal, receive


PREFIXES: Mapping[str, PrefixRules] = {"/api/v1/": v1_rules, "/api/v2/": v2_rules}


async def _check_form_body(scope: Scope, receive: Receive, headers: Headers) -> Receive | None:
    """Tastypie refuses ``username``/``api_key`` in a form body; returns None to refuse.

    The body is read and replayed to the application unchanged.
    """
    content_type = headers.get("content-type", "")
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return receive
    chunks: list[bytes] = []
    more = True
    while more:
        message: dict[str, Any] = dict(await receive())
        chunks.append(bytes(message.get("body", b"")))
        more = bool(message.get("more_body", False))
    body = b"".join(chunks)
    fields = dict(parse_qsl(body.decode("latin-1")))
    if {"username", "api_key"} & fields.keys():
        return None
    replayed = False

    async def replay() -> Any:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
