"""Signing with a passkey: the assertion is bound to exactly the content shown, used once, by one
of the signer's own passkeys, and kept so that it can be verified again at any time."""

import datetime

import pytest
from django.db import transaction

from companies.models import Role
from invitations import services as invitations
from invitations.models import InvitationBatch, InvitationStatus
from invitations.services import InvitationRefused, batch_signature_payload, signature_payload
from otp import services as otp
from otp.models import AccessAuthorisation, ChallengeStatus, Passkey, SignatureMethod
from otp.passkeys import (
    PasskeyAssertion,
    PasskeyRefused,
    assertion_reverify,
    assertion_verify,
    webauthn_challenge,
)
from permissions.catalogue import Right
from teams import services as teams
from teams.models import RightsChangeStatus
from tests.factories import MembershipFactory
from tests.invitations.batches import create_batch
from tests.invitations.factories import IP, USER_AGENT, create, signed
from tests.otp.factories import NOW
from tests.otp.passkeys import assertion, challenge, registered, signing_options
from tests.teams.factories import request_change

pytestmark = pytest.mark.django_db


def sign_invitation(invitation, admin, proof, *, now=NOW):
    return invitations.invitation_sign(
        invitation_id=invitation.pk,
        company=admin.company,
        signer=admin.user,
        assertion=proof,
        ip_address=IP,
        user_agent=USER_AGENT,
        now=now,
    )


def options_for(invitation, admin, *, now=NOW):
    return signing_options(admin.user, signature_payload(invitation, signer=admin.user), now=now)


def signed_with_passkey(admin):
    passkey, device = registered(admin.user)
    invitation = create(admin)
    challenge_id, options = options_for(invitation, admin)
    sign_invitation(invitation, admin, assertion(device, challenge_id, options))
    invitation.refresh_from_db()
    return invitation, passkey


def nothing_applied(invitation):
    invitation.refresh_from_db()
    return (
        invitation.status == InvitationStatus.AWAITING_SIGNATURE
        and invitation.authorisation_id is None
        and not AccessAuthorisation.objects.filter(subject_email=invitation.email).exists()
    )


# Signing


def test_an_invitation_signed_with_a_passkey_is_signed_without_any_sms(admin):
    invitation, _ = signed_with_passkey(admin)

    assert invitation.status == InvitationStatus.SIGNED
    assert invitation.signed_at == NOW


def test_the_authorisation_records_how_it_was_signed_and_with_which_passkey(admin):
    invitation, passkey = signed_with_passkey(admin)
    authorisation = invitation.authorisation

    assert authorisation.method == SignatureMethod.PASSKEY
    assert authorisation.passkey == passkey
    assert authorisation.passkey_name == "Ordinateur du bureau"
    assert bytes(authorisation.credential_id) == bytes(passkey.credential_id)
    assert bytes(authorisation.credential_public_key) == bytes(passkey.public_key)
    assert authorisation.sign_count == 1
    assert bytes(authorisation.authenticator_data)
    assert bytes(authorisation.signature)
    assert b'"webauthn.get"' in bytes(authorisation.client_data_json)
    assert authorisation.phone_masked == ""


def test_the_webauthn_challenge_is_the_digest_of_the_content_and_a_fresh_nonce(admin):
    registered(admin.user)
    invitation = create(admin)
    challenge_id, _ = options_for(invitation, admin)
    made = challenge(challenge_id)
    digest = otp.payload_digest(signature_payload(invitation, signer=admin.user))

    assert made.payload_digest == digest
    assert len(bytes(made.nonce)) == 32
    assert made.expires_at == NOW + datetime.timedelta(minutes=5)
    assert webauthn_challenge(digest=digest, nonce=made.nonce) != webauthn_challenge(
        digest=digest, nonce=b"\0" * 32
    )


def test_the_passkey_counter_and_last_use_are_kept(admin):
    _, passkey = signed_with_passkey(admin)

    passkey.refresh_from_db()
    assert passkey.sign_count == 1
    assert passkey.last_used_at == NOW


