"""``/api/v3/nominations/``: election kinds, elections, nominees, nominations, the statement
preview and the caller's own nominations (inventory 1.14).

Elections and kinds are public reads with staff writes under named permissions. Nominees and
nominations follow python.org's ``visible``/``editable`` rules (services.py): what a caller may
not see is a 404, a change they may not make is a 403, and a nomination for an election whose
nominations are not open is a 404 that says so.

Election kinds are the content domains' CRUD shape (``content_controller``). Elections are
written out: ``ContentRoutes`` addresses records by integer id, elections go by slug, and every
answer about one carries its status at one moment (``now``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.controllers import ContentRoutes, content_controller
from pydotorg.core.db import utcnow
from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset
from pydotorg.core.permissions import (
    Principal,
    login_required,
    permission_required,
    principal_of,
    require_principal,
    staff_or_permission,
)
from pydotorg.core.schemas import given_fields
from pydotorg.domains.nominations import schemas
from pydotorg.domains.nominations import services as svc
from pydotorg.domains.nominations.models import (
    ADD_ELECTION,
    ADD_ELECTIONKIND,
    APPROVE_NOMINATION,
    CHANGE_ELECTION,
    CHANGE_ELECTIONKIND,
    CHANGE_NOMINATION,
    CHANGE_NOMINEE,
    DELETE_ELECTION,
    DELETE_ELECTIONKIND,
    NOMINATION_FORMS,
    Election,
    ElectionKind,
    Nomination,
)

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
Slug = Annotated[str, Parameter(min_length=1, max_length=255)]


def kind_read(kind: ElectionKind) -> schemas.ElectionKindRead:
    return schemas.ElectionKindRead(
        id=kind.id,
        name=kind.name,
        slug=kind.slug,
        accent_color=kind.accent_color,
        nomination_form=kind.nomination_form,
        nomination_form_label=NOMINATION_FORMS[kind.nomination_form],
        previous_service_label=svc.previous_service_label(kind.nomination_form),
    )


def election_read(election: Election, now: datetime) -> schemas.ElectionRead:
    variant = svc.form_variant(election)
    return schemas.ElectionRead(
        id=election.id,
        name=election.name,
        slug=election.slug,
        url=f"/nominations/election/{election.slug}/",
        nominees_url=f"/nominations/elections/{election.slug}/nominees/",
        date=election.date,
        kind=kind_read(election.kind) if election.kind is not None else None,
        accent_color=svc.accent_color(election),
        nomination_form_variant=variant,
        previous_service_label=svc.previous_service_label(variant),
        nominations_open_at=election.nominations_open_at,
        nominations_close_at=election.nominations_close_at,
        nominations_open=svc.nominations_open(election, now),
        nominations_complete=svc.nominations_complete(election, now),
        status=svc.status(election, now),
        description=election.description,
        description_html=election.description_html,
        hide_previous_service=election.hide_previous_service,
    )


def nominee_url(election: Election, slug: str) -> str:
    return f"/nominations/elections/{election.slug}/nominees/{slug}/"


def nomination_read(
    nomination: Nomination, principal: Principal | None, now: datetime
) -> schemas.NominationRead:
    nominee = nomination.nominee
    election = nomination.election
    return schemas.NominationRead(
        id=nomination.id,
        election=election.slug,
        url=f"/nominations/{election.slug}/{nomination.id}/",
        name=nomination.name,
        email=nomination.email if svc.shows_email(nomination, principal) else None,
        previous_board_service=nomination.previous_board_service,
        employer=nomination.employer,
        other_affiliations=nomination.other_affiliations,
        nomination_statement=nomination.nomination_statement,
        nomination_statement_html=nomination.nomination_statement_html,
        nominator_id=nomination.nominator_id,
        nominee_id=nomination.nominee_id,
        nominee_name=svc.nominee_name(nominee) if nominee is not None else None,
        nominee_url=nominee_url(election, nominee.slug) if nominee is not None else None,
        self_nomination=svc.is_self_nomination(nomination),
        accepted=nomination.accepted,
        approved=nomination.approved,
        coc_acknowledged=nomination.coc_acknowledged,
        mission_alignment=nomination.mission_alignment,
        eligibility_confirmed=nomination.eligibility_confirmed,
        editable=svc.editable(nomination, principal, now),
        acceptable=svc.acceptable(nomination, principal, now),
    )


def nominee_read(view: svc.NomineeView, principal: Principal | None, now: datetime) -> schemas.NomineeRead:
    nominee = view.nominee
    own = view.self_nomination
    return schemas.NomineeRead(
        id=nominee.id,
        election=nominee.election.slug,
        user_id=nominee.user_id,
        name=svc.nominee_name(nominee),
        slug=nominee.slug,
        url=nominee_url(nominee.election, nominee.slug),
        accepted=nominee.accepted,
        approved=nominee.approved,
        display_employer=view.display("employer"),
        display_other_affiliations=view.display("other_affiliations"),
        display_previous_board_service=view.display("previous_board_service"),
        display_mission_alignment=view.mission_alignment,
        self_nomination=nomination_read(own, principal, now) if own is not None else None,
        nominations_received=[nomination_read(n, principal, now) for n in view.received],
    )


async def _nomination_of(tx: AsyncSession, election: str, nomination_id: int) -> Nomination:
    """A nomination of the election with this slug, whoever may see it (404 if either is missing):
    what a change starts from; the service decides whether the caller may make it."""
    return await svc.load_nomination(tx, await svc.get_election(tx, election), nomination_id)


# --- election kinds --------------------------------------------------------------------------

ElectionKindsController = content_controller(
    "ElectionKindsController",
    ContentRoutes(
        path="/api/v3/nominations/kinds",
        tag="nominations",
        prefix="nominations_kinds",
        id_name="kind_id",
        summaries={
            "list": "Election kinds, by name",
            "read": "One election kind",
            "create": "Add an election kind (its slug comes from its name)",
            "update": "Change an election kind (a new name gives a new slug)",
            "delete": "Delete an election kind (its elections keep going without one)",
        },
        add=ADD_ELECTIONKIND,
        change=CHANGE_ELECTIONKIND,
        remove=DELETE_ELECTIONKIND,
        read_schema=schemas.ElectionKindRead,
        create_schema=schemas.ElectionKindCreate,
        update_schema=schemas.ElectionKindUpdate,
        list_schema=schemas.ElectionKindList,
        to_read=kind_read,
        get=svc.get_kind,
        find=svc.list_kinds,
        save=svc.save_kind,
        remove_record=svc.delete_kind,
        per_caller=False,
    ),
)


class NominationsController(Controller):
    path = "/api/v3/nominations"
    tags = ["nominations"]

    # --- elections ---------------------------------------------------------------------------

    @get("/elections", operation_id="nominations_elections_list", summary="Every election, newest first")
    async def list_elections(
        self, tx: NamedDependency[AsyncSession], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.ElectionList:
        rows, meta = await svc.list_elections(tx, limit=limit, offset=offset)
        now = utcnow()
        return schemas.ElectionList(data=[election_read(e, now) for e in rows], meta=meta)

    @get(
        "/elections/{election:str}",
        operation_id="nominations_elections_read",
        summary="One election by slug, with its status",
    )
    async def read_election(self, tx: NamedDependency[AsyncSession], election: Slug) -> schemas.ElectionRead:
        return election_read(await svc.get_election(tx, election), utcnow())

    @post(
        "/elections",
        operation_id="nominations_elections_create",
        summary="Add an election (its slug comes from its name)",
        guards=[permission_required(ADD_ELECTION)],
    )
    async def create_election(
        self, tx: NamedDependency[AsyncSession], data: JSONBody[schemas.ElectionCreate]
    ) -> schemas.ElectionRead:
        return election_read(await svc.save_election(tx, given_fields(data)), utcnow())

    @patch(
        "/elections/{election:str}",
        operation_id="nominations_elections_update",
        summary="Change an election (a new name gives a new slug)",
        guards=[permission_required(CHANGE_ELECTION)],
    )
    async def update_election(
        self, tx: NamedDependency[AsyncSession], election: Slug, data: JSONBody[schemas.ElectionUpdate]
    ) -> schemas.ElectionRead:
        record = await svc.get_election(tx, election)
        return election_read(await svc.save_election(tx, given_fields(data), record), utcnow())

    @delete(
        "/elections/{election:str}",
        operation_id="nominations_elections_delete",
        summary="Delete an election with its nominees and nominations",
        guards=[permission_required(DELETE_ELECTION)],
    )
    async def delete_election(self, tx: NamedDependency[AsyncSession], election: Slug) -> None:
        await svc.delete_election(tx, await svc.get_election(tx, election))

    # --- nominees ----------------------------------------------------------------------------

    @get(
        "/elections/{election:str}/nominees",
        operation_id="nominations_nominees_list",
        summary="An election's nominees: all accepted and approved ones once nominations are "
        "complete; before that only the caller's own candidacy",
    )
    async def list_nominees(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        election: Slug,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> schemas.NomineeList:
        principal = principal_of(request)
        record = await svc.get_election(tx, election)
        rows, meta = await svc.list_nominees(tx, record, principal, limit=limit, offset=offset)
        now = utcnow()
        return schemas.NomineeList(data=[nominee_read(v, principal, now) for v in rows], meta=meta)

    @get(
        "/elections/{election:str}/nominees/{nominee:str}",
        operation_id="nominations_nominees_read",
        summary="One nominee by slug, if the caller may see them",
    )
    async def read_nominee(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        election: Slug,
        nominee: Slug,
    ) -> schemas.NomineeRead:
        principal = principal_of(request)
        view = await svc.get_nominee(tx, await svc.get_election(tx, election), nominee, principal)
        return nominee_read(view, principal, utcnow())

    @patch(
        "/nominees/{nominee_id:int}",
        operation_id="nominations_nominees_review",
        summary="Staff: accept or approve a nominee",
        guards=[permission_required(CHANGE_NOMINEE)],
    )
    async def review_nominee(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        nominee_id: PK,
        data: JSONBody[schemas.NomineeReview],
    ) -> schemas.NomineeRead:
        nominee = await svc.get_nominee_by_id(tx, nominee_id)
        view = await svc.review_nominee(tx, nominee, given_fields(data))
        return nominee_read(view, principal_of(request), utcnow())

    # --- nominations -------------------------------------------------------------------------

    @get(
        "/elections/{election:str}/nominations",
        operation_id="nominations_list",
        summary="Every nomination of an election (staff or nominations.change_nomination)",
        guards=[staff_or_permission(CHANGE_NOMINATION)],
    )
    async def list_nominations(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        election: Slug,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> schemas.NominationList:
        record = await svc.get_election(tx, election)
        rows, meta = await svc.list_election_nominations(tx, record, limit=limit, offset=offset)
        principal, now = principal_of(request), utcnow()
        return schemas.NominationList(data=[nomination_read(n, principal, now) for n in rows], meta=meta)

    @post(
        "/elections/{election:str}/nominations",
        operation_id="nominations_create",
        summary="Nominate someone, or yourself, while nominations are open",
        guards=[login_required],
    )
    async def create_nomination(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        election: Slug,
        data: JSONBody[schemas.NominationCreate],
    ) -> schemas.NominationRead:
        principal = require_principal(request)
        record = await svc.get_election(tx, election)
        nomination = await svc.create_nomination(tx, principal, record, given_fields(data))
        return nomination_read(nomination, principal, utcnow())

    @get(
        "/elections/{election:str}/nominations/{nomination_id:int}",
        operation_id="nominations_read",
        summary="One nomination, if the caller may see it",
    )
    async def read_nomination(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        election: Slug,
        nomination_id: PK,
    ) -> schemas.NominationRead:
        principal = principal_of(request)
        record = await svc.get_election(tx, election)
        return nomination_read(
            await svc.get_nomination(tx, record, nomination_id, principal), principal, utcnow()
        )

    @patch(
        "/elections/{election:str}/nominations/{nomination_id:int}",
        operation_id="nominations_update",
        summary="Change a nomination (the nominee, or the nominator before acceptance or approval, "
        "while nominations are open; or nominations.change_nomination)",
        guards=[login_required],
    )
    async def update_nomination(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        election: Slug,
        nomination_id: PK,
        data: JSONBody[schemas.NominationUpdate],
    ) -> schemas.NominationRead:
        principal = require_principal(request)
        nomination = await _nomination_of(tx, election, nomination_id)
        nomination = await svc.update_nomination(tx, principal, nomination, given_fields(data))
        return nomination_read(nomination, principal, utcnow())

    @post(
        "/elections/{election:str}/nominations/{nomination_id:int}/accept",
        operation_id="nominations_accept",
        summary="The nominee accepts or declines a nomination while nominations are open",
        guards=[login_required],
        status_code=200,
    )
    async def accept_nomination(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        election: Slug,
        nomination_id: PK,
        data: JSONBody[schemas.NominationAccept],
    ) -> schemas.NominationRead:
        principal = require_principal(request)
        nomination = await _nomination_of(tx, election, nomination_id)
        nomination = await svc.accept_nomination(tx, principal, nomination, data.accepted)
        return nomination_read(nomination, principal, utcnow())

    @post(
        "/elections/{election:str}/nominations/{nomination_id:int}/review",
        operation_id="nominations_review",
        summary="Staff: approve a nomination and link it to the nominee's account",
        guards=[permission_required(APPROVE_NOMINATION)],
        status_code=200,
    )
    async def review_nomination(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        election: Slug,
        nomination_id: PK,
        data: JSONBody[schemas.NominationReview],
    ) -> schemas.NominationRead:
        nomination = await _nomination_of(tx, election, nomination_id)
        nomination = await svc.review_nomination(tx, nomination, given_fields(data))
        return nomination_read(nomination, principal_of(request), utcnow())

    @post(
        "/statement-preview",
        operation_id="nominations_statement_preview",
        summary="Render a nomination statement exactly as it would be stored",
        guards=[login_required],
        status_code=200,
    )
    async def statement_preview(self, data: JSONBody[schemas.StatementText]) -> schemas.StatementPreview:
        return schemas.StatementPreview(html=svc.render_statement(data.text))

    @get(
        "/mine",
        operation_id="nominations_mine",
        summary="The caller's nominations received and made, by election, newest first",
        guards=[login_required],
    )
    async def mine(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession]
    ) -> schemas.MyNominations:
        principal = require_principal(request)
        now = utcnow()
        return schemas.MyNominations(
            data=[
                schemas.ElectionNominations(
                    election=election_read(part.election, now),
                    received=[nomination_read(n, principal, now) for n in part.received],
                    made=[nomination_read(n, principal, now) for n in part.made],
                )
                for part in await svc.my_nominations(tx, principal)
            ]
        )


ROUTE_HANDLERS = [ElectionKindsController, NominationsController]
