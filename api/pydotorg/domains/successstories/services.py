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
from pydotorg.domains.companies.models import Company
from pydotorg.domains.successstories.models import Story, StoryCategory

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


def line_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    return {
        name: ["Line breaks are not allowed."]
        for name in SINGLE_LINE
        if isinstance(values.get(name), str) and any(ch in values[name] for ch in LINE_BREAKS)
    }


# --- categories ------------------------------------------------------------------------------


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
        stmt = select(StoryCategory.id).where(StoryCategory.slug == values["slug"])
        if category is not None:
            stmt = stmt.where(StoryCategory.id != category.id)
        if await session.scalar(stmt):
            raise ValidationFailed({"slug": ["Story category with this slug already exists."]})
    if category is None:
        category = StoryCategory(**values)
    else:
        for key, value in values.items():
            if getattr(category, key) != value:
                setattr(category, key, value)
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
    stmt = select(Story.id).where(or_(Story.name == name, Story.slug == slug))
    if story is not None:
        stmt = stmt.where(Story.id != story.id)
    return await session.scalar(stmt.limit(1)) is not None


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
        stmt = select(Story.id).where(Story.slug == values["slug"])
        if story is not None:
            stmt = stmt.where(Story.id != story.id)
        if await session.scalar(stmt):
            raise ValidationFailed({"slug": ["Story with this slug already exists."]})
    if story is None:
        story = Story(
            **{"content_markup_type": "restructuredtext", "is_published": False, "featured": False, **values}
        )
    else:
        for key, value in values.items():
            if getattr(story, key) != value:
                setattr(story, key, value)
    html = render(story.content or "", story.content_markup_type)
    if story.content_html != html:
        story.content_html = html
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
