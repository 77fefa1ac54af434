"""The signed access authorisation as a PDF: what it says, in French, and nothing it runs."""

import datetime
import io

import pytest
from pypdf import PdfReader

from invitations import services as invitations
from otp.authorisation_pdf import authorisation_filename, authorisation_pdf
from otp.models import AccessAuthorisation, ClosingReason
from otp.services import authorisation_close
from permissions.catalogue import Right
from tests.invitations.factories import IP, request_code, sign, signed
from tests.otp.factories import NOW

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def authorisation(admin) -> AccessAuthorisation:
    invitation = signed(admin, rights=(Right.TREASURY, Right.DOCUMENTS))
    assert invitation.authorisation is not None
    return invitation.authorisation


def test_the_pdf_states_who_granted_which_rights_to_whom_with_the_evidence(authorisation):
    content = authorisation_pdf(authorisation=authorisation)

    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Autorisation d’accès" in text
    assert "Atelier Durand SAS" in text
    assert authorisation.company.siren in text
    assert "Claire Durand" in text
    assert authorisation.signer.email in text
    assert "Léa Martin" in text
    assert "lea.martin@partenaire.example" in text
    assert str(Right.DOCUMENTS.label) in text
    assert str(Right.TREASURY.label) in text
    assert "+33 6 •• •• •• 42" in text
    assert IP in text
    assert authorisation.payload_digest in flat(text)
    assert str(authorisation.pk) in flat(text)


def test_the_rights_are_listed_in_catalogue_order(authorisation):
    text = pdf_text(authorisation_pdf(authorisation=authorisation))

    assert text.index(str(Right.DOCUMENTS.label)) < text.index(str(Right.TREASURY.label))


def test_the_signing_time_is_paris_time(authorisation):
    assert authorisation.signed_at == NOW  # 10:00 UTC, 11:00 in Paris in March

    text = pdf_text(authorisation_pdf(authorisation=authorisation))

    assert "03/03/2025 à 11:00:00" in text


def test_the_pdf_holds_the_exact_statement_that_was_signed(authorisation):
    text = flat(pdf_text(authorisation_pdf(authorisation=authorisation)))

    for line in authorisation.statement.splitlines():
        assert flat(line) in text


def test_the_pdf_names_its_version_and_says_it_shows_the_authorisation_as_signed(authorisation):
    text = pdf_text(authorisation_pdf(authorisation=authorisation))

    assert "version 1" in text
    assert "Telle que signée" in text
    assert "Motif de clôture" not in text


def test_a_closed_authorisation_is_still_printed_as_it_was_signed(authorisation):
    authorisation_close(
        company_id=authorisation.company_id,
        subject_email=authorisation.subject_email,
        reason=ClosingReason.INVITATION_REVOKED,
        now=NOW + datetime.timedelta(days=2, hours=5),
    )
    authorisation.refresh_from_db()

    text = pdf_text(authorisation_pdf(authorisation=authorisation))

    assert "Telle que signée" in text
    assert "Clôturée le" not in text
    assert "Invitation révoquée" not in text


def test_a_hostile_name_is_printed_as_text(admin):
    invitation = invitations.invitation_create(
        company=admin.company,
        invited_by=admin.user,
        email="pirate@partenaire.example",
        first_name='<img src="x">',
        last_name="<b>Pirate</b>",
        rights=(Right.DOCUMENTS,),
        ip_address=IP,
        now=NOW,
    )
    request_code(invitation, admin)
    authorisation = sign(invitation, admin).authorisation
    assert authorisation is not None

    text = pdf_text(authorisation_pdf(authorisation=authorisation))

    assert '<img src="x"> <b>Pirate</b>' in text


def test_the_file_is_named_by_siren_and_version(authorisation):
    name = authorisation_filename(authorisation)

    assert name.startswith(f"autorisation-acces-{authorisation.company.siren}-v1-")
    assert name.endswith(".pdf")
