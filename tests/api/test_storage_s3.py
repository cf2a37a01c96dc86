"""S3Storage against a fake S3 server spoken to over real HTTP, and SigV4 against AWS's vectors.

The fake server checks every request's SigV4 signature with its own implementation of the
algorithm (written from the spec, independent of the one under test), so a signing bug on
either side shows up as a 403 rather than passing silently.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest

from pydotorg.core.storage import (
    EMPTY_SHA256,
    LocalStorage,
    S3Storage,
    StorageError,
    canonical_request,
    create_storage,
    sign_v4,
)
from pydotorg.settings import Settings, SettingsError
from tests.helpers import serve_asgi

ACCESS_KEY = "AKIDPYDOTORGTEST"
SECRET_KEY = "pydotorg/test/secret+key=0123456789abcdef"
REGION = "eu-test-1"
BUCKET = "pydotorg-media"

# --- the fake server ------------------------------------------------------------------------------

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<credential>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),"
    r"\s*Signature=(?P<signature>[0-9a-f]{64})$"
)


def _enc(value: str, slash: bool = False) -> str:
    return "".join(
        ch
        if ch.isascii() and (ch.isalnum() or ch in "-_.~" or (slash and ch == "/"))
        else "".join(f"%{b:02X}" for b in ch.encode())
        for ch in value
    )


@dataclass
class StoredObject:
    body: bytes
    content_type: str
    cache_control: str


@dataclass
class FakeS3:
    """Path-style HEAD/GET/PUT/DELETE object API over an in-memory dict, with SigV4 checks."""

    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    region: str = REGION
    objects: dict[tuple[str, str], StoredObject] = field(default_factory=dict)
    log: list[tuple[str, str, int]] = field(default_factory=list)  # (method, key, status)
    fail_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        method = scope["method"]
        bucket, _, key = scope["path"].lstrip("/").partition("/")
        status, headers, content = self.handle(scope, method, bucket, key, body)
        with self.lock:
            self.log.append((method, key, status))
        headers = [*headers, ("content-length", str(len(content)))]
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.encode(), v.encode()) for k, v in headers],
            }
        )
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else content})

    def handle(
        self, scope: Scope, method: str, bucket: str, key: str, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return _error(500, "InternalError", "We encountered an internal error.")
        denied = self.check_signature(scope, body)
        if denied:
            return denied
        if not bucket or not key:
            return _error(400, "InvalidRequest", "only object requests are implemented")
        obj = self.objects.get((bucket, key))
        if method in ("HEAD", "GET"):
            if obj is None:
                return _error(404, "NoSuchKey", "The specified key does not exist.")
            etag = hashlib.md5(obj.body, usedforsecurity=False).hexdigest()
            headers = [
                ("content-type", obj.content_type),
                ("cache-control", obj.cache_control),
                ("etag", f'"{etag}"'),
            ]
            return 200, headers, obj.body
        if method == "PUT":
            self.objects[(bucket, key)] = StoredObject(
                body, _header(scope, "content-type") or "binary/octet-stream", _header(scope, "cache-control")
            )
            return 200, [("etag", f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"')], b""
        if method == "DELETE":
            self.objects.pop((bucket, key), None)
            return 204, [], b""
        return _error(405, "MethodNotAllowed", "The specified method is not allowed.")

    def check_signature(self, scope: Scope, body: bytes) -> tuple[int, list[tuple[str, str]], bytes] | None:
        match = _AUTH.match(_header(scope, "authorization"))
        if not match:
            return _error(403, "AccessDenied", "missing or malformed Authorization header")
        amz_date = _header(scope, "x-amz-date")
        try:
            when = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return _error(403, "AccessDenied", "missing or malformed x-amz-date")
        if abs(datetime.now(UTC) - when) > timedelta(minutes=15):
            return _error(403, "RequestTimeTooSkewed", "x-amz-date is too far from the server time")
        access_key, _, scope_text = match["credential"].partition("/")
        if access_key != self.access_key:
            return _error(403, "InvalidAccessKeyId", "unknown access key")
        if scope_text != f"{amz_date[:8]}/{self.region}/s3/aws4_request":
            return _error(403, "AuthorizationHeaderMalformed", f"bad credential scope {scope_text}")
        payload_hash = _header(scope, "x-amz-content-sha256")
        if payload_hash != hashlib.sha256(body).hexdigest():
            return _error(400, "XAmzContentSHA256Mismatch", "payload hash does not match")
        signed = match["signed"].split(";")
        present = {k.decode().lower() for k, _ in scope["headers"]}
        required = {"host", "x-amz-date", "x-amz-content-sha256"} | {
            h for h in present if h.startswith("x-amz-")
        }
        if not required <= set(signed) or signed != sorted(signed) or not set(signed) <= present:
            return _error(403, "AccessDenied", f"bad SignedHeaders {match['signed']}")
        # The canonical request, rebuilt from what arrived: S3 re-encodes the decoded path.
        query = []
        for pair in filter(None, scope["query_string"].decode().split("&")):
            k, _, v = pair.partition("=")
            query.append((_enc(unquote(k)), _enc(unquote(v))))
        headers = "".join(f"{h}:{' '.join(_header(scope, h).split())}\n" for h in signed)
        canonical = "\n".join(
            [
                scope["method"],
                _enc(scope["path"], slash=True),
                "&".join(f"{k}={v}" for k, v in sorted(query)),
                headers,
                ";".join(signed),
                payload_hash,
            ]
        )
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256", amz_date, scope_text, hashlib.sha256(canonical.encode()).hexdigest()]
        )
        key = ("AWS4" + self.secret_key).encode()
        for part in scope_text.split("/"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, match["signature"]):
            return _error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match")
        return None

    def statuses(self) -> list[int]:
        with self.lock:
            return [status for _, _, status in self.log]


def _header(scope: Scope, name: str) -> str:
    values = [v.decode("latin-1") for k, v in scope["headers"] if k.decode().lower() == name]
    return ",".join(values)


def _error(status: int, code: str, message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return status, [("content-type", "application/xml")], xml.encode()


@dataclass
class Server:
    fake: FakeS3
    endpoint: str


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    fake = FakeS3()
    with serve_asgi(fake) as url:
        yield Server(fake, url)


@pytest.fixture
def fake(server: Server) -> Iterator[FakeS3]:
    server.fake.objects.clear()
    server.fake.log.clear()
    server.fake.fail_next = 0
    yield server.fake
    server.fake.fail_next = 0


@pytest.fixture
async def storage(server: Server, fake: FakeS3) -> AsyncIterator[S3Storage]:
    s3 = S3Storage(server.endpoint, BUCKET, ACCESS_KEY, SECRET_KEY, region=REGION)
    s3.backoff = 0.01
    yield s3
    await s3.aclose()


# --- SigV4 against AWS's documented examples --------------------------------------------------


def test_sigv4_aws_get_object_example() -> None:
    """'GET Object' from the S3 SigV4 header-based authentication documentation."""
    headers = {
        "Host": "examplebucket.s3.amazonaws.com",
        "Range": "bytes=0-9",
        "x-amz-content-sha256": EMPTY_SHA256,
        "x-amz-date": "20130524T000000Z",
    }
    request, signed = canonical_request("GET", "/test.txt", (), headers, EMPTY_SHA256)
    assert request == (
        "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
        f"x-amz-content-sha256:{EMPTY_SHA256}\nx-amz-date:20130524T000000Z\n\n"
        f"host;range;x-amz-content-sha256;x-amz-date\n{EMPTY_SHA256}"
    )
    assert signed == "host;range;x-amz-content-sha256;x-amz-date"
    authorization = sign_v4(
        method="GET",
        path="/test.txt",
        headers=headers,
        access_key="AKIAIOSFODNN7EXAMPLE",
        secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region="us-east-1",
    )
    assert authorization == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


@pytest.mark.parametrize(
    ("method", "path", "query", "extra", "payload", "expected"),
    [
        (  # 'PUT Object': a '$' in the key, an extra x-amz header and a Date header
            "PUT",
            "/test$file.text",
            [],
            {"Date": "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY"},
            b"Welcome to Amazon S3.",
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
        ),
        (  # 'GET Bucket Lifecycle': a query parameter without a value
            "GET",
            "/",
            [("lifecycle", "")],
            {},
            b"",
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
        ),
        (  # 'Get Bucket (List Objects)': query parameters sorted by name
            "GET",
            "/",
            [("prefix", "J"), ("max-keys", "2")],
            {},
            b"",
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        ),
    ],
)
def test_sigv4_other_aws_examples(
    method: str, path: str, query: list[tuple[str, str]], extra: dict[str, str], payload: bytes, expected: str
) -> None:
    headers = {
        "Host": "examplebucket.s3.amazonaws.com",
        "x-amz-date": "20130524T000000Z",
        "x-amz-content-sha256": hashlib.sha256(payload).hexdigest(),
        **extra,
    }
    authorization = sign_v4(
        method=method,
        path=path,
        query=query,
        headers=headers,
        access_key="AKIAIOSFODNN7EXAMPLE",
        secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region="us-east-1",
    )
    assert authorization.endswith(f"Signature={expected}")


def test_sign_v4_requires_the_signed_essentials() -> None:
    with pytest.raises(ValueError, match="x-amz-content-sha256"):
        sign_v4(
            method="GET",
            path="/b/k",
            headers={"host": "h", "x-amz-date": "20130524T000000Z"},
            access_key="a",
            secret_key="s",
            region="r",
        )


# --- S3Storage over HTTP ----------------------------------------------------------------------


async def test_roundtrip(storage: S3Storage, fake: FakeS3) -> None:
    data = bytes(range(256)) * 1000 + b"\x00\r\n"
    name = await storage.save("pages/about/logo.png", data)
    assert name == "pages/about/logo.png"
    stored = fake.objects[(BUCKET, "media/pages/about/logo.png")]
    assert stored.body == data
    assert stored.content_type == "image/png"
    assert stored.cache_control == "max-age=86400"
    assert await storage.read(name) == data
    assert [m for m, _, _ in fake.log] == ["HEAD", "PUT", "GET"]

    await storage.delete(name)
    assert (BUCKET, "media/pages/about/logo.png") not in fake.objects
    with pytest.raises(FileNotFoundError):
        await storage.read(name)
    await storage.delete(name)  # deleting a missing object is fine
    assert fake.statuses()[-3:] == [204, 404, 204]


async def test_content_types(storage: S3Storage, fake: FakeS3) -> None:
    await storage.save("docs/guide.pdf", b"%PDF")
    await storage.save("docs/blob", b"")
    assert fake.objects[(BUCKET, "media/docs/guide.pdf")].content_type == "application/pdf"
    empty = fake.objects[(BUCKET, "media/docs/blob")]
    assert (empty.content_type, empty.body) == ("application/octet-stream", b"")


async def test_save_never_overwrites(storage: S3Storage, fake: FakeS3) -> None:
    first = await storage.save("docs/report.txt", b"first")
    second = await storage.save("docs/report.txt", b"second")
    third = await storage.save("docs/report.txt", b"third")
    assert first == "docs/report.txt"
    assert re.fullmatch(r"docs/report-[0-9a-f]{8}\.txt", second)
    assert len({first, second, third}) == 3
    assert await storage.read(first) == b"first"
    assert await storage.read(second) == b"second"
    assert await storage.read(third) == b"third"
    assert fake.objects[(BUCKET, "media/" + second)].content_type == "text/plain"


@pytest.mark.parametrize(
    "name",
    [
        "docs/my report (final).txt",
        "docs/été/日本語 ファイル.pdf",
        "docs/odd +&=;:,!$'*@[]%25 ~name.bin",
        "docs/100%.txt",
    ],
)
async def test_keys_are_encoded_and_signed(storage: S3Storage, fake: FakeS3, name: str) -> None:
    stored = await storage.save(name, name.encode())
    assert stored == name
    assert fake.objects[(BUCKET, "media/" + name)].body == name.encode()
    assert await storage.read(name) == name.encode()
    assert await storage.save(name, b"again") != name  # HEAD on the encoded key finds it
    await storage.delete(name)
    assert (BUCKET, "media/" + name) not in fake.objects
    assert set(fake.statuses()) <= {200, 204, 404}


async def test_names_http_would_rewrite_are_refused(storage: S3Storage) -> None:
    for name in ("", "/abs.txt", "a/../b.txt", "a/./b.txt", "a//b.txt", "dir/"):
        with pytest.raises(ValueError):
            await storage.save(name, b"x")


async def test_wrong_secret_key_is_refused(server: Server, fake: FakeS3) -> None:
    s3 = S3Storage(server.endpoint, BUCKET, ACCESS_KEY, "not-the-secret", region=REGION)
    try:
        with pytest.raises(StorageError, match="403") as info:
            await s3.save("docs/a.txt", b"x")
        assert "media/docs/a.txt" in str(info.value)
        with pytest.raises(StorageError, match=r"HTTP 403 \(SignatureDoesNotMatch"):
            await s3.read("docs/a.txt")
    finally:
        await s3.aclose()
    assert fake.objects == {}
    assert fake.statuses() == [403, 403]  # not retried


async def test_wrong_region_and_stale_date_are_refused(server: Server, fake: FakeS3) -> None:
    wrong_region = S3Storage(server.endpoint, BUCKET, ACCESS_KEY, SECRET_KEY, region="us-east-1")
    stale = S3Storage(server.endpoint, BUCKET, ACCESS_KEY, SECRET_KEY, region=REGION)
    stale.clock = lambda: datetime.now(UTC) - timedelta(hours=1)
    try:
        with pytest.raises(StorageError, match="AuthorizationHeaderMalformed"):
            await wrong_region.read("x.txt")
        with pytest.raises(StorageError, match="RequestTimeTooSkewed"):
            await stale.read("x.txt")
    finally:
        await wrong_region.aclose()
        await stale.aclose()


async def test_fake_server_rejects_unsigned_and_tampered_requests(server: Server, fake: FakeS3) -> None:
    url = f"{server.endpoint}/{BUCKET}/media/x.txt"
    async with httpx.AsyncClient() as client:
        assert (await client.get(url)).status_code == 403  # no Authorization
        amz_date = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        headers = {"x-amz-date": amz_date, "x-amz-content-sha256": EMPTY_SHA256}
        auth = sign_v4(
            method="GET",
            path=f"/{BUCKET}/media/x.txt",
            headers={"host": url.split("/")[2], **headers},
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            region=REGION,
        )
        ok = await client.get(url, headers={**headers, "authorization": auth})
        assert ok.status_code == 404  # signed correctly; the key is missing
        no_date = {"x-amz-content-sha256": EMPTY_SHA256, "authorization": auth}
        assert (await client.get(url, headers=no_date)).status_code == 403
        other_key = await client.get(
            url.replace("x.txt", "y.txt"), headers={**headers, "authorization": auth}
        )
        assert other_key.status_code == 403
        assert b"SignatureDoesNotMatch" in other_key.content
        body = await client.put(url, content=b"tampered", headers={**headers, "authorization": auth})
        assert body.status_code == 400  # the payload hash does not match the body


async def test_retries_after_server_errors(storage: S3Storage, fake: FakeS3) -> None:
    fake.fail_next = 2
    assert await storage.save("docs/retry.txt", b"payload") == "docs/retry.txt"
    assert fake.statuses() == [500, 500, 404, 200]
    assert fake.objects[(BUCKET, "media/docs/retry.txt")].body == b"payload"


async def test_persistent_server_errors_raise(storage: S3Storage, fake: FakeS3) -> None:
    fake.fail_next = 100
    with pytest.raises(StorageError) as info:
        await storage.read("docs/down.txt")
    message = str(info.value)
    assert "HTTP 500" in message and "media/docs/down.txt" in message and "3 attempts" in message
    assert fake.statuses() == [500, 500, 500]


class FlakyTransport(httpx.AsyncBaseTransport):
    """Real HTTP, except that the first ``failures`` requests fail to connect."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.calls <= self.failures:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.parametrize(("failures", "succeeds"), [(2, True), (3, False)])
