"""The proof file of an authorisation: a ZIP with the sealed PDF, the evidence, the audit events
and how to verify each, for support and the company's administrators only."""

import hashlib
import io
import json
import zipfile
from types import SimpleNamespace

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent
from core.seal import SealStatus, seal_verify
from otp.models import AccessAuthorisation
from otp.proof import (
    EVENTS_FILE,
    EVIDENCE_FILE,
    STATEMENT_FILE,
    passkey_evidence,
    passkey_evidence_verify,
)
from otp.services import authorisation_sealed_bytes
from permissions.catalogue import Right
from tests.conftest import logged_in_client
from tests.factories import UserFactory
from tests.invitations.factories import IP, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def authorisation(admin) -> AccessAuthorisation:
    invitation = signed(admin, rights=(Right.TREASURY, Right.DOCUMENTS))
    assert invitation.authorisation is not None
    return invitation.authorisation


def proof_url(authorisation: AccessAuthorisation, company_id: int | None = None) -> str:
    return reverse(
        "teams:authorisation_proof_download",
        args=[company_id or authorisation.company_id, authorisation.pk],
    )


def unzip(response) -> dict[str, bytes]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def proof(admin, authorisation) -> dict[str, bytes]:
    return unzip(logged_in_client(admin.user).get(proof_url(authorisation)))


def test_the_proof_holds_every_part(proof, authorisation):
    pdf_names = [name for name in proof if name.endswith(".pdf")]

    assert len(pdf_names) == 1
    assert {EVIDENCE_FILE, STATEMENT_FILE, EVENTS_FILE, "SHA256SUMS", "LISEZMOI-README.txt"} <= set(
        proof
    )
    readme = proof["LISEZMOI-README.txt"].decode()
    assert "pyhanko sign validate" in readme
    assert "sha256sum" in readme
    assert "PROOF FILE" in readme and "FICHIER DE PREUVE" in readme


def test_the_pdf_in_the_proof_is_the_stored_sealed_file(proof, authorisation):
    (pdf,) = [content for name, content in proof.items() if name.endswith(".pdf")]

    assert pdf == authorisation_sealed_bytes(authorisation=authorisation)
    assert seal_verify(pdf).status == SealStatus.VALID


def test_the_json_matches_the_authorisation(proof, authorisation, admin):
    evidence = json.loads(proof[EVIDENCE_FILE])

    assert evidence["authorisation"]["id"] == str(authorisation.pk)
    assert evidence["authorisation"]["version"] == authorisation.version
    assert evidence["company"] == {
        "id": admin.company_id,
        "name": admin.company.name,
        "siren": admin.company.siren,
    }
    assert evidence["signer"]["email"] == admin.user.email
    assert evidence["subject"]["email"] == authorisation.subject_email
    assert [r["code"] for r in evidence["rights"]] == authorisation.rights
    assert evidence["rights"][0]["label"] == str(Right(authorisation.rights[0]).label)
    assert evidence["statement"] == authorisation.statement
    assert evidence["payload_digest"] == authorisation.payload_digest
    assert evidence["ip_address"] == IP == authorisation.ip_address
    assert evidence["user_agent"] == authorisation.user_agent
    signature = evidence["signature"]
    assert signature["method"] == "sms"
    assert signature["phone_masked"] == authorisation.phone_masked
    assert signature["code_sent_at"]
    assert signature["code_checked_at"]
    assert "passkey" not in evidence


def test_the_digests_recompute_with_sha256(proof):
    evidence = json.loads(proof[EVIDENCE_FILE])
    (pdf_name,) = [name for name in proof if name.endswith(".pdf")]

    assert hashlib.sha256(proof[STATEMENT_FILE]).hexdigest() == evidence["statement_sha256"]
    assert hashlib.sha256(proof[pdf_name]).hexdigest() == evidence["sealed_pdf"]["sha256"]
    for line in proof["SHA256SUMS"].decode().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(proof[name]).hexdigest() == digest


