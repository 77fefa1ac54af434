from collections import defaultdict

from django.db.models import QuerySet

from invitations.models import Invitation
from permissions.models import Grant
from teams.models import Company, Membership, RightsChange, RightsChangeStatus


def team_members(*, company: Company) -> QuerySet[Membership]:
    """Everyone in the company, administrators first, with what the team page shows of them."""
    return (
        Membership.objects.filter(company=company)
        .select_related("user")
        .only(
            "company_id",
            "role",
            "status",
            "created_at",
            "user__first_name",
            "user__last_name",
            "user__email",
        )
        .order_by("role", "user__last_name", "user__first_name", "pk")
    )


def team_rights(*, company: Company) -> dict[int, list[str]]:
    """Each member's right codes by membership id, in one query and without model instances."""
    rights: dict[int, list[str]] = defaultdict(list)
    grants = Grant.objects.filter(membership__company=company).order_by("membership_id", "right")
    for membership_id, right in grants.values_list("membership_id", "right"):
        rights[membership_id].append(right)
    return rights


def open_invitations(*, company: Company) -> QuerySet[Invitation]:
    return (
        Invitation.objects.open()
        .filter(company=company)
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def team_member(*, company: Company, membership_id: int) -> Membership | None:
    """One member of the company with their rights, or None: another company's looks missing."""
    return (
        Membership.objects.filter(company=company, pk=membership_id)
        .select_related("user", "company")
        .prefetch_related("grants")
        .first()
    )


def pending_rights_change(*, membership: Membership) -> RightsChange | None:
    return (
        RightsChange.objects.filter(
            membership=membership, status=RightsChangeStatus.AWAITING_SIGNATURE
        )
        .order_by("-pk")
        .first()
    )


def rights_change_to_sign(
    *, company: Company, membership_id: int, change_id: int
) -> RightsChange | None:
    return (
        RightsChange.objects.filter(
            pk=change_id, membership_id=membership_id, membership__company=company
        )
        .select_related("membership__user", "membership__company", "challenge")
        .prefetch_related("membership__grants")
        .first()
    )
