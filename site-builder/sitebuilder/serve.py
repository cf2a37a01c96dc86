"""A small static server for the published site, for development and tests.

It answers like the production origin (``deploy/origin/nginx.conf`` with ``redirects.conf``):

1. python.org's legacy redirects (``sitebuilder.redirects``);
2. the release's ``_redirects.json`` (``{"/downloads/latest/python3/": {"location": ...,
   "status": 302}}``), with or without the trailing slash, re-read when the file changes;
3. files: ``/x/`` is ``x/index.html`` (or ``x/index.rss``, a feed at a directory URL); ``/x`` is
   the file ``x``, or a 301 to ``/x/`` when
   ``x/index.html`` exists; anything else is the tree's ``404.html`` with status 404.

Before any of these, and whether or not a site is published: python.org's health check (any path
starting with ``/_health`` is a plain ``OK``) and its legacy media URLs (``/m/<path>`` is a 301 to
the media's public base URL, ``--media-base-url``, plus the path cleaned of traversal segments:
``sitebuilder.legacymedia``).

``root`` is the origin root: its ``current`` symlink is resolved again on every request, so an
atomic switch to a new release is seen by the next request. Nothing outside the release is
served: ``.``/``..`` segments, dotfiles (``.well-known/`` excepted) and symlinks that lead out of
the tree are 404s, and there are no directory listings. Content types and their charsets are
nginx.conf's, and every answer outside ``/api/`` carries the site's security headers
(``sitebuilder.headers``: Content-Security-Policy, nosniff, ...), as nginx.conf sends them. GET
and HEAD only; no logging except at debug level.

With ``--api``, ``/api/`` goes to the API as the CDN routes it: each request with its own headers
(its Cookie and Authorization as the visitor sent them) and each answer with the API's headers
(Set-Cookie included) to that visitor only; the server keeps no cookies of its own.

``python -m sitebuilder.serve --root DIR --host H --port P`` (``pydotorg dev run`` starts it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import shutil
import stat
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote

import httpx

from sitebuilder import headers, legacymedia, redirects

log = logging.getLogger(__name__)

CURRENT = "current"
REDIRECTS_FILE = "_redirects.json"
NOT_FOUND_PAGE = "404.html"
# Per-connection headers a proxy must not forward (RFC 9110 7.6.1), plus Host (set per request).
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host"}
)
INDEX_FILES = ("index.html", "index.rss")
PROXY_TIMEOUT = httpx.Timeout(60)
_UNSAFE_TARGET_BYTE = re.compile(rb"[^\x21-\x7e]")

# The `types` block and `charset_types` of deploy/origin/nginx.conf (a test compares them).
CONTENT_TYPES = {
    "html": "text/html",
    "htm": "text/html",
    "css": "text/css",
    "txt": "text/plain",
    "md": "text/markdown",
    "csv": "text/csv",
    "ics": "text/calendar",
    "ifb": "text/calendar",
    "js": "application/javascript",
    "mjs": "application/javascript",
    "json": "application/json",
    "map": "application/json",
    "webmanifest": "application/manifest+json",
    "xml": "application/xml",
    "xsl": "application/xml",
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "pdf": "application/pdf",
    "zip": "application/zip",
    "gz": "application/gzip",
    "tgz": "application/gzip",
    "asc": "application/pgp-signature",
    "sig": "application/pgp-signature",
    "svg": "image/svg+xml",
    "svgz": "image/svg+xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "ico": "image/x-icon",
    "woff2": "font/woff2",
    "woff": "font/woff",
    "ttf": "font/ttf",
    "otf": "font/otf",
    "eot": "application/vnd.ms-fontobject",
    "mp4": "video/mp4",
    "webm": "video/webm",
}
DEFAULT_TYPE = "application/octet-stream"
CHARSET_TYPES = frozenset(
    {
        "text/html",  # nginx always adds the charset to text/html
        "text/css",
        "text/plain",
        "text/markdown",
        "text/csv",
        "text/calendar",
        "application/javascript",
        "application/json",
        "application/manifest+json",
        "application/xml",
        "application/rss+xml",
        "application/atom+xml",
        "image/svg+xml",
    }
)

# nginx.conf: `location ~ /\.(?!well-known/)` answers 404.
_DOTFILE = re.compile(r"/\.(?!well-known/)")
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
GONE = 410  # a stored redirect with no target: its notice page is served with this status
# What may stay as it is in a Location header; everything else (spaces, non-ASCII) is encoded.
_LOCATION_SAFE = "!#$%&'()*+,-./:;=?@[]_~"

# python.org's health check: its URL pattern ``^_health/?`` was anchored at the start only.
HEALTH_PREFIX = "/_health"

# Uploaded media (``--media DIR`` at /media/), answered as the API's storage serves them in
# production (pydotorg.core.storage.media_headers; a test compares the two): never as a page of
# the site. A sandboxing CSP and nosniff on every file, and a download for anything that is not
# a raster image, a PDF or a video.
MEDIA_PREFIX = "/media/"
MEDIA_CSP = "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'"
MEDIA_INLINE = frozenset(
    {"png", "jpg", "jpeg", "gif", "webp", "avif", "ico", "pdf", "mp4", "webm", "ogv", "mov"}
)


def media_headers(name: str) -> list[tuple[str, str]]:
    """What a file under /media/ is served with (``MEDIA_CSP``, nosniff, attachment unless inline)."""
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    answer = [
        ("Content-Type", content_type(name)),
        ("Content-Security-Policy", MEDIA_CSP),
        ("X-Content-Type-Options", "nosniff"),
    ]
    if extension not in MEDIA_INLINE:
        answer.append(("Content-Disposition", "attachment"))
    return answer


def content_type(name: str) -> str:
    mime = CONTENT_TYPES.get(PurePosixPath(name).suffix.lower().lstrip("."), DEFAULT_TYPE)
    return f"{mime}; charset=utf-8" if mime in CHARSET_TYPES else mime


def _is_within(path: Path, tree: Path) -> bool:
    return path == tree or path.is_relative_to(tree)


class _DataRedirects:
    """The ``_redirects.json`` of whichever release is current, re-read when it changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[str, int, int, int] | None = None
        self._entries: dict[str, tuple[int, str]] = {}

    def lookup(self, release: Path, path: str) -> tuple[int, str] | None:
        entries = self._load(release)
        return entries.get(path if path.endswith("/") else path + "/")

    def _load(self, release: Path) -> dict[str, tuple[int, str]]:
        source = release / REDIRECTS_FILE
        try:
            st = source.stat()
        except OSError:
            return {}
        key = (str(source), st.st_ino, st.st_mtime_ns, st.st_size)
        with self._lock:
            if key != self._key:
                self._entries = _parse_redirects(source)
                self._key = key
            return self._entries


