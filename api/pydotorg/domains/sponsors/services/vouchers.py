"""PyCon US vouchers for sponsors (python.org's ``create_pycon_vouchers_for_sponsors <year>``).

For every finalized sponsorship holding a voucher benefit of ``year``, ask the PyCon API for a
promo code (``GET /<year>/api/vouchers/`` with the voucher type, the sponsorship's quantity, the
sponsor's name and id) and store it in the benefit's provided text asset, which the sponsor reads
on the dashboard.

python.org names four benefit ids and asset internal names ending ``_2026`` in code, so every
year needs a code change. Here the voucher benefits are found by the internal name of their
provided text asset: ``VOUCHER_ASSETS`` maps a name pattern (``{year}`` is the year asked for)
to the PyCon voucher type. Cloning a year (``services/configuration/cloning.py``) replaces the
year in every internal name, so the cloned benefits match next year without a change here.

The request is signed as python.org signs it, byte for byte: ``X-API-Signature`` is the SHA-1
hex digest of secret + Unix timestamp + ``"GET"`` + ``"<uri>?<urlencode(query)>"`` + the empty
body, the query keeps python.org's order, and the URL sent carries exactly that query string.

One sponsorship's failure (PyCon refuses it, an unreadable answer) is reported and the others
continue; an outage (no connection, a timeout, a 5xx) stops the run, since every further call
would fail too. Each asset is written in its own transaction, only with a code PyCon returned, and
its row stays locked while PyCon is asked: an asset already holding a code is skipped (a second
run asks PyCon for nothing), and two runs at once never ask twice for the same asset.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from hashlib import sha1
from typing import Any, Literal
from urllib.parse import urlencode

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core.db import transaction
from pydotorg.domains.sponsors.models import (
    FINALIZED,
    PROVIDED_TEXT,
    TEXT_ASSET,
    TIERED_BENEFIT,
    YEAR_MAX,
    YEAR_MIN,
    BenefitFeature,
    Sponsor,
    SponsorAsset,
    SponsorBenefit,
    Sponsorship,
)
from pydotorg.domains.sponsors.services import audit
from pydotorg.settings import Settings

log = structlog.get_logger(__name__)

# The provided text assets that receive PyCon voucher codes: internal name pattern -> voucher
# type (python.org's BENEFITS table of 2026, keyed by name instead of benefit id). A new kind of
# voucher is one more row; the staff name the asset configuration after the pattern.
VOUCHER_ASSETS: dict[str, str] = {
    "full_conference_passes_code_{year}": "SPNS_COMP_",
    "pycon_expo_hall_only_passes_code_{year}": "SPNS_EXPO_COMP_",
    "pycon_additional_full_conference_passes_code_{year}": "SPNS_ADDL_DISC_REG_",
    "pycon_additional_expo_hall_only_passes_{year}": "SPNS_EXPO_DISC_",
}
TIMEOUT_SECONDS = 30.0  # python.org's requests timeout
AUDIT_ACTION = "sponsorship.pycon_voucher"

Status = Literal["created", "skipped", "failed"]


class VoucherSettingsError(ValueError):
    """The PyCon API settings are missing or the year is out of range: nothing was asked."""


class PyConOutage(Exception):
    """PyCon's API could not be reached or answered with a server error."""


@dataclass(frozen=True)
class Outcome:
    """What happened to one voucher asset of one sponsorship."""

    sponsorship_id: int
    sponsor_name: str
    internal_name: str
    voucher_type: str
    quantity: int | None
    status: Status
    detail: str


@dataclass
class VoucherReport:
    year: int
    outcomes: list[Outcome] = field(default_factory=list)
    outage: str | None = None  # set when PyCon was unreachable; the run stopped there

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        return self.outage is None and self.count("failed") == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "created": self.count("created"),
            "skipped": self.count("skipped"),
            "failed": self.count("failed"),
            "outage": self.outage,
            "outcomes": [
                {
                    "sponsorship_id": o.sponsorship_id,
                    "sponsor_name": o.sponsor_name,
                    "internal_name": o.internal_name,
                    "voucher_type": o.voucher_type,
                    "quantity": o.quantity,
                    "status": o.status,
                    "detail": o.detail,
                }
                for o in self.outcomes
            ],
        }


@dataclass(frozen=True)
class _Candidate:
    sponsorship_id: int
    sponsor_id: int
    sponsor_name: str
    sponsor_benefit_id: int
    related_to: str
    internal_name: str
    voucher_type: str


