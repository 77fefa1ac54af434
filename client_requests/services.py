"""Every write of the request pipeline: filing, completing, submitting, and support's decisions."""

import datetime
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from client_requests.kinds import (
    KIND_RIGHT,
    SUPPORT_TRANSITIONS,
    AttachmentPurpose,
    DraftReview,
    RequestKind,
    RequestStatus,
)
from client_requests.models import Attachment, ClientRequest, StatusChange, private_storage
from client_requests.selectors import request_followers
from client_requests.uploads import CheckedFile
from permissions.checks import held_rights
from portal.mail import send_templated_email
from portal.queueing import enqueue_on_commit
from teams.models import Contract, Membership

# A power must be justified before these are submitted (the catalogue's conditions).
PROOF_REQUIRED_KINDS = frozenset(
    {
        RequestKind.BANK_DETAILS_CHANGE,
        RequestKind.EARLY_PURCHASE_OPTION,
        RequestKind.TERMINATION_WITH_SALE,
    }
)


class RequestRefused(Exception):
    """A refusal to show the person, attached to a form field when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class NewFile:
    """An upload the form already checked with `client_requests.uploads.check_upload`."""

    upload: UploadedFile
    checked: CheckedFile
    purpose: AttachmentPurpose


@contextmanager
def _files_removed_on_error(stored: list[str]) -> Iterator[None]:
    """Nothing half-saved: files written for a transaction that fails are deleted with it."""
    try:
        yield
    except BaseException:
        for name in stored:
            private_storage().delete(name)
        raise


def _check_may_file(membership: Membership, kind: RequestKind) -> None:
    if KIND_RIGHT[kind] not in held_rights(membership):
        raise RequestRefused(_("Vous n’avez pas le droit de faire cette demande."))


def _lock(client_request: ClientRequest) -> ClientRequest:
    return (
        ClientRequest.objects.select_for_update()
        .select_related("company", "author")
        .get(pk=client_request.pk)
    )


def _store(
    *,
    client_request: ClientRequest,
    new_file: NewFile,
    by: Any,
    ip_address: str | None,
    stored: list[str],
) -> Attachment:
    attachment = Attachment(
        request=client_request,
        purpose=new_file.purpose,
        original_name=new_file.checked.original_name,
        content_type=new_file.checked.content_type,
        size=new_file.checked.size,
        sha256=new_file.checked.sha256,
        uploaded_by=by,
        review=(
            DraftReview.PENDING if new_file.purpose == AttachmentPurpose.DRAFT_DOCUMENTATION else ""
        ),
    )
    new_file.upload.seek(0)
    attachment.file.save(new_file.checked.original_name, new_file.upload, save=False)
    stored.append(str(attachment.file.name))
    attachment.save()
    audit_record(
        action=Action.ATTACHMENT_ADDED,
        actor=by,
        company=client_request.company,
        target=client_request,
        ip_address=ip_address,
        data={
            "attachment": attachment.pk,
            "purpose": attachment.purpose,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "sha256": attachment.sha256,
        },
    )
    return attachment


def _move(
    *,
    client_request: ClientRequest,
    to_status: RequestStatus,
    by: Any,
    now: datetime.datetime,
    comment: str = "",
    by_bank: bool = False,
) -> StatusChange:
    change = StatusChange.objects.create(
        request=client_request,
        from_status=client_request.status,
        to_status=to_status,
        comment=comment,
        changed_by=by,
        by_bank=by_bank,
    )
    client_request.status = to_status
    return change


def _submit(
    *, client_request: ClientRequest, by: Any, ip_address: str | None, now: datetime.datetime
) -> None:
    if (
        client_request.kind in PROOF_REQUIRED_KINDS
        and not client_request.attachments.filter(purpose=AttachmentPurpose.PROOF_OF_POWER).exists()
    ):
        raise RequestRefused(
            _("Joignez un justificatif de pouvoir avant de soumettre cette demande."),
            field="proof_of_power",
        )
    _move(client_request=client_request, to_status=RequestStatus.SUBMITTED, by=by, now=now)
    client_request.submitted_at = now
    client_request.submitted_by = by
    client_request.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    audit_record(
        action=Action.REQUEST_SUBMITTED,
        actor=by,
        company=client_request.company,
        target=client_request,
        ip_address=ip_address,
        data={"kind": client_request.kind},
    )


def request_create(
    *,
    membership: Membership,
    kind: RequestKind,
    contract: Contract | None = None,
    details: dict[str, Any] | None = None,
    message: str = "",
    fee: Decimal = Decimal("0"),
    files: Sequence[NewFile] = (),
    submit: bool = True,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> ClientRequest:
    """File a request for the member's company; submitted at once unless kept as a draft."""
    now = now or timezone.now()
    _check_may_file(membership, kind)
    if contract is not None and contract.company_id != membership.company_id:
        raise RequestRefused(_("Ce contrat n’appartient pas à votre entreprise."), field="contract")
    stored: list[str] = []
    with _files_removed_on_error(stored), transaction.atomic():
        client_request = ClientRequest.objects.create(
            company=membership.company,
            author=membership.user,
            kind=kind,
            contract=contract,
            details=details or {},
            message=message,
            fee=fee,
        )
        StatusChange.objects.create(
            request=client_request,
            to_status=RequestStatus.DRAFT,
            changed_by=membership.user,
        )
        audit_record(
            action=Action.REQUEST_CREATED,
            actor=membership.user,
            company=membership.company,
            target=client_request,
            ip_address=ip_address,
            data={"kind": kind, "contract": contract.pk if contract else None, "fee": str(fee)},
        )
        for new_file in files:
            _store(
                client_request=client_request,
                new_file=new_file,
                by=membership.user,
                ip_address=ip_address,
                stored=stored,
            )
        if submit:
            _submit(
                client_request=client_request, by=membership.user, ip_address=ip_address, now=now
            )
    return client_request


