"""Where the repository and the data it carries live (demo data, tests, the benchmark; the
service reads its paths from settings).

Everything here is inside the checkout: a clone is all a machine needs.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]  # api/pydotorg/dev/paths.py
# Small data the demo needs on every machine, carried in the package.
DEMO_DATA_DIR = Path(__file__).resolve().parent / "data"
# python.org's real data (data/README.md): its Django fixtures, feeds and the release cycle.
PYTHON_ORG_DATA = REPO_ROOT / "data" / "pythondotorg"
# The files there that are not Django dumpdata: the PEPs release-cycle data (a mapping by version)
# and the PSF's funding manifest (published as /funding.json).
NOT_DUMPDATA = frozenset({"release-cycle.json", "funding.json"})


def python_org_dumps() -> list[Path]:
    """python.org's Django fixtures among ``PYTHON_ORG_DATA``, in name order."""
    return sorted(p for p in PYTHON_ORG_DATA.glob("*.json") if p.name not in NOT_DUMPDATA)


# python.org's downloads at full scale (600 releases, 15,538 files), a gzipped dumpdata fixture.
BENCH_DOWNLOADS = REPO_ROOT / "data" / "bench" / "downloads.json.gz"
