"""Job board rules: who sees and changes a listing, the status machine, slugs, sanitized markup,
the public listings and taxonomies, the moderators' queue, review comments and expiry.

Nothing here commits; the request's transaction or ``db.transaction`` does. Mail is queued after
commit (``mail.send_after_commit``).

Status machine (``MOVES``): the owner creates a ``draft``, submits it for ``review`` (from draft or
rejected), and may withdraw it (``removed``) at any time. A moderator (``jobs.moderate``) may move
a listing from any other status to ``approved``, ``rejected``, ``archived`` or ``removed``; an
approval sets ``expires`` to now + ``job_expiry_days``. The expiry job moves approved listings
whose ``expires`` has passed to ``expired``. Repeating the current status is a 409.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from litestar.exceptions import PermissionDeniedException
from sqlalchemy import ColumnElement, Select, and_, distinct, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from pydotorg.core.db import slugify, utcnow
from pydotorg.core.errors import ConflictException, ValidationFailed
from pydotorg.core.markup import render
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal
from pydotorg.core.records import assign_changed, ensure_unique, get_visible_or_404, visible_or_404
from pydotorg.core.urls import MAX_SLUG, http_url_errors, slug_errors
from pydotorg.domains.jobs import mail
from pydotorg.domains.jobs.models import (
    APPROVED,
    ARCHIVED,
    DRAFT,
    EXPIRED,
    MODERATE,
    REJECTED,
    REMOVED,
    REVIEW,
    STATUSES,
    Job,
    JobCategory,
    JobReviewComment,
    JobType,
    job_job_types,
)
from pydotorg.domains.users.models import User

NEW_DAYS = 30  # python.org's Job.NEW_THRESHOLD: the "New" badge
MARKUPS = ("restructuredtext", "markdown", "html", "text")
LOCATION = ("city", "region", "country")
REQUIRED = ("job_title", "company_name", "city", "country", "description", "requirements")

# action -> (the statuses it may start from, the status it leads to); owners make OWNER_MOVES.
MOVES: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({DRAFT, REJECTED}), REVIEW),
    "withdraw": (frozenset(STATUSES) - {REMOVED}, REMOVED),
    "approve": (frozenset(STATUSES) - {APPROVED}, APPROVED),
    "reject": (frozenset(STATUSES) - {REJECTED}, REJECTED),
    "archive": (frozenset(STATUSES) - {ARCHIVED}, ARCHIVED),
    "remove": (frozenset(STATUSES) - {REMOVED}, REMOVED),
}
OWNER_MOVES = frozenset({"submit", "withdraw"})


def can_moderate(principal: Principal | None) -> bool:
    return principal is not None and principal.has_perm(MODERATE)


def is_owner(principal: Principal | None, job: Job) -> bool:
    return principal is not None and job.creator_id is not None and job.creator_id == principal.user_id


def visible_clause() -> ColumnElement[bool]:
    """python.org's ``Job.objects.visible()``: approved and not yet expired."""
    return and_(Job.status == APPROVED, Job.expires >= func.now())


def is_visible(job: Job, now: datetime | None = None) -> bool:
    return job.status == APPROVED and job.expires is not None and job.expires >= (now or utcnow())


def is_new(job: Job, now: datetime | None = None) -> bool:
    return job.created > (now or utcnow()) - timedelta(days=NEW_DAYS)


def location_slugs(city: str, region: str, country: str) -> tuple[str, str]:
    """``memphis-tn-usa`` and ``usa`` for Memphis, TN, USA (python.org's ``Job.save``)."""
    return slugify(f"{city} {region} {country}"), slugify(country)


def _with_taxonomy(stmt: Select[Any]) -> Select[Any]:
    return stmt.options(selectinload(Job.category), selectinload(Job.job_types))


# --- reads -------------------------------------------------------------------------------------


async def get_job(session: AsyncSession, job_id: int, principal: Principal | None) -> Job:
    """A listing the caller may see: visible ones, their own, or any for moderators; else 404."""
    return visible_or_404(
        await session.scalar(_with_taxonomy(select(Job).where(Job.id == job_id))),
        f"No job with id {job_id}.",
        lambda job: is_visible(job) or is_owner(principal, job) or can_moderate(principal),
    )


