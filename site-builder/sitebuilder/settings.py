"""The site builder's own settings, read from the environment.

The builder shares nothing with the API but HTTP, so it does not import the API's settings; it
reads the same ``PYDOTORG_*`` names the deployment already sets for the API and its worker (the
environment is the contract, documented in deploy/README.md). The worker starts a build as a
subprocess, which inherits that environment.

Only what a build reads is here: the API key and public site URL (defaults for ``--api-key``
and ``--site-url``) and the Fastly service the builder purges after it publishes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

PREFIX = "PYDOTORG_"


@dataclass(frozen=True, kw_only=True)
class BuilderSettings:
    # The API the builder reads from: a key with the site.read_changes permission.
    site_api_key: str = ""
    # The public site: every link and every purged URL starts with it.
    site_url: str = "https://www.python.org"
    # Processes a large build renders in (sitebuilder/render.py, render_parallel); 0: one per CPU.
    site_render_processes: int = 0

    # The CDN purged after a publish (sitebuilder/cdn.py): Fastly when the key and service id
    # are both set, otherwise a CDN that only logs.
    fastly_api_key: str = ""
    fastly_service_id: str = ""
    fastly_api_url: str = "https://api.fastly.com"
    # The edge dictionary the builder keeps equal to _redirects.json (deploy/fastly/README.md).
    fastly_redirects_dictionary_id: str = ""

    # Where a build goes live (sitebuilder/origin.py): "local", the --out directory nginx serves,
    # or "s3", the site bucket (the --out directory stays the builder's working copy, the tree
    # the next incremental build starts from).
    site_origin: str = "local"
    site_s3_bucket: str = ""
    site_s3_prefix: str = ""
    # The object store, shared with the API's media storage (the same PYDOTORG_S3_* names).
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_access_key: str = ""
    s3_secret_key: str = ""

    def origin_errors(self) -> list[str]:
        """What keeps the configured origin from working (empty: nothing)."""
        if self.site_origin == "local":
            return []
        if self.site_origin != "s3":
            return [f"PYDOTORG_SITE_ORIGIN must be 'local' or 's3', not {self.site_origin!r}"]
        needed = ("site_s3_bucket", "s3_endpoint_url", "s3_access_key", "s3_secret_key")
        return [
            f"PYDOTORG_{name.upper()} is required when PYDOTORG_SITE_ORIGIN=s3"
            for name in needed
            if not getattr(self, name)
        ]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BuilderSettings:
        """Settings from ``PYDOTORG_<FIELD>`` variables (``environ`` defaults to ``os.environ``);
        variables meant for the API alone are ignored."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            if PREFIX + f.name.upper() in env:
                raw = env[PREFIX + f.name.upper()]
                values[f.name] = int(raw) if f.type == "int" else raw
        return cls(**values)