def test_the_challenge_is_consumed_by_the_signature(admin):
    invitation, _ = signed_with_passkey(admin)

    assert invitation.authorisation.challenge.status == ChallengeStatus.CONSUMED


def test_a_stored_passkey_signature_verifies_again_from_the_stored_public_key(admin):
    invitation, _ = signed_with_passkey(admin)

    result = assertion_reverify(invitation.authorisation)

    assert result.ok
    assert len(result.checks) == 3


def test_a_stored_passkey_signature_still_verifies_after_the_passkey_is_removed(admin):
    invitation, passkey = signed_with_passkey(admin)
    passkey.delete()

    authorisation = AccessAuthorisation.objects.get(pk=invitation.authorisation_id)

    assert authorisation.passkey is None
    assert assertion_reverify(authorisation).ok


def test_a_stored_signature_over_other_content_fails_verification(admin):
    invitation, _ = signed_with_passkey(admin)
    AccessAuthorisation.objects.filter(pk=invitation.authorisation_id).update(
        payload_digest="0" * 64
    )

    authorisation = AccessAuthorisation.objects.get(pk=invitation.authorisation_id)

    assert not assertion_reverify(authorisation).ok


def test_a_tampered_stored_signature_fails_verification(admin):
    invitation, _ = signed_with_passkey(admin)
    authorisation = invitation.authorisation
    tampered = bytearray(bytes(authorisation.authenticator_data))
    tampered[-1] ^= 0x01
    AccessAuthorisation.objects.filter(pk=authorisation.pk).update(
        authenticator_data=bytes(tampered)
    )

    authorisation.refresh_from_db()

    assert not assertion_reverify(authorisation).ok


def test_an_sms_signature_is_not_a_passkey_signature_to_verify_again(admin):
    authorisation = signed(admin).authorisation

    assert authorisation.method == SignatureMethod.SMS
    assert not assertion_reverify(authorisation).ok


def test_a_batch_is_signed_with_one_passkey_assertion(admin):
    _, device = registered(admin.user)
    batch = create_batch(admin)
    members = list(batch.invitations.order_by("email", "pk"))
    challenge_id, options = signing_options(
        admin.user, batch_signature_payload(batch, members, signer=admin.user)
    )

    signed_members = invitations.invitation_batch_sign(
        batch_id=batch.pk,
        company=admin.company,
        signer=admin.user,
        assertion=assertion(device, challenge_id, options),
        ip_address=IP,
        user_agent=USER_AGENT,
        now=NOW,
    )

    assert len(signed_members) == 2
    assert InvitationBatch.objects.get(pk=batch.pk).signed_at == NOW
    assert {m.authorisation.method for m in signed_members} == {SignatureMethod.PASSKEY}


def test_a_rights_change_is_signed_with_a_passkey(admin, collaborator_with):
    _, device = registered(admin.user)
    member = collaborator_with(Right.DOCUMENTS)
    change = request_change(admin, member, Right.DOCUMENTS, Right.TREASURY)
    challenge_id, options = signing_options(
        admin.user, teams.signature_payload(change, signer=admin.user)
    )

    change = teams.rights_change_sign(
        change_id=change.pk,
        membership_id=member.pk,
        company=admin.company,
        signer=admin.user,
        assertion=assertion(device, challenge_id, options),
        ip_address=IP,
        user_agent=USER_AGENT,
        now=NOW,
    )

    assert change.status == RightsChangeStatus.APPLIED
    assert change.authorisation.method == SignatureMethod.PASSKEY
    assert set(member.grants.values_list("right", flat=True)) == {"documents", "treasury"}


# Refusals: each with nothing applied


def test_an_assertion_made_for_one_invitation_submitted_for_another_is_refused(admin):
    _, device = registered(admin.user)
    first = create(admin)
    second = create(admin, email="paul.roux@partenaire.example")
    challenge_id, options = options_for(first, admin)

    with pytest.raises(PasskeyRefused):
        sign_invitation(second, admin, assertion(device, challenge_id, options))

    assert nothing_applied(second)
    assert nothing_applied(first)


