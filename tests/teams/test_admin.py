"""Support designates administrators in the Django admin; a company never loses its last one."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from companies.models import Membership, MembershipStatus, Role
from teams import services
from teams.models import RightsChangeStatus
from tests.admin.forms import REASON, company_form, membership_form
from tests.factories import MembershipFactory, UserFactory
from tests.otp.factories import NOW
from tests.teams.factories import request_change

pytestmark = pytest.mark.django_db

LAST_ADMIN = "au moins un administrateur actif"


@pytest.fixture
def support():
    staff = UserFactory(email="support@banque.example", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    return client


def test_support_cannot_suspend_the_last_active_administrator(support, admin):
    url = reverse("admin:companies_membership_change", args=[admin.pk])

    response = support.post(url, membership_form(admin, status=MembershipStatus.SUSPENDED))

    assert response.status_code == 200
    assert LAST_ADMIN in response.content.decode()
    admin.refresh_from_db()
    assert admin.status == MembershipStatus.ACTIVE


def test_support_cannot_make_the_last_administrator_a_collaborator(support, admin):
    url = reverse("admin:companies_membership_change", args=[admin.pk])

    response = support.post(url, membership_form(admin, role=Role.COLLABORATOR))

    assert LAST_ADMIN in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_support_can_suspend_an_administrator_when_another_stays(support, admin):
    MembershipFactory.create(company=admin.company, role=Role.ADMIN)
    url = reverse("admin:companies_membership_change", args=[admin.pk])

    response = support.post(url, membership_form(admin, status=MembershipStatus.SUSPENDED))

    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.status == MembershipStatus.SUSPENDED


def test_support_cannot_delete_the_last_active_administrator(support, admin):
    url = reverse("admin:companies_membership_delete", args=[admin.pk])

    response = support.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert any(LAST_ADMIN in str(m) for m in get_messages(response.wsgi_request))
    assert Membership.objects.filter(pk=admin.pk).exists()


def test_support_cannot_bulk_delete_the_last_active_administrator(support, admin):
    response = support.post(
        reverse("admin:companies_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [admin.pk], "post": "yes"},
    )

    assert any(LAST_ADMIN in str(m) for m in get_messages(response.wsgi_request))
    assert Membership.objects.filter(pk=admin.pk).exists()


def test_support_still_deletes_a_collaborator(support, admin, collaborator_with):
    member = collaborator_with()

    support.post(
        reverse("admin:companies_membership_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [member.pk],
            "post": "yes",
            "reason": REASON,
        },
    )

    assert not Membership.objects.filter(pk=member.pk).exists()


def test_support_cannot_suspend_the_last_administrator_on_the_company_page(support, admin):
    url = reverse("admin:companies_company_change", args=[admin.company.pk])

    response = support.post(
        url, company_form(admin.company, {admin.pk: {"status": MembershipStatus.SUSPENDED}})
    )

    assert response.status_code == 200
    assert LAST_ADMIN in response.content.decode()
    admin.refresh_from_db()
    assert admin.status == MembershipStatus.ACTIVE


def test_support_cannot_delete_the_last_administrator_on_the_company_page(support, admin):
    url = reverse("admin:companies_company_change", args=[admin.company.pk])

    response = support.post(url, company_form(admin.company, {admin.pk: {"DELETE": "on"}}))

    assert LAST_ADMIN in response.content.decode()
    assert Membership.objects.filter(pk=admin.pk).exists()


# --- Rights changes, read-only for support ----------------------------------------------------


@pytest.fixture
def pending_and_applied(admin, collaborator_with):
    member = collaborator_with("documents", "treasury")
    applied = services.rights_remove(
        membership_id=member.pk,
        company=admin.company,
        actor=admin.user,
        rights=["documents"],
        ip_address=None,
        now=NOW,
    )
    pending = request_change(admin, member, "documents", "bank_details")
    return pending, applied


def test_support_sees_pending_and_applied_rights_changes(support, pending_and_applied):
    response = support.get(reverse("admin:teams_rightschange_changelist"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "En attente de signature" in page
    assert "Appliquée" in page


def test_a_rights_change_page_shows_what_is_added_and_removed(support, pending_and_applied):
    pending, applied = pending_and_applied

    pending_page = support.get(reverse("admin:teams_rightschange_change", args=[pending.pk]))
    applied_page = support.get(reverse("admin:teams_rightschange_change", args=[applied.pk]))

    assert "Changement de RIB" in pending_page.content.decode()
    assert "Suivi de trésorerie" in applied_page.content.decode()


def test_support_cannot_add_change_or_delete_a_rights_change(support, pending_and_applied):
    pending, _applied = pending_and_applied
    change_url = reverse("admin:teams_rightschange_change", args=[pending.pk])

    added = support.get(reverse("admin:teams_rightschange_add"))
    saved = support.post(change_url, {"status": "applied"})
    deleted = support.post(
        reverse("admin:teams_rightschange_delete", args=[pending.pk]), {"post": "yes"}
    )

    assert added.status_code == deleted.status_code == 403
    assert saved.status_code == 403
    pending.refresh_from_db()
    assert pending.status == RightsChangeStatus.AWAITING_SIGNATURE
