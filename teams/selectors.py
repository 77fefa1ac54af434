import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max, QuerySet

from audit.models import AuditEvent
from companies.models import Company, Membership
from permissions.models import Grant
from teams.models import RightsChange, RightsChangeStatus


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


@dataclass(frozen=True)
class AccessReview:
    """The company's members with their grants, and when each last changed rights or acted."""

    members: list[Membership]
    rights_changed_at: dict[int, datetime.datetime]  # by membership id
    last_event_at: dict[int, datetime.datetime]  # by user id: their latest audit event here


def access_review(*, company: Company) -> AccessReview:
    """Four queries whatever the size of the team: members, grants, rights changes, audit."""
    members = list(
        Membership.objects.filter(company=company)
        .select_related("user")
        .prefetch_related("grants")
        .order_by("role", "user__last_name", "user__first_name", "pk")
    )
    for member in members:
        member.company = company  # one object: held_rights reads its contracts once
    changed_at: dict[int, datetime.datetime] = {}
    for member in members:
        granted = [grant.granted_at for grant in member.grants.all()]
        if granted:
            changed_at[member.pk] = max(granted)
    applied = (
        RightsChange.objects.filter(membership__company=company, status=RightsChangeStatus.APPLIED)
        .values("membership_id")
        .annotate(latest=Max("applied_at"))
        .values_list("membership_id", "latest")
    )
    for membership_id, latest in applied:
        if membership_id not in changed_at or latest > changed_at[membership_id]:
            changed_at[membership_id] = latest
    events = (
        AuditEvent.objects.filter(company=company, actor__isnull=False)
        .values("actor_id")
        .annotate(latest=Max("occurred_at"))
        .values_list("actor_id", "latest")
    )
    return AccessReview(
        members=members,
        rights_changed_at=changed_at,
        last_event_at=dict(events),
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
