"""The API's media storage (S3Storage, through obstore) against a real S3-compatible server:
moto's S3 on a local port (tests/s3server.py), read back with boto3. A recording proxy in front
of moto supplies what a real store will not do on demand: failures, and the request log.

(The hand-written SigV4 signer and its AWS test vectors are gone with it: obstore signs.)
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from pydotorg.app import create_app
from pydotorg.core.availability import RETRY_AFTER_SECONDS, V3_DETAIL, is_unavailable
from pydotorg.core.mail import MemoryMailer
from pydotorg.core.storage import (
    LocalStorage,
    S3Storage,
    StorageError,
    StorageUnavailable,
    create_storage,
)
from pydotorg.settings import Settings, SettingsError
from tests.s3server import ACCESS_KEY, REGION, SECRET_KEY, RecordingProxy, S3Server, running_s3

BUCKET = "pydotorg-media"


@dataclass
class Server:
    s3: S3Server
    proxy: RecordingProxy
    endpoint: str  # the proxy's: every request is logged

    def stored(self, key: str) -> bytes | None:
        obj = self.s3.get(BUCKET, key)
        return None if obj is None else obj.body


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_s3() as s3, s3.proxy() as (proxy, endpoint):
        yield Server(s3, proxy, endpoint)


@pytest.fixture
def fake(server: Server) -> Iterator[Server]:
    server.s3.bucket(BUCKET)
    server.proxy.reset()
    yield server
    server.proxy.reset()


@pytest.fixture
def storage(fake: Server) -> S3Storage:
    return S3Storage(fake.endpoint, BUCKET, ACCESS_KEY, SECRET_KEY, region=REGION, backoff=0.01)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- S3Storage over HTTP ----------------------------------------------------------------------


async def test_roundtrip(storage: S3Storage, fake: Server) -> None:
    data = bytes(range(256)) * 1000 + b"\x00\r\n"
    name = await storage.save("pages/about/logo.png", data)
    assert name == "pages/about/logo.png"
    stored = fake.s3.get(BUCKET, "media/pages/about/logo.png")
    assert stored is not None
    assert stored.body == data
    assert stored.content_type == "image/png"
    assert stored.cache_control == "max-age=86400"
    assert stored.content_disposition == ""  # an image is shown inline
    assert await storage.read(name) == data
    assert [m for m, _ in fake.proxy.methods()] == ["HEAD", "PUT", "GET"]

    await storage.delete(name)
    assert fake.stored("media/pages/about/logo.png") is None
    with pytest.raises(FileNotFoundError):
        await storage.read(name)
    await storage.delete(name)  # deleting a missing object is fine
    # obstore deletes through S3's multi-object Delete (POST ?delete), which answers 200 either way.
    assert [(m, s) for m, _, s in fake.proxy.log[-3:]] == [("POST", 200), ("GET", 404), ("POST", 200)]


async def test_content_types(storage: S3Storage, fake: Server) -> None:
    await storage.save("docs/guide.pdf", b"%PDF")
    await storage.save("docs/blob", b"")
    await storage.save("docs/logo.svg", b"<svg/>")
    guide = fake.s3.get(BUCKET, "media/docs/guide.pdf")
    assert guide is not None and guide.content_type == "application/pdf"
    empty = fake.s3.get(BUCKET, "media/docs/blob")
    assert empty is not None
    assert (empty.content_type, empty.body) == ("application/octet-stream", b"")
    assert empty.content_disposition == "attachment"
    svg = fake.s3.get(BUCKET, "media/docs/logo.svg")
    assert svg is not None and (svg.content_type, svg.content_disposition) == ("image/svg+xml", "attachment")


async def test_large_files_keep_their_headers(storage: S3Storage, fake: Server) -> None:
    """Past 5 MB obstore uploads in parts; the object still carries its serving headers."""
    data = bytes(range(256)) * (6 * 4096)  # 6 MiB
    name = await storage.save("docs/big.zip", data)
    stored = fake.s3.get(BUCKET, "media/" + name)
    assert stored is not None and stored.body == data
    assert (stored.content_type, stored.content_disposition) == ("application/zip", "attachment")
    assert stored.cache_control == "max-age=86400"
    assert await storage.read(name) == data


async def test_save_never_overwrites(storage: S3Storage, fake: Server) -> None:
    first = await storage.save("docs/report.txt", b"first")
    second = await storage.save("docs/report.txt", b"second")
    third = await storage.save("docs/report.txt", b"third")
    assert first == "docs/report.txt"
    assert re.fullmatch(r"docs/report-[0-9a-f]{8}\.txt", second)
    assert len({first, second, third}) == 3
    assert await storage.read(first) == b"first"
    assert await storage.read(second) == b"second"
    assert await storage.read(third) == b"third"
    stored = fake.s3.get(BUCKET, "media/" + second)
    assert stored is not None and stored.content_type == "text/plain"


@pytest.mark.parametrize(
    "name",
    [
        "docs/my report (final).txt",
        "docs/été/日本語 ファイル.pdf",
        "docs/odd +&=;:,!$'*@[]%25 ~name.bin",
        "docs/100%.txt",
    ],
)
async def test_keys_with_odd_characters(storage: S3Storage, fake: Server, name: str) -> None:
    stored = await storage.save(name, name.encode())
    assert stored == name
    assert fake.s3.keys(BUCKET) == ["media/" + name]  # the key is exactly the name, not re-encoded
    assert fake.stored("media/" + name) == name.encode()
    assert await storage.read(name) == name.encode()
    again = await storage.save(name, b"again")  # HEAD on the encoded key finds it
    assert again != name
    await storage.delete(name)
    assert fake.stored("media/" + name) is None
    assert fake.s3.keys(BUCKET) == ["media/" + again]
    assert set(fake.proxy.statuses()) <= {200, 204, 404}


async def test_names_http_would_rewrite_are_refused(storage: S3Storage, fake: Server) -> None:
    for name in ("", "/abs.txt", "a/../b.txt", "a/./b.txt", "a//b.txt", "dir/"):
        with pytest.raises(ValueError):
            await storage.save(name, b"x")
    assert fake.proxy.log == []


async def test_a_refused_request_is_a_clear_error(storage: S3Storage, fake: Server) -> None:
    fake.proxy.fail(2, 403, "SignatureDoesNotMatch")
    with pytest.raises(StorageError, match="403") as info:
        await storage.save("docs/a.txt", b"x")
    message = str(info.value)
    assert "media/docs/a.txt" in message and BUCKET in message and "check the access key" in message
    with pytest.raises(StorageError, match=r"HTTP 403 \(SignatureDoesNotMatch"):
        await storage.read("docs/a.txt")
    assert not isinstance(info.value, StorageUnavailable)  # a refusal is not an outage
    assert fake.s3.keys(BUCKET) == []
    assert fake.proxy.statuses() == [403, 403]  # not retried


async def test_a_missing_bucket_is_not_a_missing_file(fake: Server) -> None:
    s3 = S3Storage(fake.endpoint, "no-such-bucket", ACCESS_KEY, SECRET_KEY, region=REGION)
    with pytest.raises(StorageError, match=r"HTTP 404 \(NoSuchBucket"):
        await s3.read("docs/a.txt")
    with pytest.raises(StorageError, match="NoSuchBucket"):
        await s3.save("docs/a.txt", b"x")
    with pytest.raises(StorageError, match="NoSuchBucket"):
        await s3.delete("docs/a.txt")


async def test_retries_after_server_errors(storage: S3Storage, fake: Server) -> None:
    fake.proxy.fail(2)
    assert await storage.save("docs/retry.txt", b"payload") == "docs/retry.txt"
    assert fake.proxy.statuses() == [500, 500, 404, 200]
    assert fake.stored("media/docs/retry.txt") == b"payload"


async def test_persistent_server_errors_raise(storage: S3Storage, fake: Server) -> None:
    fake.proxy.fail(100)
    with pytest.raises(StorageError) as info:
        await storage.read("docs/down.txt")
    message = str(info.value)
    assert "HTTP 500" in message and "media/docs/down.txt" in message and "3 attempts" in message
    assert fake.proxy.statuses() == [500, 500, 500]


async def test_an_unreachable_store_is_an_outage() -> None:
    """Nothing listens: retried, then ``StorageUnavailable``, which the API answers with 503 and
    Retry-After like a PostgreSQL or Redis outage (core/availability.py), not 500."""
    s3 = S3Storage(
        f"http://127.0.0.1:{closed_port()}", BUCKET, ACCESS_KEY, SECRET_KEY, region=REGION, backoff=0.01
    )
    for action in (s3.read("docs/none.txt"), s3.save("docs/new.txt", b"x"), s3.delete("docs/old.txt")):
        with pytest.raises(StorageUnavailable, match="after 3 attempts") as info:
            await action
        assert isinstance(info.value, ConnectionError)
        assert is_unavailable(info.value)
    refused = StorageError("S3 GET 'k' in bucket 'b' failed: HTTP 403")
    assert not is_unavailable(refused)


async def test_an_upload_while_the_store_is_down_is_503(actors: Any, settings: Settings) -> None:
    """Through the API: an attachment upload with the bucket unreachable answers 503 with
    Retry-After (the shared availability handler), not 500."""
    down = msgspec.structs.replace(
        settings,
        storage_backend="s3",
        s3_endpoint_url=f"http://127.0.0.1:{closed_port()}",
        s3_bucket=BUCKET,
        s3_access_key=ACCESS_KEY,
        s3_secret_key=SECRET_KEY,
    )
    app = create_app(down, mailer=MemoryMailer(), configure_logs=False)
    root = actors["root"].headers
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        r = await client.post("/api/v3/pages", headers=root, json={"title": "Logos", "path": "psf/logos"})
        assert r.status_code == 201, r.text
        r = await client.post(
            f"/api/v3/pages/{r.json()['id']}/attachments",
            headers=root,
            files={"file": ("logo.png", b"\x89PNG\r\n\x1a\n", "image/png")},
            data={"kind": "image"},
        )
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert r.json() == {"status_code": 503, "detail": V3_DETAIL}


async def test_endpoint_with_a_trailing_slash_and_no_prefix(fake: Server) -> None:
    s3 = S3Storage(fake.endpoint + "/", BUCKET, ACCESS_KEY, SECRET_KEY, region=REGION, prefix="")
    assert await s3.save("top.txt", b"t") == "top.txt"
    assert fake.stored("top.txt") == b"t"


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


async def test_public_url_serves_the_object(storage: S3Storage, fake: Server) -> None:
    """Without a public base URL, ``url()`` is the object's path-style address on the store
    (fetched anonymously, as a browser behind the CDN would: the test makes the object public)."""
    name = await storage.save("docs/été 1.txt", b"public")
    fake.s3.client.put_object_acl(Bucket=BUCKET, Key="media/" + name, ACL="public-read")
    async with httpx.AsyncClient() as client:
        response = await client.get(storage.url(name))
    assert response.status_code == 200 and response.content == b"public"


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
    assert (s3.endpoint_url, s3.bucket, s3.access_key, s3.region, s3.prefix) == (
        "https://s3.eu-west-1.amazonaws.com",
        "python-org-media",
        "AKIDEXAMPLE",
        "eu-west-1",
        "m/",
    )
    assert s3.url("a.png") == "https://www.python.org/media/a.png"


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
