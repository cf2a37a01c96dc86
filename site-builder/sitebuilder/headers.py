"""The static site's security headers (Content-Security-Policy and friends) as one table, and
what is generated from it.

The table is the only place these headers are written down. ``for_path`` answers which headers a
response for a request path carries (what ``sitebuilder.serve`` sends); ``nginx_maps`` and
``nginx_conf`` render them for the static origin (``deploy/origin/security-headers-maps.conf``,
included in nginx.conf's ``http`` block, and ``deploy/origin/security-headers.conf``, included in
its ``server`` block and in every location that has ``add_header`` lines of its own: nginx drops
the inherited ones there); ``fastly_vcl`` renders the Fastly deliver snippet
(``deploy/fastly/snippets/security-headers-deliver.vcl``). ``python -m sitebuilder.headers
nginx|nginx-maps|vcl`` prints them and ``... write`` rewrites the three committed files, like
``sitebuilder.redirects``. ``tests/security/test_headers.py`` fails when a committed file drifts
from the table, and starts the real nginx to check what it sends.

Which responses: everything the static origin serves (pages, feeds, files, redirects, the 404
page), never ``/api/``, whose responses are the API's own (it sets nosniff, X-Frame-Options,
Referrer-Policy and, in production, HSTS itself; its schema browser needs other script sources).
At the edge HSTS is the exception: Fastly sets it on every HTTPS response, API included, since it
is a property of the host, not of a page.

The policy (docs/decisions.md, "Hardening (issue 12): CSP and security headers"):

- scripts and styles from the site itself only: the theme has no inline ``<script>``, no
  ``on*=`` handler, no ``style=`` attribute and no ``javascript:`` URL, and sanitized content
  (nh3 in the API) keeps no ``style`` attribute, ``<style>`` or ``<script>`` either, so neither
  needs ``'unsafe-inline'``;
- images and media from the site or any https host (content links images from where python.org
  always did: its media host, wiki, external sites), plus ``data:`` images;
- frames: the YouTube and Vimeo players that community video posts embed (the hosts the API's
  embed sanitizer keeps, ``EMBED_HOSTS``; a test compares them) and the PythonAnywhere console
  on ``/shell/`` (console.python.org);
- forms post to the site itself (the API on the same origin; the header's search box goes to
  the site's own /search/);
- the site is framed by nobody (``frame-ancestors 'none'``, and X-Frame-Options for old
  browsers), no plugins, no ``<base>`` to another origin.

``upgrade-insecure-requests`` is left out: HSTS (preloaded) already keeps the site itself on
https, browsers upgrade or block mixed content on their own, and the directive would also upgrade
the development server's own ``http://127.0.0.1`` requests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sitebuilder import deployfiles

# Player hosts a community video may embed, and the interactive console /shell/ frames.
VIDEO_PLAYER_HOSTS = ("www.youtube.com", "www.youtube-nocookie.com", "player.vimeo.com")
SHELL_HOST = "console.python.org"

CSP_DIRECTIVES: tuple[tuple[str, str], ...] = (
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self' data: https:"),
    ("media-src", "'self' https:"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("frame-src", " ".join(f"https://{host}" for host in (*VIDEO_PLAYER_HOSTS, SHELL_HOST))),
    ("frame-ancestors", "'none'"),
    ("base-uri", "'self'"),
    ("form-action", "'self'"),  # every form, the header's search box included, stays on the site
    ("object-src", "'none'"),
)
CONTENT_SECURITY_POLICY = "; ".join(f"{name} {value}" for name, value in CSP_DIRECTIVES)

HSTS = "max-age=63072000; includeSubDomains; preload"  # two years, as python.org sends it


@dataclass(frozen=True, slots=True)
class Header:
    """One response header of the static site. ``everywhere``: the edge sets it on every
    response, the API's included (overriding the API's own value)."""

    name: str
    value: str
    everywhere: bool = False


HEADERS: tuple[Header, ...] = (
    Header("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    Header("X-Content-Type-Options", "nosniff"),
    Header("X-Frame-Options", "DENY"),
    Header("Referrer-Policy", "strict-origin-when-cross-origin"),
    # Powerful features no page of the site uses; an embedded player cannot be granted them either.
    Header("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    Header("Strict-Transport-Security", HSTS, everywhere=True),
)

# Paths that are not the static site's: the CDN and the origin hand them to the API.
API_PATH = re.compile(r"^/api(?:/|$)")
_API_PATH_NGINX = "~^/api(?:/|$)"
_API_PATH_VCL = "^/api(/|$)"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
_UNSAFE_VALUE = re.compile(r"""["\\%$;{}\n\r]""")


