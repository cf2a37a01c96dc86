"""Sponsor mail (inventory 1.16 "Notifications", 3.13): the staff's e-mail templates, sending a
template or an ad-hoc message to the contacts of chosen sponsorships, and the automatic
notifications other sponsors services call after their writes. Every message is queued as a
``mail.send`` job once the caller's transaction commits (``mailing.services.queue_email``),
from ``PYDOTORG_SPONSORSHIP_NOTIFICATION_FROM_EMAIL``; the PSF's copies go to
``PYDOTORG_SPONSORSHIP_NOTIFICATION_TO_EMAIL``.

The automatic notifications, for the services that cause them (each takes the request's
transaction and a ``mailing.services.MailContext(settings, mailer, queue)``):

- ``notify_new_application(tx, mail, sponsorship_id)``: to the PSF and to the applicant;
- ``notify_rejection(tx, mail, sponsorship_id)``: to the PSF and to the applicant;
- ``notify_contract_sent(tx, mail, sponsorship_id, pdf, filename)``: to the PSF, PDF attached;
- ``notify_asset_deadline(tx, mail, sponsorship_id, days=, due_date=)``: to the applicant;
  ``check_assets_due(tx, mail, days=, today=)`` finds who needs it (the daily job, the CLI).

"The applicant" is python.org's ``Sponsorship.verified_emails``: the submitter's e-mail and the
sponsor's contacts whose address is a verified address of some account, each once
(case-insensitively).

Staff notifications go only to sponsorships holding an e-mail-targetable benefit (a feature of
kind ``email_targetable``), in the preview and in the sending alike; the plan says which were
skipped and why (python.org previewed that rule but sent to the whole selection, appendix B.12).
"""

from pydotorg.domains.sponsors.services.notifications.automatic import (
    DEFAULT_DUE_DAYS,
    check_assets_due,
    notify_asset_deadline,
    notify_contract_sent,
    notify_new_application,
    notify_rejection,
    pending_assets_due,
)
from pydotorg.domains.sponsors.services.notifications.messages import (
    CONTACT_TYPES,
    SponsorshipMail,
    load_sponsorship_mail,
    summary,
    template_context,
    verified_emails,
)
from pydotorg.domains.sponsors.services.notifications.staff import (
    NO_CONTACTS,
    NO_SPONSOR,
    NOT_TARGETABLE,
    NotificationPlan,
    PlannedMessage,
    SkippedSponsorship,
    plan_notification,
    send_notification,
)
from pydotorg.domains.sponsors.services.notifications.templates import (
    TemplatePreview,
    create_template,
    delete_template,
    get_template,
    list_templates,
    preview_template,
    update_template,
)

__all__ = [
    "CONTACT_TYPES",
    "DEFAULT_DUE_DAYS",
    "NOT_TARGETABLE",
    "NO_CONTACTS",
    "NO_SPONSOR",
    "NotificationPlan",
    "PlannedMessage",
    "SkippedSponsorship",
    "SponsorshipMail",
    "TemplatePreview",
    "check_assets_due",
    "create_template",
    "delete_template",
    "get_template",
    "list_templates",
    "load_sponsorship_mail",
    "notify_asset_deadline",
    "notify_contract_sent",
    "notify_new_application",
    "notify_rejection",
    "pending_assets_due",
    "plan_notification",
    "preview_template",
    "send_notification",
    "summary",
    "template_context",
    "update_template",
    "verified_emails",
]
