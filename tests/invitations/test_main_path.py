"""The product's main path through the test client: from login to the collaborator's first page."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from companies.models import Membership, Role
from invitations.models import Invitation, InvitationStatus
from permissions.catalogue import Right
from tests.factories import PASSWORD
from tests.login import accept_new_account, log_in
from tests.otp.factories import last_code

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/invitation/[A-Za-z0-9_-]+/)")


def test_an_administrator_invites_a_collaborator_who_lands_with_exactly_the_signed_rights(
    admin, eager_tasks, django_capture_on_commit_callbacks
):
    company = admin.company
    browser = Client()

    # log in and pick the company
    log_in(browser, admin.user.email, PASSWORD)
    response = browser.get(reverse("portal:company_picker"))
    assert "Cliquez sur votre entreprise" in response.text
    assert company.name in response.text
    home = browser.get(reverse("portal:company_home", args=[company.pk]))
    assert reverse("teams:team", args=[company.pk]) in home.text

    # Mes équipes → Inviter un collaborateur
    team = browser.get(reverse("teams:team", args=[company.pk]))
    assert "Inviter un collaborateur" in team.text
    form_page = browser.get(reverse("invitations:create", args=[company.pk]))
    assert "Sélectionner les droits" in form_page.text
    response = browser.post(
        reverse("invitations:create", args=[company.pk]),
        {
            "first_name": "Léa",
            "last_name": "Martin",
            "email": "Lea.Martin@Partenaire.example",
            "mobile": "06 98 76 54 32",
            "rights": [Right.DOCUMENTS, Right.EARLY_BUYOUT],
        },
        follow=True,
    )
    invitation = Invitation.objects.get(company=company)
    assert response.redirect_chain[-1][0] == reverse(
        "invitations:sign", args=[company.pk, invitation.pk]
    )
    assert "Signez votre autorisation d’accès" in response.text
    assert "+33 6 •• •• •• 42" in response.text

    # send the code, sign
    response = browser.post(
        reverse("invitations:send_code", args=[company.pk, invitation.pk]), follow=True
    )
    assert "Un code à 6 chiffres a été envoyé au +33 6 •• •• •• 42." in response.text
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            reverse("invitations:sign", args=[company.pk, invitation.pk]),
            {"code": last_code()},
            follow=True,
        )
    assert "Autorisation signée. L’invitation est envoyée à lea.martin@partenaire.example." in (
        response.text
    )

    # the invitee reads the email and opens the link: looking changes nothing
    [email] = mail.outbox
    assert email.to == ["lea.martin@partenaire.example"]
    link = LINK.search(str(email.body))
    assert link is not None
    invitee = Client()
    page = invitee.get(link.group(1))
    assert company.name in page.text
    assert "Je crée mon accès" in page.text
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT

    # the invitee creates the account and lands in the company space
    with django_capture_on_commit_callbacks(execute=True):
        response = accept_new_account(
            invitee,
            link.group(1),
            {
                "first_name": "Léa",
                "last_name": "Martin",
                "mobile": "06 98 76 54 32",
                "password1": "un-mot-de-passe-bien-long",
                "password2": "un-mot-de-passe-bien-long",
            },
            follow=True,
        )
    assert response.redirect_chain[-1][0] == reverse("portal:company_home", args=[company.pk])
    assert "Bienvenue" in response.text
    membership = Membership.objects.get(
        company=company, user__email="lea.martin@partenaire.example"
    )
    assert membership.role == Role.COLLABORATOR
    assert set(membership.grants.values_list("right", flat=True)) == {
        Right.DOCUMENTS,
        Right.EARLY_BUYOUT,
    }
    assert str(membership.user.mobile) == "+33698765432"
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert mail.outbox[-1].to == [admin.user.email]
