"""The proof file of an authorisation signed with a passkey: its JSON re-verifies the signature
from the stored public key, with nothing but the JSON."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from otp.proof import EVIDENCE_FILE, passkey_evidence_verify
from tests.conftest import logged_in_client
from tests.otp.test_passkey_evidence import passkey_authorisation  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(admin, passkey_authorisation):  # noqa: F811
    url = reverse(
        "teams:authorisation_proof_download",
        args=[admin.company_id, passkey_authorisation.pk],
    )
    response = logged_in_client(admin.user).get(url)
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return json.loads(archive.read(EVIDENCE_FILE))


def test_the_json_of_a_passkey_signature_re_verifies_from_the_stored_public_key(
    evidence,
    passkey_authorisation,  # noqa: F811
):
    assert evidence["signature"]["method"] == "passkey"
    passkey = evidence["passkey"]
    assert passkey["passkey_name"] == "Ordinateur du bureau"
    assert passkey["rp_id"] == passkey_authorisation.rp_id
    assert passkey_evidence_verify(passkey)


def test_a_changed_byte_of_the_passkey_signature_fails_to_verify(evidence):
    passkey = evidence["passkey"]
    tampered = ("B" if passkey["signature"][5] != "B" else "C").join(
        (passkey["signature"][:5], passkey["signature"][6:])
    )

    assert not passkey_evidence_verify({**passkey, "signature": tampered})
