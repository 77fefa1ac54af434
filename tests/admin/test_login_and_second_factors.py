"""Support staff log in like everyone (the portal's login, its throttle, a second factor), and help
a person whose login is locked or whose phone is lost, with a reason."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import Action, AuditEvent
from backoffice.models import Proposal
from core import sms
from tests.factories import PASSWORD, UserFactory
from tests.login import LOGIN_URL, SECOND_STEP_URL, last_code, log_in, log_in_password
from tests.outbox import emails_to

pytestmark = pytest.mark.django_db

REASON = "Identité vérifiée par téléphone au numéro du contrat"


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()


@pytest.fixture
def agent():
    return UserFactory.create(email="agent@banque.example", is_staff=True, is_superuser=True)


@pytest.fixture
def support(agent):
    client = Client()
    client.force_login(agent)
    return client


@pytest.fixture
def second_agent():
    return UserFactory.create(email="agent.bis@banque.example", is_staff=True, is_superuser=True)


@pytest.fixture
def approver(second_agent):
    """A second, different support agent, who approves what the first one proposed."""
    client = Client()
    client.force_login(second_agent)
    return client


def approve_the_proposal(approver):
    proposal = Proposal.objects.get()
    approver.post(reverse("admin:backoffice_proposal_approve", args=[proposal.pk]))


def test_the_admin_login_page_sends_to_the_portals_login(client):
    response = client.get(reverse("admin:login"), {"next": "/admin/accounts/user/"})

    assert response.status_code == 302
    assert response.url == f"{LOGIN_URL}?next=%2Fadmin%2Faccounts%2Fuser%2F"


def test_the_admin_has_no_password_form_of_its_own(client, agent):
    response = client.post(reverse("admin:login"), {"username": agent.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)
    assert SESSION_KEY not in client.session


def test_the_admin_asks_support_for_a_second_factor(client, agent):
    log_in_password(client, agent.email, next="/admin/")

    assert client.get("/admin/").url == SECOND_STEP_URL
    response = client.post(SECOND_STEP_URL, {"code": last_code()})

    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.get(action=Action.LOGIN, actor=agent).data == {"factor": "sms"}


def test_eight_wrong_support_passwords_are_throttled_like_the_portals(client, agent):
    for _ in range(8):
        client.post(reverse("admin:login"), {"username": agent.email, "password": "faux"})
        client.post(LOGIN_URL, {"email": agent.email, "password": "pas-le-bon-mot-de-passe"})

    response = client.post(LOGIN_URL, {"email": agent.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "Trop de tentatives" in response.text
    assert SESSION_KEY not in client.session
    assert sms.outbox == []


def test_a_logged_in_client_is_not_let_into_the_admin(client):
    client.force_login(UserFactory.create())

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0] == reverse("portal:company_picker")
    assert "réservé au support" in response.text


def locked_user():
    return UserFactory.create(login_locked_at=timezone.now(), consecutive_login_failures=20)


def second_factors_url(user):
    return reverse("admin:accounts_user_second_factors", args=[user.pk])


def test_support_unlocks_a_locked_login_with_a_reason_and_a_second_agent(
    support, approver, second_agent
):
    user = locked_user()

    response = support.post(second_factors_url(user), {"action": "unlock", "reason": REASON})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).login_locked_at is not None
    approve_the_proposal(approver)

    user.refresh_from_db()
    assert user.login_locked_at is None
    assert user.consecutive_login_failures == 0
    event = AuditEvent.objects.get(action=Action.LOGIN_UNLOCKED)
    assert event.actor_id == second_agent.pk
    assert event.data["reason"] == REASON
    [email] = emails_to(user.email)
    assert "débloquée" in email.subject
    assert log_in(Client(), user.email).url == reverse("portal:company_picker")


def test_an_unlock_without_a_real_reason_is_refused(support):
    user = locked_user()

    response = support.post(second_factors_url(user), {"action": "unlock", "reason": "ok"})

    assert response.status_code == 200
    assert "Expliquez en quelques mots" in response.text
    user.refresh_from_db()
    assert user.login_locked_at is not None
    assert not AuditEvent.objects.filter(action=Action.LOGIN_UNLOCKED).exists()
    assert emails_to(user.email) == []


def test_support_resets_the_second_factors_of_a_lost_phone_with_a_second_agent(
    support, approver, second_agent
):
    user = UserFactory.create(mobile_confirmed_at=timezone.now())
    elsewhere = Client()
    log_in(elsewhere, user.email)
    assert elsewhere.get(reverse("accounts:account")).status_code == 200

    response = support.post(second_factors_url(user), {"action": "reset", "reason": REASON})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).mobile_confirmed_at is not None
    approve_the_proposal(approver)

    user.refresh_from_db()
    assert user.mobile_confirmed_at is None
    assert elsewhere.get(reverse("accounts:account")).status_code == 302
    event = AuditEvent.objects.get(action=Action.SECOND_FACTORS_RESET)
    assert (event.actor_id, event.data["reason"]) == (second_agent.pk, REASON)
    assert any("réinitialisés" in email.subject for email in emails_to(user.email))


def test_the_second_factors_page_is_linked_from_the_user_page(support):
    user = UserFactory.create()

    page = support.get(reverse("admin:accounts_user_change", args=[user.pk]))

    assert second_factors_url(user) in page.text
    assert support.get(second_factors_url(user)).status_code == 200


def test_a_mobile_changed_by_support_is_confirmed_again_at_the_next_login(support):
    user = UserFactory.create(mobile_confirmed_at=timezone.now())
    support.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "mobile": "+33698765432",
            "is_active": "on",
            "reason": "nouveau numéro confirmé par le client au téléphone",
        },
    )

    user.refresh_from_db()
    assert str(user.mobile) == "+33698765432"
    assert user.mobile_confirmed_at is None
    assert Session.objects.exists()
    assert User.objects.filter(pk=user.pk).exists()
