"""The rules every part of the domain shares: the election's state and status, the two nomination
forms (previous service, acknowledgements), who sees and changes what, and the statement's
rendering. Pure functions of loaded records and ``now``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import selectinload

from pydotorg.core.markup import render
from pydotorg.core.permissions import Principal, staff_or
from pydotorg.domains.nominations.models import (
    BOARD,
    CHANGE_NOMINATION,
    CHANGE_NOMINEE,
    DEFAULT_ACCENT_COLOR,
    PACKAGING_COUNCIL,
    Election,
    Nomination,
    Nominee,
)

FIRST_YEAR = {BOARD: 2001, PACKAGING_COUNCIL: 2025}  # the first year a term could have been served
NEW_MEMBER = {BOARD: "New board member", PACKAGING_COUNCIL: "New Packaging Council member"}
SERVICE_LABEL = {BOARD: "Previous Board Service", PACKAGING_COUNCIL: "Previous Packaging Council Service"}
ACKNOWLEDGEMENTS = ("coc_acknowledged", "mission_alignment", "eligibility_confirmed")
# Which acknowledgements each form asks for, and which of those a self-nomination must give.
ASKED = {
    BOARD: ("coc_acknowledged", "mission_alignment"),
    PACKAGING_COUNCIL: ("coc_acknowledged", "eligibility_confirmed"),
}
REQUIRED_ACKNOWLEDGEMENTS = {
    BOARD: ("coc_acknowledged",),
    PACKAGING_COUNCIL: ("coc_acknowledged", "eligibility_confirmed"),
}

REQUIRED_TEXT = ("name", "email", "employer", "nomination_statement")

ELECTION_OPTIONS = (selectinload(Election.kind),)
NOMINEE_OPTIONS = (selectinload(Nominee.election).selectinload(Election.kind), selectinload(Nominee.user))
NOMINATION_OPTIONS = (
    selectinload(Nomination.election).selectinload(Election.kind),
    selectinload(Nomination.nominee).selectinload(Nominee.user),
)


# --- the election's state ----------------------------------------------------------------------


def nominations_open(election: Election, now: datetime) -> bool:
    """Strictly between the open and close times (both must be set)."""
    start, end = election.nominations_open_at, election.nominations_close_at
    return start is not None and end is not None and start < now < end


def nominations_complete(election: Election, now: datetime) -> bool:
    return election.nominations_close_at is not None and election.nominations_close_at < now


def status(election: Election, now: datetime) -> str:
    start, end = election.nominations_open_at, election.nominations_close_at
    if start is not None and end is not None:
        if nominations_open(election, now):
            return "Nominations Open"
        return "Nominations Not Yet Open" if start > now else "Nominations Closed"
    today: date = now.date()
    return "Voting Not Yet Begun" if election.date > today else "Commenced"


def form_variant(election: Election) -> str:
    return election.kind.nomination_form if election.kind is not None else BOARD


def accent_color(election: Election) -> str:
    return election.kind.accent_color if election.kind is not None else DEFAULT_ACCENT_COLOR


def previous_service_label(variant: str) -> str:
    return SERVICE_LABEL[variant]


# --- who sees and changes what ----------------------------------------------------------------


def nominee_name(nominee: Nominee) -> str:
    """python.org's ``Nominee.name``: the account's first and last name."""
    user = nominee.user
    return f"{user.first_name} {user.last_name}" if user is not None else ""


def is_nominee_user(principal: Principal | None, nominee: Nominee | None) -> bool:
    return (
        principal is not None
        and nominee is not None
        and nominee.user_id is not None
        and nominee.user_id == principal.user_id
    )


def is_nominator(principal: Principal | None, nomination: Nomination) -> bool:
    return principal is not None and nomination.nominator_id == principal.user_id


def manages_nominations(principal: Principal | None) -> bool:
    return staff_or(principal, CHANGE_NOMINATION)


def nominee_visible(nominee: Nominee, principal: Principal | None, now: datetime) -> bool:
    if nominee.accepted and nominee.approved and not nominations_open(nominee.election, now):
        return True
    return staff_or(principal, CHANGE_NOMINEE) or is_nominee_user(principal, nominee)


def nomination_visible(nomination: Nomination, principal: Principal | None, now: datetime) -> bool:
    if nomination.accepted and nomination.approved and not nominations_open(nomination.election, now):
        return True
    return (
        manages_nominations(principal)
        or is_nominator(principal, nomination)
        or is_nominee_user(principal, nomination.nominee)
    )


def editable(nomination: Nomination, principal: Principal | None, now: datetime) -> bool:
    """python.org's ``Nomination.editable``: the nominee while nominations are open; the
    nominator while open and neither accepted nor approved."""
    if not nominations_open(nomination.election, now):
        return False
    if is_nominee_user(principal, nomination.nominee):
        return True
    return is_nominator(principal, nomination) and not (nomination.accepted or nomination.approved)


def acceptable(nomination: Nomination, principal: Principal | None, now: datetime) -> bool:
    return is_nominee_user(principal, nomination.nominee) and nominations_open(nomination.election, now)


def is_self_nomination(nomination: Nomination) -> bool:
    nominee = nomination.nominee
    return nominee is not None and nominee.user_id is not None and nomination.nominator_id == nominee.user_id


def shows_email(nomination: Nomination, principal: Principal | None) -> bool:
    return (
        manages_nominations(principal)
        or is_nominator(principal, nomination)
        or is_nominee_user(principal, nomination.nominee)
    )


def render_statement(text: str) -> str:
    """The stored rendering of a statement; the preview calls exactly this."""
    return render(text, "markdown")
