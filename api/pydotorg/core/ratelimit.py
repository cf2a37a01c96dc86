"""Fixed-window rate limits in Redis, keyed on the client address.

Used for the sensitive endpoints (log in, sign up, password reset, API key creation), not for
reads. The client address is ``Fastly-Client-IP`` when the direct peer is a trusted proxy, the
peer address otherwise. If Redis cannot be reached the limiter counts in process memory instead
(the same windows, per API process) and logs it: an outage of the cache must neither lock everyone
out of their account nor switch the limits off. After a failure Redis is left alone for
``REDIS_RETRY_SECONDS`` so a dead server does not cost each request a connect attempt.
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


REDIS_RETRY_SECONDS = 5.0
MAX_LOCAL_KEYS = 100_000


class RateLimiter:
    def __init__(self, redis: Redis, prefix: str = "rl") -> None:
        self.redis = redis
        self.prefix = prefix
        self.local: dict[str, tuple[int, int]] = {}  # key -> (count, expires at), Redis down
        self.redis_retry_at = 0.0

    def _hit_locally(self, key: str, now: int, expires: int) -> int:
        if len(self.local) >= MAX_LOCAL_KEYS:
            self.local = {k: v for k, v in self.local.items() if v[1] > now}
            if len(self.local) >= MAX_LOCAL_KEYS:  # a flood of identities: keep the newest half
                self.local = dict(list(self.local.items())[MAX_LOCAL_KEYS // 2 :])
        count, _ = self.local.get(key, (0, expires))
        self.local[key] = (count + 1, expires)
        return count + 1

    async def hit(self, bucket: str, identity: str, spec: str) -> tuple[bool, int]:
        """Count one request; returns (allowed, seconds until the window resets)."""
        limit, window = parse_rate(spec)
        now = int(time.time())
        start = now - now % window
        key = f"{self.prefix}:{bucket}:{identity}:{start}"
        if time.monotonic() < self.redis_retry_at:
            count = self._hit_locally(key, now, start + window + 1)
            return count <= limit, start + window - now
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, window + 1)
                count, _ = await pipe.execute()
        except Exception as exc:
            log.warning("rate_limit_redis_unavailable", bucket=bucket, error=str(exc))
            self.redis_retry_at = time.monotonic() + REDIS_RETRY_SECONDS
            count = self._hit_locally(key, now, start + window + 1)
        return int(count) <= limit, start + window - now

    async def check(
        self,
        connection: ASGIConnection[Any, Any, Any, Any],
        bucket: str,
        spec: str,
        *,
        identity: str | None = None,
    ) -> None:
        """Count one request against ``bucket``, keyed on the client address unless an
        ``identity`` is given (e.g. ``user:42`` for a limit per account)."""
        settings: Settings = connection.app.state.settings
        allowed, retry_after = await self.hit(bucket, identity or client_ip(connection, settings), spec)
        if not allowed:
            raise TooManyRequestsException(
                f"Too many requests; try again in {retry_after} seconds.",
                headers={"Retry-After": str(max(retry_after, 1))},
            )
