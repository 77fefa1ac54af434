"""Changing a collaborator's rights: a removal at once, an addition signed with an SMS code.

The code is bound to the digest of the new full set of rights and their end dates; a new end
date on a right kept (an extension, or a shorter term) is signed like an addition. The rights a
company's administrators hold are not edited (they hold every right, designated by support).
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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
from permissions.catalogue import Right, sorted_rights
from permissions.end_dates import (
    EndDateRefused,
    EndDates,
    dated_specs,
    end_dates_checked,
    is_current,
    local_today,
)
from permissions.forms import end_date_field_name
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
    ends_on: EndDates = field(default_factory=dict)
    previous_ends_on: EndDates = field(default_factory=dict)

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
    def redated(self) -> list[str]:
        """The rights kept whose end date changes (extended, shortened, set or lifted)."""
        return [r for r in self.kept if self.ends_on.get(r) != self.previous_ends_on.get(r)]

    @property
    def needs_signature(self) -> bool:
        return bool(self.added or self.redated)

    @property
    def changes_nothing(self) -> bool:
        return self.rights == self.previous and not self.redated


def _codes(rights: Iterable[str]) -> list[str]:
    return [right.value for right in sorted_rights(rights)]


def _current(membership: Membership, today: datetime.date | None) -> list[Grant]:
    day = today or local_today()
    return [grant for grant in membership.grants.all() if is_current(grant.ends_on, day)]


def member_rights(membership: Membership, *, today: datetime.date | None = None) -> list[str]:
    """What a collaborator holds today, in catalogue order (prefetched grants are used)."""
    return _codes(grant.right for grant in _current(membership, today))


def member_end_dates(membership: Membership, *, today: datetime.date | None = None) -> EndDates:
    """The end dates of what a collaborator holds today: {right: "YYYY-MM-DD"}."""
    return {
        grant.right: grant.ends_on.isoformat()
        for grant in sorted(_current(membership, today), key=lambda grant: grant.right)
        if grant.ends_on is not None
    }


def rights_diff(
    *,
    membership: Membership,
    rights: Iterable[str],
    ends_on: Mapping[str, datetime.date | str | None] | None = None,
    today: datetime.date | None = None,
) -> RightsDiff:
    """The change as the administrator asks for it, refused if it cannot be made; `ends_on`
    None keeps the end dates the member's rights have."""
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
    day = today or local_today()
    previous = member_rights(membership, today=day)
    if refusal := ungrantable_refusal(membership.company, chosen, held=previous):
        raise TeamRefused(refusal, field="rights")
    previous_ends_on = member_end_dates(membership, today=day)
    try:
        dates = end_dates_checked(
            chosen,
            previous_ends_on if ends_on is None else ends_on,
            today=day,
            kept=previous_ends_on,
        )
    except EndDateRefused as refused:
        raise TeamRefused(refused.message, field=end_date_field_name(refused.right)) from None
    return RightsDiff(
        previous=previous,
        rights=_codes(chosen),
        ends_on=dates,
        previous_ends_on=previous_ends_on,
    )


def pending_changes_supersede(membership: Membership) -> None:
    RightsChange.objects.filter(
        membership=membership, status=RightsChangeStatus.AWAITING_SIGNATURE
    ).update(status=RightsChangeStatus.SUPERSEDED)


def grants_replace(membership: Membership, diff: RightsDiff) -> None:
    """The member's grants become the diff's rights and end dates; a grant whose end passed and
    that the daily task has not closed yet goes too (or is granted again, if chosen)."""
    Grant.objects.filter(membership=membership).exclude(right__in=diff.kept).delete()
    Grant.objects.bulk_create(
        Grant(membership=membership, right=r, ends_on=_day(diff.ends_on.get(r)))
        for r in diff.rights
        if r not in diff.kept
    )
    for right in diff.redated:
        Grant.objects.filter(membership=membership, right=right).update(
            ends_on=_day(diff.ends_on.get(right))
        )


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


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
    today = local_today(now)
    diff = rights_diff(membership=membership, rights=rights, today=today)
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
        ends_on=diff.ends_on,
        previous_ends_on=diff.previous_ends_on,
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
    ends_on: Mapping[str, datetime.date | str | None] | None = None,
    now: datetime.datetime,
) -> RightsChange:
    """A change that adds rights or changes an end date, waiting for a signature; asking again
    for the same one keeps it."""
    membership = locked_member(membership_id=membership_id, company=company)
    diff = rights_diff(
        membership=membership, rights=rights, ends_on=ends_on, today=local_today(now)
    )
    if not diff.needs_signature:
        raise TeamRefused(_("Aucun droit n’est ajouté : aucune signature n’est nécessaire."))
    pending = (
        RightsChange.objects.filter(
            membership=membership, status=RightsChangeStatus.AWAITING_SIGNATURE
        )
        .order_by("-pk")
        .first()
    )
    if (
        pending
        and pending.rights == diff.rights
        and pending.previous_rights == diff.previous
        and pending.ends_on == diff.ends_on
        and pending.previous_ends_on == diff.previous_ends_on
    ):
        return pending
    pending_changes_supersede(membership)
    return RightsChange.objects.create(
        membership=membership,
        requested_by=requested_by,
        rights=diff.rights,
        previous_rights=diff.previous,
        ends_on=diff.ends_on,
        previous_ends_on=diff.previous_ends_on,
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
        "ends_on": {r: d for r, d in sorted(change.ends_on.items()) if r in change.rights},
    }


def signature_statement(change: RightsChange, *, signer: User) -> str:
    return render_to_string(
        "teams/statement.txt",
        {
            "change": change,
            "company": change.membership.company,
            "member": change.membership.user,
            "signer": signer,
            "rights": dated_specs(change.rights, change.ends_on),
            "added": dated_specs(change.added, change.ends_on),
            "removed": dated_specs(change.removed, {}),
            "redated": dated_specs(change.extended, change.ends_on),
        },
    ).strip()


def _open_for_signature(
    change_id: int, membership_id: int, company: Company, now: datetime.datetime
) -> RightsChange:
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
    if (
        membership.is_admin
        or member_rights(membership, today=local_today(now)) != change.previous_rights
        or member_end_dates(membership, today=local_today(now)) != change.previous_ends_on
    ):
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
        change = _open_for_signature(change_id, membership_id, company, now)
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
    diff = RightsDiff(
        previous=change.previous_rights,
        rights=change.rights,
        ends_on=change.ends_on,
        previous_ends_on=change.previous_ends_on,
    )
    change.authorisation = otp.authorisation_record(
        kind=AuthorisationKind.RIGHTS_CHANGE,
        verification=verification,
        company=membership.company,
        signer=signer,
        subject_email=member.email,
        subject_name=member.get_full_name() or member.email,
        rights=diff.rights,
        ends_on=diff.ends_on,
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
        "ends_on": diff.ends_on,
        **({"redated": diff.redated} if diff.redated else {}),
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
        change = _open_for_signature(change_id, membership_id, company, now)
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
