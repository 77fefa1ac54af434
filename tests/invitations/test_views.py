import datetime
import re
import threading
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from companies.models import Membership, Role
from core import sms
from invitations import services
from invitations.models import Invitation, InvitationStatus
from invitations.views import accepting as accepting_views
from permissions.catalogue import Right
from tests.factories import PASSWORD, CompanyFactory, MembershipFactory, UserFactory
from tests.invitations.factories import (
    IP,
    InvitationFactory,
    create,
    dispatch,
    request_code,
    sign,
    signed,
)
from tests.login import SECOND_STEP_URL, accept_new_account
from tests.otp.factories import last_code, wrong_code

pytestmark = pytest.mark.django_db

LEA = "lea.martin@partenaire.example"
HTMX = {"HX-Request": "true"}


def create_url(company):
    return reverse("invitations:create", args=[company.pk])


def sign_url(invitation):
    return reverse("invitations:sign", args=[invitation.company_id, invitation.pk])


def send_code_url(invitation):
    return reverse("invitations:send_code", args=[invitation.company_id, invitation.pk])


def team_url(company):
    return reverse("teams:team", args=[company.pk])


def accept_url(token):
    return reverse("invitations:accept", args=[token])


def invitations_of(company, email=LEA):
    return Invitation.objects.filter(company=company, email__iexact=email)


def sent_now(admin, *, email=LEA, now=None):
    """An invitation signed and emailed at `now` (default: now), and the token of its link."""
    invitation = signed(admin, email=email)
    token = dispatch(invitation, now=now or timezone.now())
    invitation.refresh_from_db()
    return invitation, token


def grants_of(membership):
    return set(membership.grants.values_list("right", flat=True))


@pytest.fixture
def invitation(admin):
    return create(admin, email=LEA, rights=(Right.DOCUMENTS, Right.TREASURY))


@pytest.fixture
def lea():
    return UserFactory.create(email=LEA, first_name="Léa", last_name="Martin")


VALID = {
    "first_name": "Léa",
    "last_name": "Martin",
    "email": LEA,
    "mobile": "",
    "rights": [Right.DOCUMENTS, Right.TREASURY],
}

NEW_ACCOUNT = {
    "first_name": "Léa",
    "last_name": "Martin",
    "mobile": "06 98 76 54 32",
    "password1": "un-mot-de-passe-bien-long",
    "password2": "un-mot-de-passe-bien-long",
}


# The invite form


def test_the_invite_form_shows_every_right_of_the_catalogue_with_its_detail(admin_client, admin):
    response = admin_client.get(create_url(admin.company))

    assert response.status_code == 200
    assert "Inviter un collaborateur" in response.text
    assert "Sélectionner les droits" in response.text
    assert "Accéder au service Suivi de trésorerie" in response.text
    assert "Cette personne pourra effectuer un changement de RIB" in response.text
    assert response.text.count('name="rights"') == 6


def test_the_invite_form_shows_new_badges_and_contract_conditions(admin_client, admin):
    response = admin_client.get(create_url(admin.company))

    assert response.text.count("New !") == 3
    assert "Spécifique aux contrats CLUB" in response.text
    assert "Spécifique aux contrats CBM ou LOCFI (Equipement)" in response.text


def test_the_invite_form_says_duplicates_are_included_with_the_entreprise_subscription(
    admin_client, admin
):
    response = admin_client.get(create_url(admin.company))

    assert "Duplicatas inclus dans votre abonnement Entreprise." in response.text


def test_the_invite_form_shows_the_duplicate_fee_without_the_subscription(client_for):
    admin = MembershipFactory.create(company=CompanyFactory.create(), role=Role.ADMIN)

    response = client_for(admin.user).get(create_url(admin.company))

    assert "Duplicatas facturés 50 €" in response.text


def test_a_right_whose_contracts_the_company_lacks_is_disabled_with_the_reason(client_for):
    admin = MembershipFactory.create(company=CompanyFactory.create(), role=Role.ADMIN)

    response = client_for(admin.user).get(create_url(admin.company))

    assert 'value="fund_operations" id="id_rights_fund_operations"' in response.text
    checkbox = response.text.split('id="id_rights_fund_operations"')[1].split(">")[0]
    assert "disabled" in checkbox
    assert "Votre entreprise ne détient aucun contrat concerné (Crédit CLUB)." in response.text


