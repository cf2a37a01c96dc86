"""Request and response bodies of ``/api/v3/previews``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from pydotorg.core.schemas import Input

RecordType = Literal["page", "release", "event", "story", "job"]


class PreviewCreate(Input):
    type: RecordType
    id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    # Fields of the record's update body (PATCH) to show instead of the stored ones, without
    # saving them: a preview of an edit before it is published. Pages, releases and stories.
    changes: dict[str, Any] | None = None


class PreviewRead(msgspec.Struct, kw_only=True):
    token: str
    url: str
    status: Literal["pending", "ready", "failed"]
    expires_at: datetime
    type: RecordType
    id: int
    error: str = ""


class PreviewSource(msgspec.Struct, kw_only=True):
    """What the site builder renders: the record as its public read would answer once published
    (``record``), and for a release its page's view (``views["release_detail"]``)."""

    type: RecordType
    id: int
    record: dict[str, Any]
    views: dict[str, Any] = msgspec.field(default_factory=dict)
