"""Nominees: the list and the page by slug (python.org's visibility), staff review, and the
candidacy a self-nomination or a staff link creates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from litestar.exceptions import NotFoundException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import slugify, utcnow
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal
from pydotorg.core.records import assign_changed, get_visible_or_404
from pydotorg.domains.nominations.models import (
    CHANGE_NOMINEE,
    Election,
    Nomination,
    Nominee,
)
from pydotorg.domains.nominations.services.rules import (
    NOMINATION_OPTIONS,
    NOMINEE_OPTIONS,
    nominations_complete,
    nominee_name,
    nominee_visible,
)
from pydotorg.domains.users.models import User


@dataclass
class NomineeView:
    """A nominee with its nominations (by id), for the display helpers."""

    nominee: Nominee
    nominations: list[Nomination] = field(default_factory=list)

    @property
    def self_nomination(self) -> Nomination | None:
        user_id = self.nominee.user_id
        return next((n for n in self.nominations if user_id is not None and n.nominator_id == user_id), None)

    @property
    def received(self) -> list[Nomination]:
        """Accepted and approved nominations by others (python.org's ``nominations_received``)."""
        user_id = self.nominee.user_id
        return [
            n
            for n in self.nominations
            if n.accepted and n.approved and (user_id is None or n.nominator_id != user_id)
        ]

    def display(self, name: str) -> str | None:
        """The self-nomination's value when it has one, else the first nomination's."""
        own = self.self_nomination
        if own is not None and getattr(own, name):
            return str(getattr(own, name))
        return getattr(self.nominations[0], name) if self.nominations else None

    @property
    def mission_alignment(self) -> bool:
        nomination = self.self_nomination or next(
            (n for n in self.nominations if n.accepted and n.approved), None
        )
        return bool(nomination and nomination.mission_alignment)


async def _views(session: AsyncSession, nominees: Sequence[Nominee]) -> list[NomineeView]:
    views = {n.id: NomineeView(n) for n in nominees}
    if views:
        stmt = (
            select(Nomination)
            .where(Nomination.nominee_id.in_(list(views)))
            .options(*NOMINATION_OPTIONS)
            .order_by(Nomination.id)
        )
        for nomination in await session.scalars(stmt):
            views[nomination.nominee_id or 0].nominations.append(nomination)
    return list(views.values())


async def list_nominees(
    session: AsyncSession, election: Election, principal: Principal | None, *, limit: int, offset: int
) -> tuple[list[NomineeView], ListMeta]:
    """Once nominations are complete (or for those managing nominees): the accepted and approved
    nominees with an account. Before that a logged-in caller sees only their own candidacy, and
    nobody else sees anyone. By id: python.org shuffled the list on every request; the site
    builder shuffles it with a seed of the election, so a build is reproducible."""
    stmt = select(Nominee).where(Nominee.election_id == election.id).options(*NOMINEE_OPTIONS)
    if nominations_complete(election, utcnow()) or (
        principal is not None and principal.has_perm(CHANGE_NOMINEE)
    ):
        stmt = stmt.where(Nominee.accepted, Nominee.approved, Nominee.user_id.is_not(None))
    elif principal is not None:
        stmt = stmt.where(Nominee.user_id == principal.user_id)
    else:
        return [], ListMeta(total=0, limit=limit, offset=offset)
    rows, meta = await paginate(session, stmt.order_by(Nominee.id), limit, offset)
    return await _views(session, rows), meta


async def get_nominee(
    session: AsyncSession, election: Election, slug: str, principal: Principal | None
) -> NomineeView:
    """The election's nominee with this slug if the caller may see them; else 404. Two nominees
    with the same name share a slug; the first (by id) answers."""
    now = utcnow()
    nominee = await session.scalar(
        select(Nominee)
        .where(Nominee.election_id == election.id, Nominee.slug == slug)
        .options(*NOMINEE_OPTIONS)
        .order_by(Nominee.id)
        .limit(1)
    )
    if nominee is None or not nominee_visible(nominee, principal, now):
        raise NotFoundException(f"No nominee {slug!r} in {election.name}.")
    return (await _views(session, [nominee]))[0]


async def get_nominee_by_id(session: AsyncSession, nominee_id: int) -> Nominee:
    return await get_visible_or_404(
        session, Nominee, nominee_id, f"No nominee with id {nominee_id}.", options=NOMINEE_OPTIONS
    )


async def review_nominee(session: AsyncSession, nominee: Nominee, data: Mapping[str, Any]) -> NomineeView:
    """Staff accept or approve a nominee; the slug follows the account's current name."""
    assign_changed(nominee, {**data, "slug": slugify(nominee_name(nominee))})
    await session.flush()
    return (await _views(session, [nominee]))[0]


async def nominee_for(session: AsyncSession, user: User, election: Election, *, accepted: bool) -> Nominee:
    """The user's candidacy in the election, created (with ``accepted``) when missing."""
    nominee = await session.scalar(
        select(Nominee).where(Nominee.user_id == user.id, Nominee.election_id == election.id)
    )
    slug = slugify(f"{user.first_name} {user.last_name}")
    if nominee is None:
        nominee = Nominee(
            user_id=user.id, election_id=election.id, accepted=accepted, approved=False, slug=slug
        )
        session.add(nominee)
    else:
        assign_changed(nominee, {"slug": slug})
    await session.flush()
    return nominee
