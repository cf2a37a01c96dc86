"""What a domain declares so that its records can be previewed (domains/previews, docs/previews.md).

A domain whose records have a public page lists ``PreviewKind``s in its controllers module
(``PREVIEWS``), next to the read functions its public ``GET`` answers with; the entry point
(``app.py``) collects them into ``app.state.preview_kinds``, and the previews domain calls the one
a request names. So the previews domain imports no other domain, and each domain alone decides
who may preview its records and what shape the site builder gets.

``load(session, principal, id, changes)`` returns the record as its public read would answer once
published, and any page views the builder reads for it (a release's ``release_detail``). It runs in
a transaction that the caller always rolls back, so ``changes`` (fields of the record's update
body) may be applied by the domain's own save service: validated and rendered exactly as a save
would, never stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.permissions import Principal
from pydotorg.core.schemas import given_fields

Loaded = tuple[msgspec.Struct, dict[str, Any]]
Loader = Callable[[AsyncSession, Principal, int, "dict[str, Any] | None"], Awaitable[Loaded]]


@dataclass(frozen=True)
class PreviewKind:
    type: str  # the preview API's name for it: "page", "release", ...
    permission: str  # who may preview: the permission its PATCH (or moderation) route checks
    load: Loader
    takes_changes: bool = False  # whether unsaved changes can be previewed, not only the stored record


def changed_fields(struct: type[msgspec.Struct], changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` checked against the record's update body, as the fields it sets; a 400 naming
    ``changes`` when they do not fit."""
    try:
        return given_fields(msgspec.convert(changes, struct))
    except msgspec.ValidationError as exc:
        raise ValidationFailed({"changes": [str(exc)]}) from None
