"""The previews' jobs: ``previews.render`` runs the site builder's preview mode
(``python -m sitebuilder.preview``, its own process as every build) and stores the page it wrote;
``previews.cleanup`` (every ten minutes) deletes expired previews.

The builder writes the page to a file the job names (``--html-out``) and the job stores it: the
worker already starts the builder and waits for it, so no second way for the builder's key to
write into the API is needed, and the page never passes through the builder's log output.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import structlog
from saq import CronJob, Queue
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core.db import transaction
from pydotorg.domains.previews.models import FAILED, PENDING, READY, Preview
from pydotorg.domains.previews.services import CLEANUP_JOB, RENDER_JOB, delete_expired
from pydotorg.settings import Settings

log = structlog.get_logger(__name__)
MAX_HTML_BYTES = 5 * 1024 * 1024


async def enqueue_render(queue: Queue, preview_id: int, settings: Settings) -> None:
    await queue.enqueue(
        RENDER_JOB,
        key=f"{RENDER_JOB}:{preview_id}",
        preview_id=preview_id,
        timeout=settings.preview_timeout_seconds + 10,
        retries=1,
    )


async def _finish(
    sessionmaker: async_sessionmaker[AsyncSession], preview_id: int, *, html: str | None, error: str
) -> None:
    async with transaction(sessionmaker) as s:
        preview = await s.get(Preview, preview_id)
        if preview is None:
            return
        preview.status = READY if html is not None else FAILED
        preview.html = html
        preview.error = error


async def run_preview_builder(settings: Settings, preview_id: int, html_out: Path) -> tuple[int, str]:
    """``python -m sitebuilder.preview`` for one preview; (exit status, the end of its stderr)."""
    env = {
        **os.environ,
        "PYDOTORG_SITE_API_KEY": settings.site_api_key,
        "PYDOTORG_SITE_URL": settings.site_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sitebuilder.preview",
        "--api",
        settings.site_api_url,
        "--preview-id",
        str(preview_id),
        "--state-dir",
        str(settings.site_dir / "_state"),
        "--html-out",
        str(html_out),
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=settings.preview_timeout_seconds)
    except (TimeoutError, asyncio.CancelledError):
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise
    return process.returncode or 0, stderr.decode(errors="replace")[-1000:]


async def render(ctx: dict[str, Any], *, preview_id: int) -> dict[str, Any]:
    """``previews.render``: the builder renders the preview's draft; the page (or why it failed)
    is stored on the preview."""
    settings: Settings = ctx["settings"]
    sessionmaker: async_sessionmaker[AsyncSession] = ctx["sessionmaker"]
    async with transaction(sessionmaker) as s:
        preview = await s.get(Preview, preview_id)
        if preview is None or preview.status != PENDING:
            return {"rendered": False}
    if not settings.site_api_key:
        await _finish(sessionmaker, preview_id, html=None, error="The site builder is not configured.")
        return {"rendered": False}
    with tempfile.TemporaryDirectory(prefix="pydotorg-preview-") as tmp:
        html_out = Path(tmp) / "preview.html"
        try:
            status, stderr = await run_preview_builder(settings, preview_id, html_out)
        except TimeoutError:
            status, stderr = 1, "the preview build timed out"
        html = html_out.read_text() if status == 0 and html_out.is_file() else None
    if html is not None and len(html.encode()) > MAX_HTML_BYTES:
        html, stderr = None, "the rendered page is too large"
    if html is None:
        log.warning("preview_failed", preview_id=preview_id, error=stderr)
        lines = [line for line in stderr.strip().splitlines() if line.startswith("error:")]
        await _finish(sessionmaker, preview_id, html=None, error=lines[-1] if lines else "rendering failed")
        return {"rendered": False}
    await _finish(sessionmaker, preview_id, html=html, error="")
    return {"rendered": True}


async def cleanup(ctx: dict[str, Any]) -> int:
    """``previews.cleanup``: delete the previews that have expired (they already answer 404)."""
    async with transaction(ctx["sessionmaker"]) as s:
        return await delete_expired(s)


render.__qualname__ = RENDER_JOB
cleanup.__qualname__ = CLEANUP_JOB

JOB_FUNCTIONS: tuple[tuple[str, Callable[..., Awaitable[Any]]], ...] = (
    (RENDER_JOB, render),
    (CLEANUP_JOB, cleanup),
)
CRON_JOBS: tuple[CronJob[Any], ...] = (CronJob(cleanup, cron="*/10 * * * *", timeout=120, retries=1),)
