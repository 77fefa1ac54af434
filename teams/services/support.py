"""The bank's support staff change a team from the Django admin, through the same rules as the
portal: a company keeps an active administrator, a suspended or removed member's authorisation is
closed, a right is granted only if the company's contracts allow it, every change is audited.

A rights change by support is a `RightsChange` of origin "support": applied at once, with no
signature. An access authorisation is the evidence of an SMS code (otp.services.authorisations),
so support's change records none; it closes the member's open one instead, as an administrator's
removal does, since that one no longer states the rights the member holds. The member is emailed
and, for a right that moves money, the administrators are alerted, by the same notifications as
an administrator's change.
"""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action, AuditEvent
from audit.reasons import reason_clean, reason_refusal
from audit.services import audit_record
from companies.models import Company, Membership, MembershipStatus, Role
from companies.services import last_admin_refusal
from otp.models import ClosingReason
from otp.services import authorisation_close
from teams.models import RightsChange, RightsChangeOrigin, RightsChangeStatus
from teams.services.exceptions import TeamRefused
from teams.services.members import locked_member
from teams.services.notifications import (
    MemberNotice,
    member_notice_queue,
    rights_change_notices_queue,
)
from teams.services.rights import (
    grants_replace,
    pending_changes_supersede,
    rights_diff,
)


def _is_active_admin(role: str, status: str) -> bool:
    return role == Role.ADMIN and status == MembershipStatus.ACTIVE


def _lock_companies(company_ids: Iterable[int]) -> None:
    # lock: the companies' rows, as the portal's team changes do, so they queue up
    list(
        Company.objects.select_for_update()
        .filter(pk__in=set(company_ids))
        .order_by("pk")
        .values_list("pk")
    )


def _check_reason(reason: str) -> str:
    """Support says why, in a few words: the company reads it in its journal."""
    if refusal := reason_refusal(reason):
        raise TeamRefused(refusal, field="reason")
    return reason_clean(reason)


def _rights(membership: Membership) -> list[str]:
    return sorted(membership.grants.values_list("right", flat=True))


@transaction.atomic
def membership_rights_set_by_support(
    *,
    membership: Membership,
    rights: Iterable[str],
    actor: User,
    reason: str,
    ip_address: str | None,
    now: datetime.datetime,
) -> RightsChange:
    """Give a collaborator exactly `rights`, as support: refused as an administrator's change is
    (an administrator's rights, an unknown right, a right the company's contracts cannot give);
    applied at once, audited, the member emailed."""
    reason = _check_reason(reason)
    member = locked_member(membership_id=membership.pk, company=membership.company)
    diff = rights_diff(membership=member, rights=rights)
    if diff.changes_nothing:
        raise TeamRefused(_("Les droits de ce membre n’ont pas changé."), field="rights")
    grants_replace(member, diff)
    # a change the administrator is about to sign was asked for on the rights of before
    pending_changes_supersede(member)
    authorisation_close(
        company_id=member.company_id,
        subject_email=member.user.email,
        reason=ClosingReason.RIGHTS_CHANGED_BY_SUPPORT,
        now=now,
    )
    change = RightsChange.objects.create(
        membership=member,
        requested_by=actor,
        rights=diff.rights,
        previous_rights=diff.previous,
        ends_on=diff.ends_on,
        previous_ends_on=diff.previous_ends_on,
        status=RightsChangeStatus.APPLIED,
        origin=RightsChangeOrigin.SUPPORT,
        created_at=now,
        applied_at=now,
    )
    audit_record(
        action=Action.SUPPORT_GRANTS_CHANGED,
        actor=actor,
        company=member.company,
        target=member,
        ip_address=ip_address,
        data={
            "change": change.pk,
            "via": "support",
            "added": diff.added,
            "removed": diff.removed,
            "rights": diff.rights,
            "reason": reason,
        },
    )
    rights_change_notices_queue(change, now=now)
    return change


def _audit_changed(
    member: Membership,
    changes: dict[str, dict[str, Any]],
    *,
    created: bool,
    actor: User,
    reason: str,
    ip_address: str | None,
) -> AuditEvent:
    return audit_record(
        action=Action.SUPPORT_MEMBERSHIP_CHANGED,
        actor=actor,
        company=member.company,
        target=member,
        ip_address=ip_address,
        data={
            "created": created,
            "role": member.role,
            "status": member.status,
            "changes": changes,
            "reason": reason,
        },
    )