def test_the_audit_events_recompute_their_chain_hashes(proof, authorisation):
    events = json.loads(proof[EVENTS_FILE])
    actions = {event["action"] for event in events}

    assert {Action.CODE_SENT, Action.SIGNED} <= actions
    for event in events:
        recomputed = hashlib.sha256(
            (event["previous_hash"] + "\n" + event["canonical"]).encode()
        ).hexdigest()
        assert recomputed == event["chain_hash"]
        assert AuditEvent.objects.get(pk=event["id"]).chain_hash == event["chain_hash"]


def test_the_download_is_audited(proof, admin, authorisation):
    event = AuditEvent.objects.filter(action=Action.DOCUMENT_DOWNLOADED).get()

    assert event.actor == admin.user
    assert event.data["document"] == "proof"
    assert event.data["via"] == "company"


def test_a_member_without_the_admin_role_is_refused(collaborator_with, authorisation):
    client = logged_in_client(collaborator_with(Right.DOCUMENTS).user)

    assert client.get(proof_url(authorisation)).status_code == 403


def test_another_companys_administrator_gets_404(other_admin, authorisation):
    client = logged_in_client(other_admin.user)

    assert client.get(proof_url(authorisation)).status_code == 404
    assert client.get(proof_url(authorisation, other_admin.company_id)).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.DOCUMENT_DOWNLOADED).exists()


def test_support_downloads_it_from_the_django_admin(authorisation):
    staff = UserFactory.create(email="support@banque.example", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    url = reverse("admin:otp_accessauthorisation_proof", args=[authorisation.pk])
    change_page = client.get(
        reverse("admin:otp_accessauthorisation_change", args=[authorisation.pk])
    ).content.decode()

    files = unzip(client.get(url))

    assert url in change_page
    assert EVIDENCE_FILE in files
    event = AuditEvent.objects.get(action=Action.DOCUMENT_DOWNLOADED)
    assert (event.data["via"], event.data["document"]) == ("support", "proof")


def test_an_sms_signed_authorisation_has_no_passkey_section(authorisation):
    assert passkey_evidence(authorisation) is None


def passkey_signed(**changes: bytes) -> SimpleNamespace:
    """An authorisation's passkey evidence as a P-256 authenticator would leave it."""
    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    cose = cbor2.dumps(
        {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
    )
    authenticator_data = hashlib.sha256(b"localhost").digest() + b"\x05" + (7).to_bytes(4, "big")
    client_data_json = json.dumps(
        {"type": "webauthn.get", "challenge": "AAAA", "origin": "http://localhost:8000"}
    ).encode()
    signed = authenticator_data + hashlib.sha256(client_data_json).digest()
    fields = {
        "method": "passkey",
        "passkey_name": "Téléphone",
        "credential_id": b"credential-1",
        "credential_public_key": cose,
        "authenticator_data": authenticator_data,
        "client_data_json": client_data_json,
        "signature": key.sign(signed, ec.ECDSA(hashes.SHA256())),
        "sign_count": 7,
        "rp_id": "localhost",
        "origin": "http://localhost:8000",
    }
    return SimpleNamespace(**{**fields, **changes})


def test_a_passkey_signature_re_verifies_from_the_json_alone():
    evidence = json.loads(json.dumps(passkey_evidence(passkey_signed())))

    assert passkey_evidence_verify(evidence)
    assert evidence["rp_id"] == "localhost"


def test_a_passkey_evidence_with_an_altered_client_data_fails_to_verify():
    authorisation = passkey_signed()
    authorisation.client_data_json = authorisation.client_data_json.replace(b"AAAA", b"BBBB")

    evidence = passkey_evidence(authorisation)

    assert evidence is not None
    assert not passkey_evidence_verify(evidence)
    assert not passkey_evidence_verify({**evidence, "credential_public_key": "AAAA"})
