"""``/api/v2/sponsors/``: python.org's sponsor placement API (inventory 2.3), which the PSF's
other sites (PyPI, PyCon US, the docs, the devguide) poll for the logos they show.

Two DRF ``APIView``s, ``GET`` only, reproduced with their order of checks: the token (401, in
``legacy/credentials.py``), then ``SponsorPublisherPermission`` (staff, superusers and holders of
``sponsors.sponsor_publisher``; anonymous 401, others 403 ``{"detail": "Must have publisher
permission."}``), then the v2 throttles, then the query's serializer (400 ``{"<field>":
["<DRF's message>"]}``, every field's errors in the serializer's field order).

GETs are throttled and cached by ``LegacyReadMiddleware`` like every v2 read. The route names its
permission (``opt[ROUTE_PERMISSION]``), so the middleware hands callers without it straight to the
handler (neither counted nor served from the cache, as DRF checks permissions before throttles)
and shares one cached answer among those who hold it: it is the same answer for all of them. Any
committed sponsors write bumps the data version (the change feed), which turns the cache over.

Differences from python.org, on purpose: sponsorships whose sponsor was deleted are left out and
a sponsorship without a package has ``level_order`` ``null`` (python.org answered 500 to both); an
asset of a sponsorship whose sponsor is gone has ``sponsor`` and ``sponsor_slug`` ``null``; the
paths are exact (python.org's unanchored regexes also matched longer paths).
"""

from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import parse_qsl

from litestar import Request, Response, route
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.permissions import Principal, principal_of
from pydotorg.core.storage import Storage
from pydotorg.domains.sponsors.models import LOGO_PLACES, PUBLISHERS, SPONSOR_PUBLISHER
from pydotorg.domains.sponsors.services import placements as svc
from pydotorg.legacy.middleware import ROUTE_PERMISSION
from pydotorg.legacy.v2 import PREFIX, _detail, _json, _not_allowed, _throttle
from pydotorg.settings import Settings

METHODS: list[Literal["GET", "POST", "PUT", "PATCH", "DELETE"]] = ["GET", "POST", "PUT", "PATCH", "DELETE"]
ALLOW = "GET, HEAD, OPTIONS"
INTERNAL_NAME_MAX = 128
# DRF's IntegerField: "1.0" and "1.000 " are integers too; longer strings are refused unread.
_DECIMAL_ZEROS = re.compile(r"\.0*\s*$")
MAX_INTEGER_STRING = 1000
TRUE_VALUES = frozenset({"t", "y", "yes", "true", "on", "1"})
FALSE_VALUES = frozenset({"f", "n", "no", "false", "off", "0"})


class QueryErrors(Exception):
    """DRF's ``serializer.errors``: messages by field, in the serializer's field order."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(str(errors))
        self.errors = errors


def query_values(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The query string as a DRF serializer reads Django's ``QueryDict``: the last value of each
    parameter, blank values kept."""
    raw = request.scope.get("query_string", b"").decode("latin-1")
    return dict(parse_qsl(raw, keep_blank_values=True))


def _choice(raw: str, choices: dict[str, str]) -> str:
    if raw not in choices:
        raise ValueError(f'"{raw}" is not a valid choice.')
    return raw


def _integer(raw: str) -> int:
    if len(raw) > MAX_INTEGER_STRING:
        raise ValueError("String value too large.")
    try:
        return int(_DECIMAL_ZEROS.sub("", raw))
    except ValueError:
        raise ValueError("A valid integer is required.") from None


