"""What the authentication layer remembers between requests, so that a request with a credential
seen a moment ago costs no database work (issue 17).

* **Resolved credentials.** ``(kind, SHA-256 of the credential)`` -> what the lookup answered (a
  principal, no principal, or a rejection), for at most ``ttl`` seconds (and never past the
  credential's own expiry), the least recently used leaving beyond ``max_entries``. The secret
  itself is never a key.
* **Invalidation generation.** An entry is served only under the generation it was looked up in:
  a counter in Redis (``GENERATION_KEY``, bumped after a commit that changed an account, its
  grants or its credentials: ``domains/users/invalidation.py`` decides which) together with a
  counter of this process (bumped at that commit, so this process sees its own changes at once).
  A process reads the Redis counter at most once per ``generation_seconds``; when it cannot read
  it (Redis down, or a read hanging), it serves nothing from the cache and looks every credential
  up, so an invalidation is never missed for longer than that interval.
* **Use throttle.** A credential whose use is recorded (an API key's ``last_used``) is written at
  most once per ``use_interval`` by this process (the write itself skips a row written by another
  process within the interval).

Generic: the values are whatever the middleware stores; it knows no domain.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from prometheus_client import Counter
from redis.exceptions import RedisError

from pydotorg.core.db import utcnow
from pydotorg.settings import Settings

log = structlog.get_logger(__name__)

GENERATION_KEY = "pydotorg:auth:generation"
# While one request reads the generation, the others keep using the last value this much longer
# than the interval; past that (a read that hangs) they bypass the cache.
STALE_GRACE_SECONDS = 1.0

CACHE_LOOKUPS = Counter("pydotorg_auth_cache_total", "Credential resolutions by cache outcome", ["outcome"])
_HIT = CACHE_LOOKUPS.labels("hit")
_MISS = CACHE_LOOKUPS.labels("miss")
_BYPASS = CACHE_LOOKUPS.labels("bypass")  # cache off, or generation unknown

# This process's own invalidations: every cache in the process compares it with its entries'.
_LOCAL_GENERATION = [0]

Generation = tuple[bytes, int]


def invalidate_local() -> None:
    """Make every cached resolution of this process stale (called at the commit that changed
    what a credential resolves to)."""
    _LOCAL_GENERATION[0] += 1


async def publish_invalidation(redis: Any) -> None:
    """Tell every other process (through Redis) that cached resolutions are stale."""
    try:
        await redis.incr(GENERATION_KEY)
    except (RedisError, OSError) as exc:  # the other processes' entries still expire after ttl
        log.warning("auth_generation_bump_failed", error=str(exc))


@dataclass(slots=True)
class _Entry:
    value: object
    generation: Generation
    deadline: float  # on ``clock``


MISSING = object()  # what ``get`` returns for a miss (None is a value: no principal)


class AuthCache:
    def __init__(
        self,
        redis: Any,
        *,
        ttl: float,
        max_entries: int,
        generation_seconds: float,
        use_interval: float,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.redis = redis
        self.ttl = ttl
        self.max_entries = max(1, max_entries)
        self.generation_seconds = generation_seconds
        self.use_interval = timedelta(seconds=use_interval)
        self.clock = clock  # monotonic seconds: entry lifetimes and generation reads
        self.now = now  # wall time: when a use is recorded
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._used: OrderedDict[Hashable, datetime] = OrderedDict()
        self._remote: bytes | None = None
        self._read_at = -math.inf
        self._reading = False
        self._seen: Generation | None = None

    @classmethod
    def from_settings(cls, settings: Settings, redis: Any) -> AuthCache:
        return cls(
            redis,
            ttl=settings.auth_cache_seconds,
            max_entries=settings.auth_cache_entries,
            generation_seconds=settings.auth_generation_seconds,
            use_interval=settings.auth_last_used_seconds,
        )

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    async def generation(self) -> Generation | None:
        """The generation entries are valid in now, or None (unknown: do not use the cache)."""
        if not self.enabled:
            _BYPASS.inc()
            return None
        now = self.clock()
        if now - self._read_at >= self.generation_seconds:
            if not self._reading:
                await self._read_remote(now)
            elif now - self._read_at >= self.generation_seconds + STALE_GRACE_SECONDS:
                _BYPASS.inc()
                return None
        if self._remote is None:
            _BYPASS.inc()
            return None
        current = (self._remote, _LOCAL_GENERATION[0])
        if current != self._seen:
            self._entries.clear()  # entries of an older generation can never be served again
            self._seen = current
        return current

    async def _read_remote(self, now: float) -> None:
        # One request reads; with a zero interval every request reads (no one waits on another).
        self._reading = self.generation_seconds > 0
        try:
            raw = await self.redis.get(GENERATION_KEY)
        except (RedisError, OSError) as exc:
            if self._remote is not None:
                log.warning("auth_generation_unreadable", error=str(exc))
            # Invalidations published meanwhile may be lost: nothing cached before is trusted.
            self._remote = None
            self._entries.clear()
        else:
            self._remote = b"0" if raw is None else bytes(raw)
        finally:
            self._reading = False
            self._read_at = now

    def get(self, key: Hashable, generation: Generation | None) -> object:
        """The value stored under ``key`` in ``generation``, or ``MISSING``."""
        if generation is None:
            return MISSING
        entry = self._entries.get(key)
        if entry is None or entry.generation != generation or entry.deadline <= self.clock():
            if entry is not None:
                del self._entries[key]
            _MISS.inc()
            return MISSING
        self._entries.move_to_end(key)
        _HIT.inc()
        return entry.value

    def put(
        self, key: Hashable, generation: Generation | None, value: object, *, expires: datetime | None = None
    ) -> None:
        """Keep ``value`` (looked up after ``generation`` was read) for ttl seconds at most, and
        not past ``expires``."""
        if generation is None:
            return
        lifetime = self.ttl
        if expires is not None:
            lifetime = min(lifetime, (expires - self.now()).total_seconds())
        if lifetime <= 0:
            return
        self._entries[key] = _Entry(value, generation, self.clock() + lifetime)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def use_due(self, key: Hashable) -> datetime | None:
        """The time to record as ``key``'s use, or None when this process recorded one less than
        ``use_interval`` ago. Marks it recorded (a failed write waits for the next interval)."""
        now = self.now()
        last = self._used.get(key)
        if last is not None and now - last < self.use_interval:
            return None
        self._used[key] = now
        self._used.move_to_end(key)
        while len(self._used) > self.max_entries:
            self._used.popitem(last=False)
        return now

    def clear(self) -> None:
        """Forget everything: the answers, the recorded uses and the generation read."""
        self._entries.clear()
        self._used.clear()
        self._remote = None
        self._seen = None
        self._read_at = -math.inf

    def __len__(self) -> int:
        return len(self._entries)
