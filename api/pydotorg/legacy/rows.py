"""The legacy resources read straight from SQL (core/reads.py), in the shape each API sends.

For each resource and each API, one SELECT list whose columns are the output fields in the
order they are sent: relation and ``resource_uri`` URLs are concatenated by PostgreSQL from a
prefix parameter (``$1``), Tastypie's naive UTC datetimes are converted by it, and ``content``
is the stored HTML. A row becomes a msgspec struct with those fields without any per-field
Python work, and a list of them is encoded in one call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from pydotorg.core.permissions import Principal
from pydotorg.core.reads import ReadPool, Where, select
from pydotorg.legacy.resources import RESOURCES, Resource, is_staff

ALIAS = {"pages/page": "p", "downloads/os": "o", "downloads/release": "r", "downloads/release_file": "f"}
FROM = {
    "pages/page": "pages p",
    "downloads/os": "downloads_os o",
    "downloads/release": "downloads_releases r",
    "downloads/release_file": (
        "downloads_release_files f JOIN downloads_releases r ON r.id = f.release_id "
        "JOIN downloads_os o ON o.id = f.os_id"
    ),
}
# Resource.order_by, as SQL.
ORDER = {
    "pages/page": "p.title, p.path, p.id",
    "downloads/os": "o.name, o.id",
    "downloads/release": "r.name, r.id",
    "downloads/release_file": "r.is_published DESC, r.name, o.name, f.name, f.id",
}


def column(resource: Resource, name: str) -> str:
    """The SQL expression of one of ``resource``'s columns (``"id"`` included)."""
    table = resource.model.__table__
    if name not in table.c:
        raise KeyError(f"{resource.name} has no column {name!r}")
    return f"{ALIAS[resource.name]}.{table.c[name].name}"


class Shape:
    """One resource as one API sends it: the SELECT list and the struct its rows become."""

    def __init__(self, resource: Resource, api: str) -> None:
        fields: list[tuple[str, str]] = []
        for name in resource.fields:
            fields.append((name, self._expression(resource, api, name)))
            if name == "download_button" and api == "v2":
                # DRF keeps the serializer's order: resource_uri before the sigstore/SBOM fields.
                fields.append(("resource_uri", self._uri(resource)))
        if not any(name == "resource_uri" for name, _ in fields):
            fields.append(("resource_uri", self._uri(resource)))
        if api == "v1":  # Tastypie sends keys sorted
            fields.sort()
        self.resource = resource
        self.columns = ", ".join(expression for _, expression in fields)
        self.struct: type[msgspec.Struct] = msgspec.defstruct(
            f"{api}_{resource.name.replace('/', '_')}", [(name, Any) for name, _ in fields]
        )

    @staticmethod
    def _uri(resource: Resource) -> str:
        return f"$1 || '{resource.name}/' || {column(resource, 'id')} || '/'"

    @staticmethod
    def _expression(resource: Resource, api: str, name: str) -> str:
        if name in resource.relations:
            rel = resource.relations[name]
            # NULL || text is NULL: a missing relation stays null.
            return f"$1 || '{rel.target}/' || {column(resource, rel.attr)} || '/'"
        if name == "content":
            return column(resource, "content_html")
        if resource.types.get(name) == "datetime" and api == "v1":
            return f"({column(resource, name)} AT TIME ZONE 'UTC')"  # Tastypie: naive UTC
        return column(resource, name)


SHAPES = {(api, name): Shape(resource, api) for api in ("v1", "v2") for name, resource in RESOURCES.items()}


def visibility(resource: Resource, principal: Principal | None) -> list[Where]:
    """Published-only for everyone but staff (Tastypie's OnlyPublishedAuthorization, DRF's
    BaseAPIViewMixin); resources.visible() for the ORM."""
    if resource.published_only and not is_staff(principal):
        return [Where(f"{column(resource, 'is_published')}")]
    return []


async def fetch(
    reads: ReadPool,
    api: str,
    resource: Resource,
    prefix: str,
    conditions: Sequence[Where],
    *,
    limit: int | None = None,
    offset: int = 0,
    with_total: bool = False,
) -> tuple[list[Any], int | None]:
    """Rows of ``resource`` as ``api`` sends them, in the resource's order, and (``with_total``)
    how many rows match in all."""
    shape = SHAPES[api, resource.name]
    return await select(
        reads,
        shape.struct,
        columns=shape.columns,
        source=FROM[resource.name],
        order=ORDER[resource.name],
        conditions=conditions,
        args=(prefix,),
        limit=limit,
        offset=offset,
        with_total=with_total,
    )


async def exists(reads: ReadPool, resource: Resource, pk: int) -> bool:
    table = resource.model.__table__.name
    sql = f"SELECT EXISTS (SELECT 1 FROM {table} WHERE id = $1)"  # noqa: S608 (a table name from code)
    return bool(await reads.fetchval(sql, pk))