async def _taxonomy_by_slug(session: AsyncSession, model: type[JobType | JobCategory], slug: str) -> Any:
    what = "job type" if model is JobType else "job category"
    return await get_visible_or_404(session, model, model.slug == slug, f"No {what} with slug {slug!r}.")


async def get_taxonomy(session: AsyncSession, model: type[JobType | JobCategory], item_id: int) -> Any:
    return await get_visible_or_404(session, model, item_id, f"No {model.__name__} with id {item_id}.")


async def list_visible(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    type_slug: str | None = None,
    category_slug: str | None = None,
    location_slug: str | None = None,
    telecommuting: bool | None = None,
    is_featured: bool | None = None,
) -> tuple[list[Job], ListMeta]:
    """The public job list, newest first (python.org's ``Meta.ordering = ("-created",)``).

    An unknown type or category slug is a 404, as python.org's ``/jobs/type/<slug>/`` is."""
    stmt = select(Job).where(visible_clause())
    if type_slug is not None:
        job_type = await _taxonomy_by_slug(session, JobType, type_slug)
        stmt = stmt.where(
            exists().where(job_job_types.c.job_id == Job.id, job_job_types.c.job_type_id == job_type.id)
        )
    if category_slug is not None:
        category = await _taxonomy_by_slug(session, JobCategory, category_slug)
        stmt = stmt.where(Job.category_id == category.id)
    if location_slug is not None:
        stmt = stmt.where(Job.location_slug == location_slug)
    if telecommuting is not None:
        stmt = stmt.where(Job.telecommuting == telecommuting)
    if is_featured is not None:
        stmt = stmt.where(Job.is_featured == is_featured)
    stmt = _with_taxonomy(stmt.order_by(Job.created.desc(), Job.id.desc()))
    return await paginate(session, stmt, limit, offset)


async def list_mine(
    session: AsyncSession, principal: Principal, *, status: str | None, limit: int, offset: int
) -> tuple[list[Job], ListMeta]:
    stmt = select(Job).where(Job.creator_id == principal.user_id)
    if status is not None:
        stmt = stmt.where(Job.status == status)
    stmt = _with_taxonomy(stmt.order_by(Job.created.desc(), Job.id.desc()))
    return await paginate(session, stmt, limit, offset)


async def review_queue(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[Job], ListMeta]:
    """Listings waiting for a moderator, oldest first. python.org hid submissions older than 120
    days from its queue (and its other list shows only jobs *not* in review), so a stale one was
    never seen again; here every listing in review stays in the queue."""
    stmt = _with_taxonomy(select(Job).where(Job.status == REVIEW).order_by(Job.created, Job.id))
    return await paginate(session, stmt, limit, offset)


async def list_all(
    session: AsyncSession, *, status: str | None, q: str | None, limit: int, offset: int
) -> tuple[list[Job], ListMeta]:
    """The moderators' view of every listing (python.org's ``/jobs/moderate/``), newest first."""
    stmt = select(Job)
    if status is not None:
        stmt = stmt.where(Job.status == status)
    if q:
        stmt = stmt.where(
            or_(Job.job_title.icontains(q, autoescape=True), Job.company_name.icontains(q, autoescape=True))
        )
    stmt = _with_taxonomy(stmt.order_by(Job.created.desc(), Job.id.desc()))
    return await paginate(session, stmt, limit, offset)


async def list_taxonomy(
    session: AsyncSession,
    model: type[JobType | JobCategory],
    *,
    with_jobs: bool,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Any, int]], ListMeta]:
    """Types or categories by name, each with its count of visible listings. ``with_jobs``:
    only those used by a visible listing (python.org's ``with_active_jobs()``, which for types
    also requires the type to be active)."""
    stmt = select(model).order_by(model.name, model.id)
    if with_jobs:
        stmt = stmt.where(with_active_jobs(model))
    rows, meta = await paginate(session, stmt, limit, offset)
    counts = await visible_counts(session, model, [r.id for r in rows])
    return [(r, counts.get(r.id, 0)) for r in rows], meta


def with_active_jobs(model: type[JobType | JobCategory]) -> ColumnElement[bool]:
    """python.org's ``with_active_jobs()``: used by a visible listing (and, for a type, active)."""
    if model is JobType:
        return and_(
            JobType.active,
            exists().where(
                job_job_types.c.job_type_id == JobType.id, job_job_types.c.job_id == Job.id, visible_clause()
            ),
        )
    return exists().where(Job.category_id == JobCategory.id, visible_clause())


