"""The ``pydotorg`` command: click wiring only (options, output, exit status). The work is in
``worker``, ``django_import``, ``dev`` (embedded servers, demo data, ``dev run``) and the domains'
services. Every command reads the same settings as the service and exits non-zero with a
one-line reason on failure."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable, Coroutine
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from pydotorg.settings import Settings, SettingsError

T = TypeVar("T")


class Failure(click.ClickException):
    """A one-line reason, exit status 1."""


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise Failure(str(exc)) from None


def _with_dev_services(settings: Settings, *, need_redis: bool = True) -> Settings:
    """Fill in the embedded servers' URLs when the environment names none (development)."""
    from pydotorg.dev.run import with_dev_services

    try:
        return with_dev_services(settings, need_redis=need_redis)
    except RuntimeError as exc:
        raise Failure(str(exc)) from None


def _run(coro: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coro)
    except click.ClickException:
        raise
    except (OSError, ConnectionError) as exc:
        raise Failure(f"{type(exc).__name__}: {exc}") from None


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except click.ClickException:
            raise
        except (SettingsError, RuntimeError, OSError, ValueError) as exc:
            raise Failure(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:300]
            raise Failure(f"database error: {reason}") from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """python.org: the API service, its worker and its tools."""


# --- dev -----------------------------------------------------------------------------------


@main.group()
def dev() -> None:
    """Embedded PostgreSQL and Redis for development, under the state directory."""


@dev.command("up")
@friendly
def dev_up() -> None:
    """Start (or reuse) the embedded servers and print how to reach them."""
    from pydotorg.dev import embedded

    settings = _settings()
    services = embedded.up(settings.state_dir.resolve())
    click.echo(f"PostgreSQL: {services.database_url}")
    click.echo(f"Redis:      {services.redis_url}")
    click.echo(f"State:      {services.state_dir}")


@dev.command("down")
@friendly
def dev_down() -> None:
    """Stop the embedded servers (data is kept)."""
    from pydotorg.dev import embedded

    stopped = embedded.down(_settings().state_dir.resolve())
    click.echo("stopped" if stopped else "nothing was running")


@dev.command("env")
@friendly
def dev_env() -> None:
    """Print `export PYDOTORG_...=` lines for the running embedded servers."""
    from pydotorg.dev import embedded

    services = embedded.status(_settings().state_dir.resolve())
    if services is None:
        raise Failure("the embedded servers are not running; run `pydotorg dev up`")
    click.echo(f"export PYDOTORG_DATABASE_URL={services.database_url}")
    click.echo(f"export PYDOTORG_REDIS_URL={services.redis_url}")


@dev.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@friendly
def dev_run(host: str, port: int) -> None:
    """Run the API and a worker together until interrupted (what `make run` ends with)."""
    from pydotorg.dev import run

    settings = _with_dev_services(_settings())
    run.run(settings, host, port, click.echo)


@main.command()
@click.option("--demo", is_flag=True, required=True, help="Load the demo data set.")
@click.option(
    "--downloads",
    "downloads_fixture",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Downloads fixture (default: data/bench/downloads.json.gz).",
)
@friendly
def seed(demo: bool, downloads_fixture: Path | None) -> None:
    """Load demo data into an empty database; on any database, add python.org's job types and
    categories and the editor's grants where missing (a second run adds nothing).

    Demo accounts, a few CMS pages and python.org's downloads at full scale. Prints the demo
    accounts every time."""
    from pydotorg.dev import seed as demo_data

    settings = _with_dev_services(_settings(), need_redis=False)
    fixture = downloads_fixture or demo_data.default_downloads_fixture()
    report = _run(demo_data.seed_demo(settings, fixture))
    for kind, names in (
        ("job types", report.job_types),
        ("job categories", report.job_categories),
        ("editor grants", report.editor_grants),
    ):
        if names:
            click.echo(f"added {len(names)} {kind}")
    created, imported = report.created, report.imported
    if not created:
        if not report.added_anything:
            click.echo("database already has the demo data; nothing seeded")
        stored = demo_data.stored_credentials(settings)
        if stored:
            click.echo(f"demo accounts (from {demo_data.credentials_path(settings)}):")
            for line in stored:
                click.echo("  " + line)
        return
    path, lines = demo_data.write_credentials(settings, created)
    click.echo("seeded demo accounts (also in " + str(path) + "):")
    for line in lines:
        click.echo("  " + line)
    if imported:
        click.echo(
            f"imported {imported} rows (downloads from {fixture}, python.org's boxes, menu and events)"
        )
    else:
        click.echo(f"no python.org data at {fixture.parent.parent}; downloads, boxes and menus are empty")


