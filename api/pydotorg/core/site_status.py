"""What the worker knows about the published site, kept in Redis for the API and the worker itself.

After every ``site.rebuild`` build the worker stores the builder's report (its
``_state/last-build.json``: counts, cursor, the outputs it had to skip) or the error of a build
that failed, and the cursor it published. ``GET /api/v3/site/status`` shows these with the head
of the change feed. The site builder imports nothing from here: its report crosses as a file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger(__name__)

SITE_CURSOR_KEY = "pydotorg:site:published_cursor"
LAST_BUILD_KEY = "pydotorg:site:last_build"
LAST_ERROR_KEY = "pydotorg:site:last_error"
REPORT_FILE = Path("_state") / "last-build.json"


def read_build_report(site_dir: Path) -> dict[str, Any] | None:
    """The builder's report of its last successful build, or None when there is none (yet)."""
    try:
        report = json.loads((site_dir / REPORT_FILE).read_text())
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) else None


async def published_cursor(redis: Any, site_dir: Path) -> int | None:
    """The change-feed cursor the published site reflects: what the worker last stored in Redis,
    else (Redis restarted empty, or a build run by hand) the builder's own report; None when
    neither says."""
    raw = await redis.get(SITE_CURSOR_KEY)
    if raw is not None:
        return int(raw)
    report = read_build_report(site_dir)
    cursor = report.get("cursor") if report else None
    return cursor if isinstance(cursor, int) else None


async def load_json(redis: Any, key: str) -> dict[str, Any] | None:
    raw = await redis.get(key)
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


async def record_success(redis: Any, cursor: int, report: dict[str, Any] | None, finished_at: str) -> None:
    """A build published ``cursor``; ``report`` is its ``last-build.json``."""
    summary = {k: v for k, v in (report or {}).items() if k not in ("published", "deleted_files")}
    summary["finished_at"] = finished_at
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(SITE_CURSOR_KEY, cursor)
        pipe.set(LAST_BUILD_KEY, json.dumps(summary, sort_keys=True))
        pipe.delete(LAST_ERROR_KEY)
        await pipe.execute()


async def record_failure(redis: Any, error: str, finished_at: str) -> None:
    """A build failed: nothing was published and the cursor stays where it was."""
    try:
        await redis.set(LAST_ERROR_KEY, json.dumps({"error": error[-2000:], "finished_at": finished_at}))
    except Exception as exc:  # Redis down as well: the log still has it
        log.warning("site_status_store_failed", error=str(exc))