def _parse_redirects(source: Path) -> dict[str, tuple[int, str]]:
    try:
        data: Any = json.loads(source.read_bytes())
    except (OSError, ValueError) as exc:
        log.warning("ignoring %s: %s", source, exc)
        return {}
    if not isinstance(data, dict):
        log.warning("ignoring %s: not a JSON object", source)
        return {}
    entries: dict[str, tuple[int, str]] = {}
    for path, entry in data.items():
        location = entry.get("location") if isinstance(entry, dict) else None
        status = entry.get("status", 302) if isinstance(entry, dict) else None
        if not (
            path.startswith("/")
            and isinstance(location, str)
            and isinstance(status, int)
            and (status in _REDIRECT_STATUSES or status == GONE)
        ):
            log.warning("ignoring %s entry %r: %r", source, path, entry)
            continue
        entries[path if path.endswith("/") else path + "/"] = (status, location)
    return entries


class SiteRequestHandler(BaseHTTPRequestHandler):
    server: SiteServer
    server_version = "pydotorg-dev"
    protocol_version = "HTTP/1.1"
    # Headers and body are separate writes; with Nagle's algorithm on, a keep-alive client
    # waits out its delayed ACK (~40 ms) on every file.
    disable_nagle_algorithm = True
    _proxying = False  # answering with the API's response: its headers, not the site's

    def do_GET(self) -> None:
        if not self._proxied():
            self._respond(body=True)

    def do_HEAD(self) -> None:
        if not self._proxied():
            self._respond(body=False)

    def do_POST(self) -> None:
        self._proxy_only()

    def do_PUT(self) -> None:
        self._proxy_only()

    def do_PATCH(self) -> None:
        self._proxy_only()

    def do_DELETE(self) -> None:
        self._proxy_only()

    def do_OPTIONS(self) -> None:
        self._proxy_only()

    # --- /api/ to the API (what nginx.conf and Fastly do: one origin for the browser) ----------

    def _proxy_only(self) -> None:
        if not self._proxied():
            self._send_status(HTTPStatus.METHOD_NOT_ALLOWED, body=True)

    def _proxied(self) -> bool:
        api = self.server.api_url
        if not api or not (self.path == "/api" or self.path.startswith(("/api/", "/api?"))):
            return False
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True  # where this request's body ends is unknown
            self._send_status(HTTPStatus.BAD_REQUEST, body=True, text="invalid Content-Length\n")
            return True
        payload = self.rfile.read(length) if length > 0 else b""
        # The visitor's own headers (their Cookie and Authorization among them), byte for byte:
        # http.server decoded them as latin-1, so encoding back gives the bytes that were sent;
        # the optional whitespace around a value is not part of it (RFC 9110 5.5).
        forwarded = [
            (name.encode("latin-1"), str(value).strip(" \t").encode("latin-1"))
            for name, value in self.headers.items()
            if name.lower() not in _HOP_BY_HOP
        ]
        forwarded.append((b"X-Forwarded-For", self.client_address[0].encode("latin-1")))
        # The path's bytes as sent, anything outside printable ASCII percent-encoded.
        target = _UNSAFE_TARGET_BYTE.sub(lambda m: b"%%%02X" % m[0][0], self.path.encode("latin-1"))
        try:
            request = httpx.Request(
                self.command,
                api + target.decode("ascii"),
                headers=forwarded,
                content=payload,
                extensions={"timeout": PROXY_TIMEOUT.as_dict()},
            )
            # The transport, not a client: nothing here has a cookie jar, so no Set-Cookie from
            # one visitor's answer can ever go with another visitor's request.
            upstream = self.server.api_transport.handle_request(request)
            try:
                content = b"".join(upstream.iter_raw())  # as the API encoded it (Content-Encoding)
            finally:
                upstream.close()
        except (httpx.LocalProtocolError, httpx.InvalidURL) as exc:
            # A header HTTP/1.1 cannot carry (a control character, say): the visitor's request
            # is at fault, not the API.
            log.info("API proxy: %s %s: %s", self.command, self.path, exc)
            self._send_status(HTTPStatus.BAD_REQUEST, body=True, text="the request cannot be forwarded\n")
            return True
        except httpx.HTTPError as exc:
            log.warning("API proxy: %s %s: %s", self.command, self.path, exc)
            self._send_status(HTTPStatus.BAD_GATEWAY, body=True, text="the API is not reachable\n")
            return True
        self._proxying = True
        try:
            self.send_response(upstream.status_code)
            # Every header of this answer, Set-Cookie included, goes to this visitor only.
            for raw_key, raw_value in upstream.headers.raw:
                key = raw_key.decode("latin-1")
                head_length = self.command == "HEAD" and key.lower() == "content-length"
                if key.lower() not in _HOP_BY_HOP and (key.lower() != "content-length" or head_length):
                    self.send_header(key, raw_value.decode("latin-1"))
            if self.command != "HEAD":
                self.send_header("Content-Length", str(len(content)))
            self.end_headers()
        finally:
            self._proxying = False
        if self.command != "HEAD":
            self.wfile.write(content)
        return True

    def end_headers(self) -> None:
        # Every answer of the static server (files, 404 page, redirects, errors); the API's own
        # answers go out through _proxied, which writes the API's headers only.
        if not self._proxying:
            for name, value in headers.for_path(getattr(self, "path", "/").partition("?")[0]):
                self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    # --- one request ---------------------------------------------------------------------------

    def _respond(self, *, body: bool) -> None:
        raw_path, _, query = self.path.partition("#")[0].partition("?")
        if not raw_path.startswith("/"):
            self._send_status(HTTPStatus.BAD_REQUEST, body=body)
            return
        try:
            path = unquote(raw_path, errors="strict")
        except UnicodeDecodeError:
            self._send_status(HTTPStatus.BAD_REQUEST, body=body)
            return
        path = re.sub(r"/{2,}", "/", path)  # nginx's merge_slashes
        if path.startswith(HEALTH_PREFIX):
            self._send_status(HTTPStatus.OK, body=body, text="OK")
            return
        # As the edge answers it: the path as sent (escapes kept), cleaned; nothing left is a 404.
        if raw_path.startswith(legacymedia.PREFIX):
            target = legacymedia.location(self.server.media_base_url, raw_path)
            if target is not None:
                self._send_redirect(HTTPStatus.MOVED_PERMANENTLY, target, body=body)
                return
        release = self._release()
        segments = path.split("/")
        # Media do not depend on a published site: the first build reads sponsor logos from here.
        if self.server.media_root is not None and path.startswith(MEDIA_PREFIX):
            if "\0" in path or "." in segments or ".." in segments:
                self._send_not_found(release, body=body)
            else:
                self._send_media(path[len(MEDIA_PREFIX) :], release, body=body)
            return
        if release is None:
            self._send_status(HTTPStatus.SERVICE_UNAVAILABLE, body=body, text="no site is published yet\n")
            return
        if "\0" in path or "." in segments or ".." in segments:
            self._send_not_found(release, body=body)
            return

        legacy = redirects.resolve(path, query)
        if legacy is not None:
            self._send_redirect(*legacy, body=body)
            return
        data = self.server.data_redirects.lookup(release, path)
        if data is not None and data[0] == GONE:
            relative = path.lstrip("/")
            notice = self._index(release, relative) if path.endswith("/") else self._file(release, relative)
            if notice is None:
                notice = self._index(release, relative + "/")
            if notice is None:
                self._send_status(HTTPStatus.GONE, body=body)
            else:
                self._send_file(HTTPStatus.GONE, notice, body=body)
            return
        if data is not None:
            self._send_redirect(*data, body=body)
            return
        if _DOTFILE.search(path) or path == "/" + NOT_FOUND_PAGE:
            self._send_not_found(release, body=body)
            return

        relative = path.lstrip("/")
        if path.endswith("/"):
            found = self._index(release, relative)
        else:
            found = self._file(release, relative)
            if found is None and self._index(release, relative + "/") is not None:
                # Like nginx.conf: the path as sent (slashes merged, so never "//host/"),
                # plus the slash, query kept.
                location = re.sub(r"/{2,}", "/", raw_path) + "/" + (f"?{query}" if query else "")
                self._send_redirect(HTTPStatus.MOVED_PERMANENTLY, location, body=body)
                return
        if found is None:
            self._send_not_found(release, body=body)
            return
        self._send_file(HTTPStatus.OK, found, body=body)

    def _index(self, release: Path, directory: str) -> Path | None:
        """nginx.conf's ``index index.html index.rss``: a directory URL that is a feed (/jobs/feed/rss/)."""
        for name in INDEX_FILES:
            found = self._file(release, directory + name)
            if found is not None:
                return found
        return None

    def _release(self) -> Path | None:
        try:
            return (self.server.root / CURRENT).resolve(strict=True)
        except OSError:
            return None

    def _file(self, release: Path, relative: str) -> Path | None:
        """The regular file at ``relative`` in the release, if it is one and lies inside it
        once every symlink is followed."""
        try:
            resolved = (release / relative).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not _is_within(resolved, release):
            return None
        try:
            return resolved if stat.S_ISREG(resolved.stat().st_mode) else None
        except OSError:
            return None

    # --- responses -----------------------------------------------------------------------------

    def _send_file(self, status: int, path: Path, *, body: bool) -> None:
        try:
            handle = path.open("rb")
        except OSError:
            self._send_status(HTTPStatus.NOT_FOUND, body=body)
            return
        with handle:
            size = os.fstat(handle.fileno()).st_size
            self.send_response(status)
            self.send_header("Content-Type", content_type(path.name))
            self.send_header("Content-Length", str(size))
            # A development server: never let the browser keep a page across rebuilds.
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if body:
                shutil.copyfileobj(handle, self.wfile)

    def _send_media(self, relative: str, release: Path | None, *, body: bool) -> None:
        media = self.server.media_root
        found = None if media is None or _DOTFILE.search("/" + relative) else self._file(media, relative)
        if found is None:
            self._send_not_found(release, body=body)
            return
        with found.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            self.send_response(HTTPStatus.OK)
            # end_headers adds the site's headers too: the media CSP is a second, stricter policy
            # (both apply); nosniff is already among them.
            site = {name.lower() for name, _ in headers.for_path(self.path.partition("?")[0])}
            for name, value in media_headers(found.name):
                if name.lower() not in site or name == "Content-Security-Policy":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(size))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if body:
                shutil.copyfileobj(handle, self.wfile)

    def _send_not_found(self, release: Path | None, *, body: bool) -> None:
        page = None if release is None else self._file(release, NOT_FOUND_PAGE)
        if page is None:
            self._send_status(HTTPStatus.NOT_FOUND, body=body)
        else:
            self._send_file(HTTPStatus.NOT_FOUND, page, body=body)

    def _send_redirect(self, status: int, location: str, *, body: bool) -> None:
        self.send_response(status)
        self.send_header("Location", quote(location, safe=_LOCATION_SAFE))
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _send_status(self, status: HTTPStatus, *, body: bool, text: str | None = None) -> None:
        payload = (text or f"{status.value} {status.phrase}\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(payload)


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        root: Path,
        address: tuple[str, int],
        api_url: str = "",
        media_root: Path | None = None,
        media_base_url: str = legacymedia.DEFAULT_BASE_URL,
    ) -> None:
        self.root = Path(root).absolute()
        self.media_root = Path(media_root).resolve() if media_root is not None else None
        self.media_base_url = media_base_url
        self.data_redirects = _DataRedirects()
        self.api_url = api_url.rstrip("/")
        # A connection pool shared by every visitor, and no client on top of it: an httpx.Client
        # keeps a cookie jar, which would hand the first visitor's session (the Set-Cookie of a
        # log-in) to every later visitor. Redirects go back to the visitor as they are.
        self.api_transport = httpx.HTTPTransport()
        super().__init__(address, SiteRequestHandler)

    def server_close(self) -> None:
        super().server_close()
        self.api_transport.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-response is routine; anything else is worth a line.
        if isinstance(sys.exc_info()[1], ConnectionError):
            log.debug("%s went away", client_address)
        else:
            log.warning("error while answering %s", client_address, exc_info=True)


