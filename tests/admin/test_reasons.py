"""Support says why: each admin change of a client's data without a reason is refused and changes
nothing; with one, the reason is in the audit event and in the company's journal."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent
from client_requests.kinds import AttachmentPurpose, RequestKind, RequestStatus
from companies.models import Membership, MembershipStatus
from invitations.models import InvitationStatus
from permissions.catalogue import Right
from tests.admin.forms import REASON, membership_form
from tests.client_requests.factories import make_request, new_file
from tests.client_requests.test_admin import RIB
from tests.factories import UserFactory
from tests.invitations.factories import sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def support() -> Client:
    client = Client()
    client.force_login(
        UserFactory.create(email="support@banque.example", is_staff=True, is_superuser=True)
    )
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("action", ["resend", "revoke"])
def test_an_invitation_action_asks_a_reason_first_and_changes_nothing_without_one(
    support, admin, action
):
    invitation, _token = sent(admin)
    url = reverse("admin:invitations_invitation_changelist")
    chosen = {"action": action, "_selected_action": [invitation.pk]}

    asked = support.post(url, chosen)
    too_short = support.post(url, {**chosen, "apply": "1", "reason": "ok"})

    assert "Motif" in asked.content.decode()
    assert "au moins 3 mots" in too_short.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    assert not AuditEvent.objects.filter(action__in=[Action.RESENT, Action.REVOKED]).exists()


def test_a_revocation_with_a_reason_keeps_it_in_the_audit(support, admin):
    invitation, _token = sent(admin)

    support.post(
        reverse("admin:invitations_invitation_changelist"),
        {"action": "revoke", "_selected_action": [invitation.pk], "apply": "1", "reason": REASON},
    )

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert AuditEvent.objects.get(action=Action.REVOKED).data["reason"] == REASON


def test_a_status_change_without_a_reason_is_refused(support, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)
    url = reverse("admin:companies_membership_change", args=[member.pk])

    response = support.post(
        url, membership_form(member, status=MembershipStatus.SUSPENDED, reason="")
    )

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.status == MembershipStatus.ACTIVE


def test_a_removal_without_a_reason_is_refused(support, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    response = support.post(
        reverse("admin:companies_membership_delete", args=[member.pk]), {"post": "yes"}
    )

    assert any("au moins 3 mots" in m for m in _messages(response))
    assert Membership.objects.filter(pk=member.pk).exists()


def test_a_decision_without_a_reason_is_refused(support, collaborator_with):
    request = make_request(
        membership=collaborator_with(Right.BANK_DETAILS),
        kind=RequestKind.BANK_DETAILS_CHANGE,
        details=RIB,
        files=(new_file("pouvoir.pdf", purpose=AttachmentPurpose.PROOF_OF_POWER),),
        submit=True,
    )

    support.post(
        reverse("admin:client_requests_clientrequest_decision", args=[request.pk]),
        {"to_status": "refused", "comment": "Pièce illisible."},
    )

    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED


def test_supports_reason_reaches_the_companys_journal(
    support, admin, admin_client, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS)

    support.post(
        reverse("admin:companies_membership_change", args=[member.pk]),
        membership_form(member, status=MembershipStatus.SUSPENDED),
    )
    journal = admin_client.get(reverse("audit:journal", args=[admin.company.pk]))

    page = journal.content.decode()
    assert "Le support de la banque" in page
    assert f"motif : {REASON}" in page
