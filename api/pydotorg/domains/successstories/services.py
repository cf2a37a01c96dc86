"""Success story rules: python.org's URLs, unique names and slugs, the linked company's name and
URL winning over the free text, sanitized ``content_html``, and the category a story needs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from pydotorg.core.db import slugify
from pydotorg.core.errors import ConflictException, ValidationFailed
from pydotorg.core.markup import render
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal, staff_or
from pydotorg.core.records import assign_changed, ensure_unique, get_visible_or_404, is_taken, visible_or_404
from pydotorg.domains.companies.models import Company
from pydotorg.domains.successstories.models import CHANGE_STORY, Story, StoryCategory

SINGLE_LINE = ("name", "slug", "company_name", "company_url", "author", "author_email", "image")
LINE_BREAKS = "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"
UNIQUE_NAME = "Please use a unique name."


def story_url(slug: str) -> str:
    return f"/success-stories/{slug}/"


def category_url(slug: str) -> str:
    return f"/success-stories/category/{slug}/"


def company_name(story: Story) -> str:
    """python.org's ``get_company_name``: the linked company's name wins."""
    return story.company.name if story.company is not None else story.company_name


def company_url(story: Story) -> str:
    if story.company is not None:
        return story.company.url or ""
    return story.company_url


def stories_query() -> Any:
    return select(Story).options(joinedload(Story.company), joinedload(Story.category))


async def load_story(session: AsyncSession, story_id: int) -> Story | None:
    stmt = stories_query().where(Story.id == story_id).execution_options(populate_existing=True)
    return (await session.scalars(stmt)).first()


def can_see_drafts(principal: Principal | None) -> bool:
    return staff_or(principal, CHANGE_STORY)


def _visible(story: Story | None, principal: Principal | None, what: str) -> Story:
    return visible_or_404(
        story, f"No success story {what}.", lambda s: s.is_published or can_see_drafts(principal)
    )


async def get_story(session: AsyncSession, story_id: int, principal: Principal | None) -> Story:
    """A story the caller may see (a published one, or any for editors); else 404."""
    return _visible(await load_story(session, story_id), principal, f"with id {story_id}")


async def story_at(session: AsyncSession, slug: str, principal: Principal | None) -> Story:
    """The story at ``slug``, if the caller may see it; else 404."""
    story = (await session.scalars(stories_query().where(Story.slug == slug))).first()
    return _visible(story, principal, f"at {slug!r}")


async def list_stories(
    session: AsyncSession,
    principal: Principal | None,
    *,
    limit: int,
    offset: int,
    category: str | None = None,
    featured: bool | None = None,
    is_published: bool | None = None,
) -> tuple[list[Story], ListMeta]:
    """Stories newest first; drafts (and the ``is_published`` filter) only for editors."""
    stmt = stories_query().order_by(Story.created.desc(), Story.id.desc())
    if not can_see_drafts(principal):
        stmt = stmt.where(Story.is_published)
    elif is_published is not None:
        stmt = stmt.where(Story.is_published == is_published)
    if category is not None:
        stmt = stmt.where(Story.category.has(StoryCategory.slug == category))
    if featured is not None:
        stmt = stmt.where(Story.featured == featured)
    return await paginate(session, stmt, limit, offset)


async def delete_story(session: AsyncSession, story_id: int) -> None:
    """Delete a story, draft or not (the delete permission covers every story)."""
    story = await get_visible_or_404(session, Story, story_id, f"No success story with id {story_id}.")
    await session.delete(story)
    await session.flush()


def line_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    return {
        name: ["Line breaks are not allowed."]
        for name in SINGLE_LINE
        if isinstance(values.get(name), str) and any(ch in values[name] for ch in LINE_BREAKS)
    }


# --- categories ------------------------------------------------------------------------------


async def get_category(session: AsyncSession, category_id: int) -> StoryCategory:
    return await get_visible_or_404(
        session, StoryCategory, category_id, f"No success story category with id {category_id}."
    )


async def list_categories(
    session: AsyncSession, *, limit: int, offset: int
) -> tuple[list[StoryCategory], ListMeta]:
    stmt = select(StoryCategory).order_by(StoryCategory.name, StoryCategory.id)
    return await paginate(session, stmt, limit, offset)


async def save_category(
    session: AsyncSession, data: Mapping[str, Any], category: StoryCategory | None = None
) -> StoryCategory:
    values = dict(data)
    if category is None and not values.get("slug"):
        values["slug"] = slugify(values.get("name", ""))[:200]
        if not values["slug"]:
            raise ValidationFailed(
                {"slug": ["Enter a slug: the name has no letters or digits to make one from."]}
            )
    if values.get("slug"):
        await ensure_unique(
            session,
            StoryCategory,
            "slug",
            values["slug"],
            "Story category with this slug already exists.",
            exclude=category,
        )
    if category is None:
        category = StoryCategory(**values)
    else:
        assign_changed(category, values)
    session.add(category)
    await session.flush()
    return category


async def delete_category(session: AsyncSession, category: StoryCategory) -> None:
    count = await session.scalar(select(func.count()).where(Story.category_id == category.id))
    if count:
        # python.org deleted the stories with their category; we refuse instead.
        raise ConflictException(f"The category has {count} success stories; move or delete them first.")
    await session.delete(category)
    await session.flush()


# --- stories ---------------------------------------------------------------------------------


async def _resolve(session: AsyncSession, values: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """Category slug -> ``category_id``; a ``company_id`` must exist."""
    if "category" in values:
        slug = values.pop("category")
        category_id = await session.scalar(select(StoryCategory.id).where(StoryCategory.slug == slug))
        if category_id is None:
            errors["category"] = [f"No story category with slug {slug!r}."]
        else:
            values["category_id"] = category_id
    if values.get("company_id") is not None and await session.get(Company, values["company_id"]) is None:
        errors["company_id"] = [f"No company with id {values['company_id']}."]


async def _name_taken(session: AsyncSession, name: str, slug: str, story: Story | None) -> bool:
    """python.org's ``StoryForm.clean_name``: another story has this name or this slug."""
    return await is_taken(session, Story, or_(Story.name == name, Story.slug == slug), exclude=story)


