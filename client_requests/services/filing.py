"""The company files its requests: create, complete (any member holding the right), submit."""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from client_requests.kinds import (
    RequestKind,
    RequestStatus,
)
from client_requests.models import ClientRequest, StatusChange
from client_requests.services.common import (
    NewFile,
    RequestRefused,
    _check_may_file,
    _check_may_work,
    _files_removed_on_error,
    _lock,
    _store,
    _submit,
)
from teams.models import Contract, Membership


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
