"""Code sample rules: both markup fields rendered and sanitized on every save."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.markup import render
from pydotorg.domains.codesamples.models import CodeSample

DEFAULTS: dict[str, Any] = {
    "code": "",
    "code_markup_type": "html",
    "copy": "",
    "copy_markup_type": "html",
    "is_published": False,
    "sort_order": 0,
}


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
        for key, value in data.items():
            if getattr(sample, key) != value:
                setattr(sample, key, value)
    code_html, copy_html = rendered(sample)
    if sample.code_html != code_html:
        sample.code_html = code_html
    if sample.copy_html != copy_html:
        sample.copy_html = copy_html
    session.add(sample)
    await session.flush()
    return sample
