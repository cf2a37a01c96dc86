"""The elections pages the builder makes (inventory 1.14) against a live test API: every election
grouped by status, an election's page (sanitized description, dates, accent colour as a data
attribute), the nominees list before the close (a notice, nobody named) and after it (accepted
and approved nominees in an order fixed by the election), the public nominee and nomination
pages only, the visitors' own shells; incremental and full builds agree byte for byte, and an
approval re-renders the list."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from sitebuilder.sections.nominations import _order, evaluate
from tests.contract.conftest import Fixture, dl  # noqa: F401  (fixture)
from tests.site.test_build import _build, _tree, builder_key, live_api  # noqa: F401  (fixtures)

BASE = "/api/v3/nominations"


def when(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


async def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


async def test_election_and_nominee_pages(
    live_api: str,  # noqa: F811
    dl: Fixture,  # noqa: F811
    builder_key: str,  # noqa: F811
    actors: Any,
    db_conn: Any,
    tmp_path: Path,
) -> None:
    people = {}
    for username, first, last in (
        ("ada", "Ada", "Lovelace"),
        ("bob", "Bob", "Marley"),
        ("cy", "Cy", "Young"),
    ):
        people[username] = await actors.create(username)
        await db_conn.execute(
            "UPDATE users SET first_name=$1, last_name=$2 WHERE id=$3", first, last, people[username].user_id
        )
    root = actors["root"].headers
    async with httpx.AsyncClient(base_url=live_api) as api:
        await _ok(
            await api.post(
                f"{BASE}/kinds", headers=root, json={"name": "PSF Board", "accent_color": "#123abc"}
            ),
            201,
        )
        await _ok(
            await api.post(
                f"{BASE}/kinds",
                headers=root,
                json={"name": "Packaging Council", "nomination_form": "packaging_council"},
            ),
            201,
        )
        elections = {
            "Board 2026": {
                "kind": "psf-board",
                "nominations_open_at": when(-1),
                "nominations_close_at": when(1),
                "description": "Vote for the **board**. <script>alert(1)</script>",
            },
            "Council 2027": {
                "kind": "packaging-council",
                "hide_previous_service": True,
                "nominations_open_at": when(1),
                "nominations_close_at": when(2),
            },
            "Board 2019": {"date": "2019-06-01"},
            "Board 2099": {"date": "2099-06-01"},
        }
        for name, fields in elections.items():
            await _ok(
                await api.post(
                    f"{BASE}/elections", headers=root, json={"name": name, "date": "2026-12-31", **fields}
                ),
                201,
            )
        made = {}
        for username in people:
            made[username] = await _ok(
                await api.post(
                    f"{BASE}/elections/board-2026/nominations",
                    headers=people[username].headers,
                    json={
                        "name": username,
                        "email": f"{username}@example.org",
                        "employer": f"{username.title()} Corp",
                        "nomination_statement": f"I am *{username}*. <script>x()</script>",
                        "previous_service_years": [2019] if username == "ada" else [],
                        "self_nomination": True,
                        "coc_acknowledged": True,
                    },
                ),
                201,
            )
        third = await _ok(
            await api.post(
                f"{BASE}/elections/board-2026/nominations",
                headers=people["bob"].headers,
                json={
                    "name": "Ada Lovelace",
                    "email": "ada@example.org",
                    "employer": "Ada Corp",
                    "nomination_statement": "Bob says **Ada**.",
                    "previous_service_years": [],
                },
            ),
            201,
        )
        for nomination_id, body in (
            (made["ada"]["id"], {"approved": True}),
            (made["bob"]["id"], {"approved": True}),
            (made["cy"]["id"], {"approved": True}),
            (third["id"], {"approved": True, "nominee_user_id": people["ada"].user_id}),
        ):
            await _ok(
                await api.post(
                    f"{BASE}/elections/board-2026/nominations/{nomination_id}/review", headers=root, json=body
                )
            )
        await _ok(
            await api.post(
                f"{BASE}/elections/board-2026/nominations/{third['id']}/accept",
                headers=people["ada"].headers,
                json={"accepted": True},
            )
        )
        nominees = {made[u]["nominee_id"]: u for u in people}
        for nominee_id, username in nominees.items():
            await _ok(
                await api.patch(
                    f"{BASE}/nominees/{nominee_id}",
                    headers=root,
                    json={"accepted": True, "approved": username != "cy"},
                )
            )

    out = tmp_path / "origin"
    _build(live_api, out, builder_key)
    site = out / "current"
    listing = (site / "nominations/elections/index.html").read_text()
    order = ["Nominations Open", "Nominations Not Yet Open", "Voting Not Yet Begun", "Commenced"]
    assert [listing.index(f"<h2>{status}</h2>") for status in order] == sorted(
        listing.index(f"<h2>{status}</h2>") for status in order
    )
    assert "Nominations Closed</h2>" not in listing
    group = listing.split("<h2>Nominations Open</h2>")[1].split("</section>")[0]
    assert "Board 2026" in group and "Council 2027" not in group
    assert "Board 2019" in listing.split("<h2>Commenced</h2>")[1]
    page = (site / "nominations/election/board-2026/index.html").read_text()
    assert "<strong>board</strong>" in page and "<script>alert" not in page
    assert 'data-accent="#123abc"' in page and "PSF Board" in page
    assert '<dd class="election-status">Nominations Open</dd>' in page
    assert "style=" not in page  # the colour reaches the page through the CSSOM only
    assert "/nominations/board-2026/create/" in page
    council = (site / "nominations/election/council-2027/index.html").read_text()
    assert "Nominations Not Yet Open" in council and 'data-accent="#0073b7"' in council
    assert "/nominations/council-2027/create/" not in council  # offered only while open
    # The Packaging Council's form: eligibility instead of mission, no previous-service question
    # when the election hides it (the shell exists before the open; its script says it is closed).
    form = (site / "nominations/council-2027/create/index.html").read_text()
    assert 'name="eligibility_confirmed"' in form and 'name="mission_alignment"' not in form
    assert 'name="previous_service"' not in form
    # Before the close: a notice, nobody named, no nominee or nomination page.
    before = (site / "nominations/elections/board-2026/nominees/index.html").read_text()
    assert "appears here when nominations close" in before
    assert not any(name in before for name in ("Lovelace", "Marley", "Young"))
    assert not (site / "nominations/elections/board-2026/nominees/ada-lovelace").exists()
    assert not (site / f"nominations/board-2026/{made['ada']['id']}").exists()
    # The visitors' own pages: one shell per election, the same for everyone.
    form = (site / "nominations/board-2026/create/index.html").read_text()
    assert 'data-app="nomination-create"' in form and 'name="mission_alignment"' in form
    assert '<option value="2001">' in form and 'name="eligibility_confirmed"' not in form
    assert f'<option value="{datetime.now(UTC).year}">' in form
    assert (site / "nominations/board-2026/edit/index.html").exists()
    assert (site / "nominations/board-2026/accept/index.html").exists()
    assert 'data-app="nominations-mine"' in (site / "users/nominations/index.html").read_text()
    sitemap = (site / "sitemap.xml").read_text()
    assert "/nominations/election/board-2026/</loc>" in sitemap and "/nominations/elections/</loc>" in sitemap
    assert "/create/" not in sitemap and "/accept/" not in sitemap and "users/nominations" not in sitemap
    assert "ada@example.org" not in "".join(p.read_text() for p in (site / "nominations").rglob("*.html"))

    # Nominations close (the API's change feed names the election): the list and pages appear.
    async with httpx.AsyncClient(base_url=live_api) as api:
        await _ok(
            await api.patch(
                f"{BASE}/elections/board-2026",
                headers=root,
                json={"nominations_open_at": when(-3), "nominations_close_at": when(-2)},
            )
        )
        public = await _ok(await api.get(f"{BASE}/elections/board-2026/nominees"))
        election = await _ok(await api.get(f"{BASE}/elections/board-2026"))
    _build(live_api, out, builder_key)
    after = (site / "nominations/elections/board-2026/nominees/index.html").read_text()
    assert "appears here when nominations close" not in after
    assert "Ada Lovelace" in after and "Bob Marley" in after and "Cy Young" not in after
    expected = [n["name"] for n in sorted(public["data"], key=lambda n: _order(election, n))]
    assert [n for n in expected if n != "Cy Young"] == sorted(["Ada Lovelace", "Bob Marley"], key=after.index)
    ada = (site / "nominations/elections/board-2026/nominees/ada-lovelace/index.html").read_text()
    assert "<em>ada</em>" in ada and "Bob says <strong>Ada</strong>." in ada and "<script>" not in ada
    assert "<dd>2019</dd>" in ada  # previous service from the self-nomination
    assert not (site / "nominations/elections/board-2026/nominees/cy-young").exists()
    for public_id in (made["ada"]["id"], made["bob"]["id"], third["id"]):
        assert (site / f"nominations/board-2026/{public_id}/index.html").exists()
    assert not (site / f"nominations/board-2026/{made['cy']['id']}").exists()
    assert "Nominations Closed" in (site / "nominations/election/board-2026/index.html").read_text()
    listing = (site / "nominations/elections/index.html").read_text()
    assert "Board 2026" in listing.split("<h2>Nominations Closed</h2>")[1].split("</section>")[0]
    assert "<h2>Nominations Open</h2>" not in listing

    # A full build of the same data agrees byte for byte (the nominee order included), twice.
    fresh, again = tmp_path / "fresh", tmp_path / "again"
    _build(live_api, fresh, builder_key, full=True)
    _build(live_api, again, builder_key, full=True)
    assert _tree(out) == _tree(fresh) == _tree(again)

    # Approving Cy re-renders the list (and adds Cy's pages) in an incremental build.
    cy = next(i for i, u in nominees.items() if u == "cy")
    async with httpx.AsyncClient(base_url=live_api) as api:
        await _ok(await api.patch(f"{BASE}/nominees/{cy}", headers=root, json={"approved": True}))
    _build(live_api, out, builder_key)
    report = json.loads((out / "_state/last-build.json").read_text())
    assert "nominations/elections/board-2026/nominees/index.html" in report["published"]
    assert "nominations/elections/board-2026/nominees/cy-young/index.html" in report["published"]
    assert "nominations/election/council-2027/index.html" not in report["published"]
    assert "Cy Young" in (site / "nominations/elections/board-2026/nominees/index.html").read_text()
    fresh = tmp_path / "fresh2"
    _build(live_api, fresh, builder_key, full=True)
    assert _tree(out) == _tree(fresh)


def test_status_at_the_start_of_the_day() -> None:
    """The builder's statuses are the API's rules evaluated at 00:00 UTC of the build's day:
    strictly between the open and the close is open; without dates, "Commenced" from the
    election's day on (python.org had the two undated statuses the wrong way round)."""
    midnight = datetime(2026, 3, 1, tzinfo=UTC)

    def election(opens: str | None, closes: str | None, day: str = "2026-06-01") -> dict[str, Any]:
        return {"nominations_open_at": opens, "nominations_close_at": closes, "date": day}

    cases = [
        (election("2026-02-01T00:00:00Z", "2026-03-05T00:00:00+00:00"), ("Nominations Open", True, False)),
        (
            election("2026-03-01T00:00:01Z", "2026-03-05T00:00:00Z"),
            ("Nominations Not Yet Open", False, False),
        ),
        (election("2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"), ("Nominations Closed", False, False)),
        (election("2026-02-01T00:00:00Z", "2026-02-28T23:59:00Z"), ("Nominations Closed", False, True)),
        (election(None, "2026-02-28T23:59:00Z"), ("Voting Not Yet Begun", False, True)),
        (election(None, None, "2026-03-02"), ("Voting Not Yet Begun", False, False)),
        (election(None, None, "2026-03-01"), ("Commenced", False, False)),
        # At the very instant of the open the API says "Closed" (not after the open, not before
        # it); the builder agrees with the API rather than correcting it on its own.
        (election("2026-03-01T00:00:00Z", "2026-03-05T00:00:00Z"), ("Nominations Closed", False, False)),
    ]
    assert [evaluate(e, midnight) for e, _ in cases] == [expected for _, expected in cases]
