"""A typed client of python.org's /api/v3/ (see docs/client.md).

from pydotorg_client import Client
from pydotorg_client.models import PageUpdate

with Client("https://www.python.org", api_key="...") as client:
    for page in client.pages.list(path_prefix="/about/"):
        print(page.path, page.title)
"""

from pydotorg_client import models
from pydotorg_client._api import AsyncClient, Client
from pydotorg_client._transport import AsyncPaginator, Paginator, __version__, retry_after_seconds
from pydotorg_client.errors import (
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ServerError,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
)

__all__ = [
    "ApiError",
    "AsyncClient",
    "AsyncPaginator",
    "BadRequest",
    "Client",
    "Conflict",
    "Forbidden",
    "NotFound",
    "Paginator",
    "PreconditionFailed",
    "ServerError",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "__version__",
    "models",
    "retry_after_seconds",
]