def test_inviting_leads_to_the_signature_page(admin_client, admin):
    response = admin_client.post(create_url(admin.company), VALID)

    invitation = invitations_of(admin.company).get()
    assert response.status_code == 302
    assert response.url == sign_url(invitation)
    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE
    assert invitation.rights == [Right.DOCUMENTS, Right.TREASURY]
    assert invitation.invited_by == admin.user


def test_a_french_mobile_is_kept_in_international_format(admin_client, admin):
    admin_client.post(create_url(admin.company), {**VALID, "mobile": "06 98 76 54 32"})

    assert str(invitations_of(admin.company).get().mobile) == "+33698765432"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "lea.martin@", "Saisissez une adresse e-mail valide"),
        ("mobile", "06 12", "Saisissez un numéro de mobile valide"),
        ("mobile", "01 23 45 67 89", "Saisissez un numéro de mobile (par exemple"),
        ("rights", [], "Cochez au moins un droit à accorder."),
        ("first_name", "", "Ce champ est obligatoire."),
    ],
    ids=["malformed email", "malformed phone", "landline", "no right ticked", "no first name"],
)
def test_a_malformed_invitation_is_refused_with_a_french_message_and_saves_nothing(
    admin_client, admin, field, value, message
):
    response = admin_client.post(create_url(admin.company), {**VALID, field: value})

    assert response.status_code == 200
    assert message in response.text
    assert not Invitation.objects.filter(company=admin.company).exists()