async def test_retries_after_connection_errors(
    server: Server, fake: FakeS3, failures: int, succeeds: bool
) -> None:
    transport = FlakyTransport(failures)
    async with httpx.AsyncClient(transport=transport) as client:
        s3 = S3Storage(server.endpoint, BUCKET, ACCESS_KEY, SECRET_KEY, region=REGION, client=client)
        s3.backoff = 0.01
        if succeeds:
            with pytest.raises(FileNotFoundError):
                await s3.read("docs/none.txt")
        else:
            with pytest.raises(StorageError, match=r"ConnectError") as info:
                await s3.read("docs/none.txt")
            assert isinstance(info.value.__cause__, httpx.ConnectError)
        await s3.aclose()  # a client passed in is left open for its owner
        assert not client.is_closed
    assert transport.calls == 3


async def test_endpoint_with_a_path_and_no_prefix(server: Server, fake: FakeS3) -> None:
    # The fake takes the first path segment as the bucket; an endpoint path shifts it.
    s3 = S3Storage(server.endpoint + "/", "gateway", ACCESS_KEY, SECRET_KEY, region=REGION, prefix="")
    try:
        assert await s3.save("top.txt", b"t") == "top.txt"
    finally:
        await s3.aclose()
    assert fake.objects[("gateway", "top.txt")].body == b"t"


