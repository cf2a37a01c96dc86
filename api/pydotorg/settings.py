"""Typed settings read from ``PYDOTORG_*`` environment variables.

One ``Settings`` object is built at start-up (``Settings.from_env()``) and passed to
``create_app``; nothing reads the environment at import time.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import msgspec

Environment = Literal["development", "test", "production"]

PREFIX = "PYDOTORG_"
_INSECURE_KEYS = {"", "change-me", "changeme", "secret", "dev", "insecure"}


class SettingsError(ValueError):
    """Raised when the environment does not describe a valid configuration."""


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    environment: Environment = "development"
    secret_key: str = ""
    debug: bool = False

    # Where things live. ``state_dir`` holds embedded servers, mail files and media.
    state_dir: Path = Path(".state")
    database_url: str = ""
    redis_url: str = ""
    database_pool_size: int = 10
    # Connections per API process for the ORM-free hot reads (core/reads.py).
    database_read_pool_size: int = 5
    # The worker's Prometheus endpoint (`pydotorg worker`; port 0: off).
    worker_metrics_host: str = "127.0.0.1"
    worker_metrics_port: int = 0
    database_statement_timeout_ms: int = 30_000
    database_lock_timeout_ms: int = 5_000

    # Public site.
    site_url: str = "https://www.python.org"
    media_url: str = "/media/"
    site_name: str = "Python.org"

    # Media storage: a directory under state_dir, or an S3-compatible bucket (path-style URLs).
    storage_backend: Literal["local", "s3"] = "local"
    s3_endpoint_url: str = ""
    s3_bucket: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_region: str = "us-east-1"
    s3_prefix: str = "media/"
    s3_public_base_url: str = ""

    # HTTP.
    allowed_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()
    session_cookie_name: str = "pydotorg_session"
    csrf_cookie_name: str = "pydotorg_csrf"
    session_lifetime_seconds: int = 14 * 24 * 3600
    token_lifetime_seconds: int = 30 * 24 * 3600
    email_verification_max_age_seconds: int = 3 * 24 * 3600
    password_reset_max_age_seconds: int = 24 * 3600

    # Rate limits for the sensitive endpoints ("<count>/<seconds>").
    rate_limit_login: str = "10/60"
    rate_limit_signup: str = "5/3600"
    rate_limit_password_reset: str = "5/3600"
    rate_limit_api_key: str = "20/3600"
    # Requests for a new e-mail address, per account (each one mails the address given).
    rate_limit_email_change: str = "5/3600"
    rate_limit_event_submission: str = "5/3600"
    rate_limit_story_submission: str = "5/3600"
    rate_limit_preview: str = "30/600"  # draft previews asked for, per user (domains/previews)
    # Legacy API throttles (python.org: Tastypie 600/hour, DRF 100/day anonymous, 3000/day users).
    v1_throttle: str = "600/3600"
    v2_throttle_anon: str = "100/86400"
    v2_throttle_user: str = "3000/86400"

    # GitHub and Google sign-in (domains/users/services/oauth.py). A provider is offered only when
    # both its client id and secret are set; the endpoints default to the real providers (tests
    # point them at a local fake). Callback URL to register: <site_url>/api/v3/auth/oauth/<name>/callback.
    oauth_github_client_id: str = ""
    oauth_github_client_secret: str = ""
    oauth_github_authorize_url: str = "https://github.com/login/oauth/authorize"
    oauth_github_token_url: str = "https://github.com/login/oauth/access_token"
    oauth_github_api_url: str = "https://api.github.com"
    oauth_google_client_id: str = ""
    oauth_google_client_secret: str = ""
    oauth_google_authorize_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    oauth_google_token_url: str = "https://oauth2.googleapis.com/token"
    oauth_google_userinfo_url: str = "https://openidconnect.googleapis.com/v1/userinfo"
    # How long a started sign-in (its state and PKCE verifier, in a signed cookie) stays valid.
    oauth_state_max_age_seconds: int = 600

    # Mail.
    mail_backend: Literal["smtp", "file", "memory"] = "file"
    smtp_url: str = ""
    default_from_email: str = "noreply@python.org"
    events_to_email: str = "events@python.org"  # event suggestions (python.org: EVENTS_TO_EMAIL)
    success_stories_to_email: str = "psf-staff@python.org"  # story submissions (python.org: PSF_TO_EMAILS)

    # Job board: an approved listing is public for this many days; its mail comes from and goes to
    # these addresses (python.org: JOB_THRESHOLD_DAYS, JOB_FROM_EMAIL). Report list: comma-separated.
    job_expiry_days: int = 90
    jobs_from_email: str = "jobs@python.org"
    jobs_board_email: str = "jobs@python.org"
    jobs_report_recipients: str = "jobs@python.org"

    # Sponsorship mail: sent from this address; the PSF's copy of applications, rejections and
    # contracts goes to the second (python.org: SPONSORSHIP_NOTIFICATION_FROM_EMAIL / _TO_EMAIL).
    sponsorship_notification_from_email: str = "sponsors@python.org"
    sponsorship_notification_to_email: str = "psf-sponsors@python.org"

    # PyCon US's voucher API (python.org: PYCON_API_KEY, _SECRET, _HOST), used by
    # ``pydotorg sponsors pycon-vouchers YEAR`` to make sponsors' conference pass codes. The host
    # is a host name (HTTPS) or a full http(s):// origin; without all three the command refuses.
    pycon_api_key: str = ""
    pycon_api_secret: str = ""
    pycon_api_host: str = ""

    # Search (core/search): PostgreSQL full-text search in the application database, or Meilisearch
    # (meilisearch_url, with an API key allowed to manage meilisearch_index).
    search_engine: Literal["postgres", "meilisearch"] = "postgres"
    meilisearch_url: str = ""
    meilisearch_api_key: str = ""
    meilisearch_index: str = "pydotorg"
    meilisearch_timeout_seconds: float = 5.0
    # How often the worker compares the search index's cursor with the change feed's head and
    # enqueues ``search.index`` when it is behind (a lost enqueue, an engine outage); 0: never.
    search_watch_seconds: float = 5.0
    # Each API process keeps search answers for the current index in memory, up to this many
    # bytes (0: no cache).
    search_cache_bytes: int = 16 * 1024 * 1024
    # How long a process trusts its last look at the index's generation before looking again: a
    # change to the index reaches searches at most this late (0: look on every search).
    search_generation_seconds: float = 1.0

    # Authentication without a database round trip per request (core/authcache.py). Each process
    # keeps what a credential resolved to (by its SHA-256) for this many seconds (0: look every
    # credential up), at most auth_cache_entries of them. A change to an account, its grants or its
    # credentials reaches this process at once and the others through Redis, each of which looks
    # at the invalidation counter at most once per auth_generation_seconds. An API key's
    # last_used is written at most once per auth_last_used_seconds.
    auth_cache_seconds: float = 10.0
    auth_cache_entries: int = 10_000
    auth_generation_seconds: float = 1.0
    auth_last_used_seconds: float = 60.0

    # HTTP caching (core/httpcache.py, legacy/middleware.py). Each process keeps rendered legacy
    # (/api/v1/, /api/v2/) answers up to legacy_cache_bytes (0: no cache), and gzipped API answers
    # it may send again up to compressed_cache_bytes (0: compress every time).
    legacy_cache_bytes: int = 64 * 1024 * 1024
    compressed_cache_bytes: int = 16 * 1024 * 1024

    # Queue.
    queue_name: str = "pydotorg"
    job_timeout_seconds: int = 300
    job_retries: int = 3

    # Blog feeds (python.org: PYTHON_BLOG_URL, PYTHON_BLOG_FEED_URL). The feed whose feed_url is
    # python_blog_feed_url is "the Python blog"; entry links on pythoninsider.blogspot.com are
    # rewritten to python_blog_url's scheme and host.
    python_blog_url: str = "https://blog.python.org"
    python_blog_feed_url: str = "https://blog.python.org/feeds/posts/default?alt=rss"
    blogs_fetch_timeout_seconds: float = 20.0

    # The PEPs release-cycle data (/downloads/ "Active Python Releases", release pages' end-of-life
    # warning), fetched hourly by ``downloads.refresh_release_cycle`` (python.org: 5 s timeout);
    # empty: never fetched (the stored copy stays).
    release_cycle_url: str = "https://peps.python.org/api/release-cycle.json"
    release_cycle_timeout_seconds: float = 5.0

    # Operations.
    log_level: str = "INFO"
    log_json: bool = True

    # The static-site builder as the worker and ``pydotorg build-site`` start it (a subprocess that
    # reads its own settings, sitebuilder/settings.py, from the same environment; the Fastly ones
    # are only the builder's).
    site_api_url: str = "http://127.0.0.1:8000"
    site_api_key: str = ""
    site_origin_dir: str = ""  # default: <state_dir>/site
    site_build_timeout_seconds: int = 600
    # How often the worker compares the change feed's head with the published cursor and looks for
    # a rebuild whose worker died (0: never; needs site_api_key).
    site_watch_seconds: float = 2.0
    # Draft previews (docs/previews.md): how long a preview URL lives, and how long its render may take.
    preview_ttl_seconds: int = 3600
    preview_timeout_seconds: int = 120

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def site_dir(self) -> Path:
        return Path(self.site_origin_dir) if self.site_origin_dir else self.state_dir / "site"

    @property
    def media_dir(self) -> Path:
        return self.state_dir / "media"

    @property
    def mail_dir(self) -> Path:
        return self.state_dir / "mail"

    @property
    def trusted_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(ipaddress.ip_network(p, strict=False) for p in self.trusted_proxies)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``PYDOTORG_*`` variables (``environ`` defaults to ``os.environ``)."""
        env = os.environ if environ is None else environ
        raw: dict[str, object] = {}
        fields = {f.name: f for f in msgspec.structs.fields(cls)}
        for key, value in env.items():
            if not key.startswith(PREFIX):
                continue
            name = key[len(PREFIX) :].lower()
            if name not in fields:
                continue
            if name in {"allowed_origins", "trusted_proxies"}:
                raw[name] = [v.strip() for v in value.split(",") if v.strip()]
            else:
                raw[name] = value
        raw.update(overrides)
        try:
            settings = msgspec.convert(raw, cls, strict=False, dec_hook=_decode)
        except msgspec.ValidationError as exc:
            raise SettingsError(f"invalid setting: {exc}") from None
        return settings.validated()

    def validated(self) -> Settings:
        """Check cross-field rules; fill in a development secret key."""
        for spec in (
            self.rate_limit_login,
            self.rate_limit_signup,
            self.rate_limit_password_reset,
            self.rate_limit_api_key,
            self.rate_limit_email_change,
            self.rate_limit_event_submission,
            self.rate_limit_story_submission,
            self.rate_limit_preview,
            self.v1_throttle,
            self.v2_throttle_anon,
            self.v2_throttle_user,
        ):
            parse_rate(spec)
        try:
            _ = self.trusted_networks
        except ValueError as exc:
            raise SettingsError(f"PYDOTORG_TRUSTED_PROXIES: {exc}") from None
        for provider in ("github", "google"):
            client_id = getattr(self, f"oauth_{provider}_client_id").strip()
            client_secret = getattr(self, f"oauth_{provider}_client_secret").strip()
            if bool(client_id) != bool(client_secret):
                raise SettingsError(
                    f"PYDOTORG_OAUTH_{provider.upper()}_CLIENT_ID and _CLIENT_SECRET must be set together"
                )
        if self.storage_backend == "s3":
            missing = [
                f"PYDOTORG_{name.upper()}"
                for name in ("s3_endpoint_url", "s3_bucket", "s3_access_key", "s3_secret_key")
                if not getattr(self, name).strip()
            ]
            if missing:
                raise SettingsError(f"PYDOTORG_STORAGE_BACKEND=s3 requires {', '.join(missing)}")
            if not self.s3_endpoint_url.startswith(("http://", "https://")):
                raise SettingsError("PYDOTORG_S3_ENDPOINT_URL must be an http:// or https:// URL")
        if self.search_engine == "meilisearch" and not self.meilisearch_url.startswith(
            ("http://", "https://")
        ):
            raise SettingsError(
                "PYDOTORG_SEARCH_ENGINE=meilisearch requires PYDOTORG_MEILISEARCH_URL (http:// or https://)"
            )
        if self.secret_key.strip().lower() in _INSECURE_KEYS or len(self.secret_key) < 32:
            if self.is_production:
                raise SettingsError(
                    "PYDOTORG_SECRET_KEY must be set to a random value of at least 32 characters "
                    "in production"
                )
            return msgspec.structs.replace(self, secret_key=_development_secret(self.state_dir))
        if self.is_production and self.mail_backend == "smtp" and not self.smtp_url:
            raise SettingsError("PYDOTORG_SMTP_URL is required when PYDOTORG_MAIL_BACKEND=smtp")
        return self


def _decode(type_: type, value: object) -> object:
    if type_ is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError(f"cannot read {type_!r} from the environment")


def parse_rate(spec: str) -> tuple[int, int]:
    """``"10/60"`` -> (10 requests, 60 seconds)."""
    try:
        count, seconds = (int(p) for p in spec.split("/", 1))
    except ValueError:
        raise SettingsError(f"rate limit {spec!r} must look like '<count>/<seconds>'") from None
    if count < 1 or seconds < 1:
        raise SettingsError(f"rate limit {spec!r} must be positive")
    return count, seconds


def _development_secret(state_dir: Path) -> str:
    """A per-checkout secret kept under ``.state/`` so tokens survive restarts in development."""
    path = state_dir / "secret_key"
    try:
        value = path.read_text().strip()
        if len(value) >= 32:
            return value
    except OSError:
        pass
    value = secrets.token_urlsafe(48)
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(value)
        path.chmod(0o600)
    except OSError:
        pass
    return value