@transaction.atomic
def membership_add_by_support(
    *,
    user: User,
    company: Company,
    role: Role | str,
    status: MembershipStatus | str,
    actor: User,
    reason: str,
    ip_address: str | None,
    now: datetime.datetime,
) -> Membership:
    """Make `user` a member of `company` (support designates administrators); no rights yet."""
    reason = _check_reason(reason)
    _lock_companies([company.pk])
    if Membership.objects.filter(user=user, company=company).exists():
        raise TeamRefused(_("Cette personne est déjà membre de cette entreprise."), field="user")
    member = Membership.objects.create(user=user, company=company, role=role, status=status)
    changes: dict[str, dict[str, Any]] = {
        "user": {"from": None, "to": user.pk},
        "company": {"from": None, "to": company.pk},
        "role": {"from": None, "to": member.role},
        "status": {"from": None, "to": member.status},
    }
    _audit_changed(member, changes, created=True, actor=actor, reason=reason, ip_address=ip_address)
    return member


def _refuse_last_admin_leaving(member: Membership, role: str, status: str) -> None:
    if not _is_active_admin(member.role, member.status) or _is_active_admin(role, status):
        return
    if refusal := last_admin_refusal(company_id=member.company_id, leaving=[member.pk]):
        raise TeamRefused(refusal)


@transaction.atomic
def membership_set_by_support(
    *,
    membership: Membership,
    role: Role | str,
    status: MembershipStatus | str,
    actor: User,
    reason: str,
    ip_address: str | None,
    now: datetime.datetime,
) -> Membership:
    """Change a member's role or status, as support: the company keeps an active administrator;
    a suspension closes the member's open authorisation, as an administrator's does."""
    reason = _check_reason(reason)
    member = locked_member(membership_id=membership.pk, company=membership.company)
    changes = {
        name: {"from": getattr(member, name), "to": value}
        for name, value in (("role", role), ("status", status))
        if getattr(member, name) != value
    }
    if not changes:
        return member
    _refuse_last_admin_leaving(member, role, status)
    suspended = status == MembershipStatus.SUSPENDED and member.status != status
    member.role = role
    member.status = status
    member.save(update_fields=["role", "status"])
    if suspended:
        authorisation_close(
            company_id=member.company_id,
            subject_email=member.user.email,
            reason=ClosingReason.MEMBER_SUSPENDED,
            now=now,
        )
    event = _audit_changed(
        member, changes, created=False, actor=actor, reason=reason, ip_address=ip_address
    )
    for notice in _notices(changes):
        member_notice_queue(member, notice=notice, occurrence=event.pk, now=now)
    return member


def _notices(changes: dict[str, dict[str, Any]]) -> list[str]:
    """What the member is told of support's change: a new status, a new role."""
    notices = []
    if status := changes.get("status"):
        suspended = status["to"] == MembershipStatus.SUSPENDED
        notices.append(MemberNotice.SUSPENDED if suspended else MemberNotice.REACTIVATED)
    if "role" in changes:
        notices.append(MemberNotice.ROLE_CHANGED)
    return notices


def memberships_removal_refusal(*, membership_ids: Sequence[int]) -> str | None:
    """Why these memberships cannot all go: they are the last active administrators of one of
    their companies. None: they can."""
    by_company: dict[int, list[int]] = {}
    for pk, company_id in Membership.objects.filter(pk__in=membership_ids).values_list(
        "pk", "company_id"
    ):
        by_company.setdefault(company_id, []).append(pk)
    for company_id, leaving in sorted(by_company.items()):
        if refusal := last_admin_refusal(company_id=company_id, leaving=leaving):
            return refusal
    return None


@transaction.atomic
def memberships_remove_by_support(
    *,
    membership_ids: Sequence[int],
    actor: User,
    reason: str,
    ip_address: str | None,
    now: datetime.datetime,
) -> int:
    """Take these members out of their companies with their rights, as support; the audit keeps
    what each held and their open authorisation is closed. How many went."""
    reason = _check_reason(reason)
    _lock_companies(
        Membership.objects.filter(pk__in=membership_ids).values_list("company_id", flat=True)
    )
    if refusal := memberships_removal_refusal(membership_ids=membership_ids):
        raise TeamRefused(refusal)
    members = list(
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "company")
        .filter(pk__in=membership_ids)
        .order_by("pk")
    )
    for member in members:
        event = audit_record(
            action=Action.SUPPORT_MEMBERSHIP_DELETED,
            actor=actor,
            company=member.company,
            target=member,
            ip_address=ip_address,
            data={
                "role": member.role,
                "status": member.status,
                "rights": _rights(member),
                "user": member.user_id,
                "reason": reason,
            },
        )
        member_notice_queue(member, notice=MemberNotice.REMOVED, occurrence=event.pk, now=now)
        authorisation_close(
            company_id=member.company_id,
            subject_email=member.user.email,
            reason=ClosingReason.MEMBER_REMOVED,
            now=now,
        )
    Membership.objects.filter(pk__in=[member.pk for member in members]).delete()
    return len(members)
