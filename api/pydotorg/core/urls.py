"""The one rule for every value that becomes a URL on the site or a file the builder writes.

Three rules, used by every domain (its services, its importer, and the legacy APIs through the
same services), so a record the builder could not write, or a link a browser would follow to
another host, is refused at the API with a 400 naming the field:

- **public paths** (a CMS page's path, a redirect's ``old_path``): ``/about/psf/``. They become
  directories and files of the published site, so: ASCII from a fixed set (RFC 3986's unreserved
  characters and sub-delimiters, ``:`` and ``@``; no ``%``, no backslash, no whitespace or control
  character), no empty, ``.`` or ``..`` segment, no segment starting with a dot (hidden files such
  as ``.git``; the origin serves ``/.well-known/`` but the builder publishes no dot-led path, so
  neither may a record), at most ``MAX_SEGMENT`` bytes a segment (a file name holds 255) and no
  first segment the builder or the CDN owns (``/api/``, ``/theme/``, ``/media/``, the top-level
  files the builder writes).
- **slugs** (the part of a URL a record is named by): Django's ``SlugField`` (``[-a-zA-Z0-9_]+``)
  and at most ``MAX_SLUG`` characters, so a slug is always one safe file name. A slug derived
  from other fields (a job's location from its city, region and country) is held to it too.
- **links** (every field that renders as ``href``): an absolute ``http(s)://`` URL with an ASCII
  host and no user name or password, or a path on this site starting with exactly one ``/``;
  nowhere a backslash, whitespace or control character. These are the places where Python's
  ``urlsplit`` and a browser's WHATWG parser disagree (``/\\evil.example`` and
  ``https://python.org\\@evil.example`` go to another host in a browser), and ``//host`` is
  another host for both. ``mailto:``, ``#fragment`` and bare relative links (``comingsoon``) only
  where a field asks for them (the navigation menus, as python.org's).

``HTTP_URL_PATTERN`` / ``LINK_PATTERN`` / ``SLUG_PATTERN`` are the same rules as regular
expressions for ``msgspec.Meta(pattern=...)``, so /api/v3/ refuses a bad value while decoding;
the functions are what services and importers call.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

MAX_SEGMENT = 100  # bytes (ASCII only, so characters); the builder adds "/index.html" below it
MAX_SLUG = 200  # Django's SlugField max_length on python.org's models; < 255, a file name
MAX_LINK = 1024

# First segments the site does not own: the API (routed by the CDN), the theme's assets, media
# uploads and the logo thumbnails the builder makes; and the files the builder writes at the top
# of every release, which cannot also be directories (a redirect at exactly /robots.txt is
# harmless: the published file wins).
RESERVED_DIRECTORIES = frozenset({"api", "theme", "media", "media-thumbs"})
RESERVED_FILES = frozenset({"_redirects.json", "sitemap.xml", "robots.txt", "humans.txt", "404.html"})
# File names the builder writes inside directories: never a directory themselves.
INDEX_NAMES = frozenset({"index.html", "index.rss"})

_SEGMENT_CHARS = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@-]+\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# ``$`` alone would also match before a final newline: "(?!\n)$" is the end in Python and in
# ECMAScript (the OpenAPI pattern dialect) alike.
END = r"(?!\n)$"
SLUG_PATTERN = rf"^[-a-zA-Z0-9_]+{END}"
OPTIONAL_SLUG_PATTERN = rf"^[-a-zA-Z0-9_]*{END}"  # empty: derived from the name
LOWER_SLUG_PATTERN = rf"^[-a-z0-9_]+{END}"
_SLUG = re.compile(SLUG_PATTERN)

# Links. No backslash, whitespace (any Unicode space) or control character anywhere.
_REST = r"[^\s\\\x00-\x1f\x7f]*"
_HOST = r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]*)(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*))*\.?|\[[0-9A-Fa-f:.]+\])"
_PORT = r"(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"  # 0-65535
_ABSOLUTE = rf"https?://{_HOST}(?::{_PORT})?(?:[/?#]{_REST})?"
_SITE_PATH = rf"/(?:[^/\s\\\x00-\x1f\x7f]{_REST})?"
HTTP_URL_PATTERN = rf"^{_ABSOLUTE}{END}"
OPTIONAL_HTTP_URL_PATTERN = rf"^(?:{_ABSOLUTE})?{END}"
LINK_PATTERN = rf"^(?:{_ABSOLUTE}|{_SITE_PATH}){END}"
OPTIONAL_LINK_PATTERN = rf"^(?:{_ABSOLUTE}|{_SITE_PATH})?{END}"

_ABSOLUTE_RE = re.compile(HTTP_URL_PATTERN)
_SITE_PATH_RE = re.compile(rf"^{_SITE_PATH}{END}")
_MAILTO_RE = re.compile(r"^mailto:[^\s\\\x00-\x1f\x7f/:]+@[A-Za-z0-9.-]+(?:\?[^\s\\\x00-\x1f\x7f]*)?\Z")
_FRAGMENT_RE = re.compile(r"^#[^\s\\\x00-\x1f\x7f]*\Z")
# A relative reference that cannot carry a scheme (no ":" before the first "/") or a host.
_RELATIVE_RE = re.compile(r"^[A-Za-z0-9_][-A-Za-z0-9_.~]*(?:[/?#][^\s\\\x00-\x1f\x7f]*)?\Z")

HTTP_URL_MESSAGE = "Enter an http:// or https:// URL with a host."
LINK_MESSAGE = "Enter an http:// or https:// URL with a host, or a path on this site starting with one /."


# --- public paths --------------------------------------------------------------------------------


def public_path_errors(path: str, *, max_length: int = 500) -> list[str]:
    """Why ``path`` (``/about/psf/``, ``/doc/old.html``) cannot be published ([] when it can)."""
    if not path.startswith("/"):
        return ["Enter a path that starts with /."]
    if len(path) > max_length:
        return [f"Ensure this value has at most {max_length} characters."]
    if _CONTROL.search(path) or "\\" in path or any(c.isspace() for c in path):
        return ["The path cannot contain whitespace, control characters or backslashes."]
    if "%" in path:
        return ["The path cannot contain percent-encoded characters; enter them as they are."]
    segments = path[1:].split("/")
    if segments[-1] == "":
        segments.pop()  # a trailing slash: a directory URL
    for position, segment in enumerate(segments):
        if segment == "":
            return ["The path cannot contain empty segments (//)."]
        if segment in (".", ".."):
            return ["The path cannot contain . or .. segments."]
        if segment.startswith("."):
            return ["No segment of the path may start with a dot."]
        if not _SEGMENT_CHARS.match(segment):
            return ["Use only letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @ in a path."]
        if len(segment) > MAX_SEGMENT:
            return [f"Each segment of the path may have at most {MAX_SEGMENT} characters."]
        if segment in INDEX_NAMES and position < len(segments) - 1:
            return [f"{segment} can only be the last segment of a path."]
    first = segments[0].lower() if segments else ""
    below = len(segments) > 1 or path.endswith("/")
    if first in RESERVED_DIRECTORIES or (first in RESERVED_FILES and below):
        return [f"Paths under /{segments[0]} belong to the site itself and cannot be used."]
    return []


# --- slugs --------------------------------------------------------------------------------------


def slug_errors(slug: str, *, max_length: int = MAX_SLUG) -> list[str]:
    """Why ``slug`` cannot name a record in a URL ([] when it can)."""
    if not slug:
        return ["Enter a slug of letters, digits, hyphens or underscores (the name has none)."]
    if len(slug) > max_length:
        return [f"Ensure the slug has at most {max_length} characters."]
    if not _SLUG.match(slug):
        return ["Enter a valid slug consisting of letters, numbers, underscores or hyphens."]
    return []


# --- links --------------------------------------------------------------------------------------


def _absolute_ok(value: str) -> bool:
    if not _ABSOLUTE_RE.match(value):
        return False
    try:  # what urlsplit reads must be what the pattern (and a browser) read
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return False
    return bool(parts.hostname) and parts.username is None and parts.password is None


def http_url_errors(value: str, *, max_length: int = MAX_LINK) -> list[str]:
    """An absolute http(s) URL (a feed, a company's website, a download)."""
    if len(value) > max_length:
        return [f"Ensure this value has at most {max_length} characters."]
    return [] if _absolute_ok(value) else [HTTP_URL_MESSAGE]


def link_errors(
    value: str,
    *,
    max_length: int = MAX_LINK,
    mailto: bool = False,
    fragment: bool = False,
    relative: bool = False,
) -> list[str]:
    """Why ``value`` is not a safe link target ([] when it is): an http(s) URL or a site path,
    and ``mailto:`` addresses, ``#fragments`` or bare relative links where the field allows them."""
    if len(value) > max_length:
        return [f"Ensure this value has at most {max_length} characters."]
    if _absolute_ok(value) or _SITE_PATH_RE.match(value):
        return []
    if mailto and _MAILTO_RE.match(value):
        return []
    if fragment and _FRAGMENT_RE.match(value):
        return []
    if relative and _RELATIVE_RE.match(value) and ":" not in value.split("/", 1)[0]:
        return []
    allowed = (("a mailto: address", mailto), ("a #fragment", fragment), ("a relative link", relative))
    extras = [name for name, on in allowed if on]
    if extras:
        return [LINK_MESSAGE[:-1] + "; or " + ", ".join(extras) + "."]
    return [LINK_MESSAGE]


__all__ = [
    "HTTP_URL_MESSAGE",
    "HTTP_URL_PATTERN",
    "LINK_MESSAGE",
    "LINK_PATTERN",
    "LOWER_SLUG_PATTERN",
    "MAX_SEGMENT",
    "MAX_SLUG",
    "OPTIONAL_HTTP_URL_PATTERN",
    "OPTIONAL_LINK_PATTERN",
    "OPTIONAL_SLUG_PATTERN",
    "RESERVED_DIRECTORIES",
    "RESERVED_FILES",
    "SLUG_PATTERN",
    "http_url_errors",
    "link_errors",
    "public_path_errors",
    "slug_errors",
]
