"""Menu rules: URL names resolved to paths, parents in the same tree without cycles, aliases
unique per tree, and only safe link targets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.records import assign_changed, ensure_unique, get_visible_or_404, visible_or_404
from pydotorg.core.urls import link_errors
from pydotorg.domains.navigation.models import NavItem, NavTree

# python.org's URL names used by its menus ("URL as pattern" items), and where they live here.
URL_NAMES: dict[str, str] = {
    "home": "/",
    "about": "/about/",
    "psf-landing": "/psf-landing/",
    "documentation": "/doc/",
    "blog": "/blogs/",
    "inner": "/inner/",
    "download:download": "/downloads/",
    "download:download_os_list": "/downloads/operating-systems/",
    "events:events": "/events/",
    "events:calendar_list": "/events/calendars/",
    "jobs:job_list": "/jobs/",
    "jobs:job_types": "/jobs/types/",
    "jobs:job_categories": "/jobs/categories/",
    "jobs:job_locations": "/jobs/locations/",
    "jobs:job_create": "/jobs/create/",
    "success_story_list": "/success-stories/",
    "community:post_list": "/community/",
}

ITEM_DEFAULTS: dict[str, Any] = {
    "parent_id": None,
    "hint": "",
    "url_as_pattern": False,
    "alias": None,
    "description": "",
    "hidden": False,
    "in_menu": True,
    "in_breadcrumbs": True,
    "in_sitetree": True,
    "access_loggedin": False,
    "access_guest": False,
    "access_restricted": False,
    "sort_order": 0,
}


def href(url: str, url_as_pattern: bool) -> str:
    return URL_NAMES.get(url, "/") if url_as_pattern else url


def url_errors(url: str, url_as_pattern: bool) -> list[str]:
    if url_as_pattern:
        if url not in URL_NAMES:
            return [f"Unknown URL name {url!r}; known names: {', '.join(sorted(URL_NAMES))}."]
        return []
    # The one link rule (core/urls.py); menus may also hold mailto:, #fragments and relative
    # links (python.org's "comingsoon"), none of which can lead to another host.
    if link_errors(url, mailto=True, fragment=True, relative=True):
        return ["Enter a path starting with a single /, an http(s) or mailto: URL, or a relative link."]
    return []


async def tree_by_alias(session: AsyncSession, alias: str) -> NavTree | None:
    return await session.scalar(select(NavTree).where(NavTree.alias == alias))


async def get_tree(session: AsyncSession, alias: str) -> NavTree:
    return visible_or_404(await tree_by_alias(session, alias), f"No navigation tree {alias!r}.")


async def list_trees(session: AsyncSession) -> list[NavTree]:
    return list(await session.scalars(select(NavTree).order_by(NavTree.alias)))


async def tree_items(session: AsyncSession, tree: NavTree) -> list[NavItem]:
    """A tree's items, flat: by parent (roots first), then sort order."""
    return list(
        await session.scalars(
            select(NavItem)
            .where(NavItem.tree_id == tree.id)
            .order_by(NavItem.parent_id.nulls_first(), NavItem.sort_order, NavItem.id)
        )
    )


async def get_item(session: AsyncSession, item_id: int) -> tuple[NavItem, NavTree]:
    """An item and its tree; else 404."""
    item = await get_visible_or_404(session, NavItem, item_id, f"No navigation item with id {item_id}.")
    tree = await session.get(NavTree, item.tree_id)
    assert tree is not None
    return item, tree


async def create_item(session: AsyncSession, data: Mapping[str, Any]) -> tuple[NavItem, NavTree]:
    """A new item in the tree ``data["tree"]`` names (an unknown tree is a 400 on ``tree``)."""
    values = dict(data)
    alias = values.pop("tree")
    tree = await tree_by_alias(session, alias)
    if tree is None:
        raise ValidationFailed({"tree": [f"No navigation tree {alias!r}."]})
    return await save_item(session, tree, values), tree


async def save_tree(session: AsyncSession, data: Mapping[str, Any], tree: NavTree | None = None) -> NavTree:
    values = dict(data)
    if "alias" in values:
        await ensure_unique(
            session, NavTree, "alias", values["alias"], "Tree with this alias already exists.", exclude=tree
        )
    if tree is None:
        tree = NavTree(**values)
    else:
        assign_changed(tree, values)
    session.add(tree)
    await session.flush()
    return tree


async def save_item(
    session: AsyncSession, tree: NavTree, data: Mapping[str, Any], item: NavItem | None = None
) -> NavItem:
    values = {**(ITEM_DEFAULTS if item is None else {}), **data}
    errors: dict[str, list[str]] = {}
    url = values.get("url", item.url if item else "")
    pattern = values.get("url_as_pattern", item.url_as_pattern if item else False)
    if ("url" in values or "url_as_pattern" in values) and (msgs := url_errors(url, pattern)):
        errors["url"] = msgs
    if values.get("parent_id") is not None:
        parent = await session.get(NavItem, values["parent_id"])
        if parent is None or parent.tree_id != tree.id:
            errors["parent_id"] = [f"No item {values['parent_id']} in tree {tree.alias!r}."]
        elif item is not None and await _is_descendant(session, parent.id, item.id):
            errors["parent_id"] = ["An item cannot be placed under itself or one of its children."]
    if values.get("alias"):
        await ensure_unique(
            session,
            NavItem,
            "alias",
            values["alias"],
            "Item with this alias already exists in this tree.",
            exclude=item,
            scope=[NavItem.tree_id == tree.id],
            errors=errors,
        )
    if errors:
        raise ValidationFailed(errors)
    if item is None:
        item = NavItem(tree_id=tree.id, **values)
    else:
        assign_changed(item, values)
    session.add(item)
    await session.flush()
    return item


async def _is_descendant(session: AsyncSession, candidate: int, ancestor: int) -> bool:
    """Whether ``candidate`` is ``ancestor`` or lies below it."""
    seen: set[int] = set()
    current: int | None = candidate
    while current is not None and current not in seen:
        if current == ancestor:
            return True
        seen.add(current)
        current = await session.scalar(select(NavItem.parent_id).where(NavItem.id == current))
    return False
