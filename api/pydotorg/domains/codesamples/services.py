"""Code sample rules: who sees drafts, the slideshow order, both markup fields rendered and
sanitized on every save."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.markup import render
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal, staff_or
from pydotorg.core.records import assign_changed, get_visible_or_404
from pydotorg.domains.codesamples.models import CHANGE_SAMPLE, CodeSample

DEFAULTS: dict[str, Any] = {
    "code": "",
    "code_markup_type": "html",
    "copy": "",
    "copy_markup_type": "html",
    "is_published": False,
    "sort_order": 0,
}


def can_see_drafts(principal: Principal | None) -> bool:
    return staff_or(principal, CHANGE_SAMPLE)


async def get_sample(session: AsyncSession, sample_id: int, principal: Principal | None) -> CodeSample:
    """A sample the caller may see (a published one, or any for editors); else 404."""
    return await get_visible_or_404(
        session,
        CodeSample,
        sample_id,
        f"No code sample with id {sample_id}.",
        visible=lambda s: s.is_published or can_see_drafts(principal),
    )


async def list_samples(
    session: AsyncSession,
    principal: Principal | None,
    *,
    limit: int,
    offset: int,
    is_published: bool | None = None,
) -> tuple[list[CodeSample], ListMeta]:
    """Samples in slideshow order; drafts only for editors."""
    stmt = select(CodeSample).order_by(CodeSample.sort_order, CodeSample.id)
    if not can_see_drafts(principal):
        stmt = stmt.where(CodeSample.is_published)
    if is_published is not None:
        stmt = stmt.where(CodeSample.is_published == is_published)
    return await paginate(session, stmt, limit, offset)


def rendered(sample: CodeSample) -> tuple[str, str]:
    return render(sample.code or "", sample.code_markup_type), render(
        sample.copy or "", sample.copy_markup_type
    )


async def save_sample(
    session: AsyncSession, data: Mapping[str, Any], sample: CodeSample | None = None
) -> CodeSample:
    if sample is None:
        sample = CodeSample(**{**DEFAULTS, **data})
    else:
        assign_changed(sample, data)
    code_html, copy_html = rendered(sample)
    assign_changed(sample, {"code_html": code_html, "copy_html": copy_html})
    session.add(sample)
    await session.flush()
    return sample
