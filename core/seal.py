"""The bank's seal on a PDF: a PAdES signature (baseline B-B: CAdES detached, signing certificate
attribute, the seal's certificate and its CA embedded) made with pyHanko, and its verification.

Knows no app: it seals bytes and reports on bytes. The key and certificate come from a PKCS#12
file (`PDF_SEAL_PKCS12`, `PDF_SEAL_PASSPHRASE`); with DEBUG on and nothing configured, a
development CA and seal are created under `var/seal/` (see `core.seal_material`). A verifier
trusts the CA certificates of `PDF_SEAL_TRUST_ROOTS` (or those it is given).
"""

from __future__ import annotations

import asyncio
import datetime
import enum
import functools
import io
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.seal_material import development_seal_ensure

if TYPE_CHECKING:  # pyHanko is imported when a PDF is sealed or checked, not at start-up
    from asn1crypto import x509
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko.sign.validation.status import PdfSignatureStatus

logger = logging.getLogger(__name__)

SEAL_FIELD = "CachetBanque"

T = TypeVar("T")


def _without_an_event_loop(work: Callable[[], T]) -> T:
    """pyHanko's synchronous calls run their own event loop (asyncio.run), which Python refuses in
    a thread where one already runs (an ASGI server, a browser-driving test): there, a thread of
    its own does the work."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def seal_paths() -> tuple[Path, str]:
    """The PKCS#12 file and its passphrase; the development seal created if DEBUG asks for it."""
    if settings.PDF_SEAL_PKCS12:
        return Path(settings.PDF_SEAL_PKCS12), settings.PDF_SEAL_PASSPHRASE
    if not settings.DEBUG:
        raise ImproperlyConfigured("PDF_SEAL_PKCS12 must be set when DEBUG is off.")
    material, created = development_seal_ensure(
        Path(settings.PDF_SEAL_DEVELOPMENT_DIR), bank=settings.BANK_NAME
    )
    if created:
        logger.warning("Development PDF seal created under %s", material.directory)
    return material.pkcs12, settings.PDF_SEAL_PASSPHRASE


def trust_root_paths() -> list[Path]:
    if settings.PDF_SEAL_TRUST_ROOTS:
        return [Path(p) for p in settings.PDF_SEAL_TRUST_ROOTS]
    if settings.DEBUG and not settings.PDF_SEAL_PKCS12:
        return [Path(settings.PDF_SEAL_DEVELOPMENT_DIR) / "ca.pem"]
    return []


@cache
def _signer(pkcs12: Path, passphrase: str, _mtime: float) -> SimpleSigner:
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(pkcs12, passphrase=passphrase.encode())
    if signer is None:
        raise ImproperlyConfigured(f"The PDF seal {pkcs12} could not be read (passphrase?).")
    return signer


def seal_signer() -> SimpleSigner:
    pkcs12, passphrase = seal_paths()
    try:
        mtime = pkcs12.stat().st_mtime
    except OSError as error:
        raise ImproperlyConfigured(f"The PDF seal {pkcs12} cannot be read: {error}") from error
    return _signer(pkcs12, passphrase, mtime)


def seal_pdf(content: bytes, *, reason: str, location: str = "") -> bytes:
    """The PDF with the bank's seal appended as an incremental update (the pages are unchanged)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location or None,
        name=settings.BANK_NAME,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(content), strict=False)
    signer = signers.PdfSigner(metadata, signer=seal_signer())
    output = _without_an_event_loop(lambda: signer.sign_pdf(writer))
    return bytes(output.getbuffer())


class SealStatus(enum.StrEnum):
    VALID = "valid"
    ALTERED = "altered"
    UNTRUSTED = "untrusted"
    REVOKED = "revoked"
    UNSIGNED = "unsigned"
    UNREADABLE = "unreadable"


SEAL_STATUS_TEXT = {
    SealStatus.VALID: "valide : cachet intact, certificat reconnu",
    SealStatus.ALTERED: "invalide : le document a été modifié après son scellement",
    SealStatus.UNTRUSTED: "certificat inconnu : le cachet ne remonte à aucune autorité de confiance",
    SealStatus.REVOKED: "certificat révoqué",
    SealStatus.UNSIGNED: "aucun cachet dans ce document",
    SealStatus.UNREADABLE: "fichier illisible : ce n’est pas un PDF valide",
}


@dataclass(frozen=True)
class SealReport:
    status: SealStatus
    signer: str = ""
    signed_at: datetime.datetime | None = None
    detail: str = ""

    @property
    def text(self) -> str:
        return SEAL_STATUS_TEXT[self.status]


def _load_certificates(paths: list[Path]) -> list[x509.Certificate]:
    from pyhanko.keys import load_certs_from_pemder

    return list(load_certs_from_pemder([str(p) for p in paths]))


def seal_verify(
    content: bytes,
    *,
    trust_roots: list[Path] | None = None,
    crls: list[bytes] | None = None,
) -> SealReport:
    """What a verifier concludes about every seal of the PDF; never raises on a bad file."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = trust_roots if trust_roots is not None else trust_root_paths()
    context = ValidationContext(
        trust_roots=_load_certificates(roots),
        crls=crls or [],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        signatures = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError, IndexError) as error:
        return SealReport(SealStatus.UNREADABLE, detail=str(error))
    if not signatures:
        return SealReport(SealStatus.UNSIGNED)
    report = SealReport(SealStatus.VALID)
    for signature in signatures:
        try:
            status = _without_an_event_loop(
                functools.partial(validate_pdf_signature, signature, context)
            )
        except Exception as error:  # a malformed signature is an invalid one, never a crash
            return SealReport(SealStatus.ALTERED, detail=f"{type(error).__name__}: {error}")
        signer = status.signing_cert.subject.human_friendly
        signed_at = status.signer_reported_dt
        if not (status.intact and status.valid) or not _covers_the_whole_file(status):
            return SealReport(SealStatus.ALTERED, signer, signed_at, status.summary())
        if status.revoked:
            return SealReport(SealStatus.REVOKED, signer, signed_at, status.summary())
        if not status.trusted:
            return SealReport(SealStatus.UNTRUSTED, signer, signed_at, status.summary())
        report = SealReport(SealStatus.VALID, signer, signed_at, status.summary())
    return report


def _covers_the_whole_file(status: PdfSignatureStatus) -> bool:
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    return bool(status.coverage == SignatureCoverageLevel.ENTIRE_FILE)


def seal_certificate_serial() -> int:
    """The serial number of the configured seal's certificate (to revoke it in a drill)."""
    certificate = seal_signer().signing_cert
    if certificate is None:
        raise ImproperlyConfigured("The PDF seal holds no certificate.")
    return int(certificate.serial_number)
