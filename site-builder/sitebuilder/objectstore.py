"""The object store the S3 origin publishes to: an S3-compatible bucket, through obstore.

``ObjectStore`` is all the origin needs (put an object with its HTTP attributes, delete one);
``S3ObjectStore`` implements it with obstore (Python bindings of the Rust object_store crate,
which signs, retries and pools connections), addressing ``{endpoint}/{bucket}/{prefix}{path}``
path-style so it works with MinIO, Ceph RGW and other S3-compatible stores as with AWS.

The API keeps media in object storage with its own small client (pydotorg/core/storage.py); the
builder shares nothing with it but HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

import obstore
from obstore.store import S3Store

if TYPE_CHECKING:
    from obstore import Attributes


class ObjectStoreError(RuntimeError):
    """The object store refused a request, or could not be reached after every attempt."""


class ObjectStore(Protocol):
    async def put(self, path: str, data: bytes, attributes: Mapping[str, str]) -> None:
        """Store ``data`` at ``path`` with ``attributes``: ``Content-Type``, ``Cache-Control``
        (served back as those headers) and any other name as user metadata (``x-amz-meta-*``)."""
        ...

    async def delete(self, path: str) -> None:
        """Remove ``path``; a path that is not there is not an error."""
        ...

    async def copy(self, source: str, target: str) -> bool:
        """Copy ``source`` to ``target`` inside the store (server-side, attributes included);
        False when there is no ``source``."""
        ...

    async def get(self, path: str) -> bytes | None:
        """The object at ``path``, or None when there is none."""
        ...


_STATUS = re.compile(r"status code: (\d{3})")
_ERROR_CODE = re.compile(r"<Code>([^<]*)</Code>")
_ERROR_MESSAGE = re.compile(r"<Message>([^<]*)</Message>")


class S3ObjectStore:
    """``ObjectStore`` over an S3-compatible bucket. Connection errors and 5xx answers are retried
    ``attempts - 1`` times with exponential backoff from ``backoff`` seconds (obstore's retries)."""

    def __init__(
        self,
        endpoint_url: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        *,
        region: str = "us-east-1",
        prefix: str = "",
        timeout: float = 30,
        attempts: int = 3,
        backoff: float = 0.2,
    ) -> None:
        parts = urlsplit(endpoint_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"S3 endpoint URL {endpoint_url!r} must look like https://host[:port][/path]")
        if not bucket or "/" in bucket:
            raise ValueError(f"invalid S3 bucket name {bucket!r}")
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.bucket = bucket
        self.prefix = prefix
        self.attempts = attempts
        self._store = S3Store(
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

    def key(self, path: str) -> str:
        return self.prefix + path

    async def put(self, path: str, data: bytes, attributes: Mapping[str, str]) -> None:
        key = self.key(path)
        given: Attributes = dict(attributes)
        try:
            await obstore.put_async(self._store, key, data, attributes=given)
        except Exception as exc:
            raise self._error("PUT", key, exc) from exc

    async def delete(self, path: str) -> None:
        key = self.key(path)
        try:
            await obstore.delete_async(self._store, key)
        except FileNotFoundError as exc:  # already gone is fine; a missing bucket is not
            if "NoSuchBucket" in str(exc):
                raise self._error("DELETE", key, exc) from exc
        except Exception as exc:
            raise self._error("DELETE", key, exc) from exc

    async def copy(self, source: str, target: str) -> bool:
        key = self.key(source)
        try:
            await obstore.copy_async(self._store, key, self.key(target), overwrite=True)
        except FileNotFoundError as exc:
            if "NoSuchBucket" in str(exc):
                raise self._error("COPY", key, exc) from exc
            return False
        except Exception as exc:
            raise self._error("COPY", key, exc) from exc
        return True

    async def get(self, path: str) -> bytes | None:
        key = self.key(path)
        try:
            result = await obstore.get_async(self._store, key)
            return bytes(await result.bytes_async())
        except FileNotFoundError as exc:
            if "NoSuchBucket" in str(exc):
                raise self._error("GET", key, exc) from exc
            return None
        except Exception as exc:
            raise self._error("GET", key, exc) from exc

    def _error(self, method: str, key: str, exc: BaseException) -> ObjectStoreError:
        """Which request failed, with the HTTP status and S3's error code when there was an
        answer (obstore's own message ends in a Rust debug dump, left out)."""
        text = str(exc)
        head = f"S3 {method} {key!r} in bucket {self.bucket!r} failed"
        status = _STATUS.search(text)
        if status is None:
            summary = text.split("\n\nDebug source:", 1)[0].strip()
            return ObjectStoreError(f"{head} after {self.attempts} attempts: {summary}")
        code, message = _ERROR_CODE.search(text), _ERROR_MESSAGE.search(text)
        detail = ": ".join(m.group(1) for m in (code, message) if m)
        line = f"{head}: HTTP {status.group(1)}" + (f" ({detail})" if detail else "")
        if status.group(1).startswith("5"):
            line += f" after {self.attempts} attempts"
        return ObjectStoreError(line)
