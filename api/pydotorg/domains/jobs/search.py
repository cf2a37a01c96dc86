"""Jobs in search (python.org's ``JobIndex``, ``JobTypeIndex`` and ``JobCategoryIndex``).

Only listings a visitor can open are indexed: approved and not expired (``visible_clause``); a
listing that is rejected, withdrawn or expires leaves the index with the change that did it, and
the daily refresh removes any whose ``expires`` passed without one. Job types and categories are
indexed while an active one has a visible listing, with python.org's boosts (1.3, 1.4; jobs 1.1).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.search import SearchDocument, SearchSource
from pydotorg.core.search.documents import Loader, Reach, clean, document_id, html_text
from pydotorg.domains.jobs.models import Job, JobCategory, JobType, job_job_types
from pydotorg.domains.jobs.services import visible_clause, with_active_jobs


async def load_jobs(
    session: AsyncSession, ids: Collection[int] | None, now: datetime
) -> list[SearchDocument]:
    stmt = (
        select(
            Job.id,
            Job.job_title,
            Job.company_name,
            Job.city,
            Job.region,
            Job.country,
            Job.telecommuting,
            Job.other_job_type,
            Job.description_html,
            Job.requirements_html,
            Job.company_description_html,
            Job.created,
            JobCategory.name.label("category"),
        )
        .join(JobCategory, JobCategory.id == Job.category_id)
        .where(visible_clause())
    )
    if ids is not None:
        stmt = stmt.where(Job.id.in_(ids))
    rows = list(await session.execute(stmt))
    types: dict[int, list[str]] = {}
    if rows:
        links = await session.execute(
            select(job_job_types.c.job_id, JobType.name)
            .join(JobType, JobType.id == job_job_types.c.job_type_id)
            .where(job_job_types.c.job_id.in_([r.id for r in rows]))
            .order_by(JobType.name)
        )
        for job_id, name in links:
            types.setdefault(job_id, []).append(name)
    docs = []
    for j in rows:
        place = ", ".join(p for p in (j.city, j.region, j.country) if p)
        remote = "telecommute remote work" if j.telecommuting else ""
        kinds = " ".join([*types.get(j.id, []), j.other_job_type])
        docs.append(
            SearchDocument(
                id=document_id("job", j.id),
                type="job",
                title=clean(j.job_title),
                url=f"/jobs/{j.id}/",
                keywords=clean(f"job {j.company_name} {place} {j.category} {kinds} {remote}"),
                text=clean(
                    f"{html_text(j.description_html)} {html_text(j.requirements_html)} "
                    f"{html_text(j.company_description_html)}"
                ),
                boost=1.1,
                date=j.created,
                detail=clean(f"{j.company_name} — {place}" if j.company_name else place),
            )
        )
    return docs


def _taxonomy(model: type[JobType | JobCategory], type_: str, segment: str, boost: float) -> Loader:
    """Job types or categories with a visible listing, at ``/jobs/<segment>/<slug>/``."""
    noun = segment.replace("-", " ")

    async def load(session: AsyncSession, ids: Collection[int] | None, now: datetime) -> list[SearchDocument]:
        stmt = select(model.id, model.name, model.slug).where(with_active_jobs(model))
        if ids is not None:
            stmt = stmt.where(model.id.in_(ids))
        return [
            SearchDocument(
                id=document_id(type_, r.id),
                type=type_,
                title=clean(r.name),
                url=f"/jobs/{segment}/{r.slug}/",
                keywords=f"job {noun} jobs",
                boost=boost,
            )
            for r in await session.execute(stmt)
        ]

    return load


load_types = _taxonomy(JobType, "jobtype", "type", 1.3)
load_categories = _taxonomy(JobCategory, "jobcategory", "category", 1.4)


# A listing's change can add or remove the last visible listing of a type or category, so those
# two are re-read whole (a few dozen rows) on any job change.
_JOBS_CHANGE: dict[tuple[str, str], Reach] = {
    ("jobs", "job"): "all",
    ("jobs", "type"): "all",
    ("jobs", "category"): "all",
}

SOURCES = (
    SearchSource(
        type="job",
        label="Jobs",
        watches={("jobs", "job"): "self", ("jobs", "type"): "all", ("jobs", "category"): "all"},
        load=load_jobs,
        time_dependent=True,
        order=40,
    ),
    SearchSource(
        type="jobtype",
        label="Job types",
        watches=_JOBS_CHANGE,
        load=load_types,
        time_dependent=True,
        order=50,
    ),
    SearchSource(
        type="jobcategory",
        label="Job categories",
        watches=_JOBS_CHANGE,
        load=load_categories,
        time_dependent=True,
        order=60,
    ),
)