# --- database ------------------------------------------------------------------------------


@main.command()
@friendly
def migrate() -> None:
    """Apply the database migrations (alembic upgrade head)."""
    from pydotorg.core.migrate import upgrade

    settings = _with_dev_services(_settings(), need_redis=False)
    _run(upgrade(settings.database_url))
    click.echo("database is at the latest migration")


# --- service -------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
@friendly
def serve(host: str, port: int, workers: int, reload: bool) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    settings = _with_dev_services(_settings())
    os.environ["PYDOTORG_DATABASE_URL"] = settings.database_url
    os.environ["PYDOTORG_REDIS_URL"] = settings.redis_url
    uvicorn.run(
        "pydotorg.asgi:app",
        host=host,
        port=port,
        workers=workers if not reload else None,
        reload=reload,
        access_log=False,
        proxy_headers=False,
        log_config=None,
    )


@main.command()
@click.option(
    "--metrics-port",
    default=None,
    type=click.IntRange(0, 65535),
    help="Expose the worker's Prometheus metrics on this port (0: off; default: the "
    "worker_metrics_port setting).",
)
@friendly
def worker(metrics_port: int | None) -> None:
    """Run the SAQ worker (mail, site rebuilds, periodic jobs)."""
    from pydotorg.core.observability import configure_logging
    from pydotorg.worker import create_worker

    settings = _with_dev_services(_settings())
    configure_logging(settings)
    port = settings.worker_metrics_port if metrics_port is None else metrics_port
    if port:
        from prometheus_client import start_http_server

        # 127.0.0.1 by default; the deploy files set 0.0.0.0 so Prometheus can scrape the pod.
        start_http_server(port, addr=settings.worker_metrics_host)
    w = create_worker(settings)

    async def run() -> None:
        await w.queue.connect()
        await w.start()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


# --- users ---------------------------------------------------------------------------------


