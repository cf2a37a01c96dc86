"""``/api/v3/success-stories/``: published stories and their categories for everyone, drafts for
editors, staff writes with the ``successstories.*`` permissions, and the logged-in submission form."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.controllers import ContentRoutes, content_controller
from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset
from pydotorg.core.permissions import (
    Principal,
    login_required,
    permission_required,
    principal_of,
    require_principal,
)
from pydotorg.core.previews import Loaded, PreviewKind, changed_fields
from pydotorg.core.ratelimit import RateLimiter
from pydotorg.core.schemas import given_fields
from pydotorg.domains.successstories import schemas
from pydotorg.domains.successstories import services as svc
from pydotorg.domains.successstories.models import (
    ADD_CATEGORY,
    ADD_STORY,
    CHANGE_CATEGORY,
    CHANGE_STORY,
    DELETE_CATEGORY,
    DELETE_STORY,
    Story,
    StoryCategory,
)
from pydotorg.domains.successstories.submissions import Submitter, submit_story

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
SlugPath = Annotated[str, Parameter(max_length=200)]
SlugQuery = Annotated[str | None, Parameter(max_length=200)]


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


class StoriesController(Controller):
    path = "/api/v3/success-stories"
    tags = ["successstories"]

    @get(
        "/", operation_id="successstories_list", summary="Success stories, newest first (drafts for editors)"
    )
    async def list_stories(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        category: SlugQuery = None,
        featured: FromQuery[bool | None] = None,
        is_published: Annotated[bool | None, Parameter(description="editors only")] = None,
    ) -> schemas.StoryList:
        principal = principal_of(request)
        editor = svc.can_see_drafts(principal)
        rows, meta = await svc.list_stories(
            tx,
            principal,
            limit=limit,
            offset=offset,
            category=category,
            featured=featured,
            is_published=is_published,
        )
        return schemas.StoryList(data=[story_read(s, editor) for s in rows], meta=meta)

    @get("/{story_id:int}", operation_id="successstories_read", summary="One success story")
    async def read_story(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], story_id: PK
    ) -> schemas.StoryRead:
        principal = principal_of(request)
        return story_read(await svc.get_story(tx, story_id, principal), svc.can_see_drafts(principal))

    @get("/slug/{slug:str}", operation_id="successstories_by_slug", summary="The success story at a slug")
    async def by_slug(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], slug: SlugPath
    ) -> schemas.StoryRead:
        principal = principal_of(request)
        return story_read(await svc.story_at(tx, slug, principal), svc.can_see_drafts(principal))

    @post(
        "/",
        operation_id="successstories_create",
        summary="Add a success story",
        guards=[permission_required(ADD_STORY)],
    )
    async def create_story(
        self, tx: NamedDependency[AsyncSession], data: JSONBody[schemas.StoryCreate]
    ) -> schemas.StoryRead:
        return story_read(await svc.save_story(tx, given_fields(data)), True)

    @patch(
        "/{story_id:int}",
        operation_id="successstories_update",
        summary="Change a success story (publish, feature)",
        guards=[permission_required(CHANGE_STORY)],
    )
    async def update_story(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        story_id: PK,
        data: JSONBody[schemas.StoryUpdate],
    ) -> schemas.StoryRead:
        story = await svc.get_story(tx, story_id, principal_of(request))
        return story_read(await svc.save_story(tx, given_fields(data), story), True)

    @delete(
        "/{story_id:int}",
        operation_id="successstories_delete",
        summary="Delete a success story",
        guards=[permission_required(DELETE_STORY)],
    )
    async def delete_story(self, tx: NamedDependency[AsyncSession], story_id: PK) -> None:
        await svc.delete_story(tx, story_id)


StoryCategoriesController = content_controller(
    "StoryCategoriesController",
    ContentRoutes(
        path="/api/v3/success-stories/categories",
        tag="successstories",
        prefix="successstories_categories",
        id_name="category_id",
        summaries={
            "list": "Success story categories by name",
            "read": "One category",
            "create": "Add a category",
            "update": "Change a category",
            "delete": "Delete a category without stories",
        },
        add=ADD_CATEGORY,
        change=CHANGE_CATEGORY,
        remove=DELETE_CATEGORY,
        read_schema=schemas.StoryCategoryRead,
        create_schema=schemas.StoryCategoryCreate,
        update_schema=schemas.StoryCategoryUpdate,
        list_schema=schemas.StoryCategoryList,
        to_read=category_read,
        get=svc.get_category,
        find=svc.list_categories,
        save=svc.save_category,
        remove_record=svc.delete_category,
        per_caller=False,
    ),
)


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
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        data: JSONBody[schemas.StorySubmission],
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
        return story_read(story, svc.can_see_drafts(principal))


ROUTE_HANDLERS = [StoryCategoriesController, StorySubmissionsController, StoriesController]


async def _preview(
    session: AsyncSession, principal: Principal, story_id: int, changes: dict[str, Any] | None
) -> Loaded:
    """A success story as its public read will answer once published."""
    story = await svc.get_story(session, story_id, principal)
    if changes:
        story = await svc.save_story(session, changed_fields(schemas.StoryUpdate, changes), story)
    return msgspec.structs.replace(story_read(story, False), is_published=True), {}


PREVIEWS = (PreviewKind("story", CHANGE_STORY, _preview, takes_changes=True),)
