"""Helpers shared by the team views."""

import dataclasses
from collections.abc import Iterable

from django.urls import reverse

from permissions.catalogue import RightOption
from permissions.checks import CompanyRequest
from permissions.selectors import grantable_rights
from teams.models import Membership


def member_url(request: CompanyRequest, membership_id: int) -> str:
    return reverse("teams:member", args=[request.company.pk, membership_id])


def rights_options(
    membership: Membership, *, checked: Iterable[str], held: Iterable[str]
) -> list[tuple[RightOption, bool]]:
    """The catalogue as the member's rights form offers it: a right the company can no longer
    grant stays available to a member who holds it, so that it can be removed."""
    ticked, holds = set(checked), set(held)
    options = []
    for option in grantable_rights(membership.company):
        if not option.enabled and option.code in holds:
            option = dataclasses.replace(option, enabled=True, reason="")
        options.append((option, option.code in ticked))
    return options
