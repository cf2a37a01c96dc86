"""Redirect rules: which old paths may be redirected, what a target may be, one redirect per path.

The rules are shared with the importer, so a python.org row the API would refuse is reported
instead of stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.db import utcnow
from pydotorg.core.errors import ValidationFailed
from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.records import assign_changed, ensure_unique, get_visible_or_404
from pydotorg.core.urls import link_errors, public_path_errors
from pydotorg.domains.redirects.models import Redirect

MAX_PATH = 200
WHITESPACE = re.compile(r"\s")


def old_path_errors(old_path: str) -> list[str]:
    """Why ``old_path`` cannot be redirected ([] when it can)."""
    if not old_path.startswith("/"):
        return ["Enter a path that starts with /."]
    if len(old_path) > MAX_PATH:
        return [f"Ensure this value has at most {MAX_PATH} characters."]
    if WHITESPACE.search(old_path):
        return ["The path cannot contain whitespace."]
    if "?" in old_path or "#" in old_path:
        # The site is static files behind a CDN: a redirect matches a path, never a query string.
        return ["The path cannot contain a query string (?) or a fragment (#)."]
    if old_path == "/":
        return ["The home page cannot be redirected."]
    if old_path == "/api" or old_path.startswith("/api/"):
        return ["Paths under /api/ belong to the API and cannot be redirected."]
    # The builder writes the redirect's page at this path: the site's one rule for paths.
    return public_path_errors(old_path, max_length=MAX_PATH)


def new_path_errors(new_path: str, old_path: str) -> list[str]:
    """Why ``new_path`` is not a target for ``old_path`` ([] when it is)."""
    if new_path == "":
        return []  # gone: 410
    if len(new_path) > MAX_PATH:
        return [f"Ensure this value has at most {MAX_PATH} characters."]
    if WHITESPACE.search(new_path):
        return ["The target cannot contain whitespace."]
    if link_errors(new_path):  # the one link rule (core/urls.py): no //host, no backslash
        return ['Enter a path starting with a single /, an http(s) URL, or "" for 410 Gone.']
    if new_path == old_path:
        return ["The redirect would point to itself."]
    return []


def check(old_path: str, new_path: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if problems := old_path_errors(old_path):
        errors["old_path"] = problems
    if problems := new_path_errors(new_path, old_path):
        errors["new_path"] = problems
    return errors


async def save_redirect(
    session: AsyncSession, data: Mapping[str, Any], redirect: Redirect | None = None
) -> Redirect:
    values = dict(data)
    old_path = values.get("old_path", redirect.old_path if redirect else "")
    new_path = values.get("new_path", redirect.new_path if redirect else "")
    errors = check(old_path, new_path)
    if "old_path" not in errors:
        # Django's message; the unique index stays the backstop against a concurrent insert.
        await ensure_unique(
            session,
            Redirect,
            "old_path",
            old_path,
            "Redirect with this Old path already exists.",
            exclude=redirect,
            errors=errors,
        )
    if errors:
        raise ValidationFailed(errors)
    if redirect is None:
        redirect = Redirect(old_path=old_path, new_path=new_path)
        session.add(redirect)
    else:
        if assign_changed(redirect, values):
            redirect.updated = utcnow()
    await session.flush()
    return redirect


async def get_redirect(session: AsyncSession, redirect_id: int) -> Redirect:
    return await get_visible_or_404(session, Redirect, redirect_id, f"No redirect with id {redirect_id}.")


async def list_redirects(
    session: AsyncSession, *, limit: int, offset: int, old_path: str | None = None
) -> tuple[list[Redirect], ListMeta]:
    stmt = select(Redirect).order_by(Redirect.old_path, Redirect.id)
    if old_path is not None:
        stmt = stmt.where(Redirect.old_path == old_path)
    return await paginate(session, stmt, limit, offset)
