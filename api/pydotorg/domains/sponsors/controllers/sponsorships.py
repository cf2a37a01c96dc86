"""``/api/v3/sponsors/`` routes: sponsorships (being built; see services/sponsorships.py)."""

from __future__ import annotations

from typing import Any

ROUTE_HANDLERS: tuple[Any, ...] = ()
