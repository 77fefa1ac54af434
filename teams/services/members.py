"""Suspending, reactivating and removing a member; a company always keeps an active administrator."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action, AuditEvent
from audit.services import audit_record
from companies.models import Company, Membership, MembershipStatus
from companies.services import last_admin_refusal
from otp.models import ClosingReason
from otp.services import authorisation_close
from teams.services.exceptions import TeamRefused
from teams.services.notifications import MemberNotice, member_notice_queue


def locked_member(*, membership_id: int, company: Company) -> Membership:
    """The member under lock, after the company's row: changes of one company's team queue up,
    so two administrators suspending each other cannot leave it without one."""
    Company.objects.select_for_update().filter(pk=company.pk).values_list("pk").get()
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "company")
        .get(pk=membership_id, company=company)
    )


def _refuse_self(member: Membership, actor: User, message: str) -> None:
    if member.user_id == actor.pk:
        raise TeamRefused(message)


def _refuse_last_admin(member: Membership) -> None:
    if not member.is_admin:
        return
    if refusal := last_admin_refusal(company_id=member.company_id, leaving=[member.pk]):
        raise TeamRefused(refusal)


def _audit(
    member: Membership,
    action: Action,
    *,
    actor: User,
    ip_address: str | None,
    **data: str | int,
) -> AuditEvent:
    return audit_record(
        action=action,
        actor=actor,
        company=member.company,
        target=member,
        ip_address=ip_address,
        data={
            **data,
            "role": member.role,
            "rights": sorted(member.grants.values_list("right", flat=True)),
        },
    )


def _close_authorisation(member: Membership, reason: ClosingReason) -> None:
    authorisation_close(
        company_id=member.company_id,
        subject_email=member.user.email,
        reason=reason,
        now=timezone.now(),
    )


def _status_set(
    *,
    membership_id: int,
    company: Company,
    actor: User,
    ip_address: str | None,
    status: MembershipStatus,
    already: str,
    action: Action,
    notice: str,
) -> Membership:
    member = locked_member(membership_id=membership_id, company=company)
    suspending = status == MembershipStatus.SUSPENDED
    if suspending:
        _refuse_self(member, actor, _("Vous ne pouvez pas suspendre votre propre accès."))
    if member.status == status:
        raise TeamRefused(already)
    if suspending:
        _refuse_last_admin(member)
    member.status = status
    member.save(update_fields=["status"])
    event = _audit(member, action, actor=actor, ip_address=ip_address)
    member_notice_queue(member, notice=notice, occurrence=event.pk, now=event.occurred_at)
    return member


@transaction.atomic
def member_suspend(
    *, membership_id: int, company: Company, actor: User, ip_address: str | None
) -> Membership:
    """The member loses access at their next request; their rights are kept for a reactivation,
    their open access authorisation is closed."""
    member = _status_set(
        membership_id=membership_id,
        company=company,
        actor=actor,
        ip_address=ip_address,
        status=MembershipStatus.SUSPENDED,
        already=_("Ce membre est déjà suspendu."),
        action=Action.MEMBER_SUSPENDED,
        notice=MemberNotice.SUSPENDED,
    )
    _close_authorisation(member, ClosingReason.MEMBER_SUSPENDED)
    return member


@transaction.atomic
def member_reactivate(
    *, membership_id: int, company: Company, actor: User, ip_address: str | None
) -> Membership:
    return _status_set(
        membership_id=membership_id,
        company=company,
        actor=actor,
        ip_address=ip_address,
        status=MembershipStatus.ACTIVE,
        already=_("Ce membre est déjà actif."),
        action=Action.MEMBER_REACTIVATED,
        notice=MemberNotice.REACTIVATED,
    )


@transaction.atomic
def member_remove(
    *, membership_id: int, company: Company, actor: User, ip_address: str | None
) -> Membership:
    """The member leaves the company with their rights; the audit keeps what they held."""
    member = locked_member(membership_id=membership_id, company=company)
    _refuse_self(member, actor, _("Vous ne pouvez pas vous retirer vous-même de l’entreprise."))
    _refuse_last_admin(member)
    event = _audit(
        member,
        Action.MEMBER_REMOVED,
        actor=actor,
        ip_address=ip_address,
        email=member.user.email,
        status=member.status,
        user=member.user_id,
    )
    member_notice_queue(
        member, notice=MemberNotice.REMOVED, occurrence=event.pk, now=event.occurred_at
    )
    _close_authorisation(member, ClosingReason.MEMBER_REMOVED)
    member.delete()
    return member
