"""Suspending, reactivating and removing a member; a company always keeps an active administrator."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from portal.models import User
from teams.models import Company, Membership, MembershipStatus, Role
from teams.services.exceptions import TeamRefused


def last_admin_refusal(*, company_id: int, leaving: Iterable[int], joining: int = 0) -> str | None:
    """Why the memberships `leaving` (removed, suspended or no longer administrators) cannot go:
    they are all the company's active administrators and `joining` brings none. None: they can.

    A company that has no active administrator yet (being set up by support) is not refused.
    """
    active = set(
        Membership.objects.active()
        .filter(company_id=company_id, role=Role.ADMIN)
        .values_list("pk", flat=True)
    )
    if active and not (active - set(leaving)) and not joining:
        return _(
            "L’entreprise doit garder au moins un administrateur actif : le dernier ne peut être "
            "ni suspendu, ni retiré, ni changé en collaborateur."
        )
    return None


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


def _rights_of(member: Membership) -> list[str]:
    return sorted(member.grants.values_list("right", flat=True))


@transaction.atomic
def member_suspend(
    *, membership_id: int, company: Company, actor: User, ip_address: str | None
) -> Membership:
    """The member loses access at their next request; their rights are kept for a reactivation."""
    member = locked_member(membership_id=membership_id, company=company)
    _refuse_self(member, actor, _("Vous ne pouvez pas suspendre votre propre accès."))
    if member.status == MembershipStatus.SUSPENDED:
        raise TeamRefused(_("Ce membre est déjà suspendu."))
    _refuse_last_admin(member)
    member.status = MembershipStatus.SUSPENDED
    member.save(update_fields=["status"])
    audit_record(
        action=Action.MEMBER_SUSPENDED,
        actor=actor,
        company=company,
        target=member,
        ip_address=ip_address,
        data={"role": member.role, "rights": _rights_of(member)},
    )
    return member


@transaction.atomic
def member_reactivate(
    *, membership_id: int, company: Company, actor: User, ip_address: str | None
) -> Membership:
    member = locked_member(membership_id=membership_id, company=company)
    if member.status == MembershipStatus.ACTIVE:
        raise TeamRefused(_("Ce membre est déjà actif."))
    member.status = MembershipStatus.ACTIVE
    member.save(update_fields=["status"])
    audit_record(
        action=Action.MEMBER_REACTIVATED,
        actor=actor,
        company=company,
        target=member,
        ip_address=ip_address,
        data={"role": member.role, "rights": _rights_of(member)},
    )
    return member


@transaction.atomic
def member_remove(
    *, membership_id: int, company: Company, actor: User, ip_address: str | None
) -> Membership:
    """The member leaves the company with their rights; the audit keeps what they held."""
    member = locked_member(membership_id=membership_id, company=company)
    _refuse_self(member, actor, _("Vous ne pouvez pas vous retirer vous-même de l’entreprise."))
    _refuse_last_admin(member)
    audit_record(
        action=Action.MEMBER_REMOVED,
        actor=actor,
        company=company,
        target=member,
        ip_address=ip_address,
        data={
            "email": member.user.email,
            "role": member.role,
            "status": member.status,
            "rights": _rights_of(member),
        },
    )
    member.delete()
    return member
