"""ASGI entry point for servers: ``uvicorn pydotorg.asgi:app``. Builds the app from the
environment when the server imports it (this module is never imported by the app itself).

Everything loaded by then (modules, the app, its OpenAPI schema) lives as long as the process:
``gc.freeze()`` moves it out of the collector's reach, so a full collection under load walks
only what requests allocate, not the whole app (such collections showed as p99 spikes)."""

import gc

from pydotorg.app import create_app

app = create_app()
gc.collect()
gc.freeze()
