"""The permission matrix: every company-space URL, walked from the resolver, for every kind of
visitor. With the page's right 200, without it 403 (a page naming the right), another company's
administrator 404, an anonymous visitor the login page. A URL nobody declared here fails the walk."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from client_requests.kinds import AttachmentPurpose, RequestKind
from client_requests.models import Attachment, ClientRequest
from permissions.catalogue import Right
from teams.models import Contract, ContractKind, Membership
from tests.security.test_url_walk import Route, all_routes

pytestmark = pytest.mark.django_db

MEMBER = "member"  # any active member of the company
ADMIN = "admin"  # the company's administrators only

# What each company-space page needs. Mes équipes and the invitation pages are tested with
# the invitations; this matrix covers the company home and the sections each right opens.
SECTION_APPS = ("documents", "treasury", "client_requests")
REQUIRES: dict[str, str | Right] = {
    "portal:company_home": MEMBER,
    "client_requests:index": MEMBER,
    "documents:index": Right.DOCUMENTS,
    "treasury:index": Right.TREASURY,
    "client_requests:company_requests": Right.COMPANY_REQUESTS,
    "client_requests:fund_operations": Right.FUND_OPERATIONS,
    "client_requests:bank_details": Right.BANK_DETAILS,
    "client_requests:early_buyout": Right.EARLY_BUYOUT,
}


def matrix_routes() -> list[Route]:
    return [
        route
        for route in all_routes()
        if "company_id" in route.params
        and (route.name.split(":")[0] in SECTION_APPS or route.name in REQUIRES)
    ]


def test_every_company_space_url_is_declared():
    undeclared = {route.name for route in matrix_routes()} - set(REQUIRES)

    assert not undeclared, f"declare what these pages need in REQUIRES: {sorted(undeclared)}"


@dataclass(frozen=True)
class Visitor:
    name: str
    rights: tuple[Right, ...] = ()
    role: str = "collaborator"  # "collaborator", "admin", "other_admin", "anonymous"


VISITORS = [
    *(Visitor(f"droit {right.value}", rights=(right,)) for right in Right),
    Visitor("administrateur", role="admin"),
    Visitor("membre sans droit"),
    Visitor("administrateur d’une autre entreprise", role="other_admin"),
    Visitor("visiteur anonyme", role="anonymous"),
]


def expected_status(requirement: str | Right, visitor: Visitor) -> int:
    if visitor.role == "anonymous":
        return 302
    if visitor.role == "other_admin":
        return 404
    if visitor.role == "admin" or requirement == MEMBER:
        return 200
    if requirement == ADMIN:
        return 403
    return 200 if requirement in visitor.rights else 403


@pytest.fixture
def world(company, admin, collaborator_with) -> dict[str, Any]:
    """One object of each kind the company-space URLs name, all of the company under test."""
    Contract.objects.filter(company=company).update(drawn_amount=0)
    contract = Contract.objects.filter(company=company, kind=ContractKind.CLUB).get()
    client_request = ClientRequest.objects.create(
        company=company, author=admin.user, kind=RequestKind.BANK_DETAILS_CHANGE
    )
    return {
        "company_id": company.pk,
        "contract_id": contract.pk,
        "request_id": client_request.pk,
    }


def client_of(visitor: Visitor, *, admin: Membership, other_admin: Membership, make: Callable) -> Client:
    client = Client()
    if visitor.role == "anonymous":
        return client
    if visitor.role == "admin":
        client.force_login(admin.user)
    elif visitor.role == "other_admin":
        client.force_login(other_admin.user)
    else:
        client.force_login(make(*visitor.rights).user)
    return client


@pytest.mark.parametrize("visitor", VISITORS, ids=lambda visitor: visitor.name)
def test_each_visitor_gets_what_their_rights_allow(
    visitor, world, admin, other_admin, collaborator_with
):
    client = client_of(visitor, admin=admin, other_admin=other_admin, make=collaborator_with)
    seen = {}
    for route in matrix_routes():
        url = reverse(route.name, kwargs={name: world[name] for name in route.params})
        response = client.get(url)
        seen[route.name] = response.status_code
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("portal:login")), route.name

    expected = {route.name: expected_status(REQUIRES[route.name], visitor) for route in matrix_routes()}
    assert seen == expected
