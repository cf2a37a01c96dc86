"""The Litestar application: ``create_app(settings)``; nothing happens at import time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import structlog
from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from litestar import Litestar, Request, Response, get
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.types import ControllerRouterHandler, Scope
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Gauge, generate_latest
from redis.asyncio import Redis
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pydotorg.core import db
from pydotorg.core.apidocs import ApiIndexController, render_plugins, swagger_asset
from pydotorg.core.auth import AuthMiddleware
from pydotorg.core.authcache import AuthCache
from pydotorg.core.availability import is_unavailable
from pydotorg.core.controllers import ChangesController, HealthController, SiteStatusController
from pydotorg.core.errors import EXCEPTION_HANDLERS, ValidationFailed, is_data_error, is_undecodable_body
from pydotorg.core.httpcache import HttpCacheMiddleware, install_head_middleware
from pydotorg.core.mail import Mailer, create_mailer
from pydotorg.core.markup_controller import MarkupController
from pydotorg.core.observability import RequestContextMiddleware, configure_logging
from pydotorg.core.permissions import principal_of
from pydotorg.core.preconditions import IfMatchMiddleware, declare_preconditions
from pydotorg.core.ratelimit import RateLimiter
from pydotorg.core.reads import ReadPool
from pydotorg.core.revalidate import RevalidateMiddleware
from pydotorg.core.schemas import close_input_schemas
from pydotorg.core.search import create_engine as create_search_engine
from pydotorg.core.search.cache import AnswerCache, Generation
from pydotorg.core.search.controller import SearchController
from pydotorg.core.storage import Storage, create_storage
from pydotorg.core.tasks import create_queue
from pydotorg.domains.banners.controllers import BannersController
from pydotorg.domains.blogs.controllers import BlogsController
from pydotorg.domains.boxes.controllers import BoxesController
from pydotorg.domains.codesamples.controllers import CodeSamplesController
from pydotorg.domains.community.controllers import CommunityController
from pydotorg.domains.companies.controllers import CompaniesController
from pydotorg.domains.downloads.controllers import PREVIEWS as DOWNLOADS_PREVIEWS
from pydotorg.domains.downloads.controllers import (
    DownloadsViewsController,
    OSController,
    ReleaseController,
    ReleaseFileController,
)
from pydotorg.domains.events.controllers import PREVIEWS as EVENTS_PREVIEWS
from pydotorg.domains.events.controllers import ROUTE_HANDLERS as EVENTS_ROUTE_HANDLERS
from pydotorg.domains.flags.controllers import FlagsController
from pydotorg.domains.jobs.controllers import PREVIEWS as JOBS_PREVIEWS
from pydotorg.domains.jobs.controllers import JobsController
from pydotorg.domains.minutes.controllers import MinutesController
from pydotorg.domains.navigation.controllers import NavigationController
from pydotorg.domains.nominations.controllers import ROUTE_HANDLERS as NOMINATIONS_ROUTE_HANDLERS
from pydotorg.domains.pages.controllers import PREVIEWS as PAGES_PREVIEWS
from pydotorg.domains.pages.controllers import PagesController
from pydotorg.domains.previews.controllers import ROUTE_HANDLERS as PREVIEWS_ROUTE_HANDLERS
from pydotorg.domains.redirects.controllers import RedirectsController
from pydotorg.domains.sponsors.controllers import ROUTE_HANDLERS as SPONSORS_ROUTE_HANDLERS
from pydotorg.domains.successstories.controllers import PREVIEWS as STORIES_PREVIEWS
from pydotorg.domains.successstories.controllers import ROUTE_HANDLERS as STORIES_ROUTE_HANDLERS
from pydotorg.domains.users import credentials
from pydotorg.domains.users.controllers import DEPENDENCIES as USER_DEPENDENCIES
from pydotorg.domains.users.controllers import (
    AuthController,
    GroupsController,
    MeController,
    UsersController,
)
from pydotorg.domains.users.oauth_controllers import ROUTE_HANDLERS as OAUTH_ROUTE_HANDLERS
from pydotorg.domains.workgroups.controllers import WorkGroupsController
from pydotorg.indexes import SEARCH_SOURCES
from pydotorg.legacy import credentials as legacy_credentials
from pydotorg.legacy import v1, v2
from pydotorg.legacy.middleware import LegacyReadMiddleware, SharedCounters
from pydotorg.settings import Settings

API_VERSION = "3.0.0"
SHUTDOWN_STEP_SECONDS = 5
log = structlog.get_logger(__name__)


async def provide_tx(
    db_session: NamedDependency[AsyncSession], request: Request[Any, Any, Any]
) -> AsyncIterator[AsyncSession]:
    """The request's transaction: tagged with the actor and the queue, committed on success."""
    principal = principal_of(request)
    db_session.info["actor_id"] = principal.user_id if principal else None
    db_session.info["queue"] = request.app.state.queue
    db_session.info["redis"] = request.app.state.redis
    async with db.provide_transaction(db_session) as session:
        yield session


