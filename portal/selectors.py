from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from accounts.models import User
from audit.models import Action, AuditEvent
from companies.models import Company, Membership, MembershipStatus, Role


@dataclass(frozen=True)
class SuspendedAccess:
    """A company the person belongs to but may not open for now, and whom to ask."""

    membership: Membership
    admins: list[User]


@dataclass(frozen=True)
class Picker:
    memberships: list[Membership]  # the companies the person may open
    suspended: list[SuspendedAccess]


def picker_for(*, user: User) -> Picker:
    """The companies the user may open, with their role in each, and those where their access
    is suspended with each one's active administrators: two queries, whatever their number."""
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("company")
        .order_by("company__name", "company_id")
    )
    suspended = [m for m in memberships if m.status == MembershipStatus.SUSPENDED]
    admins: dict[int, list[User]] = {}
    if suspended:
        for admin in (
            Membership.objects.active()
            .filter(company_id__in=[m.company_id for m in suspended], role=Role.ADMIN)
            .select_related("user")
            .order_by("user__last_name", "pk")
        ):
            admins.setdefault(admin.company_id, []).append(admin.user)
    return Picker(
        memberships=[m for m in memberships if m.status == MembershipStatus.ACTIVE],
        suspended=[SuspendedAccess(m, admins.get(m.company_id, [])) for m in suspended],
    )


@dataclass(frozen=True)
class FormerMembership:
    """What a person who can no longer open a company is told: suspended or removed, and whom
    to ask (its active administrators)."""

    company: Company
    suspended: bool
    admins: list[User]


def former_membership(*, user: User | AnonymousUser, company_id: int) -> FormerMembership | None:
    """The person's suspended membership of the company, or its removal; None for anyone who was
    never a member (they get the 404 everyone else gets)."""
    if not user.is_authenticated:
        return None
    suspended = (
        Membership.objects.filter(
            user=user, company_id=company_id, status=MembershipStatus.SUSPENDED
        )
        .select_related("company")
        .first()
    )
    if suspended is not None:
        company = suspended.company
    else:
        removed = AuditEvent.objects.filter(
            Q(data__user=user.pk) | Q(data__email=user.email),
            company_id=company_id,
            action__in=[Action.MEMBER_REMOVED, Action.SUPPORT_MEMBERSHIP_DELETED],
        )
        if (
            not removed.exists()
            or Membership.objects.filter(user=user, company_id=company_id).exists()
        ):
            return None
        company = Company.objects.get(pk=company_id)
    admins = [
        m.user
        for m in Membership.objects.active()
        .filter(company=company, role=Role.ADMIN)
        .select_related("user")
        .order_by("user__last_name", "pk")
    ]
    return FormerMembership(company=company, suspended=suspended is not None, admins=admins)
