"""Helpers shared by the team views."""

import dataclasses
from collections.abc import Iterable

from django.urls import reverse

from companies.models import Membership
from permissions.catalogue import RightOption
from permissions.checks import CompanyRequest
from permissions.selectors import grantable_rights

# a rights removal started from the access review comes back to it (`back` in the form)
ACCESS_REVIEW = "access_review"


def member_url(request: CompanyRequest, membership_id: int) -> str:
    return reverse("teams:member", args=[request.company.pk, membership_id])


def back_from(request: CompanyRequest) -> str:
    """ACCESS_REVIEW when the change started on the access review, else ""."""
    return ACCESS_REVIEW if request.POST.get("back") == ACCESS_REVIEW else ""


def back_url(request: CompanyRequest, membership_id: int) -> str:
    """Where a rights change returns: the access review when it started there, else the member."""
    if back_from(request):
        return reverse("teams:access_review", args=[request.company.pk])
    return member_url(request, membership_id)


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