# What each domain lets editors preview (core/previews.py), by the preview API's type name.
PREVIEW_KINDS = {
    kind.type: kind
    for kind in (*PAGES_PREVIEWS, *DOWNLOADS_PREVIEWS, *EVENTS_PREVIEWS, *STORIES_PREVIEWS, *JOBS_PREVIEWS)
}
QUEUE_JOBS = Gauge("pydotorg_queue_jobs", "SAQ jobs by state", ["state"])
WORKER_JOBS = Gauge("pydotorg_worker_jobs", "Jobs processed by live workers", ["outcome"])
WORKERS = Gauge("pydotorg_workers", "Live SAQ workers")


class Metrics(PrometheusController):
    """Request metrics from the middleware, plus the queue's job counts read at scrape time."""

    path = "/metrics"
    include_in_schema = False

    @get(include_in_schema=False)
    async def get(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        try:
            info = await request.app.state.queue.info()
        except Exception as exc:  # Redis down: report what the process knows
            log.warning("queue_info_failed", error=str(exc))
        else:
            for state in ("queued", "active", "scheduled"):
                QUEUE_JOBS.labels(state).set(info.get(state, 0) or 0)
            totals: dict[str, int] = {}
            for worker in (info.get("workers") or {}).values():
                for outcome, count in ((worker or {}).get("stats") or {}).items():
                    totals[outcome] = totals.get(outcome, 0) + int(count or 0)
            for outcome, count in totals.items():
                WORKER_JOBS.labels(outcome).set(count)
            WORKERS.set(len(info.get("workers") or {}))
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def provide_storage(state: State) -> Storage:
    """The app's media storage, as the ``storage`` dependency of route handlers."""
    storage: Storage = state.storage
    return storage


def create_app(
    settings: Settings | None = None,
    *,
    mailer: Mailer | None = None,
    configure_logs: bool = True,
    extra_route_handlers: Sequence[ControllerRouterHandler] = (),
) -> Litestar:
    """Build the app. ``extra_route_handlers`` lets tests mount probe routes."""
    settings = settings or Settings.from_env()
    if configure_logs:
        configure_logging(settings)
    engine = db.create_engine(settings)
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    redis = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=5)
    auth_cache = AuthCache.from_settings(settings, redis)
    queue = create_queue(settings)
    mailer = mailer or create_mailer(settings)

    counters = SharedCounters()
    storage = create_storage(settings)
    search_engine = create_search_engine(settings)
    reads = ReadPool(settings)
    search_cache = AnswerCache(settings.search_cache_bytes) if settings.search_cache_bytes > 0 else None

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            # Each step is bounded: a peer that no longer answers must not hang the shutdown.
            steps: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
                ("legacy counters", counters.stop),
                ("redis", redis.aclose),
                ("queue", queue.disconnect),
                ("database", engine.dispose),
                ("database reads", reads.aclose),
                ("search", search_engine.aclose),
            ]
            close_storage = getattr(storage, "aclose", None)
            if close_storage is not None:
                steps.insert(1, ("storage", close_storage))
            for name, close in steps:
                try:
                    await asyncio.wait_for(close(), timeout=SHUTDOWN_STEP_SECONDS)
                except Exception as exc:  # e.g. Redis gone: shutting down must still finish
                    log.warning("shutdown_step_failed", step=name, error=repr(exc))

    prometheus = PrometheusConfig(
        app_name="pydotorg",
        prefix="pydotorg",
        group_path=True,
        exclude=["^/metrics", "^/healthz"],
    )
    app = Litestar(
        route_handlers=[
            HealthController,
            Metrics,
            ApiIndexController,
            swagger_asset,
            ChangesController,
            SiteStatusController,
            AuthController,
            MeController,
            *OAUTH_ROUTE_HANDLERS,
            UsersController,
            GroupsController,
            OSController,
            ReleaseController,
            ReleaseFileController,
            DownloadsViewsController,
            PagesController,
            *PREVIEWS_ROUTE_HANDLERS,
            BoxesController,
            BannersController,
            CodeSamplesController,
            NavigationController,
            MinutesController,
            *NOMINATIONS_ROUTE_HANDLERS,
            WorkGroupsController,
            CommunityController,
            BlogsController,
            JobsController,
            *EVENTS_ROUTE_HANDLERS,
            CompaniesController,
            *STORIES_ROUTE_HANDLERS,
            *SPONSORS_ROUTE_HANDLERS,
            RedirectsController,
            FlagsController,
            SearchController,
            MarkupController,
            v1.router(
                [DefineMiddleware(LegacyReadMiddleware, settings=settings, version="v1", counters=counters)]
            ),
            v2.router(
                [DefineMiddleware(LegacyReadMiddleware, settings=settings, version="v2", counters=counters)]
            ),
            *extra_route_handlers,
        ],
        plugins=[SQLAlchemyPlugin(config=db.create_sqlalchemy_config(engine))],
        dependencies={
            "tx": Provide(provide_tx),
            "storage": Provide(provide_storage, sync_to_thread=False),
            **USER_DEPENDENCIES,
        },
        middleware=[
            DefineMiddleware(RequestContextMiddleware, settings=settings),
            prometheus.middleware,
            DefineMiddleware(HttpCacheMiddleware, settings=settings),
            DefineMiddleware(
                AuthMiddleware,
                settings=settings,
                sessionmaker=sessionmaker,
                schemes={"bearer": credentials.bearer, **legacy_credentials.SCHEMES},
                cookie=credentials.cookie,
                prefixes=legacy_credentials.PREFIXES,
                cache=auth_cache,
            ),
            IfMatchMiddleware,  # If-Match on /api/v3/ writes, after auth (core/preconditions.py)
            # 304 from a remembered tag on the reads that opt in, after auth (core/revalidate.py)
            DefineMiddleware(RevalidateMiddleware, counters=counters),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        cors_config=CORSConfig(
            allow_origins=list(settings.allowed_origins),
            allow_credentials=True,
            allow_headers=["Authorization", "Content-Type", "X-CSRF-Token", "X-Request-ID"],
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        )
        if settings.allowed_origins
        else None,
        openapi_config=OpenAPIConfig(
            title="python.org API",
            version=API_VERSION,
            description=(
                "The JSON API behind www.python.org. /api/v3/ is the modern API; /api/v1/ "
                "(Tastypie) and /api/v2/ (DRF) reproduce python.org's legacy contracts."
            ),
            path="/api/schema",
            render_plugins=render_plugins(),  # Swagger UI from the API itself (core/apidocs.py)
        ),
        lifespan=[lifespan],
        state=State(
            {
                "settings": settings,
                "engine": engine,
                "reads": reads,
                "sessionmaker": sessionmaker,
                "redis": redis,
                "auth_cache": auth_cache,
                "queue": queue,
                "mailer": mailer,
                "rate_limiter": RateLimiter(redis),
                "storage": storage,
                "search_engine": search_engine,
                "search_sources": SEARCH_SOURCES,
                "preview_kinds": PREVIEW_KINDS,
                "search_cache": search_cache,
                "search_generation": Generation(search_engine.name, settings.search_generation_seconds),
            }
        ),
        debug=settings.debug,
        logging_config=None,
        after_exception=[_log_exception],
    )
    close_input_schemas(app.openapi_schema)
    declare_preconditions(app.openapi_schema)  # If-Match and 412 on /api/v3/ writes
    install_head_middleware(app)  # HEAD as its GET before routing; Vary back after CORS
    return app


async def _log_exception(exc: Exception, scope: Scope) -> None:
    """Log errors that become 500s; input errors turned into 4xx by a handler are not crashes."""
    handled = isinstance(exc, HTTPException | ValidationFailed | IntegrityError | DataError)
    if handled and getattr(exc, "status_code", 400) < 500:
        return
    if isinstance(exc, DBAPIError) and is_data_error(exc):
        return
    if isinstance(exc, asyncpg.exceptions.DataError):  # the ORM-free reads' 400 (core/reads.py)
        return
    if is_undecodable_body(exc):  # a client error (400), not a crash: no traceback
        log.warning("undecodable_body", path=scope.get("path"), error=str(exc)[:200])
        return
    if is_unavailable(exc):  # answered 503; one line per request, no traceback
        log.warning("service_unavailable", path=scope.get("path"), error=repr(exc)[:300])
        return
    log.error("unhandled_exception", path=scope.get("path"), exc_info=exc)
