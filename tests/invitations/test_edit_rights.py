"""Editing the rights of an invitation not yet accepted: a new signature, and the old link dies."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from invitations import services
from invitations.models import InvitationStatus
from invitations.services import InvitationLinkInvalid, InvitationRefused
from otp.services import CodeNotSent
from permissions.catalogue import Right
from tests.invitations.factories import IP, create, dispatch, request_code, sign, signed
from tests.otp.factories import NOW
from tests.outbox import deliver

pytestmark = pytest.mark.django_db


def edit_url(invitation):
    return reverse("invitations:edit_rights", args=[invitation.company_id, invitation.pk])


def edit(invitation, admin, *rights):
    return services.invitation_edit_rights(
        invitation_id=invitation.pk,
        company=admin.company,
        actor=admin.user,
        rights=rights,
        ip_address=IP,
        now=NOW,
    )


def test_editing_a_sent_invitation_kills_its_link_and_needs_a_new_signature(admin):
    invitation = signed(admin)
    token = dispatch(invitation, now=timezone.now())

    invitation = edit(invitation, admin, Right.DOCUMENTS, Right.BANK_DETAILS)

    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE
    assert invitation.rights == ["documents", "bank_details"]
    assert invitation.token_hash is None
    assert invitation.authorisation is None
    with pytest.raises(InvitationLinkInvalid):
        services.invitation_for_token(token, now=timezone.now())
    [event] = AuditEvent.objects.filter(action=Action.INVITATION_RIGHTS_EDITED)
    assert event.data["from"] == ["documents", "treasury"]
    assert event.data["to"] == ["documents", "bank_details"]


def test_the_edited_invitation_is_signed_again_for_its_new_rights(admin):
    invitation = signed(admin)
    edit(invitation, admin, Right.BANK_DETAILS)

    request_code(invitation, admin)
    invitation = sign(invitation, admin)

    assert invitation.status == InvitationStatus.SIGNED
    assert invitation.authorisation.rights == ["bank_details"]


def test_a_queued_email_of_the_old_signature_sends_nothing(admin):
    invitation = signed(admin)

    edit(invitation, admin, Right.BANK_DETAILS)

    assert deliver(now=NOW) == 0
    assert mail.outbox == []


def test_a_code_sent_before_the_edit_no_longer_signs(admin):
    invitation = create(admin)
    request_code(invitation, admin)
    edit(invitation, admin, Right.BANK_DETAILS)

    # the old challenge is gone with the old rights: the administrator asks for a new code
    with pytest.raises(CodeNotSent):
        sign(invitation, admin)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE


def test_an_accepted_or_revoked_invitation_cannot_be_edited(admin):
    invitation = create(admin)
    services.invitation_revoke(
        invitation_id=invitation.pk, company=admin.company, actor=admin.user, ip_address=IP, now=NOW
    )

    with pytest.raises(InvitationRefused):
        edit(invitation, admin, Right.BANK_DETAILS)


def test_the_edit_page_leads_to_the_signature(admin_client, admin):
    invitation = signed(admin)

    page = admin_client.get(edit_url(invitation))
    response = admin_client.post(edit_url(invitation), {"rights": [Right.TREASURY]})

    assert 'value="treasury"' in page.text
    assert response.url == reverse("invitations:sign", args=[admin.company.pk, invitation.pk])
    invitation.refresh_from_db()
    assert invitation.rights == ["treasury"]


def test_the_team_page_offers_to_edit_an_open_invitations_rights(admin_client, admin):
    invitation = signed(admin)

    response = admin_client.get(reverse("teams:team", args=[admin.company.pk]))

    assert edit_url(invitation) in response.text


def test_another_companys_administrator_cannot_edit_an_invitation(client_for, admin, other_admin):
    invitation = create(admin)

    response = client_for(other_admin.user).get(edit_url(invitation))

    assert response.status_code == 404
