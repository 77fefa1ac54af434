"""Support designates administrators in the Django admin; a company never loses its last one."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from teams.models import Membership, MembershipStatus, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LAST_ADMIN = "au moins un administrateur actif"


@pytest.fixture
def support():
    staff = UserFactory(email="support@banque.example", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    return client


def membership_form(membership, **changes):
    data = {
        "user": membership.user_id,
        "company": membership.company_id,
        "role": membership.role,
        "status": membership.status,
        "grants-TOTAL_FORMS": 0,
        "grants-INITIAL_FORMS": 0,
        "grants-MIN_NUM_FORMS": 0,
        "grants-MAX_NUM_FORMS": 1000,
    }
    return {**data, **changes}


def company_form(company, member_changes):
    members = list(company.memberships.order_by("pk"))
    data = {
        "name": company.name,
        "siren": company.siren,
        "contracts-TOTAL_FORMS": 0,
        "contracts-INITIAL_FORMS": 0,
        "memberships-TOTAL_FORMS": len(members),
        "memberships-INITIAL_FORMS": len(members),
    }
    if company.has_entreprise_subscription:
        data["has_entreprise_subscription"] = "on"
    for n, membership in enumerate(members):
        data.update(
            {
                f"memberships-{n}-id": membership.pk,
                f"memberships-{n}-company": company.pk,
                f"memberships-{n}-user": membership.user_id,
                f"memberships-{n}-role": membership.role,
                f"memberships-{n}-status": membership.status,
            }
        )
        for field, value in member_changes.get(membership.pk, {}).items():
            data[f"memberships-{n}-{field}"] = value
    return data


def test_support_cannot_suspend_the_last_active_administrator(support, admin):
    url = reverse("admin:teams_membership_change", args=[admin.pk])

    response = support.post(url, membership_form(admin, status=MembershipStatus.SUSPENDED))

    assert response.status_code == 200
    assert LAST_ADMIN in response.content.decode()
    admin.refresh_from_db()
    assert admin.status == MembershipStatus.ACTIVE


def test_support_cannot_make_the_last_administrator_a_collaborator(support, admin):
    url = reverse("admin:teams_membership_change", args=[admin.pk])

    response = support.post(url, membership_form(admin, role=Role.COLLABORATOR))

    assert LAST_ADMIN in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_support_can_suspend_an_administrator_when_another_stays(support, admin):
    MembershipFactory.create(company=admin.company, role=Role.ADMIN)
    url = reverse("admin:teams_membership_change", args=[admin.pk])

    response = support.post(url, membership_form(admin, status=MembershipStatus.SUSPENDED))

    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.status == MembershipStatus.SUSPENDED


def test_support_cannot_delete_the_last_active_administrator(support, admin):
    url = reverse("admin:teams_membership_delete", args=[admin.pk])

    response = support.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert any(LAST_ADMIN in str(m) for m in get_messages(response.wsgi_request))
    assert Membership.objects.filter(pk=admin.pk).exists()


def test_support_cannot_bulk_delete_the_last_active_administrator(support, admin):
    response = support.post(
        reverse("admin:teams_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [admin.pk], "post": "yes"},
    )

    assert any(LAST_ADMIN in str(m) for m in get_messages(response.wsgi_request))
    assert Membership.objects.filter(pk=admin.pk).exists()


def test_support_still_deletes_a_collaborator(support, admin, collaborator_with):
    member = collaborator_with()

    support.post(
        reverse("admin:teams_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [member.pk], "post": "yes"},
    )

    assert not Membership.objects.filter(pk=member.pk).exists()


def test_support_cannot_suspend_the_last_administrator_on_the_company_page(support, admin):
    url = reverse("admin:teams_company_change", args=[admin.company.pk])

    response = support.post(
        url, company_form(admin.company, {admin.pk: {"status": MembershipStatus.SUSPENDED}})
    )

    assert response.status_code == 200
    assert LAST_ADMIN in response.content.decode()
    admin.refresh_from_db()
    assert admin.status == MembershipStatus.ACTIVE


def test_support_cannot_delete_the_last_administrator_on_the_company_page(support, admin):
    url = reverse("admin:teams_company_change", args=[admin.company.pk])

    response = support.post(url, company_form(admin.company, {admin.pk: {"DELETE": "on"}}))

    assert LAST_ADMIN in response.content.decode()
    assert Membership.objects.filter(pk=admin.pk).exists()
