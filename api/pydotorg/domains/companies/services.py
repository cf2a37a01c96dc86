"""Company rules: a unique slug (from the name when not given), sanitized ``about_html``, the logo
file kept in step with the row."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import add_after_commit, slugify
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.markup import render
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.records import assign_changed, ensure_unique, get_visible_or_404
from pydotorg.core.storage import Storage, safe_name
from pydotorg.core.uploads import Upload
from pydotorg.domains.companies.models import Company


async def get_company(session: AsyncSession, company_id: int) -> Company:
    return await get_visible_or_404(session, Company, company_id, f"No company with id {company_id}.")


async def list_companies(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[Company], ListMeta]:
    return await paginate(session, select(Company).order_by(Company.name, Company.id), limit, offset)


async def save_company(
    session: AsyncSession, data: Mapping[str, Any], company: Company | None = None
) -> Company:
    values = dict(data)
    if company is None and not values.get("slug"):
        values["slug"] = slugify(values.get("name", ""))[:200]
        if not values["slug"]:
            raise ValidationFailed(
                {"slug": ["Enter a slug: the name has no letters or digits to make one from."]}
            )
    if values.get("slug"):
        await ensure_unique(
            session,
            Company,
            "slug",
            values["slug"],
            "Company with this slug already exists.",
            exclude=company,
        )
    if company is None:
        company = Company(**{"about": "", "about_markup_type": "restructuredtext", **values})
    else:
        assign_changed(company, values)
    assign_changed(company, {"about_html": render(company.about or "", company.about_markup_type)})
    session.add(company)
    await session.flush()
    return company


async def delete_company(session: AsyncSession, company: Company, storage: Storage) -> None:
    """Delete a company, and its stored logo once the delete has committed (a failed unlink leaves
    an orphan file, never a row pointing at a missing one). A logo another company names is kept."""
    logo = company.logo
    await session.delete(company)
    await session.flush()
    if logo and not await session.scalar(select(Company.id).where(Company.logo == logo).limit(1)):
        add_after_commit(session, partial(storage.delete, logo))


async def replace_logo(session: AsyncSession, company: Company, upload: Upload, storage: Storage) -> Company:
    name = await storage.save(safe_name("companies/logos", upload.filename), upload.content)
    old = company.logo
    if old and old != name:  # the old file goes only once the row points at the new one
        add_after_commit(session, lambda: storage.delete(old))
    company.logo = name
    await session.flush()
    return company


async def remove_logo(session: AsyncSession, company: Company, storage: Storage) -> None:
    old = company.logo
    if old:
        company.logo = None
        await session.flush()
        add_after_commit(session, lambda: storage.delete(old))
