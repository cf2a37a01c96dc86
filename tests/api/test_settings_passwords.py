"""Settings from the environment, and password hashes carried over from python.org's Django
database: every format verifies, needs a rehash, and is upgraded to argon2id on log-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pydotorg.core import passwords
from pydotorg.settings import Settings, SettingsError, parse_rate

GOOD_KEY = "k" * 48

# --- settings --------------------------------------------------------------------------------


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {"PYDOTORG_STATE_DIR": str(tmp_path)}
    env.update({f"PYDOTORG_{k.upper()}": v for k, v in values.items()})
    return env


@pytest.mark.parametrize("key", [None, "", "change-me", "secret", "short-key", "x" * 31])
def test_production_refuses_a_missing_or_weak_secret_key(tmp_path: Path, key: str | None) -> None:
    values = {"environment": "production"}
    if key is not None:
        values["secret_key"] = key
    with pytest.raises(SettingsError, match="PYDOTORG_SECRET_KEY"):
        Settings.from_env(_env(tmp_path, **values))
    assert not (tmp_path / "secret_key").exists()


def test_production_accepts_a_strong_secret_key(tmp_path: Path) -> None:
    settings = Settings.from_env(_env(tmp_path, environment="production", secret_key=GOOD_KEY))
    assert settings.is_production
    assert settings.secret_key == GOOD_KEY
    assert not (tmp_path / "secret_key").exists()


def test_production_smtp_needs_a_url(tmp_path: Path) -> None:
    env = _env(tmp_path, environment="production", secret_key=GOOD_KEY, mail_backend="smtp")
    with pytest.raises(SettingsError, match="PYDOTORG_SMTP_URL"):
        Settings.from_env(env)
    env["PYDOTORG_SMTP_URL"] = "smtp://mail.example.org:587"
    assert Settings.from_env(env).smtp_url == "smtp://mail.example.org:587"


def test_development_fills_in_a_persistent_secret_key(tmp_path: Path) -> None:
    first = Settings.from_env(_env(tmp_path))
    assert first.environment == "development"
    assert len(first.secret_key) >= 32
    stored = (tmp_path / "secret_key").read_text().strip()
    assert stored == first.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    # The same key next time (tokens survive restarts); a weak one is replaced too.
    assert Settings.from_env(_env(tmp_path)).secret_key == first.secret_key
    assert Settings.from_env(_env(tmp_path, secret_key="dev")).secret_key == first.secret_key
    # A real key is used as given.
    assert Settings.from_env(_env(tmp_path, secret_key=GOOD_KEY)).secret_key == GOOD_KEY
    # The test environment behaves like development.
    assert Settings.from_env(_env(tmp_path, environment="test")).secret_key == first.secret_key


def test_values_are_typed_and_comma_lists_parse(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            **_env(
                tmp_path,
                secret_key=GOOD_KEY,
                allowed_origins=" https://www.python.org, https://staging.python.org ,,",
                trusted_proxies="10.0.0.0/8,2a04:4e40::/32",
                database_pool_size="3",
                debug="true",
                rate_limit_login="3/10",
                site_url="https://staging.python.org",
            ),
            "PYDOTORG_NOT_A_SETTING": "ignored",
            "SECRET_KEY": "not ours",
            "HOME": "/nowhere",
        }
    )
    assert settings.allowed_origins == ("https://www.python.org", "https://staging.python.org")
    assert settings.trusted_proxies == ("10.0.0.0/8", "2a04:4e40::/32")
    assert [str(n) for n in settings.trusted_networks] == ["10.0.0.0/8", "2a04:4e40::/32"]
    assert settings.database_pool_size == 3
    assert settings.debug is True
    assert settings.rate_limit_login == "3/10"
    assert settings.site_url == "https://staging.python.org"
    assert settings.state_dir == tmp_path
    assert Settings.from_env(_env(tmp_path, allowed_origins="")).allowed_origins == ()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("rate_limit_login", "10-60", "must look like"),
        ("rate_limit_signup", "ten/60", "must look like"),
        ("rate_limit_password_reset", "5", "must look like"),
        ("rate_limit_api_key", "0/60", "must be positive"),
        ("rate_limit_login", "10/0", "must be positive"),
        ("rate_limit_login", "-1/60", "must be positive"),
        ("trusted_proxies", "10.0.0.0/8,not-a-network", "PYDOTORG_TRUSTED_PROXIES"),
        ("database_pool_size", "many", "invalid setting"),
        ("environment", "staging", "invalid setting"),
        ("mail_backend", "pigeon", "invalid setting"),
    ],
)
def test_bad_values_raise(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(_env(tmp_path, secret_key=GOOD_KEY, **{name: value}))


def test_parse_rate() -> None:
    assert parse_rate("10/60") == (10, 60)
    assert parse_rate("1/1") == (1, 1)
    for bad in ("", "/", "10/", "a/b", "1.5/60", "10/60/5"):
        with pytest.raises(SettingsError):
            parse_rate(bad)


# --- password hashes -------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"
DJANGO_HASHES = {
    "pbkdf2_sha256": (
        "pbkdf2_sha256$1000000$ZoQB8G45z0IU2Jp4bVqNWM$TYgcZCMVv924LBgEPG4n1MNmp63FPN+yLJ05rn0THF4="
    ),
    "argon2": (
        "argon2$argon2id$v=19$m=102400,t=2,p=8$c0ZsNzQ1UmMxSFB6OHhPUkZYTlZ0VA"
        "$LW/NIUZeknZQIsC0LK5bnzoUdl7ZMt3aA2zjiuKE3qw"
    ),
    "bcrypt_sha256": "bcrypt_sha256$$2b$12$WyfnnT2EYVYwUrubQj8Rj.VxYuPLlTB2hMlMR7FpIYVzx3QhJl/dK",
    "pbkdf2_sha1": "pbkdf2_sha1$1000000$pvkZFW2yz9aO9rnhImp9Dd$5FBWV8cTsJGr1P0HvvaCG9QK3gs=",
}


@pytest.mark.parametrize("algorithm", sorted(DJANGO_HASHES))
def test_django_hashes_verify(algorithm: str) -> None:
    encoded = DJANGO_HASHES[algorithm]
    assert passwords.verify_password(encoded, PASSWORD) is True
    for wrong in (
        "correct horse battery stapler",
        "Correct horse battery staple",
        "",
        PASSWORD[:-1],
    ):
        assert passwords.verify_password(encoded, wrong) is False, wrong
    assert passwords.needs_rehash(encoded) is True
    assert passwords.is_usable(encoded) is True


def test_tampered_hashes_never_verify() -> None:
    pbkdf2 = DJANGO_HASHES["pbkdf2_sha256"]
    algorithm, _iterations, salt, digest = pbkdf2.split("$")
    for encoded in (
        f"{algorithm}$999999${salt}${digest}",  # other iteration count
        f"{algorithm}$1000000${salt}x${digest}",  # other salt
        f"pbkdf2_sha1$1000000${salt}${digest}",  # other algorithm
        f"{algorithm}$abc${salt}${digest}",
        f"{algorithm}$0${salt}${digest}",
        f"{algorithm}$999999999${salt}${digest}",  # absurd cost is refused, not computed
        f"{algorithm}${salt}",
        "md5$salt$0123456789abcdef",
        "bcrypt_sha256$$2b$12$garbage",
        "argon2$argon2id$garbage",
        "$argon2id$garbage",
        "plain text",
    ):
        assert passwords.verify_password(encoded, PASSWORD) is False, encoded
        assert passwords.needs_rehash(encoded) is True, encoded


@pytest.mark.parametrize("encoded", ["!", "!Xq8s9dW0pLzT3kYbN", "", None])
def test_unusable_password_never_verifies(encoded: str | None) -> None:
    assert passwords.verify_password(encoded, PASSWORD) is False
    assert passwords.verify_password(encoded, "") is False
    assert passwords.is_usable(encoded) is False


def test_fresh_hashes_are_argon2id_and_current() -> None:
    encoded = passwords.hash_password(PASSWORD)
    assert encoded.startswith("$argon2id$")
    assert passwords.verify_password(encoded, PASSWORD) is True
    assert passwords.verify_password(encoded, PASSWORD + " ") is False
    assert passwords.needs_rehash(encoded) is False
    assert passwords.hash_password(PASSWORD) != encoded  # salted
    # Django's argon2 parameters differ from ours: verified, but rehashed.
    assert passwords.needs_rehash("$argon2id$v=19$m=102400,t=2,p=8$c2FsdHNhbHQ$aGFzaGhhc2g") is True


# --- the upgrade on log-in, over HTTP ------------------------------------------------------------

RM_HASH = "pbkdf2_sha256$260000$Jq1XgGzqKQ0pWk3ZbTqP2a$sJSt1NSeo0M/Yx7rFt1e6YrJ7FGfLnAz47fZzij4hSo="
RM_PASSWORD = "release-manager-pw"


async def _insert_django_user(db_conn: Any, username: str, email: str, encoded: str) -> int:
    user_id: int = await db_conn.fetchval(
        """
        INSERT INTO users (username, first_name, last_name, email, password, is_staff,
            is_active, is_superuser, date_joined, bio, bio_markup_type, bio_html,
            search_visibility, email_privacy, public_profile)
        VALUES ($1, 'Release', 'Manager', $2, $3, true, true, false, now(), '', 'markdown', '',
            1, 2, true)
        RETURNING id
        """,
        username,
        email,
        encoded,
    )
    await db_conn.execute(
        'INSERT INTO email_addresses (user_id, email, verified, "primary") VALUES ($1, $2, true, true)',
        user_id,
        email,
    )
    return user_id


async def test_django_password_is_upgraded_on_login(client: Any, db_conn: Any) -> None:
    assert passwords.verify_password(RM_HASH, RM_PASSWORD)
    user_id = await _insert_django_user(db_conn, "thomas", "thomas@python.org", RM_HASH)

    r = await client.post("/api/v3/auth/login", json={"login": "thomas", "password": "wrong-pw"})
    assert r.status_code == 401, r.text
    assert await db_conn.fetchval("SELECT password FROM users WHERE id=$1", user_id) == RM_HASH

    r = await client.post("/api/v3/auth/login", json={"login": "thomas", "password": RM_PASSWORD})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["token"]
    assert body["user"]["username"] == "thomas" and body["user"]["id"] == user_id
    assert RM_HASH not in r.text

    stored = await db_conn.fetchval("SELECT password FROM users WHERE id=$1", user_id)
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, RM_PASSWORD)
    assert not passwords.needs_rehash(stored)
    assert await db_conn.fetchval("SELECT last_login FROM users WHERE id=$1", user_id) is not None

    me = await client.get("/api/v3/users/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["username"] == "thomas"

    # Logging in again works against the new hash (by e-mail this time) and keeps it.
    r = await client.post("/api/v3/auth/login", json={"login": "Thomas@Python.org", "password": RM_PASSWORD})
    assert r.status_code == 200, r.text
    assert await db_conn.fetchval("SELECT password FROM users WHERE id=$1", user_id) == stored
    r = await client.post("/api/v3/auth/login", json={"login": "thomas", "password": "wrong-pw"})
    assert r.status_code == 401, r.text


@pytest.mark.parametrize("algorithm", sorted(DJANGO_HASHES))
async def test_every_django_format_logs_in(client: Any, db_conn: Any, algorithm: str) -> None:
    user_id = await _insert_django_user(db_conn, "legacy", "legacy@example.org", DJANGO_HASHES[algorithm])
    r = await client.post("/api/v3/auth/login", json={"login": "legacy", "password": PASSWORD})
    assert r.status_code == 200, r.text
    stored = await db_conn.fetchval("SELECT password FROM users WHERE id=$1", user_id)
    assert stored.startswith("$argon2id$") and passwords.verify_password(stored, PASSWORD)


async def test_unusable_password_cannot_log_in(client: Any, db_conn: Any) -> None:
    user_id = await _insert_django_user(db_conn, "nopass", "nopass@example.org", "!")
    for attempt in ("!", "x", "nopass"):
        r = await client.post("/api/v3/auth/login", json={"login": "nopass", "password": attempt})
        assert r.status_code == 401, (attempt, r.text)
    r = await client.post("/api/v3/auth/login", json={"login": "nopass", "password": ""})
    assert r.status_code == 400, r.text  # an empty password is not even checked
    assert await db_conn.fetchval("SELECT password FROM users WHERE id=$1", user_id) == "!"
    assert await db_conn.fetchval("SELECT count(*) FROM auth_sessions") == 0
