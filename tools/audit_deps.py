"""Audit the locked dependencies for known vulnerabilities (``make audit``, part of ``make test``).

Takes ``uv.lock`` exported as pinned requirements (the Makefile runs ``uv export``), runs
pip-audit over them (PyPI's vulnerability data, no installation needed) and fails on any known
vulnerability that ``tools/audit-allowlist.toml`` does not list with a reason.

When the vulnerability service cannot be reached at all (a network that only proxies the package
index, as on our build machines, where PyPI's per-version JSON API answers 404), nothing could be
audited: the run says so loudly and exits 0, unless ``PYDOTORG_AUDIT_REQUIRED=1`` (set it where the
service is reachable, e.g. a CI runner with internet access), which turns that into a failure.
A partly reachable service is not a pass either: a package that could not be audited fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLOWLIST = ROOT / "tools" / "audit-allowlist.toml"
NOT_ON_INDEX = "Dependency not found on PyPI"


def load_allowlist() -> dict[str, str]:
    """``{vulnerability id: reason}``; an entry without a reason is an error."""
    if not ALLOWLIST.exists():
        return {}
    entries = tomllib.loads(ALLOWLIST.read_text()).get("allow", [])
    allowed: dict[str, str] = {}
    for entry in entries:
        vuln_id, reason = entry.get("id", "").strip(), entry.get("reason", "").strip()
        if not vuln_id or not reason:
            raise SystemExit(f"{ALLOWLIST.name}: every [[allow]] entry needs an id and a reason: {entry}")
        allowed[vuln_id] = reason
    return allowed


def run_pip_audit(requirements: Path) -> dict | None:
    result = subprocess.run(  # noqa: S603 -- our own interpreter and a path we made
        [sys.executable, "-m", "pip_audit", "--requirement", str(requirements), "--disable-pip",
         "--no-deps", "--progress-spinner", "off", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit gave no report (exit {result.returncode}): {result.stderr.strip()[-400:]}")
        return None


def evaluate(report: dict | None, allowed: dict[str, str], *, required: bool) -> tuple[int, list[str]]:
    """The exit code and the lines to print for a pip-audit JSON report."""
    if report is None:
        return (1 if required else 0), [
            "audit: the vulnerability service could not be reached; nothing was audited."
        ]
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if "skip_reason" in d]
    audited = [d for d in dependencies if "skip_reason" not in d]
    if dependencies and not audited and all(NOT_ON_INDEX in d["skip_reason"] for d in skipped):
        return (1 if required else 0), [
            f"audit: NOT AUDITED — PyPI's vulnerability data is unreachable from this network "
            f"({len(skipped)} locked packages). Set PYDOTORG_AUDIT_REQUIRED=1 where it is reachable."
        ]
    lines: list[str] = []
    failures = [f"{d['name']}: could not be audited ({d['skip_reason']})" for d in skipped]
    used: set[str] = set()
    for dependency in audited:
        for vuln in dependency.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            allowance = next((i for i in sorted(ids) if i in allowed), None)
            if allowance:
                used.add(allowance)
                lines.append(
                    f"allowed {dependency['name']} {dependency['version']} {allowance}: {allowed[allowance]}"
                )
                continue
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed release"
            failures.append(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    lines += [
        f"note: allow-list entry {i} no longer matches anything; remove it"
        for i in sorted(set(allowed) - used)
    ]
    if failures:
        return 1, [*lines, "audit failed:\n  " + "\n  ".join(failures)]
    return 0, [*lines, f"audit: {len(audited)} locked packages, no known vulnerabilities"]


def main() -> int:
    if len(sys.argv) != 2:
        raise SystemExit("usage: audit_deps.py REQUIREMENTS (from `uv export --format requirements-txt`)")
    code, lines = evaluate(
        run_pip_audit(Path(sys.argv[1])),
        load_allowlist(),
        required=os.environ.get("PYDOTORG_AUDIT_REQUIRED") == "1",
    )
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
