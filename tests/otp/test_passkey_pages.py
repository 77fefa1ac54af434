"""The passkey option of every signature page: offered to an administrator who has a passkey,
hidden until the script finds WebAuthn, posted as a normal form; the SMS code stays."""

import re
import uuid

import pytest
from django.urls import reverse

from invitations.models import Invitation, InvitationStatus
from permissions.catalogue import Right
from teams.models import RightsChangeStatus
from tests.invitations.batches import create_batch
from tests.invitations.factories import create
from tests.otp.passkeys import registered
from tests.teams.factories import request_change

pytestmark = pytest.mark.django_db

OPTIONS = re.compile(r'data-passkey-get="([^"]+)"')
CHALLENGE = re.compile(r'name="challenge" value="([0-9a-f-]{36})"')


def invitation_url(admin, invitation: Invitation) -> str:
    return reverse("invitations:sign", args=[admin.company.pk, invitation.pk])


def passkey_fields(html: str) -> tuple[str, str]:
    """The options and challenge the page hands passkeys.js (HTML-unescaped)."""
    options = OPTIONS.search(html)
    challenge = CHALLENGE.search(html)
    assert options is not None and challenge is not None, html
    return (options.group(1).replace("&quot;", '"'), challenge.group(1))


def post_assertion(client, url: str, device, html: str):
    options, challenge = passkey_fields(html)
    return client.post(
        url,
        {"method": "passkey", "challenge": challenge, "credential": device.get(options)},
    )


def test_an_administrator_without_a_passkey_sees_only_the_sms_code(admin, admin_client):
    invitation = create(admin)

    html = admin_client.get(invitation_url(admin, invitation)).content.decode()

    assert "data-passkey-get" not in html
    assert "Recevoir le code par SMS" in html


def test_an_administrator_with_a_passkey_is_offered_it_beside_the_code(admin, admin_client):
    registered(admin.user)
    invitation = create(admin)

    html = admin_client.get(invitation_url(admin, invitation)).content.decode()

    assert "Ou signez avec une clé d’accès" in html
    assert "data-passkey-section hidden" in html  # shown only once the script finds WebAuthn
    assert "js/passkeys.js" in html
    assert "Recevoir le code par SMS" in html
    options, challenge = passkey_fields(html)
    assert '"userVerification": "required"' in options
    uuid.UUID(challenge)


def test_the_sign_page_with_a_passkey_stays_within_its_query_budget(
    admin, admin_client, django_assert_max_num_queries
):
    registered(admin.user)
    invitation = create(admin)
    admin_client.get(invitation_url(admin, invitation))

    # the page without passkeys (8, its session's save included), plus the signer's passkeys and
    # the live challenge of this content: the same whatever the number of passkeys
    with django_assert_max_num_queries(10):
        admin_client.get(invitation_url(admin, invitation))


def test_posting_the_assertion_signs_the_invitation(admin, admin_client):
    _, device = registered(admin.user)
    invitation = create(admin)
    url = invitation_url(admin, invitation)

    response = post_assertion(admin_client, url, device, admin_client.get(url).content.decode())

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SIGNED
    assert invitation.authorisation.method == "passkey"


def test_a_refused_assertion_shows_why_and_signs_nothing(admin, admin_client):
    _, device = registered(admin.user)
    invitation = create(admin)
    url = invitation_url(admin, invitation)
    html = admin_client.get(url).content.decode()
    device.origin = "https://portail-imite.example"

    response = post_assertion(admin_client, url, device, html)

    assert response.status_code == 200
    assert "La clé d’accès n’a pas pu être vérifiée" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE


def test_a_malformed_post_shows_a_message_and_signs_nothing(admin, admin_client):
    registered(admin.user)
    invitation = create(admin)
    url = invitation_url(admin, invitation)

    response = admin_client.post(
        url, {"method": "passkey", "challenge": "pas-un-uuid", "credential": "pas du JSON"}
    )

    assert response.status_code == 200
    assert "La clé d’accès n’a pas pu être vérifiée" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE


def test_a_batch_page_signs_with_a_passkey(admin, admin_client):
    _, device = registered(admin.user)
    batch = create_batch(admin)
    url = reverse("invitations:batch_sign", args=[admin.company.pk, batch.pk])

    response = post_assertion(admin_client, url, device, admin_client.get(url).content.decode())

    assert response.status_code == 302
    assert set(batch.invitations.values_list("status", flat=True)) == {InvitationStatus.SIGNED}


def test_a_rights_change_page_signs_with_a_passkey(admin, admin_client, collaborator_with):
    _, device = registered(admin.user)
    member = collaborator_with(Right.DOCUMENTS)
    change = request_change(admin, member, Right.DOCUMENTS, Right.TREASURY)
    url = reverse("teams:rights_sign", args=[admin.company.pk, member.pk, change.pk])

    response = post_assertion(admin_client, url, device, admin_client.get(url).content.decode())

    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == RightsChangeStatus.APPLIED


def test_an_assertion_for_one_invitation_posted_to_another_s_page_is_refused(admin, admin_client):
    _, device = registered(admin.user)
    first = create(admin)
    second = create(admin, email="paul.roux@partenaire.example")
    first_html = admin_client.get(invitation_url(admin, first)).content.decode()

    response = post_assertion(admin_client, invitation_url(admin, second), device, first_html)

    assert response.status_code == 200
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == InvitationStatus.AWAITING_SIGNATURE
    assert first.status == InvitationStatus.AWAITING_SIGNATURE
