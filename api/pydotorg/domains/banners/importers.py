"""Django fixtures -> banners (``banners.banner``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydotorg.core.importing import ImportContext, ModelImport, RowError
from pydotorg.core.urls import link_errors
from pydotorg.domains.banners.models import Banner


async def convert_banner(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    link = str(fields.get("link") or "")
    if problems := link_errors(link):
        raise RowError(f"link {link!r}: {problems[0]}")
    return {
        "id": int(pk),
        "title": str(fields.get("title") or "")[:1024],
        "message": str(fields.get("message") or "")[:2048],
        "link": link[:1024],
        "active": bool(fields.get("active", False)),
        "psf_pages_only": bool(fields.get("psf_pages_only", True)),
        "sort_order": 0,
    }


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport("banners.banner", Banner.__table__, convert_banner, ("banners", "banner"), order=20),
)
