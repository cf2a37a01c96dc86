"""PSF membership: joining, editing, vote affirmation, leaving, the staff list, and the
announcement-list subscription that joining can ask for."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import utcnow
from pydotorg.core.errors import BadRequest, ConflictException, ValidationFailed
from pydotorg.core.pagination import ListMeta
from pydotorg.core.permissions import Principal
from pydotorg.core.records import get_visible_or_404
from pydotorg.domains.users import schemas
from pydotorg.domains.users.models import Membership, MembershipType, User
from pydotorg.domains.users.services._common import Context, _queue_mail
from pydotorg.domains.users.services.lookups import has_membership

PSF_MEMBERS_LIST = "psf-members-announce-request@python.org"


VOTE_AFFIRMATION_DAYS = 366


def to_membership(m: Membership, username: str | None) -> schemas.MembershipRead:
    needs = bool(
        m.votes
        and (
            m.last_vote_affirmation is None
            or m.last_vote_affirmation < utcnow() - timedelta(days=VOTE_AFFIRMATION_DAYS)
        )
    )
    return schemas.MembershipRead(
        id=m.id,
        membership_type=m.membership_type,
        membership_type_name=MembershipType(m.membership_type).name.title(),
        legal_name=m.legal_name,
        preferred_name=m.preferred_name,
        email_address=m.email_address,
        city=m.city,
        region=m.region,
        country=m.country,
        postal_code=m.postal_code,
        psf_code_of_conduct=m.psf_code_of_conduct,
        psf_announcements=m.psf_announcements,
        votes=m.votes,
        last_vote_affirmation=m.last_vote_affirmation,
        needs_vote_affirmation=needs,
        higher_level_member=m.membership_type != MembershipType.BASIC,
        created=m.created,
        updated=m.updated,
        username=username,
    )


async def get_membership(session: AsyncSession, user_id: int) -> Membership:
    return await get_visible_or_404(
        session, Membership, Membership.creator_id == user_id, "You have no PSF membership."
    )


def _refuse_honeypot(website: str) -> None:
    if website:
        # A bot filled the hidden field (django-honeypot answered 400 as well).
        raise ValidationFailed({"website": ["Invalid submission."]})


def _touch_votes(m: Membership, now: datetime) -> None:
    if m.votes and m.last_vote_affirmation is None:
        m.last_vote_affirmation = now


async def create_membership(
    session: AsyncSession, ctx: Context, principal: Principal, data: schemas.MembershipCreate
) -> Membership:
    _refuse_honeypot(data.website)
    if not data.psf_code_of_conduct:
        raise BadRequest(
            "Agreeing to the code of conduct is required.",
            extra={"field": "psf_code_of_conduct"},
        )
    if await has_membership(session, principal.user_id):
        raise ConflictException("You already have a PSF membership; edit it instead.")
    now = utcnow()
    fields = msgspec.structs.asdict(data)
    del fields["website"]
    membership = Membership(**fields, creator_id=principal.user_id, created=now, updated=now)
    _touch_votes(membership, now)
    session.add(membership)
    await session.flush()
    if data.psf_announcements:
        _subscribe_announcements(session, ctx, membership)
    return membership


def _subscribe_announcements(session: AsyncSession, ctx: Context, m: Membership) -> None:
    _queue_mail(
        session,
        ctx,
        to=PSF_MEMBERS_LIST,
        subject="subscribe",
        body="subscribe\n",
        from_email=m.email_address,
    )


async def update_membership(
    session: AsyncSession, ctx: Context, membership: Membership, data: schemas.MembershipUpdate
) -> Membership:
    _refuse_honeypot(data.website)
    changes = {
        k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET and k != "website"
    }
    was_subscribed = bool(membership.psf_announcements)
    for key, value in changes.items():
        setattr(membership, key, value)
    now = utcnow()
    membership.updated = now
    _touch_votes(membership, now)
    await session.flush()
    if membership.psf_announcements and not was_subscribed:
        _subscribe_announcements(session, ctx, membership)
    return membership


async def affirm_vote(session: AsyncSession, membership: Membership) -> Membership:
    now = utcnow()
    membership.votes = True
    membership.last_vote_affirmation = now
    membership.updated = now
    await session.flush()
    return membership


async def delete_membership(session: AsyncSession, membership: Membership) -> None:
    await session.delete(membership)
    await session.flush()


async def list_memberships(
    session: AsyncSession, *, limit: int, offset: int, votes: bool | None
) -> schemas.MembershipList:
    stmt = select(Membership, User.username).join(User, User.id == Membership.creator_id, isouter=True)
    if votes is not None:
        stmt = stmt.where(Membership.votes == votes)
    total = int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = await session.execute(stmt.order_by(Membership.id).limit(limit).offset(offset))
    return schemas.MembershipList(
        data=[to_membership(m, u) for m, u in rows],
        meta=ListMeta(total=total, limit=limit, offset=offset),
    )