def test_an_assertion_signing_other_content_under_this_content_s_challenge_is_refused(admin):
    _, device = registered(admin.user)
    first = create(admin)
    second = create(admin, email="paul.roux@partenaire.example")
    first_id, first_options = options_for(first, admin)
    second_id, _ = options_for(second, admin)
    # the authenticator signed the first content's challenge; it is posted with the second's id
    forged = assertion(device, first_id, first_options)
    proof = type(forged)(challenge_id=second_id, credential=forged.credential)

    with pytest.raises(PasskeyRefused):
        sign_invitation(second, admin, proof)

    assert nothing_applied(second)


def test_changing_the_rights_after_the_challenge_refuses_the_assertion(admin):
    _, device = registered(admin.user)
    invitation = create(admin)
    challenge_id, options = options_for(invitation, admin)
    proof = assertion(device, challenge_id, options)
    invitations.invitation_edit_rights(
        invitation_id=invitation.pk,
        company=admin.company,
        actor=admin.user,
        rights=[Right.DOCUMENTS],
        ip_address=IP,
        now=NOW,
    )

    with pytest.raises(PasskeyRefused, match="contenu à signer a changé"):
        sign_invitation(invitation, admin, proof)

    assert nothing_applied(invitation)


def test_changing_the_rights_of_a_rights_change_after_the_challenge_refuses_it(
    admin, collaborator_with
):
    _, device = registered(admin.user)
    member = collaborator_with(Right.DOCUMENTS)
    change = request_change(admin, member, Right.DOCUMENTS, Right.TREASURY)
    challenge_id, options = signing_options(
        admin.user, teams.signature_payload(change, signer=admin.user)
    )
    proof = assertion(device, challenge_id, options)
    newer = request_change(admin, member, Right.DOCUMENTS, Right.COMPANY_REQUESTS)

    with pytest.raises(PasskeyRefused):
        teams.rights_change_sign(
            change_id=newer.pk,
            membership_id=member.pk,
            company=admin.company,
            signer=admin.user,
            assertion=proof,
            ip_address=IP,
            user_agent=USER_AGENT,
            now=NOW,
        )

    assert set(member.grants.values_list("right", flat=True)) == {"documents"}


def test_the_same_assertion_twice_is_refused(admin):
    _, device = registered(admin.user)
    invitation = create(admin)
    payload = signature_payload(invitation, signer=admin.user)
    challenge_id, options = options_for(invitation, admin)
    proof = assertion(device, challenge_id, options)
    with transaction.atomic():
        assertion_verify(user=admin.user, assertion=proof, payload=payload, now=NOW)

    with pytest.raises(PasskeyRefused, match="déjà été utilisée"):
        assertion_verify(user=admin.user, assertion=proof, payload=payload, now=NOW)


def test_replaying_a_signature_on_a_signed_invitation_changes_nothing(admin):
    _, device = registered(admin.user)
    invitation = create(admin)
    challenge_id, options = options_for(invitation, admin)
    proof = assertion(device, challenge_id, options)
    sign_invitation(invitation, admin, proof)

    with pytest.raises((InvitationRefused, PasskeyRefused)):
        sign_invitation(invitation, admin, proof)

    assert AccessAuthorisation.objects.filter(subject_email=invitation.email).count() == 1


def test_another_user_s_credential_is_refused(admin, company):
    registered(admin.user)
    other = MembershipFactory(company=company, role=Role.ADMIN)
    _, other_device = registered(other.user, name="Téléphone de Paul")
    invitation = create(admin)
    challenge_id, options = options_for(invitation, admin)

    with pytest.raises(PasskeyRefused, match="pas \\(ou plus\\) enregistrée"):
        sign_invitation(invitation, admin, assertion(other_device, challenge_id, options))

    assert nothing_applied(invitation)


