"""The static site's security headers (issue 12, item 9): one table (``sitebuilder.headers``), the
same set from the origin's nginx, the Fastly deliver snippet and the development server, and a
theme that needs no ``'unsafe-inline'``.

- the committed nginx includes and the VCL snippet are what the table generates (drift), and the
  header values read back out of each of them are the table's;
- nginx.conf includes them where nginx needs them (maps in ``http``, ``add_header`` in ``server``
  and in every location that adds headers of its own);
- a real nginx started with deploy/origin/nginx.conf and the development server both send the
  set on pages, the 404 page and redirects, and neither puts the site's policy on ``/api/``;
- the policy's frame sources are exactly the players the API's embed sanitizer keeps plus the
  console /shell/ frames; the theme has no inline script, handler, style attribute or
  ``javascript:`` URL, and sanitized content keeps none either.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pydotorg.core.markup import render
from pydotorg.domains.community.services import EMBED_HOSTS, sanitize_embed
from sitebuilder import headers
from sitebuilder.headers import CONTENT_SECURITY_POLICY, HEADERS
from tests.site.test_build import live_api  # noqa: F401  (fixture)
from tests.site.test_redirects import nginx_origin, write_tree  # noqa: F401  (fixture)

REPO = Path(__file__).resolve().parents[2]
ORIGIN = REPO / "deploy" / "origin"
NGINX_CONF = ORIGIN / "nginx.conf"
VCL = REPO / "deploy" / "fastly" / "snippets"
THEME = REPO / "content-theme" / "templates"
EXPECTED = {header.name.lower(): header.value for header in HEADERS}


def _site_headers(response: httpx.Response) -> dict[str, str]:
    """The table's headers as a response carries them (each exactly once)."""
    found = {}
    for name in EXPECTED:
        values = response.headers.get_list(name)
        assert len(values) <= 1, (name, values)
        if values:
            found[name] = values[0]
    return found


# --- one table, three outputs ----------------------------------------------------------------------


@pytest.mark.parametrize("relative", sorted(headers.DEPLOY_FILES))
def test_committed_deploy_files_match_the_table(relative: str) -> None:
    generated = headers.DEPLOY_FILES[relative]()
    assert (REPO / relative).read_text() == generated, (
        f"{relative} differs from the table: run `uv run python -m sitebuilder.headers write` "
        "from the repository root"
    )


def test_nginx_and_fastly_carry_the_same_header_set() -> None:
    """Read the values back out of the committed files, independently of the generator."""
    maps = (ORIGIN / "security-headers-maps.conf").read_text()
    nginx_values = {
        variable: value
        for variable, value in re.findall(r'map \$uri \$(\w+) \{\n[^\n]*""\;\n\s*default\s+"([^"]*)";', maps)
    }
    adds = (ORIGIN / "security-headers.conf").read_text()
    nginx = {
        name.lower(): nginx_values[variable]
        for name, variable in re.findall(r"add_header (\S+) \$(\w+) always;", adds)
    }
    vcl = {
        name.lower(): value
        for name, value in re.findall(
            r'set resp\.http\.([\w-]+) = "([^"]*)";', (VCL / "security-headers-deliver.vcl").read_text()
        )
    }
    assert nginx == EXPECTED
    assert vcl == EXPECTED
    # HSTS is set in this snippet only (deliver.vcl used to set it by hand). Another snippet may
    # give a path a policy of its own (media-deliver.vcl: /media/) if it runs first: this one
    # leaves a Content-Security-Policy already set alone.
    for other in VCL.glob("*.vcl"):
        if other.name != "security-headers-deliver.vcl":
            code = "\n".join(line.split("#")[0] for line in other.read_text().splitlines())
            assert "Strict-Transport-Security" not in code, other.name
            if "resp.http.Content-Security-Policy" in code:
                priority = re.search(r"priority: (\d+)", other.read_text())
                assert priority and int(priority.group(1)) < 15, other.name


def test_operations_doc_lists_the_values() -> None:
    """docs/operations.md quotes the table for operators; it must not go stale."""
    doc = (REPO / "docs" / "operations.md").read_text()
    for header in HEADERS:
        assert f"| `{header.name}` | `{header.value}`" in doc, header.name


def test_the_vcl_sets_hsts_everywhere_and_the_rest_off_the_api() -> None:
    vcl = (VCL / "security-headers-deliver.vcl").read_text()
    outer, inner = vcl.split('if (req.url.path !~ "^/api(/|$)") {')
    assert "set resp.http.Strict-Transport-Security" in outer
    for header in HEADERS:
        if not header.everywhere:
            assert f"if (!resp.http.{header.name})" in inner
            assert f"set resp.http.{header.name} " in inner


def _blocks(conf: str) -> list[tuple[str, str]]:
    """``(location head, body)`` for each location block of an nginx config (no nested blocks
    except ``if``)."""
    found = []
    for match in re.finditer(r"^\s*location ([^{]+)\{", conf, re.MULTILINE):
        depth, i = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(conf[i], 0)
            i += 1
        found.append((match.group(1).strip(), conf[match.end() : i - 1]))
    return found


def test_nginx_conf_sends_the_headers_everywhere_it_serves_the_site() -> None:
    conf = NGINX_CONF.read_text()
    http_block = conf[conf.index("http {") : conf.index("server {")]
    server_block = conf[conf.index("server {") :]
    assert "include pydotorg/security-headers-maps.conf;" in http_block
    server_level = re.sub(r"location [^{]+\{(?:[^{}]|\{[^{}]*\})*\}", "", server_block)
    assert "include pydotorg/security-headers.conf;" in server_level
    # nginx inherits add_header only into a location without add_header of its own.
    for config in (conf, (ORIGIN / "redirects.conf").read_text()):
        for head, body in _blocks(config):
            if "add_header" in body:
                assert "include pydotorg/security-headers.conf;" in body, f"location {head}"
    assert "add_header X-Content-Type-Options" not in conf  # only through the generated files


