"""``/api/v3/sponsors/``: applying to sponsor the PSF (step 1 anonymous, step 2 logged in) and the
sponsor dashboard (the caller's sponsorships, one with its benefits and assets, providing a
required asset, the caller's sponsors and a sponsor's edit page). Rules live in
services/sponsorships/ (one module per part); what a caller may not see is a 404.

Step 2 is ``multipart/form-data``: the JSON of ``ApplicationInput`` in the form field
``application`` and the logo files in ``web_logo``, ``white_logo`` and ``print_logo``, so the new
sponsor, its logos and the sponsorship are stored in one request and one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset
from pydotorg.core.permissions import Principal, login_required, require_principal
from pydotorg.core.schemas import given_fields
from pydotorg.core.storage import Storage
from pydotorg.core.uploads import Multipart, Upload, read_upload
from pydotorg.domains.mailing.services import MailContext
from pydotorg.domains.sponsors.models import APPLIED, Sponsor, SponsorContact, Sponsorship, SponsorshipPackage
from pydotorg.domains.sponsors.schemas import sponsorships as schemas
from pydotorg.domains.sponsors.services import sponsorships as svc
from pydotorg.domains.sponsors.services.notifications import notify_new_application
from pydotorg.settings import Settings

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
LogoName = Annotated[Literal["web_logo", "white_logo", "print_logo"], Parameter(description="which logo")]
APPLICATION_FIELDS = frozenset({"application", "web_logo", "white_logo", "print_logo"})
_AT = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")


# --- reads -------------------------------------------------------------------------------------


def package_summary(package: SponsorshipPackage | None) -> schemas.PackageSummary | None:
    if package is None:
        return None
    return schemas.PackageSummary(
        id=package.id,
        name=package.name,
        slug=package.slug,
        year=package.year,
        sponsorship_amount=package.sponsorship_amount,
    )


def selection_read(selection: svc.Selection) -> schemas.SelectionRead:
    def choice(b: Any) -> schemas.BenefitChoice:
        return schemas.BenefitChoice(
            id=b.id,
            name=b.name,
            program_id=b.program_id,
            program_name=selection.programs.get(b.program_id, ""),
            standalone=b.standalone,
            package_only=b.package_only,
        )

    benefits = selection.benefits
    return schemas.SelectionRead(
        year=selection.year,
        package=package_summary(selection.package),
        benefit_ids=[b.id for b in selection.chosen["benefit_ids"]],
        a_la_carte_ids=[b.id for b in selection.chosen["a_la_carte_ids"]],
        standalone_ids=[b.id for b in selection.chosen["standalone_ids"]],
        package_benefits=[choice(b) for b in benefits if selection.in_package(b)],
        added_benefits=[choice(b) for b in benefits if not selection.in_package(b)],
        customized=selection.customized,
        price=selection.price,
    )


def sponsorship_summary(
    sponsorship: Sponsorship, sponsor: Sponsor | None, package: SponsorshipPackage | None
) -> schemas.SponsorshipSummary:
    return schemas.SponsorshipSummary(
        id=sponsorship.id,
        sponsor=schemas.SponsorSummary(id=sponsor.id, name=sponsor.name) if sponsor is not None else None,
        status=sponsorship.status,
        year=sponsorship.year,
        level_name=package.name if package is not None else sponsorship.level_name_old,
        package=package_summary(package),
        for_modified_package=sponsorship.for_modified_package,
        agreed_fee=svc.agreed_fee(sponsorship),
        applied_on=sponsorship.applied_on,
        approved_on=sponsorship.approved_on,
        rejected_on=sponsorship.rejected_on,
        finalized_on=sponsorship.finalized_on,
        start_date=sponsorship.start_date,
        end_date=sponsorship.end_date,
        locked=sponsorship.locked,
        is_active=svc.is_active(sponsorship),
        open_for_editing=sponsorship.status == APPLIED or not sponsorship.locked,
        url=f"/users/sponsorships/detail/?id={sponsorship.id}",
    )


def sponsorship_detail(view: svc.SponsorshipView, storage: Storage) -> schemas.SponsorshipDetail:
    required = [f for f in view.features if svc.is_required(f)]
    provided = [f for f in view.features if svc.is_provided(f)]
    provided_values = [(f, svc.provided_value(f, view.asset_of(f), storage)) for f in provided]
    return schemas.SponsorshipDetail(
        sponsorship=sponsorship_summary(view.sponsorship, view.sponsor, view.package),
        benefits=[
            schemas.SponsorBenefitRead(
                id=b.id,
                name=b.name,
                name_for_display=view.display_name(b),
                program_name=b.program_name,
                description=b.description,
                added_by_user=b.added_by_user,
                standalone=b.standalone,
            )
            for b in view.benefits
        ],
        required_assets=[
            schemas.RequiredAssetRead(
                id=f.id,
                kind=f.kind,
                sponsor_benefit_id=f.sponsor_benefit_id,
                related_to=f.related_to or "",
                label=f.label,
                help_text=f.help_text,
                due_date=f.due_date,
                fulfilled=value is not None,
                value=value,
                max_length=f.max_length,
                min_width=f.min_width,
                max_width=f.max_width,
                min_height=f.min_height,
                max_height=f.max_height,
            )
            for f in required
            for value in [svc.required_value(f, view.asset_of(f), storage)]
        ],
        # python.org lists only the provided assets that have a value.
        provided_assets=[
            schemas.ProvidedAssetRead(
                id=f.id,
                kind=f.kind,
                sponsor_benefit_id=f.sponsor_benefit_id,
                label=f.label,
                help_text=f.help_text,
                shared=f.shared,
                value=value,
            )
            for f, value in provided_values
            if value
        ],
    )


def sponsor_read(
    sponsor: Sponsor, contacts: list[SponsorContact], principal: Principal, storage: Storage
) -> schemas.SponsorRead:
    def url(name: str | None) -> str | None:
        return storage.url(name) if name else None

    return schemas.SponsorRead(
        id=sponsor.id,
        name=sponsor.name,
        description=sponsor.description,
        landing_page_url=sponsor.landing_page_url,
        twitter_handle=sponsor.twitter_handle,
        linked_in_page_url=sponsor.linked_in_page_url,
        web_logo=sponsor.web_logo,
        web_logo_url=url(sponsor.web_logo),
        white_logo=sponsor.white_logo,
        white_logo_url=url(sponsor.white_logo),
        print_logo=sponsor.print_logo,
        print_logo_url=url(sponsor.print_logo),
        primary_phone=sponsor.primary_phone,
        mailing_address_line_1=sponsor.mailing_address_line_1,
        mailing_address_line_2=sponsor.mailing_address_line_2,
        city=sponsor.city,
        state=sponsor.state,
        postal_code=sponsor.postal_code,
        country=sponsor.country,
        country_of_incorporation=sponsor.country_of_incorporation,
        state_of_incorporation=sponsor.state_of_incorporation,
        contacts=[
            schemas.ContactRead(
                id=c.id,
                name=c.name,
                email=c.email,
                phone=c.phone,
                primary=c.primary,
                administrative=c.administrative,
                accounting=c.accounting,
                manager=c.manager,
                linked_to_you=c.user_id == principal.user_id,
            )
            for c in contacts
        ],
    )


# --- multipart parsing ---------------------------------------------------------------------------


def _decode_application(data: Mapping[str, Any]) -> dict[str, Any]:
    """The ``application`` form field decoded as ``ApplicationInput``; a 400 naming the field
    (``sponsor.contacts[0].email``) otherwise."""
    unknown = sorted(set(data) - APPLICATION_FIELDS)
    if unknown:
        raise ValidationFailed({unknown[0]: ["Unknown form field."]})
    raw = data.get("application")
    if not isinstance(raw, str):
        raise ValidationFailed(
            {"application": ["Send the application as JSON in the form field 'application'."]}
        )
    try:
        decoded = msgspec.json.decode(raw, type=schemas.ApplicationInput)
    except msgspec.ValidationError as exc:
        message = str(exc)
        match = _AT.search(message)
        name = match.group("path") if match and match.group("path") else "application"
        raise ValidationFailed({name: [message[: match.start()] if match else message]}) from None
    except msgspec.DecodeError as exc:
        raise ValidationFailed({"application": [f"JSON is malformed: {exc}"]}) from None
    return dict(msgspec.to_builtins(decoded))


async def _optional_upload(data: Mapping[str, Any], name: str, **rules: Any) -> Upload | None:
    if name not in data:
        return None
    value = data[name]
    if isinstance(value, list):  # the same field twice
        raise ValidationFailed({name: ["Upload one file."]})
    if not isinstance(value, UploadFile):
        raise ValidationFailed({name: [f"Upload a file in the multipart field '{name}'."]})
    return await read_upload(data, name, **rules)


class SponsorshipsController(Controller):
    path = "/api/v3/sponsors"
    tags = ["sponsors"]

    # --- the application ---------------------------------------------------------------------

    @post(
        "/applications/validate",
        operation_id="sponsors_applications_validate",
        summary="Step 1 of an application: check a package and benefit selection against the "
        "current year's configuration and answer it normalised, with its price",
        status_code=200,
    )
    async def validate_selection(
        self, tx: NamedDependency[AsyncSession], data: JSONBody[schemas.SelectionInput]
    ) -> schemas.SelectionRead:
        return selection_read(await svc.validate_selection(tx, given_fields(data)))

    @post(
        "/applications",
        operation_id="sponsors_applications_create",
        summary="Step 2: apply (multipart: JSON in 'application', files in 'web_logo', "
        "'white_logo', 'print_logo'), for one of your sponsors or a new one",
        guards=[login_required],
    )
    async def create_application(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        data: Multipart,
    ) -> schemas.ApplicationCreated:
        principal = require_principal(request)
        application = _decode_application(data)
        logos = svc.Logos(
            web_logo=await _optional_upload(
                data, "web_logo", allowed=svc.LOGO_TYPES, image=True, max_bytes=svc.MAX_LOGO_BYTES
            ),
            white_logo=await _optional_upload(
                data, "white_logo", allowed=svc.LOGO_TYPES, image=True, max_bytes=svc.MAX_LOGO_BYTES
            ),
            print_logo=await _optional_upload(
                data, "print_logo", allowed=svc.PRINT_LOGO_TYPES, max_bytes=svc.MAX_LOGO_BYTES
            ),
        )
        settings: Settings = request.app.state.settings
        sponsorship = await svc.create_application(
            tx,
            principal,
            application,
            logos,
            storage,
            contact_email=settings.sponsorship_notification_from_email,
        )
        notified = await notify_new_application(tx, MailContext.of(request.app.state), sponsorship.id)
        detail = sponsorship_detail(await svc.sponsorship_view(tx, sponsorship), storage)
        return schemas.ApplicationCreated(**msgspec.structs.asdict(detail), notified=notified)

    # --- the dashboard -----------------------------------------------------------------------

    @get(
        "/me/sponsorships",
        operation_id="sponsors_my_sponsorships_list",
        summary="Your sponsorships (submitted by you or of a sponsor you are a contact of; "
        "applied, approved or finalized), newest first",
        guards=[login_required],
    )
    async def list_my_sponsorships(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> schemas.SponsorshipList:
        principal = require_principal(request)
        rows, meta = await svc.list_my_sponsorships(tx, principal, limit=limit, offset=offset)
        sponsors, packages = await svc.sponsors_and_packages(tx, rows)
        data = [
            sponsorship_summary(
                s,
                sponsors.get(s.sponsor_id) if s.sponsor_id is not None else None,
                packages.get(s.package_id) if s.package_id is not None else None,
            )
            for s in rows
        ]
        return schemas.SponsorshipList(data=data, meta=meta)

    @get(
        "/me/sponsorships/{sponsorship_id:int}",
        operation_id="sponsors_my_sponsorships_read",
        summary="One of your sponsorships with its benefits, required assets (pending or "
        "fulfilled) and provided assets",
        guards=[login_required],
    )
    async def read_my_sponsorship(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        sponsorship_id: PK,
    ) -> schemas.SponsorshipDetail:
        sponsorship = await svc.get_sponsorship(tx, require_principal(request), sponsorship_id)
        return sponsorship_detail(await svc.sponsorship_view(tx, sponsorship), storage)

    @put(
        "/me/sponsorships/{sponsorship_id:int}/assets/{asset_id:int}",
        operation_id="sponsors_assets_provide",
        summary="Provide a required text ('text', within its max_length) or yes/no response "
        "('response': YES or NO)",
        guards=[login_required],
    )
    async def provide_asset(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        sponsorship_id: PK,
        asset_id: PK,
        data: JSONBody[schemas.AssetValueInput],
    ) -> schemas.SponsorshipDetail:
        principal = require_principal(request)
        sponsorship = await svc.get_sponsorship(tx, principal, sponsorship_id)
        await svc.provide_asset_value(tx, principal, sponsorship, asset_id, given_fields(data))
        return sponsorship_detail(await svc.sponsorship_view(tx, sponsorship), storage)

    @put(
        "/me/sponsorships/{sponsorship_id:int}/assets/{asset_id:int}/image",
        operation_id="sponsors_assets_upload",
        summary="Upload a required image (multipart field 'file': png, jpg, gif, webp; within the "
        "asset's sizes; at most 5 MiB)",
        guards=[login_required],
    )
    async def upload_asset(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        sponsorship_id: PK,
        asset_id: PK,
        data: Multipart,
    ) -> schemas.SponsorshipDetail:
        principal = require_principal(request)
        sponsorship = await svc.get_sponsorship(tx, principal, sponsorship_id)
        upload = await read_upload(
            data, allowed=svc.ASSET_IMAGE_TYPES, image=True, max_bytes=svc.MAX_ASSET_IMAGE_BYTES
        )
        await svc.provide_asset_image(tx, principal, sponsorship, asset_id, upload, storage)
        return sponsorship_detail(await svc.sponsorship_view(tx, sponsorship), storage)

    # --- sponsors ----------------------------------------------------------------------------

    @get(
        "/me/sponsors",
        operation_id="sponsors_my_sponsors",
        summary="The sponsors you are a contact of (to apply for, or to edit)",
        guards=[login_required],
    )
    async def my_sponsors(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession]
    ) -> schemas.SponsorChoiceList:
        rows = await svc.my_sponsors(tx, require_principal(request))
        return schemas.SponsorChoiceList(
            data=[
                schemas.SponsorChoice(id=s.id, name=s.name, application_in_progress=busy) for s, busy in rows
            ]
        )

    @get(
        "/sponsors/{sponsor_id:int}",
        operation_id="sponsors_sponsors_read",
        summary="A sponsor of one of your sponsorships, with its contacts (any sponsor with "
        "sponsors.change_sponsor)",
        guards=[login_required],
    )
    async def read_sponsor(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        sponsor_id: PK,
    ) -> schemas.SponsorRead:
        principal = require_principal(request)
        sponsor = await svc.get_sponsor(tx, principal, sponsor_id)
        return sponsor_read(sponsor, await svc.sponsor_contacts(tx, sponsor.id), principal, storage)

    @patch(
        "/sponsors/{sponsor_id:int}",
        operation_id="sponsors_sponsors_update",
        summary="Change a sponsor's information and contacts (not its name; 1-5 contacts, at "
        "least one primary)",
        guards=[login_required],
    )
    async def update_sponsor(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        sponsor_id: PK,
        data: JSONBody[schemas.SponsorUpdate],
    ) -> schemas.SponsorRead:
        principal = require_principal(request)
        sponsor = await svc.get_sponsor(tx, principal, sponsor_id)
        sponsor = await svc.update_sponsor(tx, principal, sponsor, msgspec.to_builtins(given_fields(data)))
        return sponsor_read(sponsor, await svc.sponsor_contacts(tx, sponsor.id), principal, storage)

    @put(
        "/sponsors/{sponsor_id:int}/logos/{logo:str}",
        operation_id="sponsors_sponsors_logo_upload",
        summary="Replace a sponsor's web_logo or white_logo (png, jpg, gif, webp, svg) or print_logo "
        "(eps, svg, png): multipart field 'file', at most 3 MiB",
        guards=[login_required],
    )
    async def upload_logo(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        sponsor_id: PK,
        logo: LogoName,
        data: Multipart,
    ) -> schemas.SponsorRead:
        principal = require_principal(request)
        sponsor = await svc.get_sponsor(tx, principal, sponsor_id)
        types = svc.PRINT_LOGO_TYPES if logo == "print_logo" else svc.LOGO_TYPES
        upload = await read_upload(
            data, allowed=types, image=logo != "print_logo", max_bytes=svc.MAX_LOGO_BYTES
        )
        sponsor = await svc.replace_logo(tx, principal, sponsor, logo, upload, storage)
        return sponsor_read(sponsor, await svc.sponsor_contacts(tx, sponsor.id), principal, storage)


ROUTE_HANDLERS = [SponsorshipsController]
