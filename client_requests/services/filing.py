"""The company files its requests: create, complete (any member holding the right), submit; and
the rules a section's form cannot check alone (one open RIB change, one open buyout per contract)."""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from client_requests.kinds import BUYOUT_KIND_OF_CONTRACT, RequestKind, RequestStatus
from client_requests.models import ClientRequest, StatusChange
from client_requests.selectors import buyout_open, open_bank_details_change
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
from companies.models import Company, Contract, Membership


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


def bank_details_change_request(
    *,
    membership: Membership,
    holder: str,
    iban: str,
    bic: str,
    proof_of_power: NewFile,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> ClientRequest:
    """File a RIB change: the company's RIB changes only when support validates the request."""
    with transaction.atomic():
        # lock: two members filing at once must not both open a RIB change
        company = Company.objects.select_for_update().get(pk=membership.company_id)
        pending = open_bank_details_change(company=company)
        if pending is not None:
            raise RequestRefused(
                _(
                    "Une demande de changement de RIB est déjà en cours (n° %(number)s) : "
                    "attendez sa réponse avant d’en faire une autre."
                )
                % {"number": pending.pk}
            )
        if iban == company.iban:
            raise RequestRefused(
                _("Cet IBAN est déjà celui de l’entreprise : saisissez le nouvel IBAN."),
                field="iban",
            )
        return request_create(
            membership=membership,
            kind=RequestKind.BANK_DETAILS_CHANGE,
            details={"holder": holder, "iban": iban, "bic": bic},
            files=[proof_of_power],
            submit=True,
            ip_address=ip_address,
            now=now,
        )


def early_buyout_request(
    *,
    membership: Membership,
    contract: Contract,
    desired_date: datetime.date,
    proof_of_power: NewFile,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> ClientRequest:
    """CBM: early purchase option at the residual value; LOCFI: termination with sale."""
    kind = BUYOUT_KIND_OF_CONTRACT.get(contract.kind)
    if kind is None or contract.company_id != membership.company_id:
        raise RequestRefused(
            _("Le rachat anticipé ne concerne que les contrats CBM et LOCFI de l’entreprise."),
            field="contract",
        )
    details = {"buyout_date": desired_date.isoformat()}
    if kind == RequestKind.EARLY_PURCHASE_OPTION:
        # the purchase option price
        details["residual_value"] = str(contract.residual_value)
    with transaction.atomic():
        # lock: two members filing at once must not both open a buyout of the same contract
        Contract.objects.select_for_update().filter(pk=contract.pk).first()
        if buyout_open(contract=contract):
            raise RequestRefused(
                _("Une demande de rachat anticipé est déjà en cours pour ce contrat."),
                field="contract",
            )
        return request_create(
            membership=membership,
            kind=kind,
            contract=contract,
            details=details,
            files=[proof_of_power],
            submit=True,
            ip_address=ip_address,
            now=now or timezone.now(),
        )
