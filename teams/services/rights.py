"""Changing a collaborator's rights: a removal at once, an addition signed with an SMS code.

The code is bound to the digest of the new full set of rights; the rights a company's
administrators hold are not edited (they hold every right, designated by support).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from companies.models import Company, Membership
from otp import services as otp
from otp import signing
from otp.models import AuthorisationKind, ClosingReason, SignatureChallenge
from otp.passkeys import PasskeyAssertion
from permissions.catalogue import Right, sorted_rights, specs_for
from permissions.models import Grant
from permissions.selectors import ungrantable_refusal
from teams.models import RightsChange, RightsChangeStatus
from teams.services.exceptions import TeamRefused
from teams.services.members import locked_member
from teams.services.notifications import rights_change_notices_queue

PURPOSE = "rights_change"


@dataclass(frozen=True)
class RightsDiff:
    """The member's rights now and after the change, in catalogue order."""

    previous: list[str]
    rights: list[str]

    @property
    def added(self) -> list[str]:
        return [r for r in self.rights if r not in self.previous]

    @property
    def removed(self) -> list[str]:
        return [r for r in self.previous if r not in self.rights]

    @property
    def kept(self) -> list[str]:
        return [r for r in self.rights if r in self.previous]

    @property
    def changes_nothing(self) -> bool:
        return self.rights == self.previous


def _codes(rights: Iterable[str]) -> list[str]:
    return [right.value for right in sorted_rights(rights)]


def member_rights(membership: Membership) -> list[str]:
    """What a collaborator holds, in catalogue order (prefetched grants are used)."""
    return _codes(grant.right for grant in membership.grants.all())


def rights_diff(*, membership: Membership, rights: Iterable[str]) -> RightsDiff:
    """The change as the administrator asks for it, refused if it cannot be made."""
    if membership.is_admin:
        raise TeamRefused(
            _(
                "Un administrateur détient tous les droits : ils ne se modifient pas. Les "
                "administrateurs sont désignés par le support de la banque."
            )
        )
    chosen = set(rights)
    if unknown := chosen - set(Right.values):
        raise TeamRefused(
            _("Droit inconnu : %(r)s.") % {"r": ", ".join(sorted(unknown))}, field="rights"
        )
    previous = member_rights(membership)
    if refusal := ungrantable_refusal(membership.company, chosen, held=previous):
        raise TeamRefused(refusal, field="rights")
    return RightsDiff(previous=previous, rights=_codes(chosen))


def pending_changes_supersede(membership: Membership) -> None:
    RightsChange.objects.filter(
        membership=membership, status=RightsChangeStatus.AWAITING_SIGNATURE
    ).update(status=RightsChangeStatus.SUPERSEDED)


def grants_replace(membership: Membership, diff: RightsDiff) -> None:
    Grant.objects.filter(membership=membership, right__in=diff.removed).delete()
    Grant.objects.bulk_create(Grant(membership=membership, right=r) for r in diff.added)


@transaction.atomic
def rights_remove(
    *,
    membership_id: int,
    company: Company,
    actor: User,
    rights: Iterable[str],
    ip_address: str | None,
    now: datetime.datetime,
) -> RightsChange:
    """Remove rights at once, without a code: `rights` is the new full set, a subset of today's."""
    membership = locked_member(membership_id=membership_id, company=company)
    diff = rights_diff(membership=membership, rights=rights)
    if diff.added:
        raise TeamRefused(_("Ajouter un droit demande votre signature par code SMS."))
    if not diff.removed:
        raise TeamRefused(_("Aucun droit n’est retiré : rien n’a changé."))
    grants_replace(membership, diff)
    pending_changes_supersede(membership)
    otp.authorisation_close(
        company_id=company.pk,
        subject_email=membership.user.email,
        reason=ClosingReason.RIGHTS_REMOVED,
        now=now,
    )
    change = RightsChange.objects.create(
        membership=membership,
        requested_by=actor,
        rights=diff.rights,
        previous_rights=diff.previous,
        status=RightsChangeStatus.APPLIED,
        created_at=now,
        applied_at=now,
    )
    audit_record(
        action=Action.RIGHTS_REMOVED,
        actor=actor,
        company=company,
        target=membership,
        ip_address=ip_address,
        data={"change": change.pk, "removed": diff.removed, "rights": diff.rights},
    )
    rights_change_notices_queue(change, now=now)
    return change


@transaction.atomic
def rights_change_request(
    *,
    membership_id: int,
    company: Company,
    requested_by: User,
    rights: Iterable[str],
    now: datetime.datetime,
) -> RightsChange:
    """A change that adds rights, waiting for a signature; asking again for the same one keeps it."""
    membership = locked_member(membership_id=membership_id, company=company)
    diff = rights_diff(membership=membership, rights=rights)
    if not diff.added:
        raise TeamRefused(_("Aucun droit n’est ajouté : aucune signature n’est nécessaire."))
    pending = (
        RightsChange.objects.filter(
            membership=membership, status=RightsChangeStatus.AWAITING_SIGNATURE
        )
        .order_by("-pk")
        .first()
    )
    if pending and pending.rights == diff.rights and pending.previous_rights == diff.previous:
        return pending
    pending_changes_supersede(membership)
    return RightsChange.objects.create(
        membership=membership,
        requested_by=requested_by,
        rights=diff.rights,
        previous_rights=diff.previous,
        created_at=now,
    )


