"""``/api/v3/navigation/``: the menu trees the theme's navigation, drop-downs and footer use."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.permissions import permission_required
from pydotorg.core.records import delete_record
from pydotorg.core.schemas import given_fields
from pydotorg.domains.navigation import schemas
from pydotorg.domains.navigation import services as svc
from pydotorg.domains.navigation.models import CHANGE_MENU, NavItem

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
AliasParam = Annotated[str, Parameter(max_length=80)]


def item_read(item: NavItem, tree_alias: str) -> schemas.NavItemRead:
    return schemas.NavItemRead(
        id=item.id,
        tree=tree_alias,
        parent_id=item.parent_id,
        title=item.title,
        hint=item.hint,
        url=item.url,
        url_as_pattern=item.url_as_pattern,
        href=svc.href(item.url, item.url_as_pattern),
        alias=item.alias,
        description=item.description,
        hidden=item.hidden,
        in_menu=item.in_menu,
        in_breadcrumbs=item.in_breadcrumbs,
        in_sitetree=item.in_sitetree,
        access_loggedin=item.access_loggedin,
        access_guest=item.access_guest,
        access_restricted=item.access_restricted,
        sort_order=item.sort_order,
    )


class NavigationController(Controller):
    path = "/api/v3/navigation"
    tags = ["navigation"]

    @get("/trees", operation_id="navigation_trees", summary="Every menu tree")
    async def list_trees(self, tx: NamedDependency[AsyncSession]) -> list[schemas.NavTreeSummary]:
        trees = await svc.list_trees(tx)
        return [schemas.NavTreeSummary(id=t.id, alias=t.alias, title=t.title) for t in trees]

    @get(
        "/trees/{alias:str}",
        operation_id="navigation_tree",
        summary="A tree with its items (flat, by parent and sort order)",
    )
    async def read_tree(self, tx: NamedDependency[AsyncSession], alias: AliasParam) -> schemas.NavTreeRead:
        tree = await svc.get_tree(tx, alias)
        items = await svc.tree_items(tx, tree)
        return schemas.NavTreeRead(
            id=tree.id, alias=tree.alias, title=tree.title, items=[item_read(i, tree.alias) for i in items]
        )

    @post(
        "/trees",
        operation_id="navigation_tree_create",
        summary="Add a tree",
        guards=[permission_required(CHANGE_MENU)],
    )
    async def create_tree(
        self, tx: NamedDependency[AsyncSession], data: JSONBody[schemas.NavTreeCreate]
    ) -> schemas.NavTreeSummary:
        tree = await svc.save_tree(tx, given_fields(data))
        return schemas.NavTreeSummary(id=tree.id, alias=tree.alias, title=tree.title)

    @patch(
        "/trees/{alias:str}",
        operation_id="navigation_tree_update",
        summary="Rename a tree",
        guards=[permission_required(CHANGE_MENU)],
    )
    async def update_tree(
        self, tx: NamedDependency[AsyncSession], alias: AliasParam, data: JSONBody[schemas.NavTreeUpdate]
    ) -> schemas.NavTreeSummary:
        tree = await svc.save_tree(tx, given_fields(data), await svc.get_tree(tx, alias))
        return schemas.NavTreeSummary(id=tree.id, alias=tree.alias, title=tree.title)

    @delete(
        "/trees/{alias:str}",
        operation_id="navigation_tree_delete",
        summary="Delete a tree and its items",
        guards=[permission_required(CHANGE_MENU)],
    )
    async def delete_tree(self, tx: NamedDependency[AsyncSession], alias: AliasParam) -> None:
        await delete_record(tx, await svc.get_tree(tx, alias))

    @get("/items/{item_id:int}", operation_id="navigation_item", summary="One menu item")
    async def read_item(self, tx: NamedDependency[AsyncSession], item_id: PK) -> schemas.NavItemRead:
        item, tree = await svc.get_item(tx, item_id)
        return item_read(item, tree.alias)

    @post(
        "/items",
        operation_id="navigation_item_create",
        summary="Add a menu item",
        guards=[permission_required(CHANGE_MENU)],
    )
    async def create_item(
        self, tx: NamedDependency[AsyncSession], data: JSONBody[schemas.NavItemCreate]
    ) -> schemas.NavItemRead:
        item, tree = await svc.create_item(tx, given_fields(data))
        return item_read(item, tree.alias)

    @patch(
        "/items/{item_id:int}",
        operation_id="navigation_item_update",
        summary="Change a menu item",
        guards=[permission_required(CHANGE_MENU)],
    )
    async def update_item(
        self, tx: NamedDependency[AsyncSession], item_id: PK, data: JSONBody[schemas.NavItemUpdate]
    ) -> schemas.NavItemRead:
        item, tree = await svc.get_item(tx, item_id)
        return item_read(await svc.save_item(tx, tree, given_fields(data), item), tree.alias)

    @delete(
        "/items/{item_id:int}",
        operation_id="navigation_item_delete",
        summary="Delete a menu item and the items below it",
        guards=[permission_required(CHANGE_MENU)],
    )
    async def delete_item(self, tx: NamedDependency[AsyncSession], item_id: PK) -> None:
        item, _ = await svc.get_item(tx, item_id)
        await delete_record(tx, item)
