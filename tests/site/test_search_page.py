"""Site search on the built site (issue 16): the ``/search/`` shell that search.js fills, the
header's search form on every page (and the 404 page's) sending ``GET /search/?q=`` to the site
itself, and the JSON-LD ``WebSite``/``SearchAction`` that tells search engines about it.

Built through the live API with a site URL that is not python.org's, so that anything still
pointing at www.python.org's search, or a URL written without ``SITEURL``, shows."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from tests.contract.conftest import Fixture, dl  # noqa: F401  (fixture)
from tests.site.test_build import _build, builder_key, live_api  # noqa: F401  (fixtures)

SITE_URL = "https://staging.python.example"
SEARCH_TARGET = f"{SITE_URL}/search/?q={{search_term_string}}"


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.text = ""
        self.inside_form: Element | None = None

    def has_class(self, name: str) -> bool:
        return name in (self.attrs.get("class") or "").split()


class Page(HTMLParser):
    """The elements of one built page, in document order, with the text of each <script> and the
    form each field sits in."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._form: Element | None = None
        self._script: Element | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        element.inside_form = self._form
        self.elements.append(element)
        if tag == "form":
            self._form = element
        elif tag == "script":
            self._script = element

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.text += data

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e for e in self.elements if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]

    def fields_of(self, form: Element) -> list[Element]:
        return [e for e in self.elements if e.inside_form is form and e.tag in ("input", "button", "select")]


def _query_field(page: Page, form: Element) -> Element:
    fields = [f for f in page.fields_of(form) if f.attrs.get("name")]
    assert [f.attrs["name"] for f in fields] == ["q"], [f.attrs for f in fields]
    return fields[0]


def _website_search(page: Page) -> dict[str, object]:
    blocks = page.all("script", type="application/ld+json")
    assert len(blocks) == 1, [b.attrs for b in blocks]
    data: dict[str, object] = json.loads(blocks[0].text)
    return data


async def test_search_page_header_forms_and_json_ld(
    live_api: str,  # noqa: F811
    dl: Fixture,  # noqa: F811
    builder_key: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    out = tmp_path / "origin"
    _build(live_api, out, builder_key, site_url=SITE_URL)
    site = out / "current"

    # /search/: the page's own form (GET, q, to /search/), its script, the live status line.
    search = Page((site / "search/index.html").read_text())
    (form,) = [f for f in search.all("form") if f.has_class("search-page-form")]
    assert form.attrs["action"] == "/search/" and form.attrs["method"] == "get"
    field = _query_field(search, form)
    assert field.attrs["type"] == "search" and field.attrs["maxlength"] == "200"
    assert [label.attrs["for"] for label in search.all("label") if label.inside_form is form] == [
        field.attrs["id"]
    ]
    scripts = [s.attrs["src"] for s in search.all("script") if s.attrs.get("src")]
    assert scripts == [f"{SITE_URL}/theme/js/site.js", f"{SITE_URL}/theme/js/search.js"]
    assert "defer" in search.all("script", src=f"{SITE_URL}/theme/js/search.js")[0].attrs
    assert (site / "theme/js/search.js").read_text().startswith("/* The site search page")
    live = [e for e in search.elements if e.attrs.get("aria-live")]
    assert [(e.attrs["aria-live"], e.attrs.get("role")) for e in live] == [("polite", "status")]
    assert live[0].has_class("search-status")
    (app,) = [e for e in search.elements if "data-app" in e.attrs]
    assert app.attrs["data-app"] == "search"
    for name in (
        "search-result-list",
        "search-facet-list",
        "search-pager",
        "search-corrected",
        "search-error",
    ):
        assert any(e.has_class(name) for e in search.elements), name
    assert search.all("meta", name="robots", content="noindex")
    assert "/search/" not in (site / "sitemap.xml").read_text()

    # Every page with the site's header searches the site itself, never www.python.org's search.
    headed = 0
    for path in sorted(site.rglob("*.html")):
        html = path.read_text()
        assert "www.python.org/search" not in html, path
        if '<header class="main-header">' not in html:
            continue  # a box fragment or a redirect stub
        headed += 1
        page = Page(html)
        header_forms = [f for f in page.all("form") if f.has_class("search-the-site")]
        assert header_forms, path
        for header_form in header_forms:
            assert (header_form.attrs["action"], header_form.attrs["method"]) == ("/search/", "get"), path
            assert _query_field(page, header_form).attrs["type"] == "search", path
        assert _website_search(page) == _website_search(search), path
    assert headed > 20
    not_found = Page((site / "404.html").read_text())
    assert len([f for f in not_found.all("form") if f.has_class("search-the-site")]) == 2

    # The home page tells search engines where the site's search is, as python.org does.
    assert _website_search(Page((site / "index.html").read_text())) == {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "url": f"{SITE_URL}/",
        "potentialAction": {
            "@type": "SearchAction",
            "target": SEARCH_TARGET,
            "query-input": "required name=search_term_string",
        },
    }
