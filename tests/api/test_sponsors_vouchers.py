"""PyCon vouchers for sponsors (python.org's ``create_pycon_vouchers_for_sponsors``) against a
local fake PyCon API.

The fake serves ``GET /<year>/api/vouchers/`` over real HTTP (uvicorn on 127.0.0.1) and checks
what PyCon checks: the API key, and the signature recomputed with the shared secret from the raw
path and query it received (python.org's base string: secret + timestamp + ``GET`` + ``uri?query``
+ empty body); a wrong one gets a 401. It answers python.org's ``{"code": 200, "data":
{"promo_code": ...}}``, and can be told to refuse one sponsor or to be down (503). Rows are made
with the ORM; what the tests check is the stored assets and audit entries."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import msgspec
import pytest

from pydotorg.core.db import transaction
from pydotorg.domains.sponsors import tasks
from pydotorg.domains.sponsors.models import (
    APPROVED,
    FINALIZED,
    PROVIDED_TEXT,
    TIERED_BENEFIT,
    BenefitFeature,
    Sponsor,
    SponsorAsset,
    SponsorBenefit,
    Sponsorship,
    SponsorshipPackage,
)
from pydotorg.domains.sponsors.services import vouchers
from pydotorg.settings import Settings
from tests.helpers import Receive, Scope, Send, serve_asgi

YEAR = 2026
API_KEY = "pycon-test-key"
API_SECRET = "pycon-test-secret"
FULL = "full_conference_passes_code_2026"
EXPO = "pycon_expo_hall_only_passes_code_2026"


@dataclass
class FakePyCon:
    secret: str = API_SECRET
    refuse: set[str] = field(default_factory=set)  # sponsor names PyCon refuses
    down: bool = False
    requests: list[dict[str, Any]] = field(default_factory=list)
    issued: int = 0

    def reset(self) -> None:
        self.refuse, self.down, self.requests, self.issued = set(), False, [], 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        while (await receive()).get("more_body"):
            pass
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        raw_path = scope["raw_path"].decode()
        query_string = scope["query_string"].decode()
        base = "".join(
            (self.secret, headers.get("x-api-timestamp", ""), scope["method"], f"{raw_path}?{query_string}")
        )
        signed = hashlib.sha1(base.encode("utf-8")).hexdigest()  # noqa: S324 - PyCon's scheme
        query = dict(parse_qsl(query_string))
        self.requests.append(
            {"path": raw_path, "query_string": query_string, "query": query, "headers": headers}
        )
        if self.down:
            await _answer(send, 503, b"Service Unavailable", b"text/plain")
            return
        if headers.get("x-api-key") != API_KEY or headers.get("x-api-signature") != signed:
            await _answer(send, 401, msgspec.json.encode({"code": 401, "message": "Bad signature"}))
            return
        if query.get("sponsor_name") in self.refuse:
            await _answer(send, 200, msgspec.json.encode({"code": 400, "message": "Unknown voucher type"}))
            return
        self.issued += 1
        promo = f"{query['voucher_type']}{query['sponsor_id']}X{query['quantity']}N{self.issued}"
        await _answer(send, 200, msgspec.json.encode({"code": 200, "data": {"promo_code": promo}}))


async def _answer(send: Send, status: int, body: bytes, kind: bytes = b"application/json") -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", kind)]})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def fake_server() -> Iterator[tuple[FakePyCon, str]]:
    fake = FakePyCon()
    with serve_asgi(fake) as url:
        yield fake, url


@pytest.fixture
def pycon(clean: None, fake_server: tuple[FakePyCon, str], settings: Settings) -> tuple[FakePyCon, Settings]:
    fake, url = fake_server
    fake.reset()
    configured = msgspec.structs.replace(
        settings, pycon_api_key=API_KEY, pycon_api_secret=API_SECRET, pycon_api_host=url
    )
    return fake, configured


async def make_sponsorship(
    sessionmaker: Any,
    name: str,
    *,
    status: str = FINALIZED,
    quantity: int | None = 5,
    assets: tuple[str, ...] = (FULL,),
    text: str = "",
) -> int:
    """A sponsorship of ``name`` with one benefit copy holding a tiered quantity and a provided
    text feature (and its empty asset) per internal name in ``assets``."""
    async with transaction(sessionmaker) as tx:
        package = SponsorshipPackage(
            name="Visionary", slug=f"v-{name.lower()[:20]}", year=YEAR, sponsorship_amount=1
        )
        sponsor = Sponsor(name=name)
        tx.add_all([package, sponsor])
        await tx.flush()
        sponsorship = Sponsorship(sponsor_id=sponsor.id, status=status, year=YEAR, package_id=package.id)
        tx.add(sponsorship)
        await tx.flush()
        benefit = SponsorBenefit(sponsorship_id=sponsorship.id, name="PyCon passes", program_name="PyCon US")
        tx.add(benefit)
        await tx.flush()
        if quantity is not None:
            tx.add(
                BenefitFeature(
                    sponsor_benefit_id=benefit.id,
                    kind=TIERED_BENEFIT,
                    package_id=package.id,
                    quantity=quantity,
                )
            )
        for internal_name in assets:
            tx.add(
                BenefitFeature(
                    sponsor_benefit_id=benefit.id,
                    kind=PROVIDED_TEXT,
                    related_to="sponsorship",
                    internal_name=internal_name,
                    label="Conference pass code",
                )
            )
            tx.add(
                SponsorAsset(
                    kind="text", sponsorship_id=sponsorship.id, internal_name=internal_name, text=text
                )
            )
        return sponsorship.id


async def codes(db_conn: Any) -> dict[tuple[int, str], str]:
    rows = await db_conn.fetch("SELECT sponsorship_id, internal_name, text FROM sponsor_assets ORDER BY id")
    return {(r["sponsorship_id"], r["internal_name"]): r["text"] for r in rows}


async def sponsor_id(db_conn: Any, sponsorship: int) -> int:
    value = await db_conn.fetchval("SELECT sponsor_id FROM sponsorships WHERE id = $1", sponsorship)
    assert isinstance(value, int)
    return value


# --- the signature -------------------------------------------------------------------------------


def test_signature_is_python_orgs_base_string() -> None:
    """python.org: sha1(secret + str(timestamp) + "GET" + f"{uri}?{urlencode(query)}" + "")."""
    query = {
        "voucher_type": "SPNS_COMP_",
        "quantity": 5,
        "sponsor_name": "Acme & Söhne, Inc.",
        "sponsor_id": 7,
    }
    query_string = urlencode(query)
    assert (
        query_string
        == "voucher_type=SPNS_COMP_&quantity=5&sponsor_name=Acme+%26+S%C3%B6hne%2C+Inc.&sponsor_id=7"
    )
    base = "s3cret1700000000GET/2026/api/vouchers/?" + query_string
    expected = hashlib.sha1(base.encode()).hexdigest()  # noqa: S324
    assert vouchers.sign("s3cret", 1700000000, "get", "/2026/api/vouchers/", query_string) == expected
    assert vouchers.base_url("us.pycon.org") == "https://us.pycon.org"
    assert vouchers.base_url("http://127.0.0.1:9000/") == "http://127.0.0.1:9000"


def test_the_voucher_table_follows_the_year() -> None:
    assert vouchers.voucher_types(2027) == {
        "full_conference_passes_code_2027": "SPNS_COMP_",
        "pycon_expo_hall_only_passes_code_2027": "SPNS_EXPO_COMP_",
        "pycon_additional_full_conference_passes_code_2027": "SPNS_ADDL_DISC_REG_",
        "pycon_additional_expo_hall_only_passes_2027": "SPNS_EXPO_DISC_",
    }


# --- the run -------------------------------------------------------------------------------------


async def test_codes_are_stored_signed_and_a_second_run_asks_nothing(
    pycon: tuple[FakePyCon, Settings], sessionmaker: Any, db_conn: Any
) -> None:
    fake, settings = pycon
    acme = await make_sponsorship(sessionmaker, "Acme & Söhne, Inc.", quantity=5, assets=(FULL, EXPO))
    approved = await make_sponsorship(sessionmaker, "Not yet", status=APPROVED)
    last_year = await make_sponsorship(sessionmaker, "Old", assets=("full_conference_passes_code_2025",))
    no_quantity = await make_sponsorship(sessionmaker, "No tier", quantity=None)
    taken = await make_sponsorship(sessionmaker, "Has one", text="ALREADY-GIVEN")
    acme_sponsor = await sponsor_id(db_conn, acme)

    report = await vouchers.create_vouchers(sessionmaker, settings, year=YEAR)

    assert report.outage is None and report.ok
    assert [(o.sponsorship_id, o.internal_name, o.status) for o in report.outcomes] == [
        (acme, FULL, "created"),
        (acme, EXPO, "created"),
        (no_quantity, FULL, "skipped"),
        (taken, FULL, "skipped"),
    ]
    # Every request passed the fake's signature check (none answered 401) and carried
    # python.org's query, in python.org's order.
    assert [r["path"] for r in fake.requests] == ["/2026/api/vouchers/"] * 2
    assert fake.requests[0]["query_string"] == urlencode(
        {
            "voucher_type": "SPNS_COMP_",
            "quantity": 5,
            "sponsor_name": "Acme & Söhne, Inc.",
            "sponsor_id": acme_sponsor,
        }
    )
    assert fake.requests[1]["query"]["voucher_type"] == "SPNS_EXPO_COMP_"
    assert all(r["headers"]["x-api-key"] == API_KEY for r in fake.requests)
    stored = await codes(db_conn)
    assert stored[(acme, FULL)] == f"SPNS_COMP_{acme_sponsor}X5N1"
    assert stored[(acme, EXPO)] == f"SPNS_EXPO_COMP_{acme_sponsor}X5N2"
    assert stored[(approved, FULL)] == ""
    assert stored[(last_year, "full_conference_passes_code_2025")] == ""
    assert stored[(no_quantity, FULL)] == ""
    assert stored[(taken, FULL)] == "ALREADY-GIVEN"
    audit = await db_conn.fetch(
        "SELECT actor_id, object_kind, sponsorship_id, message FROM sponsor_audit_entries "
        "WHERE action = 'sponsorship.pycon_voucher' ORDER BY id"
    )
    assert [(a["actor_id"], a["object_kind"], a["sponsorship_id"]) for a in audit] == [
        (None, "asset", acme)
    ] * 2
    assert "SPNS_COMP_ for 5" in audit[0]["message"]
    assert stored[(acme, FULL)] not in audit[0]["message"]  # the code itself stays out of the trail

    again = await vouchers.create_vouchers(sessionmaker, settings, year=YEAR)
    assert again.count("created") == 0 and again.count("skipped") == 4 and again.ok
    assert len(fake.requests) == 2  # nothing more asked
    assert await codes(db_conn) == stored


async def test_a_wrong_secret_is_refused_by_pycon_and_nothing_is_written(
    pycon: tuple[FakePyCon, Settings], sessionmaker: Any, db_conn: Any
) -> None:
    fake, settings = pycon
    first = await make_sponsorship(sessionmaker, "First")
    second = await make_sponsorship(sessionmaker, "Second")
    wrong = msgspec.structs.replace(settings, pycon_api_secret="not-the-shared-secret")

    report = await vouchers.create_vouchers(sessionmaker, wrong, year=YEAR)

    assert [(o.sponsorship_id, o.status) for o in report.outcomes] == [(first, "failed"), (second, "failed")]
    assert all(o.detail.startswith("HTTP 401") for o in report.outcomes)
    assert report.outage is None and not report.ok
    assert set((await codes(db_conn)).values()) == {""}
    assert await db_conn.fetchval("SELECT count(*) FROM sponsor_audit_entries") == 0
    # The shared secret then works: the signature is what made the difference.
    assert (await vouchers.create_vouchers(sessionmaker, settings, year=YEAR)).count("created") == 2
    assert len(fake.requests) == 4


async def test_one_refused_sponsorship_does_not_stop_the_others(
    pycon: tuple[FakePyCon, Settings], sessionmaker: Any, db_conn: Any
) -> None:
    fake, settings = pycon
    first = await make_sponsorship(sessionmaker, "First")
    refused = await make_sponsorship(sessionmaker, "Refused")
    last = await make_sponsorship(sessionmaker, "Last")
    fake.refuse = {"Refused"}

    report = await vouchers.create_vouchers(sessionmaker, settings, year=YEAR)

    assert [(o.sponsorship_id, o.status) for o in report.outcomes] == [
        (first, "created"),
        (refused, "failed"),
        (last, "created"),
    ]
    assert "Unknown voucher type" in report.outcomes[1].detail
    stored = await codes(db_conn)
    assert stored[(first, FULL)] and stored[(last, FULL)] and stored[(refused, FULL)] == ""
    # A later run asks only for the one still missing.
    fake.refuse = set()
    later = await vouchers.create_vouchers(sessionmaker, settings, year=YEAR)
    assert [(o.sponsorship_id, o.status) for o in later.outcomes if o.status == "created"] == [
        (refused, "created")
    ]
    assert (await codes(db_conn))[(refused, FULL)].startswith("SPNS_COMP_")


async def test_an_outage_stops_the_run_and_writes_nothing(
    pycon: tuple[FakePyCon, Settings], sessionmaker: Any, db_conn: Any
) -> None:
    fake, settings = pycon
    await make_sponsorship(sessionmaker, "First")
    await make_sponsorship(sessionmaker, "Second")
    fake.down = True

    report = await vouchers.create_vouchers(sessionmaker, settings, year=YEAR)

    assert report.outage is not None and "503" in report.outage and not report.ok
    assert report.outcomes == [] and len(fake.requests) == 1  # stopped at the first 503
    assert set((await codes(db_conn)).values()) == {""}
    assert await db_conn.fetchval("SELECT count(*) FROM sponsor_audit_entries") == 0

    unreachable = msgspec.structs.replace(settings, pycon_api_host="http://127.0.0.1:9")
    report = await vouchers.create_vouchers(sessionmaker, unreachable, year=YEAR)
    assert report.outage is not None and report.outage.startswith("ConnectError")


async def test_two_runs_at_once_ask_once_per_asset(
    pycon: tuple[FakePyCon, Settings], sessionmaker: Any, db_conn: Any
) -> None:
    fake, settings = pycon
    made = [await make_sponsorship(sessionmaker, f"Sponsor {n}", assets=(FULL, EXPO)) for n in range(3)]

    first, second = await asyncio.gather(
        vouchers.create_vouchers(sessionmaker, settings, year=YEAR),
        vouchers.create_vouchers(sessionmaker, settings, year=YEAR),
    )

    assert first.count("created") + second.count("created") == 6
    assert first.count("failed") + second.count("failed") == 0
    assert len(fake.requests) == 6  # the row lock: no asset was asked for twice
    stored = await codes(db_conn)
    assert all(stored[(s, name)].startswith("SPNS_") for s in made for name in (FULL, EXPO))
    assert len(set(stored.values())) == 6


async def test_missing_settings_are_refused_before_anything(
    pycon: tuple[FakePyCon, Settings], sessionmaker: Any, db_conn: Any
) -> None:
    fake, settings = pycon
    await make_sponsorship(sessionmaker, "First")
    bare = msgspec.structs.replace(settings, pycon_api_key="", pycon_api_secret=" ")
    with pytest.raises(
        vouchers.VoucherSettingsError, match=r"PYDOTORG_PYCON_API_KEY, PYDOTORG_PYCON_API_SECRET$"
    ):
        await vouchers.create_vouchers(sessionmaker, bare, year=YEAR)
    with pytest.raises(vouchers.VoucherSettingsError, match="between 2022 and 2050"):
        await vouchers.create_vouchers(sessionmaker, settings, year=1999)
    # The job refuses the same way (it is not retried into PyCon).
    with pytest.raises(vouchers.VoucherSettingsError):
        await tasks.create_pycon_vouchers({"sessionmaker": sessionmaker, "settings": bare}, year=YEAR)
    assert fake.requests == []
    assert set((await codes(db_conn)).values()) == {""}


async def test_the_job_is_registered_and_reports(
    pycon: tuple[FakePyCon, Settings], sessionmaker: Any, db_conn: Any
) -> None:
    from pydotorg.worker import CRON_JOBS, JOB_FUNCTIONS

    assert ("sponsors.create_pycon_vouchers", tasks.create_pycon_vouchers) in JOB_FUNCTIONS
    assert not any(job.function is tasks.create_pycon_vouchers for job in CRON_JOBS)  # staff trigger it
    _, settings = pycon
    sponsorship = await make_sponsorship(sessionmaker, "Acme", quantity=2)
    result = await tasks.create_pycon_vouchers(
        {"sessionmaker": sessionmaker, "settings": settings}, year=YEAR
    )
    assert {k: result[k] for k in ("year", "created", "skipped", "failed", "outage")} == {
        "year": YEAR,
        "created": 1,
        "skipped": 0,
        "failed": 0,
        "outage": None,
    }
    assert result["outcomes"][0]["sponsorship_id"] == sponsorship
    assert result["outcomes"][0]["quantity"] == 2
    assert (await codes(db_conn))[(sponsorship, FULL)].startswith("SPNS_COMP_")


# --- the command ---------------------------------------------------------------------------------


async def run_cli(settings: Settings, tmp_path: Any, *args: str, **extra: str) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYDOTORG_")}
    env.update(
        PYDOTORG_DATABASE_URL=settings.database_url,
        PYDOTORG_REDIS_URL=settings.redis_url,
        PYDOTORG_ENVIRONMENT="test",
        PYDOTORG_SECRET_KEY=settings.secret_key,
        PYDOTORG_STATE_DIR=str(tmp_path / "state"),
        PYDOTORG_LOG_JSON="false",
        PYDOTORG_LOG_LEVEL="CRITICAL",
        **extra,
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pydotorg.cli",
        "sponsors",
        "pycon-vouchers",
        *args,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_cli_pycon_vouchers(
    pycon: tuple[FakePyCon, Settings], sessionmaker: Any, db_conn: Any, tmp_path: Any
) -> None:
    """``pydotorg sponsors pycon-vouchers YEAR`` as a subprocess against the test database."""
    fake, settings = pycon
    pycon_env = {
        "PYDOTORG_PYCON_API_KEY": API_KEY,
        "PYDOTORG_PYCON_API_SECRET": API_SECRET,
        "PYDOTORG_PYCON_API_HOST": settings.pycon_api_host,
    }
    good = await make_sponsorship(sessionmaker, "Good")
    refused = await make_sponsorship(sessionmaker, "Refused")

    code, out, err = await run_cli(
        settings, tmp_path, str(YEAR), PYDOTORG_PYCON_API_HOST=settings.pycon_api_host
    )
    assert code == 1 and "PYDOTORG_PYCON_API_KEY, PYDOTORG_PYCON_API_SECRET" in err
    assert fake.requests == []

    fake.refuse = {"Refused"}
    code, out, err = await run_cli(settings, tmp_path, str(YEAR), **pycon_env)
    assert code == 1
    assert f"created  sponsorship {good} (Good) {FULL}: code stored" in out
    assert out.strip().endswith("1 code(s) stored, 0 skipped, 1 failed")
    assert f"failed   sponsorship {refused} (Refused) {FULL}: HTTP 200, PyCon answered" in err
    assert "1 voucher(s) failed" in err

    fake.refuse = set()
    code, out, err = await run_cli(settings, tmp_path, str(YEAR), **pycon_env)
    assert (code, out.strip().splitlines()[-1]) == (0, "1 code(s) stored, 1 skipped, 0 failed"), err
    stored = await codes(db_conn)
    assert stored[(good, FULL)].startswith("SPNS_COMP_") and stored[(refused, FULL)].startswith("SPNS_COMP_")

    fake.down = True
    await make_sponsorship(sessionmaker, "Later")
    code, out, err = await run_cli(settings, tmp_path, str(YEAR), **pycon_env)
    assert code == 1 and "PyCon's API is unavailable (HTTP 503" in err
    assert out.strip().endswith("0 code(s) stored, 2 skipped, 0 failed")
