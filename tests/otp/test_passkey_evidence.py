"""A passkey signature's evidence: the PDF names the passkey, and `verify_authorisation` checks the
stored signature again from the stored public key and the recomputed challenge."""

import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from invitations.services import signature_payload
from otp.authorisation_pdf import authorisation_pdf
from otp.models import AccessAuthorisation
from tests.invitations.factories import create, signed
from tests.otp.passkeys import assertion, registered, signing_options
from tests.otp.test_passkey_signing import sign_invitation

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def passkey_authorisation(admin) -> AccessAuthorisation:
    _, device = registered(admin.user, name="Ordinateur du bureau")
    invitation = create(admin)
    challenge_id, options = signing_options(
        admin.user, signature_payload(invitation, signer=admin.user)
    )
    sign_invitation(invitation, admin, assertion(device, challenge_id, options))
    invitation.refresh_from_db()
    assert invitation.authorisation is not None
    return invitation.authorisation


def verify(authorisation_id) -> str:
    out = StringIO()
    call_command("verify_authorisation", str(authorisation_id), stdout=out)
    return out.getvalue()


def test_the_pdf_says_it_was_signed_with_a_passkey_and_names_it(passkey_authorisation):
    text = flat(pdf_text(authorisation_pdf(authorisation=passkey_authorisation)))

    assert flat("Signé avec une clé d’accès") in text
    assert flat("« Ordinateur du bureau »") in text
    assert flat("Code envoyé par SMS") not in text


def test_the_pdf_of_an_sms_signature_still_names_the_phone(admin):
    authorisation = signed(admin).authorisation

    text = flat(pdf_text(authorisation_pdf(authorisation=authorisation)))

    assert flat("Code envoyé par SMS au") in text
    assert flat("clé d’accès") not in text


def test_verify_authorisation_confirms_a_passkey_signature_and_says_what_it_checked(
    passkey_authorisation,
):
    output = verify(passkey_authorisation.pk)

    assert "Signée avec une clé d’accès : « Ordinateur du bureau »" in output
    assert "Défi recalculé" in output
    assert output.count("[OK]") == 3
    assert "ÉCHEC" not in output
    assert "Signature vérifiée." in output


def test_verify_authorisation_fails_on_a_tampered_signature(passkey_authorisation):
    signature = bytearray(bytes(passkey_authorisation.signature))
    signature[10] ^= 0xFF
    AccessAuthorisation.objects.filter(pk=passkey_authorisation.pk).update(
        signature=bytes(signature)
    )

    with pytest.raises(CommandError, match="n’a pas pu être vérifiée"):
        verify(passkey_authorisation.pk)


def test_verify_authorisation_fails_when_the_stored_content_digest_was_changed(
    passkey_authorisation,
):
    AccessAuthorisation.objects.filter(pk=passkey_authorisation.pk).update(payload_digest="f" * 64)

    with pytest.raises(CommandError):
        verify(passkey_authorisation.pk)


def test_verify_authorisation_checks_what_an_sms_signature_keeps(admin):
    authorisation = signed(admin).authorisation

    output = verify(authorisation.pk)

    assert "Signée avec un code SMS envoyé au +33 6 •• •• •• 42" in output
    assert output.count("[OK]") == 2
    assert "Signature vérifiée." in output


def test_verify_authorisation_refuses_an_unknown_or_malformed_id():
    with pytest.raises(CommandError, match="Aucune autorisation"):
        verify("00000000-0000-0000-0000-000000000000")
    with pytest.raises(CommandError, match="invalide"):
        verify("pas-un-identifiant")
