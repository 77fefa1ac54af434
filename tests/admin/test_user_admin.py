"""Support deactivating or deleting a person's account: a company never loses its last active
administrator."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import User
from companies.models import MembershipStatus, Role
from tests.admin.forms import REASON
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LAST_ADMIN = "au moins un administrateur actif"


@pytest.fixture
def support():
    client = Client()
    client.force_login(
        UserFactory(email="support@banque.example", is_staff=True, is_superuser=True)
    )
    return client


def deactivate(support, user):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "mobile": str(user.mobile),
        "reason": REASON,
    }  # "is_active" left out: the box is unticked
    return support.post(reverse("admin:accounts_user_change", args=[user.pk]), data)


def test_support_cannot_deactivate_the_last_active_administrator(support, admin):
    response = deactivate(support, admin.user)

    assert response.status_code == 200
    assert LAST_ADMIN in response.content.decode()
    assert admin.company.name in response.content.decode()
    admin.user.refresh_from_db()
    assert admin.user.is_active


def test_the_refusal_holds_for_any_company_of_the_person(support, admin):
    elsewhere = CompanyFactory.create(name="Forges Martin")
    MembershipFactory.create(company=elsewhere, user=admin.user, role=Role.ADMIN)
    MembershipFactory.create(company=admin.company, role=Role.ADMIN)

    response = deactivate(support, admin.user)

    assert "Forges Martin" in response.content.decode()
    admin.user.refresh_from_db()
    assert admin.user.is_active


def test_support_deactivates_an_administrator_when_another_stays(support, admin):
    MembershipFactory.create(company=admin.company, role=Role.ADMIN)

    response = deactivate(support, admin.user)

    assert response.status_code == 302
    admin.user.refresh_from_db()
    assert not admin.user.is_active


def test_a_suspended_administrator_does_not_count_as_the_one_who_stays(support, admin):
    MembershipFactory.create(
        company=admin.company, role=Role.ADMIN, status=MembershipStatus.SUSPENDED
    )

    response = deactivate(support, admin.user)

    assert LAST_ADMIN in response.content.decode()


def test_support_deactivates_a_collaborator(support, admin, collaborator_with):
    member = collaborator_with()

    response = deactivate(support, member.user)

    assert response.status_code == 302
    member.user.refresh_from_db()
    assert not member.user.is_active


# --- Deletion ---------------------------------------------------------------------------------


def refusals(response):
    return [str(m) for m in get_messages(response.wsgi_request) if LAST_ADMIN in str(m)]


def bulk_delete(support, *users):
    return support.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [u.pk for u in users], "post": "yes"},
    )


def test_support_cannot_delete_the_last_active_administrator(support, admin):
    url = reverse("admin:accounts_user_delete", args=[admin.user.pk])

    response = support.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert response.url == reverse("admin:accounts_user_change", args=[admin.user.pk])
    assert admin.company.name in refusals(response)[0]
    assert User.objects.filter(pk=admin.user.pk).exists()


def test_the_delete_confirmation_of_the_last_active_administrator_is_refused(support, admin):
    url = reverse("admin:accounts_user_delete", args=[admin.user.pk])

    response = support.get(url)

    assert response.status_code == 302
    assert refusals(response)


def test_a_deletion_found_refused_under_lock_deletes_nothing(support, admin, monkeypatch):
    monkeypatch.setattr("accounts.admin.users_leaving_refusal", lambda **_: None)  # a race lost
    url = reverse("admin:accounts_user_delete", args=[admin.user.pk])

    response = support.post(url, {"post": "yes"})

    assert refusals(response)
    assert User.objects.filter(pk=admin.user.pk).exists()
    assert not LogEntry.objects.filter(object_id=str(admin.user.pk)).exists()


def test_support_deletes_an_administrator_when_another_stays(support, admin):
    MembershipFactory.create(company=admin.company, role=Role.ADMIN)
    url = reverse("admin:accounts_user_delete", args=[admin.user.pk])

    response = support.post(url, {"post": "yes"})

    assert response.url == reverse("admin:accounts_user_changelist")
    assert not User.objects.filter(pk=admin.user.pk).exists()


def test_support_cannot_bulk_delete_the_last_active_administrator(support, admin):
    response = bulk_delete(support, admin.user)

    assert refusals(response)
    assert User.objects.filter(pk=admin.user.pk).exists()


def test_the_bulk_delete_confirmation_of_the_last_active_administrator_is_refused(support, admin):
    response = support.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [admin.user.pk]},
    )

    assert response.status_code == 302
    assert refusals(response)


def test_support_cannot_bulk_delete_two_administrators_who_are_the_last_together(support, admin):
    second = MembershipFactory.create(company=admin.company, role=Role.ADMIN)

    response = bulk_delete(support, admin.user, second.user)

    assert refusals(response)
    assert User.objects.filter(pk__in=[admin.user.pk, second.user.pk]).count() == 2


def test_a_bulk_deletion_found_refused_under_lock_deletes_nothing(support, admin, monkeypatch):
    monkeypatch.setattr("accounts.admin.users_leaving_refusal", lambda **_: None)  # a race lost

    response = bulk_delete(support, admin.user)

    assert refusals(response)
    assert User.objects.filter(pk=admin.user.pk).exists()
    assert not LogEntry.objects.filter(object_id=str(admin.user.pk)).exists()


def test_support_still_bulk_deletes_a_collaborator(support, admin, collaborator_with):
    member = collaborator_with()

    bulk_delete(support, member.user)

    assert not User.objects.filter(pk=member.user.pk).exists()
