"""A draft preview: one record's page, rendered with the real theme exactly as a build would
publish it, into a temporary directory; nothing is published, saved or purged.

``python -m sitebuilder.preview --api URL --preview-id N [--state-dir DIR] [--html-out FILE]``
(the worker's ``previews.render`` job runs it, docs/previews.md):

1. reads the draft with the builder's key (``GET /api/v3/previews/source/<id>``: the record as its
   public read would answer once published, and for a release its page's view);
2. loads the snapshot the last build saved (read only; when there is none yet, reads what a full
   build reads) and puts the draft in it as if it were published;
3. plans the whole site from that snapshot (so the page shows what the published one will: its
   boxes, menus, the releases it lists) and renders only the output of that record;
4. writes the page, with a "Preview — not published" banner and ``noindex``, to ``--html-out``
   (or stdout).

Links are rendered with an empty site URL, so the theme's files load from the host the preview
is served on (``/theme/...``: the site's host, where the CDN and the dev server route ``/api/``).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from sitebuilder.build import render_outputs
from sitebuilder.fetch import full_fetch
from sitebuilder.outputs import Output, record_of, url_of
from sitebuilder.plan import plan
from sitebuilder.settings import BuilderSettings
from sitebuilder.snapshot import Api, ApiError, Snapshot

# A preview's record type -> the change feed's (domain, kind) of its pages, and the snapshot's prefix.
RECORDS: dict[str, tuple[str, str, str]] = {
    "page": ("pages", "page", "page"),
    "release": ("downloads", "release", "release"),
    "event": ("events", "event", "event"),
    "story": ("successstories", "story", "story"),
    "job": ("jobs", "job", "job"),
}
BANNER = (
    '<div class="preview-banner" role="note" id="preview-banner"><p><mark><strong>Preview — not '
    "published</strong></mark> This private preview shows a draft as it will look once published. "
    "It is not on the public site, and its address expires.</p></div>"
)
ROBOTS = '<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">'
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)


class PreviewError(RuntimeError):
    pass


def apply_draft(snap: Snapshot, source: dict[str, Any]) -> tuple[str, str, str]:
    """Put the draft into ``snap`` as a published record; returns the record's (domain, kind, id)."""
    kind, ident, record = source["type"], int(source["id"]), source["record"]
    if kind not in RECORDS:
        raise PreviewError(f"cannot preview a {kind!r}")
    domain, feed_kind, prefix = RECORDS[kind]
    if kind == "release":
        old = snap.data.get(f"release:{ident}")
        if old is not None:
            snap.data.pop(f"view:release/{old['slug']}", None)
        snap.data[f"view:release/{record['slug']}"] = source["views"]["release_detail"]
    snap.data[f"{prefix}:{ident}"] = record
    return record_of(domain, feed_kind, ident)


def choose(outputs: list[Output], wanted: tuple[str, str, str], url: str | None) -> Output:
    """The record's page: the HTML output made from it (the one at its URL when there are several)."""
    mine = [o for o in outputs if o.record == wanted and o.template is not None and o.alias_of is None]
    if not mine:
        raise PreviewError(
            "the record has no page of its own to preview (another page of the site takes its path?)"
        )
    return next((o for o in mine if url is not None and url_of(o.path) == url), mine[0])


def mark(html: str) -> str:
    """The banner at the top of the body and ``noindex`` in the head."""
    html = _HEAD.sub(lambda m: m.group(0) + ROBOTS, html, count=1)
    return _BODY.sub(lambda m: m.group(0) + BANNER, html, count=1)


def preview(api: Api, preview_id: int, state_dir: Path | None) -> str:
    source = api.get(f"/api/v3/previews/source/{preview_id}", auth=True)
    snap = Snapshot.load(state_dir / "snapshot.json") if state_dir is not None else None
    if snap is None:
        snap = full_fetch(api)  # no build yet: read what one would
    wanted = apply_draft(snap, source)
    outputs, _ = plan(snap, "")
    output = choose(outputs, wanted, source["record"].get("url"))
    with tempfile.TemporaryDirectory(prefix="sitebuilder-preview-") as tmp:
        rendered = Path(tmp)
        failed = render_outputs([output], rendered, snap, "")
        if failed:
            raise PreviewError(f"the page could not be rendered: {failed[0].reason}")
        return mark((rendered / output.path).read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sitebuilder.preview", description=__doc__)
    settings = BuilderSettings.from_env()
    parser.add_argument("--api", required=True, help="API base URL")
    parser.add_argument("--preview-id", required=True, type=int)
    parser.add_argument("--api-key", default=settings.site_api_key)
    parser.add_argument("--state-dir", type=Path, default=None, help="the builder's _state directory")
    parser.add_argument("--html-out", type=Path, default=None, help="write the page here (default: stdout)")
    args = parser.parse_args(argv)
    if not args.api_key:
        print("error: the site builder's API key is required (PYDOTORG_SITE_API_KEY)", file=sys.stderr)
        return 2
    api = Api(args.api, args.api_key)
    try:
        html = preview(api, args.preview_id, args.state_dir)
    except (ApiError, PreviewError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        api.close()
    if args.html_out is None:
        sys.stdout.write(html)
    else:
        args.html_out.write_text(html)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
