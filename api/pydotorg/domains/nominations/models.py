"""PSF elections, their kinds, the people nominated and the nominations made (inventory 1.14).

Field names follow python.org's ``nominations`` models. Markup is fixed to markdown on both
markup fields (the election's description, the nomination statement), so each is stored as its
text and its sanitized HTML. Slugs are derived by the services on every save, as python.org's
``save()`` did. A deleted account takes its candidacies with it (``Nominee.user`` cascades, as on
python.org: the nominee's name is the account's name); a nomination outlives its nominator
(``nominator_id`` is set to NULL), because it belongs to the person nominated.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pydotorg.core.db import Base, IntPK
from pydotorg.core.permissions import register
from pydotorg.domains.users.models import User

# The permissions this domain's routes check (core/permissions.py refuses unregistered names).
ADD_ELECTIONKIND = register("nominations.add_electionkind", "Can add election kinds")
CHANGE_ELECTIONKIND = register("nominations.change_electionkind", "Can change election kinds")
DELETE_ELECTIONKIND = register("nominations.delete_electionkind", "Can delete election kinds")
ADD_ELECTION = register("nominations.add_election", "Can add elections")
CHANGE_ELECTION = register("nominations.change_election", "Can change elections")
DELETE_ELECTION = register("nominations.delete_election", "Can delete elections (and their nominations)")
CHANGE_NOMINEE = register(
    "nominations.change_nominee", "Can accept and approve nominees (and see every nominee)"
)
CHANGE_NOMINATION = register(
    "nominations.change_nomination", "Can change any nomination (and see every nomination)"
)
APPROVE_NOMINATION = register(
    "nominations.approve_nomination", "Can approve nominations and link them to a nominee"
)

DEFAULT_ACCENT_COLOR = "#0073b7"
BOARD = "board"
PACKAGING_COUNCIL = "packaging_council"
NOMINATION_FORMS = {BOARD: "PSF Board", PACKAGING_COUNCIL: "Packaging Council"}


class ElectionKind(IntPK, Base):
    """A kind of election (PSF Board, Packaging Council): its colour and its nomination form."""

    __tablename__ = "election_kinds"
    __change_domain__ = "nominations"
    __change_kind__ = "kind"
    __table_args__ = (
        CheckConstraint("nomination_form IN ('board', 'packaging_council')", name="nomination_form"),
        CheckConstraint("accent_color ~ '^#[0-9a-fA-F]{6}$'", name="accent_color"),
    )

    name: Mapped[str] = mapped_column(String(100), unique=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    accent_color: Mapped[str] = mapped_column(String(7), default=DEFAULT_ACCENT_COLOR)
    nomination_form: Mapped[str] = mapped_column(String(32), default=BOARD)


class Election(IntPK, Base):
    __tablename__ = "elections"
    __change_domain__ = "nominations"
    __change_kind__ = "election"

    name: Mapped[str] = mapped_column(String(100))
    # python.org's slug is not unique; here it names the election's pages, so it is.
    slug: Mapped[str] = mapped_column(String(255), unique=True)
    date: Mapped[date] = mapped_column(Date, index=True)
    kind_id: Mapped[int | None] = mapped_column(
        ForeignKey("election_kinds.id", ondelete="SET NULL"), nullable=True, index=True
    )
    nominations_open_at: Mapped[datetime | None] = mapped_column(nullable=True)
    nominations_close_at: Mapped[datetime | None] = mapped_column(nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    hide_previous_service: Mapped[bool] = mapped_column(Boolean, default=False)

    kind: Mapped[ElectionKind | None] = relationship(lazy="raise")


class Nominee(IntPK, Base):
    """A person standing in an election; their name is their account's first and last name."""

    __tablename__ = "nominees"
    __change_domain__ = "nominations"
    __change_kind__ = "nominee"
    __table_args__ = (UniqueConstraint("user_id", "election_id"),)

    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    slug: Mapped[str] = mapped_column(String(255), default="", index=True)

    election: Mapped[Election] = relationship(lazy="raise")
    user: Mapped[User | None] = relationship(lazy="raise")


class Nomination(IntPK, Base):
    __tablename__ = "nominations"
    __change_domain__ = "nominations"
    __change_kind__ = "nomination"

    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    email: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    # "2019, 2020", "New board member" / "New Packaging Council member", or NULL when the
    # election hides the question.
    previous_board_service: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    employer: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    other_affiliations: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    nomination_statement: Mapped[str] = mapped_column(Text, default="")
    nomination_statement_html: Mapped[str] = mapped_column(Text, default="")
    nominator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    nominee_id: Mapped[int | None] = mapped_column(
        ForeignKey("nominees.id", ondelete="CASCADE"), nullable=True, index=True
    )
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    coc_acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    mission_alignment: Mapped[bool] = mapped_column(Boolean, default=False)
    eligibility_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)

    election: Mapped[Election] = relationship(lazy="raise")
    nominee: Mapped[Nominee | None] = relationship(lazy="raise")
