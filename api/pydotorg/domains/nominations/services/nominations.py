"""Nominations: making one (both forms, self-nomination), reading, changing, accepting and
reviewing it, and the caller's own by election."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar.exceptions import NotFoundException, PermissionDeniedException
from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import utcnow
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal
from pydotorg.core.records import assign_changed
from pydotorg.domains.nominations.models import (
    CHANGE_NOMINATION,
    Election,
    Nomination,
    Nominee,
)
from pydotorg.domains.nominations.services.nominees import nominee_for
from pydotorg.domains.nominations.services.rules import (
    ACKNOWLEDGEMENTS,
    ASKED,
    FIRST_YEAR,
    NEW_MEMBER,
    NOMINATION_OPTIONS,
    REQUIRED_ACKNOWLEDGEMENTS,
    REQUIRED_TEXT,
    acceptable,
    editable,
    form_variant,
    is_nominee_user,
    nomination_visible,
    nominations_complete,
    nominations_open,
    render_statement,
)
from pydotorg.domains.users.models import User


def _nomination_stmt() -> Select[Any]:
    return select(Nomination).options(*NOMINATION_OPTIONS)


async def load_nomination(session: AsyncSession, election: Election, nomination_id: int) -> Nomination:
    """The nomination if it belongs to this election (else 404), whoever may see it."""
    nomination = await session.scalar(
        _nomination_stmt()
        .where(Nomination.id == nomination_id, Nomination.election_id == election.id)
        .execution_options(populate_existing=True)
    )
    if nomination is None:
        raise NotFoundException(f"No nomination {nomination_id} in {election.name}.")
    return nomination


async def get_nomination(
    session: AsyncSession, election: Election, nomination_id: int, principal: Principal | None
) -> Nomination:
    nomination = await load_nomination(session, election, nomination_id)
    if not nomination_visible(nomination, principal, utcnow()):
        raise NotFoundException(f"No nomination {nomination_id} in {election.name}.")
    return nomination


async def list_election_nominations(
    session: AsyncSession, election: Election, *, limit: int, offset: int
) -> tuple[list[Nomination], ListMeta]:
    """Every nomination of the election, for those who review them."""
    stmt = _nomination_stmt().where(Nomination.election_id == election.id).order_by(Nomination.id)
    return await paginate(session, stmt, limit, offset)


def previous_service(election: Election, years: Sequence[int] | None) -> str | None:
    """python.org's stored form: "2019, 2020", or the kind's "new member" wording; NULL when the
    election hides the question."""
    variant = form_variant(election)
    if election.hide_previous_service:
        if years is not None:
            raise ValidationFailed(
                {"previous_service_years": ["This election does not ask for previous service."]}
            )
        return None
    if years is None:
        raise ValidationFailed(
            {"previous_service_years": ["This field is required: the years served, or [] for a new member."]}
        )
    if not years:
        return NEW_MEMBER[variant]
    first, last = FIRST_YEAR[variant], utcnow().year
    wrong = sorted({y for y in years if not first <= y <= last})
    if wrong:
        raise ValidationFailed(
            {
                "previous_service_years": [
                    f"Years must be from {first} to {last}; not {', '.join(map(str, wrong))}."
                ]
            }
        )
    return ", ".join(str(y) for y in sorted(set(years)))


def _check_text(values: Mapping[str, Any]) -> None:
    """The form's required fields must say something (a blank one is refused, not stored)."""
    blank = [f for f in REQUIRED_TEXT if f in values and not str(values[f]).strip()]
    if blank:
        raise ValidationFailed({f: ["This field is required."] for f in blank})


def _ensure_open(election: Election, now: datetime) -> None:
    if nominations_complete(election, now):
        raise NotFoundException(f"Nominations for {election.name} are closed.")
    if not nominations_open(election, now):
        raise NotFoundException(f"Nominations for {election.name} are not open.")


