"""What the legacy APIs expose, shared by the v1 (Tastypie) and v2 (DRF) adapters: the four
resources, their fields in python.org's order, relations, and how input values are read."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select

from pydotorg.core.permissions import Principal
from pydotorg.domains.downloads.models import OS, Release, ReleaseFile
from pydotorg.domains.pages.models import Page


@dataclass(frozen=True)
class Relation:
    attr: str  # foreign-key column on the model, e.g. "os_id"
    target: str  # resource name, e.g. "downloads/os"


@dataclass(frozen=True)
class Resource:
    name: str
    model: Any
    fields: tuple[str, ...]  # output order (DRF keeps it; Tastypie sorts keys)
    relations: dict[str, Relation] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)  # bool / int / datetime / str
    published_only: bool = False
    order_by: tuple[Any, ...] = ()
    joins: tuple[Any, ...] = ()

    def base_query(self) -> Select[Any]:
        stmt = select(self.model)
        for target, onclause in self.joins:
            stmt = stmt.join(target, onclause)
        return stmt.order_by(*self.order_by, self.model.id)


PAGE = Resource(
    name="pages/page",
    model=Page,
    fields=("title", "path", "keywords", "description", "content", "is_published", "template_name"),
    types={"is_published": "bool"},
    published_only=True,
    order_by=(Page.title, Page.path),
)
OS_RESOURCE = Resource(
    name="downloads/os",
    model=OS,
    fields=("name", "slug"),
    order_by=(OS.name,),
)
RELEASE = Resource(
    name="downloads/release",
    model=Release,
    fields=(
        "name",
        "slug",
        "version",
        "is_published",
        "is_latest",
        "release_date",
        "pre_release",
        "release_page",
        "release_notes_url",
        "show_on_download_page",
    ),
    relations={"release_page": Relation("release_page_id", "pages/page")},
    types={
        "version": "int",
        "is_published": "bool",
        "is_latest": "bool",
        "release_date": "datetime",
        "pre_release": "bool",
        "show_on_download_page": "bool",
    },
    published_only=True,
    order_by=(Release.name,),
)
RELEASE_FILE = Resource(
    name="downloads/release_file",
    model=ReleaseFile,
    fields=(
        "name",
        "slug",
        "os",
        "release",
        "description",
        "is_source",
        "url",
        "gpg_signature_file",
        "md5_sum",
        "sha256_sum",
        "filesize",
        "download_button",
        "sigstore_signature_file",
        "sigstore_cert_file",
        "sigstore_bundle_file",
        "sbom_spdx2_file",
    ),
    relations={
        "os": Relation("os_id", "downloads/os"),
        "release": Relation("release_id", "downloads/release"),
    },
    types={"is_source": "bool", "filesize": "int", "download_button": "bool"},
    order_by=(Release.is_published.desc(), Release.name, OS.name, ReleaseFile.name),
    joins=((Release, Release.id == ReleaseFile.release_id), (OS, OS.id == ReleaseFile.os_id)),
)
RESOURCES = {r.name: r for r in (PAGE, OS_RESOURCE, RELEASE, RELEASE_FILE)}

# Writable fields per resource (pages are read-only in v2, writable in v1).
WRITABLE = {
    "pages/page": (
        "title",
        "path",
        "keywords",
        "description",
        "content",
        "is_published",
        "template_name",
    ),
    "downloads/os": ("name", "slug"),
    "downloads/release": (
        "name",
        "slug",
        "version",
        "is_published",
        "is_latest",
        "release_date",
        "pre_release",
        "release_page",
        "release_notes_url",
        "show_on_download_page",
    ),
    "downloads/release_file": RELEASE_FILE.fields,
}

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


class BadValue(ValueError):
    pass


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise BadValue("Must be a valid boolean.")


def parse_int(value: Any, *, low: int = -(2**31), high: int = 2**31 - 1) -> int:
    if isinstance(value, bool):
        raise BadValue("A valid integer is required.")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadValue("A valid integer is required.") from None
    if isinstance(value, float) and value != number:
        raise BadValue("A valid integer is required.")
    if not low <= number <= high:
        raise BadValue(f"Ensure this value is between {low} and {high}.")
    return number


def parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise BadValue("Datetime has wrong format.")
    text = value.strip().replace("Z", "+00:00").replace(" ", "T", 1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadValue("Datetime has wrong format.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # python.org's TIME_ZONE is UTC
    return parsed


def parse_str(value: Any, *, max_length: int | None = None) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise BadValue("Not a valid string.")
    text = str(value)
    if "\x00" in text:
        raise BadValue("Null characters are not allowed.")
    if max_length is not None and len(text) > max_length:
        raise BadValue(f"Ensure this field has no more than {max_length} characters.")
    return text


def parse_value(resource: Resource, name: str, value: Any) -> Any:
    kind = resource.types.get(name, "str")
    if kind == "bool":
        return parse_bool(value)
    if kind == "int":
        return parse_int(value, low=0, high=2**62) if name == "filesize" else parse_int(value)
    if kind == "datetime":
        return parse_datetime(value)
    column = resource.model.__table__.columns.get(name)
    max_length = getattr(getattr(column, "type", None), "length", None)
    return parse_str(value, max_length=max_length)


_URI_ID = re.compile(r"/api/v[12]/([a-z_/]+?)/(\d+)/?$")


def id_from_uri(value: Any, target: str) -> int:
    """ "/api/v1/downloads/os/3/", an absolute URL of it, or (leniently) the bare id."""
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_int(value, low=1)
    if isinstance(value, str):
        if value.isascii() and value.isdigit():
            return parse_int(value, low=1)
        match = _URI_ID.search(value.split("?", 1)[0])
        if match and match.group(1) == target:
            return parse_int(match.group(2), low=1)
    raise BadValue(f"Could not find the provided object via resource URI '{value}'.")


def naive_iso(value: datetime) -> str:
    """Tastypie: ISO 8601 without offset, in UTC."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat()


def zulu_iso(value: datetime) -> str:
    """DRF: ISO 8601 with ``Z``."""
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def is_staff(principal: Principal | None) -> bool:
    """Both legacy APIs: staff see drafts (releases, pages) and may write."""
    return principal is not None and principal.is_active and principal.is_staff


def visible(resource: Resource, stmt: Select[Any], principal: Principal | None) -> Select[Any]:
    """Published-only for everyone but staff (Tastypie's OnlyPublishedAuthorization, DRF's
    BaseAPIViewMixin)."""
    if resource.published_only and not is_staff(principal):
        return stmt.where(resource.model.is_published)
    return stmt
