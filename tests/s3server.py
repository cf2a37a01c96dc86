"""A real S3-compatible server for the tests: moto's S3 in server mode, on a free local port.

The clients under test (the API's media storage, the builder's S3 origin) speak HTTP to it
through obstore exactly as they would to AWS or MinIO; the tests read back what was stored with
boto3 (which comes with moto). ``S3Server.proxy`` puts a small recording proxy in front of moto
for what a store cannot be asked to do: the order of requests, and failures on demand (5xx
answers, a refusal) to check retries and error reports.

Each test module starts one server in a module-scoped fixture (``with running_s3() as s3``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import httpx
from botocore.config import Config
from moto.server import ThreadedMotoServer

from tests.helpers import Receive, Scope, Send, serve_asgi

# moto accepts any credentials; these only have to look real to the client.
ACCESS_KEY = "AKIDPYDOTORGTEST"
SECRET_KEY = "pydotorg/test/secret+key=0123456789abcdef"
REGION = "eu-test-1"


@dataclass
class StoredObject:
    body: bytes
    content_type: str
    cache_control: str
    content_disposition: str
    metadata: dict[str, str]


@dataclass
class RecordingProxy:
    """An ASGI app forwarding every request to moto; logs ``(method, key, status)`` and answers
    the next ``fail_next`` requests itself with ``fail_status`` and an S3 error document."""

    upstream: str
    log: list[tuple[str, str, int]] = field(default_factory=list)
    fail_next: int = 0
    fail_status: int = 500
    fail_code: str = "InternalError"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.log.clear()
            self.fail_next = 0
            self.fail_status, self.fail_code = 500, "InternalError"

    def fail(self, count: int, status: int = 500, code: str = "InternalError") -> None:
        with self.lock:
            self.fail_next, self.fail_status, self.fail_code = count, status, code

    def statuses(self) -> list[int]:
        with self.lock:
            return [status for _, _, status in self.log]

    def methods(self) -> list[tuple[str, str]]:
        with self.lock:
            return [(method, key) for method, key, _ in self.log]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        method = scope["method"]
        key = scope["path"].lstrip("/").partition("/")[2]
        with self.lock:
            failing = self.fail_next > 0
            if failing:
                self.fail_next -= 1
            status, code = self.fail_status, self.fail_code
        if failing:
            content = (
                f'<?xml version="1.0" encoding="UTF-8"?>\n'
                f"<Error><Code>{code}</Code><Message>injected by the test</Message></Error>"
            ).encode()
            headers = [(b"content-type", b"application/xml"), (b"content-length", str(len(content)).encode())]
        else:
            url = self.upstream + scope["raw_path"].decode("latin-1")
            if scope["query_string"]:
                url += "?" + scope["query_string"].decode("latin-1")
            forwarded = [
                (k.decode("latin-1"), v.decode("latin-1"))
                for k, v in scope["headers"]
                if k.lower() not in (b"host", b"content-length", b"transfer-encoding", b"connection")
            ]
            async with httpx.AsyncClient(timeout=30) as client:
                response = await client.request(method, httpx.URL(url), headers=forwarded, content=body)
            status, content = response.status_code, response.content
            headers = [
                (k, v)
                for k, v in response.headers.raw
                if k.lower() not in (b"transfer-encoding", b"connection", b"content-encoding")
            ]
        with self.lock:
            self.log.append((method, key, status))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else content})


@dataclass
class S3Server:
    endpoint: str
    client: Any  # boto3's S3 client (untyped)

    def bucket(self, name: str) -> str:
        """Create ``name`` if needed and empty it; returns the name."""
        existing = {b["Name"] for b in self.client.list_buckets().get("Buckets", [])}
        if name not in existing:
            self.client.create_bucket(Bucket=name)
        for key in self.keys(name):
            self.client.delete_object(Bucket=name, Key=key)
        return name

    def keys(self, bucket: str) -> list[str]:
        keys: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys += [o["Key"] for o in page.get("Contents", [])]
        return sorted(keys)

    def get(self, bucket: str, key: str) -> StoredObject | None:
        try:
            answer = self.client.get_object(Bucket=bucket, Key=key)
        except self.client.exceptions.NoSuchKey:
            return None
        return StoredObject(
            body=answer["Body"].read(),
            content_type=answer.get("ContentType", ""),
            cache_control=answer.get("CacheControl", ""),
            content_disposition=answer.get("ContentDisposition", ""),
            metadata=dict(answer.get("Metadata", {})),
        )

    def objects(self, bucket: str) -> dict[str, StoredObject]:
        found = {key: self.get(bucket, key) for key in self.keys(bucket)}
        return {key: obj for key, obj in found.items() if obj is not None}

    @contextmanager
    def proxy(self) -> Iterator[tuple[RecordingProxy, str]]:
        """A recording proxy in front of this server: (proxy, its endpoint URL)."""
        recorder = RecordingProxy(self.endpoint)
        with serve_asgi(recorder) as url:
            yield recorder, url


@contextmanager
def running_s3() -> Iterator[S3Server]:
    """moto's S3 server on 127.0.0.1 and a free port, stopped on exit."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}),
        )
        yield S3Server(endpoint, client)
    finally:
        server.stop()
