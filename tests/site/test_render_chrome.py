"""The page around the content (top bar, main navigation, footer) is rendered once per render and
shared between pages (``sitebuilder.menus.PageChrome``): each page still gets the navigation of
its own section, a page that brings its own menus gets those, and the next build (in the same
process or in a render worker that outlives a build) shows the menus and site URL of that build."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sitebuilder.outputs import Output
from sitebuilder.render import RenderWorkers, render, render_parallel

SITE = "https://example.test"


def _menus(about: str = "About") -> dict[str, Any]:
    sections = [
        {
            "title": about,
            "url": "/about/",
            "hint": "",
            "alias": "",
            "box": "",
            "children": [
                {
                    "title": "Applications",
                    "url": "/about/apps/",
                    "hint": "",
                    "alias": "",
                    "box": "",
                    "children": [],
                }
            ],
        },
        {"title": "Downloads", "url": "/downloads/", "hint": "", "alias": "", "box": "", "children": []},
    ]
    topbar = [
        {"title": "Python", "url": "/", "hint": "The Python home", "alias": "python-meta", "children": []}
    ]
    return {"topbar": topbar, "nav": sections, "footer_nav": sections}


def _page(path: str, **context: Any) -> Output:
    return Output(path, "404.html", context)


def _nav(html: str) -> str:
    found = re.search(r'<nav id="mainnav".*?</nav>', html, re.S)
    assert found is not None
    return found.group(0)


def _read(out: Path, path: str) -> str:
    return (out / path).read_text(encoding="utf-8")


def test_each_page_gets_the_navigation_of_its_section(tmp_path: Path) -> None:
    paths = [
        "about/index.html",
        "about/apps/index.html",
        "about/team/index.html",
        "downloads/index.html",
        "x/index.html",
    ]
    assert (
        render([_page(p) for p in paths], tmp_path, site_url=SITE, site_globals=_menus(), theme_static=False)
        == []
    )
    about, apps, team, downloads, elsewhere = (_nav(_read(tmp_path, p)) for p in paths)

    assert 'element-1 has-children active">' in about and "element-2 active" not in about
    assert f'<a href="{SITE}/about/" aria-current="page">About</a>' in about
    # A page below a section: the section is active, the page's own link (if listed) is current.
    assert 'element-1 has-children active">' in apps and 'aria-current="page">About<' not in apps
    assert f'<a href="{SITE}/about/apps/" aria-current="page">Applications</a>' in apps
    assert 'element-1 has-children active">' in team and "aria-current" not in team
    assert 'element-2 active">' in downloads and "element-1 has-children active" not in downloads
    assert " active" not in elsewhere and "aria-current" not in elsewhere
    assert len({about, apps, team, downloads, elsewhere}) == 5

    # The parts every page shares are the same bytes on every page.
    for path in paths:
        html = _read(tmp_path, path)
        # The top bar highlights its tab by the body's class (site-python here), not in the markup.
        assert f'<li class="python-meta"><a href="{SITE}/" title="The Python home"' in html
        assert '<body class="site-python' in html
        assert f'<a class="sitemap-title" href="{SITE}/downloads/">Downloads</a>' in html


def test_a_page_with_its_own_menus_is_not_given_the_shared_ones(tmp_path: Path) -> None:
    own = _menus(about="About (own)")
    outputs = [_page("about/index.html"), _page("about/apps/index.html", nav=own["nav"])]
    assert render(outputs, tmp_path, site_url=SITE, site_globals=_menus(), theme_static=False) == []
    assert ">About (own)<" not in _read(tmp_path, "about/index.html")
    apps = _read(tmp_path, "about/apps/index.html")
    assert ">About (own)<" in _nav(apps)
    # The footer still shows the render's menus: the page set only ``nav``.
    assert f'<a class="sitemap-title" href="{SITE}/about/">About</a>' in apps


def test_the_next_build_shows_its_own_menus_and_site_url(tmp_path: Path) -> None:
    page = [_page("about/index.html")]
    render(page, tmp_path / "one", site_url=SITE, site_globals=_menus(), theme_static=False)
    render(
        page, tmp_path / "two", site_url="https://other.test", site_globals=_menus("Über"), theme_static=False
    )
    assert ">About</a>" in _read(tmp_path / "one", "about/index.html")
    two = _read(tmp_path / "two", "about/index.html")
    assert ">About</a>" not in two and ">Über</a>" in two
    assert SITE not in two and 'href="https://other.test/about/"' in two


def test_a_render_worker_shows_each_builds_menus(tmp_path: Path) -> None:
    """The worker processes of a build (and of the ``--wait`` standby's next build) render build
    after build: nothing of one build's menus survives into the next."""
    pages = [_page("about/index.html"), _page("downloads/index.html")]
    workers = RenderWorkers(1).start()
    try:
        for n, title in enumerate(("About", "Über", "About again")):
            out = tmp_path / str(n)
            failed = render_parallel(
                pages, out, site_url=SITE, site_globals=_menus(title), processes=2, workers=workers
            )
            assert failed == []
            for page in pages:
                html = _read(out, page.path)
                assert f">{title}</a>" in _nav(html), (n, page.path)
                assert f'<a class="sitemap-title" href="{SITE}/about/">{title}</a>' in html
    finally:
        workers.close()
