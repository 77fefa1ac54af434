"""The proof file of one access authorisation: a ZIP anyone can check with public tools.

It holds the sealed PDF (as stored: byte-identical to every download), the evidence as JSON (who,
for whom, which rights, the exact statement and its digest, how it was signed, from where), the
statement's exact text, the audit events about the authorisation with their chain hashes and the
canonical content each hash covers, a SHA256SUMS file and a README in French and English.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

from cryptography.exceptions import InvalidSignature
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.text import get_valid_filename
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    decode_credential_public_key,
    decoded_public_key_to_cryptography,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.verify_signature import verify_signature

from audit.chain import canonical, event_values
from audit.models import Action, AuditEvent
from otp.authorisation_pdf import authorisation_filename
from otp.models import AccessAuthorisation
from otp.services import authorisation_seal, authorisation_sealed_bytes
from permissions.catalogue import Right

PROOF_FORMAT = "mes-equipes/preuve-autorisation/1"
EVENTS_LIMIT = 500
STATEMENT_FILE = "declaration-signee.txt"
EVIDENCE_FILE = "preuve.json"
EVENTS_FILE = "journal-audit.json"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def rights_evidence(rights: Any) -> list[dict[str, Any]]:
    """The rights with their labels (and end dates when the authorisation records them)."""
    items = []
    for item in rights or []:
        code, end_date = (
            (item.get("right") or item.get("code"), item.get("end_date"))
            if isinstance(item, dict)
            else (item, None)
        )
        label = str(Right(code).label) if code in Right.values else code
        items.append({"code": code, "label": label, "end_date": end_date})
    return items


def _base64url(value: Any) -> str:
    return bytes_to_base64url(bytes(value or b""))


def passkey_evidence(authorisation: Any) -> dict[str, Any] | None:
    """The passkey assertion that signed the authorisation (method "passkey"): credential id,
    the credential's public key (COSE), authenticator data, client data JSON and signature
    (base64url), enough to verify the signature again from the JSON alone
    (`passkey_evidence_verify`). None for an SMS signature, and while the authorisation has no
    passkey fields (`method`, `credential_id`, `credential_public_key`, `authenticator_data`,
    `client_data_json`, `signature`, `sign_count`, `rp_id`, `origin`, `passkey_name`).
    """
    if getattr(authorisation, "method", "sms") != "passkey":
        return None
    return {
        "passkey_name": getattr(authorisation, "passkey_name", ""),
        "credential_id": _base64url(getattr(authorisation, "credential_id", b"")),
        "credential_public_key": _base64url(getattr(authorisation, "credential_public_key", b"")),
        "authenticator_data": _base64url(getattr(authorisation, "authenticator_data", b"")),
        "client_data_json": _base64url(getattr(authorisation, "client_data_json", b"")),
        "signature": _base64url(getattr(authorisation, "signature", b"")),
        "sign_count": getattr(authorisation, "sign_count", None),
        "rp_id": getattr(authorisation, "rp_id", ""),
        "origin": getattr(authorisation, "origin", ""),
    }


def passkey_evidence_verify(evidence: dict[str, Any]) -> bool:
    """Whether the stored public key verifies the signature over authenticator data followed by
    the SHA-256 of the client data JSON (WebAuthn's signed bytes), from the evidence alone."""
    try:
        decoded = decode_credential_public_key(
            base64url_to_bytes(evidence["credential_public_key"])
        )
        signed = (
            base64url_to_bytes(evidence["authenticator_data"])
            + hashlib.sha256(base64url_to_bytes(evidence["client_data_json"])).digest()
        )
        verify_signature(
            public_key=decoded_public_key_to_cryptography(decoded),
            signature_alg=decoded.alg,
            signature=base64url_to_bytes(evidence["signature"]),
            data=signed,
        )
    except (InvalidSignature, WebAuthnException, KeyError, ValueError, TypeError, IndexError):
        return False
    return True


def authorisation_events(authorisation: AccessAuthorisation) -> list[AuditEvent]:
    """The audit events about the authorisation: its signature, downloads, and the code sends and
    wrong codes of what it signed (the invitation or the rights change), in chain order."""
    key = str(authorisation.pk)
    of_company = AuditEvent.objects.filter(company_id=authorisation.company_id)
    direct = list(
        of_company.filter(
            Q(data__authorisation=key) | Q(target_type="accessauthorisation", target_id=key)
        ).order_by("id")[:EVENTS_LIMIT]
    )
    holders = Q(pk__in=[event.pk for event in direct])
    for event in direct:
        if event.target_type == "invitation":
            holders |= Q(target_type="invitation", target_id=event.target_id)
        if isinstance(event.data, dict) and "change" in event.data:
            holders |= Q(target_type="rightschange", target_id=str(event.data["change"]))
    return list(of_company.filter(holders).order_by("id")[:EVENTS_LIMIT])


def _event_evidence(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "occurred_at": _iso(event.occurred_at),
        "action": event.action,
        "action_label": str(event.get_action_display()),
        "actor_email": event.actor_email,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "ip_address": event.ip_address,
        "data": event.data,
        "previous_hash": event.previous_hash,
        "chain_hash": event.chain_hash,
        # the exact bytes hashed: sha256(previous_hash + "\n" + canonical) == chain_hash
        "canonical": canonical(event_values(event)).decode(),
    }


def authorisation_evidence(
    authorisation: AccessAuthorisation, *, events: list[AuditEvent], pdf_sha256: str
) -> dict[str, Any]:
    challenge = authorisation.challenge
    signer = authorisation.signer
    sends = [_iso(e.occurred_at) for e in events if e.action == Action.CODE_SENT]
    evidence: dict[str, Any] = {
        "format": PROOF_FORMAT,
        "authorisation": {
            "id": str(authorisation.pk),
            "kind": authorisation.kind,
            "version": authorisation.version,
            "signed_at": _iso(authorisation.signed_at),
            "closed_at": _iso(authorisation.closed_at),
            "closed_reason": authorisation.closed_reason,
        },
        "company": {
            "id": authorisation.company_id,
            "name": authorisation.company.name,
            "siren": authorisation.company.siren,
        },
        "signer": {"name": signer.get_full_name(), "email": signer.email},
        "subject": {"name": authorisation.subject_name, "email": authorisation.subject_email},
        "rights": rights_evidence(authorisation.rights),
        "statement": authorisation.statement,
        "statement_file": STATEMENT_FILE,
        "statement_sha256": _sha256(authorisation.statement.encode()),
        "payload_digest": authorisation.payload_digest,
        "signature": {
            "method": "sms",
            "phone_masked": authorisation.phone_masked,
            "code_requested_at": _iso(challenge.created_at),
            "code_sent_at": sends or [_iso(challenge.last_sent_at)],
            "sms_sent": challenge.send_count,
            "wrong_codes": challenge.failed_attempts,
            "code_checked_at": _iso(challenge.consumed_at or authorisation.signed_at),
        },
        "ip_address": authorisation.ip_address,
        "user_agent": authorisation.user_agent,
        "sealed_pdf": {
            "file": authorisation_filename(authorisation),
            "sha256": pdf_sha256,
            "sealed_at": _iso(authorisation.sealed_at),
        },
        "audit_events": {"file": EVENTS_FILE, "count": len(events)},
    }
    passkey = passkey_evidence(authorisation)
    if passkey is not None:
        # a passkey signed: no SMS was part of it
        evidence["signature"] = {
            "method": "passkey",
            "checked_at": _iso(authorisation.signed_at),
            "verify": "passkey_evidence_verify: signature over authenticator_data "
            "|| SHA-256(client_data_json) with credential_public_key",
        }
        evidence["passkey"] = passkey
    return evidence


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def authorisation_proof_zip(*, authorisation: AccessAuthorisation) -> bytes:
    authorisation = authorisation_seal(authorisation_id=authorisation.pk)
    pdf = authorisation_sealed_bytes(authorisation=authorisation)
    events = authorisation_events(authorisation)
    evidence = authorisation_evidence(authorisation, events=events, pdf_sha256=_sha256(pdf))
    pdf_name = authorisation_filename(authorisation)
    files = {
        pdf_name: pdf,
        EVIDENCE_FILE: _json(evidence),
        STATEMENT_FILE: authorisation.statement.encode(),
        EVENTS_FILE: _json([_event_evidence(event) for event in events]),
    }
    files["SHA256SUMS"] = "".join(
        f"{_sha256(content)}  {name}\n" for name, content in files.items()
    ).encode()
    files["LISEZMOI-README.txt"] = render_to_string(
        "otp/proof_readme.txt",
        {
            "pdf_name": pdf_name,
            "statement_file": STATEMENT_FILE,
            "evidence_file": EVIDENCE_FILE,
            "events_file": EVENTS_FILE,
            "has_passkey": "passkey" in evidence,
        },
    ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def proof_filename(authorisation: AccessAuthorisation) -> str:
    return get_valid_filename(
        f"preuve-autorisation-{authorisation.company.siren}-v{authorisation.version}-"
        f"{str(authorisation.pk)[:8]}.zip"
    )
