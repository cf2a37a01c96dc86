"""Django fixtures -> the job board (``jobs.jobtype``, ``jobs.jobcategory``, ``jobs.job``,
``jobs.jobreviewcomment``).

Rendered HTML and the location slugs are recomputed (python.org's cached ``_x_rendered`` columns
were not all sanitized). A listing's ``job_types`` are written to ``job_job_types`` while the
listing is converted; that table's key to ``jobs`` is checked at commit, after the listing rows
are in. A re-import that changes only a listing's types adds no change-feed row for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from pydotorg.core.db import slugify
from pydotorg.core.importing import ImportContext, ModelImport, RowError, parse_dt
from pydotorg.core.markup import render
from pydotorg.core.urls import MAX_SLUG, http_url_errors, slug_errors
from pydotorg.domains.jobs.models import STATUSES, Job, JobCategory, JobReviewComment, JobType, job_job_types
from pydotorg.domains.jobs.services import MARKUPS, render_job


def _checked_link(value: str | None, name: str) -> str | None:
    """The site's one link rule (core/urls.py): a row with a link a browser would misread is
    reported and skipped, as the API refuses it."""
    if value and (problems := http_url_errors(value)):
        raise RowError(f"{name} {value[:100]!r}: {problems[0]}")
    return value


def _markup(fields: Mapping[str, Any], name: str) -> str:
    markup = str(fields.get(f"{name}_markup_type") or "restructuredtext")
    if markup == "plain":
        markup = "text"
    if markup not in MARKUPS:
        raise RowError(f"{name}_markup_type {markup!r} is not one of {sorted(MARKUPS)}")
    return markup


def _text(fields: Mapping[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    value = str(fields.get(name) or "").strip()
    if required and not value:
        raise RowError(f"{name} is empty")
    if len(value) > limit:
        raise RowError(f"{name} is longer than {limit} characters")
    return value


def _stamps(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Timestamps the fixture gives; missing ones are set on insert and left alone afterwards."""
    return {k: parse_dt(fields[k]) for k in ("created", "updated") if fields.get(k)}


def _taxonomy_converter(model: type[JobType | JobCategory]) -> Any:
    async def convert(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
        name = _text(fields, "name", 200, required=True)
        slug = _text(fields, "slug", 200) or slugify(name)
        if not slug:
            raise RowError(f"name {name!r} gives an empty slug")
        if problems := slug_errors(slug):
            raise RowError(f"slug {slug!r}: {problems[0]}")
        taken: set[tuple[str, int]] = ctx.seen[f"{model.__tablename__}:slugs"]
        other = next((i for s, i in taken if s == slug and i != int(pk)), None)
        if other is None:
            other = await ctx.session.scalar(select(model.id).where(model.slug == slug, model.id != int(pk)))
        if other is not None:
            raise RowError(f"slug {slug!r} is already used by {other}")
        taken.add((slug, int(pk)))
        return {"id": int(pk), "name": name, "slug": slug, "active": bool(fields.get("active", True))}

    return convert


async def convert_job(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    status = str(fields.get("status") or "review")
    if status not in STATUSES:
        raise RowError(f"status {status!r} is not one of {list(STATUSES)}")
    category_id = await ctx.require(JobCategory.__table__, fields.get("category"), "job category")
    if category_id is None:
        raise RowError("a job needs a category")
    type_ids = [
        await ctx.require(JobType.__table__, value, "job type") for value in fields.get("job_types") or []
    ]
    row: dict[str, Any] = {
        "id": int(pk),
        "category_id": category_id,
        "other_job_type": _text(fields, "other_job_type", 100),
        "company_name": _text(fields, "company_name", 100),
        "company_description": str(fields.get("company_description") or ""),
        "company_description_markup_type": _markup(fields, "company_description"),
        "job_title": _text(fields, "job_title", 100, required=True),
        "city": _text(fields, "city", 100),
        "region": _text(fields, "region", 100),
        "country": _text(fields, "country", 100),
        "description": str(fields.get("description") or ""),
        "description_markup_type": _markup(fields, "description"),
        "requirements": str(fields.get("requirements") or ""),
        "requirements_markup_type": _markup(fields, "requirements"),
        "contact": _text(fields, "contact", 100),
        "email": _text(fields, "email", 254),
        "url": _checked_link(_text(fields, "url", 200), "url"),
        "submitted_by_id": await ctx.user_id(fields.get("submitted_by")),
        "status": status,
        "expires": parse_dt(fields.get("expires")),
        "telecommuting": bool(fields.get("telecommuting", False)),
        "agencies": bool(fields.get("agencies", True)),
        "is_featured": bool(fields.get("is_featured", False)),
        **_stamps(fields),
        "creator_id": await ctx.user_id(fields.get("creator")),
        "last_modified_by_id": await ctx.user_id(fields.get("last_modified_by")),
    }
    job = Job(**row)
    render_job(job)
    for name in ("description_html", "requirements_html", "company_description_html"):
        row[name] = getattr(job, name)
    row["location_slug"], row["country_slug"] = job.location_slug, job.country_slug
    if len(job.location_slug) > MAX_SLUG:  # /jobs/location/<slug>/ must be a file name
        raise RowError(f"city, region and country make a location slug longer than {MAX_SLUG} characters")
    # Last, once the row is known to be good: its types (the key to ``jobs`` is checked at commit).
    job_id = row["id"]
    await ctx.session.execute(
        delete(job_job_types).where(
            job_job_types.c.job_id == job_id, job_job_types.c.job_type_id.not_in(type_ids)
        )
    )
    if type_ids:
        await ctx.session.execute(
            pg_insert(job_job_types)
            .values([{"job_id": job_id, "job_type_id": t} for t in dict.fromkeys(type_ids)])
            .on_conflict_do_nothing()
        )
    return row


async def convert_comment(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    job_id = await ctx.require(Job.__table__, fields.get("job"), "job")
    if job_id is None:
        raise RowError("a review comment needs a job")
    comment = str(fields.get("comment") or "")
    markup = _markup(fields, "comment")
    return {
        "id": int(pk),
        "job_id": job_id,
        "comment": comment,
        "comment_markup_type": markup,
        "comment_html": render(comment, markup),
        **_stamps(fields),
        "creator_id": await ctx.user_id(fields.get("creator")),
        "last_modified_by_id": await ctx.user_id(fields.get("last_modified_by")),
    }


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport("jobs.jobtype", JobType.__table__, _taxonomy_converter(JobType), ("jobs", "type"), order=30),
    ModelImport(
        "jobs.jobcategory",
        JobCategory.__table__,
        _taxonomy_converter(JobCategory),
        ("jobs", "category"),
        order=30,
    ),
    ModelImport("jobs.job", Job.__table__, convert_job, ("jobs", "job"), order=31),
    ModelImport("jobs.jobreviewcomment", JobReviewComment.__table__, convert_comment, order=32),
)
