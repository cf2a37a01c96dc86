"""ASGI entry point for servers: ``uvicorn pydotorg.asgi:app``. Builds the app from the
environment when the server imports it (this module is never imported by the app itself)."""

from pydotorg.app import create_app

app = create_app()
