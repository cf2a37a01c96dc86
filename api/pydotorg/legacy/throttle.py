"""Throttles of the legacy APIs, as fixed windows in Redis (one INCR + EXPIRE per request).

Litestar's built-in limiter keeps a timestamp per request in the window, which is far too slow
at 600/hour or 3000/day; a counter per window costs the same at any limit."""

from __future__ import annotations

from typing import Any

from litestar import Request

from pydotorg.core.ratelimit import RateLimiter, client_ip


async def throttled(
    request: Request[Any, Any, Any],
    bucket: str,
    limit: int,
    window: int,
    *,
    identity: str | None = None,
) -> int | None:
    """Count the request; return the seconds to wait when over the limit, else None."""
    limiter: RateLimiter = request.app.state.rate_limiter
    who = identity or f"ip:{client_ip(request, request.app.state.settings)}"
    allowed, retry_after = await limiter.hit(bucket, who, f"{limit}/{window}")
    return None if allowed else max(retry_after, 1)
