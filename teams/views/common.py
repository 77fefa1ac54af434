"""Helpers shared by the team views."""

import dataclasses
from collections.abc import Iterable

from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from companies.models import Membership
from permissions.catalogue import RightOption
from permissions.checks import CompanyRequest
from permissions.selectors import grantable_rights
from teams.forms import MemberFilterForm
from teams.selectors import MemberFilters

# a page number past this one is not a page anyone reached by following links
MAX_PAGE = 100_000

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


def member_filters(request: CompanyRequest) -> tuple[MemberFilterForm, MemberFilters]:
    """The search, filters and sort in the URL; a value the form does not offer is ignored."""
    form = MemberFilterForm(request.GET)
    data = form.valid_data()
    return form, MemberFilters(
        query=str(data.get("q") or ""),
        role=str(data.get("role") or ""),
        status=str(data.get("status") or ""),
        right=str(data.get("right") or ""),
        moves_money=bool(data.get("money")),
        sort=str(data.get("sort") or ""),
    )


def page_number(request: CompanyRequest, name: str = "page") -> int:
    """The page asked for in the URL: 1 when it is missing or not a number."""
    try:
        number = int(request.GET.get(name, ""))
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def varies_with_htmx(response: HttpResponse) -> HttpResponse:
    """The same URL answers a whole page or, to htmx, a fragment: caches keep them apart."""
    patch_vary_headers(response, ("HX-Request",))
    return response
