"""Accepting while things go wrong: the broker down, a suspended member, two accounts at once."""

import threading
import time

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from companies.models import Membership, MembershipStatus
from core.tasks import message_deliver
from invitations import services
from invitations.models import Invitation, InvitationStatus
from permissions.models import Grant
from tests.factories import CompanyFactory, MembershipFactory, UserFactory
from tests.invitations.factories import dispatch, signed
from tests.login import accept_new_account, last_code
from tests.otp.factories import NOW
from tests.outbox import deliver, pending

pytestmark = pytest.mark.django_db

LEA = "lea.martin@partenaire.example"
NEW_ACCOUNT = {
    "first_name": "Léa",
    "last_name": "Martin",
    "mobile": "06 98 76 54 32",
    "password1": "un-mot-de-passe-bien-long",
    "password2": "un-mot-de-passe-bien-long",
}


def accept_url(token):
    return reverse("invitations:accept", args=[token])


def sent_now(admin, *, email=LEA):
    invitation = signed(admin, email=email)
    token = dispatch(invitation, now=timezone.now())
    invitation.refresh_from_db()
    return invitation, token


def broker_down(*args, **kwargs):
    raise ConnectionRefusedError("redis down")


def test_accepting_with_the_broker_down_answers_and_the_inviter_is_emailed_once_swept(
    client, admin, monkeypatch, django_capture_on_commit_callbacks
):
    invitation, token = sent_now(admin)
    mail.outbox.clear()
    monkeypatch.setattr(message_deliver, "apply_async", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        response = accept_new_account(client, accept_url(token), NEW_ACCOUNT)

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:company_home", args=[admin.company.pk])
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.ACCEPTED
    assert mail.outbox == []
    [notice] = pending()
    assert notice.to == admin.user.email
    assert deliver(now=timezone.now()) == 1  # the sweep's task, once the broker is back
    [message] = mail.outbox
    assert message.to == [admin.user.email]


def test_a_suspended_member_cannot_accept_and_nothing_changes(client_for, admin):
    invitation, token = sent_now(admin)
    lea = UserFactory.create(email=LEA)
    suspended = MembershipFactory.create(
        user=lea, company=admin.company, status=MembershipStatus.SUSPENDED
    )

    response = client_for(lea).post(accept_url(token))

    assert "Votre accès à cette entreprise est suspendu. Contactez son administrateur." in (
        response.text
    )
    assert response.status_code == 403
    suspended.refresh_from_db()
    assert suspended.status == MembershipStatus.SUSPENDED
    assert not Grant.objects.filter(membership=suspended).exists()
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.SENT


def test_the_service_refuses_a_suspended_member_with_its_own_reason(admin):
    _invitation, token = sent_now(admin)
    lea = UserFactory.create(email=LEA)
    MembershipFactory.create(user=lea, company=admin.company, status=MembershipStatus.SUSPENDED)

    with pytest.raises(services.InvitationLinkInvalid) as refusal:
        services.invitation_accept(token=token, user=lea, ip_address=None, now=NOW)

    assert refusal.value.reason == "suspended"


@pytest.mark.django_db(transaction=True)
def test_two_companies_inviting_one_new_person_at_once_make_one_account(admin):
    _invitation, token = sent_now(admin)
    pending = services.invitation_acceptance_begin(
        token=token,
        first_name="Léa",
        last_name="Martin",
        mobile="+33698765432",
        password=NEW_ACCOUNT["password1"],
        now=NOW,
    )
    other = CompanyFactory.create()
    committed = threading.Event()
    inserted = threading.Event()

    def the_other_companys_acceptance():
        # creates the same account and commits a moment later, while ours waits on the index
        try:
            with transaction.atomic():
                UserFactory.create(email=LEA)
                inserted.set()
                time.sleep(0.5)
            committed.set()
        finally:
            connection.close()

    racer = threading.Thread(target=the_other_companys_acceptance)
    racer.start()
    try:
        assert inserted.wait(timeout=10)
        with pytest.raises(services.AccountExists):
            services.invitation_accept_new_account(
                token=token, pending=pending, code=last_code(), ip_address=None, now=NOW
            )
    finally:
        racer.join()

    assert committed.is_set()
    assert User.objects.filter(email__iexact=LEA).count() == 1
    assert not Membership.objects.filter(company=admin.company, user__email=LEA).exists()
    assert not Membership.objects.filter(company=other).exists()


def test_the_second_account_form_at_the_same_instant_is_asked_to_log_in(client, admin, monkeypatch):
    _invitation, token = sent_now(admin)
    UserFactory.create(email=LEA)
    # the other company's acceptance committed after this one checked for an account
    real_filter = User.objects.filter

    def not_yet_there(*args, **kwargs):
        if "email__iexact" in kwargs:
            return User.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(User.objects, "filter", not_yet_there)

    response = accept_new_account(client, accept_url(token), NEW_ACCOUNT)

    assert response.status_code == 200
    assert 'name="password"' in response.text
