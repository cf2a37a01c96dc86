"""``/api/v3/sponsors/``: the staff operations outside the state machines (python.org's admin
actions): export chosen assets as a zip, re-copy a benefit into chosen sponsorships, upload a
provided file configuration's shared file. Rules are in services/assets.py."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody, Parameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.permissions import permission_required, require_principal
from pydotorg.core.storage import Storage
from pydotorg.core.uploads import Multipart, read_upload
from pydotorg.domains.sponsors.models import CHANGE_ASSETS, CHANGE_CONFIGURATION
from pydotorg.domains.sponsors.schemas import assets as schemas
from pydotorg.domains.sponsors.services import assets as svc
from pydotorg.domains.sponsors.services.configuration import get_feature_configuration

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
MAX_ID = 2**31 - 1
IdsQuery = Annotated[
    str,
    QueryParameter(
        name="ids",
        pattern=r"^[1-9][0-9]{0,9}(,[1-9][0-9]{0,9})*$",
        min_length=1,
        max_length=svc.MAX_EXPORT_ASSETS * 11,
        description=f"asset ids, comma-separated (at most {svc.MAX_EXPORT_ASSETS})",
    ),
]


def asset_ids(ids: str) -> list[int]:
    """The ``ids`` query as record ids, or a 400 naming it."""
    values = [int(part) for part in ids.split(",") if part.isdigit()]
    if not values or len(values) != len(ids.split(",")) or any(v > MAX_ID for v in values):
        raise ValidationFailed({"ids": [f"Give asset ids between 1 and {MAX_ID}, separated by commas."]})
    if len(values) > svc.MAX_EXPORT_ASSETS:
        raise ValidationFailed({"ids": [f"Export at most {svc.MAX_EXPORT_ASSETS} assets at a time."]})
    return values


class SponsorsAssetsController(Controller):
    path = "/api/v3/sponsors"
    tags = ["sponsors"]

    @get(
        "/assets/export.zip",
        operation_id="sponsors_assets_export",
        summary="Staff: the chosen assets as a zip, one folder per sponsor (refused if any is empty)",
        guards=[permission_required(CHANGE_ASSETS)],
        # The zip is documented here, not as the handler's media type: Litestar answers a refused
        # query (a 400) in the handler's media type, and those answers are JSON.
        responses={
            200: ResponseSpec(
                data_container=bytes,
                media_type="application/zip",
                description="assets.zip",
                generate_examples=False,
            )
        },
    )
    async def export_assets(
        self, tx: NamedDependency[AsyncSession], storage: NamedDependency[Storage], ids: IdsQuery
    ) -> Response[bytes]:
        content = await svc.export_assets(tx, storage, asset_ids(ids))
        return Response(
            content,
            media_type="application/zip",
            headers={"Content-Disposition": 'attachment; filename="assets.zip"'},
        )

    @post(
        "/benefits/{benefit_id:int}/update-related-sponsorships",
        operation_id="sponsors_benefits_update_related",
        summary="Copy a benefit again into chosen sponsorships holding it (not rejected, not ended)",
        guards=[permission_required(CHANGE_CONFIGURATION)],
        status_code=200,
    )
    async def update_related(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        benefit_id: PK,
        data: JSONBody[schemas.RelatedSponsorshipsUpdate],
    ) -> schemas.RelatedSponsorshipsUpdated:
        done = await svc.update_related_sponsorships(
            tx, require_principal(request), benefit_id, data.sponsorship_ids
        )
        return schemas.RelatedSponsorshipsUpdated(benefit_id=done.benefit_id, updated=done.sponsorship_ids)

    @put(
        "/feature-configurations/{config_id:int}/shared-file",
        operation_id="sponsors_feature_configurations_shared_file",
        summary="Upload the file a provided file configuration shares (multipart field 'file')",
        guards=[permission_required(CHANGE_CONFIGURATION)],
    )
    async def upload_shared_file(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        config_id: PK,
        data: Multipart,
    ) -> schemas.SharedFileRead:
        principal = require_principal(request)
        config = await get_feature_configuration(tx, config_id, principal)
        upload = await read_upload(data, "file", max_bytes=svc.MAX_SHARED_FILE)
        await svc.store_shared_file(tx, principal, storage, config, upload)
        return schemas.SharedFileRead(
            id=config.id,
            benefit_id=config.benefit_id,
            kind=config.kind,
            internal_name=config.internal_name,
            shared=config.shared,
            shared_file=config.shared_file,
            shared_file_url=storage.url(config.shared_file) if config.shared_file else None,
        )


ROUTE_HANDLERS = [SponsorsAssetsController]