def _check_may_work(membership: Membership, client_request: ClientRequest) -> None:
    """Completing, submitting and reviewing need the kind's right, even for the request's author:
    a member whose right was removed still reads their request but no longer acts on it."""
    if client_request.company_id != membership.company_id:
        raise RequestRefused(_("Cette demande n’existe pas."))
    if client_request.right not in held_rights(membership):
        raise RequestRefused(_("Vous n’avez pas le droit de traiter cette demande."))


def request_complete(
    *,
    membership: Membership,
    client_request: ClientRequest,
    details: dict[str, Any] | None = None,
    message: str | None = None,
    files: Sequence[NewFile] = (),
    submit: bool = False,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> ClientRequest:
    """Complete a draft (any member whose right covers it), attach files, and maybe submit it."""
    now = now or timezone.now()
    stored: list[str] = []
    with _files_removed_on_error(stored), transaction.atomic():
        locked = _lock(client_request)
        _check_may_work(membership, locked)
        if not locked.is_draft:
            raise RequestRefused(
                _("Cette demande a déjà été soumise : elle ne peut plus être modifiée.")
            )
        changed = []
        if details is not None and details != locked.details:
            locked.details = details
            changed.append("details")
        if message is not None and message != locked.message:
            locked.message = message
            changed.append("message")
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
        if changed or files:
            audit_record(
                action=Action.REQUEST_UPDATED,
                actor=membership.user,
                company=locked.company,
                target=locked,
                ip_address=ip_address,
                data={"fields": changed, "files": len(files)},
            )
        for new_file in files:
            _store(
                client_request=locked,
                new_file=new_file,
                by=membership.user,
                ip_address=ip_address,
                stored=stored,
            )
        if submit:
            _submit(client_request=locked, by=membership.user, ip_address=ip_address, now=now)
    return locked


def request_submit(
    *,
    membership: Membership,
    client_request: ClientRequest,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> ClientRequest:
    return request_complete(
        membership=membership,
        client_request=client_request,
        submit=True,
        ip_address=ip_address,
        now=now,
    )


def _apply_bank_details(*, client_request: ClientRequest, by: Any, now: datetime.datetime) -> None:
    company = client_request.company
    before = {"holder": company.bank_account_holder, "iban": company.iban, "bic": company.bic}
    company.bank_account_holder = client_request.details["holder"]
    company.iban = client_request.details["iban"]
    company.bic = client_request.details["bic"]
    company.bank_details_changed_at = now
    company.save(update_fields=["bank_account_holder", "iban", "bic", "bank_details_changed_at"])
    audit_record(
        action=Action.BANK_DETAILS_CHANGED,
        actor=by,
        company=company,
        target=client_request,
        data={
            "from_iban_end": before["iban"][-4:],
            "to_iban_end": company.iban[-4:],
            "request": client_request.pk,
        },
    )


def request_move(
    *,
    client_request: ClientRequest,
    to_status: RequestStatus,
    comment: str,
    by: Any,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> ClientRequest:
    """Support staff's decision; the comment is shown to the company. Validating a RIB change
    is what changes the company's RIB."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(client_request)
        if to_status not in SUPPORT_TRANSITIONS.get(locked.status, ()):
            raise RequestRefused(
                _("Une demande « %(status)s » ne peut pas passer à « %(to)s ».")
                % {"status": locked.get_status_display(), "to": RequestStatus(to_status).label},
                field="to_status",
            )
        if to_status == RequestStatus.REFUSED and not comment.strip():
            raise RequestRefused(
                _("Expliquez le refus à l’entreprise dans le commentaire."), field="comment"
            )
        from_status = locked.status
        change = _move(
            client_request=locked,
            to_status=to_status,
            by=by,
            now=now,
            comment=comment.strip(),
            by_bank=True,
        )
        fields = ["status", "updated_at"]
        if locked.is_closed:
            locked.closed_at = now
            fields.append("closed_at")
        locked.save(update_fields=fields)
        if to_status == RequestStatus.DONE and locked.kind == RequestKind.BANK_DETAILS_CHANGE:
            _apply_bank_details(client_request=locked, by=by, now=now)
        audit_record(
            action=Action.REQUEST_STATUS_CHANGED,
            actor=by,
            company=locked.company,
            target=locked,
            ip_address=ip_address,
            data={"from": from_status, "to": to_status},
        )
        from client_requests.tasks import notify_status_change

        enqueue_on_commit(notify_status_change, status_change_id=change.pk)
    return locked


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


def bank_attachment_add(
    *,
    client_request: ClientRequest,
    new_file: NewFile,
    by: Any,
    ip_address: str | None = None,
) -> Attachment:
    """Support staff attach a document (draft documentation) to a request."""
    stored: list[str] = []
    with _files_removed_on_error(stored), transaction.atomic():
        locked = _lock(client_request)
        if locked.is_closed:
            raise RequestRefused(
                _("Cette demande est close : on ne peut plus y joindre de document.")
            )
        return _store(
            client_request=locked, new_file=new_file, by=by, ip_address=ip_address, stored=stored
        )


def attachment_open(
    *,
    attachment: Attachment,
    by: Any,
    ip_address: str | None = None,
) -> File:
    """Open a request's file for the person the caller has checked may read it; recorded."""
    client_request = attachment.request
    audit_record(
        action=Action.DOCUMENT_DOWNLOADED,
        actor=by,
        company=client_request.company,
        target=client_request,
        ip_address=ip_address,
        data={"attachment": attachment.pk, "purpose": attachment.purpose},
    )
    return private_storage().open(str(attachment.file.name), "rb")


def status_change_notify(*, status_change_id: int, now: datetime.datetime) -> int:
    """Email the bank's move and its comment to the request's author and to the members whose
    right covers its kind. Run twice, it sends nothing the second time; returns the emails sent."""
    with transaction.atomic():
        # lock: the conditional update holds the row, a second run waits and then finds it done
        marked = StatusChange.objects.filter(
            pk=status_change_id, by_bank=True, notified_at__isnull=True
        ).update(notified_at=now)
        if not marked:
            return 0
        change = StatusChange.objects.select_related("request__company").get(pk=status_change_id)
        client_request = change.request
        url = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
            "client_requests:detail",
            kwargs={"company_id": client_request.company_id, "request_id": client_request.pk},
        )
        recipients = request_followers(client_request=client_request)
        # an exception here rolls the marker back, so a retry sends again
        for user in recipients:
            send_templated_email(
                to=user.email,
                subject=_("Votre demande n° %(number)s : %(status)s")
                % {"number": client_request.pk, "status": change.get_to_status_display()},
                template="client_requests/email/status_changed",
                context={
                    "user": user,
                    "change": change,
                    "client_request": client_request,
                    "company": client_request.company,
                    "request_url": url,
                },
            )
    return len(recipients)
