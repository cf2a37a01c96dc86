"""Where the repository, the demo data it carries and the shared python.org data live (demo data,
tests, the benchmark; the service reads its paths from settings)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]  # api/pydotorg/dev/paths.py
# Small data the demo needs on every machine, carried in the package (not in shared/data).
DEMO_DATA_DIR = Path(__file__).resolve().parent / "data"


def shared_data_dir() -> Path:
    """python.org's real data (``shared/data``): ``PYDOTORG_SHARED_DATA``, else ``../shared/data``
    next to the checkout, else ``/work/shared/data``; the first that exists."""
    candidates = [
        os.environ.get("PYDOTORG_SHARED_DATA", ""),
        str(REPO_ROOT.parent / "shared" / "data"),
        "/work/shared/data",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return REPO_ROOT.parent / "shared" / "data"
