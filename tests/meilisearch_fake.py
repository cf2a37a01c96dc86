"""A small fake of Meilisearch's HTTP API, served by uvicorn on a free 127.0.0.1 port in a thread.

It answers exactly what ``MeilisearchEngine`` asks through meilisearch-python-sdk: indexes
(create, get, delete), settings, documents (add, delete by ids, by filter, all), search and
multi-search, tasks, health and version. Writes follow the real protocol (202 with a ``taskUid``,
then ``GET /tasks/{uid}``) but are applied at once; a task fails as Meilisearch's would (a
document without a valid id, a filter on an attribute that is not filterable).

Search does enough for behaviour tests: every query word must match a word of the searchable
attributes (case-insensitive; the last word also as a prefix; one typo from 5 letters, two from
9), filters of the forms ``type = "x"``, ``NOT id IN [...]`` joined by AND, ranking by query words
found in the title, then ``boost``, ``order`` (both descending) and the key, page or offset
pagination, the ``type`` facet, and ``_formatted`` with whole matched words highlighted and the
text cropped around the first match. Every request is recorded (``requests``); ``down()`` stops
listening (connection refused) or, with a status, answers every request with it; ``up()`` listens
again on the same port; ``delay`` slows every answer down.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import uvicorn
from meilisearch_python_sdk import Client

from tests.helpers import Receive, Scope, Send

Predicate = Any  # Callable[[dict[str, Any]], bool]
_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:\\.|[^"\\])*")|(?P<punct>[\[\],=])|(?P<word>[^\s\[\],="]+))')
_WORD = re.compile(r"\w+")
_VALID_ID = re.compile(r"[A-Za-z0-9_-]{1,511}")


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    status: int


@dataclass
class FakeIndex:
    uid: str
    primary_key: str | None
    created_at: str
    settings: dict[str, Any] = field(default_factory=dict)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, type_: str = "invalid_request") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.type = status, code, message, type_


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def parse_filter(text: str | list[str] | None, filterable: list[str]) -> Predicate | None:
    """The filter as a predicate on a document; ``ApiError`` for a syntax error or an attribute
    that is not filterable (code ``invalid_filter``, renamed by the caller)."""
    if not text:
        return None
    if isinstance(text, list):
        parts = [parse_filter(t, filterable) for t in text]
        return lambda doc: all(p(doc) for p in parts if p)
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text.rstrip()):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ApiError(400, "invalid_filter", f"Unexpected character at {pos} in `{text}`.")
        kind = m.lastgroup or ""
        value = m[kind]
        tokens.append((kind, re.sub(r"\\(.)", r"\1", value[1:-1]) if kind == "str" else value))
        pos = m.end()

    def take(expected: str | None = None) -> tuple[str, str]:
        if not tokens or (expected is not None and tokens[0][1] != expected):
            raise ApiError(400, "invalid_filter", f"Expected {expected or 'more'} in `{text}`.")
        return tokens.pop(0)

    def condition() -> Predicate:
        if tokens and tokens[0] == ("word", "NOT"):
            take()
            inner = condition()
            return lambda doc: not inner(doc)
        attribute = take()[1]
        if attribute not in filterable:
            raise ApiError(400, "invalid_filter", f"Attribute `{attribute}` is not filterable.")
        if take()[1] == "=":
            wanted = take()[1]
            return lambda doc: str(doc.get(attribute)) == wanted
        take("[")
        values = {take()[1]}
        while take()[1] == ",":
            values.add(take()[1])
        return lambda doc: str(doc.get(attribute)) in values

    conditions = [condition()]
    while tokens:
        take("AND")
        conditions.append(condition())
    return lambda doc: all(c(doc) for c in conditions)


def _typos(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def _matches(query_word: str, word: str, last: bool, sizes: dict[str, int]) -> bool:
    if word == query_word or (last and word.startswith(query_word)):
        return True
    allowed = 2 if len(query_word) >= sizes["twoTypos"] else 1 if len(query_word) >= sizes["oneTypo"] else 0
    return allowed > 0 and (
        _typos(query_word, word) <= allowed
        or (last and _typos(query_word, word[: len(query_word)]) <= allowed)
    )


class FakeMeilisearch:
    def __init__(self, master_key: str) -> None:
        self.master_key = master_key
        self.requests: list[Recorded] = []
        self.indexes: dict[str, FakeIndex] = {}
        self.tasks: dict[int, dict[str, Any]] = {}
        self.port = 0
        self.delay = 0.0  # seconds each answer waits (to make the client time out)
        self._failing: tuple[int, bool] | None = None
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- control -------------------------------------------------------------------------------

    def up(self) -> None:
        """Listen (again, on the same port) and answer normally."""
        self._failing = None
        if self._server is not None:
            return
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(self, lifespan="off", log_level="warning", access_log=False))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "the fake Meilisearch did not start"
            time.sleep(0.01)
        self._server, self._thread, self._sock = server, thread, sock

    def down(self, status: int | None = None, *, html: bool = False) -> None:
        """No status: stop listening (connections are refused). A status: answer every request
        with it (a JSON Meilisearch error, or an HTML page as a proxy in front would)."""
        if status is not None:
            self._failing = (status, html)
            return
        if self._server is not None and self._thread is not None and self._sock is not None:
            self._server.should_exit = True
            self._thread.join(10)
            self._sock.close()
        self._server = self._thread = self._sock = None

    def stop(self) -> None:
        self.down()

    def reset(self) -> None:
        """Forget every index, task and recorded request, and answer normally."""
        with self._lock:
            self.indexes.clear()
            self.tasks.clear()
            self.requests.clear()
            self._failing = None
            self.delay = 0.0

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def bodies(self, method: str, path: str) -> list[Any]:
        """The JSON bodies of the recorded requests to ``path`` (query string excluded)."""
        with self._lock:
            return [r.body for r in self.requests if r.method == method and r.path.split("?")[0] == path]

    # -- HTTP ----------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        method, path = scope["method"], scope["path"]
        query = dict(p.split("=", 1) for p in scope["query_string"].decode().split("&") if "=" in p)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        body = json.loads(raw) if raw else None
        content_type, status = "application/json", 200
        with self._lock:
            try:
                if self._failing:
                    status, html = self._failing
                    if html:
                        content_type, answer = "text/html", "<html><body>Service Unavailable</body></html>"
                    else:
                        raise ApiError(status, "internal", "Simulated failure.", "internal")
                else:
                    self._authorize(path, headers.get("authorization", ""))
                    status, answer = self._route(method, path.strip("/").split("/"), query, body)
            except ApiError as err:
                status = err.status
                link = f"https://docs.meilisearch.com/errors#{err.code}"
                answer = {"message": err.message, "code": err.code, "type": err.type, "link": link}
            self.requests.append(Recorded(method, path, body, status))
        content = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
        if self.delay:
            await asyncio.sleep(self.delay)
        response_headers = [
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(content)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": content})

    def _authorize(self, path: str, authorization: str) -> None:
        if path == "/health" or not self.master_key:
            return
        if not authorization.startswith("Bearer "):
            message = "The Authorization header is missing. It must use the bearer authorization method."
            raise ApiError(401, "missing_authorization_header", message, "auth")
        if authorization.removeprefix("Bearer ") != self.master_key:
            raise ApiError(403, "invalid_api_key", "The provided API key is invalid.", "auth")

    def _index(self, uid: str) -> FakeIndex:
        if uid not in self.indexes:
            raise ApiError(404, "index_not_found", f"Index `{uid}` not found.")
        return self.indexes[uid]

    def _route(self, method: str, parts: list[str], query: dict[str, str], body: Any) -> tuple[int, Any]:
        match method, parts:
            case "GET", ["health"]:
                return 200, {"status": "available"}
            case "GET", ["version"]:
                return 200, {"commitSha": "fake", "commitDate": _now(), "pkgVersion": "1.12.0"}
            case "GET", ["tasks", uid] if uid.isdigit() and int(uid) in self.tasks:
                return 200, self.tasks[int(uid)]
            case "GET", ["tasks", uid]:
                raise ApiError(404, "task_not_found", f"Task `{uid}` not found.")
            case "POST", ["indexes"]:
                return self._task(
                    body["uid"], "indexCreation", lambda: self._create(body["uid"], body.get("primaryKey"))
                )
            case "GET", ["indexes", uid]:
                index = self._index(uid)
                info = {"uid": uid, "primaryKey": index.primary_key, "createdAt": index.created_at}
                return 200, info | {"updatedAt": index.created_at}
            case "DELETE", ["indexes", uid]:
                return self._task(uid, "indexDeletion", lambda: self._delete_index(uid))
            case "GET", ["indexes", uid, "settings"]:
                return 200, self._index(uid).settings
            case "PATCH", ["indexes", uid, "settings"]:
                return self._task(
                    uid, "settingsUpdate", lambda: self._create(uid, None).settings.update(body)
                )
            case "POST", ["indexes", uid, "documents"]:
                return self._task(uid, "documentAdditionOrUpdate", lambda: self._add(uid, query, body))
            case "POST", ["indexes", uid, "documents", "delete-batch"]:
                keys = [str(k) for k in body]
                return self._task(uid, "documentDeletion", lambda: self._delete(uid, lambda d, k: k in keys))
            case "POST", ["indexes", uid, "documents", "delete"]:
                return self._delete_by_filter(uid, body["filter"])
            case "DELETE", ["indexes", uid, "documents"]:
                return self._task(uid, "documentDeletion", lambda: self._delete(uid, lambda d, k: True))
            case "POST", ["indexes", uid, "search"]:
                return 200, self._search(self._index(uid), body)
            case "POST", ["multi-search"]:
                results = [
                    self._search(self._index(q["indexUid"]), q) | {"indexUid": q["indexUid"]}
                    for q in body["queries"]
                ]
                return 200, {"results": results}
        raise ApiError(404, "not_found", f"No route for {method} /{'/'.join(parts)} in the fake.")

    # -- tasks ---------------------------------------------------------------------------------

    def _task(self, uid: str, type_: str, apply: Any) -> tuple[int, Any]:
        """Enqueue a task and process it at once; ``apply`` raises ``ApiError`` to fail it."""
        task_uid = len(self.tasks)
        enqueued = _now()
        try:
            apply()
            status, error = "succeeded", None
        except ApiError as err:
            status = "failed"
            error = {"message": err.message, "code": err.code, "type": err.type, "link": ""}
        self.tasks[task_uid] = {
            "uid": task_uid, "batchUid": task_uid, "indexUid": uid, "status": status, "type": type_,
            "canceledBy": None, "details": {}, "error": error, "duration": "PT0S",
            "enqueuedAt": enqueued, "startedAt": enqueued, "finishedAt": _now(),
        }  # fmt: skip
        return 202, {
            "taskUid": task_uid,
            "indexUid": uid,
            "status": "enqueued",
            "type": type_,
            "enqueuedAt": enqueued,
        }

    @staticmethod
    def _fail(code: str, message: str) -> None:
        raise ApiError(400, code, message)

    def _create(self, uid: str, primary_key: str | None) -> FakeIndex:
        if uid not in self.indexes:
            self.indexes[uid] = FakeIndex(uid, primary_key, _now())
        return self.indexes[uid]

    def _add(self, uid: str, query: dict[str, str], docs: list[dict[str, Any]]) -> None:
        index = self._create(uid, None)
        if index.primary_key is None:
            index.primary_key = query.get("primaryKey") or next(
                (k for k in docs[0] if k.endswith("id")), None
            )
        key = index.primary_key or ""
        for doc in docs:
            if key not in doc:
                raise ApiError(
                    400, "missing_document_id", f"Document doesn't have a `{key}` attribute: `{doc}`."
                )
            if not _VALID_ID.fullmatch(str(doc[key])):
                raise ApiError(400, "invalid_document_id", f"Document identifier `{doc[key]}` is invalid.")
        for doc in docs:
            index.documents[str(doc[key])] = doc

    def _delete_by_filter(self, uid: str, filter_: str) -> tuple[int, Any]:
        """A syntax error is refused at once; an attribute that is not filterable fails the task."""
        index = self.indexes.get(uid)
        try:
            predicate = parse_filter(filter_, index.settings.get("filterableAttributes", []) if index else [])
        except ApiError as err:
            message = err.message
            if "not filterable" not in message:
                raise ApiError(400, "invalid_document_filter", message) from None
            return self._task(uid, "documentDeletion", lambda: self._fail("invalid_document_filter", message))
        return self._task(uid, "documentDeletion", lambda: self._delete(uid, lambda d, k: predicate(d)))

    def _delete_index(self, uid: str) -> None:
        del self.indexes[self._index(uid).uid]

    def _delete(self, uid: str, which: Any) -> None:
        index = self._index(uid)
        for key in [k for k, d in index.documents.items() if which(d, k)]:
            del index.documents[key]

    # -- search --------------------------------------------------------------------------------

    def _search(self, index: FakeIndex, body: dict[str, Any]) -> dict[str, Any]:
        settings = index.settings
        filterable = settings.get("filterableAttributes", [])
        try:
            predicate = parse_filter(body.get("filter"), filterable)
        except ApiError as err:
            raise ApiError(400, "invalid_search_filter", err.message) from None
        for facet in body.get("facets") or []:
            if facet not in filterable:
                raise ApiError(400, "invalid_search_facets", f"Attribute `{facet}` is not filterable.")
        words = _WORD.findall((body.get("q") or "").lower())
        sizes = {"oneTypo": 5, "twoTypos": 9} | settings.get("typoTolerance", {}).get(
            "minWordSizeForTypos", {}
        )
        searchable = settings.get("searchableAttributes", ["*"])

        def found(query_word: str, last: bool, text: str) -> bool:
            return any(_matches(query_word, w, last, sizes) for w in _WORD.findall(text.lower()))

        ranked: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        for key, doc in index.documents.items():
            if predicate and not predicate(doc):
                continue
            fields = [
                str(v)
                for k, v in doc.items()
                if (searchable == ["*"] or k in searchable) and isinstance(v, str)
            ]
            if not all(found(w, i == len(words) - 1, " ".join(fields)) for i, w in enumerate(words)):
                continue
            in_title = sum(
                found(w, i == len(words) - 1, str(doc.get("title", ""))) for i, w in enumerate(words)
            )
            ranked.append(((-in_title, -float(doc.get("boost", 0)), -int(doc.get("order", 0)), key), doc))
        hits = [doc for _, doc in sorted(ranked, key=lambda r: r[0])]
        answer: dict[str, Any] = {"query": body.get("q") or "", "processingTimeMs": 0}
        if body.get("page") is not None or body.get("hitsPerPage") is not None:
            page = body.get("page") or 1
            per_page = 20 if body.get("hitsPerPage") is None else body["hitsPerPage"]
            start, limit = (page - 1) * per_page, per_page
            pages = -(-len(hits) // per_page) if per_page else 0
            answer |= {"page": page, "hitsPerPage": per_page, "totalHits": len(hits), "totalPages": pages}
        else:
            start, limit = body.get("offset", 0), body.get("limit", 20)
            answer |= {"offset": start, "limit": limit, "estimatedTotalHits": len(hits)}
        if body.get("facets"):
            distribution: dict[str, dict[str, int]] = {}
            for facet in body["facets"]:
                for doc in hits:
                    counts = distribution.setdefault(facet, {})
                    counts[str(doc.get(facet))] = counts.get(str(doc.get(facet)), 0) + 1
            answer |= {"facetDistribution": distribution, "facetStats": {}}
        answer["hits"] = [self._shown(doc, body, words, sizes) for doc in hits[start : start + limit]]
        return answer

    def _shown(
        self, doc: dict[str, Any], body: dict[str, Any], words: list[str], sizes: dict[str, int]
    ) -> dict[str, Any]:
        retrieve = body.get("attributesToRetrieve") or ["*"]
        shown = {k: v for k, v in doc.items() if retrieve == ["*"] or k in retrieve}
        highlight, crop = body.get("attributesToHighlight") or [], body.get("attributesToCrop") or []
        if not highlight and not crop:
            return shown
        pre, post = body.get("highlightPreTag", "<em>"), body.get("highlightPostTag", "</em>")

        def hit(word: str) -> bool:
            return any(_matches(w, word.lower(), i == len(words) - 1, sizes) for i, w in enumerate(words))

        formatted: dict[str, Any] = {}
        for name, value in shown.items():
            if not isinstance(value, str):
                formatted[name] = value
                continue
            if name in crop:
                length, marker = body.get("cropLength", 10), body.get("cropMarker", "…")
                tokens = value.split()
                first = next((i for i, t in enumerate(tokens) if any(hit(w) for w in _WORD.findall(t))), 0)
                begin = max(0, min(first - length // 2, len(tokens) - length)) if first else 0
                end = begin + length
                value = (
                    (marker if begin else "")
                    + " ".join(tokens[begin:end])
                    + (marker if end < len(tokens) else "")
                )
            if name in highlight:
                value = _WORD.sub(lambda m: f"{pre}{m[0]}{post}" if hit(m[0]) else m[0], value)
            formatted[name] = value
        return shown | {"_formatted": formatted}


def start_fake(master_key: str) -> FakeMeilisearch:
    """A running fake; call ``stop()`` when done."""
    fake = FakeMeilisearch(master_key)
    fake.up()
    return fake


MASTER_KEY = "fake-master-key-for-the-tests-0123456789"


@dataclass
class MeilisearchForTests:
    url: str
    key: str
    index: str  # a new index name, dropped afterwards
    fake: FakeMeilisearch | None  # None: a real server


@contextmanager
def meilisearch_for_tests() -> Iterator[MeilisearchForTests]:
    """The real Meilisearch named by ``PYDOTORG_TEST_MEILISEARCH_URL`` (and ``_KEY``), or else a
    new fake; with a new index name, deleted from the real server afterwards."""
    index = f"test_{uuid.uuid4().hex[:16]}"
    real_url = os.environ.get("PYDOTORG_TEST_MEILISEARCH_URL", "")
    if real_url:
        real_key = os.environ.get("PYDOTORG_TEST_MEILISEARCH_KEY", "")
        try:
            yield MeilisearchForTests(real_url, real_key, index, None)
        finally:
            with Client(real_url, real_key or None) as client:
                client.delete_index_if_exists(index)
        return
    fake = start_fake(MASTER_KEY)
    try:
        yield MeilisearchForTests(fake.url, MASTER_KEY, index, fake)
    finally:
        fake.stop()
