"""``/api/v3/downloads/``: operating systems, releases, release files and the page views."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset
from pydotorg.core.permissions import (
    Principal,
    permission_required,
    principal_of,
)
from pydotorg.core.previews import Loaded, PreviewKind, changed_fields
from pydotorg.core.revalidate import REVALIDATE
from pydotorg.core.schemas import given_fields
from pydotorg.domains.downloads import release_cycle, schemas
from pydotorg.domains.downloads import services as svc
from pydotorg.domains.downloads.models import (
    ADD_FILE,
    ADD_OS,
    ADD_RELEASE,
    CHANGE_FILE,
    CHANGE_OS,
    CHANGE_RELEASE,
    DELETE_FILE,
    DELETE_OS,
    DELETE_RELEASE,
    OS,
    Release,
    ReleaseCycle,
    ReleaseFile,
)
from pydotorg.domains.downloads.release_cycle import ActiveRelease, EolInfo

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
# Every read here is a function of the request, the caller's rights and change-fed data (the
# release-cycle rows included): a revalidation is answered from the remembered tag.
REVALIDATABLE = {REVALIDATE: True}
SlugParam = Annotated[str, Parameter(min_length=1, max_length=200)]
Flag = bool | None


def release_url(release: Release) -> str:
    return f"/downloads/release/{release.slug}/"


def os_read(os: OS) -> schemas.OSRead:
    return schemas.OSRead(id=os.id, name=os.name, slug=os.slug, created=os.created, updated=os.updated)


def release_read(r: Release, eol: EolInfo) -> schemas.ReleaseRead:
    return schemas.ReleaseRead(
        id=r.id,
        name=r.name,
        slug=r.slug,
        version=r.version,
        is_latest=r.is_latest,
        is_published=r.is_published,
        pre_release=r.pre_release,
        show_on_download_page=r.show_on_download_page,
        release_date=r.release_date,
        release_page_id=r.release_page_id,
        release_notes_url=r.release_notes_url,
        content=r.content,
        content_markup_type=r.content_markup_type,
        content_html=r.content_html,
        created=r.created,
        updated=r.updated,
        url=release_url(r),
        is_eol=eol.is_eol,
        end_of_life=eol.end_of_life,
    )


async def release_out(tx: AsyncSession, r: Release) -> schemas.ReleaseRead:
    """A release as v3 shows it, with its end-of-life information."""
    return release_read(r, await release_cycle.eol_info(tx, r.name))


def summary(r: Release | None) -> schemas.ReleaseSummary | None:
    if r is None:
        return None
    return schemas.ReleaseSummary(
        id=r.id,
        name=r.name,
        slug=r.slug,
        version=r.version,
        version_number=svc.get_version(r.name),
        pre_release=r.pre_release,
        release_date=r.release_date,
        release_notes_url=r.release_notes_url,
        url=release_url(r),
    )


def file_read(f: ReleaseFile) -> schemas.ReleaseFileRead:
    return schemas.ReleaseFileRead(
        id=f.id,
        name=f.name,
        slug=f.slug,
        os_id=f.os_id,
        release_id=f.release_id,
        description=f.description,
        is_source=f.is_source,
        url=f.url,
        gpg_signature_file=f.gpg_signature_file,
        sigstore_signature_file=f.sigstore_signature_file,
        sigstore_cert_file=f.sigstore_cert_file,
        sigstore_bundle_file=f.sigstore_bundle_file,
        sbom_spdx2_file=f.sbom_spdx2_file,
        md5_sum=f.md5_sum,
        sha256_sum=f.sha256_sum,
        filesize=f.filesize,
        download_button=f.download_button,
        created=f.created,
        updated=f.updated,
    )


class OSController(Controller):
    path = "/api/v3/downloads/os"
    tags = ["downloads"]

    @get("/", operation_id="downloads_os_list", summary="Operating systems", opt=REVALIDATABLE)
    async def list_os(
        self,
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        slug: FromQuery[SlugParam | None] = None,
    ) -> schemas.OSList:
        rows, meta = await svc.list_os(tx, limit=limit, offset=offset, slug=slug)
        return schemas.OSList(data=[os_read(o) for o in rows], meta=meta)

    @get("/{os_id:int}", operation_id="downloads_os_read", summary="One operating system", opt=REVALIDATABLE)
    async def read_os(self, tx: NamedDependency[AsyncSession], os_id: PK) -> schemas.OSRead:
        return os_read(await svc.get_os(tx, os_id))

    @get("/slug/{slug:str}", operation_id="downloads_os_by_slug", summary="By slug", opt=REVALIDATABLE)
    async def os_by_slug(self, tx: NamedDependency[AsyncSession], slug: SlugParam) -> schemas.OSRead:
        return os_read(await svc.os_with_slug(tx, slug))

    @post(
        "/",
        operation_id="downloads_os_create",
        summary="Add an operating system",
        guards=[permission_required(ADD_OS)],
    )
    async def create_os(
        self, tx: NamedDependency[AsyncSession], data: JSONBody[schemas.OSCreate]
    ) -> schemas.OSRead:
        return os_read(await svc.save_os(tx, given_fields(data)))

    @patch(
        "/{os_id:int}",
        operation_id="downloads_os_update",
        summary="Change an OS",
        guards=[permission_required(CHANGE_OS)],
    )
    async def update_os(
        self, tx: NamedDependency[AsyncSession], os_id: PK, data: JSONBody[schemas.OSUpdate]
    ) -> schemas.OSRead:
        return os_read(await svc.save_os(tx, given_fields(data), await svc.get_os(tx, os_id)))

    @delete(
        "/{os_id:int}",
        operation_id="downloads_os_delete",
        summary="Delete an OS",
        guards=[permission_required(DELETE_OS)],
    )
    async def delete_os(self, tx: NamedDependency[AsyncSession], os_id: PK) -> None:
        await svc.delete(tx, await svc.get_os(tx, os_id))

    @get(
        "/slug/{slug:str}/releases",
        operation_id="downloads_os_releases",
        summary="Published releases with files for this OS (stable and pre-releases)",
        opt=REVALIDATABLE,
    )
    async def os_releases(self, tx: NamedDependency[AsyncSession], slug: SlugParam) -> schemas.OSReleases:
        os = await svc.os_with_slug(tx, slug)
        stable, pre = await svc.os_releases(tx, os)

        def pack(groups: list[tuple[Release, list[ReleaseFile]]]) -> list[schemas.ReleaseWithFiles]:
            out = []
            for release, files in groups:
                s = summary(release)
                assert s is not None
                out.append(schemas.ReleaseWithFiles(release=s, files=[file_read(f) for f in files]))
            return out

        return schemas.OSReleases(os=os_read(os), stable=pack(stable), pre_releases=pack(pre))


class ReleaseController(Controller):
    path = "/api/v3/downloads/releases"
    tags = ["downloads"]

    @get(
        "/",
        operation_id="downloads_releases_list",
        summary="Releases, newest first (drafts only for editors)",
        opt=REVALIDATABLE,
    )
    async def list_releases(
        self,
        request: Request[Any, Any, Any],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        version: Annotated[int | None, Parameter(ge=1, le=100)] = None,
        is_published: FromQuery[Flag] = None,
        is_latest: FromQuery[Flag] = None,
        pre_release: FromQuery[Flag] = None,
        show_on_download_page: FromQuery[Flag] = None,
        name: Annotated[str | None, Parameter(max_length=200)] = None,
        slug: Annotated[str | None, Parameter(max_length=200)] = None,
        q: Annotated[str | None, Parameter(max_length=200, description="name contains")] = None,
    ) -> schemas.ReleaseList:
        equal = {
            "version": version,
            "is_published": is_published,
            "is_latest": is_latest,
            "pre_release": pre_release,
            "show_on_download_page": show_on_download_page,
            "name": name,
            "slug": slug,
        }
        data, meta = await svc.list_releases(
            request.app.state.reads, principal_of(request), limit=limit, offset=offset, equal=equal, q=q
        )
        return schemas.ReleaseList(data=data, meta=meta)

    @get(
        "/{release_id:int}", operation_id="downloads_releases_read", summary="One release", opt=REVALIDATABLE
    )
    async def read_release(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], release_id: PK
    ) -> schemas.ReleaseRead:
        return await release_out(tx, await svc.get_release(tx, release_id, principal_of(request)))

    @get(
        "/slug/{slug:str}",
        operation_id="downloads_releases_detail",
        summary="A release with its files grouped by OS (the release page)",
        opt=REVALIDATABLE,
    )
    async def release_detail(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], slug: SlugParam
    ) -> schemas.ReleaseDetail:
        release = await svc.release_with_slug(tx, slug, principal_of(request))
        groups: dict[int, schemas.FilesForOS] = {}
        for rfile, os in await svc.files_with_os(tx, release):
            groups.setdefault(os.id, schemas.FilesForOS(os=os_read(os), files=[])).files.append(
                file_read(rfile)
            )
        return schemas.ReleaseDetail(
            release=await release_out(tx, release),
            files_by_os=list(groups.values()),
            superseded_by=summary(await svc.superseded_by(tx, release)),
        )

    @post(
        "/",
        operation_id="downloads_releases_create",
        summary="Add a release",
        guards=[permission_required(ADD_RELEASE)],
    )
    async def create_release(
        self, tx: NamedDependency[AsyncSession], data: JSONBody[schemas.ReleaseCreate]
    ) -> schemas.ReleaseRead:
        values = given_fields(data)
        if values.get("release_date") is None:
            values.pop("release_date", None)
        return await release_out(tx, await svc.save_release(tx, values))

    @patch(
        "/{release_id:int}",
        operation_id="downloads_releases_update",
        summary="Change a release",
        guards=[permission_required(CHANGE_RELEASE)],
    )
    async def update_release(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        release_id: PK,
        data: JSONBody[schemas.ReleaseUpdate],
    ) -> schemas.ReleaseRead:
        release = await svc.get_release(tx, release_id, principal_of(request))
        return await release_out(tx, await svc.save_release(tx, given_fields(data), release))

    @delete(
        "/{release_id:int}",
        operation_id="downloads_releases_delete",
        summary="Delete a release and its files",
        guards=[permission_required(DELETE_RELEASE)],
    )
    async def delete_release(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], release_id: PK
    ) -> None:
        release = await svc.get_release(tx, release_id, principal_of(request))
        await svc.delete_files_of_release(tx, release.id)
        await svc.delete(tx, release)


class ReleaseFileController(Controller):
    path = "/api/v3/downloads/files"
    tags = ["downloads"]

    @get(
        "/",
        operation_id="downloads_files_list",
        summary="Release files (files of drafts only for editors)",
        opt=REVALIDATABLE,
    )
    async def list_files(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        release_id: Annotated[int | None, Parameter(ge=1, le=2**31 - 1)] = None,
        os_id: Annotated[int | None, Parameter(ge=1, le=2**31 - 1)] = None,
        os_slug: Annotated[str | None, Parameter(max_length=200)] = None,
        release_slug: Annotated[str | None, Parameter(max_length=200)] = None,
        download_button: FromQuery[Flag] = None,
    ) -> schemas.ReleaseFileList:
        rows, meta = await svc.list_release_files(
            tx,
            principal_of(request),
            limit=limit,
            offset=offset,
            release_id=release_id,
            os_id=os_id,
            os_slug=os_slug,
            release_slug=release_slug,
            download_button=download_button,
        )
        return schemas.ReleaseFileList(data=[file_read(f) for f in rows], meta=meta)

    @get("/{file_id:int}", operation_id="downloads_files_read", summary="One release file", opt=REVALIDATABLE)
    async def read_file(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], file_id: PK
    ) -> schemas.ReleaseFileRead:
        return file_read(await svc.get_release_file(tx, file_id, principal_of(request)))

    @post(
        "/",
        operation_id="downloads_files_create",
        summary="Add a release file",
        guards=[permission_required(ADD_FILE)],
    )
    async def create_file(
        self, tx: NamedDependency[AsyncSession], data: JSONBody[schemas.ReleaseFileCreate]
    ) -> schemas.ReleaseFileRead:
        return file_read(await svc.save_release_file(tx, given_fields(data)))

    @patch(
        "/{file_id:int}",
        operation_id="downloads_files_update",
        summary="Change a release file",
        guards=[permission_required(CHANGE_FILE)],
    )
    async def update_file(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        file_id: PK,
        data: JSONBody[schemas.ReleaseFileUpdate],
    ) -> schemas.ReleaseFileRead:
        rfile = await svc.get_release_file(tx, file_id, principal_of(request))
        return file_read(await svc.save_release_file(tx, given_fields(data), rfile))

    @delete(
        "/{file_id:int}",
        operation_id="downloads_files_delete",
        summary="Delete a release file",
        guards=[permission_required(DELETE_FILE)],
    )
    async def delete_file(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], file_id: PK
    ) -> None:
        await svc.delete(tx, await svc.get_release_file(tx, file_id, principal_of(request)))

    @delete(
        "/",
        operation_id="downloads_files_delete_by_release",
        status_code=200,
        summary="Delete every file of one release",
        guards=[permission_required(DELETE_FILE)],
    )
    async def delete_by_release(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        release_id: Annotated[int, Parameter(ge=1, le=2**31 - 1)],
    ) -> schemas.BulkDeleted:
        await svc.get_release(tx, release_id, principal_of(request))
        return schemas.BulkDeleted(deleted=await svc.delete_files_of_release(tx, release_id))


class DownloadsViewsController(Controller):
    path = "/api/v3/downloads"
    tags = ["downloads"]

    @get(
        "/landing",
        operation_id="downloads_landing",
        summary="Everything the /downloads/ page shows, in one call",
        opt=REVALIDATABLE,
    )
    async def landing(self, tx: NamedDependency[AsyncSession]) -> schemas.DownloadsLanding:
        view = await svc.landing(tx)
        return schemas.DownloadsLanding(
            latest_python3=summary(view.latest_python3),
            latest_python2=summary(view.latest_python2),
            latest_pymanager=summary(view.latest_pymanager),
            featured=[
                schemas.FeaturedFiles(os=k, files=[file_read(f) for f in v])
                for k, v in sorted(view.featured.items())
            ],
            active_series=[s for s in map(summary, view.series) if s is not None],
            releases=[s for s in map(summary, view.releases) if s is not None],
            active_releases=[active_release(row) for row in view.active_releases],
        )

    @get(
        "/release-cycle",
        operation_id="downloads_release_cycle",
        summary="The PEPs release-cycle data: every feature series' status, newest first",
        opt=REVALIDATABLE,
    )
    async def release_cycle(
        self, tx: NamedDependency[AsyncSession], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.ReleaseCycleList:
        rows, meta = await release_cycle.list_series(tx, limit=limit, offset=offset)
        return schemas.ReleaseCycleList(data=[release_cycle_read(row) for row in rows], meta=meta)


def active_release(row: ActiveRelease) -> schemas.ActiveRelease:
    return schemas.ActiveRelease(
        version=row.version,
        status=row.status,
        first_release=row.first_release,
        end_of_life=row.end_of_life,
        pep=row.pep,
        last_release=summary(row.last_release),
    )


def release_cycle_read(row: ReleaseCycle) -> schemas.ReleaseCycleRead:
    return schemas.ReleaseCycleRead(
        version=row.version,
        branch=row.branch,
        pep=row.pep,
        status=row.status,
        first_release=row.first_release,
        end_of_life=row.end_of_life,
        release_manager=row.release_manager,
        updated=row.updated,
    )


async def _preview(
    session: AsyncSession, principal: Principal, release_id: int, changes: dict[str, Any] | None
) -> Loaded:
    """A release as its public read and its page's view will answer once published."""
    release = await svc.get_release(session, release_id, principal)
    if changes:
        release = await svc.save_release(session, changed_fields(schemas.ReleaseUpdate, changes), release)
    read = msgspec.structs.replace(await release_out(session, release), is_published=True)
    groups: dict[int, schemas.FilesForOS] = {}
    for rfile, os in await svc.files_with_os(session, release):
        groups.setdefault(os.id, schemas.FilesForOS(os=os_read(os), files=[])).files.append(file_read(rfile))
    detail = schemas.ReleaseDetail(
        release=read,
        files_by_os=list(groups.values()),
        superseded_by=summary(await svc.superseded_by(session, release)),
    )
    return read, {"release_detail": msgspec.to_builtins(detail)}


PREVIEWS = (PreviewKind("release", CHANGE_RELEASE, _preview, takes_changes=True),)
