from accounts.models import User
from companies.models import Membership


def memberships_for_picker(*, user: User) -> list[Membership]:
    """The companies the user may open, with their role in each, in one query."""
    return list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("company")
        .order_by("company__name", "company_id")
    )
