"""``/api/v3/sponsors/`` routes for sponsor mail: the staff's e-mail templates (CRUD, previews of
a stored or an unsaved template) and sending a template or an ad-hoc message to the contacts of
chosen sponsorships (a preview that lists exactly who receives what, and the sending).

Everything here needs ``sponsors.change_sponsoremailnotificationtemplate``
(services/notifications.py). Template syntax errors are 400s naming the field and the line.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pydotorg.core.pagination import DEFAULT_LIMIT, Limit, ListMeta, Offset
from pydotorg.core.permissions import permission_required, require_principal
from pydotorg.core.schemas import given_fields
from pydotorg.domains.mailing.services import MailContext
from pydotorg.domains.sponsors.models import SEND_NOTIFICATIONS, SponsorEmailTemplate
from pydotorg.domains.sponsors.schemas import notifications as schemas
from pydotorg.domains.sponsors.services import notifications as svc

PK = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
_NOTIFY = [permission_required(SEND_NOTIFICATIONS)]


def template_read(template: SponsorEmailTemplate) -> schemas.EmailTemplateRead:
    return schemas.EmailTemplateRead(
        id=template.id,
        internal_name=template.internal_name,
        subject=template.subject,
        content=template.content,
        created_at=template.created_at,
        updated_at=template.updated_at,
    )


def preview_read(preview: svc.TemplatePreview) -> schemas.EmailTemplatePreview:
    return schemas.EmailTemplatePreview(
        subject=preview.subject, content_html=preview.content_html, content_text=preview.content_text
    )


def plan_read(plan: svc.NotificationPlan) -> schemas.NotificationPlan:
    return schemas.NotificationPlan(
        notification=plan.notification,
        contact_types=plan.contact_types,
        recipients=[
            schemas.NotificationRecipient(
                sponsorship_id=m.sponsorship_id,
                sponsor_name=m.sponsor_name,
                to=m.to,
                subject=m.rendered.subject,
                content_html=m.rendered.html,
            )
            for m in plan.recipients
        ],
        skipped=[
            schemas.NotificationSkipped(
                sponsorship_id=s.sponsorship_id, sponsor_name=s.sponsor_name, reason=s.reason
            )
            for s in plan.skipped
        ],
        sent=plan.sent,
    )


class SponsorsNotificationsController(Controller):
    path = "/api/v3/sponsors"
    tags = ["sponsors"]
    guards = _NOTIFY

    # --- e-mail templates ----------------------------------------------------------------------

    @get(
        "/email-templates",
        operation_id="sponsors_email_templates_list",
        summary=f"Sponsor e-mail templates, by internal name ({SEND_NOTIFICATIONS})",
    )
    async def list_templates(
        self, tx: NamedDependency[AsyncSession], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.EmailTemplateList:
        rows, total = await svc.list_templates(tx, limit=limit, offset=offset)
        return schemas.EmailTemplateList(
            data=[template_read(t) for t in rows], meta=ListMeta(total=total, limit=limit, offset=offset)
        )

    @get(
        "/email-templates/{template_id:int}",
        operation_id="sponsors_email_templates_read",
        summary=f"One sponsor e-mail template ({SEND_NOTIFICATIONS})",
    )
    async def read_template(
        self, tx: NamedDependency[AsyncSession], template_id: PK
    ) -> schemas.EmailTemplateRead:
        return template_read(await svc.get_template(tx, template_id))

    @post(
        "/email-templates",
        operation_id="sponsors_email_templates_create",
        summary="Add an e-mail template (a syntax error is a 400 naming the field and the line)",
    )
    async def create_template(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        data: JSONBody[schemas.EmailTemplateCreate],
    ) -> schemas.EmailTemplateRead:
        return template_read(await svc.create_template(tx, require_principal(request), given_fields(data)))

    @patch(
        "/email-templates/{template_id:int}",
        operation_id="sponsors_email_templates_update",
        summary="Change an e-mail template (a syntax error is a 400 naming the field and the line)",
    )
    async def update_template(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        template_id: PK,
        data: JSONBody[schemas.EmailTemplateUpdate],
    ) -> schemas.EmailTemplateRead:
        principal = require_principal(request)
        return template_read(await svc.update_template(tx, principal, template_id, given_fields(data)))

    @delete(
        "/email-templates/{template_id:int}",
        operation_id="sponsors_email_templates_delete",
        summary="Delete an e-mail template",
    )
    async def delete_template(
        self, request: Request[Any, Any, Any], tx: NamedDependency[AsyncSession], template_id: PK
    ) -> None:
        await svc.delete_template(tx, require_principal(request), template_id)

    @post(
        "/email-templates/{template_id:int}/preview",
        operation_id="sponsors_email_templates_preview",
        summary="A stored template rendered with an empty context",
        status_code=200,
    )
    async def preview_template(
        self, tx: NamedDependency[AsyncSession], template_id: PK
    ) -> schemas.EmailTemplatePreview:
        template = await svc.get_template(tx, template_id)
        return preview_read(svc.preview_template(template.subject, template.content))

    @post(
        "/email-templates/preview",
        operation_id="sponsors_email_templates_preview_draft",
        summary="Unsaved template text rendered with an empty context (nothing is stored)",
        status_code=200,
    )
    async def preview_draft(self, data: JSONBody[schemas.EmailTemplateDraft]) -> schemas.EmailTemplatePreview:
        return preview_read(svc.preview_template(data.subject, data.content))

    # --- sending -------------------------------------------------------------------------------

    @post(
        "/notifications/preview",
        operation_id="sponsors_notifications_preview",
        summary="Who would receive the notification and what (per sponsorship: addresses and the "
        "rendered subject and content), and which sponsorships are skipped and why",
        status_code=200,
    )
    async def preview_notification(
        self, tx: NamedDependency[AsyncSession], data: JSONBody[schemas.NotificationRequest]
    ) -> schemas.NotificationPlan:
        return plan_read(await svc.plan_notification(tx, given_fields(data)))

    @post(
        "/notifications/send",
        operation_id="sponsors_notifications_send",
        summary="Send the notification the preview describes (queued after commit; one audit "
        "entry per sponsorship that receives it)",
        status_code=200,
    )
    async def send_notification(
        self,
        request: Request[Any, Any, Any],
        tx: NamedDependency[AsyncSession],
        data: JSONBody[schemas.NotificationRequest],
    ) -> schemas.NotificationPlan:
        mail = MailContext.of(request.app.state)
        plan = await svc.send_notification(tx, require_principal(request), mail, given_fields(data))
        return plan_read(plan)


ROUTE_HANDLERS = [SponsorsNotificationsController]
