"""The redirects editors keep in the API (python.org's ``django.contrib.redirects``), and
``_redirects.json``: every redirect the site makes, for origins and the CDN that answer with the
real status (the downloads and pages sections add theirs where they plan them). python.org's
fixed legacy redirects are a table of their own, ``sitebuilder.redirects``.

Reads ``view:redirects``, re-read whole on any redirects change.
"""

from __future__ import annotations

import msgspec

from sitebuilder.outputs import Output, Skipped, record_of
from sitebuilder.sections.base import Section, Site, Watch
from sitebuilder.snapshot import Api, Snapshot

REDIRECTS_FILE = "_redirects.json"


def fetch(api: Api, snap: Snapshot) -> None:
    snap.data["view:redirects"] = list(api.pages_of("/api/v3/redirects"))


def plan(site: Site) -> list[Output]:
    """301 to the new path, or 410 Gone when it is empty. As with Django's fallback middleware, a
    page that exists wins: a redirect only fills a path nothing else is published at. Each
    becomes a page (meta refresh, or a "gone" notice) for plain origins, and an entry in
    ``_redirects.json`` under exactly the path python.org matched."""
    out = []
    taken = set(site.planned)
    for r in site.snap.data.get("view:redirects") or []:
        path = redirect_output_path(r["old_path"])
        if path in taken:
            continue
        taken.add(path)
        record = record_of("redirects", "redirect", r["id"])
        if r["new_path"]:
            context = {"target": r["new_path"], "target_title": r["new_path"]}
            out.append(Output(path, "redirect.html", context, record=record))
            site.redirect(r["old_path"], r["new_path"], 301)
        else:
            out.append(Output(path, "gone.html", {"old_path": r["old_path"]}, record=record))
            site.redirect(r["old_path"], "", 410)
    return out


def redirect_output_path(url_path: str) -> str:
    """The file that answers a redirect's path: ``/a/`` and ``/a`` are ``a/index.html``, a path
    whose last segment has a dot (``/a/b.html``) is that file."""
    path = url_path.lstrip("/")
    last = path.rsplit("/", 1)[-1]
    return path + "index.html" if path.endswith("/") else path if "." in last else path + "/index.html"


def finish(site: Site, outputs: list[Output], skipped: list[Skipped]) -> list[Output]:
    """``_redirects.json``, without the redirects whose file was left out (``outputs.isolate``)."""
    left_out = {s.path for s in skipped}
    redirects = {k: v for k, v in site.redirects.items() if redirect_output_path(k) not in left_out}
    text = msgspec.json.encode(redirects, order="sorted").decode() + "\n"
    return [Output(REDIRECTS_FILE, None, text=text)]


SECTION = Section(
    "redirects",
    fetch=fetch,
    watches=(Watch("redirects"),),
    plan=plan,
    finish=finish,
    final=(REDIRECTS_FILE,),
)
