"""Four eyes: a support agent proposes a change that opens the door, with a reason; a second,
different agent approves it (the change is applied, once, through the owning app's service) or
refuses it with a reason; after 24 hours nobody can approve it any more.

The rule "the proposer never decides" lives here and in a database constraint, not in the admin:
whatever a request says, a proposer's approval is refused.
"""

import datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.reasons import reason_clean, reason_refusal
from audit.services import audit_record
from backoffice.kinds import APPLY_REFUSALS, SPECS, Applying, ProposalRefused
from backoffice.models import PROPOSAL_LIFETIME, Proposal, ProposalKind, ProposalStatus
from companies.models import Company


def _check_reason(reason: str, field: str = "reason") -> str:
    if refusal := reason_refusal(reason):
        raise ProposalRefused(refusal, field=field)
    return reason_clean(reason)


def _subject(proposal: Proposal) -> Model | None:
    """What the proposal changes; None once it is gone (a member removed meanwhile)."""
    try:
        return SPECS[proposal.kind].subject(proposal.subject_id)
    except ObjectDoesNotExist:
        return None


def _subject_name(subject: Model | None, proposal: Proposal) -> str:
    if subject is None:
        return proposal.subject_repr.split(" — ")[0]
    user = getattr(subject, "user", subject)
    full_name = getattr(user, "get_full_name", lambda: "")()
    return full_name or str(subject)


def _audit(
    proposal: Proposal,
    subject: Model | None,
    action: Action,
    *,
    actor: User,
    ip_address: str | None,
    reason: str,
) -> None:
    about_account = SPECS[proposal.kind].about_account
    audit_record(
        action=action,
        actor=actor,
        # about a person's account: shown to each of their companies (audit.journal)
        company=None if about_account else proposal.company,
        target=subject,
        ip_address=ip_address,
        data={
            "proposal": proposal.pk,
            "proposal_kind": proposal.kind,
            "target_name": _subject_name(subject, proposal),
            "rights": proposal.payload.get("rights", []),
            "reason": reason,
        },
    )


def pending_proposals() -> QuerySet[Proposal]:
    return Proposal.objects.filter(status=ProposalStatus.PROPOSED).order_by("expires_at", "pk")


@transaction.atomic
def proposal_make(
    *,
    kind: ProposalKind,
    subject: Model,
    company: Company | None,
    payload: dict[str, Any],
    proposer: User,
    reason: str,
    ip_address: str | None,
    now: datetime.datetime,
) -> Proposal:
    """Record what one agent proposes; nothing changes until a second agent approves."""
    reason = _check_reason(reason)
    spec = SPECS[kind]
    try:
        spec.check(Proposal(kind=kind, payload=payload), subject)
    except APPLY_REFUSALS as refused:
        raise ProposalRefused(refused.message) from None
    if pending_proposals().filter(kind=kind, subject_id=str(subject.pk)).exists():
        raise ProposalRefused(_("Une proposition de ce type attend déjà l’approbation d’un agent."))
    proposal = Proposal.objects.create(
        kind=kind,
        company=company,
        subject_id=str(subject.pk),
        subject_repr=str(subject)[:300],
        payload=payload,
        reason=reason,
        proposed_by=proposer,
        created_at=now,
        expires_at=now + PROPOSAL_LIFETIME,
    )
    _audit(
        proposal,
        subject,
        Action.PROPOSAL_MADE,
        actor=proposer,
        ip_address=ip_address,
        reason=reason,
    )
    return proposal


def _locked(proposal_id: int, decider: User, now: datetime.datetime) -> Proposal:
    # lock: two agents clicking at once decide once
    proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
    if proposal.proposed_by_id == decider.pk:
        raise ProposalRefused(
            _("Vous avez fait cette proposition : un autre agent du support doit la traiter.")
        )
    if proposal.status != ProposalStatus.PROPOSED:
        raise ProposalRefused(_("Cette proposition a déjà été traitée."))
    return proposal


def _decided(
    proposal: Proposal, status: ProposalStatus, decider: User, now: datetime.datetime
) -> None:
    proposal.status = status
    proposal.decided_by = decider
    proposal.decided_at = now
    proposal.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])


def proposal_approve(
    *, proposal_id: int, approver: User, ip_address: str | None, now: datetime.datetime
) -> Proposal:
    """Apply the proposal through its service, in one transaction, if another agent proposed it
    and it has not expired; an expired one is marked so and changes nothing."""
    with transaction.atomic():
        proposal = _locked(proposal_id, approver, now)
        if proposal.is_expired(now):
            proposal.status = ProposalStatus.EXPIRED
            proposal.save(update_fields=["status"])
            return proposal
        spec = SPECS[proposal.kind]
        subject = _subject(proposal)
        if subject is None:
            raise ProposalRefused(
                _("Ce que cette proposition change n’existe plus : refusez-la, avec un motif.")
            )
        applying = Applying(proposal=proposal, approver=approver, ip_address=ip_address, now=now)
        try:
            spec.apply(applying, subject)
        except APPLY_REFUSALS as refused:
            raise ProposalRefused(refused.message) from None
        _decided(proposal, ProposalStatus.APPROVED, approver, now)
        _audit(
            proposal,
            subject,
            Action.PROPOSAL_APPROVED,
            actor=approver,
            ip_address=ip_address,
            reason=proposal.reason,
        )
    return proposal


@transaction.atomic
def proposal_refuse(
    *,
    proposal_id: int,
    decider: User,
    refusal_reason: str,
    ip_address: str | None,
    now: datetime.datetime,
) -> Proposal:
    """A second agent refuses, saying why: nothing changes."""
    refusal_reason = _check_reason(refusal_reason, field="refusal_reason")
    proposal = _locked(proposal_id, decider, now)
    proposal.refusal_reason = refusal_reason
    _decided(proposal, ProposalStatus.REFUSED, decider, now)
    _audit(
        proposal,
        _subject(proposal),
        Action.PROPOSAL_REFUSED,
        actor=decider,
        ip_address=ip_address,
        reason=refusal_reason,
    )
    return proposal


def proposal_rows(proposal: Proposal) -> list[tuple[str, str, str]]:
    """Exactly what approving will change: (what, now, after)."""
    subject = _subject(proposal)
    if subject is None:
        return [(_("Objet"), proposal.subject_repr, _("n’existe plus"))]
    return SPECS[proposal.kind].rows(proposal, subject)
