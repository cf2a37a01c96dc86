"""Django fixtures -> navigation (``sitetree.tree``, ``sitetree.treeitem``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydotorg.core.importing import ImportContext, ModelImport, RowError
from pydotorg.domains.navigation.models import NavItem, NavTree
from pydotorg.domains.navigation.services import url_errors


async def convert_tree(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    alias = str(fields.get("alias") or "")
    if not alias:
        raise RowError("alias is empty")
    return {"id": int(pk), "alias": alias[:80], "title": str(fields.get("title") or "")[:100]}


async def convert_item(pk: Any, fields: Mapping[str, Any], ctx: ImportContext) -> dict[str, Any]:
    url = str(fields.get("url") or "")
    pattern = bool(fields.get("urlaspattern", False))
    if errors := url_errors(url, pattern):
        raise RowError(f"url {url!r}: {errors[0]}")
    return {
        "id": int(pk),
        "tree_id": await ctx.require(NavTree.__table__, fields.get("tree"), "tree"),
        "parent_id": await ctx.require(NavItem.__table__, fields.get("parent"), "parent item"),
        "title": str(fields.get("title") or "")[:100],
        "hint": str(fields.get("hint") or "")[:200],
        "url": url,
        "url_as_pattern": pattern,
        "alias": (str(fields["alias"])[:80] if fields.get("alias") else None),
        "description": str(fields.get("description") or "")[:250],
        "hidden": bool(fields.get("hidden", False)),
        "in_menu": bool(fields.get("inmenu", True)),
        "in_breadcrumbs": bool(fields.get("inbreadcrumbs", True)),
        "in_sitetree": bool(fields.get("insitetree", True)),
        "access_loggedin": bool(fields.get("access_loggedin", False)),
        "access_guest": bool(fields.get("access_guest", False)),
        "access_restricted": bool(fields.get("access_restricted", False)),
        "sort_order": int(fields.get("sort_order") or 0),
    }


def parents_first(objects: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Order items so a parent is converted (and inserted) before its children."""
    by_pk = {obj.get("pk"): obj for obj in objects}
    out: list[Mapping[str, Any]] = []
    placed: set[Any] = set()

    def place(obj: Mapping[str, Any], trail: frozenset[Any]) -> None:
        pk = obj.get("pk")
        if pk in placed or pk in trail:
            return
        parent = (obj.get("fields") or {}).get("parent")
        if parent in by_pk:
            place(by_pk[parent], trail | {pk})
        placed.add(pk)
        out.append(obj)

    for obj in objects:
        place(obj, frozenset())
    return out


# What ``pydotorg.django_import`` imports from this domain, one entry per Django model label.
IMPORTS: tuple[ModelImport, ...] = (
    ModelImport("sitetree.tree", NavTree.__table__, convert_tree, ("navigation", "tree"), order=10),
    ModelImport(
        "sitetree.treeitem",
        NavItem.__table__,
        convert_item,
        ("navigation", "item"),
        order=11,
        prepare=parents_first,
    ),
)
