"""``/api/v3/`` routes for authentication, users, API keys, PSF membership and grants."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, JSONBody, Parameter
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, Offset
from pydotorg.core.permissions import (
    PERMISSIONS,
    Principal,
    login_required,
    permission_required,
    principal_of,
    require_principal,
)
from pydotorg.core.ratelimit import RateLimiter
from pydotorg.domains.users import schemas, services
from pydotorg.domains.users.models import CHANGE_USER, MANAGE_GROUPS, VIEW_MEMBERSHIP, VIEW_USER
from pydotorg.settings import Settings

UserId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
KeyId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


def provide_context(request: Request[Any, Any, Any]) -> services.Context:
    state = request.app.state
    return services.Context(
        settings=state.settings, mailer=state.mailer, queue=state.queue, limiter=state.rate_limiter
    )


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    return require_principal(request)


async def _limit(
    request: Request[Any, Any, Any], bucket: str, spec: str, *, identity: str | None = None
) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    await limiter.check(request, bucket, spec, identity=identity)


DEPENDENCIES = {
    "ctx": Provide(provide_context, sync_to_thread=False),
    "principal": Provide(provide_principal, sync_to_thread=False),
}


class AuthController(Controller):
    path = "/api/v3/auth"
    tags = ["auth"]

    @post(
        "/signup",
        status_code=HTTP_202_ACCEPTED,
        operation_id="auth_signup",
        summary="Sign up; a confirmation link is mailed to the address",
    )
    async def signup(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        ctx: NamedDependency[services.Context],
        data: JSONBody[schemas.SignupRequest],
    ) -> schemas.Detail:
        await _limit(request, "signup", ctx.settings.rate_limit_signup)
        await services.signup(tx, ctx, data)
        return schemas.Detail("Check your e-mail for a link to confirm your address.")

    @post(
        "/verify-email",
        status_code=200,
        operation_id="auth_verify_email",
        summary="Confirm an e-mail address with the mailed token",
    )
    async def verify_email(
        self,
        tx: NamedDependency[AsyncSession],
        ctx: NamedDependency[services.Context],
        data: JSONBody[schemas.VerifyEmailRequest],
    ) -> schemas.UserPrivate:
        user = await services.verify_email(tx, ctx, data.token)
        return await services.to_private(tx, user)

    @post(
        "/verify-email/resend",
        status_code=HTTP_202_ACCEPTED,
        operation_id="auth_verify_email_resend",
        summary="Mail a new confirmation link (always answers the same)",
    )
    async def verify_email_resend(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        ctx: NamedDependency[services.Context],
        data: JSONBody[schemas.VerificationResendRequest],
    ) -> schemas.Detail:
        await _limit(request, "verification_resend_ip", ctx.settings.rate_limit_password_reset)
        await services.resend_verification(tx, ctx, data)
        return schemas.Detail("If this address is waiting to be confirmed, a new link is on its way.")

    @post(
        "/login",
        status_code=200,
        operation_id="auth_login",
        summary="Log in with username or e-mail; returns a bearer token or sets a cookie",
    )
    async def login(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        ctx: NamedDependency[services.Context],
        data: JSONBody[schemas.LoginRequest],
    ) -> Response[schemas.LoginResponse]:
        await _limit(request, "login", ctx.settings.rate_limit_login)
        user, token, auth = await services.login(tx, ctx, data)
        private = await services.to_private(tx, user)
        if data.session == "token":
            return Response(
                schemas.LoginResponse(user=private, expires=auth.expires, token=token, token_type="bearer")
            )
        return Response(
            schemas.LoginResponse(user=private, expires=auth.expires, csrf_token=auth.csrf_token),
            cookies=_session_cookies(ctx.settings, token, auth.csrf_token),
        )

    @post(
        "/logout",
        status_code=HTTP_204_NO_CONTENT,
        operation_id="auth_logout",
        summary="Revoke the token or cookie session used for this request",
    )
    async def logout(
        self,
        tx: NamedDependency[AsyncSession],
        ctx: NamedDependency[services.Context],
        principal: NamedDependency[Principal],
    ) -> None:
        await services.logout(tx, principal)
        # Declared as None so the schema documents an empty 204; the Response clears cookies.
        return Response(  # type: ignore[return-value]
            None,
            status_code=HTTP_204_NO_CONTENT,
            cookies=_session_cookies(ctx.settings, "", "", clear=True),
        )

    @post(
        "/password/change",
        status_code=HTTP_204_NO_CONTENT,
        operation_id="auth_password_change",
        summary="Change your password",
    )
    async def password_change(
        self,
        tx: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.PasswordChangeRequest],
    ) -> None:
        await services.change_password(tx, principal, data)

    @post(
        "/password/reset",
        status_code=HTTP_202_ACCEPTED,
        operation_id="auth_password_reset",
        summary="Mail a password reset link (always answers the same)",
    )
    async def password_reset(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        ctx: NamedDependency[services.Context],
        data: JSONBody[schemas.PasswordResetRequest],
    ) -> schemas.Detail:
        await _limit(request, "password_reset", ctx.settings.rate_limit_password_reset)
        await services.request_password_reset(tx, ctx, data.email)
        return schemas.Detail("If an account uses this address, a reset link is on its way.")

    @post(
        "/password/reset/confirm",
        status_code=HTTP_204_NO_CONTENT,
        operation_id="auth_password_reset_confirm",
        summary="Set a new password with the mailed reset token",
    )
    async def password_reset_confirm(
        self,
        tx: NamedDependency[AsyncSession],
        ctx: NamedDependency[services.Context],
        data: JSONBody[schemas.PasswordResetConfirm],
    ) -> None:
        await services.confirm_password_reset(tx, ctx, data)


def _session_cookies(settings: Settings, token: str, csrf: str, *, clear: bool = False) -> list[Cookie]:
    max_age = 0 if clear else settings.session_lifetime_seconds
    secure = settings.is_production
    return [
        Cookie(
            key=settings.session_cookie_name,
            value=token,
            httponly=True,
            secure=secure,
            samesite="lax",
            max_age=max_age,
            path="/",
        ),
        Cookie(
            key=settings.csrf_cookie_name,
            value=csrf,
            httponly=False,
            secure=secure,
            samesite="lax",
            max_age=max_age,
            path="/",
        ),
    ]


class MeController(Controller):
    path = "/api/v3/users/me"
    tags = ["users"]
    guards = [login_required]

    @get("/", operation_id="users_me", summary="Your account")
    async def me(
        self, tx: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> schemas.UserPrivate:
        return await services.to_private(tx, await services.get_user(tx, principal.user_id))

    @patch(
        "/",
        operation_id="users_me_update",
        summary="Update your profile and privacy; a new e-mail address stays pending until confirmed",
    )
    async def update_me(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        ctx: NamedDependency[services.Context],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.UserUpdate],
    ) -> schemas.UserPrivate:
        user = await services.get_user(tx, principal.user_id)
        if services.wants_email_change(user, data):
            # Per account: each request mails an address the caller typed in.
            await _limit(
                request,
                "email_change",
                ctx.settings.rate_limit_email_change,
                identity=f"user:{principal.user_id}",
            )
        await services.update_user(tx, ctx, user, data)
        return await services.to_private(tx, user)

    @delete("/", operation_id="users_me_delete", summary="Delete your account")
    async def delete_me(
        self, tx: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> None:
        await services.delete_user(tx, await services.get_user(tx, principal.user_id))

    @get("/api-keys", operation_id="api_keys_list", summary="Your API keys (never the keys)")
    async def list_keys(
        self, tx: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> list[schemas.ApiKeyRead]:
        return await services.list_api_keys(tx, principal.user_id)

    @post(
        "/api-keys",
        operation_id="api_keys_create",
        summary="Create an API key; the key is shown only in this response",
    )
    async def create_key(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        ctx: NamedDependency[services.Context],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.ApiKeyCreate],
    ) -> schemas.ApiKeyCreated:
        await _limit(request, "api_key", ctx.settings.rate_limit_api_key)
        key, raw = await services.create_api_key(tx, principal.user_id, data.name)
        return schemas.ApiKeyCreated(
            id=key.id, name=key.name, prefix=key.prefix, created=key.created, key=raw
        )

    @delete(
        "/api-keys/{key_id:int}",
        operation_id="api_keys_revoke",
        summary="Revoke one of your API keys",
    )
    async def revoke_key(
        self, tx: NamedDependency[AsyncSession], principal: NamedDependency[Principal], key_id: KeyId
    ) -> None:
        await services.revoke_api_key(tx, principal.user_id, key_id)

    @get("/membership", operation_id="membership_read", summary="Your PSF membership")
    async def membership(
        self, tx: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> schemas.MembershipRead:
        m = await services.get_membership(tx, principal.user_id)
        return services.to_membership(m, principal.username)

    @post("/membership", operation_id="membership_create", summary="Become a PSF Basic member")
    async def create_membership(
        self,
        tx: NamedDependency[AsyncSession],
        ctx: NamedDependency[services.Context],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.MembershipCreate],
    ) -> schemas.MembershipRead:
        m = await services.create_membership(tx, ctx, principal, data)
        return services.to_membership(m, principal.username)

    @patch("/membership", operation_id="membership_update", summary="Edit your PSF membership")
    async def update_membership(
        self,
        tx: NamedDependency[AsyncSession],
        ctx: NamedDependency[services.Context],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.MembershipUpdate],
    ) -> schemas.MembershipRead:
        m = await services.get_membership(tx, principal.user_id)
        await services.update_membership(tx, ctx, m, data)
        return services.to_membership(m, principal.username)

    @post(
        "/membership/affirm",
        status_code=200,
        operation_id="membership_affirm",
        summary="Affirm your intention to vote in PSF elections",
    )
    async def affirm(
        self, tx: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> schemas.MembershipRead:
        m = await services.affirm_vote(tx, await services.get_membership(tx, principal.user_id))
        return services.to_membership(m, principal.username)

    @delete("/membership", operation_id="membership_delete", summary="Delete your PSF membership")
    async def delete_membership(
        self, tx: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
    ) -> None:
        await services.delete_membership(tx, await services.get_membership(tx, principal.user_id))


class UsersController(Controller):
    path = "/api/v3/users"
    tags = ["users"]

    @get(
        "/",
        operation_id="users_list",
        summary="All users (staff)",
        guards=[permission_required(VIEW_USER)],
    )
    async def list_users(
        self,
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        q: Annotated[str | None, Parameter(max_length=150)] = None,
        is_staff: FromQuery[bool | None] = None,
        is_active: FromQuery[bool | None] = None,
    ) -> schemas.UserList:
        return await services.list_users(
            tx, limit=limit, offset=offset, q=q, is_staff=is_staff, is_active=is_active
        )

    @get(
        "/{username:str}",
        operation_id="users_profile",
        summary="A public profile (hidden e-mail addresses are left out)",
    )
    async def profile(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        username: Annotated[str, Parameter(max_length=150)],
    ) -> schemas.UserPublic | schemas.UserPrivate:
        return await services.public_profile(tx, username, principal_of(request))

    @patch(
        "/id/{user_id:int}",
        operation_id="users_update",
        summary="Change a user (users.change_user; staff and superusers: superusers only)",
        guards=[permission_required(CHANGE_USER)],
    )
    async def update_user(
        self,
        tx: NamedDependency[AsyncSession],
        ctx: NamedDependency[services.Context],
        principal: NamedDependency[Principal],
        user_id: UserId,
        data: JSONBody[schemas.UserAdminUpdate],
    ) -> schemas.UserPrivate:
        user = await services.admin_update_user(tx, ctx, principal, user_id, data)
        return await services.to_private(tx, user)

    @put(
        "/id/{user_id:int}/grants",
        operation_id="users_grants",
        summary="Set a user's permissions and groups (users.change_group; only what you hold)",
        guards=[permission_required(MANAGE_GROUPS)],
    )
    async def grants(
        self,
        tx: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        user_id: UserId,
        data: JSONBody[schemas.GrantsUpdate],
    ) -> schemas.UserPrivate:
        user = await services.get_user(tx, user_id)
        await services.set_grants(tx, principal, user, data)
        return await services.to_private(tx, user)


class GroupsController(Controller):
    path = "/api/v3"
    tags = ["users"]

    @get(
        "/groups",
        operation_id="groups_list",
        summary="Groups and their permissions",
        guards=[permission_required(MANAGE_GROUPS)],
    )
    async def list_groups(self, tx: NamedDependency[AsyncSession]) -> list[schemas.GroupRead]:
        return await services.list_groups(tx)

    @post(
        "/groups",
        operation_id="groups_create",
        summary="Create a group",
        guards=[permission_required(MANAGE_GROUPS)],
    )
    async def create_group(
        self,
        tx: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        data: JSONBody[schemas.GroupCreate],
    ) -> schemas.GroupRead:
        return await services.create_group(tx, principal, data)

    @get(
        "/permissions",
        operation_id="permissions_list",
        summary="Every named permission",
        guards=[login_required],
    )
    async def list_permissions(self) -> list[schemas.PermissionRead]:
        return [schemas.PermissionRead(name=n, description=d) for n, d in sorted(PERMISSIONS.items())]

    @get(
        "/profiles",
        operation_id="profiles_list",
        summary="Public profiles of the searchable users (what /users/<username>/ shows)",
    )
    async def list_profiles(
        self, tx: NamedDependency[AsyncSession], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.ProfileList:
        return await services.list_profiles(tx, limit=limit, offset=offset)

    @get(
        "/profiles/{user_id:int}",
        operation_id="profiles_read",
        summary="One searchable user's public profile, by account id",
    )
    async def profile(self, tx: NamedDependency[AsyncSession], user_id: UserId) -> schemas.ProfileRead:
        return await services.get_profile(tx, user_id)

    @get(
        "/memberships",
        operation_id="memberships_list",
        summary="All PSF memberships",
        guards=[permission_required(VIEW_MEMBERSHIP)],
    )
    async def list_memberships(
        self,
        tx: NamedDependency[AsyncSession],
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        votes: FromQuery[bool | None] = None,
    ) -> schemas.MembershipList:
        return await services.list_memberships(tx, limit=limit, offset=offset, votes=votes)
