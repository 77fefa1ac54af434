"""Attacks on the signature and the invitation link, each tried the way an attacker would."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from companies.models import Membership, Role
from invitations import services
from invitations.models import Invitation, InvitationStatus
from otp.models import ChallengeStatus
from permissions.catalogue import Right
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.invitations.factories import create, dispatch, signed
from tests.login import accept_new_account, log_in
from tests.otp.factories import last_code, wrong_code
from tests.outbox import deliver, run_tasks

pytestmark = pytest.mark.django_db

LEA = "lea.martin@partenaire.example"
NEW_ACCOUNT = {
    "first_name": "Léa",
    "last_name": "Martin",
    "mobile": "06 98 76 54 32",
    "password1": "un-mot-de-passe-bien-long",
    "password2": "un-mot-de-passe-bien-long",
}


def sign_url(invitation):
    return reverse("invitations:sign", args=[invitation.company_id, invitation.pk])


def send_code_url(invitation):
    return reverse("invitations:send_code", args=[invitation.company_id, invitation.pk])


def accept_url(token):
    return reverse("invitations:accept", args=[token])


def sent_now(admin, *, email=LEA, now=None):
    invitation = signed(admin, email=email)
    dispatch(invitation, now=now or timezone.now())
    invitation.refresh_from_db()
    return invitation, token_of_last_email()


def token_of_last_email():
    from tests.invitations.factories import token_in

    return token_in(mail.outbox[-1])


def state(invitation):
    invitation.refresh_from_db()
    return invitation.status


# --- The code ------------------------------------------------------------------------------


def test_five_wrong_codes_lock_the_challenge_even_if_the_sixth_is_right(admin_client, admin):
    invitation = create(admin)
    admin_client.post(send_code_url(invitation))
    code = last_code()
    for _ in range(5):
        admin_client.post(sign_url(invitation), {"code": wrong_code(code)})

    response = admin_client.post(sign_url(invitation), {"code": code})

    assert "Trop de codes erronés" in response.text
    assert state(invitation) == InvitationStatus.AWAITING_SIGNATURE
    assert invitation.challenge.status == ChallengeStatus.DEAD
    assert invitation.authorisation is None


def test_a_used_code_cannot_be_replayed(admin_client, admin):
    invitation = create(admin)
    admin_client.post(send_code_url(invitation))
    code = last_code()
    admin_client.post(sign_url(invitation), {"code": code})
    challenge_count = AuditEvent.objects.filter(action="signed").count()

    response = admin_client.post(sign_url(invitation), {"code": code}, follow=True)

    assert "déjà été signée" in response.text
    assert AuditEvent.objects.filter(action="signed").count() == challenge_count
    with pytest.raises(services.InvitationRefused):
        services.invitation_sign(
            invitation_id=invitation.pk,
            company=admin.company,
            signer=admin.user,
            code=code,
            ip_address=None,
            user_agent="",
            now=timezone.now(),
        )


def test_a_code_for_one_invitation_does_not_sign_another(admin_client, admin):
    first = create(admin, email="premier@partenaire.example")
    admin_client.post(send_code_url(first))
    first_code = last_code()
    # two challenges draw the same code one time in a million: take another invitee if so
    for attempt in range(3):
        second = create(admin, email=f"second{attempt}@partenaire.example")
        admin_client.post(send_code_url(second))
        if last_code() != first_code:
            break

    response = admin_client.post(sign_url(second), {"code": first_code})

    assert "Code incorrect" in response.text
    assert state(second) == InvitationStatus.AWAITING_SIGNATURE
    assert state(first) == InvitationStatus.AWAITING_SIGNATURE


def test_a_code_cannot_sign_an_invitation_whose_code_was_never_asked(admin_client, admin):
    first = create(admin, email="premier@partenaire.example")
    second = create(admin, email="second@partenaire.example")
    admin_client.post(send_code_url(first))

    response = admin_client.post(sign_url(second), {"code": last_code()})

    assert "Demandez d’abord l’envoi du code par SMS." in response.text
    assert state(second) == InvitationStatus.AWAITING_SIGNATURE


def test_another_administrator_cannot_use_the_code_sent_to_the_first(
    admin_client, admin, client_for
):
    invitation = create(admin)
    admin_client.post(send_code_url(invitation))
    colleague = MembershipFactory.create(company=admin.company, role=Role.ADMIN)

    response = client_for(colleague.user).post(sign_url(invitation), {"code": last_code()})

    assert "Demandez d’abord l’envoi du code par SMS." in response.text
    assert state(invitation) == InvitationStatus.AWAITING_SIGNATURE


def test_an_administrator_of_another_company_cannot_use_the_code(
    admin_client, admin, other_admin, client_for
):
    invitation = create(admin)
    admin_client.post(send_code_url(invitation))
    url = reverse("invitations:sign", args=[other_admin.company_id, invitation.pk])

    response = client_for(other_admin.user).post(url, {"code": last_code()})

    assert response.status_code == 404
    assert state(invitation) == InvitationStatus.AWAITING_SIGNATURE


# --- What is signed is what was shown --------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"rights": [Right.DOCUMENTS.value, Right.BANK_DETAILS.value]},
        {"rights": [Right.DOCUMENTS.value]},
        {"email": "pirate@ailleurs.example"},
        {"first_name": "Mallory"},
        {"last_name": "Pirate"},
    ],
    ids=["right_added", "right_removed", "email", "first_name", "last_name"],
)
def test_a_change_of_the_invitation_after_the_code_was_sent_kills_the_code(
    admin_client, admin, change
):
    invitation = create(admin)
    admin_client.post(send_code_url(invitation))
    Invitation.objects.filter(pk=invitation.pk).update(**change)

    response = admin_client.post(sign_url(invitation), {"code": last_code()})

    assert "Le contenu à signer a changé depuis l’envoi du code" in response.text
    assert state(invitation) == InvitationStatus.AWAITING_SIGNATURE
    assert invitation.challenge.status == ChallengeStatus.DEAD
    assert mail.outbox == []


def test_fields_added_to_the_sign_post_change_nothing(admin_client, admin):
    invitation = create(admin, rights=(Right.DOCUMENTS,))
    admin_client.post(send_code_url(invitation))

    admin_client.post(
        sign_url(invitation),
        {
            "code": last_code(),
            "rights": [Right.BANK_DETAILS.value, Right.EARLY_BUYOUT.value],
            "email": "pirate@ailleurs.example",
            "first_name": "Mallory",
            "company": "999",
            "signer": "1",
        },
    )

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SIGNED
    assert invitation.email == LEA
    assert invitation.first_name == "Léa"
    assert invitation.rights == [Right.DOCUMENTS.value]
    assert invitation.authorisation.rights == [Right.DOCUMENTS.value]
    assert invitation.authorisation.subject_email == LEA


def test_fields_added_to_the_send_code_post_change_what_is_signed_in_no_way(admin_client, admin):
    invitation = create(admin, rights=(Right.DOCUMENTS,))

    admin_client.post(
        send_code_url(invitation),
        {"rights": [Right.BANK_DETAILS.value], "email": "pirate@ailleurs.example"},
    )
    admin_client.post(sign_url(invitation), {"code": last_code()})

    invitation.refresh_from_db()
    assert invitation.authorisation.rights == [Right.DOCUMENTS.value]
    assert invitation.authorisation.subject_email == LEA


# --- Skipping the signature ----------------------------------------------------------------


def test_an_unsigned_invitation_has_no_link_to_accept(admin, client):
    invitation = create(admin)

    assert invitation.token_hash is None
    assert client.get(accept_url("x" * 43)).status_code == 404
    assert client.post(accept_url("x" * 43), NEW_ACCOUNT).status_code == 404
    assert not User.objects.filter(email=LEA).exists()


def test_dispatching_an_unsigned_invitation_sends_nothing(admin):
    invitation = create(admin)

    assert deliver() == 0
    assert mail.outbox == []
    assert state(invitation) == InvitationStatus.AWAITING_SIGNATURE


def test_the_delivery_tasks_of_an_unsigned_invitation_send_nothing(admin):
    invitation = create(admin)

    assert run_tasks() == []

    assert mail.outbox == []
    assert state(invitation) == InvitationStatus.AWAITING_SIGNATURE


def test_resending_an_unsigned_invitation_is_refused(admin_client, admin):
    invitation = create(admin)

    admin_client.post(reverse("invitations:resend", args=[admin.company_id, invitation.pk]))

    assert mail.outbox == []
    assert state(invitation) == InvitationStatus.AWAITING_SIGNATURE


def test_signing_without_asking_for_a_code_signs_nothing(admin_client, admin):
    invitation = create(admin)

    response = admin_client.post(sign_url(invitation), {"code": "123456"})

    assert "Demandez d’abord l’envoi du code par SMS." in response.text
    assert state(invitation) == InvitationStatus.AWAITING_SIGNATURE


# --- The invitation link -------------------------------------------------------------------


def snapshot(company):
    return (
        list(Invitation.objects.filter(company=company).values()),
        User.objects.count(),
        Membership.objects.filter(company=company).count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("method", ["get", "head"])
def test_opening_the_link_changes_nothing(admin, client, method):
    _invitation, token = sent_now(admin)
    before = snapshot(admin.company)

    response = getattr(client, method)(accept_url(token))

    assert response.status_code == 200
    assert snapshot(admin.company) == before


@pytest.mark.parametrize("method", ["get", "head"])
def test_opening_the_link_logged_in_as_the_invitee_changes_nothing(admin, client_for, method):
    lea = UserFactory.create(email=LEA)
    _invitation, token = sent_now(admin)
    client = client_for(lea)
    before = snapshot(admin.company)

    getattr(client, method)(accept_url(token))

    assert snapshot(admin.company) == before


def test_a_used_link_cannot_be_used_again(admin, client):
    _invitation, token = sent_now(admin)
    accept_new_account(client, accept_url(token), NEW_ACCOUNT)
    other = Client()

    response = other.post(accept_url(token), {**NEW_ACCOUNT, "first_name": "Autre"})

    assert response.status_code == 410
    assert Membership.objects.filter(company=admin.company, user__email=LEA).count() == 1
    assert User.objects.get(email=LEA).first_name == "Léa"


def test_an_expired_link_is_refused(admin, client):
    _invitation, token = sent_now(admin, now=timezone.now() - datetime.timedelta(days=8))

    response = client.post(accept_url(token), NEW_ACCOUNT)

    assert response.status_code == 410
    assert not User.objects.filter(email=LEA).exists()


def test_a_revoked_link_is_refused(admin, admin_client, client):
    invitation, token = sent_now(admin)
    admin_client.post(reverse("invitations:revoke", args=[admin.company_id, invitation.pk]))

    response = client.post(accept_url(token), NEW_ACCOUNT)

    assert response.status_code == 410
    assert not User.objects.filter(email=LEA).exists()


def test_a_link_presented_by_another_account_is_refused(admin, client_for):
    intruder = UserFactory.create(email="intrus@ailleurs.example")
    _invitation, token = sent_now(admin)

    response = client_for(intruder).post(accept_url(token))

    assert response.status_code == 403
    assert not Membership.objects.filter(company=admin.company, user=intruder).exists()


def test_a_link_with_another_accounts_password_is_refused(admin, client):
    lea = UserFactory.create(email=LEA)
    intruder = UserFactory.create(email="intrus@ailleurs.example")
    intruder.set_password("le-mot-de-passe-de-l-intrus")
    intruder.save()
    _invitation, token = sent_now(admin)

    response = client.post(
        accept_url(token),
        {"password": "le-mot-de-passe-de-l-intrus", "email": intruder.email},
    )

    # the password is checked against the invited email's account only
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.text
    assert not Membership.objects.filter(company=admin.company, user__in=[lea, intruder]).exists()
    assert "_auth_user_id" not in client.session


def test_a_resent_invitation_kills_the_old_link(admin, admin_client, client):
    invitation, old_token = sent_now(admin)
    admin_client.post(reverse("invitations:resend", args=[admin.company_id, invitation.pk]))
    dispatch(invitation, now=timezone.now())

    response = client.post(accept_url(old_token), NEW_ACCOUNT)

    # the page says a newer link was sent, and accepts nothing
    assert response.status_code == 410
    assert not User.objects.filter(email=LEA).exists()


# --- Open redirect through next ------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "http://evil.example/entreprises/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        " //evil.example",
        "https:evil.example",
        "///evil.example",
    ],
)
def test_login_never_redirects_off_site(admin, client, target):
    response = log_in(client, admin.user.email, PASSWORD, next=target)

    assert response.status_code == 302
    assert response.url == reverse("portal:company_picker")


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "javascript:x"])
def test_the_login_page_does_not_carry_an_off_site_next(client, target):
    response = client.get(reverse("accounts:login"), {"next": target})

    assert target not in response.text


# --- The acceptance page does not tell whether the invited email has an account ---------------


def test_the_acceptance_page_does_not_reveal_whether_an_account_exists(admin):
    _invitation, token = sent_now(admin)
    strip = re.compile(r"[A-Za-z0-9]{64}")  # the CSRF tokens differ from one answer to the next
    wrong = {"accept_with": "login", "password": "pas-le-bon-mot-de-passe"}
    page_without = strip.sub("", Client().get(accept_url(token)).text)
    login_without = strip.sub("", Client().post(accept_url(token), wrong).text)
    lea = UserFactory.create(email=LEA)

    page_with = strip.sub("", Client().get(accept_url(token)).text)
    login_with = strip.sub("", Client().post(accept_url(token), wrong).text)
    create_with = Client().post(accept_url(token), {"accept_with": "new_account", **NEW_ACCOUNT})

    assert page_with == page_without
    assert login_with == login_without
    assert "Adresse e-mail ou mot de passe incorrect." in login_with
    assert "Impossible de créer un compte avec cette adresse." in create_with.text
    assert not lea.memberships.exists()
    assert User.objects.filter(email__iexact=LEA).count() == 1
