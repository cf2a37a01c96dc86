"""Passwords: changing one, resetting a forgotten one by mail, and revoking every credential
the old password could have made."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core import passwords, tokens
from pydotorg.core.db import utcnow
from pydotorg.core.errors import BadRequest
from pydotorg.core.permissions import Principal
from pydotorg.domains.users import schemas
from pydotorg.domains.users.models import ApiKey, AuthSession, User
from pydotorg.domains.users.services._common import Context, _queue_mail
from pydotorg.domains.users.services.lookups import account_for_email, get_user


async def change_password(
    session: AsyncSession, principal: Principal, data: schemas.PasswordChangeRequest
) -> None:
    user = await get_user(session, principal.user_id)
    if not passwords.verify_password(user.password, data.old_password):
        raise BadRequest("The old password is not correct.", extra={"field": "old_password"})
    user.password = passwords.hash_password(data.new_password)
    await _revoke_credentials(session, user.id, keep=principal.session_id)


def _reset_fingerprint(user: User) -> str:
    # Bound to the current hash and last log-in: a used or outdated link stops working.
    last = user.last_login.isoformat() if user.last_login else ""
    return tokens.digest(f"{user.password}|{last}")[:16]


async def request_password_reset(session: AsyncSession, ctx: Context, email: str) -> None:
    """Always succeeds from the caller's point of view (no account enumeration). The link
    goes to the address asked for, and only if it is an account's verified address or its own
    address (``account_for_email``), never to an account that merely asked for it."""
    found = await account_for_email(session, email)
    if found is None or not found[0].is_active:
        return
    user, address = found
    token = tokens.sign(
        ctx.settings.secret_key, "password-reset", {"u": user.id, "f": _reset_fingerprint(user)}
    )
    hours = ctx.settings.password_reset_max_age_seconds // 3600
    _queue_mail(
        session,
        ctx,
        to=address,
        subject="[Python.org] Password reset",
        body=(
            f"Hello {user.username},\n\nA password reset was requested for your python.org "
            f"account. Open this link within {hours} hours to choose a new password:\n\n"
            f"{ctx.settings.site_url}/accounts/password/reset/key/?token={token}\n\n"
            "If you did not ask for this, ignore this message.\n"
        ),
    )


async def confirm_password_reset(
    session: AsyncSession, ctx: Context, data: schemas.PasswordResetConfirm
) -> None:
    try:
        payload = tokens.unsign(
            ctx.settings.secret_key,
            "password-reset",
            data.token,
            max_age=ctx.settings.password_reset_max_age_seconds,
        )
    except tokens.BadToken as exc:
        raise BadRequest(f"Invalid password reset token: {exc}.") from None
    user = await session.get(User, int(payload["u"]))
    if user is None or payload.get("f") != _reset_fingerprint(user) or not user.is_active:
        raise BadRequest("Invalid password reset token: it was already used or is outdated.")
    user.password = passwords.hash_password(data.new_password)
    await _revoke_credentials(session, user.id)


async def _revoke_credentials(session: AsyncSession, user_id: int, keep: int | None = None) -> None:
    """End every log-in (but ``keep``, the caller's own session) and revoke every API key:
    whoever learnt the old password may have made a key with it. There is no exception for
    release tooling: it sends a key from its environment on each run, so a release manager
    makes a new key after a password change (see docs/decisions.md)."""
    now = utcnow()
    stmt = update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep)
    await session.execute(stmt.values(revoked_at=now))
    await session.execute(
        update(ApiKey).where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None)).values(revoked_at=now)
    )
