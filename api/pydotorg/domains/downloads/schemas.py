"""/api/v3/ shapes for operating systems, releases and release files, plus the one-call views
the downloads pages are built from."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from pydotorg.core.pagination import ListMeta
from pydotorg.core.schemas import Input
from pydotorg.core.urls import OPTIONAL_SLUG_PATTERN

Name = Annotated[str, Meta(min_length=1, max_length=200)]
Slug = Annotated[str, Meta(max_length=200, pattern=OPTIONAL_SLUG_PATTERN)]
Url = Annotated[str, Meta(max_length=200)]
Id = Annotated[int, Meta(ge=1, le=2**31 - 1)]
VersionField = Literal[1, 2, 3, 100]
ReleaseMarkup = Literal["markdown", "restructuredtext", "html", "text", "plain"]
Checksum = Annotated[str, Meta(max_length=200)]
Filesize = Annotated[int, Meta(ge=0, le=2**62)]
LongText = Annotated[str, Meta(max_length=200_000)]


class OSRead(msgspec.Struct):
    id: int
    name: str
    slug: str
    created: datetime
    updated: datetime


class OSCreate(Input):
    name: Name
    slug: Slug = ""


class OSUpdate(Input):
    name: Name | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET


class ReleaseRead(msgspec.Struct):
    id: int
    name: str
    slug: str
    version: int
    is_latest: bool
    is_published: bool
    pre_release: bool
    show_on_download_page: bool
    release_date: datetime
    release_page_id: int | None
    release_notes_url: str
    content: str
    content_markup_type: str
    content_html: str
    created: datetime
    updated: datetime
    url: str
    # python.org's ``get_eol_info`` from the release-cycle data: the series is end-of-life (with
    # its date), or a Python <= 2 release the data does not list (no date); nothing without data.
    is_eol: bool
    end_of_life: str | None


class ReleaseCreate(Input):
    name: Name
    slug: Slug = ""
    version: VersionField = 3
    is_latest: bool = False
    is_published: bool = False
    pre_release: bool = False
    show_on_download_page: bool = True
    release_date: datetime | None = None
    release_page_id: Id | None = None
    release_notes_url: Url = ""
    content: LongText = ""
    content_markup_type: ReleaseMarkup = "markdown"


class ReleaseUpdate(Input):
    name: Name | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET
    version: VersionField | UnsetType = UNSET
    is_latest: bool | UnsetType = UNSET
    is_published: bool | UnsetType = UNSET
    pre_release: bool | UnsetType = UNSET
    show_on_download_page: bool | UnsetType = UNSET
    release_date: datetime | UnsetType = UNSET
    release_page_id: Id | UnsetType | None = UNSET
    release_notes_url: Url | UnsetType = UNSET
    content: LongText | UnsetType = UNSET
    content_markup_type: ReleaseMarkup | UnsetType = UNSET


class ReleaseFileRead(msgspec.Struct):
    id: int
    name: str
    slug: str
    os_id: int
    release_id: int
    description: str
    is_source: bool
    url: str
    gpg_signature_file: str
    sigstore_signature_file: str
    sigstore_cert_file: str
    sigstore_bundle_file: str
    sbom_spdx2_file: str
    md5_sum: str
    sha256_sum: str
    filesize: int
    download_button: bool
    created: datetime
    updated: datetime


class ReleaseFileCreate(Input):
    name: Name
    os_id: Id
    release_id: Id
    url: Url
    slug: Slug = ""
    description: LongText = ""
    is_source: bool = False
    gpg_signature_file: Url = ""
    sigstore_signature_file: Url = ""
    sigstore_cert_file: Url = ""
    sigstore_bundle_file: Url = ""
    sbom_spdx2_file: Url = ""
    md5_sum: Checksum = ""
    sha256_sum: Checksum = ""
    filesize: Filesize = 0
    download_button: bool = False


class ReleaseFileUpdate(Input):
    name: Name | UnsetType = UNSET
    os_id: Id | UnsetType = UNSET
    release_id: Id | UnsetType = UNSET
    url: Url | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    is_source: bool | UnsetType = UNSET
    gpg_signature_file: Url | UnsetType = UNSET
    sigstore_signature_file: Url | UnsetType = UNSET
    sigstore_cert_file: Url | UnsetType = UNSET
    sigstore_bundle_file: Url | UnsetType = UNSET
    sbom_spdx2_file: Url | UnsetType = UNSET
    md5_sum: Checksum | UnsetType = UNSET
    sha256_sum: Checksum | UnsetType = UNSET
    filesize: Filesize | UnsetType = UNSET
    download_button: bool | UnsetType = UNSET


class OSList(msgspec.Struct):
    data: list[OSRead]
    meta: ListMeta


class ReleaseList(msgspec.Struct):
    data: list[ReleaseRead]
    meta: ListMeta


class ReleaseFileList(msgspec.Struct):
    data: list[ReleaseFileRead]
    meta: ListMeta


class BulkDeleted(msgspec.Struct):
    deleted: int


# --- page views ----------------------------------------------------------------------------


class ReleaseSummary(msgspec.Struct):
    id: int
    name: str
    slug: str
    version: int
    version_number: str
    pre_release: bool
    release_date: datetime
    release_notes_url: str
    url: str


class FeaturedFiles(msgspec.Struct):
    os: str
    files: list[ReleaseFileRead]


class ActiveRelease(msgspec.Struct):
    """A row of the "Active Python Releases" table (python.org's ``render_active_releases``)."""

    version: str  # "3.14"
    status: str  # "bugfix", "security", "pre-release" or "end-of-life"
    first_release: str  # "2025-10-07", or "2026-10-01 (planned)" for a pre-release
    end_of_life: str
    pep: int | None
    last_release: ReleaseSummary | None  # the end-of-life row: the series' newest release


class DownloadsLanding(msgspec.Struct):
    latest_python3: ReleaseSummary | None
    latest_python2: ReleaseSummary | None
    latest_pymanager: ReleaseSummary | None
    featured: list[FeaturedFiles]
    active_series: list[ReleaseSummary]
    releases: list[ReleaseSummary]
    active_releases: list[ActiveRelease]


class ReleaseCycleRead(msgspec.Struct):
    """One feature series of the PEPs release-cycle data."""

    version: str
    branch: str
    pep: int | None
    status: str
    first_release: str
    end_of_life: str
    release_manager: str
    updated: datetime


class ReleaseCycleList(msgspec.Struct):
    data: list[ReleaseCycleRead]
    meta: ListMeta


class ReleaseWithFiles(msgspec.Struct):
    release: ReleaseSummary
    files: list[ReleaseFileRead]


class OSReleases(msgspec.Struct):
    os: OSRead
    stable: list[ReleaseWithFiles]
    pre_releases: list[ReleaseWithFiles]


class FilesForOS(msgspec.Struct):
    os: OSRead
    files: list[ReleaseFileRead]


class ReleaseDetail(msgspec.Struct):
    release: ReleaseRead
    files_by_os: list[FilesForOS]
    superseded_by: ReleaseSummary | None
