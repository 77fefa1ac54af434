"""Members are told: a suspension, a reactivation, a removal and a new role email the member once;
a suspended or removed member loses the company at their next request and is told why."""

import pytest
from django.urls import reverse
from django.utils import timezone

from companies.models import MembershipStatus, Role
from core.models import Message
from permissions.catalogue import Right
from teams.services import (
    member_reactivate,
    member_remove,
    member_suspend,
    membership_set_by_support,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REASON = "demande écrite du représentant légal reçue"


def _emails_to(user, template="teams/email/member_status"):
    return list(Message.objects.filter(to=user.email, template=template))


def test_a_suspension_emails_the_member_once(admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    member_suspend(
        membership_id=member.pk, company=admin.company, actor=admin.user, ip_address=None
    )

    [message] = _emails_to(member.user)
    assert "suspendu" in message.subject
    assert admin.user.email in message.text  # whom to contact


def test_a_reactivation_and_a_removal_each_email_the_member(admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS, status=MembershipStatus.SUSPENDED)
    company, actor = admin.company, admin.user

    member_reactivate(membership_id=member.pk, company=company, actor=actor, ip_address=None)
    member_remove(membership_id=member.pk, company=company, actor=actor, ip_address=None)

    subjects = sorted(m.subject for m in _emails_to(member.user))
    assert len(subjects) == 2
    assert any("rétabli" in s for s in subjects)
    assert any("plus accès" in s for s in subjects)


def test_a_role_changed_by_support_emails_the_member(admin, collaborator_with):
    member = collaborator_with()
    agent = UserFactory(is_staff=True)

    membership_set_by_support(
        membership=member,
        role=Role.ADMIN,
        status=member.status,
        actor=agent,
        reason=REASON,
        ip_address=None,
        now=timezone.now(),
    )

    [message] = _emails_to(member.user)
    assert "rôle" in message.subject


def test_a_suspended_member_loses_the_company_at_their_next_request_and_is_told_why(
    admin, collaborator_with, client_for
):
    member = collaborator_with(Right.DOCUMENTS)
    client = client_for(member.user)
    home = reverse("portal:company_home", args=[admin.company.pk])
    before = client.get(home)

    member_suspend(
        membership_id=member.pk, company=admin.company, actor=admin.user, ip_address=None
    )
    after = client.get(home)

    assert before.status_code == 200
    assert after.status_code == 403
    page = after.content.decode()
    assert "Accès suspendu" in page
    assert admin.company.name in page
    assert admin.user.email in page


def test_a_removed_member_is_told_they_no_longer_have_access(admin, collaborator_with, client_for):
    member = collaborator_with(Right.DOCUMENTS)
    client = client_for(member.user)

    member_remove(membership_id=member.pk, company=admin.company, actor=admin.user, ip_address=None)
    response = client.get(reverse("documents:index", args=[admin.company.pk]))

    assert response.status_code == 403
    assert "Vous n’avez plus accès" in response.content.decode()


def test_a_stranger_still_gets_the_plain_404(admin, other_admin, client_for):
    response = client_for(other_admin.user).get(
        reverse("portal:company_home", args=[admin.company.pk])
    )

    assert response.status_code == 404
    assert admin.company.name not in response.content.decode()