def check_settings(settings: Settings, year: int) -> None:
    """Refuse to start without the three PyCon settings or with a year out of range."""
    missing = [
        f"PYDOTORG_{name.upper()}"
        for name in ("pycon_api_key", "pycon_api_secret", "pycon_api_host")
        if not getattr(settings, name).strip()
    ]
    if missing:
        raise VoucherSettingsError(f"the PyCon voucher API is not configured: set {', '.join(missing)}")
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise VoucherSettingsError(f"year must be between {YEAR_MIN} and {YEAR_MAX}")


def voucher_types(year: int) -> dict[str, str]:
    """The internal names of ``year``'s voucher assets and their voucher types."""
    return {pattern.format(year=year): kind for pattern, kind in VOUCHER_ASSETS.items()}


def sign(secret: str, timestamp: int, method: str, uri: str, query_string: str, body: str = "") -> str:
    """python.org's ``api_call`` base string and SHA-1 (PyCon's API requires SHA-1)."""
    base = "".join((secret, str(timestamp), method.upper(), f"{uri}?{query_string}", body))
    return sha1(base.encode("utf-8")).hexdigest()  # noqa: S324 - the PyCon API's scheme


def base_url(host: str) -> str:
    """``PYDOTORG_PYCON_API_HOST`` is a host (HTTPS) or a full ``http(s)://`` origin."""
    host = host.strip().rstrip("/")
    return host if host.startswith(("http://", "https://")) else f"https://{host}"


async def _candidates(tx: AsyncSession, year: int) -> list[_Candidate]:
    names = voucher_types(year)
    rows = await tx.execute(
        select(
            Sponsorship.id,
            Sponsor.id,
            Sponsor.name,
            BenefitFeature.sponsor_benefit_id,
            BenefitFeature.related_to,
            BenefitFeature.internal_name,
        )
        .join(SponsorBenefit, SponsorBenefit.id == BenefitFeature.sponsor_benefit_id)
        .join(Sponsorship, Sponsorship.id == SponsorBenefit.sponsorship_id)
        .join(Sponsor, Sponsor.id == Sponsorship.sponsor_id)
        .where(
            BenefitFeature.kind == PROVIDED_TEXT,
            BenefitFeature.internal_name.in_(list(names)),
            Sponsorship.status == FINALIZED,
        )
        .order_by(Sponsorship.id, BenefitFeature.id)
    )
    found = []
    for sponsorship_id, sponsor_id, sponsor_name, sponsor_benefit_id, related_to, internal_name in rows:
        if internal_name in names:  # always: the query asked for these names only
            found.append(
                _Candidate(
                    sponsorship_id=sponsorship_id,
                    sponsor_id=sponsor_id,
                    sponsor_name=sponsor_name,
                    sponsor_benefit_id=sponsor_benefit_id,
                    related_to=related_to or "sponsorship",
                    internal_name=internal_name,
                    voucher_type=names[internal_name],
                )
            )
    return found


async def _quantity(tx: AsyncSession, sponsor_benefit_id: int) -> int | None:
    return await tx.scalar(
        select(BenefitFeature.quantity)
        .where(BenefitFeature.sponsor_benefit_id == sponsor_benefit_id, BenefitFeature.kind == TIERED_BENEFIT)
        .order_by(BenefitFeature.id)
        .limit(1)
    )


async def _locked_asset(tx: AsyncSession, candidate: _Candidate) -> SponsorAsset | Literal[False] | None:
    """The candidate's asset, its row locked for this transaction; ``False`` when another run
    holds it, ``None`` when it does not exist."""
    owner = (
        SponsorAsset.sponsor_id == candidate.sponsor_id
        if candidate.related_to == "sponsor"
        else SponsorAsset.sponsorship_id == candidate.sponsorship_id
    )
    where = (owner, SponsorAsset.internal_name == candidate.internal_name)
    asset = await tx.scalar(select(SponsorAsset).where(*where).with_for_update(skip_locked=True))
    if asset is None and await tx.scalar(select(SponsorAsset.id).where(*where)) is not None:
        return False
    return asset