async def visible_counts(
    session: AsyncSession, model: type[JobType | JobCategory], ids: Sequence[int]
) -> dict[int, int]:
    if not ids:
        return {}
    if model is JobType:
        key = job_job_types.c.job_type_id
        stmt = (
            select(key, func.count(distinct(Job.id)))
            .join(Job, Job.id == job_job_types.c.job_id)
            .where(key.in_(ids), visible_clause())
            .group_by(key)
        )
    else:
        stmt = (
            select(Job.category_id, func.count(Job.id))
            .where(Job.category_id.in_(ids), visible_clause())
            .group_by(Job.category_id)
        )
    return {int(k): int(n) for k, n in (await session.execute(stmt)).all()}


@dataclass
class Location:
    location_slug: str
    city: str
    region: str
    country: str
    country_slug: str
    job_count: int

    @property
    def display_location(self) -> str:
        return ", ".join(part for part in (self.city, self.region, self.country) if part)


async def list_locations(
    session: AsyncSession, *, limit: int, offset: int
) -> tuple[list[Location], ListMeta]:
    """Places with visible listings, one per location slug, by country and city (python.org's
    ``/jobs/locations/``). Listings whose spelling differs only in case or punctuation share a
    slug; the first spelling in sort order names the place."""
    total = int(
        await session.scalar(select(func.count(distinct(Job.location_slug))).where(visible_clause())) or 0
    )
    country, city = func.min(Job.country), func.min(Job.city)
    stmt = (
        select(
            Job.location_slug,
            city,
            func.min(Job.region),
            country,
            func.min(Job.country_slug),
            func.count(Job.id),
        )
        .where(visible_clause())
        .group_by(Job.location_slug)
        .order_by(country, city, Job.location_slug)
        .limit(limit)
        .offset(offset)
    )
    rows = [Location(*row) for row in (await session.execute(stmt)).all()]
    return rows, ListMeta(total=total, limit=limit, offset=offset)


async def list_comments(session: AsyncSession, job: Job) -> list[tuple[JobReviewComment, str]]:
    stmt = (
        select(JobReviewComment, User)
        .join(User, User.id == JobReviewComment.creator_id, isouter=True)
        .where(JobReviewComment.job_id == job.id)
        .order_by(JobReviewComment.created, JobReviewComment.id)
    )
    return [(c, display_user(u)) for c, u in (await session.execute(stmt)).all()]


def display_user(user: User | None) -> str:
    if user is None:
        return "Community Reviewer"
    return f"{user.first_name} {user.last_name}".strip() or user.username


# --- writes ------------------------------------------------------------------------------------


