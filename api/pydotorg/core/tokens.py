"""Random credentials and signed, expiring tokens (e-mail verification, password reset)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

API_KEY_PREFIX = "pdo_"


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(30)


def digest(value: str) -> str:
    """What we store instead of a bearer token or API key."""
    return hashlib.sha256(value.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


class BadToken(ValueError):
    pass


def sign(secret_key: str, purpose: str, payload: dict[str, Any]) -> str:
    body = dict(payload, p=purpose, t=int(time.time()))
    raw = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(secret_key.encode(), f"{purpose}.{raw}".encode(), hashlib.sha256).digest()
    return f"{raw}.{_b64(mac)}"


def unsign(secret_key: str, purpose: str, token: str, *, max_age: int) -> dict[str, Any]:
    """Return the payload or raise ``BadToken`` (bad signature, wrong purpose, expired)."""
    try:
        raw, mac = token.split(".", 1)
        expected = hmac.new(secret_key.encode(), f"{purpose}.{raw}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(mac)):
            raise BadToken("invalid token")
        body = json.loads(_unb64(raw))
    except (ValueError, TypeError) as exc:
        raise BadToken("invalid token") from exc
    if not isinstance(body, dict) or body.get("p") != purpose:
        raise BadToken("invalid token")
    if int(body.get("t", 0)) + max_age < time.time():
        raise BadToken("token expired")
    return body
