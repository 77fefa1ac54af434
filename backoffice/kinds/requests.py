"""Validating a RIB change: the company's bank details change."""

from __future__ import annotations

from django.db.models import Model
from django.utils.translation import gettext as _

from backoffice.kinds.base import (
    Applying,
    KindSpec,
    ProposalRefused,
    request_subject,
)
from backoffice.models import Proposal, ProposalKind
from client_requests.kinds import SUPPORT_TRANSITIONS, RequestKind, RequestStatus
from client_requests.models import ClientRequest
from client_requests.services import request_move


def _rib_rows(proposal: Proposal, request: Model) -> list[tuple[str, str, str]]:
    assert isinstance(request, ClientRequest)
    company, details = request.company, request.details or {}
    before = f"{company.bank_account_holder} — {company.iban} — {company.bic}"
    after = f"{details.get('holder', '')} — {details.get('iban', '')} — {details.get('bic', '')}"
    return [
        (_("RIB de l’entreprise"), before, after),
        (_("Commentaire pour l’entreprise"), "", proposal.payload.get("comment", "")),
    ]


def _rib_check(proposal: Proposal, request: Model) -> None:
    assert isinstance(request, ClientRequest)
    if request.kind != RequestKind.BANK_DETAILS_CHANGE:
        raise ProposalRefused(_("Cette demande n’est pas un changement de RIB."))
    if RequestStatus.DONE not in SUPPORT_TRANSITIONS.get(request.status, ()):
        raise ProposalRefused(_("Cette demande ne peut plus être validée."))


def _rib_apply(applying: Applying, request: Model) -> None:
    assert isinstance(request, ClientRequest)
    _rib_check(applying.proposal, request)
    request_move(
        client_request=request,
        to_status=RequestStatus.DONE,
        comment=applying.proposal.payload.get("comment", ""),
        reason=applying.proposal.reason,
        by=applying.approver,
        ip_address=applying.ip_address,
        now=applying.now,
    )


KINDS: dict[str, KindSpec] = {
    ProposalKind.BANK_DETAILS: KindSpec(request_subject, _rib_rows, _rib_apply, _rib_check),
}
