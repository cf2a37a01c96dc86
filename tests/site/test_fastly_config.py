"""Fastly as code (deploy/fastly/*.tf): what can be checked here without Terraform or Fastly.

- every Terraform file parses as HCL2 (python-hcl2; ``terraform validate`` would also check the
  provider's schema, which needs the provider and is not done here);
- every file of snippets/ is in the configuration with the type, name and priority its first line
  declares, every file the configuration names exists, and README.md's table says the same;
- the backends, the ``/api/`` condition, health checks, stale-if-error and the edge dictionary
  agree with the VCL, the origin's nginx.conf and the site builder (``sitebuilder.cdn``);
- the VCL is checked for balanced braces and for every synthetic error it raises being handled;
  no VCL compiler runs here (Fastly compiles it when a version is validated or activated).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

from sitebuilder import cdn

REPO = Path(__file__).resolve().parents[2]
FASTLY = REPO / "deploy" / "fastly"
SNIPPETS = FASTLY / "snippets"
TF_FILES = ("versions.tf", "variables.tf", "main.tf", "outputs.tf", "terraform.tfvars.example")
HEADER = re.compile(r"^# Fastly VCL snippet -- type: (\w+), name: ([\w-]+), priority: (\d+)\.$")


def _load(name: str) -> dict[str, Any]:
    with (FASTLY / name).open() as handle:
        loaded: dict[str, Any] = hcl2.load(handle)
    return loaded


def _s(value: Any) -> Any:
    """A literal as python-hcl2 gives it (strings keep their quotes) as the Python value."""
    if isinstance(value, str) and value.startswith('"') and value.endswith('"'):
        return json.loads(value)
    return value


def _service() -> dict[str, Any]:
    resources = _load("main.tf")["resource"]
    found = [r['"fastly_service_vcl"']['"www"'] for r in resources if '"fastly_service_vcl"' in r]
    assert len(found) == 1
    service: dict[str, Any] = found[0]
    return service


def _locals() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for block in _load("main.tf")["locals"]:
        merged.update(block)
    return merged


def _configured_snippets() -> dict[str, tuple[str, str, int]]:
    return {
        _s(file): (_s(entry["type"]), _s(entry["name"]), int(entry["priority"]))
        for file, entry in _locals()["snippets"].items()
    }


def _vcl_code(path: Path) -> str:
    """The VCL without comments (``#`` to the end of a line, outside strings)."""
    out = []
    for line in path.read_text().splitlines():
        in_string = False
        for i, char in enumerate(line):
            if char == '"':
                in_string = not in_string
            elif char == "#" and not in_string:
                line = line[:i]
                break
        out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("name", TF_FILES)
def test_terraform_files_parse(name: str) -> None:
    assert _load(name)


def test_every_snippet_file_is_configured_as_its_header_says() -> None:
    configured = _configured_snippets()
    on_disk = {}
    for path in sorted(SNIPPETS.glob("*.vcl")):
        header = HEADER.match(path.read_text().splitlines()[0])
        assert header, f"{path.name}: first line must declare type, name and priority"
        on_disk[path.name] = (header.group(1), header.group(2), int(header.group(3)))
    assert configured == on_disk
    assert len({name for _, name, _ in configured.values()}) == len(configured)
    snippet = _service()["dynamic"][0]['"snippet"']
    assert snippet["for_each"] == "${local.snippets}"
    (content,) = snippet["content"]
    assert content["content"] == '${file("${path.module}/snippets/${snippet.key}")}'
    assert (content["name"], content["type"]) == ("${snippet.value.name}", "${snippet.value.type}")


def test_readme_lists_the_configured_snippets() -> None:
    readme = (FASTLY / "README.md").read_text()
    rows = {
        file: (kind, name, int(priority))
        for file, kind, name, priority in re.findall(
            r"^\| `snippets/([\w.-]+)` \| `(\w+)` \| `([\w-]+)` \| (\d+) \|", readme, re.MULTILINE
        )
    }
    assert rows == _configured_snippets()


def test_backends_and_the_api_condition_match_the_vcl() -> None:
    service = _service()
    backends = {_s(b["name"]): b for b in service["backend"]}
    assert set(backends) == {"api", "origin"}  # recv.vcl names F_api; "origin" is the default
    recv = _vcl_code(SNIPPETS / "recv.vcl")
    assert "set req.backend = F_api;" in recv
    (condition,) = service["condition"]
    statement = _s(condition["statement"])
    assert f"if ({statement}) {{\n  set req.backend = F_api;\n  return(pass);" in recv
    assert _s(backends["api"]["request_condition"]) == _s(condition["name"]) == "is-api"
    assert "request_condition" not in backends["origin"]
    assert "shield" not in backends["api"]  # never cached: no shield hop
    for backend in backends.values():
        assert backend["port"] == 443 and backend["use_ssl"] is True and backend["ssl_check_cert"] is True
    checks = {_s(h["name"]): _s(h["path"]) for h in service["healthcheck"]}
    assert {_s(b["healthcheck"]) for b in backends.values()} == set(checks)
    assert checks[_s(backends["origin"]["healthcheck"])] == "/__origin/healthz"
    assert "location = /__origin/healthz" in (REPO / "deploy" / "origin" / "nginx.conf").read_text()
    assert checks[_s(backends["api"]["healthcheck"])] == "/readyz"


def test_stale_if_error_matches_the_origin() -> None:
    service = _service()
    assert service["stale_if_error"] is True
    nginx = (REPO / "deploy" / "origin" / "nginx.conf").read_text()
    assert f"stale-if-error={service['stale_if_error_ttl']}" in nginx
    assert "return(deliver_stale);" in _vcl_code(SNIPPETS / "fetch.vcl")


def test_edge_dictionary_matches_the_vcl_and_the_builder(tmp_path: Path) -> None:
    service = _service()
    name = _s(_locals()["redirects_dictionary"])
    assert [d["name"] for d in service["dictionary"]] == [
        "${local.redirects_dictionary}",
        "${local.settings_dictionary}",  # legacy-media-*.vcl (tests/site/test_urlmap_pages.py)
    ]
    lookups = set(re.findall(r"table\.lookup\((\w+),", _vcl_code(SNIPPETS / "data-redirects-recv.vcl")))
    assert lookups == {name}
    items = [
        r['"fastly_service_dictionary_items"']['"redirects"']
        for r in _load("main.tf")["resource"]
        if '"redirects"' in r.get('"fastly_service_dictionary_items"', {})
    ]
    assert len(items) == 1 and items[0]["manage_items"] is False  # the builder owns the items
    # The item format Terraform seeds with is sitebuilder.cdn.dictionary_items's. The HCL
    # expression is compared as text; here it is mirrored in Python over real redirect data.
    expression = _locals()["redirect_items"]
    assert 'path => "${entry.status} ${entry.location == null ? "" : entry.location}"' in expression
    entries: dict[str, dict[str, Any]] = {
        "/downloads/latest/python3/": {"location": "/downloads/release/python-3140/", "status": 302},
        "/old/page/": {"location": None, "status": 410},
        "/moved/": {"location": "/new/", "status": 301},
    }
    mirrored = {
        path: f"{e['status']} {'' if e['location'] is None else e['location']}" for path, e in entries.items()
    }
    assert mirrored == cdn.dictionary_items(entries)


def test_raised_errors_are_handled() -> None:
    """Every ``error 6xx "name"`` a recv snippet raises is turned into a response by an error
    snippet, and every VCL file has balanced braces and parentheses (outside strings)."""
    raised, handled = set(), set()
    for path in SNIPPETS.glob("*.vcl"):
        code = _vcl_code(path)
        bare = re.sub(r'"[^"\n]*"|\{"[^"]*"\}', '""', code)
        assert bare.count("{") == bare.count("}") and bare.count("(") == bare.count(")"), path.name
        raised |= set(re.findall(r'error (6\d\d) "([\w-]+)"', code))
        handled |= set(re.findall(r'obj\.status == (6\d\d) && obj\.response == "([\w-]+)"', code))
    assert raised and raised == handled


def test_secrets_are_variables_not_values() -> None:
    variables = {k: v for block in _load("variables.tf")["variable"] for k, v in block.items()}
    assert variables['"fastly_api_key"']["sensitive"] is True
    assert "default" not in variables['"fastly_api_key"']
    assert "fastly_api_key" not in _load("terraform.tfvars.example")
    provider = _load("versions.tf")["provider"][0]['"fastly"']
    assert provider["api_key"] == "${var.fastly_api_key}"
    outputs = {k for block in _load("outputs.tf")["output"] for k in block}
    assert outputs >= {'"service_id"', '"redirects_dictionary_id"'}