async def save_story(session: AsyncSession, data: Mapping[str, Any], story: Story | None = None) -> Story:
    values = dict(data)
    errors = line_errors(values)
    if story is None and not values.get("slug"):
        values["slug"] = slugify(values.get("name", ""))[:200]
        if not values["slug"]:
            errors["slug"] = ["Enter a slug: the name has no letters or digits to make one from."]
    await _resolve(session, values, errors)
    if errors:
        raise ValidationFailed(errors)
    if values.get("slug"):
        await ensure_unique(
            session, Story, "slug", values["slug"], "Story with this slug already exists.", exclude=story
        )
    if story is None:
        story = Story(
            **{"content_markup_type": "restructuredtext", "is_published": False, "featured": False, **values}
        )
    else:
        assign_changed(story, values)
    assign_changed(story, {"content_html": render(story.content or "", story.content_markup_type)})
    session.add(story)
    await session.flush()
    loaded = await load_story(session, story.id)
    assert loaded is not None
    return loaded


async def check_submission(session: AsyncSession, data: Mapping[str, Any]) -> dict[str, Any]:
    """The submission form's values ready for ``save_story``, or the errors python.org gave."""
    values = {k: v.strip() if isinstance(v, str) and k != "content" else v for k, v in data.items()}
    if values.pop("website", ""):
        # The honeypot was filled in: a bot (django-honeypot answered 400 as well).
        raise ValidationFailed({"website": ["Invalid submission."]})
    errors = line_errors(values)
    errors.update(
        {
            k: ["This field is required."]
            for k, v in values.items()
            if isinstance(v, str) and not v and k != "author_email"
        }
    )
    if errors:
        raise ValidationFailed(errors)
    values["author_email"] = values.get("author_email") or None
    values["slug"] = slugify(values["name"])[:200]
    if not values["slug"]:
        raise ValidationFailed({"name": ["Enter a name with letters or digits."]})
    if await _name_taken(session, values["name"], values["slug"], None):
        raise ConflictException(UNIQUE_NAME, extra={"name": [UNIQUE_NAME]})
    return values
