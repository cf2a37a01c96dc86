"""The dependency audit (``make audit``): how a pip-audit report becomes a pass or a failure."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "audit_deps.py"


@pytest.fixture(scope="module")
def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_deps", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


VULNERABLE = {
    "dependencies": [
        {"name": "jinja2", "version": "3.1.2", "vulns": [
            {"id": "GHSA-h5c8-rqwp-cp95", "aliases": ["CVE-2024-22195"], "fix_versions": ["3.1.3"]}
        ]},
        {"name": "httpx", "version": "0.28.1", "vulns": []},
    ],
    "fixes": [],
}  # fmt: skip


def test_a_known_vulnerability_fails(audit: ModuleType) -> None:
    code, lines = audit.evaluate(VULNERABLE, {}, required=False)
    assert code == 1
    assert "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in lines[-1]


def test_an_allow_listed_vulnerability_passes_by_any_alias(audit: ModuleType) -> None:
    code, lines = audit.evaluate(VULNERABLE, {"CVE-2024-22195": "templates are ours"}, required=False)
    assert code == 0
    assert lines[0] == "allowed jinja2 3.1.2 CVE-2024-22195: templates are ours"
    assert lines[-1] == "audit: 2 locked packages, no known vulnerabilities"


def test_a_stale_allowance_is_reported(audit: ModuleType) -> None:
    code, lines = audit.evaluate(
        {"dependencies": [{"name": "httpx", "version": "0.28.1", "vulns": []}]},
        {"GHSA-gone": "fixed upstream"},
        required=False,
    )
    assert code == 0
    assert "allow-list entry GHSA-gone no longer matches anything" in lines[0]


def test_a_package_that_could_not_be_audited_fails_when_others_could(audit: ModuleType) -> None:
    report = {
        "dependencies": [
            {"name": "httpx", "version": "0.28.1", "vulns": []},
            {"name": "private-pkg", "skip_reason": "Dependency not found on PyPI and could not be audited"},
        ]
    }
    code, lines = audit.evaluate(report, {}, required=False)
    assert code == 1
    assert "private-pkg: could not be audited" in lines[-1]


def test_an_unreachable_service_is_said_and_fails_only_when_required(audit: ModuleType) -> None:
    report = {
        "dependencies": [
            {"name": n, "skip_reason": f"Dependency not found on PyPI and could not be audited: {n}"}
            for n in ("httpx", "litestar")
        ]
    }
    assert audit.evaluate(report, {}, required=False)[0] == 0
    assert "NOT AUDITED" in audit.evaluate(report, {}, required=False)[1][0]
    assert audit.evaluate(report, {}, required=True)[0] == 1
    assert audit.evaluate(None, {}, required=True)[0] == 1


def test_the_allowlist_needs_a_reason(
    audit: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowlist = tmp_path / "allow.toml"
    allowlist.write_text('[[allow]]\nid = "GHSA-x"\n')
    monkeypatch.setattr(audit, "ALLOWLIST", allowlist)
    with pytest.raises(SystemExit, match="needs an id and a reason"):
        audit.load_allowlist()
    allowlist.write_text('[[allow]]\nid = "GHSA-x"\nreason = "not reachable from our code"\n')
    assert audit.load_allowlist() == {"GHSA-x": "not reachable from our code"}
