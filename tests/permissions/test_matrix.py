"""The permission matrix: every company-space URL, walked from the resolver, for every kind of
visitor. With the page's right 200 (or the form's answer), without it 403 on a page naming what is
missing, another company's administrator 404, an anonymous visitor the login page. A URL nobody
declared here fails the walk, so a new page cannot be forgotten."""

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from client_requests.kinds import AttachmentPurpose, RequestKind
from companies.models import Contract, ContractKind, Membership
from permissions.catalogue import Right
from teams.services.rights import rights_change_request
from tests.client_requests.factories import make_request, new_file
from tests.documents.factories import ContractDocumentFactory
from tests.invitations.batches import create_batch
from tests.invitations.factories import create as create_invitation
from tests.otp.authorisations import signed_authorisation
from tests.reviews.factories import signed_review
from tests.security.test_url_walk import Route, all_routes
from treasury.models import TreasurySubscription

pytestmark = pytest.mark.django_db

MEMBER = "member"  # any active member of the company
ADMIN = "admin"  # the company's administrators only
GET, POST = "get", "post"

# What each company-space page needs, and how it is asked (POST-only actions are posted empty).
# The request of the world below is a change of RIB: its pages need the bank_details right.
REQUIRES: dict[str, tuple[str | Right, str]] = {
    "portal:company_home": (MEMBER, GET),
    # Mes équipes and the invitations: administrators
    "teams:team": (ADMIN, GET),
    "audit:journal": (ADMIN, GET),
    "audit:journal_csv": (ADMIN, GET),
    "teams:access_review": (ADMIN, GET),
    "teams:access_review_csv": (ADMIN, GET),
    "teams:member": (ADMIN, GET),
    "teams:rights_review": (ADMIN, POST),
    "teams:rights_remove": (ADMIN, POST),
    "teams:rights_request": (ADMIN, POST),
    "teams:rights_sign": (ADMIN, GET),
    "teams:rights_send_code": (ADMIN, POST),
    "teams:member_suspend": (ADMIN, GET),
    "teams:member_reactivate": (ADMIN, GET),
    "teams:member_remove": (ADMIN, GET),
    "teams:authorisation_download": (ADMIN, GET),
    "teams:authorisation_proof_download": (ADMIN, GET),
    "invitations:create": (ADMIN, GET),
    "invitations:batch_create": (ADMIN, GET),
    "invitations:batch_upload": (ADMIN, GET),
    "invitations:batch_file_template": (ADMIN, GET),
    "invitations:batch_sign": (ADMIN, GET),
    "invitations:batch_send_code": (ADMIN, POST),
    "invitations:sign": (ADMIN, GET),
    "invitations:send_code": (ADMIN, POST),
    "invitations:resend": (ADMIN, POST),
    "invitations:revoke": (ADMIN, POST),
    "invitations:edit_rights": (ADMIN, GET),
    # the sections, one per right
    "documents:index": (Right.DOCUMENTS, GET),
    "documents:contract": (Right.DOCUMENTS, GET),
    "documents:download": (Right.DOCUMENTS, GET),
    "documents:amortisation_csv": (Right.DOCUMENTS, GET),
    "documents:amortisation_pdf": (Right.DOCUMENTS, GET),
    "documents:duplicate": (Right.DOCUMENTS, GET),
    "documents:duplicate_requests": (Right.DOCUMENTS, GET),
    "client_requests:fund_operations": (Right.FUND_OPERATIONS, GET),
    "client_requests:company_requests": (Right.COMPANY_REQUESTS, GET),
    "treasury:index": (Right.TREASURY, GET),
    "treasury:export": (Right.TREASURY, GET),
    "treasury:alert": (Right.TREASURY, GET),
    "client_requests:bank_details": (Right.BANK_DETAILS, GET),
    "client_requests:early_buyout": (Right.EARLY_BUYOUT, GET),
    # the one request pipeline: any member lists what they may see; a request needs its right
    "client_requests:index": (MEMBER, GET),
    "client_requests:detail": (Right.BANK_DETAILS, GET),
    "client_requests:complete": (Right.BANK_DETAILS, POST),
    "client_requests:attachment": (Right.BANK_DETAILS, GET),
    "client_requests:review": (Right.BANK_DETAILS, POST),
    # the periodic access review: administrators
    "reviews:review": (ADMIN, GET),
    "reviews:start": (ADMIN, POST),
    "reviews:decide": (ADMIN, POST),
    "reviews:sign": (ADMIN, GET),
    "reviews:send_code": (ADMIN, POST),
    "reviews:pdf": (ADMIN, GET),
}


