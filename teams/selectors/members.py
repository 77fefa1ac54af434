"""One member of a company, and the rights changes waiting for a signature."""

from django.db.models import OuterRef, QuerySet, Subquery

from companies.models import Company, Membership
from teams.models import RightsChange, RightsChangeStatus
from teams.selectors.listing import with_rights


def team_member(*, company: Company, membership_id: int) -> Membership | None:
    """One member of the company with their rights, or None: another company's looks missing."""
    return (
        Membership.objects.filter(company=company, pk=membership_id)
        .select_related("user", "company")
        .prefetch_related("grants")
        .first()
    )


def _awaiting_signature() -> QuerySet[RightsChange]:
    return RightsChange.objects.filter(status=RightsChangeStatus.AWAITING_SIGNATURE)


def member_for_page(*, company: Company, membership_id: int) -> Membership | None:
    """A member as their page shows them, in one query: their rights (`granted_rights`) and the
    id of a rights change awaiting signature (`pending_change_id`, or None) come with them."""
    member = (
        with_rights(Membership.objects.filter(company=company, pk=membership_id))
        .select_related("user")
        .annotate(
            pending_change_id=Subquery(
                _awaiting_signature()
                .filter(membership=OuterRef("pk"))
                .order_by("-pk")
                .values("pk")[:1]
            )
        )
        .first()
    )
    if member is not None:
        member.company = company  # one object: the company's contracts are read once a request
    return member


def pending_rights_change(*, membership: Membership) -> RightsChange | None:
    return _awaiting_signature().filter(membership=membership).order_by("-pk").first()


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
