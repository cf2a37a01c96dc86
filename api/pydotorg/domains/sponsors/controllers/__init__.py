"""``/api/v3/sponsors/``: every route of the domain, composed from one module per area."""

from __future__ import annotations

from pydotorg.domains.sponsors.controllers import (
    assets,
    configuration,
    contracts,
    notifications,
    placements,
    sponsorships,
    staff,
)

ROUTE_HANDLERS = (
    *assets.ROUTE_HANDLERS,
    *configuration.ROUTE_HANDLERS,
    *contracts.ROUTE_HANDLERS,
    *notifications.ROUTE_HANDLERS,
    *placements.ROUTE_HANDLERS,
    *sponsorships.ROUTE_HANDLERS,
    *staff.ROUTE_HANDLERS,
)

__all__ = ["ROUTE_HANDLERS"]
