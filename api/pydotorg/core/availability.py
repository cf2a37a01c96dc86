"""503, not 500, when PostgreSQL or Redis cannot be reached.

A request that fails because a backing service is down (connection refused, the server shutting
down or refusing connections, a connection killed mid-request, a connect or pool timeout) is not
the caller's fault and not a bug in the handler: it answers ``503 Service Unavailable`` with
``Retry-After`` and a JSON body in the shape of the API that was called — Litestar's
``{"status_code", "detail"}`` for /api/v3/, Tastypie's canned ``{"error_message": ...}`` for
/api/v1/, DRF's ``{"detail": ...}`` for /api/v2/. Nothing needs restarting: the engine's pool
pre-pings and reconnects, so the next request after the service is back succeeds.

Where Redis is only an optimisation (the legacy read cache, rate-limit counters, job enqueues
after commit) the code carries on without it; this module covers what is left.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

import asyncpg
import redis.exceptions
import sqlalchemy.exc
import structlog
from litestar import Request, Response
from litestar.exceptions.responses import create_debug_response, create_exception_response

log = structlog.get_logger(__name__)

RETRY_AFTER_SECONDS = 5
V3_DETAIL = "The service is temporarily unavailable; try again later."
# Tastypie's answer to any server-side failure (``Resource._handle_500`` with DEBUG off).
TASTYPIE_DETAIL = "Sorry, this request could not be processed. Please try again later."
DRF_DETAIL = "Service temporarily unavailable, try again later."

_NETWORK_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EHOSTUNREACH,
        errno.EHOSTDOWN,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.ETIMEDOUT,
        errno.EPIPE,
    }
)
# SQLSTATEs of a server that cannot serve us right now: connection exceptions (08), insufficient
# resources such as too many connections (53), operator intervention — shutting down, starting
# up (57P), and the database missing or our login refused (3D000, 28).
_SQLSTATE_PREFIXES = ("08", "53", "57P", "3D000", "28")


def _is_connection_failure(exc: BaseException) -> bool:
    if isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
        return True
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sqlalchemy.exc.TimeoutError):  # no pooled connection became free in time
        return True
    if isinstance(exc, asyncpg.exceptions.ConnectionDoesNotExistError):
        return True
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(sqlstate, str):
        if sqlstate.startswith(_SQLSTATE_PREFIXES):
            return True
        # ALTER DATABASE ... ALLOW_CONNECTIONS false: "is not currently accepting connections".
        if sqlstate == "55000" and "accepting connections" in str(exc):
            return True
    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror):
        return True
    if isinstance(exc, OSError):
        # asyncio reports a failed connect to several addresses as "Multiple exceptions: ...".
        return exc.errno in _NETWORK_ERRNOS or str(exc).startswith("Multiple exceptions:")
    return False


def is_unavailable(exc: BaseException) -> bool:
    """True when ``exc``, or an exception it wraps or was raised from, is a connection-level
    failure of PostgreSQL or Redis."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if _is_connection_failure(current):
            return True
        orig = getattr(current, "orig", None)
        pending.extend(
            [orig if isinstance(orig, BaseException) else None, current.__cause__, current.__context__]
        )
    return False


def unavailable_response(request: Request[Any, Any, Any]) -> Response[Any]:
    path: str = request.scope.get("path", "")
    body: dict[str, Any]
    if path.startswith("/api/v1/"):
        body = {"error_message": TASTYPIE_DETAIL}
    elif path.startswith("/api/v2/"):
        body = {"detail": DRF_DETAIL}
    else:
        body = {"status_code": 503, "detail": V3_DETAIL}
    return Response(
        body,
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
        media_type="application/json",
    )


def server_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Every exception without a more specific handler: a 503 for an outage, else Litestar's
    usual 500 (with its debug page in debug mode)."""
    if is_unavailable(exc):
        return unavailable_response(request)
    if request.app.debug:
        return create_debug_response(request, exc)
    return create_exception_response(request, exc)
