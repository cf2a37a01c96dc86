"""Company rules: a unique slug (from the name when not given) and sanitized ``about_html``."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import add_after_commit, slugify
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.markup import render
from pydotorg.core.storage import Storage
from pydotorg.domains.companies.models import Company


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
        stmt = select(Company.id).where(Company.slug == values["slug"])
        if company is not None:
            stmt = stmt.where(Company.id != company.id)
        if await session.scalar(stmt):
            raise ValidationFailed({"slug": ["Company with this slug already exists."]})
    if company is None:
        company = Company(**{"about": "", "about_markup_type": "restructuredtext", **values})
    else:
        for key, value in values.items():
            if getattr(company, key) != value:
                setattr(company, key, value)
    html = render(company.about or "", company.about_markup_type)
    if company.about_html != html:
        company.about_html = html
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
