"""The audit trail: every staff write in the sponsors domain leaves one entry (who, what, when),
in the same transaction as the write (python.org wrote Django admin ``LogEntry`` rows for
approvals, contracts, notifications and year cloning)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.permissions import Principal
from pydotorg.domains.sponsors.models import SponsorAuditEntry


async def record(
    tx: AsyncSession,
    principal: Principal | None,
    action: str,
    *,
    object_kind: str,
    object_id: int | None,
    sponsorship_id: int | None = None,
    message: str = "",
) -> SponsorAuditEntry:
    """Add an entry for ``action`` (e.g. ``"sponsorship.approve"``) on one object."""
    entry = SponsorAuditEntry(
        actor_id=principal.user_id if principal is not None else None,
        action=action,
        object_kind=object_kind,
        object_id=object_id,
        sponsorship_id=sponsorship_id,
        message=message,
    )
    tx.add(entry)
    await tx.flush()
    return entry
