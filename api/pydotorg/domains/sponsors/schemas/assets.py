"""/api/v3/sponsors/ shapes for the staff operations outside the state machines: re-copying a
benefit into chosen sponsorships and a provided file configuration's shared file (the asset
export answers a zip, not JSON)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from pydotorg.core.schemas import Input

RecordId = Annotated[int, Meta(ge=1, le=2**31 - 1)]


class RelatedSponsorshipsUpdate(Input):
    """The sponsorships whose copy of the benefit is copied again from it."""

    sponsorship_ids: Annotated[list[RecordId], Meta(min_length=1, max_length=500)]


class RelatedSponsorshipsUpdated(msgspec.Struct):
    benefit_id: int
    updated: list[int]


class SharedFileRead(msgspec.Struct):
    id: int
    benefit_id: int
    kind: str
    internal_name: str | None
    shared: bool
    shared_file: str
    shared_file_url: str | None
