"""``/api/v3/previews``: ask for a private, expiring preview of a record as it will be published,
poll it, and read the page; and the draft data the site builder renders it from (builder's key
only). docs/previews.md.

The draft comes from the loader the record's domain declares (``PREVIEWS`` in its controllers,
collected by the entry point into ``app.state.preview_kinds``; core/previews.py): its own public
read function, so the builder gets exactly the shape it reads for a published record, and its own
permission. Unsaved ``changes`` are applied by the domain's own save service in a transaction of
their own that is always rolled back: validated and rendered exactly as a save would, and never
stored. This module imports no other domain.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core.db import add_after_commit, rollback
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.permissions import (
    READ_CHANGES,
    Principal,
    login_required,
    permission_required,
    require_principal,
)
from pydotorg.core.previews import PreviewKind
from pydotorg.domains.previews import schemas
from pydotorg.domains.previews import services as svc
from pydotorg.domains.previews.models import Preview
from pydotorg.domains.previews.tasks import enqueue_render
from pydotorg.settings import Settings

# The static site's Content-Security-Policy (sitebuilder/headers.py; a test keeps them equal): the
# page is the theme's, served from the API's path on the site's host.
SITE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "media-src 'self' https:; font-src 'self'; connect-src 'self'; frame-src https://www.youtube.com "
    "https://www.youtube-nocookie.com https://player.vimeo.com https://console.python.org; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
PRIVATE_HEADERS = {
    "Cache-Control": "no-store, private",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": SITE_CSP,
    "X-Content-Type-Options": "nosniff",
}
Token = Annotated[str, Parameter(min_length=1, max_length=100)]
PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


async def draft_source(
    session: AsyncSession,
    principal: Principal,
    kind: PreviewKind,
    ident: int,
    changes: dict[str, Any] | None,
) -> schemas.PreviewSource:
    """The record (with ``changes`` applied) as its public read would answer once published, from
    the domain's own loader. Run in a transaction that is rolled back afterwards."""
    if changes and not kind.takes_changes:
        message = f"Unsaved changes cannot be previewed for a {kind.type}; save the {kind.type} first."
        raise ValidationFailed({"changes": [message]})
    record, views = await kind.load(session, principal, ident, changes)
    return schemas.PreviewSource(
        type=kind.type,  # type: ignore[arg-type]
        id=ident,
        record=msgspec.to_builtins(record),
        views=views,
    )


def _read(preview: Preview, token: str, settings: Settings) -> schemas.PreviewRead:
    return schemas.PreviewRead(
        token=token,
        url=f"{settings.site_url.rstrip('/')}/api/v3/previews/{token}",
        status=preview.status,  # type: ignore[arg-type]
        expires_at=preview.expires_at,
        type=preview.record_type,  # type: ignore[arg-type]
        id=preview.record_id,
        error=preview.error,
    )


def _page(status: int, title: str, text: str, *, refresh: bool = False) -> Response[str]:
    head = '<meta http-equiv="refresh" content="2">' if refresh else ""
    body = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">{head}'
        f'<meta name="robots" content="noindex, nofollow"><title>{title}</title></head>'
        f"<body><h1>{title}</h1><p>{text}</p></body></html>"
    )
    return Response(body, status_code=status, media_type="text/html", headers=PRIVATE_HEADERS)


class PreviewsController(Controller):
    path = "/api/v3/previews"
    tags = ["previews"]

    @post(
        "/",
        operation_id="previews_create",
        summary="Ask for a private preview of a record as it will be published",
        guards=[login_required],
        status_code=201,
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        data: JSONBody[schemas.PreviewCreate],
    ) -> schemas.PreviewRead:
        principal = require_principal(request)
        kinds: dict[str, PreviewKind] = request.app.state.preview_kinds
        kind = kinds.get(data.type)
        if kind is None:
            raise ValidationFailed({"type": [f"Must be one of: {', '.join(sorted(kinds))}."]})
        if not principal.has_perm(kind.permission):
            raise PermissionDeniedException(f"The {kind.permission} permission is required.")
        settings: Settings = request.app.state.settings
        await request.app.state.rate_limiter.check(
            request, "preview", settings.rate_limit_preview, identity=f"user:{principal.user_id}"
        )
        sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
        async with sessionmaker() as draft:
            draft.info["actor_id"] = principal.user_id
            try:
                source = await draft_source(draft, principal, kind, data.id, data.changes)
            finally:
                await rollback(draft)  # never stored: the draft lives in the preview only
        preview, token = await svc.create(
            tx,
            user_id=principal.user_id,
            record_type=data.type,
            record_id=data.id,
            source=msgspec.to_builtins(source),
            ttl_seconds=settings.preview_ttl_seconds,
        )
        queue, preview_id = request.app.state.queue, preview.id

        async def enqueue() -> None:
            await enqueue_render(queue, preview_id, settings)

        add_after_commit(tx, enqueue)
        return _read(preview, token, settings)

    @get("/{token:str}/status", operation_id="previews_status", summary="Whether a preview is ready")
    async def status(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], token: Token
    ) -> schemas.PreviewRead:
        return _read(await svc.by_token(tx, token), token, request.app.state.settings)

    @get(
        "/{token:str}",
        operation_id="previews_html",
        summary="The preview page (text/html; never cached or indexed)",
        media_type="text/html",
    )
    async def html(self, tx: NamedDependency[AsyncSession], token: FromPath[str]) -> Response[str]:
        # Any token is looked up (by its hash), so a browser always gets an HTML page back, never
        # a JSON error under a text/html route.
        try:
            preview = await svc.by_token(tx, token)
        except NotFoundException:
            return _page(404, "Preview not found", "This preview does not exist or has expired.")
        if preview.status == "ready" and preview.html is not None:
            return Response(preview.html, media_type="text/html", headers=PRIVATE_HEADERS)
        if preview.status == "failed":
            return _page(409, "Preview failed", "The preview could not be rendered; ask for a new one.")
        return _page(
            202, "Preview being built", "The preview is being rendered; this page reloads.", refresh=True
        )

    @get(
        "/source/{preview_id:int}",
        operation_id="previews_source",
        summary="The draft a preview renders, as the public read of the published record (site builder only)",
        guards=[permission_required(READ_CHANGES)],
    )
    async def source(self, tx: NamedDependency[AsyncSession], preview_id: PK) -> schemas.PreviewSource:
        preview = await svc.by_id(tx, preview_id)
        return msgspec.convert(preview.source, schemas.PreviewSource)


ROUTE_HANDLERS = (PreviewsController,)
