"""``/api/v3/companies``: the companies success stories link to. Public reads; writes need the
``companies.*`` permissions."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset
from pydotorg.core.permissions import permission_required
from pydotorg.core.schemas import given_fields
from pydotorg.core.storage import Storage
from pydotorg.core.uploads import read_upload
from pydotorg.domains.companies import schemas
from pydotorg.domains.companies import services as svc
from pydotorg.domains.companies.models import ADD_COMPANY, CHANGE_COMPANY, DELETE_COMPANY, Company

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
MAX_LOGO = 2 * 1024 * 1024


def company_read(c: Company, storage: Storage) -> schemas.CompanyRead:
    return schemas.CompanyRead(
        id=c.id,
        name=c.name,
        slug=c.slug,
        about=c.about,
        about_markup_type=c.about_markup_type,
        about_html=c.about_html,
        contact=c.contact,
        email=c.email,
        url=c.url,
        logo=c.logo,
        logo_url=storage.url(c.logo) if c.logo else None,
    )


class CompaniesController(Controller):
    path = "/api/v3/companies"
    tags = ["companies"]

    @get("/", operation_id="companies_list", summary="Companies by name")
    async def list_companies(
        self,
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> schemas.CompanyList:
        rows, meta = await svc.list_companies(tx, limit=limit, offset=offset)
        return schemas.CompanyList(data=[company_read(c, storage) for c in rows], meta=meta)

    @get("/{company_id:int}", operation_id="companies_read", summary="One company")
    async def read_company(
        self, tx: NamedDependency[AsyncSession], storage: NamedDependency[Storage], company_id: PK
    ) -> schemas.CompanyRead:
        return company_read(await svc.get_company(tx, company_id), storage)

    @post(
        "/",
        operation_id="companies_create",
        summary="Add a company",
        guards=[permission_required(ADD_COMPANY)],
    )
    async def create_company(
        self,
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        data: JSONBody[schemas.CompanyCreate],
    ) -> schemas.CompanyRead:
        return company_read(await svc.save_company(tx, given_fields(data)), storage)

    @patch(
        "/{company_id:int}",
        operation_id="companies_update",
        summary="Change a company",
        guards=[permission_required(CHANGE_COMPANY)],
    )
    async def update_company(
        self,
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        company_id: PK,
        data: JSONBody[schemas.CompanyUpdate],
    ) -> schemas.CompanyRead:
        company = await svc.get_company(tx, company_id)
        return company_read(await svc.save_company(tx, given_fields(data), company), storage)

    @put(
        "/{company_id:int}/logo",
        operation_id="companies_logo_upload",
        summary="Upload the company's logo (multipart field 'file': png, jpg, gif, svg, webp; at most 2 MiB)",
        guards=[permission_required(CHANGE_COMPANY)],
    )
    async def upload_logo(
        self,
        tx: NamedDependency[AsyncSession],
        storage: NamedDependency[Storage],
        company_id: PK,
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> schemas.CompanyRead:
        company = await svc.get_company(tx, company_id)
        upload = await read_upload(data, image=True, max_bytes=MAX_LOGO)
        return company_read(await svc.replace_logo(tx, company, upload, storage), storage)

    @delete(
        "/{company_id:int}/logo",
        operation_id="companies_logo_delete",
        summary="Remove the company's logo",
        guards=[permission_required(CHANGE_COMPANY)],
    )
    async def delete_logo(
        self, tx: NamedDependency[AsyncSession], storage: NamedDependency[Storage], company_id: PK
    ) -> None:
        await svc.remove_logo(tx, await svc.get_company(tx, company_id), storage)

    @delete(
        "/{company_id:int}",
        operation_id="companies_delete",
        summary="Delete a company and its logo (its stories fall back to their own company name and URL)",
        guards=[permission_required(DELETE_COMPANY)],
    )
    async def delete_company(
        self, tx: NamedDependency[AsyncSession], storage: NamedDependency[Storage], company_id: PK
    ) -> None:
        await svc.delete_company(tx, await svc.get_company(tx, company_id), storage)
