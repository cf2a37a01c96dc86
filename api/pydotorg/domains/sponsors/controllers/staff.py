"""``/api/v3/sponsors/`` routes: staff operations (being built; see services/transitions.py)."""

from __future__ import annotations

from typing import Any

ROUTE_HANDLERS: tuple[Any, ...] = ()
