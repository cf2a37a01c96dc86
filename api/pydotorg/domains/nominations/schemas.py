"""/api/v3/ shapes for elections and nominations.

``url`` in a read is the record's page on python.org (``/nominations/election/<slug>/``,
``/nominations/elections/<slug>/nominees/<slug>/``, ``/nominations/<election>/<id>/``). A
nomination's ``email`` is given only to those who may see the nomination privately (staff, the
nominator, the nominee); public reads carry ``null``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input

NominationForm = Literal["board", "packaging_council"]
Name = Annotated[str, Meta(min_length=1, max_length=100)]
Color = Annotated[str, Meta(pattern=r"^#[0-9a-fA-F]{6}$", description="#rrggbb")]
Text1024 = Annotated[str, Meta(min_length=1, max_length=1024)]
Affiliations = Annotated[str, Meta(max_length=2048)]
Markdown = Annotated[str, Meta(max_length=100_000)]
Statement = Annotated[str, Meta(min_length=1, max_length=100_000)]
Moment = Annotated[dt.datetime, Meta(tz=True, description="with a time zone")]
Years = Annotated[
    list[Annotated[int, Meta(ge=1900, le=2999)]],
    Meta(max_length=100, description="years of previous service; [] for a new member"),
]


# --- reads -----------------------------------------------------------------------------------


class ElectionKindRead(msgspec.Struct):
    id: int
    name: str
    slug: str
    accent_color: str
    nomination_form: str
    nomination_form_label: str
    previous_service_label: str


class ElectionKindList(msgspec.Struct):
    data: list[ElectionKindRead]
    meta: ListMeta


class ElectionRead(msgspec.Struct):
    id: int
    name: str
    slug: str
    url: str
    nominees_url: str
    date: dt.date
    kind: ElectionKindRead | None
    accent_color: str
    nomination_form_variant: str
    previous_service_label: str
    nominations_open_at: dt.datetime | None
    nominations_close_at: dt.datetime | None
    nominations_open: bool
    nominations_complete: bool
    status: str
    description: str
    description_html: str
    hide_previous_service: bool


class ElectionList(msgspec.Struct):
    data: list[ElectionRead]
    meta: ListMeta


class NominationRead(msgspec.Struct):
    id: int
    election: str  # the election's slug
    url: str
    name: str | None
    email: str | None
    previous_board_service: str | None
    employer: str | None
    other_affiliations: str | None
    nomination_statement: str
    nomination_statement_html: str
    nominator_id: int | None
    nominee_id: int | None
    nominee_name: str | None
    nominee_url: str | None
    self_nomination: bool
    accepted: bool
    approved: bool
    coc_acknowledged: bool
    mission_alignment: bool
    eligibility_confirmed: bool
    editable: bool  # the caller may change it now
    acceptable: bool  # the caller may accept or decline it now


class NominationList(msgspec.Struct):
    data: list[NominationRead]
    meta: ListMeta


class NomineeRead(msgspec.Struct):
    id: int
    election: str
    user_id: int | None
    name: str
    slug: str
    url: str
    accepted: bool
    approved: bool
    display_employer: str | None
    display_other_affiliations: str | None
    display_previous_board_service: str | None
    display_mission_alignment: bool
    self_nomination: NominationRead | None
    nominations_received: list[NominationRead]


class NomineeList(msgspec.Struct):
    data: list[NomineeRead]
    meta: ListMeta


class ElectionNominations(msgspec.Struct):
    """One election's part of the caller's nominations (python.org's ``/users/nominations/``)."""

    election: ElectionRead
    received: list[NominationRead]
    made: list[NominationRead]


class MyNominations(msgspec.Struct):
    data: list[ElectionNominations]


class StatementPreview(msgspec.Struct):
    html: str


# --- writes ----------------------------------------------------------------------------------


class ElectionKindCreate(Input):
    name: Name
    accent_color: Color = "#0073b7"
    nomination_form: NominationForm = "board"


class ElectionKindUpdate(Input):
    name: Name | UnsetType = UNSET
    accent_color: Color | UnsetType = UNSET
    nomination_form: NominationForm | UnsetType = UNSET


class ElectionCreate(Input):
    name: Name
    date: dt.date
    kind: Annotated[str, Meta(min_length=1, max_length=120, description="the kind's slug")] | None = None
    nominations_open_at: Moment | None = None
    nominations_close_at: Moment | None = None
    description: Markdown = ""
    hide_previous_service: bool = False


class ElectionUpdate(Input):
    name: Name | UnsetType = UNSET
    date: dt.date | UnsetType = UNSET
    kind: Annotated[str, Meta(min_length=1, max_length=120)] | UnsetType | None = UNSET
    nominations_open_at: Moment | UnsetType | None = UNSET
    nominations_close_at: Moment | UnsetType | None = UNSET
    description: Markdown | UnsetType = UNSET
    hide_previous_service: bool | UnsetType = UNSET


class NominationCreate(Input):
    """python.org's create form. ``previous_service_years`` is required unless the election
    hides previous service; the acknowledgements count only for a self-nomination."""

    name: Text1024
    email: Text1024
    employer: Text1024
    nomination_statement: Statement
    other_affiliations: Affiliations = ""
    previous_service_years: Years | None = None
    self_nomination: bool = False
    coc_acknowledged: bool = False
    mission_alignment: bool = False
    eligibility_confirmed: bool = False


class NominationUpdate(Input):
    name: Text1024 | UnsetType = UNSET
    email: Text1024 | UnsetType = UNSET
    employer: Text1024 | UnsetType = UNSET
    nomination_statement: Statement | UnsetType = UNSET
    other_affiliations: Affiliations | UnsetType = UNSET
    previous_service_years: Years | UnsetType = UNSET


class NominationAccept(Input):
    accepted: bool


class NominationReview(Input):
    """Staff: approve (or withdraw approval of) a nomination, and link it to the nominee's
    account (their Nominee in this election is created when missing)."""

    approved: bool | UnsetType = UNSET
    nominee_user_id: Annotated[int, Meta(ge=1, le=2**31 - 1)] | UnsetType | None = UNSET


class NomineeReview(Input):
    accepted: bool | UnsetType = UNSET
    approved: bool | UnsetType = UNSET


class StatementText(Input):
    text: Annotated[str, Meta(max_length=100_000)]
