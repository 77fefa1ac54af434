"""HTML and script typed into any name (invitee, user, company) stays text: escaped in every
page, in the HTML part of every email, and wherever the signed statement is shown."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from companies.models import Role
from invitations.models import Invitation
from permissions.catalogue import Right
from tests.factories import CompanyFactory, ContractFactory, MembershipFactory, UserFactory
from tests.invitations.factories import dispatch
from tests.login import accept_new_account
from tests.otp.factories import last_code
from tests.outbox import deliver

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
]
LEA = "lea.martin@partenaire.example"


def assert_escaped(html: str, payload: str) -> None:
    assert payload not in html
    assert "<script>alert" not in html
    assert "<img src=x onerror" not in html
    assert "<svg/onload" not in html


@pytest.fixture(params=PAYLOADS, ids=["script", "attribute", "svg"])
def payload(request):
    return request.param


@pytest.fixture
def evil_company(payload):
    company = CompanyFactory.create(name=f"SAS {payload}", has_entreprise_subscription=True)
    ContractFactory.create(company=company)
    return company


@pytest.fixture
def evil_admin(evil_company, payload):
    user = UserFactory.create(
        first_name=f"Claire {payload}", last_name=payload, mobile="+33612345642"
    )
    return MembershipFactory.create(user=user, company=evil_company, role=Role.ADMIN)


def invite_through_the_form(client, admin, payload):
    response = client.post(
        reverse("invitations:create", args=[admin.company_id]),
        {
            "first_name": f"Léa {payload}",
            "last_name": payload,
            "email": LEA,
            "mobile": "",
            "rights": [Right.DOCUMENTS.value],
        },
    )
    assert response.status_code == 302, response.content
    return Invitation.objects.get(company=admin.company, email=LEA)


def test_names_are_escaped_in_the_pages_of_the_administrator(client_for, evil_admin, payload):
    client = client_for(evil_admin.user)
    invitation = invite_through_the_form(client, evil_admin, payload)
    MembershipFactory.create(
        company=evil_admin.company,
        user=UserFactory.create(first_name=payload, last_name=payload),
    )

    pages = [
        reverse("portal:company_picker"),
        reverse("portal:company_home", args=[evil_admin.company_id]),
        reverse("teams:team", args=[evil_admin.company_id]),
        reverse("invitations:create", args=[evil_admin.company_id]),
        reverse("invitations:sign", args=[evil_admin.company_id, invitation.pk]),
        reverse("accounts:account"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert_escaped(response.text, payload)
    sign_page = client.get(pages[4]).text
    assert "&lt;" in sign_page


def test_names_are_escaped_when_the_invite_form_comes_back_with_errors(
    client_for, evil_admin, payload
):
    response = client_for(evil_admin.user).post(
        reverse("invitations:create", args=[evil_admin.company_id]),
        {"first_name": payload, "last_name": payload, "email": payload, "rights": []},
    )

    assert response.status_code == 200
    assert_escaped(response.text, payload)


def signed_and_sent(client, admin, payload, django_capture_on_commit_callbacks):
    invitation = invite_through_the_form(client, admin, payload)
    client.post(reverse("invitations:send_code", args=[admin.company_id, invitation.pk]))
    client.post(
        reverse("invitations:sign", args=[admin.company_id, invitation.pk]), {"code": last_code()}
    )
    token = dispatch(invitation, now=timezone.now())
    invitation.refresh_from_db()
    return invitation, token


def test_names_are_escaped_in_the_invitation_email_and_the_acceptance_page(
    client_for, client, evil_admin, payload, django_capture_on_commit_callbacks
):
    _invitation, token = signed_and_sent(
        client_for(evil_admin.user), evil_admin, payload, django_capture_on_commit_callbacks
    )
    message = mail.outbox[-1]
    [(html, _mimetype)] = message.alternatives

    assert_escaped(str(html), payload)
    assert "&lt;" in str(html)
    page = client.get(reverse("invitations:accept", args=[token]))
    assert_escaped(page.text, payload)


def test_names_are_escaped_in_the_acceptance_email_to_the_inviter(
    client_for, client, evil_admin, payload, django_capture_on_commit_callbacks
):
    _invitation, token = signed_and_sent(
        client_for(evil_admin.user), evil_admin, payload, django_capture_on_commit_callbacks
    )
    accept_new_account(
        client,
        reverse("invitations:accept", args=[token]),
        {
            "first_name": payload,
            "last_name": payload,
            "mobile": "06 98 76 54 32",
            "password1": "un-mot-de-passe-bien-long",
            "password2": "un-mot-de-passe-bien-long",
        },
    )
    assert deliver() == 1

    [(html, _mimetype)] = mail.outbox[-1].alternatives
    assert_escaped(str(html), payload)
    home = client.get(reverse("portal:company_home", args=[evil_admin.company_id]))
    assert_escaped(home.text, payload)


def test_the_signed_statement_keeps_the_text_and_is_escaped_where_shown(
    client_for, evil_admin, payload, django_capture_on_commit_callbacks
):
    client = client_for(evil_admin.user)
    invitation, _token = signed_and_sent(
        client, evil_admin, payload, django_capture_on_commit_callbacks
    )
    statement = invitation.authorisation.statement
    # the evidence holds exactly what was typed, as text
    assert f"Léa {payload} {payload}" in statement
    support = UserFactory.create(is_staff=True, is_superuser=True)
    admin_page = client_for(support).get(
        reverse("admin:otp_accessauthorisation_change", args=[invitation.authorisation.pk])
    )

    assert admin_page.status_code == 200
    assert_escaped(admin_page.text, payload)
