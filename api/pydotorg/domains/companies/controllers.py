"""``/api/v3/companies``: the companies success stories link to. Public reads; writes need the
``companies.*`` permissions."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset, paginate
from pydotorg.core.permissions import permission_required, register
from pydotorg.core.schemas import given_fields
from pydotorg.domains.companies import schemas
from pydotorg.domains.companies import services as svc
from pydotorg.domains.companies.models import Company

ADD_COMPANY = register("companies.add_company", "Can add companies")
CHANGE_COMPANY = register("companies.change_company", "Can change companies")
DELETE_COMPANY = register("companies.delete_company", "Can delete companies (stories keep their text)")

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


def company_read(c: Company) -> schemas.CompanyRead:
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
    )


async def _company(tx: AsyncSession, company_id: int) -> Company:
    company = await tx.get(Company, company_id)
    if company is None:
        raise NotFoundException(f"No company with id {company_id}.")
    return company


class CompaniesController(Controller):
    path = "/api/v3/companies"
    tags = ["companies"]

    @get("/", operation_id="companies_list", summary="Companies by name")
    async def list_companies(
        self, tx: AsyncSession, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.CompanyList:
        stmt = select(Company).order_by(Company.name, Company.id)
        rows, meta = await paginate(tx, stmt, limit, offset)
        return schemas.CompanyList(data=[company_read(c) for c in rows], meta=meta)

    @get("/{company_id:int}", operation_id="companies_read", summary="One company")
    async def read_company(self, tx: AsyncSession, company_id: PK) -> schemas.CompanyRead:
        return company_read(await _company(tx, company_id))

    @post(
        "/",
        operation_id="companies_create",
        summary="Add a company",
        guards=[permission_required(ADD_COMPANY)],
    )
    async def create_company(self, tx: AsyncSession, data: schemas.CompanyCreate) -> schemas.CompanyRead:
        return company_read(await svc.save_company(tx, given_fields(data)))

    @patch(
        "/{company_id:int}",
        operation_id="companies_update",
        summary="Change a company",
        guards=[permission_required(CHANGE_COMPANY)],
    )
    async def update_company(
        self, tx: AsyncSession, company_id: PK, data: schemas.CompanyUpdate
    ) -> schemas.CompanyRead:
        company = await _company(tx, company_id)
        return company_read(await svc.save_company(tx, given_fields(data), company))

    @delete(
        "/{company_id:int}",
        operation_id="companies_delete",
        summary="Delete a company (its stories fall back to their own company name and URL)",
        guards=[permission_required(DELETE_COMPANY)],
    )
    async def delete_company(self, tx: AsyncSession, company_id: PK) -> None:
        await tx.delete(await _company(tx, company_id))
        await tx.flush()
