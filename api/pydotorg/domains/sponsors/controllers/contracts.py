"""``/api/v3/sponsors/`` routes: contracts (being built; see services/contracts.py)."""

from __future__ import annotations

from typing import Any

ROUTE_HANDLERS: tuple[Any, ...] = ()