def test_inviting_someone_already_in_the_team_is_refused(admin_client, admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    response = admin_client.post(create_url(admin.company), {**VALID, "email": member.user.email})

    assert "Cette personne fait déjà partie de l’équipe de votre entreprise." in response.text
    assert not Invitation.objects.filter(company=admin.company).exists()


def test_inviting_an_email_with_a_pending_invitation_is_refused(admin_client, admin, invitation):
    response = admin_client.post(create_url(admin.company), {**VALID, "email": LEA.upper()})

    assert "Une invitation est déjà en cours pour cette adresse e-mail." in response.text
    assert list(invitations_of(admin.company)) == [invitation]


def test_a_disabled_right_forced_by_a_crafted_post_is_refused(client_for):
    admin = MembershipFactory.create(company=CompanyFactory.create(), role=Role.ADMIN)

    response = client_for(admin.user).post(
        create_url(admin.company), {**VALID, "rights": [Right.DOCUMENTS, Right.FUND_OPERATIONS]}
    )

    assert response.status_code == 200
    assert "Ce droit ne peut pas être accordé dans votre entreprise : Gestion des fonds." in (
        response.text
    )
    assert not Invitation.objects.filter(company=admin.company).exists()


def test_a_refused_form_keeps_the_ticked_rights(admin_client, admin):
    response = admin_client.post(create_url(admin.company), {**VALID, "email": "x"})

    checkbox = response.text.split('id="id_rights_treasury"')[1].split(">")[0]
    assert "checked" in checkbox


# The signature page


def test_the_signature_page_states_exactly_what_is_authorised(admin_client, admin, invitation):
    response = admin_client.get(sign_url(invitation))

    assert response.status_code == 200
    assert "Signez votre autorisation d’accès" in response.text
    assert admin.company.name in response.text
    assert admin.company.siren in response.text
    assert "Léa Martin" in response.text
    assert LEA in response.text
    assert "Accéder aux informations financières et documentaires" in response.text
    assert "Accéder au service Suivi de trésorerie" in response.text
    assert "Effectuer un changement de RIB" not in response.text


def test_the_signature_page_shows_the_administrators_masked_mobile(admin_client, admin, invitation):
    response = admin_client.get(sign_url(invitation))

    assert "+33 6 •• •• •• 42" in response.text
    assert "+33612345642" not in response.text
    assert "Recevoir le code par SMS" in response.text


def test_an_administrator_without_mobile_is_told_why_they_cannot_sign(
    admin_client, admin, invitation
):
    User.objects.filter(pk=admin.user.pk).update(mobile="")

    response = admin_client.get(sign_url(invitation))

    assert "Aucun numéro de mobile n’est enregistré pour vous" in response.text
    assert "support de la banque" in response.text
    assert "Recevoir le code par SMS" not in response.text


def test_asking_for_a_code_without_mobile_sends_nothing(admin_client, admin, invitation):
    User.objects.filter(pk=admin.user.pk).update(mobile="")

    response = admin_client.post(send_code_url(invitation))

    assert "Aucun numéro de mobile n’est enregistré pour vous" in response.text
    assert sms.outbox == []


def test_asking_for_the_code_sends_an_sms_to_the_administrators_mobile(
    admin_client, admin, invitation
):
    response = admin_client.post(send_code_url(invitation), follow=True)

    [message] = sms.outbox
    assert message.to == "+33612345642"
    assert "Un code à 6 chiffres a été envoyé au +33 6 •• •• •• 42." in response.text
    assert "Il est valable 5 minutes." in response.text
    assert "Code reçu par SMS" in response.text
    assert 'autocomplete="one-time-code"' in response.text
    assert 'inputmode="numeric"' in response.text
    assert "Signer et envoyer l’invitation" in response.text


def test_asking_for_the_code_with_htmx_swaps_the_code_panel(admin_client, admin, invitation):
    response = admin_client.post(send_code_url(invitation), headers=HTMX)

    assert response.status_code == 200
    assert 'id="code-panel"' in response.text
    assert "Code reçu par SMS" in response.text
    assert "<html" not in response.text


def test_the_resend_button_waits_for_the_cool_down(admin_client, admin, invitation):
    response = admin_client.post(send_code_url(invitation), follow=True)

    button = response.text.split("Renvoyer le code")[0].rsplit("<button", 1)[1]
    assert "disabled" in button
    assert "(dans 3" in response.text  # "(dans 30 s)" or 31 s


def test_a_resend_during_the_cool_down_is_refused_with_the_wait(admin_client, admin, invitation):
    admin_client.post(send_code_url(invitation))

    response = admin_client.post(send_code_url(invitation))

    assert "Vous pourrez en demander un autre dans" in response.text
    assert 'role="alert"' in response.text
    assert len(sms.outbox) == 1


def test_asking_for_a_code_long_after_login_asks_for_the_password_again(
    admin_client, admin, invitation, settings
):
    session = admin_client.session
    session["portal_login_at"] = int(time.time()) - settings.SIGNING_RECENT_LOGIN_SECONDS - 60
    session.save()

    response = admin_client.post(send_code_url(invitation))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login") + "?next=")
    assert sign_url(invitation).replace("/", "%2F") in response.url
    assert sms.outbox == []


def test_asking_for_a_code_without_a_recorded_login_time_asks_for_the_password(
    client, admin, invitation
):
    client.force_login(admin.user)
    session = client.session
    session.pop("portal_login_at", None)
    session.save()

    response = client.post(send_code_url(invitation))

    assert response.url.startswith(reverse("accounts:login"))
    assert sms.outbox == []


def test_logging_in_again_lets_the_administrator_ask_for_the_code(
    client, admin, invitation, settings
):
    client.force_login(admin.user)
    session = client.session
    session["portal_login_at"] = int(time.time()) - settings.SIGNING_RECENT_LOGIN_SECONDS - 60
    session.save()
    login = client.post(send_code_url(invitation))

    client.post(login.url, {"email": admin.user.email, "password": PASSWORD})
    response = client.post(SECOND_STEP_URL, {"code": last_code()}, follow=True)
    assert response.redirect_chain[-1][0] == sign_url(invitation)

    sms.outbox.clear()
    client.post(send_code_url(invitation))
    assert len(sms.outbox) == 1


def test_a_wrong_code_is_refused_with_the_remaining_attempts(admin_client, admin, invitation):
    admin_client.post(send_code_url(invitation))

    response = admin_client.post(sign_url(invitation), {"code": wrong_code(last_code())})

    assert "Code incorrect. Il vous reste 4 essai(s)." in response.text
    assert 'role="alert"' in response.text
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE


def test_a_code_that_is_not_six_digits_is_refused_before_checking(admin_client, admin, invitation):
    admin_client.post(send_code_url(invitation))

    response = admin_client.post(sign_url(invitation), {"code": "12ab"})

    assert "Le code est composé de 6 chiffres." in response.text
    invitation.refresh_from_db()
    assert invitation.challenge.failed_attempts == 0


def test_the_right_code_signs_and_emails_the_invitation(
    admin_client, admin, invitation, eager_tasks, django_capture_on_commit_callbacks
):
    admin_client.post(send_code_url(invitation))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(sign_url(invitation), {"code": last_code()}, follow=True)

    assert response.redirect_chain[-1][0] == team_url(admin.company)
    assert f"Autorisation signée. L’invitation est envoyée à {LEA}." in response.text
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    assert invitation.authorisation.rights == [Right.DOCUMENTS, Right.TREASURY]
    assert [message.to for message in mail.outbox] == [[LEA]]


def test_signing_with_htmx_redirects_the_browser_to_the_team_page(admin_client, admin, invitation):
    admin_client.post(send_code_url(invitation))

    response = admin_client.post(sign_url(invitation), {"code": last_code()}, headers=HTMX)

    assert response["HX-Redirect"] == team_url(admin.company)


def test_a_signed_invitation_cannot_be_signed_again(admin_client, admin):
    invitation = signed(admin, email=LEA)

    response = admin_client.get(sign_url(invitation), follow=True)

    assert response.redirect_chain[-1][0] == team_url(admin.company)
    assert "Cette invitation a déjà été signée ou n’est plus en cours." in response.text


def test_another_administrator_of_the_company_sees_no_code_sent_to_the_first(
    client_for, admin, invitation
):
    admin_client = client_for(admin.user)
    admin_client.post(send_code_url(invitation))
    colleague = MembershipFactory.create(company=admin.company, role=Role.ADMIN)

    response = client_for(colleague.user).get(sign_url(invitation))

    assert "Recevoir le code par SMS" in response.text
    assert "Code reçu par SMS" not in response.text


# Resend and revoke


def test_revoking_an_invitation_closes_it(admin_client, admin, invitation):
    url = reverse("invitations:revoke", args=[admin.company.pk, invitation.pk])

    response = admin_client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == team_url(admin.company)
    assert "L’invitation de Léa Martin est révoquée" in response.text
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED


def test_revoking_with_htmx_returns_the_refreshed_invitation_table(admin_client, admin, invitation):
    url = reverse("invitations:revoke", args=[admin.company.pk, invitation.pk])

    response = admin_client.post(url, headers=HTMX)

    assert 'id="invitation-table"' in response.text
    assert "Aucune invitation en cours." in response.text
    assert "L’invitation de Léa Martin est révoquée" in response.text
    assert "<html" not in response.text


def test_the_refreshed_invitation_table_shows_the_first_page_like_the_list(
    admin_client, admin, invitation, django_assert_max_num_queries
):
    for n in range(60):
        InvitationFactory.create(
            company=admin.company, invited_by=admin.user, email=f"invite{n}@partenaire.example"
        )
    url = reverse("invitations:revoke", args=[admin.company.pk, invitation.pk])

    # the session, the user, the membership (3); the revocation, its cancelled email and audit
    # event (7); the first page of invitations with their count (1); the message saved (3)
    with django_assert_max_num_queries(13):
        response = admin_client.post(url, headers=HTMX)

    assert response.text.count('<tr id="invitation-') == 50
    assert "?invitations_page=2" in response.text
    assert "Page 1 sur 2" in response.text


def test_resending_emails_a_new_link_and_the_old_one_stops_working(
    admin_client, admin, eager_tasks, django_capture_on_commit_callbacks
):
    invitation, old_token = sent_now(admin)
    url = reverse("invitations:resend", args=[admin.company.pk, invitation.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, follow=True)

    assert f"Un nouveau lien est envoyé à {LEA}" in response.text
    assert len(mail.outbox) == 2
    old_link = admin_client.get(accept_url(old_token))
    assert old_link.status_code == 410
    assert "Ce lien a été remplacé par un lien plus récent" in old_link.text


def test_the_team_page_offers_to_resend_a_sent_invitation(admin_client, admin):
    invitation, _token = sent_now(admin)

    response = admin_client.get(team_url(admin.company))

    assert reverse("invitations:resend", args=[admin.company.pk, invitation.pk]) in response.text
    assert reverse("invitations:revoke", args=[admin.company.pk, invitation.pk]) in response.text


def test_the_team_page_offers_no_resend_before_signature(admin_client, admin, invitation):
    response = admin_client.get(team_url(admin.company))

    assert sign_url(invitation) in response.text
    assert reverse("invitations:resend", args=[admin.company.pk, invitation.pk]) not in (
        response.text
    )


def test_an_invitation_awaiting_signature_cannot_be_resent(admin_client, admin, invitation):
    url = reverse("invitations:resend", args=[admin.company.pk, invitation.pk])

    response = admin_client.post(url, follow=True)

    assert "Seule une invitation envoyée ou en échec peut être renvoyée." in response.text
    assert mail.outbox == []


# Isolation: every company-scoped page of the invitation path

COMPANY_PAGES = [
    ("teams:team", "get", False),
    ("invitations:create", "get", False),
    ("invitations:create", "post", False),
    ("invitations:sign", "get", True),
    ("invitations:sign", "post", True),
    ("invitations:send_code", "post", True),
    ("invitations:resend", "post", True),
    ("invitations:revoke", "post", True),
]


def company_page(name, with_invitation, invitation, company_id=None):
    args = [company_id or invitation.company_id]
    if with_invitation:
        args.append(invitation.pk)
    return reverse(name, args=args)


@pytest.mark.parametrize(("name", "method", "with_invitation"), COMPANY_PAGES)
def test_another_companys_administrator_gets_404(
    client_for, invitation, other_admin, name, method, with_invitation
):
    url = company_page(name, with_invitation, invitation)

    response = getattr(client_for(other_admin.user), method)(url)

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE


@pytest.mark.parametrize(
    ("name", "method", "with_invitation"), [page for page in COMPANY_PAGES if page[2]]
)
def test_an_invitation_of_another_company_looks_missing_from_ones_own_company(
    client_for, invitation, other_admin, name, method, with_invitation
):
    url = company_page(name, with_invitation, invitation, company_id=other_admin.company_id)

    response = getattr(client_for(other_admin.user), method)(url)

    assert response.status_code == 404
    assert sms.outbox == []
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE


@pytest.mark.parametrize(("name", "method", "with_invitation"), COMPANY_PAGES)
def test_a_collaborator_of_the_company_gets_403(
    client_for, collaborator_with, invitation, name, method, with_invitation
):
    member = collaborator_with(*Right)

    response = getattr(client_for(member.user), method)(
        company_page(name, with_invitation, invitation)
    )

    assert response.status_code == 403
    assert sms.outbox == []


@pytest.mark.parametrize(("name", "method", "with_invitation"), COMPANY_PAGES)
def test_an_anonymous_visitor_is_sent_to_the_login_page(
    client, invitation, name, method, with_invitation
):
    response = getattr(client, method)(company_page(name, with_invitation, invitation))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# Accepting: the emailed link


def test_the_link_shows_the_company_the_inviter_and_the_rights(client, admin):
    _invitation, token = sent_now(admin)

    response = client.get(accept_url(token))

    assert response.status_code == 200
    assert admin.company.name in response.text
    assert admin.user.get_full_name() in response.text
    assert "Accéder au service Suivi de trésorerie" in response.text
    assert "J’ai déjà un compte : me connecter et accepter" in response.text
    assert "Je crée mon accès" in response.text


def test_the_link_shows_the_rights_that_were_signed_not_the_invitation_row(client, admin):
    invitation, token = sent_now(admin)
    Invitation.objects.filter(pk=invitation.pk).update(rights=[Right.BANK_DETAILS.value])

    response = client.get(accept_url(token))

    assert "Accéder au service Suivi de trésorerie" in response.text
    assert "Effectuer un changement de RIB" not in response.text


def test_opening_the_link_changes_nothing(client, admin):
    invitation, token = sent_now(admin)

    client.get(accept_url(token))

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    assert not User.objects.filter(email=LEA).exists()
    assert not Membership.objects.filter(company=admin.company, user__email=LEA).exists()


def test_a_head_request_on_the_link_changes_nothing(client, admin, lea):
    invitation, token = sent_now(admin)
    client.force_login(lea)

    response = client.head(accept_url(token))

    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    assert not Membership.objects.filter(company=admin.company, user=lea).exists()


def test_the_link_page_tells_browsers_never_to_send_the_link_elsewhere(client, admin):
    _invitation, token = sent_now(admin)

    response = client.get(accept_url(token))

    assert response["Referrer-Policy"] == "same-origin"
    assert '<meta name="referrer" content="same-origin">' in response.text
    assert response.text.count(token) == 0


def test_a_new_person_creates_their_account_and_lands_in_the_company(client, admin):
    invitation, token = sent_now(admin)

    response = accept_new_account(client, accept_url(token), NEW_ACCOUNT, follow=True)

    assert response.redirect_chain[-1][0] == reverse("portal:company_home", args=[admin.company.pk])
    assert "Bienvenue dans l’espace d’Atelier Durand SAS." in response.text
    membership = Membership.objects.get(company=admin.company, user__email=LEA)
    assert grants_of(membership) == {Right.DOCUMENTS, Right.TREASURY}
    assert membership.user.check_password(NEW_ACCOUNT["password1"])
    assert "portal_login_at" in client.session
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED


def test_the_new_account_form_is_prefilled_with_the_invited_name(client, admin):
    _invitation, token = sent_now(admin)

    response = client.get(accept_url(token))

    assert 'value="Léa"' in response.text
    assert 'value="Martin"' in response.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password2": "un-autre-mot-de-passe"}, "Les deux mots de passe ne sont pas identiques."),
        ({"password1": "court", "password2": "court"}, "Ce mot de passe est trop court."),
        ({"mobile": "01 23 45 67 89"}, "Saisissez un numéro de mobile (par exemple"),
        ({"mobile": ""}, "Saisissez votre numéro de mobile."),
    ],
    ids=["passwords differ", "password too short", "landline", "no mobile"],
)
def test_a_new_account_with_an_invalid_field_is_refused_in_french_and_nothing_changes(
    client, admin, changes, message
):
    invitation, token = sent_now(admin)

    response = client.post(accept_url(token), {**NEW_ACCOUNT, **changes})

    assert response.status_code == 200
    assert message in response.text
    assert not User.objects.filter(email=LEA).exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT


def without_csrf_tokens(html):
    return re.sub(r"[A-Za-z0-9]{64}", "<csrf>", html)


def test_the_page_is_the_same_whether_or_not_an_account_exists(client, admin):
    _invitation, token = sent_now(admin)
    without_account = client.get(accept_url(token))
    UserFactory.create(email=LEA, first_name="Léa", last_name="Martin")

    with_account = client.get(accept_url(token))

    assert without_csrf_tokens(with_account.text) == without_csrf_tokens(without_account.text)
    assert "J’ai déjà un compte : me connecter et accepter" in with_account.text
    assert "Je crée mon accès" in with_account.text
    assert "Un compte existe" not in with_account.text


def test_someone_with_an_account_logs_in_and_accepts(client, admin, lea):
    invitation, token = sent_now(admin)

    client.post(accept_url(token), {"accept_with": "login", "password": PASSWORD})
    # accepted with the password; the session still asks for the account's second factor
    assert "_auth_user_id" not in client.session
    response = client.post(SECOND_STEP_URL, {"code": last_code()}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("portal:company_home", args=[admin.company.pk])
    membership = Membership.objects.get(company=admin.company, user=lea)
    assert grants_of(membership) == {Right.DOCUMENTS, Right.TREASURY}
    assert int(client.session["_auth_user_id"]) == lea.pk
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED


def test_a_wrong_password_gets_the_login_pages_message_and_accepts_nothing(client, admin, lea):
    _invitation, token = sent_now(admin)

    response = client.post(
        accept_url(token), {"accept_with": "login", "password": "pas-le-bon-mot-de-passe"}
    )

    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.text
    assert "_auth_user_id" not in client.session
    assert not Membership.objects.filter(company=admin.company, user=lea).exists()


def test_logging_in_without_an_account_reads_like_a_wrong_password(client, admin):
    invitation, token = sent_now(admin)
    lea = UserFactory.create(email=LEA)
    known = client.post(accept_url(token), {"accept_with": "login", "password": "essai-1234567"})
    lea.delete()

    unknown = client.post(accept_url(token), {"accept_with": "login", "password": "essai-1234567"})

    assert without_csrf_tokens(unknown.text) == without_csrf_tokens(known.text)
    assert "Adresse e-mail ou mot de passe incorrect." in unknown.text
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT


def test_a_new_account_form_posted_for_an_existing_account_creates_nothing(client, admin, lea):
    _invitation, token = sent_now(admin)

    response = client.post(accept_url(token), {"accept_with": "new_account", **NEW_ACCOUNT})

    assert response.status_code == 200
    assert (
        "Impossible de créer un compte avec cette adresse. Si vous en avez déjà un, "
        "connectez-vous ci-dessus." in response.text
    )
    assert "Un compte existe" not in response.text
    assert User.objects.filter(email__iexact=LEA).count() == 1
    lea.refresh_from_db()
    assert lea.first_name == "Léa"
    assert not lea.check_password(NEW_ACCOUNT["password1"])
    assert not Membership.objects.filter(company=admin.company, user=lea).exists()


def test_the_two_forms_say_which_one_was_posted(client, admin):
    _invitation, token = sent_now(admin)

    page = client.get(accept_url(token))

    assert page.text.count('name="accept_with" value="login"') == 1
    assert page.text.count('name="accept_with" value="new_account"') == 1


def test_the_invited_user_already_logged_in_accepts_with_one_click(client_for, admin, lea):
    _invitation, token = sent_now(admin)
    browser = client_for(lea)

    page = browser.get(accept_url(token))
    response = browser.post(accept_url(token))

    assert "Accepter l’invitation" in page.text
    assert response.url == reverse("portal:company_home", args=[admin.company.pk])
    membership = Membership.objects.get(company=admin.company, user=lea)
    assert grants_of(membership) == {Right.DOCUMENTS, Right.TREASURY}


def test_someone_logged_in_with_another_email_is_told_the_invitation_is_not_for_them(
    admin_client, admin
):
    _invitation, token = sent_now(admin)

    response = admin_client.get(accept_url(token))

    assert "Cette invitation est destinée à une autre adresse e-mail (l•••@…)." in response.text
    assert "Déconnectez-vous pour l’accepter." in response.text
    assert "Accepter l’invitation" not in response.text
    assert LEA not in response.text


def test_someone_logged_in_with_another_email_cannot_accept_by_post(client_for, admin):
    invitation, token = sent_now(admin)
    stranger = UserFactory.create(email="quelquun@ailleurs.example")

    response = client_for(stranger).post(accept_url(token), NEW_ACCOUNT)

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    assert not Membership.objects.filter(company=admin.company, user=stranger).exists()
    assert not User.objects.filter(email=LEA).exists()


def test_an_expired_link_says_whom_to_ask_for_a_new_one(client, admin):
    _invitation, token = sent_now(admin, now=timezone.now() - datetime.timedelta(days=8))

    response = client.get(accept_url(token))

    assert response.status_code == 410
    assert (
        f"Cette invitation a expiré. Demandez à {admin.user.get_full_name()} de vous en envoyer "
        "une nouvelle." in response.text
    )


def test_a_revoked_link_says_the_invitation_was_cancelled(client, admin):
    invitation, token = sent_now(admin)
    services.invitation_revoke(
        invitation_id=invitation.pk,
        company=admin.company,
        actor=admin.user,
        ip_address=IP,
        now=timezone.now(),
    )

    response = client.get(accept_url(token))

    assert response.status_code == 410
    assert "Cette invitation a été annulée par l’entreprise." in response.text


def test_a_used_link_says_it_was_accepted_and_offers_to_log_in(client, admin, lea):
    _invitation, token = sent_now(admin)
    services.invitation_accept(token=token, user=lea, ip_address=IP, now=timezone.now())

    response = client.get(accept_url(token))

    assert response.status_code == 410
    assert "Cette invitation a déjà été acceptée." in response.text
    assert f'href="{reverse("accounts:login")}"' in response.text


def test_a_used_link_cannot_be_accepted_again(client, admin, lea):
    _invitation, token = sent_now(admin)
    services.invitation_accept(token=token, user=lea, ip_address=IP, now=timezone.now())

    response = client.post(accept_url(token), NEW_ACCOUNT)

    assert response.status_code == 410
    assert User.objects.filter(email__iexact=LEA).count() == 1


def test_an_unknown_link_says_it_is_not_valid(client, admin):
    response = client.get(accept_url("x" * 43))

    assert response.status_code == 404
    assert "Ce lien n’est pas valide ou a été remplacé par un lien plus récent." in response.text


def test_the_resend_control_refreshes_alone_once_the_cool_down_is_over(
    admin_client, admin, invitation
):
    admin_client.post(send_code_url(invitation))

    response = admin_client.get(
        sign_url(invitation), headers={**HTMX, "HX-Target": "resend-control"}
    )

    assert 'id="resend-control"' in response.text
    assert 'name="code"' not in response.text
    assert "Renvoyer le code" in response.text


def new_account_waiting_for_its_code() -> tuple[str, Client]:
    """A sent invitation, and a browser that filled in the new-account form (its code sent)."""
    admin = MembershipFactory.create(company=CompanyFactory.create(), role=Role.ADMIN)
    invitation = create(admin, email=LEA, rights=(Right.DOCUMENTS,))
    request_code(invitation, admin)
    sign(invitation, admin)
    token = dispatch(invitation, now=timezone.now())
    browser = Client(raise_request_exception=False)
    browser.post(accept_url(token), NEW_ACCOUNT)
    return token, browser


ALREADY_ACCEPTED = "Invitation déjà acceptée"


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_of_the_new_account_form_makes_one_account_and_says_so():
    token, browser = new_account_waiting_for_its_code()
    code = last_code()
    both_ready = threading.Barrier(2)
    responses = []

    def submit():
        try:
            both_ready.wait()
            responses.append(
                browser.post(accept_url(token), {"accept_with": "confirm_mobile", "code": code})
            )
        finally:
            connection.close()

    clicks = [threading.Thread(target=submit) for _ in range(2)]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()

    # one click accepts; the other is told the invitation is already accepted, never a 400
    first, second = sorted(responses, key=lambda response: response.status_code)
    assert first.status_code == 302
    assert second.status_code == 410
    assert ALREADY_ACCEPTED in second.text
    assert User.objects.filter(email__iexact=LEA).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_second_click_whose_session_the_first_replaced_says_already_accepted(monkeypatch):
    token, browser = new_account_waiting_for_its_code()
    code = last_code()
    late_click = Client(raise_request_exception=False)
    late_click.cookies = browser.cookies.__class__(browser.cookies)  # the same session cookie
    session_read, first_done = threading.Event(), threading.Event()
    accept_mode = accepting_views._accept_mode

    def held_after_reading_its_session(request, invitation):
        if threading.current_thread().name == "late-click":
            request.session.load()  # the session the first click is about to replace
            session_read.set()
            first_done.wait(timeout=30)
        return accept_mode(request, invitation)

    monkeypatch.setattr(accepting_views, "_accept_mode", held_after_reading_its_session)
    late_responses = []

    def click_late():
        try:
            late_responses.append(
                late_click.post(accept_url(token), {"accept_with": "confirm_mobile", "code": code})
            )
        finally:
            connection.close()

    thread = threading.Thread(target=click_late, name="late-click")
    thread.start()
    assert session_read.wait(timeout=30)
    first = browser.post(accept_url(token), {"accept_with": "confirm_mobile", "code": code})
    first_done.set()
    thread.join(timeout=60)

    assert first.status_code == 302
    [late] = late_responses
    assert late.status_code == 410
    assert ALREADY_ACCEPTED in late.text
    assert f'href="{reverse("accounts:login")}"' in late.text
    # the replaced session stays ended, and the browser keeps the cookie the first click set
    old_key = late_click.cookies[settings.SESSION_COOKIE_NAME].value
    assert not Session.objects.filter(session_key=old_key).exists()
    assert settings.SESSION_COOKIE_NAME not in late.cookies
    assert User.objects.filter(email__iexact=LEA).count() == 1
