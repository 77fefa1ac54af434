from typing import Any

from permissions.catalogue import CATALOGUE, Right, RightSpec, sorted_rights
from teams.models import Membership


def memberships_for_picker(*, user: Any) -> list[Membership]:
    """The companies the user may open, with their role in each, in one query."""
    return list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("company")
        .order_by("company__name", "company_id")
    )


def right_specs(rights: frozenset[Right] | set[Right]) -> list[RightSpec]:
    """The catalogue entries of the rights held, in catalogue order."""
    return [CATALOGUE[right] for right in sorted_rights(rights)]