def signature_payload(change: RightsChange, *, signer: User) -> dict[str, Any]:
    """Exactly what the administrator sees and signs; the SMS code is bound to its digest."""
    return {
        "purpose": PURPOSE,
        "kind": AuthorisationKind.RIGHTS_CHANGE.value,
        "company": change.membership.company_id,
        "signer": signer.pk,
        "member": change.membership_id,
        "rights": _codes(change.rights),
    }


def signature_statement(change: RightsChange, *, signer: User) -> str:
    return render_to_string(
        "teams/statement.txt",
        {
            "change": change,
            "company": change.membership.company,
            "member": change.membership.user,
            "signer": signer,
            "rights": specs_for(change.rights),
            "added": specs_for(change.added),
            "removed": specs_for(change.removed),
        },
    ).strip()


def _open_for_signature(change_id: int, membership_id: int, company: Company) -> RightsChange:
    membership = locked_member(membership_id=membership_id, company=company)
    change = (
        RightsChange.objects.select_for_update(of=("self",))
        .select_related("challenge")
        .get(pk=change_id, membership=membership)
    )
    change.membership = membership
    if not change.awaits_signature:
        raise TeamRefused(
            _("Cette modification des droits a déjà été signée ou n’est plus en cours.")
        )
    if membership.is_admin or member_rights(membership) != change.previous_rights:
        raise TeamRefused(
            _(
                "Les droits de ce membre ont changé depuis votre demande : recommencez la "
                "modification."
            )
        )
    return change


def rights_change_request_code(
    *,
    change_id: int,
    membership_id: int,
    company: Company,
    signer: User,
    ip_address: str | None,
    now: datetime.datetime,
) -> SignatureChallenge:
    """Send the signature code; a second request for the same content is a resend."""
    otp.signing_check(signer=signer, now=now)
    with transaction.atomic():
        change = _open_for_signature(change_id, membership_id, company)
        challenge, is_resend = signing.challenge_for(
            change,
            signer=signer,
            purpose=PURPOSE,
            payload=signature_payload(change, signer=signer),
            now=now,
        )
    member = change.membership.user
    return signing.code_send(
        challenge,
        target=change,
        company=company,
        signer=signer,
        reason=_("modifier les droits de %(name)s")
        % {"name": member.get_full_name() or member.email},
        is_resend=is_resend,
        ip_address=ip_address,
        now=now,
    )


def _apply_signed(
    change: RightsChange,
    verification: otp.Verification,
    *,
    signer: User,
    ip_address: str | None,
    user_agent: str,
    now: datetime.datetime,
) -> None:
    membership = change.membership
    member = membership.user
    diff = RightsDiff(previous=change.previous_rights, rights=change.rights)
    change.authorisation = otp.authorisation_record(
        kind=AuthorisationKind.RIGHTS_CHANGE,
        verification=verification,
        company=membership.company,
        signer=signer,
        subject_email=member.email,
        subject_name=member.get_full_name() or member.email,
        rights=diff.rights,
        statement=signature_statement(change, signer=signer),
        ip_address=ip_address,
        user_agent=user_agent,
        now=now,
    )
    grants_replace(membership, diff)
    change.status = RightsChangeStatus.APPLIED
    change.applied_at = now
    change.save(update_fields=["authorisation", "status", "applied_at"])
    data = {
        "change": change.pk,
        "authorisation": str(change.authorisation.pk),
        "added": diff.added,
        "removed": diff.removed,
        "rights": diff.rights,
    }
    for action, happened in ((Action.RIGHTS_ADDED, True), (Action.RIGHTS_REMOVED, diff.removed)):
        if happened:
            audit_record(
                action=action,
                actor=signer,
                company=membership.company,
                target=membership,
                ip_address=ip_address,
                data=data,
            )
    rights_change_notices_queue(change, now=now)


def rights_change_sign(
    *,
    change_id: int,
    membership_id: int,
    company: Company,
    signer: User,
    code: str = "",
    assertion: PasskeyAssertion | None = None,
    ip_address: str | None,
    user_agent: str,
    now: datetime.datetime,
) -> RightsChange:
    """Check the code; if right, record the authorisation and apply the new set in one transaction."""
    with transaction.atomic():
        change = _open_for_signature(change_id, membership_id, company)
        verification = signing.signature_verify(
            change,
            company=company,
            signer=signer,
            payload=signature_payload(change, signer=signer),
            code=code,
            assertion=assertion,
            ip_address=ip_address,
            now=now,
        )
        if verification.ok:
            _apply_signed(
                change,
                verification,
                signer=signer,
                ip_address=ip_address,
                user_agent=user_agent,
                now=now,
            )
    if not verification.ok:
        raise otp.SignatureError(verification.message)
    return change
