"""Support deactivating a person's account: a company never loses its last active administrator."""

import pytest
from django.test import Client
from django.urls import reverse

from teams.models import MembershipStatus, Role
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
    }  # "is_active" left out: the box is unticked
    return support.post(reverse("admin:portal_user_change", args=[user.pk]), data)


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