def _check(headers: tuple[Header, ...]) -> None:
    seen: set[str] = set()
    for header in headers:
        if not _NAME.match(header.name) or header.name.lower() in seen:
            raise ValueError(f"bad or repeated header name {header.name!r}")
        seen.add(header.name.lower())
        # The CSP's ";" separates directives; anything else that needs quoting in nginx or VCL
        # is refused rather than emitted as a broken config.
        if _UNSAFE_VALUE.search(header.value.replace("; ", "")):
            raise ValueError(f"{header.name}: {header.value!r} cannot be written into nginx/VCL as is")


_check(HEADERS)


def for_path(path: str) -> list[tuple[str, str]]:
    """The ``(name, value)`` pairs a response for ``path`` (the request path) carries at the
    origin: all of them for the static site, none for ``/api/``."""
    if API_PATH.match(path):
        return []
    return [(header.name, header.value) for header in HEADERS]


# --- generated deploy files ----------------------------------------------------------------------

_GENERATED_BY = (
    "Generated by `python -m sitebuilder.headers {command}` from site-builder/sitebuilder/headers.py."
)
_DO_NOT_EDIT = "Do not edit: change the table there and regenerate (`... write`); a test fails on drift."


def _variable(header: Header) -> str:
    return "$pyorg_header_" + header.name.lower().replace("-", "_")


def nginx_maps() -> str:
    """``map`` blocks for the ``http`` block: each header's value, empty (not sent) for /api/."""
    lines = [
        f"# {_GENERATED_BY.format(command='nginx-maps')}",
        f"# {_DO_NOT_EDIT}",
        "#",
        "# The static site's security headers, one variable each, empty for /api/ (the API sends",
        "# its own). nginx.conf includes this file in its http block; security-headers.conf sends them.",
        "",
    ]
    for header in HEADERS:
        lines += [
            f"map $uri {_variable(header)} {{",
            f'    {_API_PATH_NGINX}  "";',
            f'    default  "{header.value}";',
            "}",
        ]
    return "\n".join(lines) + "\n"


def nginx_conf() -> str:
    """``add_header`` lines for the ``server`` block and for every location with its own."""
    lines = [
        f"# {_GENERATED_BY.format(command='nginx')}",
        f"# {_DO_NOT_EDIT}",
        "#",
        "# The static site's security headers (values in security-headers-maps.conf; an empty",
        "# value, /api/, sends nothing). Include it in the server block AND in every location that",
        "# has add_header lines of its own: nginx only inherits add_header into a location that has",
        "# none.",
        "",
    ]
    lines += [f"add_header {header.name} {_variable(header)} always;" for header in HEADERS]
    return "\n".join(lines) + "\n"


def fastly_vcl() -> str:
    """The ``deliver`` snippet: the same headers on every client response from the edge."""
    lines = [
        "# Fastly VCL snippet -- type: deliver, name: pydotorg-security-headers, priority: 15.",
        f"# {_GENERATED_BY.format(command='vcl')}",
        f"# {_DO_NOT_EDIT}",
        "#",
        "# The static site's security headers, as the origin sends them (deploy/origin/",
        "# security-headers.conf), added at the edge too so that a page from an origin that sends",
        "# none (object storage) carries them. Strict-Transport-Security is set on every response,",
        "# the API's included (it replaces the API's own). The others only on the static site (/api/",
        "# responses keep the API's own), and only where the origin sent none: a path the origin",
        "# gives a stricter policy of its own keeps it. Edge hop only: on a shield hop the client is",
        "# another Fastly POP.",
        "",
        "if (fastly.ff.visits_this_service == 0) {",
    ]
    lines += [f'  set resp.http.{h.name} = "{h.value}";' for h in HEADERS if h.everywhere]
    lines.append(f'  if (req.url.path !~ "{_API_PATH_VCL}") {{')
    for h in HEADERS:
        if not h.everywhere:
            lines += [
                f"    if (!resp.http.{h.name}) {{",
                f'      set resp.http.{h.name} = "{h.value}";',
                "    }",
            ]
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


# Committed files generated from the table, relative to the repository root.
DEPLOY_FILES: dict[str, Callable[[], str]] = {
    "deploy/origin/security-headers-maps.conf": nginx_maps,
    "deploy/origin/security-headers.conf": nginx_conf,
    "deploy/fastly/snippets/security-headers-deliver.vcl": fastly_vcl,
}

_COMMANDS: dict[str, Callable[[], str]] = {
    "nginx-maps": nginx_maps,
    "nginx": nginx_conf,
    "vcl": fastly_vcl,
}


def main(argv: list[str] | None = None) -> int:
    return deployfiles.run(
        argv,
        prog="python -m sitebuilder.headers",
        description="Print the site's security headers as nginx or Fastly VCL, or rewrite the deploy files.",
        commands=_COMMANDS,
        deploy_files=DEPLOY_FILES,
    )


if __name__ == "__main__":
    raise SystemExit(main())
