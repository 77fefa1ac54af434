from django.db.models import Prefetch, QuerySet

from invitations.models import Invitation
from permissions.models import Grant
from teams.models import Company, Membership


def team_members(*, company: Company) -> QuerySet[Membership]:
    """Everyone in the company, administrators first, with their rights in one more query."""
    return (
        Membership.objects.filter(company=company)
        .select_related("user")
        .prefetch_related(Prefetch("grants", queryset=Grant.objects.order_by("right")))
        .order_by("role", "user__last_name", "user__first_name", "pk")
    )


def open_invitations(*, company: Company) -> QuerySet[Invitation]:
    return (
        Invitation.objects.open()
        .filter(company=company)
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )
