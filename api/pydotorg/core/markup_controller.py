"""``POST /api/v3/markup/render``: the API's own renderer for editors' live previews (issue 20).

The browser console (``/manage/``) shows what a markup field will look like while it is typed:
the same ``core/markup.render`` (and the same sanitizer) the domains store ``*_html`` with, so
what an editor sees is what is stored. Nothing is read or written.

Who may call it: an active staff member, or anyone holding a permission to add or change
something (``<domain>.add_*`` / ``<domain>.change_*``): the people who edit content. It is a
sanitizer in a loop otherwise, and costs CPU for rST, so it is not open to every account.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio.to_thread
import msgspec
from litestar import Controller, post
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import JSONBody

from pydotorg.core.errors import ValidationFailed
from pydotorg.core.markup import render
from pydotorg.core.permissions import require_principal
from pydotorg.core.schemas import Input

MAX_CONTENT_BYTES = 200 * 1024
# The four markup types, and the two legacy names CMS pages and releases still store
# (``markdown_unsafe``: markdown whose raw HTML the sanitizer then cleans; ``plain``: text), rendered
# as the pages domain renders them (domains/pages/services.render_page).
RenderMarkup = Literal["markdown", "restructuredtext", "html", "text", "markdown_unsafe", "plain"]
_ALIASES = {"markdown_unsafe": "markdown", "plain": "text"}


class MarkupRender(Input):
    markup_type: RenderMarkup
    # Characters are bounded loosely here (a decoder bound); the 200 KB limit is on UTF-8 bytes.
    content: Annotated[str, msgspec.Meta(max_length=MAX_CONTENT_BYTES)]


class MarkupRendered(msgspec.Struct):
    html: str


def may_render(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: active staff, or a holder of any ``*.add_*`` / ``*.change_*`` permission."""
    principal = require_principal(connection)
    editor = any(name.partition(".")[2].startswith(("add_", "change_")) for name in principal.permissions)
    if not (principal.is_active and (principal.is_staff or principal.is_superuser or editor)):
        raise PermissionDeniedException("Staff access or a permission to add or change content is required.")


class MarkupController(Controller):
    path = "/api/v3/markup"
    tags = ["markup"]

    @post(
        "/render",
        operation_id="markup_render",
        guards=[may_render],
        status_code=200,
        summary="Render and sanitize markup as the API stores it (staff or content editors)",
    )
    async def render_markup(self, data: JSONBody[MarkupRender]) -> MarkupRendered:
        if len(data.content.encode("utf-8")) > MAX_CONTENT_BYTES:
            raise ValidationFailed({"content": [f"Content is limited to {MAX_CONTENT_BYTES // 1024} KB."]})
        kind = _ALIASES.get(data.markup_type, data.markup_type)
        # reStructuredText of a few hundred KB takes a while: off the event loop.
        html = await anyio.to_thread.run_sync(render, data.content, kind)
        return MarkupRendered(html=html)
