"""What every write of the request pipeline shares: the refusal, checked files, locks, moves."""

import datetime
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from client_requests.kinds import (
    KIND_RIGHT,
    AttachmentPurpose,
    DraftReview,
    RequestKind,
    RequestStatus,
)
from client_requests.models import Attachment, ClientRequest, StatusChange, private_storage
from client_requests.uploads import CheckedFile, check_upload, clean_file_name
from companies.models import Contract, Membership
from permissions.checks import held_rights

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
    """An upload and what it is for. `checked` is what the form found with
    `client_requests.uploads.check_upload`, for its message; the service checks the file again
    with the same function before storing it, and stores what it found."""

    upload: UploadedFile
    checked: CheckedFile
    purpose: AttachmentPurpose


def _checked(new_file: NewFile) -> CheckedFile:
    try:
        return check_upload(new_file.upload)
    except ValidationError as error:
        name = clean_file_name(new_file.upload.name or "")
        raise RequestRefused(f"{name} : {' '.join(error.messages)}") from None


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
    by: User,
    ip_address: str | None,
    stored: list[str],
) -> Attachment:
    checked = _checked(new_file)
    attachment = Attachment(
        request=client_request,
        purpose=new_file.purpose,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
        review=(
            DraftReview.PENDING if new_file.purpose == AttachmentPurpose.DRAFT_DOCUMENTATION else ""
        ),
    )
    new_file.upload.seek(0)
    attachment.file.save(checked.original_name, new_file.upload, save=False)
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
    by: User,
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
    *, client_request: ClientRequest, by: User, ip_address: str | None, now: datetime.datetime
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


def _check_may_work(membership: Membership, client_request: ClientRequest) -> None:
    """Completing, submitting and reviewing need the kind's right, even for the request's author:
    a member whose right was removed still reads their request but no longer acts on it."""
    if client_request.company_id != membership.company_id:
        raise RequestRefused(_("Cette demande n’existe pas."))
    if client_request.right not in held_rights(membership):
        raise RequestRefused(_("Vous n’avez pas le droit de traiter cette demande."))


def _file(
    *,
    membership: Membership,
    kind: RequestKind,
    contract: Contract | None,
    details: dict[str, Any],
    message: str,
    fee: Decimal,
    files: Sequence[NewFile],
    submit: bool,
    ip_address: str | None,
    now: datetime.datetime,
) -> ClientRequest:
    """The filing every section's service ends with, once it has checked its own rules (and the
    member's right): the request, its history, its files, and maybe its submission."""
    stored: list[str] = []
    with _files_removed_on_error(stored), transaction.atomic():
        client_request = ClientRequest.objects.create(
            company=membership.company,
            author=membership.user,
            kind=kind,
            contract=contract,
            details=details,
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
