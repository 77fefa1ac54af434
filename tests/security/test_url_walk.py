"""Every URL of the site, found by walking the resolver, so that a new one cannot be forgotten:
another company's ids answer 404 like missing ones, and no POST passes without a CSRF token."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from client_requests.kinds import AttachmentPurpose, RequestKind
from companies.models import ContractKind
from core import sms
from invitations.models import Invitation, InvitationStatus
from permissions.catalogue import Right
from teams.services.rights import rights_change_request
from tests.client_requests.factories import make_request, new_file
from tests.documents.factories import ContractDocumentFactory
from tests.factories import ContractFactory, MembershipFactory
from tests.invitations.batches import create_batch
from tests.invitations.factories import create
from tests.otp.authorisations import signed_authorisation
from tests.reviews.factories import signed_review

pytestmark = pytest.mark.django_db

COMPANY_APPS = (
    "teams",
    "invitations",
    "portal",
    "documents",
    "treasury",
    "client_requests",
    "reviews",
)
# every object a company-scoped URL names
OBJECT_PARAMS = (
    "invitation_id",
    "membership_id",
    "change_id",
    "contract_id",
    "document_id",
    "request_id",
    "attachment_id",
    "authorisation_id",
    "batch_id",
    "passkey_id",
    "review_id",
)
# a uuid converter's id: a number would not even make a URL
MISSING_UUID = uuid.UUID(int=999_999)
# the Django admin has its own CSRF-protected forms; its login is walked as a sample
SKIPPED_NAMESPACES = ("admin",)


@dataclass(frozen=True)
class Route:
    name: str
    params: tuple[str, ...]


def _walk(patterns, namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from (
                Route(route.name, tuple(entry.pattern.converters) + route.params)
                for route in _walk(entry.url_patterns, full)
            )
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Route(name, tuple(entry.pattern.converters))


def all_routes() -> list[Route]:
    routes = {route.name: route for route in _walk(get_resolver().url_patterns)}
    return sorted(
        (r for r in routes.values() if not r.name.startswith(SKIPPED_NAMESPACES)),
        key=lambda route: route.name,
    )


def company_routes() -> list[Route]:
    return [
        route
        for route in all_routes()
        if "company_id" in route.params and route.name.split(":")[0] in COMPANY_APPS
    ]


def url_for(route: Route, values: dict[str, object]) -> str:
    unknown = set(route.params) - set(values)
    # a URL with a parameter this walk does not know must be taught here, not skipped
    assert not unknown, f"{route.name}: teach the walk the parameters {unknown}"
    return reverse(route.name, kwargs={name: values[name] for name in route.params})


def test_the_walk_finds_the_company_scoped_pages():
    names = {route.name for route in company_routes()}

    assert {
        "teams:team",
        "invitations:create",
        "invitations:sign",
        "invitations:send_code",
        "invitations:resend",
        "invitations:revoke",
        "portal:company_home",
    } <= names


def their_objects(other_admin) -> dict[str, object]:
    """One object of each kind, all of another company."""
    theirs = create(other_admin, email="cible@partenaire.example")
    contract = ContractFactory.create(company=other_admin.company, kind=ContractKind.CLUB)
    client_request = make_request(
        membership=other_admin,
        kind=RequestKind.BANK_DETAILS_CHANGE,
        details={"holder": "X", "iban": "FR7630006000011234567890189", "bic": "AGRIFRPPXXX"},
        files=(new_file(purpose=AttachmentPurpose.PROOF_OF_POWER),),
    )
    member = MembershipFactory.create(company=other_admin.company)
    change = rights_change_request(
        membership_id=member.pk,
        company=other_admin.company,
        requested_by=other_admin.user,
        rights=[Right.DOCUMENTS.value],
        now=timezone.now(),
    )
    return {
        "invitation_id": theirs.pk,
        "membership_id": member.pk,
        "change_id": change.pk,
        "contract_id": contract.pk,
        "document_id": ContractDocumentFactory.create(contract=contract).pk,
        "request_id": client_request.pk,
        "attachment_id": client_request.attachments.get().pk,
        "authorisation_id": signed_authorisation(other_admin).pk,
        "batch_id": create_batch(other_admin).pk,
        "review_id": signed_review(other_admin).pk,
    }


@pytest.mark.parametrize("route", company_routes(), ids=lambda route: route.name)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_companys_ids_look_like_missing_ones(
    route, method, admin_client, admin, other_admin
):
    theirs = their_objects(other_admin)
    missing = {
        "company_id": 999_999,
        **dict.fromkeys(OBJECT_PARAMS, 999_999),
        "authorisation_id": MISSING_UUID,
    }
    attacks = [{"company_id": other_admin.company_id, **theirs}]
    if set(route.params) & set(OBJECT_PARAMS):
        attacks.append({"company_id": admin.company_id, **theirs})
    expected = getattr(admin_client, method)(url_for(route, missing)).status_code

    for values in attacks:
        response = getattr(admin_client, method)(url_for(route, values))
        assert response.status_code == expected, values
        assert response.status_code in (404, 405)

    invitation = Invitation.objects.get(pk=theirs["invitation_id"])
    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE
    assert sms.outbox == []


def test_a_page_of_ones_own_company_answers_while_anothers_does_not(
    admin_client, admin, other_admin
):
    own = admin_client.get(reverse("teams:team", args=[admin.company_id]))
    theirs = admin_client.get(reverse("teams:team", args=[other_admin.company_id]))

    assert (own.status_code, theirs.status_code) == (200, 404)


def _values(admin, invitation) -> dict[str, object]:
    return {
        "company_id": admin.company_id,
        "invitation_id": invitation.pk,
        **dict.fromkeys(OBJECT_PARAMS[1:], 999_999),
        "authorisation_id": MISSING_UUID,
        "token": "A" * 43,
        "uidb64": "MQ",
        "kind": "mail",
        "name": "20250101T000000000000Z-" + "0" * 32,
    }


@pytest.mark.parametrize("route", all_routes(), ids=lambda route: route.name)
def test_every_post_without_a_csrf_token_is_refused(route, admin):
    invitation = create(admin)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin.user)
    session = client.session
    session["portal_login_at"] = 2**31
    session.save()

    response = client.post(
        url_for(route, _values(admin, invitation)),
        {"code": "123456", "email": admin.user.email, "password": "x", "rights": ["documents"]},
    )

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE
    assert sms.outbox == []


@pytest.mark.parametrize(
    "route",
    [route for route in all_routes() if not route.params or route.params == ("token",)],
    ids=lambda route: route.name,
)
def test_every_public_post_without_a_csrf_token_is_refused(route, admin):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        url_for(route, _values(admin, create(admin))),
        {"email": admin.user.email, "password": "x"},
    )

    assert response.status_code == 403


def test_the_admin_login_refuses_a_post_without_a_csrf_token(admin):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("admin:login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
