"""A least-recently-used map bounded in bytes: the one behind every in-process answer cache (search
answers, legacy API answers, gzipped API bodies). The caller says what an entry costs."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ByteLRU(Generic[K, V]):
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[K, V] = OrderedDict()
        self._costs: dict[K, int] = {}

    def get(self, key: K) -> V | None:
        """The entry, now the most recently used; None when absent."""
        value = self.entries.get(key)
        if value is not None:
            self.entries.move_to_end(key)
        return value

    def put(self, key: K, value: V, cost: int) -> None:
        """Store ``value`` (replacing the key's entry), then drop the least recently used until the
        bytes fit; an entry that alone costs more than the bound is not stored."""
        self.pop(key)
        if cost > self.max_bytes:
            return
        self.entries[key] = value
        self._costs[key] = cost
        self.size += cost
        while self.size > self.max_bytes:
            self.pop(next(iter(self.entries)))

    def pop(self, key: K) -> None:
        if key in self.entries:
            del self.entries[key]
            self.size -= self._costs.pop(key)

    def __len__(self) -> int:
        return len(self.entries)