# --- what servers send ---------------------------------------------------------------------------


def test_real_nginx_sends_the_headers(nginx_origin: str, tmp_path: Path) -> None:  # noqa: F811
    write_tree(tmp_path / "nginx" / "site" / "releases" / "a", {"index.html": "home", "docs/index.html": "d"})
    with httpx.Client(base_url=nginx_origin, timeout=10) as client:
        for path, status in (("/", 200), ("/no/such/page/", 404), ("/docs", 301), ("/download/", 301)):
            response = client.get(path)
            assert response.status_code == status, path
            assert _site_headers(response) == EXPECTED, path
        # /api/ is the API's (here unreachable: nginx's own 502); the site's set is not added.
        api = client.get("/api/v3/pages")
        assert api.status_code == 502
        assert _site_headers(api) == {}


@pytest.fixture
def dev_site(tmp_path: Path, live_api: str) -> Iterator[str]:  # noqa: F811
    from sitebuilder.serve import make_server

    write_tree(
        tmp_path / "releases" / "a", {"index.html": "home", "404.html": "gone", "docs/index.html": "d"}
    )
    (tmp_path / "current").symlink_to(Path("releases") / "a")
    server = make_server(tmp_path, "127.0.0.1", 0, api_url=live_api)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(10)


def test_dev_server_sends_the_headers(dev_site: str) -> None:
    with httpx.Client(base_url=dev_site, timeout=10) as client:
        for path, status in (("/", 200), ("/no/such/page/", 404), ("/docs", 301), ("/download/", 301)):
            response = client.get(path)
            assert response.status_code == status, path
            assert _site_headers(response) == EXPECTED, path
        assert _site_headers(client.head("/")) == EXPECTED
        assert _site_headers(client.post("/")) == EXPECTED  # 405 from the static server
        # The API through the dev server: its own headers, not the site's policy.
        api = client.get("/api/v3/downloads/os")
        assert api.status_code == 200
        assert "content-security-policy" not in api.headers
        assert api.headers.get_list("x-content-type-options") == ["nosniff"]  # the API's own


# --- the policy fits the site ----------------------------------------------------------------------


def _directive(name: str) -> list[str]:
    for part in CONTENT_SECURITY_POLICY.split("; "):
        key, _, value = part.partition(" ")
        if key == name:
            return value.split()
    raise AssertionError(f"no {name} in the policy")


def test_frame_sources_are_the_embeds_and_the_shell() -> None:
    shell = re.findall(r'<iframe[^>]*src="(https://[^/"]+)/', (THEME / "home.html").read_text())
    assert shell == [f"https://{headers.SHELL_HOST}"]
    assert sorted(_directive("frame-src")) == sorted([*(f"https://{h}" for h in EMBED_HOSTS), *shell])
    assert set(headers.VIDEO_PLAYER_HOSTS) == EMBED_HOSTS
    # An embed from anywhere else never reaches a page, so the policy need not allow it.
    assert sanitize_embed('<iframe src="https://evil.example/player"></iframe>') == ""
    for name, value in (("script-src", ["'self'"]), ("style-src", ["'self'"]), ("object-src", ["'none'"])):
        assert _directive(name) == value
    assert _directive("frame-ancestors") == ["'none'"]


def test_search_form_posts_where_form_action_allows() -> None:
    actions = set(
        re.findall(r'<form[^>]*action="([^"]*)"', "".join(p.read_text() for p in THEME.rglob("*.html")))
    )
    allowed = _directive("form-action")
    for action in actions:
        assert action.startswith("/") or any(action.startswith(source + "/") for source in allowed), action


INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/ld\+json\")[^>]*>"  # an inline script (JSON-LD is data)
    r"|<style\b"  # a style element
    r"|\son[a-z]+\s*="  # an event handler attribute
    r"|\sstyle\s*="  # a style attribute
    r"|javascript:",  # a javascript: URL
    re.IGNORECASE,
)


def test_theme_has_nothing_inline() -> None:
    offending = [
        f"{path.relative_to(THEME)}: {match.group(0)}"
        for path in sorted(THEME.rglob("*.html"))
        for match in INLINE.finditer(path.read_text())
    ]
    assert not offending, offending
    assert INLINE.search('<p style="color: red">') and INLINE.search("<script>x()</script>")


@pytest.mark.parametrize("markup_type", ["html", "markdown", "restructuredtext"])
def test_sanitized_content_keeps_nothing_inline(markup_type: str) -> None:
    raw = {
        "html": '<p style="color:red" onclick="x()">a</p><style>p{}</style><script>x()</script>'
        '<a href="javascript:x()">j</a><img src="/i.png" onerror="x()" style="width:1px">',
        "markdown": '<p style="color:red" onmouseover="x()">a</p>\n\n[j](javascript:x())\n\n<script>x()</script>',
        "restructuredtext": ".. raw:: html\n\n   <script>x()</script>\n\n`j <javascript:x()>`_\n",
    }[markup_type]
    html = render(raw, markup_type)
    assert not INLINE.search(html), html


def test_cli_prints_the_generated_files(capsys: pytest.CaptureFixture[str]) -> None:
    for command, generate in (
        ("nginx", headers.nginx_conf),
        ("nginx-maps", headers.nginx_maps),
        ("vcl", headers.fastly_vcl),
    ):
        assert headers.main([command]) == 0
        assert capsys.readouterr().out == generate()