def company_space_routes() -> list[Route]:
    return [route for route in all_routes() if "company_id" in route.params]


def test_every_company_space_url_is_declared():
    names = {route.name for route in company_space_routes()}

    assert names - set(REQUIRES) == set(), "declare what these pages need in REQUIRES"
    assert set(REQUIRES) - names == set(), "these declared pages no longer exist"


@dataclass(frozen=True)
class Visitor:
    name: str
    role: str = "collaborator"  # collaborator, admin, other_admin, anonymous
    rights: tuple[Right, ...] = ()


VISITORS = [
    *(Visitor(right.value, rights=(right,)) for right in Right),
    Visitor("administrateur", role="admin"),
    Visitor("membre-sans-droit"),
    Visitor("admin-autre-entreprise", role="other_admin"),
    Visitor("anonyme", role="anonymous"),
]


def expected(requirement: str | Right, visitor: Visitor) -> str:
    if visitor.role == "anonymous":
        return "login"
    if visitor.role == "other_admin":
        return "404"
    if visitor.role == "admin" or requirement == MEMBER:
        return "ok"
    if requirement == ADMIN:
        return "403"
    return "ok" if requirement in visitor.rights else "403"


@pytest.fixture
def world(company, admin, collaborator_with) -> dict[str, Any]:
    """One object of each kind the company-space URLs name, all of the company under test."""
    TreasurySubscription.objects.create(company=company, active_until=datetime.date.max)
    contract = Contract.objects.get(company=company, kind=ContractKind.CLUB)
    document = ContractDocumentFactory.create(contract=contract)
    client_request = make_request(
        membership=admin,
        kind=RequestKind.BANK_DETAILS_CHANGE,
        details={
            "holder": company.name,
            "iban": "FR7630006000011234567890189",
            "bic": "AGRIFRPPXXX",
        },
        files=(new_file(purpose=AttachmentPurpose.PROOF_OF_POWER),),
    )
    member = collaborator_with(Right.DOCUMENTS)
    change = rights_change_request(
        membership_id=member.pk,
        company=company,
        requested_by=admin.user,
        rights=[Right.DOCUMENTS.value, Right.TREASURY.value],
        now=timezone.now(),
    )
    return {
        "company_id": company.pk,
        "contract_id": contract.pk,
        "document_id": document.pk,
        "request_id": client_request.pk,
        "attachment_id": client_request.attachments.get().pk,
        "membership_id": member.pk,
        "change_id": change.pk,
        "invitation_id": create_invitation(admin).pk,
        "batch_id": create_batch(admin).pk,
        "authorisation_id": signed_authorisation(admin).pk,
        "review_id": signed_review(admin).pk,
    }


def client_of(
    visitor: Visitor, *, admin: Membership, other_admin: Membership, make: Callable[..., Membership]
) -> Client:
    client = Client()
    if visitor.role == "anonymous":
        return client
    user = {"admin": admin.user, "other_admin": other_admin.user}.get(visitor.role)
    client.force_login(user or make(*visitor.rights).user)
    session = client.session
    session["portal_login_at"] = int(time.time())  # signing pages ask for a recent login
    session.save()
    return client


def outcome(response: Any) -> str:
    if response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")):
        return "login"
    if response.status_code in (403, 404):
        return str(response.status_code)
    # the page, the form's answer (400: an action posted without its fields), or where it leads
    assert response.status_code in (200, 302, 400), response.status_code
    return "ok"


CASES = [
    pytest.param(route, visitor, id=f"{route.name}-{visitor.name}")
    for route in company_space_routes()
    if route.name in REQUIRES
    for visitor in VISITORS
]


@pytest.mark.parametrize(("route", "visitor"), CASES)
def test_each_page_answers_each_visitor_as_their_rights_allow(
    route, visitor, world, admin, other_admin, collaborator_with
):
    requirement, method = REQUIRES[route.name]
    client = client_of(visitor, admin=admin, other_admin=other_admin, make=collaborator_with)
    url = reverse(route.name, kwargs={name: world[name] for name in route.params})

    response = getattr(client, method)(url)

    assert outcome(response) == expected(requirement, visitor)
    if response.status_code == 403:
        reason = "administrateurs" if requirement == ADMIN else escape(str(requirement.label))
        assert reason in response.content.decode()
