"""The company space: one section per right, in catalogue order, each behind its right."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from companies.models import Membership
from permissions.catalogue import CATALOGUE, Right
from permissions.checks import held_rights

# The page each right opens (its URL takes the company id).
SECTION_URLS: dict[Right, str] = {
    Right.DOCUMENTS: "documents:index",
    Right.FUND_OPERATIONS: "client_requests:fund_operations",
    Right.COMPANY_REQUESTS: "client_requests:company_requests",
    Right.TREASURY: "treasury:index",
    Right.BANK_DETAILS: "client_requests:bank_details",
    Right.EARLY_BUYOUT: "client_requests:early_buyout",
}


@dataclass(frozen=True)
class Section:
    right: Right
    label: str | Promise
    url: str


def sections_for(membership: Membership) -> list[Section]:
    """The sections this member may open, in catalogue order."""
    held = held_rights(membership)
    return [
        Section(
            right=right,
            label=CATALOGUE[right].short_label,
            url=reverse(url_name, kwargs={"company_id": membership.company_id}),
        )
        for right, url_name in SECTION_URLS.items()
        if right in held
    ]
