"""``/api/v3/sponsors/`` routes: configuration (being built; see services/configuration.py)."""

from __future__ import annotations

from typing import Any

ROUTE_HANDLERS: tuple[Any, ...] = ()