@main.group()
def users() -> None:
    """Manage accounts."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--email", required=True)
@click.option("--password", default=None, help="Omit to be prompted.")
@click.option("--staff", is_flag=True)
@click.option("--superuser", is_flag=True)
@friendly
def users_create(username: str, email: str, password: str | None, staff: bool, superuser: bool) -> None:
    """Create an account (its e-mail address counts as verified)."""
    import msgspec

    from pydotorg.domains.users import schemas

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        msgspec.convert({"username": username, "email": email, "password": password}, schemas.SignupRequest)
    except msgspec.ValidationError as exc:
        raise Failure(f"invalid input: {exc}") from None
    settings = _with_dev_services(_settings(), need_redis=False)

    async def run() -> int:
        from pydotorg.core.db import command_sessionmaker, transaction
        from pydotorg.domains.users.services import create_user

        async with command_sessionmaker(settings) as sessionmaker, transaction(sessionmaker) as s:
            user = await create_user(
                s,
                username=username,
                email=email,
                password=password,
                is_staff=staff,
                is_superuser=superuser,
                email_verified=True,
            )
            return user.id

    from litestar.exceptions import HTTPException

    try:
        user_id = _run(run())
    except HTTPException as exc:
        raise Failure(exc.detail) from None
    click.echo(f"created user {username} (id {user_id})")


@users.command("api-key")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="A label for the key.")
@friendly
def users_api_key(username: str, name: str) -> None:
    """Create an API key for USERNAME and print it (it is not shown again)."""
    settings = _with_dev_services(_settings(), need_redis=False)

    async def run() -> str:
        from pydotorg.core.db import command_sessionmaker, transaction
        from pydotorg.domains.users.services import create_api_key, find_user

        async with command_sessionmaker(settings) as sessionmaker, transaction(sessionmaker) as s:
            user = await find_user(s, username)
            if user is None:
                raise Failure(f"no user named {username!r}")
            _, key = await create_api_key(s, user.id, name)
            return key

    click.echo(_run(run()))


# --- import ------------------------------------------------------------------------------


@main.command("import-django")
@click.option(
    "--fixtures",
    "fixtures",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A dumpdata JSON file (repeatable; more files may follow as arguments).",
)
@click.argument("more", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--database-url",
    "source_url",
    metavar="URL",
    help="Read python.org's Django database (postgresql://…) instead of fixtures; read-only.",
)
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option(
    "--verify",
    is_flag=True,
    help="Write nothing: compare counts and a checksum per model between the source and our database.",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
@friendly
def import_django(
    fixtures: tuple[Path, ...],
    more: tuple[Path, ...],
    source_url: str | None,
    dry_run: bool,
    verify: bool,
    quiet: bool,
) -> None:
    """Import python.org's Django data, from dumpdata fixtures
    (``pydotorg import-django --fixtures boxes.json sitetree_menus.json``) or straight from its
    database (``pydotorg import-django --database-url postgresql://…``)."""
    from pydotorg.django_import import command as django_import

    fixtures = (*fixtures, *more)
    if more and not fixtures[: -len(more)]:
        raise Failure("give the files after --fixtures")
    if bool(fixtures) == bool(source_url):
        raise Failure("give either --fixtures FILE… or --database-url URL")
    if verify and dry_run:
        raise Failure("--verify writes nothing already; drop --dry-run")
    bars = django_import.ProgressBars(enabled=not quiet)
    if fixtures:
        objects = django_import.load_fixtures(fixtures)
    else:
        assert source_url is not None
        objects, missing = _run(django_import.read_source(source_url, bars))
        for label, table in missing:
            click.echo(f"{label:<28} (table {table} is not in the source; skipped)", err=True)
    settings = _with_dev_services(_settings(), need_redis=False)
    if verify:
        checks = _run(django_import.verify(settings, objects, bars))
        click.echo(django_import.format_checks(checks))
        bad = [c.label for c in checks if not c.ok]
        if bad:
            raise Failure(f"{len(bad)} model(s) differ: {', '.join(bad)}")
        return
    report, unknown = _run(django_import.run_import(settings, objects, bars, dry_run=dry_run))
    click.echo(django_import.format_report(report, unknown, dry_run=dry_run))
    for failure in report.failures[:50]:
        click.echo(f"FAILED {failure.label} pk={failure.pk}: {failure.reason}", err=True)
    if report.written and not dry_run and settings.redis_url:
        from pydotorg.core.tasks import announce_changes

        _run(announce_changes(settings))
    if report.failures:
        raise Failure(f"{len(report.failures)} row(s) failed; see above")


# --- blogs ---------------------------------------------------------------------------------


@main.group()
def blogs() -> None:
    """Blog feeds: import their entries (the worker does it every 30 minutes)."""


@blogs.command("import")
@click.option("--force", is_flag=True, help="Download every feed in full (ignore ETag/Last-Modified).")
@friendly
def blogs_import(force: bool) -> None:
    """Import every blog feed and refresh the related blogs; a feed that fails is reported and
    skipped (exit status 1 after the others are stored)."""
    from pydotorg.core.observability import configure_logging

    settings = _with_dev_services(_settings(), need_redis=False)
    configure_logging(settings)

    async def run() -> Any:
        from pydotorg.core.db import command_sessionmaker
        from pydotorg.core.tasks import announce_changes
        from pydotorg.domains.blogs.feeds import import_feeds

        async with command_sessionmaker(settings) as sessionmaker:
            report = await import_feeds(sessionmaker, settings, force=force)
        if report.written and settings.redis_url:
            await announce_changes(settings)
        return report

    report = _run(run())
    click.echo(f"{'feed':<40} {'status':<14} {'new':>5} {'changed':>8}")
    for o in (*report.feeds, *report.related):
        click.echo(f"{o.name[:40]:<40} {o.status:<14} {o.created:>5} {o.updated:>8}")
    for o in report.failures:
        click.echo(f"FAILED {o.name} (id {o.id}): {o.error}", err=True)
    if report.failures:
        raise Failure(f"{len(report.failures)} feed(s) failed; see above")


# --- search --------------------------------------------------------------------------------


@main.group()
def search() -> None:
    """The search index (the worker keeps it in step with every change)."""


@search.command("reindex")
@friendly
def search_reindex() -> None:
    """Rebuild the search index from the database, from nothing, with a progress bar."""
    from pydotorg.core.observability import configure_logging

    settings = _with_dev_services(_settings(), need_redis=False)
    configure_logging(settings)

    async def run() -> int:
        from pydotorg.core.db import command_sessionmaker
        from pydotorg.core.search import SearchUnavailable, create_engine
        from pydotorg.core.search.indexing import reindex
        from pydotorg.indexes import SEARCH_SOURCES

        engine = create_engine(settings)
        bar: Any = None

        def start(total: int) -> Callable[[int], None]:
            nonlocal bar
            bar = click.progressbar(length=total, label=f"Indexing {total} documents ({engine.name})")
            bar.__enter__()
            return bar.update

        try:
            async with command_sessionmaker(settings) as sessionmaker:
                return await reindex(sessionmaker, engine, SEARCH_SOURCES, progress=start)
        except SearchUnavailable as exc:
            raise Failure(f"the search engine is unavailable: {exc}") from None
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
            await engine.aclose()

    count = _run(run())
    click.echo(f"Indexed {count} documents.")


# --- events --------------------------------------------------------------------------------


@main.group()
def events() -> None:
    """Events: import the calendars' iCal feeds (the worker does it every hour)."""


@events.command("import-ics")
@click.option("--calendar", "calendar_slug", default=None, help="Only this calendar (its slug).")
@click.option("--force", is_flag=True, help="Download and import in full (ignore ETag/Last-Modified).")
@friendly
def events_import_ics(calendar_slug: str | None, force: bool) -> None:
    """Fetch every calendar's iCal feed and import its events; a calendar that fails is reported
    and skipped (exit status 1 after the others are stored)."""
    settings = _with_dev_services(_settings(), need_redis=False)

    async def run() -> Any:
        from pydotorg.core.db import command_sessionmaker
        from pydotorg.core.tasks import announce_changes
        from pydotorg.domains.events.ical import import_calendars

        async with command_sessionmaker(settings) as sessionmaker:
            results = await import_calendars(sessionmaker, calendar_slug=calendar_slug, force=force)
        if any(r.created or r.updated for r in results) and settings.redis_url:
            await announce_changes(settings)
        return results

    try:
        results = _run(run())
    except LookupError as exc:
        raise Failure(str(exc.args[0])) from None
    click.echo(f"{'calendar':<30} {'status':<14} {'events':>7} {'new':>5} {'changed':>8} {'skipped':>8}")
    for r in results:
        counts = f"{r.events:>7} {r.created:>5} {r.updated:>8} {len(r.skipped):>8}"
        click.echo(f"{r.calendar[:30]:<30} {r.status:<14} {counts}")
        for reason in r.skipped[:20]:
            click.echo(f"  skipped {reason}", err=True)
    failed = [r for r in results if r.status == "failed"]
    for r in failed:
        click.echo(f"FAILED {r.calendar}: {r.error}", err=True)
    if failed:
        raise Failure(f"{len(failed)} calendar(s) failed; see above")


# --- sponsors ------------------------------------------------------------------------------


@main.group()
def sponsors() -> None:
    """Sponsorships: the required-asset deadline reminder (the worker sends it daily), drafting
    missing contracts, resetting sponsorships' benefits."""


@sponsors.command("check-assets-due")
@click.option(
    "--days",
    default=7,
    show_default=True,
    type=click.IntRange(0, 365),
    help="Remind sponsorships whose required assets are due this many days from today.",
)
@friendly
def sponsors_check_assets_due(days: int) -> None:
    """Queue the "[Action Required] PSF Sponsor deadline approaching" mail for every sponsorship
    with a required asset due in exactly --days days and still empty."""
    from pydotorg.core.observability import configure_logging

    settings = _with_dev_services(_settings())
    configure_logging(settings)

    async def run() -> list[int]:
        from pydotorg.core.db import command_sessionmaker, utcnow
        from pydotorg.core.mail import create_mailer
        from pydotorg.core.tasks import create_queue
        from pydotorg.domains.mailing.services import MailContext
        from pydotorg.domains.sponsors.tasks import run_assets_due_check

        queue = create_queue(settings)
        mail = MailContext(settings=settings, mailer=create_mailer(settings), queue=queue)
        try:
            async with command_sessionmaker(settings) as sessionmaker:
                return await run_assets_due_check(sessionmaker, mail, days=days, today=utcnow().date())
        finally:
            with contextlib.suppress(Exception):
                await queue.disconnect()

    notified = _run(run())
    click.echo(f"{len(notified)} sponsorship(s) reminded" + (f": {notified}" if notified else ""))


@sponsors.command("pycon-vouchers")
@click.argument("year", type=int)
@friendly
def sponsors_pycon_vouchers(year: int) -> None:
    """Ask PyCon's API for the voucher codes of YEAR's finalized sponsorships and store them in
    their empty voucher assets (docs/sponsors-vouchers.md). Exit status 1 if one failed or PyCon
    was unreachable; the codes stored stay stored, and a second run asks only for the rest."""
    from pydotorg.core.observability import configure_logging
    from pydotorg.domains.sponsors.services import vouchers

    settings = _with_dev_services(_settings(), need_redis=False)
    configure_logging(settings)
    try:
        vouchers.check_settings(settings, year)
    except vouchers.VoucherSettingsError as exc:
        raise Failure(str(exc)) from None

    async def run() -> vouchers.VoucherReport:
        from pydotorg.core.db import command_sessionmaker

        async with command_sessionmaker(settings) as sessionmaker:
            return await vouchers.create_vouchers(sessionmaker, settings, year=year)

    report = _run(run())
    for o in report.outcomes:
        where = f"sponsorship {o.sponsorship_id} ({o.sponsor_name}) {o.internal_name}"
        click.echo(f"{o.status:<8} {where}: {o.detail}", err=o.status == "failed")
    click.echo(
        f"{report.count('created')} code(s) stored, {report.count('skipped')} skipped, "
        f"{report.count('failed')} failed"
    )
    if report.outage:
        raise Failure(f"PyCon's API is unavailable ({report.outage}); run again later")
    if not report.ok:
        raise Failure(f"{report.count('failed')} voucher(s) failed; see above")


@sponsors.command("create-contracts")
@friendly
def sponsors_create_contracts() -> None:
    """Draft the missing contract of every approved sponsorship (python.org's create_contracts),
    as approval drafts it; each gets the audit entry "Created After Sponsorship Approval"."""
    settings = _with_dev_services(_settings(), need_redis=False)

    async def run() -> list[int]:
        from pydotorg.core.db import command_sessionmaker, transaction
        from pydotorg.domains.sponsors.services.assets import create_missing_contracts

        async with command_sessionmaker(settings) as sessionmaker, transaction(sessionmaker) as tx:
            return await create_missing_contracts(tx)

    created = _run(run())
    if not created:
        click.echo("There's no approved Sponsorship without associated Contract. Terminating.")
        return
    click.echo(f"Created contracts for {len(created)} approved sponsorship(s): {created}")


@sponsors.command("reset-benefits")
@click.argument("sponsorship_ids", nargs=-1, required=True, type=click.IntRange(1, 2**31 - 1))
@click.option("--dry-run", is_flag=True, help="Show what would be reset without doing it.")
@click.option("--update-year", is_flag=True, help="Move the sponsorship to its package's year.")
@friendly
def sponsors_reset_benefits(sponsorship_ids: tuple[int, ...], dry_run: bool, update_year: bool) -> None:
    """Delete the sponsorships' own assets and benefits and copy again the benefits of their
    package (python.org's reset_sponsorship_benefits); each sponsorship in its own transaction."""
    settings = _with_dev_services(_settings(), need_redis=False)
    if dry_run:
        click.echo("DRY RUN MODE - No changes will be made")

    async def reset_one(tx: Any, sid: int) -> bool:
        from pydotorg.core.errors import ValidationFailed
        from pydotorg.domains.sponsors.models import Sponsor, Sponsorship, SponsorshipPackage
        from pydotorg.domains.sponsors.services.assets import reset_benefits

        sponsorship = await tx.get(Sponsorship, sid, with_for_update=True)
        if sponsorship is None:
            click.echo(f"Sponsorship {sid} does not exist - skipping", err=True)
            return False
        sponsor = await tx.get(Sponsor, sponsorship.sponsor_id) if sponsorship.sponsor_id else None
        package = await tx.get(SponsorshipPackage, sponsorship.package_id) if sponsorship.package_id else None
        click.echo("\n" + "=" * 60)
        click.echo(f"Sponsorship ID: {sid}")
        click.echo(f"Sponsor: {sponsor.name if sponsor else 'None'}")
        click.echo(f"Package: {package.name if package else 'None'}")
        click.echo(f"Sponsorship Year: {sponsorship.year}")
        if package is not None:
            click.echo(f"Package Year: {package.year}")
        click.echo(f"Status: {sponsorship.status}")
        click.echo("=" * 60)
        if package is not None and package.year != sponsorship.year:
            click.echo(
                f"Year mismatch: Sponsorship year ({sponsorship.year}) != Package year ({package.year})"
            )
            if not update_year:
                click.echo(f"  Use --update-year to update sponsorship year to {package.year}")
        try:
            result = await reset_benefits(tx, sponsorship, update_year=update_year)
        except ValidationFailed as exc:
            reasons = " ".join(m for messages in exc.errors.values() for m in messages)
            click.echo(f"  ERROR: {reasons} - skipping", err=True)
            return False
        would = "Would " if dry_run else ""
        click.echo(
            f"Summary for Sponsorship {sid} (year {result.year}): "
            f"{would}{'remove' if dry_run else 'Removed'} {result.removed}, "
            f"{would}{'add' if dry_run else 'Added'} {result.added}"
        )
        return True

    class Undo(Exception):
        """Rolls one sponsorship's transaction back (a dry run, or a sponsorship skipped)."""

    async def run() -> int:
        from pydotorg.core.db import command_sessionmaker, transaction
        from pydotorg.core.tasks import announce_changes

        failed = committed = 0
        async with command_sessionmaker(settings) as sessionmaker:
            for sid in sponsorship_ids:
                try:
                    async with transaction(sessionmaker) as tx:
                        done = await reset_one(tx, sid)
                        failed += not done
                        if dry_run or not done:
                            raise Undo
                    committed += 1
                except Undo:
                    pass
        if committed and settings.redis_url:  # logo placements changed: caches and the site
            await announce_changes(settings)
        return failed

    failed = _run(run())
    if dry_run:
        click.echo("\nDRY RUN COMPLETE - No changes were made")
    elif not failed:
        click.echo("\nAll sponsorship benefits have been reset!")
    if failed:
        raise Failure(f"{failed} sponsorship(s) skipped; see above")


# --- site ----------------------------------------------------------------------------------


@main.command("build-site")
@click.option("--api", "api_url", default=None, help="API base URL (default: PYDOTORG_SITE_API_URL).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Origin directory (default: <state>/site).",
)
@click.option("--full", is_flag=True, help="Fetch and render everything.")
@click.option("--api-key", default=None, help="Key with site.read_changes (default: PYDOTORG_SITE_API_KEY).")
@friendly
def build_site(api_url: str | None, out: Path | None, full: bool, api_key: str | None) -> None:
    """Build the static site from the API and publish it (incremental unless --full)."""
    import subprocess

    from pydotorg.dev.seed import stored_site_key

    settings = _settings()
    key = api_key or settings.site_api_key or stored_site_key(settings)
    if not key:
        raise Failure("an API key with site.read_changes is needed: --api-key or PYDOTORG_SITE_API_KEY")
    target = out or settings.site_dir
    args = [
        sys.executable,
        "-m",
        "sitebuilder.build",
        "--api",
        api_url or settings.site_api_url,
        "--out",
        str(target),
        "--site-url",
        settings.site_url,
        "--progress",
    ]
    if full:
        args.append("--full")
    env = {**os.environ, "PYDOTORG_SITE_API_KEY": key}
    result = subprocess.run(args, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise Failure(f"the build failed (exit status {result.returncode})")


# --- OpenAPI -------------------------------------------------------------------------------


@main.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("openapi/openapi.json"),
    show_default=True,
)
@click.option("--check", is_flag=True, help="Fail if the file differs from the app's schema.")
@friendly
def openapi(out: Path, check: bool) -> None:
    """Write (or check) the OpenAPI document generated from the app."""
    from pydotorg.openapi import render_openapi

    text = render_openapi()
    if check:
        current = out.read_text() if out.exists() else ""
        if current != text:
            raise Failure(f"{out} is out of date; run `make openapi`")
        click.echo(f"{out} is current")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    click.echo(f"wrote {out}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