def test_another_user_cannot_answer_a_challenge_made_for_someone_else(admin, company):
    registered(admin.user)
    other = MembershipFactory(company=company, role=Role.ADMIN)
    _, other_device = registered(other.user, name="Téléphone de Paul")
    invitation = create(admin)
    challenge_id, options = options_for(invitation, admin)

    with pytest.raises(PasskeyRefused):
        invitations.invitation_sign(
            invitation_id=invitation.pk,
            company=admin.company,
            signer=other.user,
            assertion=assertion(other_device, challenge_id, options),
            ip_address=IP,
            user_agent=USER_AGENT,
            now=NOW,
        )

    assert nothing_applied(invitation)


def test_a_passkey_removed_meanwhile_is_refused(admin):
    passkey, device = registered(admin.user)
    registered(admin.user, name="Téléphone")
    invitation = create(admin)
    challenge_id, options = options_for(invitation, admin)
    Passkey.objects.filter(pk=passkey.pk).delete()

    with pytest.raises(PasskeyRefused, match="pas \\(ou plus\\) enregistrée"):
        sign_invitation(invitation, admin, assertion(device, challenge_id, options))

    assert nothing_applied(invitation)


def test_a_counter_that_goes_backwards_is_refused(admin):
    _, device = registered(admin.user)
    first = create(admin)
    challenge_id, options = options_for(first, admin)
    sign_invitation(first, admin, assertion(device, challenge_id, options))
    second = create(admin, email="paul.roux@partenaire.example")
    challenge_id, options = options_for(second, admin)
    device.sign_count = 0  # a cloned authenticator answers with a counter already seen

    with pytest.raises(PasskeyRefused):
        sign_invitation(second, admin, assertion(device, challenge_id, options))

    assert nothing_applied(second)


def test_an_assertion_without_user_verification_is_refused(admin):
    _, device = registered(admin.user)
    device.user_verified = False
    invitation = create(admin)
    challenge_id, options = options_for(invitation, admin)

    with pytest.raises(PasskeyRefused):
        sign_invitation(invitation, admin, assertion(device, challenge_id, options))

    assert nothing_applied(invitation)


def test_an_assertion_after_five_minutes_is_refused(admin):
    _, device = registered(admin.user)
    invitation = create(admin)
    challenge_id, options = options_for(invitation, admin)

    with pytest.raises(PasskeyRefused, match="délai"):
        sign_invitation(
            invitation,
            admin,
            assertion(device, challenge_id, options),
            now=NOW + datetime.timedelta(minutes=5),
        )

    assert nothing_applied(invitation)


def test_an_assertion_for_another_site_is_refused(admin, settings):
    _, device = registered(admin.user)
    invitation = create(admin)
    challenge_id, options = options_for(invitation, admin)
    device.origin = "https://portail-imite.example"

    with pytest.raises(PasskeyRefused):
        sign_invitation(invitation, admin, assertion(device, challenge_id, options))

    assert nothing_applied(invitation)


def test_a_passkey_cannot_sign_while_signing_is_locked(admin):
    _, device = registered(admin.user)
    invitation = create(admin)
    challenge_id, options = options_for(invitation, admin)
    admin.user.signing_locked_at = NOW
    admin.user.save(update_fields=["signing_locked_at"])

    with pytest.raises(otp.SigningLocked):
        sign_invitation(invitation, admin, assertion(device, challenge_id, options))

    assert nothing_applied(invitation)


def test_a_malformed_credential_is_refused(admin):
    registered(admin.user)
    invitation = create(admin)
    challenge_id, _ = options_for(invitation, admin)

    with pytest.raises(PasskeyRefused):
        sign_invitation(
            invitation, admin, PasskeyAssertion(challenge_id=challenge_id, credential="{}")
        )

    assert nothing_applied(invitation)


def test_a_page_shown_twice_reuses_its_live_challenge(admin):
    registered(admin.user)
    invitation = create(admin)

    first, _ = options_for(invitation, admin)
    again, _ = options_for(invitation, admin, now=NOW + datetime.timedelta(minutes=1))

    assert first == again


def test_a_challenge_close_to_its_end_is_replaced_by_a_fresh_one(admin):
    registered(admin.user)
    invitation = create(admin)

    first, _ = options_for(invitation, admin)
    later, _ = options_for(invitation, admin, now=NOW + datetime.timedelta(minutes=4, seconds=30))

    assert first != later
