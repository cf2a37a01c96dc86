"""The development site server's ``/api/`` forwarding (``sitebuilder.serve``) against a live API,
over real HTTP: every visitor keeps their own cookie session (the server keeps none), the API's
``Set-Cookie`` goes back to the visitor that caused it and to nobody else, CSRF tokens stay per
visitor, and a malformed ``Authorization`` header gets the API's own answer, never a 502."""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.helpers import PASSWORD
from tests.site.test_build import live_api  # noqa: F401  (fixture)

SESSION_COOKIE = "pydotorg_session"


@pytest.fixture
def site(tmp_path: Path, live_api: str) -> Iterator[str]:  # noqa: F811
    """The site server (no release published: only /api/ answers) in front of the live API."""
    from sitebuilder.serve import make_server

    server = make_server(tmp_path, "127.0.0.1", 0, api_url=live_api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


async def _log_in(client: httpx.AsyncClient, login: str) -> dict[str, Any]:
    r = await client.post(
        "/api/v3/auth/login", json={"login": login, "password": PASSWORD, "session": "cookie"}
    )
    assert r.status_code == 200, r.text
    cookies = [c for c in r.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}=")]
    assert len(cookies) == 1, r.headers  # the API's Set-Cookie reached this visitor
    assert client.cookies.get(SESSION_COOKIE)
    body: dict[str, Any] = r.json()
    assert body["csrf_token"]
    return body


def _raw_get(base: str, path: str, headers: list[tuple[str, bytes]]) -> tuple[int, bytes, list[str]]:
    """GET with headers exactly as given (bytes), as no well-behaved client library sends them."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read(), response.headers.get_all("Set-Cookie") or []
    finally:
        conn.close()


async def test_each_visitor_has_their_own_session(site: str, actors: Any, db_conn: Any) -> None:
    await actors.create("alice")
    await actors.create("bob")
    async with (
        httpx.AsyncClient(base_url=site, timeout=30) as a,
        httpx.AsyncClient(base_url=site, timeout=30) as b,
    ):
        alice = await _log_in(a, "alice")
        r = await a.get("/api/v3/users/me")
        assert r.status_code == 200 and r.json()["username"] == "alice"

        # A cookieless visitor after Alice's log-in: nobody.
        r = await b.get("/api/v3/users/me")
        assert r.status_code == 401, r.text
        assert not r.headers.get_list("set-cookie")
        status, _, set_cookies = _raw_get(site, "/api/v3/users/me", [])
        assert status == 401 and set_cookies == []
        # Alice's writes keep working with her own token, and a cookieless write is anonymous.
        r = await b.patch(
            "/api/v3/users/me", json={"first_name": "Mallory"}, headers={"X-CSRF-Token": alice["csrf_token"]}
        )
        assert r.status_code == 401, r.text

        # Bob logs in through the same server: no CSRF error from someone else's session.
        bob = await _log_in(b, "bob")
        assert bob["csrf_token"] != alice["csrf_token"]
        assert b.cookies[SESSION_COOKIE] != a.cookies[SESSION_COOKIE]
        for client, name in ((a, "alice"), (b, "bob"), (a, "alice"), (b, "bob")):
            r = await client.get("/api/v3/users/me")
            assert r.status_code == 200 and r.json()["username"] == name
            assert r.json()["email"] == f"{name}@example.org"

        # A CSRF-protected write by Bob: his own token works, Alice's does not.
        r = await b.patch(
            "/api/v3/users/me", json={"first_name": "Robert"}, headers={"X-CSRF-Token": alice["csrf_token"]}
        )
        assert r.status_code == 403 and "CSRF" in r.json()["detail"]
        r = await b.patch(
            "/api/v3/users/me", json={"first_name": "Robert"}, headers={"X-CSRF-Token": bob["csrf_token"]}
        )
        assert r.status_code == 200, r.text
        assert r.json()["username"] == "bob" and r.json()["first_name"] == "Robert"
        r = await a.patch(
            "/api/v3/users/me", json={"first_name": "Alice"}, headers={"X-CSRF-Token": alice["csrf_token"]}
        )
        assert r.status_code == 200 and r.json()["username"] == "alice"
        names = dict(
            await db_conn.fetch("SELECT username, first_name FROM users WHERE username IN ('alice', 'bob')")
        )
        assert names == {"alice": "Alice", "bob": "Robert"}

        # Bob logs out (the API clears his cookie in his browser only); Alice is still herself.
        r = await b.post("/api/v3/auth/logout", headers={"X-CSRF-Token": bob["csrf_token"]})
        assert r.status_code == 204, r.text
        assert (await b.get("/api/v3/users/me")).status_code == 401
        r = await a.get("/api/v3/users/me")
        assert r.status_code == 200 and r.json()["username"] == "alice"
        revoked = await db_conn.fetchval(
            "SELECT count(*) FROM auth_sessions s JOIN users u ON u.id = s.user_id "
            "WHERE u.username = 'bob' AND s.revoked_at IS NOT NULL"
        )
        assert revoked >= 1

    # A third visitor, after both sessions came and went: still nobody.
    status, body, set_cookies = _raw_get(site, "/api/v3/users/me", [])
    assert status == 401 and set_cookies == [], body


async def test_cookies_sent_by_the_visitor_are_the_ones_forwarded(site: str, actors: Any) -> None:
    await actors.create("alice")
    async with httpx.AsyncClient(base_url=site, timeout=30) as a:
        await _log_in(a, "alice")
        session = a.cookies[SESSION_COOKIE]
    # The same cookie from another connection is Alice (the server forwards the Cookie header) ...
    status, body, _ = _raw_get(site, "/api/v3/users/me", [("Cookie", f"{SESSION_COOKIE}={session}".encode())])
    assert status == 200 and json.loads(body)["username"] == "alice"
    # ... and an unknown one is nobody.
    status, _, _ = _raw_get(site, "/api/v3/users/me", [("Cookie", f"{SESSION_COOKIE}=forged".encode())])
    assert status == 401


@pytest.mark.parametrize(
    "authorization",
    [
        b"Bearer",
        b"Bearer ",
        b"???",
        b"Bearer not-a-token",
        b"Token \xff\xfe",
        b"Bearer \xc3\xa9t\xc3\xa9",
        b"",
    ],
)
async def test_malformed_authorization_gets_the_apis_answer(
    site: str,
    live_api: str,  # noqa: F811
    actors: Any,
    authorization: bytes,
) -> None:
    direct_status, direct_body, _ = _raw_get(live_api, "/api/v3/users/me", [("Authorization", authorization)])
    assert 400 <= direct_status < 500, direct_body  # what the API itself answers
    status, body, _ = _raw_get(site, "/api/v3/users/me", [("Authorization", authorization)])
    assert status == direct_status, body
    assert json.loads(body) == json.loads(direct_body)


async def test_a_header_http_cannot_carry_is_a_400(site: str, actors: Any) -> None:
    # A vertical tab inside a value: http.server reads it, but no HTTP/1.1 request may carry it.
    status, body, _ = _raw_get(site, "/api/v3/users/me", [("Authorization", b"Bearer a\x0bb")])
    assert status == 400, body


def _raw_request_line(base: str, target: bytes) -> bytes:
    """Send ``GET target`` with the target's bytes as they are (no client library would)."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname or "", parts.port or 80), timeout=30) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "target", [b"/api/v3/jobs/?q=caf\xc3\xa9", b"/api/v3/jobs/?q=\x01", b"/api/v3/pages/caf\xc3\xa9/"]
)
async def test_odd_bytes_in_the_path_get_the_apis_answer(
    site: str,
    live_api: str,  # noqa: F811
    actors: Any,
    target: bytes,
) -> None:
    # The server passes the bytes on percent-encoded, as a browser sends them.
    encoded = re.sub(rb"[^\x21-\x7e]", lambda m: b"%%%02X" % m[0][0], target)
    assert encoded != target
    direct = _raw_request_line(live_api, encoded)
    proxied = _raw_request_line(site, target)
    assert direct.split(b"\r\n", 1)[0] == proxied.split(b"\r\n", 1)[0], (direct[:200], proxied[:200])
    assert direct.split(b"\r\n\r\n", 1)[1] == proxied.split(b"\r\n\r\n", 1)[1]


async def test_an_invalid_content_length_is_a_400(site: str) -> None:
    status, body, _ = _raw_get(site, "/api/v3/users/me", [("Content-Length", b"many")])
    assert status == 400 and b"Content-Length" in body, body


async def test_a_valid_token_still_works_through_the_server(site: str, actors: Any) -> None:
    token = actors["ordinary"].token
    status, body, _ = _raw_get(site, "/api/v3/users/me", [("Authorization", f"Bearer {token}".encode())])
    assert status == 200 and json.loads(body)["username"] == "ordinary"
