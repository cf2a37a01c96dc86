"""``/api/v3/jobs/``: the public job board, the owner's listings and the moderators' work.

Reads of listings are public for visible jobs (approved, not expired); owners see their own in
every status and moderators (``jobs.moderate``) see all. Anything a caller may not see is a 404;
a move the caller may not make is a 403; a move the status does not allow is a 409.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromQuery, JSONBody, Parameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import utcnow
from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset
from pydotorg.core.permissions import (
    Principal,
    login_required,
    permission_required,
    principal_of,
    require_principal,
)
from pydotorg.core.previews import Loaded, PreviewKind
from pydotorg.core.schemas import given_fields
from pydotorg.domains.jobs import schemas
from pydotorg.domains.jobs import services as svc
from pydotorg.domains.jobs.mail import MailContext
from pydotorg.domains.jobs.models import APPROVED, MODERATE, Job, JobCategory, JobType

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
SlugQuery = Annotated[str | None, Parameter(max_length=200)]
StatusQuery = Annotated[
    str | None, Parameter(pattern="^(draft|review|approved|rejected|archived|removed|expired)$")
]


def provide_mail_context(request: Request[Any, Any, Any]) -> MailContext:
    state = request.app.state
    return MailContext(settings=state.settings, mailer=state.mailer, queue=state.queue)


def job_read(job: Job) -> schemas.JobRead:
    now = utcnow()
    return schemas.JobRead(
        id=job.id,
        url=f"/jobs/{job.id}/",
        job_title=job.job_title,
        company_name=job.company_name,
        display_name=job.display_name,
        category=schemas.TaxonomyRef(id=job.category.id, name=job.category.name, slug=job.category.slug),
        job_types=[schemas.TaxonomyRef(id=t.id, name=t.name, slug=t.slug) for t in job.job_types],
        other_job_type=job.other_job_type,
        city=job.city,
        region=job.region,
        country=job.country,
        display_location=job.display_location,
        location_slug=job.location_slug,
        country_slug=job.country_slug,
        telecommuting=job.telecommuting,
        agencies=job.agencies,
        description=job.description,
        description_markup_type=job.description_markup_type,
        description_html=job.description_html,
        requirements=job.requirements,
        requirements_markup_type=job.requirements_markup_type,
        requirements_html=job.requirements_html,
        company_description=job.company_description,
        company_description_markup_type=job.company_description_markup_type,
        company_description_html=job.company_description_html,
        contact=job.contact,
        email=job.email,
        job_url=job.url,
        status=job.status,
        expires=job.expires,
        is_featured=job.is_featured,
        is_new=svc.is_new(job, now),
        editable=job.editable,
        created=job.created,
        updated=job.updated,
    )


def job_list(rows: list[Job], meta: Any) -> schemas.JobList:
    return schemas.JobList(data=[job_read(j) for j in rows], meta=meta)


def comment_read(comment: Any, creator_name: str) -> schemas.CommentRead:
    return schemas.CommentRead(
        id=comment.id,
        job_id=comment.job_id,
        comment=comment.comment,
        comment_markup_type=comment.comment_markup_type,
        comment_html=comment.comment_html,
        creator_id=comment.creator_id,
        creator_name=creator_name,
        created=comment.created,
    )


def taxonomy_list(rows: list[tuple[Any, int]], meta: Any) -> schemas.TaxonomyList:
    return schemas.TaxonomyList(
        data=[
            schemas.TaxonomyRead(id=t.id, name=t.name, slug=t.slug, active=t.active, job_count=n)
            for t, n in rows
        ],
        meta=meta,
    )


async def _taxonomy_read(
    tx: AsyncSession, model: type[JobType | JobCategory], item: Any
) -> schemas.TaxonomyRead:
    count = (await svc.visible_counts(tx, model, [item.id])).get(item.id, 0)
    return schemas.TaxonomyRead(
        id=item.id, name=item.name, slug=item.slug, active=item.active, job_count=count
    )


class JobsController(Controller):
    path = "/api/v3/jobs"
    tags = ["jobs"]
    dependencies = {"mail_ctx": Provide(provide_mail_context, sync_to_thread=False)}

    # --- public ----------------------------------------------------------------------------

    @get("/", operation_id="jobs_list", summary="Visible job listings, newest first")
    async def list_jobs(
        self,
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        job_type: Annotated[str | None, QueryParameter(name="type", max_length=200)] = None,
        category: SlugQuery = None,
        location: Annotated[str | None, Parameter(max_length=350)] = None,
        telecommuting: FromQuery[bool | None] = None,
        is_featured: FromQuery[bool | None] = None,
    ) -> schemas.JobList:
        rows, meta = await svc.list_visible(
            tx,
            limit=limit,
            offset=offset,
            type_slug=job_type,
            category_slug=category,
            location_slug=location,
            telecommuting=telecommuting,
            is_featured=is_featured,
        )
        return job_list(rows, meta)

    @get(
        "/{job_id:int}",
        operation_id="jobs_read",
        summary="One listing (visible ones; owners see their own, moderators all)",
    )
    async def read_job(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], job_id: PK
    ) -> schemas.JobRead:
        return job_read(await svc.get_job(tx, job_id, principal_of(request)))

    @get("/types", operation_id="jobs_types", summary="Job types with their counts of visible listings")
    async def list_types(
        self,
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        with_jobs: FromQuery[bool] = True,
    ) -> schemas.TaxonomyList:
        rows, meta = await svc.list_taxonomy(tx, JobType, with_jobs=with_jobs, limit=limit, offset=offset)
        return taxonomy_list(rows, meta)

    @get(
        "/categories",
        operation_id="jobs_categories",
        summary="Job categories with their counts of visible listings",
    )
    async def list_categories(
        self,
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        with_jobs: FromQuery[bool] = True,
    ) -> schemas.TaxonomyList:
        rows, meta = await svc.list_taxonomy(tx, JobCategory, with_jobs=with_jobs, limit=limit, offset=offset)
        return taxonomy_list(rows, meta)

    @get("/locations", operation_id="jobs_locations", summary="Places with visible listings")
    async def list_locations(
        self, tx: NamedDependency[AsyncSession], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.LocationList:
        rows, meta = await svc.list_locations(tx, limit=limit, offset=offset)
        return schemas.LocationList(
            data=[
                schemas.LocationRead(
                    location_slug=loc.location_slug,
                    city=loc.city,
                    region=loc.region,
                    country=loc.country,
                    country_slug=loc.country_slug,
                    display_location=loc.display_location,
                    job_count=loc.job_count,
                )
                for loc in rows
            ],
            meta=meta,
        )

    # --- owners ----------------------------------------------------------------------------

    @post("/", operation_id="jobs_create", summary="Submit a new listing as a draft", guards=[login_required])
    async def create_job(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        data: JSONBody[schemas.JobCreate],
    ) -> schemas.JobRead:
        return job_read(await svc.save_job(tx, require_principal(request), given_fields(data)))

    @get(
        "/mine",
        operation_id="jobs_mine",
        summary="The caller's own listings in every status, newest first",
        guards=[login_required],
    )
    async def mine(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        status: StatusQuery = None,
    ) -> schemas.JobList:
        rows, meta = await svc.list_mine(
            tx, require_principal(request), status=status, limit=limit, offset=offset
        )
        return job_list(rows, meta)

    @patch(
        "/{job_id:int}",
        operation_id="jobs_update",
        summary="Change a listing (owner while draft, review or rejected; moderators always)",
        guards=[login_required],
    )
    async def update_job(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        job_id: PK,
        data: JSONBody[schemas.JobUpdate],
    ) -> schemas.JobRead:
        principal = require_principal(request)
        job = await svc.get_job(tx, job_id, principal)
        return job_read(await svc.save_job(tx, principal, given_fields(data), job))

    async def _move(
        self,
        request: Request[Any, Any, Any],
        tx: AsyncSession,
        mail_ctx: MailContext,
        job_id: int,
        action: str,
    ) -> schemas.JobRead:
        principal = require_principal(request)
        job = await svc.get_job(tx, job_id, principal)
        return job_read(await svc.move(tx, mail_ctx, principal, job, action))

    @post(
        "/{job_id:int}/submit",
        operation_id="jobs_submit",
        summary="Owner: send a draft or rejected listing for review (mails the job board)",
        guards=[login_required],
        status_code=200,
    )
    async def submit(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        mail_ctx: NamedDependency[MailContext],
        job_id: PK,
    ) -> schemas.JobRead:
        return await self._move(request, tx, mail_ctx, job_id, "submit")

    @post(
        "/{job_id:int}/withdraw",
        operation_id="jobs_withdraw",
        summary="Owner: take a listing down (status removed)",
        guards=[login_required],
        status_code=200,
    )
    async def withdraw(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        mail_ctx: NamedDependency[MailContext],
        job_id: PK,
    ) -> schemas.JobRead:
        return await self._move(request, tx, mail_ctx, job_id, "withdraw")

    @get(
        "/{job_id:int}/comments",
        operation_id="jobs_comments",
        summary="Review comments on a listing (its owner and moderators)",
        guards=[login_required],
    )
    async def comments(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], job_id: PK
    ) -> list[schemas.CommentRead]:
        principal = require_principal(request)
        job = await svc.get_job(tx, job_id, principal)
        if not (svc.is_owner(principal, job) or svc.can_moderate(principal)):
            raise PermissionDeniedException("Only the owner and moderators can read review comments.")
        return [comment_read(c, name) for c, name in await svc.list_comments(tx, job)]

    @post(
        "/{job_id:int}/comments",
        operation_id="jobs_comment",
        summary="Comment on a listing (owner or moderator); moderators may approve or reject with it",
        guards=[login_required],
    )
    async def comment(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        mail_ctx: NamedDependency[MailContext],
        job_id: PK,
        data: JSONBody[schemas.CommentCreate],
    ) -> schemas.CommentRead:
        principal = require_principal(request)
        job = await svc.get_job(tx, job_id, principal)
        row, name = await svc.add_comment(
            tx,
            mail_ctx,
            principal,
            job,
            comment=data.comment,
            markup_type=data.comment_markup_type,
            action=data.action,
        )
        return comment_read(row, name)

    # --- moderators ------------------------------------------------------------------------

    @get(
        "/review",
        operation_id="jobs_review_queue",
        summary="Listings waiting for review, oldest first",
        guards=[permission_required(MODERATE)],
    )
    async def review_queue(
        self, tx: NamedDependency[AsyncSession], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.JobList:
        rows, meta = await svc.review_queue(tx, limit=limit, offset=offset)
        return job_list(rows, meta)

    @get(
        "/moderate",
        operation_id="jobs_moderate_list",
        summary="Every listing, newest first, by status and title or company",
        guards=[permission_required(MODERATE)],
    )
    async def moderate_list(
        self,
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        status: StatusQuery = None,
        q: Annotated[str | None, Parameter(max_length=200)] = None,
    ) -> schemas.JobList:
        rows, meta = await svc.list_all(tx, status=status, q=q, limit=limit, offset=offset)
        return job_list(rows, meta)

    @post(
        "/{job_id:int}/approve",
        operation_id="jobs_approve",
        summary="Approve a listing: public until now + the expiry period; mails the contact",
        guards=[permission_required(MODERATE)],
        status_code=200,
    )
    async def approve(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        mail_ctx: NamedDependency[MailContext],
        job_id: PK,
    ) -> schemas.JobRead:
        return await self._move(request, tx, mail_ctx, job_id, "approve")

    @post(
        "/{job_id:int}/reject",
        operation_id="jobs_reject",
        summary="Reject a listing (the owner may edit and resubmit); mails the contact",
        guards=[permission_required(MODERATE)],
        status_code=200,
    )
    async def reject(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        mail_ctx: NamedDependency[MailContext],
        job_id: PK,
    ) -> schemas.JobRead:
        return await self._move(request, tx, mail_ctx, job_id, "reject")

    @post(
        "/{job_id:int}/archive",
        operation_id="jobs_archive",
        summary="Archive a listing",
        guards=[permission_required(MODERATE)],
        status_code=200,
    )
    async def archive(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        mail_ctx: NamedDependency[MailContext],
        job_id: PK,
    ) -> schemas.JobRead:
        return await self._move(request, tx, mail_ctx, job_id, "archive")

    @post(
        "/{job_id:int}/remove",
        operation_id="jobs_remove",
        summary="Remove a listing",
        guards=[permission_required(MODERATE)],
        status_code=200,
    )
    async def remove(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        mail_ctx: NamedDependency[MailContext],
        job_id: PK,
    ) -> schemas.JobRead:
        return await self._move(request, tx, mail_ctx, job_id, "remove")

    @post(
        "/{job_id:int}/feature",
        operation_id="jobs_feature",
        summary="Feature a listing or stop featuring it",
        guards=[permission_required(MODERATE)],
        status_code=200,
    )
    async def feature(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        job_id: PK,
        data: JSONBody[schemas.FeatureRequest],
    ) -> schemas.JobRead:
        job = await svc.get_job(tx, job_id, principal_of(request))
        return job_read(await svc.set_featured(tx, job, data.is_featured))

    # --- taxonomy (moderators) -------------------------------------------------------------

    @post(
        "/types",
        operation_id="jobs_types_create",
        summary="Add a job type",
        guards=[permission_required(MODERATE)],
    )
    async def create_type(
        self, tx: NamedDependency[AsyncSession], data: JSONBody[schemas.TaxonomyCreate]
    ) -> schemas.TaxonomyRead:
        return await _taxonomy_read(tx, JobType, await svc.save_taxonomy(tx, JobType, given_fields(data)))

    @patch(
        "/types/{item_id:int}",
        operation_id="jobs_types_update",
        summary="Rename, re-slug, activate or deactivate a job type",
        guards=[permission_required(MODERATE)],
    )
    async def update_type(
        self, tx: NamedDependency[AsyncSession], item_id: PK, data: JSONBody[schemas.TaxonomyUpdate]
    ) -> schemas.TaxonomyRead:
        item = await svc.get_taxonomy(tx, JobType, item_id)
        item = await svc.save_taxonomy(tx, JobType, given_fields(data), item)
        return await _taxonomy_read(tx, JobType, item)

    @post(
        "/categories",
        operation_id="jobs_categories_create",
        summary="Add a job category",
        guards=[permission_required(MODERATE)],
    )
    async def create_category(
        self, tx: NamedDependency[AsyncSession], data: JSONBody[schemas.TaxonomyCreate]
    ) -> schemas.TaxonomyRead:
        item = await svc.save_taxonomy(tx, JobCategory, given_fields(data))
        return await _taxonomy_read(tx, JobCategory, item)

    @patch(
        "/categories/{item_id:int}",
        operation_id="jobs_categories_update",
        summary="Rename, re-slug, activate or deactivate a job category",
        guards=[permission_required(MODERATE)],
    )
    async def update_category(
        self, tx: NamedDependency[AsyncSession], item_id: PK, data: JSONBody[schemas.TaxonomyUpdate]
    ) -> schemas.TaxonomyRead:
        item = await svc.get_taxonomy(tx, JobCategory, item_id)
        item = await svc.save_taxonomy(tx, JobCategory, given_fields(data), item)
        return await _taxonomy_read(tx, JobCategory, item)


async def _preview(
    session: AsyncSession, principal: Principal, job_id: int, changes: dict[str, Any] | None
) -> Loaded:
    """A job as its public read will answer once approved (the stored job: no unsaved changes)."""
    job = await svc.get_job(session, job_id, principal)
    return msgspec.structs.replace(job_read(job), status=APPROVED), {}


PREVIEWS = (PreviewKind("job", MODERATE, _preview),)