def _check(values: Mapping[str, Any], *, creating: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in REQUIRED:
        if (creating or name in values) and not str(values.get(name) or "").strip():
            errors[name] = ["This field is required."]
    if "url" in values and http_url_errors(str(values["url"])):  # the one link rule (core/urls.py)
        errors["job_url"] = ["Enter a valid http:// or https:// URL."]
    for field in ("description", "requirements", "company_description"):
        markup = values.get(f"{field}_markup_type")
        if markup is not None and markup not in MARKUPS:
            errors[f"{field}_markup_type"] = [f'"{markup}" is not a valid choice.']
    return errors


def _location_errors(values: Mapping[str, Any], job: Job | None) -> dict[str, list[str]]:
    """The location's slug names a page (``/jobs/location/<slug>/``): it must be a file name."""
    place = {name: str(values.get(name, getattr(job, name, "") if job else "") or "") for name in LOCATION}
    slug = location_slugs(place["city"], place["region"], place["country"])[0]
    if len(slug) <= MAX_SLUG:
        return {}
    message = (
        f"City, region and country together make the location's URL (/jobs/location/<slug>/) longer "
        f"than {MAX_SLUG} characters; shorten them."
    )
    return {name: [message] for name in LOCATION if place[name]}


def render_job(job: Job) -> None:
    """Sanitized HTML for the three markup fields, and the location slugs."""
    job.description_html = render(job.description or "", job.description_markup_type)
    job.requirements_html = render(job.requirements or "", job.requirements_markup_type)
    job.company_description_html = render(job.company_description or "", job.company_description_markup_type)
    job.location_slug, job.country_slug = location_slugs(job.city, job.region or "", job.country)


async def _category(session: AsyncSession, slug: str, current: int | None) -> JobCategory:
    category = await session.scalar(select(JobCategory).where(JobCategory.slug == slug))
    # As python.org's form: only active categories can be chosen (a listing may keep its own).
    if category is None or not (category.active or category.id == current):
        raise ValidationFailed({"category": [f"{slug!r} is not an active job category."]})
    return category


async def _types(session: AsyncSession, slugs: Sequence[str], current: Sequence[JobType]) -> list[JobType]:
    wanted = list(dict.fromkeys(slugs))
    found = {t.slug: t for t in await session.scalars(select(JobType).where(JobType.slug.in_(wanted)))}
    kept = {t.id for t in current}
    bad = [s for s in wanted if s not in found or not (found[s].active or found[s].id in kept)]
    if bad:
        raise ValidationFailed({"job_types": [f"Not active job types: {', '.join(bad)}."]})
    return sorted((found[s] for s in wanted), key=lambda t: (t.name, t.id))  # as a loaded listing


async def save_job(
    session: AsyncSession, principal: Principal, data: Mapping[str, Any], job: Job | None = None
) -> Job:
    """Create a draft (``job`` None) or change a listing: the owner while it is editable,
    a moderator always. Every write re-renders the markup and the location slugs."""
    values = dict(data)
    if "job_url" in values:
        values["url"] = values.pop("job_url")
    for name in ("job_title", "company_name", "city", "region", "country", "contact", "other_job_type"):
        if isinstance(values.get(name), str):
            values[name] = values[name].strip()
    if job is not None and not can_moderate(principal):
        if not is_owner(principal, job):
            raise PermissionDeniedException("Only the owner or a job board moderator can change this job.")
        if not job.editable:
            raise PermissionDeniedException(
                f"This job is {job.status}; its owner can change it only while it is a draft, "
                "in review or rejected."
            )
    errors = _check(values, creating=job is None) or _location_errors(values, job)
    if errors:
        raise ValidationFailed(errors)
    category_slug = values.pop("category", None)
    type_slugs = values.pop("job_types", None)
    if job is None:
        job = Job(status=DRAFT, submitted_by_id=principal.user_id, creator_id=principal.user_id, **values)
        job.category = await _category(session, str(category_slug), None)
        job.job_types = await _types(session, type_slugs or [], [])
    else:
        if category_slug is not None:
            category = await _category(session, str(category_slug), job.category_id)
            if category.id != job.category_id:
                job.category = category
        if type_slugs is not None:
            new_types = await _types(session, type_slugs, job.job_types)
            if {t.id for t in new_types} != {t.id for t in job.job_types}:
                job.job_types = new_types
                job.updated = utcnow()  # the types live in another table: record the listing as changed
        assign_changed(job, values)
    render_job(job)  # assigning an equal value is no change: an unchanged listing stays unchanged
    session.add(job)
    await session.flush()
    return job


async def _actor_name(session: AsyncSession, principal: Principal) -> str:
    return display_user(await session.get(User, principal.user_id))


async def move(
    session: AsyncSession,
    ctx: mail.MailContext,
    principal: Principal,
    job: Job,
    action: str,
) -> Job:
    """Apply a status move (``MOVES``) if the caller may make it; send its mail after commit."""
    sources, target = MOVES[action]
    if action in OWNER_MOVES:
        if not is_owner(principal, job):
            raise PermissionDeniedException(f"Only the owner of this job can {action} it.")
    elif not can_moderate(principal):
        raise PermissionDeniedException(f"The {MODERATE} permission is required to {action} a job.")
    if job.status not in sources:
        raise ConflictException(f"A job that is {job.status} cannot be moved to {target} ({action}).")
    job.status = target
    if target == APPROVED:
        job.expires = utcnow() + timedelta(days=ctx.settings.job_expiry_days)
    session.add(job)
    await session.flush()
    if target == REVIEW:
        mail.send_after_commit(session, ctx, mail.submitted(ctx.settings, job, job.category.name))
    elif target == APPROVED:
        reviewer = await _actor_name(session, principal)
        mail.send_after_commit(session, ctx, mail.approved(ctx.settings, job, reviewer))
    elif target == REJECTED:
        reviewer = await _actor_name(session, principal)
        mail.send_after_commit(session, ctx, mail.rejected(ctx.settings, job, reviewer))
    return job


async def set_featured(session: AsyncSession, job: Job, is_featured: bool) -> Job:
    if job.is_featured != is_featured:
        job.is_featured = is_featured
        await session.flush()
    return job


async def add_comment(
    session: AsyncSession,
    ctx: mail.MailContext,
    principal: Principal,
    job: Job,
    *,
    comment: str,
    markup_type: str,
    action: str | None,
) -> tuple[JobReviewComment, str]:
    """The owner or a moderator comments; a moderator may approve or reject in the same call.
    The comment mail goes to the board, and for a moderator's comment also to the contact."""
    owner = is_owner(principal, job)
    moderator = can_moderate(principal)
    if not (owner or moderator):
        raise PermissionDeniedException("Only the owner or a job board moderator can comment on this job.")
    if action is not None and not moderator:
        raise PermissionDeniedException(f"The {MODERATE} permission is required to {action} a job.")
    if not comment.strip():
        raise ValidationFailed({"comment": ["This field is required."]})
    if markup_type not in MARKUPS:
        raise ValidationFailed({"comment_markup_type": [f'"{markup_type}" is not a valid choice.']})
    row = JobReviewComment(
        job_id=job.id,
        comment=comment,
        comment_markup_type=markup_type,
        comment_html=render(comment, markup_type),
        creator_id=principal.user_id,
    )
    session.add(row)
    await session.flush()
    commenter = await _actor_name(session, principal)
    owner_user = await session.get(User, job.creator_id) if job.creator_id is not None else None
    owner_name = display_user(owner_user) if owner_user else (job.contact or "Job Submitter")
    mail.send_after_commit(
        session,
        ctx,
        mail.comment_posted(
            ctx.settings, job, comment, by_owner=owner, commenter_name=commenter, owner_name=owner_name
        ),
    )
    if action is not None:
        await move(session, ctx, principal, job, action)
    return row, commenter


async def save_taxonomy(
    session: AsyncSession,
    model: type[JobType | JobCategory],
    data: Mapping[str, Any],
    item: Any = None,
) -> Any:
    values = dict(data)
    if item is None and not values.get("slug"):
        values["slug"] = slugify(str(values.get("name") or ""))
        if not values["slug"]:
            raise ValidationFailed({"slug": ["The name gives an empty slug; give a slug."]})
    if "slug" in values and (problems := slug_errors(str(values["slug"]))):
        raise ValidationFailed({"slug": problems})  # /jobs/types/<slug>/ is a directory of the site
    if "slug" in values:
        await ensure_unique(
            session,
            model,
            "slug",
            values["slug"],
            f"A {model.__name__} with this slug already exists.",
            exclude=item,
        )
    if item is None:
        item = model(**values)
    else:
        assign_changed(item, values)
    session.add(item)
    await session.flush()
    return item


# --- periodic work ------------------------------------------------------------------------------


async def expire_jobs(session: AsyncSession, now: datetime | None = None) -> list[int]:
    """Approved listings whose ``expires`` has passed become ``expired``, one ORM update each so
    the change feed records every one (and the site builder drops their pages). python.org's
    command waited another 90 days after ``expires`` (appendix B.7); here it is ``expires``."""
    jobs = list(
        await session.scalars(
            select(Job)
            .where(Job.status == APPROVED, Job.expires <= (now or utcnow()))
            .order_by(Job.id)
            .with_for_update(skip_locked=True)
        )
    )
    for job in jobs:
        job.status = EXPIRED
    await session.flush()
    return [job.id for job in jobs]


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(day: date) -> date:
    return (month_start(day) - timedelta(days=1)).replace(day=1)


def next_month(day: date) -> date:
    return (month_start(day) + timedelta(days=32)).replace(day=1)


async def status_counts(session: AsyncSession, start: date, end: date) -> dict[str, int]:
    """Listings created in [start, end) by their current status. python.org filtered on the month
    number alone, so each month's report also counted that month of every earlier year."""
    low = datetime(start.year, start.month, start.day, tzinfo=UTC)
    high = datetime(end.year, end.month, end.day, tzinfo=UTC)
    stmt = (
        select(Job.status, func.count(Job.id))
        .where(Job.created >= low, Job.created < high)
        .group_by(Job.status)
    )
    return {str(s): int(n) for s, n in (await session.execute(stmt)).all()}