def _boolean(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in TRUE_VALUES:
        return True
    if lowered in FALSE_VALUES:
        return False
    raise ValueError("Must be a valid boolean.")


def _required_name(values: dict[str, str], name: str) -> str:
    """A required ``CharField(max_length=128)``: trimmed, not blank, then every validator's
    message (length, NUL characters)."""
    if name not in values:
        raise QueryErrors({name: ["This field is required."]})
    value = values[name].strip()
    if not value:
        raise QueryErrors({name: ["This field may not be blank."]})
    messages = []
    if len(value) > INTERNAL_NAME_MAX:
        messages.append(f"Ensure this field has no more than {INTERNAL_NAME_MAX} characters.")
    if "\x00" in value:
        messages.append("Null characters are not allowed.")
    if messages:
        raise QueryErrors({name: messages})
    return value


def placement_filters(values: dict[str, str]) -> tuple[str | None, str | None, int | None]:
    """``FilterLogoPlacementsSerializer``: optional ``publisher``, ``flight`` and ``year``; an
    absent or blank parameter is no filter."""
    parsed: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    parsers: dict[str, Any] = {
        "publisher": lambda raw: _choice(raw, PUBLISHERS),
        "flight": lambda raw: _choice(raw, LOGO_PLACES),
        "year": _integer,
    }
    for name, parse in parsers.items():
        raw = values.get(name, "")
        if raw == "":
            continue
        try:
            parsed[name] = parse(raw)
        except ValueError as exc:
            errors[name] = [str(exc)]
    if errors:
        raise QueryErrors(errors)
    return parsed.get("publisher"), parsed.get("flight"), parsed.get("year")


def asset_filters(values: dict[str, str]) -> tuple[str, bool]:
    """``FilterAssetsSerializer``: required ``internal_name``, optional ``list_empty``."""
    errors: dict[str, list[str]] = {}
    internal_name = ""
    try:
        internal_name = _required_name(values, "internal_name")
    except QueryErrors as exc:
        errors.update(exc.errors)
    list_empty = False
    if values.get("list_empty", ""):
        try:
            list_empty = _boolean(values["list_empty"])
        except ValueError as exc:
            errors["list_empty"] = [str(exc)]
    if errors:
        raise QueryErrors(errors)
    return internal_name, list_empty


def may_publish(principal: Principal | None) -> bool:
    """``SponsorPublisherPermission``: staff, superusers, holders of the permission."""
    return principal is not None and (
        principal.is_staff or principal.is_superuser or principal.has_perm(SPONSOR_PUBLISHER)
    )


async def _refusal(request: Request[Any, Any, Any]) -> Response[bytes] | None:
    """DRF's ``APIView.initial`` then its dispatch: permission, the write throttle (GETs are
    throttled by the middleware), and 405 for anything but GET."""
    principal = principal_of(request)
    if principal is None:
        return _detail("Authentication credentials were not provided.", 401, {"WWW-Authenticate": "Token"})
    if not may_publish(principal):
        return _detail("Must have publisher permission.", 403)
    if request.method != "GET":
        if (limited := await _throttle(request)) is not None:
            return limited
        return _not_allowed(request.method, ALLOW)
    return None


def placement_item(
    placement: svc.Placement, contacts: list[Any], settings: Settings, storage: Storage
) -> Any:
    """``LogoPlacementSerializer``'s fields, in its order."""
    sponsor, sponsorship, package = placement.sponsor, placement.sponsorship, placement.package
    return {
        "publisher": placement.feature.publisher,
        "flight": placement.feature.logo_place,
        "sponsor": sponsor.name,
        "sponsor_id": str(sponsor.id),
        "sponsor_slug": svc.sponsor_slug(sponsor),
        "description": svc.sponsor_description(placement),
        "logo": svc.media_url(settings.site_url, storage, sponsor.web_logo),
        "white_logo": svc.media_url(settings.site_url, storage, sponsor.white_logo),
        "start_date": sponsorship.start_date,
        "end_date": sponsorship.end_date,
        "sponsor_url": svc.sponsor_url(placement, settings.site_url),
        "level_name": svc.level_name(sponsorship, package),
        "level_order": package.order if package is not None else None,
        "contacts": [
            {
                "name": c.name,
                "email": c.email,
                "primary": c.primary,
                "administrative": c.administrative,
                "accounting": c.accounting,
                "manager": c.manager,
            }
            for c in contacts
        ],
    }


def asset_item(export: svc.AssetExport, settings: Settings, storage: Storage) -> Any:
    """``AssetSerializer``'s fields, in its order."""
    asset, sponsor = export.asset, export.sponsor
    return {
        "internal_name": asset.internal_name,
        "uuid": str(asset.uuid),
        "value": svc.asset_value(asset, settings.site_url, storage),
        "content_type": export.content_type,
        "sponsor": sponsor.name if sponsor is not None else None,
        "sponsor_slug": svc.sponsor_slug(sponsor) if sponsor is not None else None,
    }


@route(
    f"{PREFIX}/sponsors/logo-placement/",
    http_method=METHODS,
    include_in_schema=False,
    operation_id="v2_sponsors_logo_placement",
    opt={ROUTE_PERMISSION: SPONSOR_PUBLISHER},
)
async def logo_placement(
    request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], storage: NamedDependency[Storage]
) -> Response[bytes]:
    """One item per logo placement of the sponsorships enabled today."""
    if (refused := await _refusal(request)) is not None:
        return refused
    try:
        publisher, flight, year = placement_filters(query_values(request))
    except QueryErrors as exc:
        return _json(exc.errors, 400)
    settings: Settings = request.app.state.settings
    placements = await svc.logo_placements(
        tx, today=svc.utc_today(), publisher=publisher, logo_place=flight, year=year
    )
    contacts = await svc.contacts_of(tx, (p.sponsor.id for p in placements))
    return _json([placement_item(p, contacts[p.sponsor.id], settings, storage) for p in placements])


@route(
    f"{PREFIX}/sponsors/sponsorship-assets/",
    http_method=METHODS,
    include_in_schema=False,
    operation_id="v2_sponsors_sponsorship_assets",
    opt={ROUTE_PERMISSION: SPONSOR_PUBLISHER},
)
async def sponsorship_assets(
    request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], storage: NamedDependency[Storage]
) -> Response[bytes]:
    """The assets named ``internal_name`` (with a value unless ``list_empty``)."""
    if (refused := await _refusal(request)) is not None:
        return refused
    try:
        internal_name, list_empty = asset_filters(query_values(request))
    except QueryErrors as exc:
        return _json(exc.errors, 400)
    settings: Settings = request.app.state.settings
    exports = await svc.assets_by_internal_name(tx, internal_name, list_empty=list_empty)
    return _json([asset_item(e, settings, storage) for e in exports])


ROUTE_HANDLERS = (logo_placement, sponsorship_assets)