def test_url() -> None:
    plain = S3Storage("https://s3.example.org/", BUCKET, "a", "s")
    assert plain.url("pages/logo.png") == f"https://s3.example.org/{BUCKET}/media/pages/logo.png"
    assert plain.url("a b/é.png") == f"https://s3.example.org/{BUCKET}/media/a%20b/%C3%A9.png"
    cdn = S3Storage(
        "https://s3.example.org", BUCKET, "a", "s", public_base_url="https://www.python.org/media"
    )
    assert cdn.url("pages/logo.png") == "https://www.python.org/media/pages/logo.png"
    cdn2 = S3Storage("https://s3.example.org", BUCKET, "a", "s", public_base_url="https://cdn.example/m/")
    assert cdn2.url("x y.txt") == "https://cdn.example/m/x%20y.txt"


def test_constructor_rejects_bad_configuration() -> None:
    with pytest.raises(ValueError, match="endpoint"):
        S3Storage("s3.example.org", BUCKET, "a", "s")
    with pytest.raises(ValueError, match="bucket"):
        S3Storage("https://s3.example.org", "a/b", "a", "s")


# --- settings and the factory ----------------------------------------------------------------

S3_ENV = {
    "PYDOTORG_SECRET_KEY": "x" * 40,
    "PYDOTORG_STORAGE_BACKEND": "s3",
    "PYDOTORG_S3_ENDPOINT_URL": "https://s3.eu-west-1.amazonaws.com",
    "PYDOTORG_S3_BUCKET": "python-org-media",
    "PYDOTORG_S3_ACCESS_KEY": "AKIDEXAMPLE",
    "PYDOTORG_S3_SECRET_KEY": "secret",
    "PYDOTORG_S3_REGION": "eu-west-1",
    "PYDOTORG_S3_PREFIX": "m/",
    "PYDOTORG_S3_PUBLIC_BASE_URL": "https://www.python.org/media/",
}


