"""``/api/v3/sponsors/`` routes: placements (being built; see services/placements.py)."""

from __future__ import annotations

from typing import Any

ROUTE_HANDLERS: tuple[Any, ...] = ()
