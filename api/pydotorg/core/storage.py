"""Media files behind one interface: a local directory in development and tests; object
storage in production (the site issue adds the S3-compatible backend next to the origin one).

This module must not import Litestar: the site builder's origin uses its S3 signing, and a build
process should not pay for loading the web framework.

Stored names are relative paths (``pages/about/logo.png``), as python.org's FileFields store
them; ``url()`` turns one into a public URL under the media base URL.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import mimetypes
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from urllib.parse import quote, urlsplit

import httpx

if TYPE_CHECKING:
    from pydotorg.settings import Settings

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


# --- how media are served ------------------------------------------------------------------------
#
# Uploads are served from the site's own origin (/media/ behind the same CDN), so a stored file
# must never run as a page there: every response carries a sandboxing CSP (no script, no plugin,
# an opaque origin even if something slipped through) and nosniff, and anything that is not a
# raster image, a PDF or a video is a download (``Content-Disposition: attachment``), SVG
# included (an <img> still shows it; opened directly it is not a document of the site).
# sitebuilder/serve.py and deploy/origin/nginx.conf repeat this table; tests compare them.

MEDIA_CSP = "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'"
# By extension, not by MIME type: the system's MIME table differs between machines.
INLINE_MEDIA_EXTENSIONS = frozenset(
    {"png", "jpg", "jpeg", "gif", "webp", "avif", "ico", "pdf", "mp4", "webm", "ogv", "mov"}
)


def media_content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def media_headers(name: str) -> dict[str, str]:
    """The headers a stored file is served with, wherever it is served from."""
    headers = {
        "Content-Type": media_content_type(name),
        "Content-Security-Policy": MEDIA_CSP,
        "X-Content-Type-Options": "nosniff",
    }
    if PurePosixPath(name).suffix.lower().lstrip(".") not in INLINE_MEDIA_EXTENSIONS:
        headers["Content-Disposition"] = "attachment"
    return headers


@runtime_checkable
class Storage(Protocol):
    async def save(self, name: str, data: bytes) -> str: ...
    async def delete(self, name: str) -> None: ...
    async def read(self, name: str) -> bytes: ...
    def url(self, name: str) -> str: ...


def safe_name(directory: str, filename: str) -> str:
    """A relative storage path that cannot escape ``directory``."""
    base = PurePosixPath(filename.replace("\\", "/")).name or "file"
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = _UNSAFE.sub("-", stem).strip("-.") or "file"
    ext = _UNSAFE.sub("", ext)[:10]
    cleaned = f"{stem[:80]}.{ext}" if ext else stem[:80]
    parts = [p for p in PurePosixPath(directory).parts if p not in ("", ".", "..", "/")]
    return str(PurePosixPath(*parts, cleaned)) if parts else cleaned


class LocalStorage:
    def __init__(self, root: Path, base_url: str = "/media/") -> None:
        self.root = root
        self.base_url = base_url.rstrip("/") + "/"

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage name {name!r} escapes the media root")
        return path

    async def save(self, name: str, data: bytes) -> str:
        path = self._path(name)
        if path.exists():  # never overwrite (python.org's storage had file_overwrite=False)
            stem, suffix = path.stem, path.suffix
            path = path.with_name(f"{stem}-{secrets.token_hex(4)}{suffix}")
        await asyncio.to_thread(_write, path, data)
        return str(path.relative_to(self.root.resolve()))

    async def delete(self, name: str) -> None:
        path = self._path(name)
        await asyncio.to_thread(path.unlink, True)

    async def read(self, name: str) -> bytes:
        return await asyncio.to_thread(self._path(name).read_bytes)

    def url(self, name: str) -> str:
        return self.base_url + name


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


# --- S3-compatible object storage ---------------------------------------------------------------
#
# AWS Signature Version 4, header-based, for S3's API (also spoken by MinIO, Ceph RGW and GCS's
# XML interoperability API): https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html

SIGV4_ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class StorageError(RuntimeError):
    """The object store refused a request, or could not be reached."""


def uri_encode(value: str, *, keep_slash: bool = False) -> str:
    """SigV4 URI encoding: every byte except A-Z a-z 0-9 - _ . ~ as %XY (UTF-8, upper-case hex)."""
    return quote(value, safe="-_.~/" if keep_slash else "-_.~")


def canonical_request(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    payload_hash: str,
) -> tuple[str, str]:
    """(canonical request, signed header list). ``path`` is the decoded path (``/bucket/a b.txt``);
    each segment is encoded once here, as S3 expects (no double encoding, no normalisation)."""
    canonical_query = "&".join(
        f"{k}={v}" for k, v in sorted((uri_encode(k), uri_encode(v)) for k, v in query)
    )
    normalized: dict[str, str] = {}
    for name, value in headers.items():
        key = name.strip().lower()
        value = " ".join(value.split())
        normalized[key] = f"{normalized[key]},{value}" if key in normalized else value
    names = sorted(normalized)
    canonical_headers = "".join(f"{n}:{normalized[n]}\n" for n in names)
    signed_headers = ";".join(names)
    request = "\n".join(
        [
            method.upper(),
            uri_encode(path or "/", keep_slash=True),
            canonical_query,
            canonical_headers,
            signed_headers,
            payload_hash,
        ]
    )
    return request, signed_headers


def signing_key(secret_key: str, date: str, region: str, service: str = "s3") -> bytes:
    key = ("AWS4" + secret_key).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def sign_v4(
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    access_key: str,
    secret_key: str,
    region: str,
    query: Iterable[tuple[str, str]] = (),
    service: str = "s3",
) -> str:
    """The ``Authorization`` header value for a request; a pure function of its arguments.

    ``headers`` are the headers to sign and must include ``host``, ``x-amz-date``
    (``YYYYMMDDTHHMMSSZ``) and ``x-amz-content-sha256`` (the payload's hex SHA-256).
    """
    lower = {k.lower(): v for k, v in headers.items()}
    missing = {"host", "x-amz-date", "x-amz-content-sha256"} - lower.keys()
    if missing:
        raise ValueError(f"headers to sign lack {', '.join(sorted(missing))}")
    amz_date = lower["x-amz-date"].strip()
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    request, signed_headers = canonical_request(
        method, path, query, headers, lower["x-amz-content-sha256"].strip()
    )
    to_sign = "\n".join([SIGV4_ALGORITHM, amz_date, scope, hashlib.sha256(request.encode()).hexdigest()])
    key = signing_key(secret_key, amz_date[:8], region, service)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"{SIGV4_ALGORITHM} Credential={access_key}/{scope},"
        f"SignedHeaders={signed_headers},Signature={signature}"
    )


_ERROR_CODE = re.compile(r"<Code>([^<]*)</Code>")
_ERROR_MESSAGE = re.compile(r"<Message>([^<]*)</Message>")


class S3Storage:
    """Media in a bucket of an S3-compatible store, addressed path-style
    (``{endpoint}/{bucket}/{prefix}{name}``) and signed with SigV4."""

    attempts = 3  # connection errors and 5xx answers are retried, with exponential backoff
    backoff = 0.2  # seconds before the second attempt; doubled each time
    cache_control = "max-age=86400"

    def __init__(
        self,
        endpoint_url: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        region: str = "us-east-1",
        prefix: str = "media/",
        public_base_url: str = "",
        client: httpx.AsyncClient | None = None,
        timeout: float = 30,
    ) -> None:
        parts = urlsplit(endpoint_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"S3 endpoint URL {endpoint_url!r} must look like https://host[:port][/path]")
        if not bucket or "/" in bucket:
            raise ValueError(f"invalid S3 bucket name {bucket!r}")
        self.endpoint_url = endpoint_url.rstrip("/")
        self.bucket = bucket
        self.access_key = access_key
        self.region = region
        self.prefix = prefix.lstrip("/")
        self.public_base_url = public_base_url.rstrip("/") + "/" if public_base_url else ""
        self._secret_key = secret_key
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._base_path = parts.path.rstrip("/")
        self._owns_client = client is None
        self._client = client if client is not None else httpx.AsyncClient(timeout=timeout)
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    def key(self, name: str) -> str:
        """The object key for a stored name; names that HTTP would normalise are refused."""
        segments = name.split("/")
        if not name or any(s in ("", ".", "..") for s in segments):
            raise ValueError(f"storage name {name!r} is not a relative path")
        return self.prefix + name

    async def save(self, name: str, data: bytes) -> str:
        candidate = name
        for _ in range(5):
            if not await self._exists(self.key(candidate)):
                break
            # never overwrite (python.org's storage had file_overwrite=False)
            path = PurePosixPath(name)
            candidate = str(path.with_name(f"{path.stem}-{secrets.token_hex(4)}{path.suffix}"))
        else:
            raise StorageError(f"S3: no free key found for {self.key(name)!r}")
        key = self.key(candidate)
        # S3 stores Content-Type and Content-Disposition with the object and serves them back;
        # the CSP and nosniff come from the CDN in front of the bucket (deploy/fastly/README.md).
        served = media_headers(candidate)
        headers = {"content-type": served["Content-Type"], "cache-control": self.cache_control}
        if "Content-Disposition" in served:
            headers["content-disposition"] = served["Content-Disposition"]
        response = await self._request("PUT", key, content=data, headers=headers)
        if not response.is_success:
            raise self._error("PUT", key, response)
        return candidate

    async def delete(self, name: str) -> None:
        key = self.key(name)
        response = await self._request("DELETE", key)
        if not response.is_success and response.status_code != 404:
            raise self._error("DELETE", key, response)

    async def read(self, name: str) -> bytes:
        key = self.key(name)
        response = await self._request("GET", key)
        if response.status_code == 404:
            raise FileNotFoundError(f"no object {key!r} in bucket {self.bucket!r}")
        if not response.is_success:
            raise self._error("GET", key, response)
        return response.content

    def url(self, name: str) -> str:
        if self.public_base_url:
            return self.public_base_url + uri_encode(name, keep_slash=True)
        return f"{self.endpoint_url}/{self.bucket}/" + uri_encode(self.prefix + name, keep_slash=True)

    async def _exists(self, key: str) -> bool:
        response = await self._request("HEAD", key)
        if response.status_code == 404:
            return False
        if not response.is_success:
            raise self._error("HEAD", key, response)
        return True

    async def _request(
        self, method: str, key: str, *, content: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        path = f"{self._base_path}/{self.bucket}/{key}"
        url = self._origin + uri_encode(path, keep_slash=True)
        payload_hash = hashlib.sha256(content).hexdigest() if content is not None else EMPTY_SHA256
        failure: httpx.Response | httpx.TransportError | None = None
        for attempt in range(self.attempts):
            if attempt:
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
            signed = {
                **(headers or {}),
                "x-amz-date": self.clock().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"),
                "x-amz-content-sha256": payload_hash,
            }
            request = self._client.build_request(method, url, content=content, headers=signed)
            request.headers["authorization"] = sign_v4(
                method=method,
                path=path,
                headers={"host": request.headers["host"], **signed},
                access_key=self.access_key,
                secret_key=self._secret_key,
                region=self.region,
            )
            try:
                response = await self._client.send(request)
            except httpx.TransportError as exc:
                failure = exc
                continue
            if response.status_code < 500:
                return response
            failure = response
        if isinstance(failure, httpx.Response):
            raise self._error(method, key, failure, attempts=self.attempts)
        raise StorageError(
            f"S3 {method} {key!r} in bucket {self.bucket!r} failed after {self.attempts} attempts: "
            f"{type(failure).__name__}: {failure}"
        ) from failure

    def _error(self, method: str, key: str, response: httpx.Response, attempts: int = 1) -> StorageError:
        detail = ""
        if method != "HEAD":  # HEAD answers have no body
            code, message = _ERROR_CODE.search(response.text), _ERROR_MESSAGE.search(response.text)
            detail = ": ".join(m.group(1) for m in (code, message) if m)
        text = f"S3 {method} {key!r} in bucket {self.bucket!r} failed: HTTP {response.status_code}"
        if detail:
            text += f" ({detail})"
        if attempts > 1:
            text += f" after {attempts} attempts"
        if response.status_code == 403:
            text += " - check the access key, secret key, region and clock; S3 also answers 403 for"
            text += " a missing key when the credentials lack s3:ListBucket"
        return StorageError(text)


def create_storage(settings: Settings) -> Storage:
    """The media storage the settings describe: S3-compatible in production, a directory otherwise."""
    if settings.storage_backend == "s3":
        return S3Storage(
            settings.s3_endpoint_url,
            settings.s3_bucket,
            settings.s3_access_key,
            settings.s3_secret_key,
            region=settings.s3_region,
            prefix=settings.s3_prefix,
            public_base_url=settings.s3_public_base_url,
        )
    return LocalStorage(settings.media_dir, settings.media_url)