class _PyCon:
    """The signed ``GET /<year>/api/vouchers/`` of python.org's ``api_call``."""

    def __init__(self, settings: Settings, client: httpx.AsyncClient) -> None:
        self.key = settings.pycon_api_key
        self.secret = settings.pycon_api_secret
        self.base = base_url(settings.pycon_api_host)
        self.client = client

    async def voucher(self, year: int, query: dict[str, str | int]) -> str:
        """The promo code PyCon made; ``ValueError`` when it refused; ``PyConOutage``."""
        uri = f"/{year}/api/vouchers/"
        query_string = urlencode(query)
        timestamp = int(time.time())  # python.org: timegm(datetime.now(tz=UTC).timetuple())
        headers = {
            "X-API-Key": self.key,
            "X-API-Signature": sign(self.secret, timestamp, "GET", uri, query_string),
            "X-API-Timestamp": str(timestamp),
        }
        try:
            response = await self.client.get(f"{self.base}{uri}?{query_string}", headers=headers)
        except httpx.HTTPError as exc:
            raise PyConOutage(f"{type(exc).__name__}: {str(exc) or 'no answer'}") from exc
        if response.status_code >= 500:
            raise PyConOutage(f"HTTP {response.status_code} from {self.base}")
        try:
            result = response.json()
        except ValueError:
            raise ValueError(f"HTTP {response.status_code}, not JSON") from None
        code = result.get("code") if isinstance(result, dict) else None
        data = result.get("data") if isinstance(result, dict) else None
        promo = data.get("promo_code") if isinstance(data, dict) else None
        if response.status_code != 200 or code != 200 or not isinstance(promo, str) or not promo.strip():
            raise ValueError(f"HTTP {response.status_code}, PyCon answered {_short(result)}")
        return promo.strip()


def _short(value: object, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _one(
    sessionmaker: async_sessionmaker[AsyncSession], pycon: _PyCon, year: int, candidate: _Candidate
) -> Outcome:
    def outcome(status: Status, detail: str, quantity: int | None = None) -> Outcome:
        return Outcome(
            sponsorship_id=candidate.sponsorship_id,
            sponsor_name=candidate.sponsor_name,
            internal_name=candidate.internal_name,
            voucher_type=candidate.voucher_type,
            quantity=quantity,
            status=status,
            detail=detail,
        )

    async with transaction(sessionmaker) as tx:
        quantity = await _quantity(tx, candidate.sponsor_benefit_id)
        if quantity is None:
            return outcome("skipped", "the benefit has no tiered quantity for this sponsorship")
        if quantity <= 0:
            return outcome("skipped", "the quantity is 0", quantity)
        asset = await _locked_asset(tx, candidate)
        if asset is False:
            return outcome("skipped", "another run is creating this code", quantity)
        if asset is None or asset.kind != TEXT_ASSET:
            return outcome("skipped", "the sponsorship has no provided text asset of this name", quantity)
        if asset.text.strip():
            return outcome("skipped", "already has a code", quantity)
        query: dict[str, str | int] = {
            "voucher_type": candidate.voucher_type,
            "quantity": quantity,
            "sponsor_name": candidate.sponsor_name,
            "sponsor_id": candidate.sponsor_id,
        }
        try:
            promo_code = await pycon.voucher(year, query)
        except ValueError as exc:
            return outcome("failed", str(exc), quantity)
        asset.text = promo_code
        await audit.record(
            tx,
            None,
            AUDIT_ACTION,
            object_kind="asset",
            object_id=asset.id,
            sponsorship_id=candidate.sponsorship_id,
            message=f"PyCon {year} voucher {candidate.voucher_type} for {quantity} stored in "
            f"{candidate.internal_name}",
        )
    return outcome("created", "code stored", quantity)


async def create_vouchers(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, *, year: int
) -> VoucherReport:
    """Create and store the missing voucher codes of ``year``; see the module docstring."""
    check_settings(settings, year)
    async with sessionmaker() as session:
        candidates = await _candidates(session, year)
    report = VoucherReport(year=year)
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
        pycon = _PyCon(settings, client)
        for candidate in candidates:
            try:
                found = await _one(sessionmaker, pycon, year, candidate)
            except PyConOutage as exc:
                report.outage = str(exc)
                log.error("sponsors_pycon_outage", year=year, error=report.outage)
                break
            report.outcomes.append(found)
            if found.status == "failed":
                log.warning(
                    "sponsors_pycon_voucher_failed",
                    sponsorship=found.sponsorship_id,
                    asset=found.internal_name,
                    error=found.detail,
                )
    log.info(
        "sponsors_pycon_vouchers",
        year=year,
        created=report.count("created"),
        skipped=report.count("skipped"),
        failed=report.count("failed"),
        outage=report.outage,
    )
    return report
