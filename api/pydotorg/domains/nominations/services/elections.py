"""Election kinds and elections: slugs from names, kinds by slug, the nomination window."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import slugify
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.markup import render
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.records import assign_changed, delete_record, ensure_unique, get_visible_or_404
from pydotorg.core.urls import slug_errors
from pydotorg.domains.nominations.models import (
    Election,
    ElectionKind,
)
from pydotorg.domains.nominations.services.rules import ELECTION_OPTIONS


async def list_kinds(
    session: AsyncSession, *, limit: int, offset: int
) -> tuple[list[ElectionKind], ListMeta]:
    return await paginate(
        session, select(ElectionKind).order_by(ElectionKind.name, ElectionKind.id), limit, offset
    )


async def get_kind(session: AsyncSession, kind_id: int) -> ElectionKind:
    return await get_visible_or_404(session, ElectionKind, kind_id, f"No election kind with id {kind_id}.")


def _slug_of(name: str, field_name: str = "name") -> str:
    slug = slugify(name)
    if problems := slug_errors(slug):
        raise ValidationFailed({field_name: [f"The name gives no usable slug: {problems[0]}"]})
    return slug


async def save_kind(
    session: AsyncSession, data: Mapping[str, Any], kind: ElectionKind | None = None
) -> ElectionKind:
    values = dict(data)
    if "name" in values:
        values["name"] = values["name"].strip()
        values["slug"] = _slug_of(values["name"])
        await ensure_unique(
            session,
            ElectionKind,
            "name",
            values["name"],
            "An election kind with this name already exists.",
            exclude=kind,
        )
        await ensure_unique(
            session,
            ElectionKind,
            "name",
            values["slug"],
            "An election kind whose name gives the same slug already exists.",
            exclude=kind,
            condition=ElectionKind.slug == values["slug"],
        )
    if kind is None:
        kind = ElectionKind(**values)
    else:
        assign_changed(kind, values)
    session.add(kind)
    await session.flush()
    return kind


async def delete_kind(session: AsyncSession, kind: ElectionKind) -> None:
    """Its elections keep going without a kind (board form, default colour), as on python.org."""
    await delete_record(session, kind)


# --- elections ---------------------------------------------------------------------------------


async def list_elections(
    session: AsyncSession, *, limit: int, offset: int
) -> tuple[list[Election], ListMeta]:
    stmt = select(Election).options(*ELECTION_OPTIONS).order_by(Election.date.desc(), Election.id.desc())
    return await paginate(session, stmt, limit, offset)


async def get_election(session: AsyncSession, slug: str) -> Election:
    return await get_visible_or_404(
        session, Election, Election.slug == slug, f"No election with slug {slug!r}.", options=ELECTION_OPTIONS
    )


async def save_election(
    session: AsyncSession, data: Mapping[str, Any], election: Election | None = None
) -> Election:
    values = dict(data)
    if "name" in values:
        values["name"] = values["name"].strip()
        values["slug"] = _slug_of(values["name"])
        await ensure_unique(
            session,
            Election,
            "name",
            values["slug"],
            "An election whose name gives the same slug already exists.",
            exclude=election,
            condition=Election.slug == values["slug"],
        )
    if "kind" in values:
        kind_slug = values.pop("kind")
        kind = None
        if kind_slug is not None:
            kind = await session.scalar(select(ElectionKind).where(ElectionKind.slug == kind_slug))
            if kind is None:
                raise ValidationFailed({"kind": [f"No election kind with slug {kind_slug!r}."]})
        values["kind_id"] = kind.id if kind is not None else None
    if "description" in values:
        values["description_html"] = render(values["description"], "markdown")
    start = values.get("nominations_open_at", election.nominations_open_at if election else None)
    end = values.get("nominations_close_at", election.nominations_close_at if election else None)
    if start is not None and end is not None and end <= start:
        raise ValidationFailed({"nominations_close_at": ["Nominations must close after they open."]})
    if election is None:
        election = Election(**values)
    else:
        assign_changed(election, values)
    session.add(election)
    await session.flush()
    reloaded = await session.scalar(
        select(Election)
        .where(Election.id == election.id)
        .options(*ELECTION_OPTIONS)
        .execution_options(populate_existing=True)
    )
    assert reloaded is not None
    return reloaded


async def delete_election(session: AsyncSession, election: Election) -> None:
    """Its nominees and nominations go with it (the database cascades)."""
    await delete_record(session, election)