def make_server(
    root: Path,
    host: str,
    port: int,
    api_url: str = "",
    media_root: Path | None = None,
    media_base_url: str = legacymedia.DEFAULT_BASE_URL,
) -> ThreadingHTTPServer:
    """A server for the origin ``root`` (the directory holding ``current``), bound and ready for
    ``serve_forever()``; ``port`` 0 picks a free port (see ``server.server_address``). With
    ``api_url``, requests under ``/api/`` go to the API, as the CDN routes them in production;
    with ``media_root``, ``/media/`` serves the uploaded files (``media_headers``);
    ``media_base_url`` is where the legacy ``/m/`` URLs redirect to."""
    return SiteServer(root, (host, port), api_url, media_root, media_base_url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sitebuilder.serve", description="Serve the published site for development."
    )
    parser.add_argument(
        "--root", type=Path, required=True, help="origin root, the directory holding `current`"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument(
        "--api", default="", help="forward /api/ to this API base URL (one origin, like the CDN)"
    )
    parser.add_argument(
        "--media", type=Path, default=None, help="serve this directory at /media/ (the API's local storage)"
    )
    parser.add_argument(
        "--media-base-url",
        default=legacymedia.DEFAULT_BASE_URL,
        help="public base URL of the media, where /m/<path> redirects (default: /media/ on this server)",
    )
    args = parser.parse_args(argv)
    server = make_server(args.root, args.host, args.port, args.api, args.media, args.media_base_url)
    # Ctrl-C, or the SIGINT `pydotorg dev run` sends on the way out.
    with server, contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
