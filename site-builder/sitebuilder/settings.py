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
