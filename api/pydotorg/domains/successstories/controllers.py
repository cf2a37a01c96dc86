"""``/api/v3/success-stories/``: published stories and their categories for everyone, drafts for
editors, staff writes with the ``successstories.*`` permissions, and the logged-in submission form."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset, paginate
from pydotorg.core.permissions import (
    Principal,
    login_required,
    permission_required,
    principal_of,
    register,
    require_principal,
    staff_or,
)
from pydotorg.core.ratelimit import RateLimiter
from pydotorg.core.schemas import given_fields
from pydotorg.domains.successstories import schemas
from pydotorg.domains.successstories import services as svc
from pydotorg.domains.successstories.models import Story, StoryCategory
from pydotorg.domains.successstories.submissions import Submitter, submit_story

ADD_STORY = register("successstories.add_story", "Can add success stories")
CHANGE_STORY = register("successstories.change_story", "Can change success stories (and see drafts)")
DELETE_STORY = register("successstories.delete_story", "Can delete success stories")
ADD_CATEGORY = register("successstories.add_storycategory", "Can add success story categories")
CHANGE_CATEGORY = register("successstories.change_storycategory", "Can change success story categories")
DELETE_CATEGORY = register("successstories.delete_storycategory", "Can delete empty success story categories")

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
SlugPath = Annotated[str, Parameter(max_length=200)]
SlugQuery = Annotated[str | None, Parameter(max_length=200)]


def can_see_drafts(principal: Principal | None) -> bool:
    return staff_or(principal, CHANGE_STORY)


def story_read(s: Story, editor: bool) -> schemas.StoryRead:
    return schemas.StoryRead(
        id=s.id,
        name=s.name,
        slug=s.slug,
        url=svc.story_url(s.slug),
        company_id=s.company_id,
        company_name=svc.company_name(s),
        company_url=svc.company_url(s),
        category=schemas.StoryCategoryRef(id=s.category.id, name=s.category.name, slug=s.category.slug),
        author=s.author,
        author_email=s.author_email if editor else None,
        pull_quote=s.pull_quote,
        content=s.content,
        content_markup_type=s.content_markup_type,
        content_html=s.content_html,
        is_published=s.is_published,
        featured=s.featured,
        image=s.image,
        submitted_by_id=s.submitted_by_id if editor else None,
        created=s.created,
        updated=s.updated,
    )


def category_read(c: StoryCategory) -> schemas.StoryCategoryRead:
    return schemas.StoryCategoryRead(id=c.id, name=c.name, slug=c.slug, page_url=svc.category_url(c.slug))


def _visible(story: Story | None, principal: Principal | None, what: str) -> Story:
    if story is None or not (story.is_published or can_see_drafts(principal)):
        raise NotFoundException(f"No success story {what}.")
    return story


async def _story(tx: AsyncSession, story_id: int, principal: Principal | None) -> Story:
    return _visible(await svc.load_story(tx, story_id), principal, f"with id {story_id}")


async def _category(tx: AsyncSession, category_id: int) -> StoryCategory:
    category = await tx.get(StoryCategory, category_id)
    if category is None:
        raise NotFoundException(f"No success story category with id {category_id}.")
    return category


class StoriesController(Controller):
    path = "/api/v3/success-stories"
    tags = ["successstories"]

    @get(
        "/", operation_id="successstories_list", summary="Success stories, newest first (drafts for editors)"
    )
    async def list_stories(
        self,
        request: Request[Any, Any, Any],
        tx: AsyncSession,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        category: SlugQuery = None,
        featured: bool | None = None,
        is_published: Annotated[bool | None, Parameter(description="editors only")] = None,
    ) -> schemas.StoryList:
        editor = can_see_drafts(principal_of(request))
        stmt = svc.stories_query().order_by(Story.created.desc(), Story.id.desc())
        if not editor:
            stmt = stmt.where(Story.is_published)
        elif is_published is not None:
            stmt = stmt.where(Story.is_published == is_published)
        if category is not None:
            stmt = stmt.where(Story.category.has(StoryCategory.slug == category))
        if featured is not None:
            stmt = stmt.where(Story.featured == featured)
        rows, meta = await paginate(tx, stmt, limit, offset)
        return schemas.StoryList(data=[story_read(s, editor) for s in rows], meta=meta)

    @get("/{story_id:int}", operation_id="successstories_read", summary="One success story")
    async def read_story(
        self, request: Request[Any, Any, Any], tx: AsyncSession, story_id: PK
    ) -> schemas.StoryRead:
        principal = principal_of(request)
        return story_read(await _story(tx, story_id, principal), can_see_drafts(principal))

    @get("/slug/{slug:str}", operation_id="successstories_by_slug", summary="The success story at a slug")
    async def by_slug(
        self, request: Request[Any, Any, Any], tx: AsyncSession, slug: SlugPath
    ) -> schemas.StoryRead:
        principal = principal_of(request)
        story = (await tx.scalars(svc.stories_query().where(Story.slug == slug))).first()
        return story_read(_visible(story, principal, f"at {slug!r}"), can_see_drafts(principal))

    @post(
        "/",
        operation_id="successstories_create",
        summary="Add a success story",
        guards=[permission_required(ADD_STORY)],
    )
    async def create_story(self, tx: AsyncSession, data: schemas.StoryCreate) -> schemas.StoryRead:
        return story_read(await svc.save_story(tx, given_fields(data)), True)

    @patch(
        "/{story_id:int}",
        operation_id="successstories_update",
        summary="Change a success story (publish, feature)",
        guards=[permission_required(CHANGE_STORY)],
    )
    async def update_story(
        self, request: Request[Any, Any, Any], tx: AsyncSession, story_id: PK, data: schemas.StoryUpdate
    ) -> schemas.StoryRead:
        story = await _story(tx, story_id, principal_of(request))
        return story_read(await svc.save_story(tx, given_fields(data), story), True)

    @delete(
        "/{story_id:int}",
        operation_id="successstories_delete",
        summary="Delete a success story",
        guards=[permission_required(DELETE_STORY)],
    )
    async def delete_story(self, tx: AsyncSession, story_id: PK) -> None:
        story = await tx.get(Story, story_id)
        if story is None:
            raise NotFoundException(f"No success story with id {story_id}.")
        await tx.delete(story)
        await tx.flush()


class StoryCategoriesController(Controller):
    path = "/api/v3/success-stories/categories"
    tags = ["successstories"]

    @get("/", operation_id="successstories_categories_list", summary="Success story categories by name")
    async def list_categories(
        self, tx: AsyncSession, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.StoryCategoryList:
        stmt = select(StoryCategory).order_by(StoryCategory.name, StoryCategory.id)
        rows, meta = await paginate(tx, stmt, limit, offset)
        return schemas.StoryCategoryList(data=[category_read(c) for c in rows], meta=meta)

    @get("/{category_id:int}", operation_id="successstories_categories_read", summary="One category")
    async def read_category(self, tx: AsyncSession, category_id: PK) -> schemas.StoryCategoryRead:
        return category_read(await _category(tx, category_id))

    @post(
        "/",
        operation_id="successstories_categories_create",
        summary="Add a category",
        guards=[permission_required(ADD_CATEGORY)],
    )
    async def create_category(
        self, tx: AsyncSession, data: schemas.StoryCategoryCreate
    ) -> schemas.StoryCategoryRead:
        return category_read(await svc.save_category(tx, given_fields(data)))

    @patch(
        "/{category_id:int}",
        operation_id="successstories_categories_update",
        summary="Change a category",
        guards=[permission_required(CHANGE_CATEGORY)],
    )
    async def update_category(
        self, tx: AsyncSession, category_id: PK, data: schemas.StoryCategoryUpdate
    ) -> schemas.StoryCategoryRead:
        category = await _category(tx, category_id)
        return category_read(await svc.save_category(tx, given_fields(data), category))

    @delete(
        "/{category_id:int}",
        operation_id="successstories_categories_delete",
        summary="Delete a category without stories",
        guards=[permission_required(DELETE_CATEGORY)],
    )
    async def delete_category(self, tx: AsyncSession, category_id: PK) -> None:
        await svc.delete_category(tx, await _category(tx, category_id))


class StorySubmissionsController(Controller):
    path = "/api/v3/success-stories/submissions"
    tags = ["successstories"]

    @post(
        "/",
        operation_id="successstories_submit",
        summary="Submit a success story for review (mailed to the PSF staff)",
        guards=[login_required],
    )
    async def submit(
        self, request: Request[Any, Any, Any], tx: AsyncSession, data: schemas.StorySubmission
    ) -> schemas.StoryRead:
        state = request.app.state
        values = await svc.check_submission(tx, given_fields(data))
        # Counted once the submission is valid: a typo must not use up the budget.
        limiter: RateLimiter = state.rate_limiter
        await limiter.check(request, "story_submission", state.settings.rate_limit_story_submission)
        principal = require_principal(request)
        story = await submit_story(
            tx,
            values,
            Submitter(user_id=principal.user_id, username=principal.username),
            settings=state.settings,
            mailer=state.mailer,
            queue=state.queue,
        )
        return story_read(story, can_see_drafts(principal))


ROUTE_HANDLERS = [StoryCategoriesController, StorySubmissionsController, StoriesController]