async def test_create_storage_picks_the_backend(tmp_path: Path) -> None:
    local = create_storage(
        Settings.from_env({"PYDOTORG_SECRET_KEY": "x" * 40, "PYDOTORG_STATE_DIR": str(tmp_path)})
    )
    assert isinstance(local, LocalStorage)
    assert local.root == tmp_path / "media"

    settings = Settings.from_env({**S3_ENV, "PYDOTORG_STATE_DIR": str(tmp_path)})
    s3 = create_storage(settings)
    assert isinstance(s3, S3Storage)
    try:
        assert (s3.endpoint_url, s3.bucket, s3.access_key, s3.region, s3.prefix) == (
            "https://s3.eu-west-1.amazonaws.com",
            "python-org-media",
            "AKIDEXAMPLE",
            "eu-west-1",
            "m/",
        )
        assert s3.url("a.png") == "https://www.python.org/media/a.png"
    finally:
        await s3.aclose()


@pytest.mark.parametrize(
    "missing",
    ["PYDOTORG_S3_ENDPOINT_URL", "PYDOTORG_S3_BUCKET", "PYDOTORG_S3_ACCESS_KEY", "PYDOTORG_S3_SECRET_KEY"],
)
def test_settings_refuse_incomplete_s3_configuration(missing: str, tmp_path: Path) -> None:
    env = {k: v for k, v in S3_ENV.items() if k != missing}
    with pytest.raises(SettingsError, match=missing):
        Settings.from_env({**env, "PYDOTORG_STATE_DIR": str(tmp_path)})
    # also in development, where the secret key is filled in rather than required
    env.pop("PYDOTORG_SECRET_KEY")
    with pytest.raises(SettingsError, match=missing):
        Settings.from_env({**env, "PYDOTORG_STATE_DIR": str(tmp_path)})


def test_settings_refuse_bad_backend_and_endpoint(tmp_path: Path) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env({**S3_ENV, "PYDOTORG_STORAGE_BACKEND": "ftp", "PYDOTORG_STATE_DIR": str(tmp_path)})
    with pytest.raises(SettingsError, match="ENDPOINT_URL"):
        Settings.from_env(
            {**S3_ENV, "PYDOTORG_S3_ENDPOINT_URL": "s3.amazonaws.com", "PYDOTORG_STATE_DIR": str(tmp_path)}
        )


def test_quote_matches_the_servers_encoder() -> None:
    """The fake's encoder and urllib's agree, so the server is a fair judge of the client."""
    sample = "a b/é+日~-_.!*'()%$"
    assert _enc(sample, slash=True) == quote(sample, safe="/-_.~")
