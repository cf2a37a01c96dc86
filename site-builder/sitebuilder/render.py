"""Rendering with Pelican 4.12 and the theme in ``content-theme/``.

API content reaches Pelican through ``ApiOutputsGenerator``: it writes the selected outputs of the
plan with Pelican's writer and the theme's Jinja2 environment (autoescape on). What one render
writes (``RenderJob``: the outputs, the menus, where to report progress and failures) travels in
Pelican's settings, which Pelican hands to every generator: nothing about a build is kept in this
module. Pelican itself keeps process-wide state (signals, locale), so a build runs in its own
process (``sitebuilder.build``).
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pelican import Pelican, signals
from pelican.generators import Generator
from pelican.settings import read_settings

from sitebuilder.outputs import Output, Skipped, text_of

REPO_ROOT = Path(__file__).resolve().parents[2]
THEME = REPO_ROOT / "content-theme"


def theme_version() -> str:
    """A hash of every theme file: a theme change re-renders every page."""
    digest = hashlib.sha256()
    for path in sorted(THEME.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(THEME)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _date(value: Any) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).strftime("%Y-%m-%d")


def _longdate(value: Any) -> str:
    """python.org's "D Month YYYY": "2024-06-06" -> "6 June 2024"."""
    if not value:
        return ""
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return f"{parsed.day} {parsed:%B %Y}"


def _entities(value: Any) -> Markup:
    """Every character as a numeric character reference (python.org's e-mail obfuscation).
    Safe to mark: the output contains nothing but references."""
    return Markup("".join(f"&#{ord(c)};" for c in str(value or "")))  # noqa: S704  (references only)


def _eventdate(value: Any, with_time: bool = False) -> str:
    """An event's day as python.org shows it: "12 May 2027" (and "09:00 UTC" when timed)."""
    if not value:
        return ""
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    text = f"{parsed.day} {parsed:%b %Y}"
    return f"{text}, {parsed:%H:%M} UTC" if with_time else text


def _filesize(value: Any) -> str:
    """Django's ``filesizeformat`` (powers of 1024 with KB/MB/GB labels): 12345678 -> "11.8 MB"."""
    try:
        size = float(value)
    except (TypeError, ValueError):
        return "0 bytes"
    if size < 1024:
        return "1 byte" if size == 1 else f"{int(size)} bytes"
    for unit in ("KB", "MB", "GB", "TB"):
        size /= 1024
        if size < 1024 or unit == "TB":
            return f"{size:.1f} {unit}"
    return f"{size:.1f} TB"


# The Pelican setting that carries the ``RenderJob`` to ``ApiOutputsGenerator``.
RENDER_JOB = "SITEBUILDER_RENDER_JOB"


@dataclass
class RenderJob:
    """One render: the outputs to write, what every page shows (menus), an optional progress
    callback, and the outputs whose rendering raised (filled while rendering)."""

    outputs: Sequence[Output]
    site_globals: dict[str, Any]
    progress: Callable[[int, int], None] | None = None
    failed: list[Skipped] = field(default_factory=list)


class ApiOutputsGenerator(Generator):
    def generate_context(self) -> None:
        self.env.filters["date"] = _date
        self.env.filters["filesizeformat"] = _filesize
        self.env.filters["longdate"] = _longdate
        self.env.filters["entities"] = _entities
        self.env.filters["eventdate"] = _eventdate
        self.context.update(self.job.site_globals)
        self.context["SITE_DESCRIPTION"] = "The official home of the Python Programming Language"

    @property
    def job(self) -> RenderJob:
        job: RenderJob = self.settings[RENDER_JOB]
        return job

    def generate_output(self, writer: Any) -> None:
        job = self.job
        total = len(job.outputs)
        for index, output in enumerate(job.outputs, 1):
            target = Path(self.output_path) / output.path
            if output.alias_of is not None:
                continue  # copied from the output it mirrors once everything is written
            try:
                self._write(writer, output, target)
            except Exception as exc:
                # One record the theme cannot render must not stop the site: leave its file out
                # and report it (build.py), render everything else.
                reason = f"rendering failed: {type(exc).__name__}: {exc}"[:500]
                job.failed.append(Skipped(output.path, reason, output.record))
                if target.is_file():
                    target.unlink()
            if job.progress is not None:
                job.progress(index, total)

    def _write(self, writer: Any, output: Output, target: Path) -> None:
        if output.template is None:
            target.parent.mkdir(parents=True, exist_ok=True)
            text = text_of(output)
            if isinstance(text, bytes):
                target.write_bytes(text)
            else:
                target.write_text(text, encoding="utf-8")
        else:
            writer.write_file(
                output.path,
                self.get_template(output.template.removesuffix(".html")),
                self.context,
                relative_urls=False,
                override_output=True,
                page_url=output.url,
                **output.context,
            )


def _get_generators(_pelican: Any) -> type[Generator]:
    return ApiOutputsGenerator


def render(
    outputs: Sequence[Output],
    out_dir: Path,
    *,
    site_url: str,
    site_globals: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Skipped]:
    """Render ``outputs`` (and the theme's static files) into ``out_dir``; ``site_globals`` is
    what every page shows (menus). Outputs that mirror another (``alias_of``) are rendered by
    the caller copying the mirrored file. Returns the outputs whose rendering raised: they are
    left out of ``out_dir``."""
    job = RenderJob(list(outputs), dict(site_globals or {}), progress)
    signals.get_generators.connect(_get_generators)
    logging.getLogger("pelican").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="pelican-content-") as content:
        settings = read_settings(
            path=None,
            override={
                "PATH": content,
                "OUTPUT_PATH": str(out_dir),
                "CACHE_PATH": str(Path(content) / "cache"),
                "THEME": str(THEME),
                "SITEURL": site_url,
                "SITENAME": "Python.org",
                "TIMEZONE": "UTC",
                "DEFAULT_LANG": "en",
                "RELATIVE_URLS": False,
                "DIRECT_TEMPLATES": [],
                "PAGINATED_TEMPLATES": {},
                "ARCHIVES_SAVE_AS": "",
                "AUTHORS_SAVE_AS": "",
                "CATEGORIES_SAVE_AS": "",
                "TAGS_SAVE_AS": "",
                "INDEX_SAVE_AS": "",
                "FEED_ALL_ATOM": None,
                "FEED_ALL_RSS": None,
                "FEED_ATOM": None,
                "FEED_RSS": None,
                "CATEGORY_FEED_ATOM": None,
                "CATEGORY_FEED_RSS": None,
                "AUTHOR_FEED_ATOM": None,
                "AUTHOR_FEED_RSS": None,
                "TRANSLATION_FEED_ATOM": None,
                "TAG_FEED_ATOM": None,
                "DELETE_OUTPUT_DIRECTORY": False,
                "JINJA_ENVIRONMENT": {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True},
                "JINJA_FILTERS": {
                    "date": _date,
                    "filesizeformat": _filesize,
                    "longdate": _longdate,
                    "entities": _entities,
                    "eventdate": _eventdate,
                },
                "THEME_STATIC_DIR": "theme",
                "STATIC_PATHS": [],
                "PLUGINS": [],
                "LOAD_CONTENT_CACHE": False,
                "CACHE_CONTENT": False,
                RENDER_JOB: job,
            },
        )
        Pelican(settings).run()
    return list(job.failed)
