"""The company files its requests: "Demandes de l'entreprise" (create, complete by any member
holding the right, submit); the other sections file through `client_requests.services.sections`."""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from client_requests.kinds import COMPANY_REQUEST_KINDS, RequestKind
from client_requests.models import ClientRequest
from client_requests.services.common import (
    NewFile,
    RequestRefused,
    _check_may_file,
    _check_may_work,
    _file,
    _files_removed_on_error,
    _lock,
    _store,
    _submit,
)
from client_requests.services.rules import (
    company_request_refusal,
    member_files_refusal,
    subject_refusal,
    text_refusal,
)
from companies.models import Contract, Membership


def request_create(
    *,
    membership: Membership,
    kind: RequestKind,
    contract: Contract | None = None,
    details: dict[str, Any] | None = None,
    message: str = "",
    files: Sequence[NewFile] = (),
    submit: bool = True,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> ClientRequest:
    """File a request of "Demandes de l'entreprise" (new contract, access to a product,
    amendment); submitted at once unless kept as a draft. Every other kind has its own service,
    which checks its own rules. `details` holds the request's subject."""
    _check_may_file(membership, kind)
    details = details or {}
    if refusal := (
        company_request_refusal(kind=kind, contract=contract, company_id=membership.company_id)
        or subject_refusal(details.get("subject"))
        or text_refusal(message, field="message")
        or member_files_refusal(kind=kind, files=files)
    ):
        raise refusal
    return _file(
        membership=membership,
        kind=kind,
        contract=contract,
        details={**details, "subject": details["subject"].strip()},
        message=message.strip(),
        fee=Decimal("0"),
        files=files,
        submit=submit,
        ip_address=ip_address,
        now=now or timezone.now(),
    )


def _draft_refusal(
    *, kind: str, details: dict[str, Any] | None, message: str | None
) -> RequestRefused | None:
    """A company request keeps its subject; every message keeps within the limit."""
    subject = (
        subject_refusal(details.get("subject"))
        if details is not None and kind in COMPANY_REQUEST_KINDS
        else None
    )
    return subject or (text_refusal(message, field="message") if message is not None else None)


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
        if refusal := _draft_refusal(kind=locked.kind, details=details, message=message) or (
            member_files_refusal(kind=locked.kind, files=files)
        ):
            raise refusal
        changed = []
        if details is not None and locked.kind in COMPANY_REQUEST_KINDS:
            details = {**details, "subject": details["subject"].strip()}
        if details is not None and details != locked.details:
            locked.details = details
            changed.append("details")
        if message is not None and message.strip() != locked.message:
            locked.message = message.strip()
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