async def create_nomination(
    session: AsyncSession, principal: Principal, election: Election, data: Mapping[str, Any]
) -> Nomination:
    """A nomination while nominations are open (else 404, as python.org's form). A
    self-nomination needs the caller's first and last name and the form's acknowledgements, and
    creates (or reuses) the caller's candidacy, accepted; others' nominations carry no
    acknowledgements."""
    _ensure_open(election, utcnow())
    values = dict(data)
    _check_text(values)
    self_nomination = bool(values.pop("self_nomination", False))
    years = values.pop("previous_service_years", None)
    variant = form_variant(election)
    values["previous_board_service"] = previous_service(election, years)
    nominee: Nominee | None = None
    if self_nomination:
        user = await session.get(User, principal.user_id)
        if user is None or not user.first_name.strip() or not user.last_name.strip():
            raise ValidationFailed(
                {
                    "self_nomination": [
                        "Set your first and last name in your profile (/users/edit/) to nominate yourself."
                    ]
                }
            )
        missing = [a for a in REQUIRED_ACKNOWLEDGEMENTS[variant] if not values.get(a)]
        if missing:
            raise ValidationFailed(
                {a: ["This acknowledgement is required to nominate yourself."] for a in missing}
            )
        for name in ACKNOWLEDGEMENTS:
            values[name] = bool(values.get(name)) and name in ASKED[variant]
        nominee = await nominee_for(session, user, election, accepted=True)
    else:
        for name in ACKNOWLEDGEMENTS:
            values[name] = False
    nomination = Nomination(
        election_id=election.id,
        nominator_id=principal.user_id,
        nominee_id=nominee.id if nominee is not None else None,
        accepted=self_nomination,
        approved=False,
        nomination_statement_html=render_statement(values["nomination_statement"]),
        **values,
    )
    session.add(nomination)
    await session.flush()
    return await load_nomination(session, election, nomination.id)


async def update_nomination(
    session: AsyncSession, principal: Principal, nomination: Nomination, data: Mapping[str, Any]
) -> Nomination:
    """The nominee or (before acceptance or approval) the nominator while nominations are open,
    or anyone holding ``nominations.change_nomination``. Editing an election that hides previous
    service clears a stale answer."""
    if not (editable(nomination, principal, utcnow()) or principal.has_perm(CHANGE_NOMINATION)):
        raise PermissionDeniedException(
            "Only the nominee, or the nominator before the nomination is accepted or approved, can change "
            "it, and only while nominations are open."
        )
    values = dict(data)
    _check_text(values)
    election = nomination.election
    if "previous_service_years" in values or election.hide_previous_service:
        values["previous_board_service"] = previous_service(
            election, values.pop("previous_service_years", None)
        )
    if "nomination_statement" in values:
        values["nomination_statement_html"] = render_statement(values["nomination_statement"])
    assign_changed(nomination, values)
    await session.flush()
    return nomination


async def accept_nomination(
    session: AsyncSession, principal: Principal, nomination: Nomination, accepted: bool
) -> Nomination:
    if not acceptable(nomination, principal, utcnow()):
        raise PermissionDeniedException(
            "Only the nominee can accept a nomination, and only while nominations are open."
        )
    assign_changed(nomination, {"accepted": accepted})
    await session.flush()
    return nomination


async def review_nomination(
    session: AsyncSession, nomination: Nomination, data: Mapping[str, Any]
) -> Nomination:
    values = dict(data)
    if "nominee_user_id" in values:
        user_id = values.pop("nominee_user_id")
        nominee_id = None
        if user_id is not None:
            user = await session.get(User, user_id)
            if user is None:
                raise ValidationFailed({"nominee_user_id": [f"No user with id {user_id}."]})
            nominee_id = (await nominee_for(session, user, nomination.election, accepted=False)).id
        values["nominee_id"] = nominee_id
    if assign_changed(nomination, values):
        await session.flush()
    return await load_nomination(session, nomination.election, nomination.id)


@dataclass
class ElectionPart:
    election: Election
    received: list[Nomination]
    made: list[Nomination]


async def my_nominations(session: AsyncSession, principal: Principal) -> list[ElectionPart]:
    """The caller's nominations received and made, by election, newest election first."""
    mine = Nominee.user_id == principal.user_id
    stmt = (
        _nomination_stmt()
        .outerjoin(Nominee, Nominee.id == Nomination.nominee_id)
        .join(Election, Election.id == Nomination.election_id)
        .where(or_(Nomination.nominator_id == principal.user_id, mine))
        .order_by(Election.date.desc(), Election.id.desc(), Nomination.id)
    )
    parts: dict[int, ElectionPart] = {}
    for nomination in await session.scalars(stmt):
        part = parts.setdefault(nomination.election_id, ElectionPart(nomination.election, [], []))
        if is_nominee_user(principal, nomination.nominee):
            part.received.append(nomination)
        if nomination.nominator_id == principal.user_id:
            part.made.append(nomination)
    return list(parts.values())
