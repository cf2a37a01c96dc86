"""Password hashing: argon2id for new hashes; Django's formats verify and are upgraded.

Django stores ``<algorithm>$<...>``. We accept what python.org's database can contain:

* ``pbkdf2_sha256$<iterations>$<salt>$<base64 digest>`` (Django's default),
* ``pbkdf2_sha1$...``,
* ``argon2$argon2id$v=19$m=...,t=...,p=...$<salt>$<hash>`` (Django's Argon2PasswordHasher),
* ``bcrypt_sha256$$2b$...`` (bcrypt over the hex SHA-256 of the password) and ``bcrypt$$2b$...``,
* our own ``$argon2id$...`` (argon2-cffi's encoded form).

A hash starting with ``!`` is Django's "unusable password" and never verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_argon2 = PasswordHasher()  # argon2-cffi defaults: argon2id, RFC 9106 low-memory profile


def hash_password(password: str) -> str:
    return _argon2.hash(password)


def _verify_argon2(encoded: str, password: str) -> bool:
    try:
        return _argon2.verify(encoded, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _verify_pbkdf2(encoded: str, password: str, digest: str) -> bool:
    try:
        _algorithm, iterations, salt, expected = encoded.split("$", 3)
        rounds = int(iterations)
    except ValueError:
        return False
    if rounds < 1 or rounds > 10_000_000:
        return False
    derived = hashlib.pbkdf2_hmac(digest, password.encode(), salt.encode(), rounds)
    return hmac.compare_digest(base64.b64encode(derived).decode("ascii"), expected)


def _verify_bcrypt(encoded: str, password: str, *, prehash: bool) -> bool:
    data = encoded.split("$", 1)[1]  # "bcrypt_sha256$$2b$12$..." -> "$2b$12$..."
    secret = hashlib.sha256(password.encode()).hexdigest().encode() if prehash else password.encode()
    try:
        return bcrypt.checkpw(secret[:72], data.encode("ascii"))
    except ValueError:
        return False


def verify_password(encoded: str | None, password: str) -> bool:
    """True when ``password`` matches ``encoded`` in any supported format."""
    if not encoded or encoded.startswith("!"):
        return False
    if encoded.startswith("$argon2"):
        return _verify_argon2(encoded, password)
    algorithm = encoded.split("$", 1)[0]
    if algorithm == "pbkdf2_sha256":
        return _verify_pbkdf2(encoded, password, "sha256")
    if algorithm == "pbkdf2_sha1":
        return _verify_pbkdf2(encoded, password, "sha1")
    if algorithm == "argon2":
        return _verify_argon2(encoded[len("argon2") :], password)
    if algorithm == "bcrypt_sha256":
        return _verify_bcrypt(encoded, password, prehash=True)
    if algorithm == "bcrypt":
        return _verify_bcrypt(encoded, password, prehash=False)
    return False


def needs_rehash(encoded: str) -> bool:
    """Anything that is not our current argon2id parameters is replaced on the next login."""
    if not encoded.startswith("$argon2id$"):
        return True
    try:
        return _argon2.check_needs_rehash(encoded)
    except InvalidHashError:
        return True


def is_usable(encoded: str | None) -> bool:
    return bool(encoded) and not str(encoded).startswith("!")
