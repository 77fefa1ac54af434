"""The company reads the bank's draft documentation and approves it or sends it back; every
file read is recorded."""

import datetime

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from client_requests.kinds import (
    DraftReview,
)
from client_requests.models import Attachment, private_storage
from client_requests.services.common import (
    RequestRefused,
    _check_may_work,
)
from client_requests.services.rules import text_refusal
from companies.models import Membership


def draft_review(
    *,
    membership: Membership,
    attachment: Attachment,
    approve: bool,
    comment: str = "",
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> Attachment:
    """Approve the bank's draft documentation, or send it back with a comment."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Attachment.objects.select_for_update().select_related("request").get(pk=attachment.pk)
        )
        _check_may_work(membership, locked.request)
        if locked.request.is_closed:
            raise RequestRefused(_("Cette demande est close : ses documents ne se relisent plus."))
        if not locked.is_draft_documentation:
            raise RequestRefused(_("Seuls les projets de documentation se relisent."))
        if locked.review != DraftReview.PENDING:
            raise RequestRefused(_("Ce projet a déjà été relu."))
        if not approve and not comment.strip():
            raise RequestRefused(
                _("Dites à la banque ce qui doit changer dans le projet."), field="comment"
            )
        if refusal := text_refusal(comment, field="comment"):
            raise refusal
        locked.review = DraftReview.APPROVED if approve else DraftReview.RETURNED
        locked.review_comment = comment.strip()
        locked.reviewed_by = membership.user
        locked.reviewed_at = now
        locked.save(update_fields=["review", "review_comment", "reviewed_by", "reviewed_at"])
        audit_record(
            action=Action.DRAFT_APPROVED if approve else Action.DRAFT_RETURNED,
            actor=membership.user,
            company=membership.company,
            target=locked.request,
            ip_address=ip_address,
            data={"attachment": locked.pk},
        )
    return locked


def attachment_open(
    *,
    attachment: Attachment,
    by: User,
    ip_address: str | None = None,
) -> File:
    """Open a request's file for the person the caller has checked may read it; recorded."""
    client_request = attachment.request
    file = private_storage().open(str(attachment.file.name), "rb")
    audit_record(
        action=Action.DOCUMENT_DOWNLOADED,
        actor=by,
        company=client_request.company,
        target=client_request,
        ip_address=ip_address,
        data={"attachment": attachment.pk, "purpose": attachment.purpose},
    )
    return file
