"""What every page shows around its content: the top bar, the main navigation with its
drop-downs and the footer, from the menu tree ``main`` (python.org's sitetree, read by the
``navigation`` section). Part of every page's hash (``globals_version``): a menu edit re-renders
every page, and purges the whole site.

``PageChrome`` renders those parts (the theme's ``includes/chrome.html``) once per render and
hands every page the rendered HTML: they are most of what a page costs to render."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import msgspec
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from sitebuilder.sections.boxes import GENERATED_BOXES
from sitebuilder.snapshot import Snapshot

# The main navigation's drop-downs load these boxes (python.org's supernav), by section URL.
SUPERNAV = {
    "/about/": "supernav-python-about",
    "/downloads/": "supernav-python-downloads",
    "/doc/": "supernav-python-documentation",
    "/community/": "supernav-python-community",
    "/success-stories/": "supernav-python-success-stories",
    "/blogs/": "supernav-python-blog",
    "/events/": "supernav-python-events",
}


def site_globals(snap: Snapshot) -> dict[str, Any]:
    """The menus every page shows, as the theme's ``base.html`` reads them."""
    tree = snap.data.get("view:nav/main")
    items = tree["items"] if tree else []
    children: dict[int | None, list[dict[str, Any]]] = {}
    for item in items:
        if (
            item["in_menu"]
            and not item["hidden"]
            and not (item["access_loggedin"] or item["access_restricted"])
        ):
            children.setdefault(item["parent_id"], []).append(item)
    for group in children.values():
        group.sort(key=lambda i: (i["sort_order"], i["id"]))
    labels = {b["label"] for b in snap.items("box")} | set(GENERATED_BOXES)

    def node(item: dict[str, Any], depth: int) -> dict[str, Any]:
        kids = [node(c, depth - 1) for c in children.get(item["id"], [])] if depth > 0 else []
        box = SUPERNAV.get(item["href"])
        return {
            "title": item["title"],
            "url": item["href"],
            "hint": item["hint"],
            "alias": item["alias"] or "",
            "children": kids,
            "box": box if box in labels else "",
        }

    top = [node(i, 0) for i in children.get(None, [])]
    by_alias = {i["alias"]: i for i in children.get(None, []) if i["alias"]}
    python, psf = by_alias.get("python-meta"), by_alias.get("psf-meta")
    sections = [node(i, 1) for i in children.get(python["id"], [])] if python else []
    return {
        "topbar": top,
        "nav": [s for s in sections if s["alias"] != "python-footer"],
        "footer_nav": sections,
        # PSF pages (templates psf/*) show the PSF sections instead (python.org's psf-meta).
        "psf_nav": [node(i, 1) for i in children.get(psf["id"], [])] if psf else [],
    }


def globals_version(theme: str, snap: Snapshot) -> str:
    payload = msgspec.json.encode([theme, site_globals(snap)], order="sorted")
    return hashlib.sha256(payload).hexdigest()[:16]


class PageChrome:
    """The page around the content for one render (``site_chrome`` in the theme): the macros of
    ``includes/chrome.html``, each rendered once and its HTML then given to every page that
    shows the same.

    The parts read nothing but SITEURL and the menus (``READS``), and the main navigation reads
    the page's path only to compare it with menu URLs (equal to one, or starting with one). So a
    part is cached by its name and, for the navigation, the path's relation to the menu URLs
    (which URL it is, which it starts with): two pages with the same relation get the same bytes.
    A page whose context holds anything else under ``READS`` than the render's own values (an
    output setting ``nav`` itself) gets its parts rendered from its context, uncached.

    One instance per render (``ApiOutputsGenerator.generate_context``), made from that render's
    context and Jinja environment: another build (other menus, site URL or theme), in this process
    or in a render worker that outlives it, starts with an empty cache. The parts come from
    Jinja's autoescaped macros, already ``Markup``; nothing here marks text safe."""

    TEMPLATE = "includes/chrome.html"
    READS = ("SITEURL", "topbar", "nav", "footer_nav")

    def __init__(self, env: Environment, context: Mapping[str, Any]) -> None:
        self._env = env
        self._reads = self._read(context)
        nav = self._reads.get("nav") or []
        urls = {s.get("url") for s in nav} | {c.get("url") for s in nav for c in s.get("children") or []}
        self._menu_urls = sorted(u for u in urls if isinstance(u, str))
        self._menu_url_set = frozenset(self._menu_urls)
        self._module: Any = None
        self._parts: dict[tuple[str | None, ...], str] = {}

    @pass_context
    def header(self, context: Context) -> str:
        return self._part(context, "header", ())

    @pass_context
    def main_nav(self, context: Context, current_path: Any) -> str:
        if not isinstance(current_path, str):
            return self._part(context, "main_nav", None, current_path)
        exact = current_path if current_path in self._menu_url_set else None
        prefixes = (u for u in self._menu_urls if current_path.startswith(u))
        return self._part(context, "main_nav", (exact, *prefixes), current_path)

    @pass_context
    def footer(self, context: Context) -> str:
        return self._part(context, "footer", ())

    def _read(self, context: Mapping[str, Any] | Context) -> dict[str, Any]:
        return {name: context[name] for name in self.READS if name in context}

    def _part(self, context: Context, name: str, key: tuple[str | None, ...] | None, *args: Any) -> str:
        """The part ``name`` for this page; ``key`` (None: do not cache) says which pages share it."""
        reads = self._read(context)
        shared = len(reads) == len(self._reads) and all(v is self._reads.get(k) for k, v in reads.items())
        if not shared or key is None:
            return self._render(reads, name, args)
        cached = self._parts.get((name, *key))
        if cached is None:
            if self._module is None:
                self._module = self._env.get_template(self.TEMPLATE).make_module(self._reads)
            cached = self._parts[(name, *key)] = getattr(self._module, name)(*args)
        return cached

    def _render(self, reads: dict[str, Any], name: str, args: tuple[Any, ...]) -> str:
        module = self._env.get_template(self.TEMPLATE).make_module(reads)
        part: str = getattr(module, name)(*args)
        return part
