"""The access authorisation PDF carries the bank's PAdES seal: made once, stored, served as it is,
and checked by pyHanko's validator against the suite's own CA (portal/settings_test.py)."""

import datetime
import hashlib
import io
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connections
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from core.seal import SealStatus, seal_certificate_serial, seal_verify
from core.seal_material import SealMaterial, development_seal_create, revocation_list
from otp.models import AccessAuthorisation
from otp.services import authorisation_seal, authorisation_sealed_bytes
from otp.tasks import authorisation_seal as authorisation_seal_task
from tests.conftest import logged_in_client
from tests.otp.authorisations import signed_authorisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def authorisation(admin) -> AccessAuthorisation:
    return signed_authorisation(admin)


@pytest.fixture
def sealed(authorisation) -> bytes:
    return authorisation_sealed_bytes(authorisation=authorisation)


def material() -> SealMaterial:
    return SealMaterial.at(Path(settings.PDF_SEAL_PKCS12).parent)


def pyhanko_status(content: bytes):  # type: ignore[no-untyped-def]
    from pyhanko.keys import load_cert_from_pemder

    context = ValidationContext(
        trust_roots=[load_cert_from_pemder(str(material().ca_certificate))],
        allow_fetching=False,
    )
    signature = PdfFileReader(io.BytesIO(content)).embedded_signatures[0]
    return validate_pdf_signature(signature, context)


def test_the_seal_validates_with_pyhankos_validator_against_the_ca(sealed):
    status = pyhanko_status(sealed)

    assert status.bottom_line
    assert status.intact and status.valid and status.trusted
    assert "Banque Exemple" in status.signing_cert.subject.human_friendly
    assert seal_verify(sealed).status == SealStatus.VALID


def test_the_seal_is_pades_with_the_seal_certificate_embedded(sealed):
    signature = PdfFileReader(io.BytesIO(sealed)).embedded_signatures[0]

    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.signer_cert.serial_number == seal_certificate_serial()


def test_one_byte_changed_in_the_pdf_breaks_the_seal(sealed):
    # a byte of the page content, inside the range the signature covers
    tampered = bytearray(sealed)
    index = sealed.index(b"stream") + 20
    tampered[index] ^= 0x01

    status = pyhanko_status(bytes(tampered))

    assert not status.bottom_line
    assert seal_verify(bytes(tampered)).status == SealStatus.ALTERED


def test_a_seal_from_an_unknown_ca_is_reported_as_unknown(sealed, tmp_path):
    stranger = development_seal_create(tmp_path / "autre", bank="Autre Banque")

    report = seal_verify(sealed, trust_roots=[stranger.ca_certificate])

    assert report.status == SealStatus.UNTRUSTED
    assert "inconnu" in report.text


def test_a_revoked_seal_certificate_is_reported_as_revoked(sealed):
    crl = revocation_list(
        material(),
        revoked_serials=[seal_certificate_serial()],
        now=datetime.datetime.now(datetime.UTC),
    )

    assert seal_verify(sealed, crls=[crl]).status == SealStatus.REVOKED


def test_an_unsigned_or_broken_file_is_reported_not_a_crash():
    assert seal_verify(b"%PDF-1.7\n garbage").status == SealStatus.UNREADABLE
    assert seal_verify(b"").status == SealStatus.UNREADABLE


def test_the_pdf_is_produced_once_and_stored_in_private_storage(authorisation, sealed):
    authorisation.refresh_from_db()

    assert authorisation.sealed_pdf.startswith("authorisations/")
    assert authorisation.sealed_at is not None
    with storages["private"].open(authorisation.sealed_pdf, "rb") as stored:
        assert stored.read() == sealed
    again = authorisation_seal(authorisation_id=authorisation.pk)
    assert again.sealed_pdf == authorisation.sealed_pdf
    assert authorisation_sealed_bytes(authorisation=again) == sealed


def test_the_stored_file_is_served_byte_identical_twice(admin, authorisation):
    client = logged_in_client(admin.user)
    url = reverse("teams:authorisation_download", args=[admin.company_id, authorisation.pk])

    first = b"".join(client.get(url).streaming_content)
    second = b"".join(client.get(url).streaming_content)

    assert first == second
    assert first.startswith(b"%PDF")
    authorisation.refresh_from_db()
    assert hashlib.sha256(first).hexdigest() == authorisation.sealed_pdf_sha256


def test_the_task_after_the_signature_seals_it_and_a_second_run_changes_nothing(authorisation):
    name = authorisation_seal_task(authorisation_id=str(authorisation.pk))

    assert name == authorisation_seal_task(authorisation_id=str(authorisation.pk))
    authorisation.refresh_from_db()
    assert authorisation.sealed_pdf == name


@pytest.mark.django_db(transaction=True)
def test_two_first_downloads_at_once_store_one_file(admin):
    authorisation = signed_authorisation(admin)
    names: list[str] = []

    def seal() -> None:
        try:
            names.append(authorisation_seal(authorisation_id=authorisation.pk).sealed_pdf)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=seal) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(names) == 2
    assert names[0] == names[1]
    stored = [
        name
        for name in storages["private"].listdir("authorisations")[1]
        if name.startswith(str(authorisation.pk))
    ]
    assert stored == [f"{authorisation.pk}.pdf"]


def test_seal_authorisations_seals_the_ones_signed_before(admin):
    older = signed_authorisation(admin, email="ancienne@partenaire.example")
    assert not older.sealed_pdf
    out = io.StringIO()

    call_command("seal_authorisations", stdout=out)

    older.refresh_from_db()
    assert older.sealed_pdf
    assert "scellée" in out.getvalue()


def test_verify_pdf_reports_valid_and_altered_with_its_exit_status(sealed, tmp_path):
    good = tmp_path / "bon.pdf"
    good.write_bytes(sealed)
    bad = tmp_path / "modifie.pdf"
    tampered = bytearray(sealed)
    tampered[sealed.index(b"stream") + 20] ^= 0x01
    bad.write_bytes(bytes(tampered))
    out = io.StringIO()

    call_command("verify_pdf", str(good), stdout=out)
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_pdf", str(bad), stdout=out)

    assert "valid — valide" in out.getvalue()
    assert "altered" in out.getvalue()
    assert exit_.value.code == 1


def test_verify_pdf_on_a_missing_file_says_so(tmp_path):
    err = io.StringIO()

    with pytest.raises(SystemExit) as exit_:
        call_command("verify_pdf", str(tmp_path / "absent.pdf"), stderr=err)

    assert exit_.value.code == 2
    assert "illisible" in err.getvalue()


def test_verify_pdf_reports_a_revoked_certificate(sealed, tmp_path):
    pdf = tmp_path / "revoque.pdf"
    pdf.write_bytes(sealed)
    crl = tmp_path / "ca.crl"
    crl.write_bytes(
        revocation_list(
            material(),
            revoked_serials=[seal_certificate_serial()],
            now=datetime.datetime.now(datetime.UTC),
        )
    )
    out = io.StringIO()

    with pytest.raises(SystemExit):
        call_command("verify_pdf", str(pdf), "--crl", str(crl), stdout=out)

    assert "revoked" in out.getvalue()
