"""Media files behind one interface (``Storage``): a local directory in development and tests,
an S3-compatible bucket (through obstore) in production.

Stored names are relative paths (``pages/about/logo.png``), as python.org's FileFields store
them; ``url()`` turns one into a public URL under the media base URL.
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
import secrets
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from urllib.parse import quote, urlsplit

import obstore
from obstore.store import S3Store

if TYPE_CHECKING:
    from obstore import Attributes

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
# Through obstore (Python bindings of the Rust object_store crate): it signs, retries and pools
# connections for S3 and every store that speaks its API (MinIO, Ceph RGW, R2, GCS's XML
# interoperability API). Requests go path-style to the configured endpoint.


class StorageError(RuntimeError):
    """The object store refused a request, or could not be reached."""


class StorageUnavailable(StorageError, ConnectionError):
    """The object store could not be reached at all (after the retries). A ``ConnectionError``,
    so a request that needed the store answers 503 with Retry-After, as for PostgreSQL and Redis
    (core/availability.py), not 500."""


_STATUS = re.compile(r"status code: (\d{3})")
_ERROR_CODE = re.compile(r"<Code>([^<]*)</Code>")
_ERROR_MESSAGE = re.compile(r"<Message>([^<]*)</Message>")
# How obstore reports a request that got no answer: refused or reset connections, timeouts.
_UNREACHABLE = re.compile(r"HTTP error|error sending request|timed out|kind: Connect")


def _summary(exc: BaseException) -> str:
    """obstore's message without the Rust debug dump it appends."""
    return str(exc).split("\n\nDebug source:", 1)[0].strip()


def storage_error(method: str, bucket: str, key: str, exc: BaseException, attempts: int) -> StorageError:
    """A ``StorageError`` naming the request, the HTTP status and S3's error code; a store that
    could not be reached is ``StorageUnavailable``."""
    text = str(exc)
    status = _STATUS.search(text)
    head = f"S3 {method} {key!r} in bucket {bucket!r} failed"
    if status is None:
        if _UNREACHABLE.search(text):
            return StorageUnavailable(f"{head} after {attempts} attempts: {_summary(exc)}")
        return StorageError(f"{head}: {_summary(exc)}")
    code, message = _ERROR_CODE.search(text), _ERROR_MESSAGE.search(text)
    detail = ": ".join(m.group(1) for m in (code, message) if m)
    line = f"{head}: HTTP {status.group(1)}"
    if detail:
        line += f" ({detail})"
    if status.group(1).startswith("5"):  # obstore retries server errors
        line += f" after {attempts} attempts"
    if status.group(1) == "403":
        line += " - check the access key, secret key, region and clock; S3 also answers 403 for"
        line += " a missing key when the credentials lack s3:ListBucket"
    return StorageError(line)


def s3_store(
    endpoint_url: str,
    bucket: str,
    access_key: str,
    secret_key: str,
    *,
    region: str,
    attempts: int,
    backoff: float,
    timeout: float,
) -> S3Store:
    """An obstore ``S3Store`` addressing ``{endpoint}/{bucket}/{key}`` path-style, with our
    retry policy: connection errors and 5xx answers are retried ``attempts - 1`` times, with
    exponential backoff from ``backoff`` seconds, and no request waits more than ``timeout``."""
    parts = urlsplit(endpoint_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"S3 endpoint URL {endpoint_url!r} must look like https://host[:port][/path]")
    if not bucket or "/" in bucket:
        raise ValueError(f"invalid S3 bucket name {bucket!r}")
    return S3Store(
        bucket,
        endpoint=endpoint_url.rstrip("/"),
        access_key_id=access_key,
        secret_access_key=secret_key,
        region=region,
        virtual_hosted_style_request=False,
        client_options={"allow_http": parts.scheme == "http", "timeout": timedelta(seconds=timeout)},
        retry_config={
            "max_retries": attempts - 1,
            "backoff": {"init_backoff": timedelta(seconds=backoff), "base": 2},
            "retry_timeout": timedelta(seconds=timeout * attempts),
        },
    )


class S3Storage:
    """Media in a bucket of an S3-compatible store, under ``prefix`` (``{prefix}{name}``)."""

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
        *,
        timeout: float = 30,
        attempts: int = 3,
        backoff: float = 0.2,
    ) -> None:
        self.store = s3_store(
            endpoint_url,
            bucket,
            access_key,
            secret_key,
            region=region,
            attempts=attempts,
            backoff=backoff,
            timeout=timeout,
        )
        self.endpoint_url = endpoint_url.rstrip("/")
        self.bucket = bucket
        self.access_key = access_key
        self.region = region
        self.attempts = attempts
        self.prefix = prefix.lstrip("/")
        self.public_base_url = public_base_url.rstrip("/") + "/" if public_base_url else ""

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
        attributes: Attributes = {"Content-Type": served["Content-Type"], "Cache-Control": self.cache_control}
        if "Content-Disposition" in served:
            attributes["Content-Disposition"] = served["Content-Disposition"]
        try:
            await obstore.put_async(self.store, key, data, attributes=attributes)
        except Exception as exc:
            raise self._error("PUT", key, exc) from exc
        return candidate

    async def delete(self, name: str) -> None:
        key = self.key(name)
        try:
            await obstore.delete_async(self.store, key)
        except FileNotFoundError as exc:  # already gone is fine; a missing bucket is not
            if "NoSuchBucket" in str(exc):
                raise self._error("DELETE", key, exc) from exc
        except Exception as exc:
            raise self._error("DELETE", key, exc) from exc

    async def read(self, name: str) -> bytes:
        key = self.key(name)
        try:
            result = await obstore.get_async(self.store, key)
            return bytes(await result.bytes_async())
        except FileNotFoundError as exc:
            if "NoSuchBucket" in str(exc):
                raise self._error("GET", key, exc) from exc
            raise FileNotFoundError(f"no object {key!r} in bucket {self.bucket!r}") from None
        except Exception as exc:
            raise self._error("GET", key, exc) from exc

    def url(self, name: str) -> str:
        if self.public_base_url:
            return self.public_base_url + quote(name, safe="/-_.~")
        return f"{self.endpoint_url}/{self.bucket}/" + quote(self.prefix + name, safe="/-_.~")

    async def _exists(self, key: str) -> bool:
        try:
            await obstore.head_async(self.store, key)
        except FileNotFoundError:
            return False
        except Exception as exc:
            raise self._error("HEAD", key, exc) from exc
        return True

    def _error(self, method: str, key: str, exc: BaseException) -> StorageError:
        return storage_error(method, self.bucket, key, exc, self.attempts)


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
