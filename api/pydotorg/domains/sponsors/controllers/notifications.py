"""``/api/v3/sponsors/`` routes: notifications (being built; see services/notifications.py)."""

from __future__ import annotations

from typing import Any

ROUTE_HANDLERS: tuple[Any, ...] = ()
