"""Fixed-window rate limits in Redis, keyed on the client address.

Used for the sensitive endpoints (log in, sign up, password reset, API key creation), not for
reads. The client address is ``Fastly-Client-IP`` when the direct peer is a trusted proxy, the
peer address otherwise. If Redis cannot be reached the limiter lets the request through and logs
it: an outage of the cache must not lock everyone out of their account.
"""

from __future__ import annotations

import ipaddress
import time
from typing import Any

import structlog
from litestar.connection import ASGIConnection
from litestar.exceptions import TooManyRequestsException
from redis.asyncio import Redis

from pydotorg.settings import Settings, parse_rate

log = structlog.get_logger(__name__)


def client_ip(connection: ASGIConnection[Any, Any, Any, Any], settings: Settings) -> str:
    return peer_ip(connection.scope, settings)


def peer_ip(scope: Any, settings: Settings) -> str:
    """The client address from an ASGI scope (see ``client_ip``)."""
    client = scope.get("client")
    peer = client[0] if client else ""
    forwarded = None
    if settings.trusted_proxies:
        for name, value in scope.get("headers", ()):
            if name == b"fastly-client-ip":
                forwarded = value.decode("latin-1")
                break
    if forwarded and peer and settings.trusted_proxies:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return peer
        if any(address in net for net in settings.trusted_networks):
            candidate = forwarded.strip()
            try:
                ipaddress.ip_address(candidate)
            except ValueError:
                return peer
            return candidate
    return peer or "unknown"


class RateLimiter:
    def __init__(self, redis: Redis, prefix: str = "rl") -> None:
        self.redis = redis
        self.prefix = prefix

    async def hit(self, bucket: str, identity: str, spec: str) -> tuple[bool, int]:
        """Count one request; returns (allowed, seconds until the window resets)."""
        limit, window = parse_rate(spec)
        now = int(time.time())
        start = now - now % window
        key = f"{self.prefix}:{bucket}:{identity}:{start}"
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, window + 1)
                count, _ = await pipe.execute()
        except Exception as exc:
            log.warning("rate_limit_unavailable", bucket=bucket, error=str(exc))
            return True, 0
        return int(count) <= limit, start + window - now

    async def check(self, connection: ASGIConnection[Any, Any, Any, Any], bucket: str, spec: str) -> None:
        settings: Settings = connection.app.state.settings
        allowed, retry_after = await self.hit(bucket, client_ip(connection, settings), spec)
        if not allowed:
            raise TooManyRequestsException(
                f"Too many requests; try again in {retry_after} seconds.",
                headers={"Retry-After": str(max(retry_after, 1))},
            )
