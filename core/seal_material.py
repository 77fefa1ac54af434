"""A development certificate authority and a seal certificate signed by it, for `make run` and the
test suite: never for production, where the bank's seal comes from its own CA as a PKCS#12 file.

Files written in `directory`: `ca.pem` (the CA's certificate: what a verifier trusts),
`ca-key.pem` (the CA's key, to issue a revocation list in tests), `seal.p12` (the seal's key and
certificate with the CA's, protected by `passphrase`). Only `cryptography` is needed here, so the
settings of the test suite can call it without importing pyHanko.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

DEVELOPMENT_PASSPHRASE = "development-seal-not-for-production"  # noqa: S105
# where the development CA would publish its revocation list: nothing answers there, a verifier is
# given the list itself (`manage.py verify_pdf --crl`)
DEVELOPMENT_CRL_URL = "http://pki.development.invalid/ca.crl"


@dataclass(frozen=True)
class SealMaterial:
    directory: Path
    ca_certificate: Path
    ca_key: Path
    pkcs12: Path

    @classmethod
    def at(cls, directory: Path) -> SealMaterial:
        return cls(
            directory=directory,
            ca_certificate=directory / "ca.pem",
            ca_key=directory / "ca-key.pem",
            pkcs12=directory / "seal.p12",
        )

    @property
    def exists(self) -> bool:
        return self.ca_certificate.is_file() and self.pkcs12.is_file()


def _name(common_name: str, bank: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, bank),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def certificate_issue(
    *,
    subject: x509.Name,
    subject_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    is_ca: bool,
    now: datetime.datetime,
    days: int,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(subject_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not is_ca,
                content_commitment=not is_ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=is_ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False
        )
    )
    if not is_ca:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        ).add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(DEVELOPMENT_CRL_URL)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def development_seal_create(
    directory: Path, *, bank: str, passphrase: str = DEVELOPMENT_PASSPHRASE
) -> SealMaterial:
    """A new CA and seal certificate under `directory` (replacing what was there)."""
    now = datetime.datetime.now(datetime.UTC)
    directory.mkdir(parents=True, exist_ok=True)
    material = SealMaterial.at(directory)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"{bank} — AC de développement", bank)
    ca = certificate_issue(
        subject=ca_name,
        subject_key=ca_key,
        issuer=ca_name,
        issuer_key=ca_key,
        is_ca=True,
        now=now,
        days=3650,
    )
    seal_key = ec.generate_private_key(ec.SECP256R1())
    seal = certificate_issue(
        subject=_name(f"{bank} — cachet (développement)", bank),
        subject_key=seal_key,
        issuer=ca_name,
        issuer_key=ca_key,
        is_ca=False,
        now=now,
        days=825,
    )
    material.ca_key.write_bytes(
        ca_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    material.ca_key.chmod(0o600)
    material.ca_certificate.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    material.pkcs12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"seal",
            seal_key,
            seal,
            [ca],
            serialization.BestAvailableEncryption(passphrase.encode()),
        )
    )
    material.pkcs12.chmod(0o600)
    return material


def development_seal_ensure(directory: Path, *, bank: str) -> tuple[SealMaterial, bool]:
    """The development seal under `directory`, created if missing; True when just created."""
    material = SealMaterial.at(directory)
    if material.exists:
        return material, False
    return development_seal_create(directory, bank=bank), True


def revocation_list(
    material: SealMaterial, *, revoked_serials: list[int], now: datetime.datetime
) -> bytes:
    """A CRL (DER) of the development CA revoking these serial numbers: for tests and drills."""
    ca = x509.load_pem_x509_certificate(material.ca_certificate.read_bytes())
    ca_key = serialization.load_pem_private_key(material.ca_key.read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.subject)
        .last_update(now - datetime.timedelta(minutes=5))
        .next_update(now + datetime.timedelta(days=7))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(now - datetime.timedelta(minutes=1))
            .build()
        )
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
