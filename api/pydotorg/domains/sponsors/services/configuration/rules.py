"""Who sees and changes the configuration, the audit entry every write leaves, the link
tables of a benefit (packages, legal clauses, mutual conflicts) and the audit trail's list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from sqlalchemy import Table, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.pagination import ListMeta, paginate
from pydotorg.core.permissions import Principal
from pydotorg.domains.sponsors.models import (
    APPLIED,
    APPROVED,
    CHANGE_CONFIGURATION,
    FINALIZED,
    SponsorAuditEntry,
    benefit_conflicts,
    benefit_legal_clauses,
    benefit_packages,
)
from pydotorg.domains.sponsors.services import audit

# Sponsorships in these statuses hold their benefits' capacity.
HOLDING_STATUSES = (APPLIED, APPROVED, FINALIZED)
DEFAULT_LOGO_DIMENSION = 175
PACKAGE_ONLY_MESSAGE = "Benefit only available as part of a sponsor package"
NO_CAPACITY_MESSAGE = "This benefit is currently at capacity"
STANDALONE_PACKAGES = "Standalone benefits must not belong to any package."


# --- who may see and change it ---------------------------------------------------------------


def manages_configuration(principal: Principal | None) -> bool:
    return principal is not None and principal.has_perm(CHANGE_CONFIGURATION)


def require_configuration(principal: Principal | None) -> Principal:
    """The caller, if they hold ``CHANGE_CONFIGURATION``: 401 for anonymous, else 403."""
    if principal is None:
        raise NotAuthorizedException("Authentication credentials were not provided.")
    if not principal.has_perm(CHANGE_CONFIGURATION):
        raise PermissionDeniedException(f"The {CHANGE_CONFIGURATION} permission is required.")
    return principal


async def audit_write(
    session: AsyncSession,
    principal: Principal | None,
    action: str,
    kind: str,
    object_id: int | None,
    message: str = "",
) -> None:
    entry = await audit.record(
        session, principal, action, object_kind=kind, object_id=object_id, message=message
    )
    if principal is None:  # the content-controller routes pass no caller: the request's actor
        entry.actor_id = session.info.get("actor_id")


def changed_message(values: Mapping[str, Any]) -> str:
    return f"changed: {', '.join(sorted(values))}" if values else "no change"


async def linked_ids(
    session: AsyncSession, table: Table, left: str, right: str, ids: Sequence[int]
) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        rows = await session.execute(
            select(table.c[left], table.c[right]).where(table.c[left].in_(ids)).order_by(table.c[right])
        )
        for owner, other in rows:
            out[owner].append(other)
    return out


async def replace_links(session: AsyncSession, benefit_id: int, name: str, ids: set[int]) -> None:
    if name == "conflicts":  # symmetrical: both directions are stored
        table = benefit_conflicts
        await session.execute(
            delete(table).where(or_(table.c.benefit_id == benefit_id, table.c.conflicting_id == benefit_id))
        )
        rows = [{"benefit_id": benefit_id, "conflicting_id": i} for i in sorted(ids)]
        rows += [{"benefit_id": i, "conflicting_id": benefit_id} for i in sorted(ids)]
    else:
        table, right = (
            (benefit_packages, "package_id")
            if name == "packages"
            else (benefit_legal_clauses, "legal_clause_id")
        )
        await session.execute(delete(table).where(table.c.benefit_id == benefit_id))
        rows = [{"benefit_id": benefit_id, right: i} for i in sorted(ids)]
    if rows:
        await session.execute(insert(table), rows)


# --- the audit trail -------------------------------------------------------------------------


async def list_audit(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    sponsorship_id: int | None = None,
    action: str | None = None,
) -> tuple[list[SponsorAuditEntry], ListMeta]:
    """Newest first."""
    stmt = select(SponsorAuditEntry).order_by(SponsorAuditEntry.at.desc(), SponsorAuditEntry.id.desc())
    if sponsorship_id is not None:
        stmt = stmt.where(SponsorAuditEntry.sponsorship_id == sponsorship_id)
    if action is not None:
        stmt = stmt.where(SponsorAuditEntry.action == action)
    return await paginate(session, stmt, limit, offset)
