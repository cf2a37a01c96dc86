"""When cached credential answers go stale: the rows ``credentials`` reads to resolve a credential.

A transaction that changes any of them makes every process's cached answers stale once it
commits (``core.authcache``): this process at the commit, the others through Redis right after
it (when the session carries ``info["redis"]``, as requests and jobs do; otherwise they see it
within the cache's few seconds). The rows:

* ``users``: username, password, the active/staff/superuser flags, group membership, deletion;
* ``api_keys``: anything but ``last_used`` (revoking, creating, deleting a key);
* ``auth_sessions``: revoking or deleting a log-in (a new one names a new secret: nothing to undo);
* ``user_permissions``, ``group_permissions``, ``user_groups``, and deleting a group.

Both ORM flushes and Core ``update()``/``delete()``/``insert()`` statements run through the
session (``do_orm_execute``) are watched. A statement that only records bookkeeping opts out with
the ``NOT_AUTH_STATE`` execution option. Changes made outside a SQLAlchemy session (raw SQL)
reach the caches only when their entries expire.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session

from pydotorg.core.authcache import invalidate_local, publish_invalidation
from pydotorg.core.db import add_after_commit
from pydotorg.domains.users.models import (
    ApiKey,
    AuthSession,
    Group,
    GroupPermission,
    User,
    UserPermission,
    user_groups,
)

# Execution option of a statement that changes no credential's answer (``last_used``).
NOT_AUTH_STATE = "pydotorg_not_auth_state"

USER_ATTRIBUTES = ("username", "password", "is_active", "is_staff", "is_superuser", "groups")
API_KEY_BOOKKEEPING = frozenset({"last_used"})
TABLES = frozenset(
    {
        User.__tablename__,
        ApiKey.__tablename__,
        AuthSession.__tablename__,
        UserPermission.__tablename__,
        GroupPermission.__tablename__,
        Group.__tablename__,
        user_groups.name,
    }
)
_PENDING = "auth_state_changed"


def _changed(
    obj: Any, attributes: tuple[str, ...] | None = None, ignore: frozenset[str] = frozenset()
) -> bool:
    state = inspect(obj)
    names = attributes if attributes is not None else [a.key for a in state.mapper.column_attrs]
    return any(state.attrs[name].history.has_changes() for name in names if name not in ignore)


def _flush_changes_auth_state(session: Session) -> bool:
    for obj in session.new:
        # A new user, log-in or group names nothing a cache could hold; a new key could have
        # been tried (and refused) before it was stored with a chosen value (imported keys).
        if isinstance(obj, ApiKey | UserPermission | GroupPermission):
            return True
    for obj in session.deleted:
        if isinstance(obj, User | ApiKey | AuthSession | UserPermission | GroupPermission | Group):
            return True
    for obj in session.dirty:
        if isinstance(obj, User) and _changed(obj, USER_ATTRIBUTES):
            return True
        if isinstance(obj, ApiKey) and _changed(obj, ignore=API_KEY_BOOKKEEPING):
            return True
        if isinstance(obj, AuthSession | UserPermission | GroupPermission) and _changed(obj):
            return True
    return False


def _mark(session: Session) -> None:
    if session.info.get(_PENDING):
        return
    session.info[_PENDING] = True
    redis = session.info.get("redis")
    if redis is not None:
        add_after_commit(session, lambda: publish_invalidation(redis))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _ctx: Any) -> None:
    if not session.info.get(_PENDING) and _flush_changes_auth_state(session):
        _mark(session)


@event.listens_for(Session, "do_orm_execute")
def _on_statement(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    if state.execution_options.get(NOT_AUTH_STATE):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in TABLES:
        _mark(state.session)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_PENDING, False):
        invalidate_local()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
