"""A software WebAuthn authenticator for tests: a P-256 key that answers
navigator.credentials.create() (attestation "none") and .get() the way a browser posts them.

It reads the options the portal hands to passkeys.js (JSON, binary values in base64url) and
returns the JSON passkeys.js would post, so a test drives the real server-side checks.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, encode_cbor

FLAG_UP = 0x01
FLAG_UV = 0x04
FLAG_AT = 0x40


def _client_data(kind: str, challenge: bytes, origin: str) -> bytes:
    return json.dumps(
        {
            "type": kind,
            "challenge": bytes_to_base64url(challenge),
            "origin": origin,
            "crossOrigin": False,
        },
        separators=(",", ":"),
    ).encode()


@dataclass
class SoftAuthenticator:
    """One credential. `sign_count` goes up by one at every assertion (set it to test counters)."""

    rp_id: str = "localhost"
    origin: str = "http://localhost:8000"
    user_verified: bool = True
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    sign_count: int = 0

    def _flags(self, extra: int = 0) -> int:
        return FLAG_UP | (FLAG_UV if self.user_verified else 0) | extra

    def _cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return bytes(
            encode_cbor(
                {
                    1: 2,  # kty: EC2
                    3: -7,  # alg: ES256
                    -1: 1,  # crv: P-256
                    -2: numbers.x.to_bytes(32, "big"),
                    -3: numbers.y.to_bytes(32, "big"),
                }
            )
        )

    def _rp_id_hash(self) -> bytes:
        return hashlib.sha256(self.rp_id.encode()).digest()

    def create(self, options_json: str) -> str:
        """The credential JSON for navigator.credentials.create(options)."""
        options = json.loads(options_json)
        challenge = base64url_to_bytes(options["challenge"])
        attested = (
            bytes(16)  # AAGUID: none
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self._cose_public_key()
        )
        auth_data = (
            self._rp_id_hash()
            + bytes([self._flags(FLAG_AT)])
            + struct.pack(">I", self.sign_count)
            + attested
        )
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps(
            {
                "id": bytes_to_base64url(self.credential_id),
                "rawId": bytes_to_base64url(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": bytes_to_base64url(
                        _client_data("webauthn.create", challenge, self.origin)
                    ),
                    "attestationObject": bytes_to_base64url(attestation),
                    "transports": ["internal"],
                },
                "clientExtensionResults": {},
                "authenticatorAttachment": "platform",
            }
        )

    def get(self, options_json: str, *, challenge: bytes | None = None) -> str:
        """The credential JSON for navigator.credentials.get(options); `challenge` overrides the
        options' one (an assertion made for other content)."""
        options = json.loads(options_json)
        signed_challenge = challenge or base64url_to_bytes(options["challenge"])
        self.sign_count += 1
        auth_data = self._rp_id_hash() + bytes([self._flags()]) + struct.pack(">I", self.sign_count)
        client_data = _client_data("webauthn.get", signed_challenge, self.origin)
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return json.dumps(
            {
                "id": bytes_to_base64url(self.credential_id),
                "rawId": bytes_to_base64url(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": bytes_to_base64url(client_data),
                    "authenticatorData": bytes_to_base64url(auth_data),
                    "signature": bytes_to_base64url(signature),
                    "userHandle": None,
                },
                "clientExtensionResults": {},
                "authenticatorAttachment": "platform",
            }
        )
