"""Demo terms and documents for the demo companies' contracts (called by `load_demo`).

Idempotent: terms are set to their known values on every run; a document is added only when the
contract has none of that title yet.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from companies.models import Company, Contract, ContractKind
from documents.amortisation import schedule
from documents.models import ContractDocument, DocumentKind
from documents.services import document_add


@dataclass(frozen=True)
class DemoTerms:
    annual_rate: Decimal
    payment_frequency: int
    residual_value: Decimal = Decimal("0")
    drawn_amount: Decimal = Decimal("0")


# keyed on the references of portal/management/commands/load_demo.py
TERMS: dict[str, DemoTerms] = {
    "PRT-2022-0418735": DemoTerms(Decimal("1.850"), 1),
    "CLUB-2024-0031268": DemoTerms(Decimal("4.600"), 3, drawn_amount=Decimal("300000.00")),
    "CBM-2023-0095114": DemoTerms(Decimal("4.350"), 1, residual_value=Decimal("2456.00")),
    "LOCFI-2025-0012907": DemoTerms(Decimal("5.200"), 3, residual_value=Decimal("1920.00")),
    "PRT-2021-0277450": DemoTerms(Decimal("1.200"), 1),
    "CBM-2024-0140326": DemoTerms(Decimal("4.900"), 3, residual_value=Decimal("623.00")),
}

# what a contract of another reference gets, by kind
DEFAULT_TERMS: dict[str, DemoTerms] = {
    ContractKind.LOAN: DemoTerms(Decimal("3.500"), 1),
    ContractKind.CLUB: DemoTerms(Decimal("4.500"), 3),
    ContractKind.CBM: DemoTerms(Decimal("4.750"), 1, residual_value=Decimal("2500.00")),
    ContractKind.LOCFI: DemoTerms(Decimal("5.000"), 3, residual_value=Decimal("1000.00")),
}

DOCUMENTS: dict[str, tuple[tuple[DocumentKind, str], ...]] = {
    ContractKind.LOAN: (
        (DocumentKind.CONTRACT, "Contrat de prêt signé"),
        (DocumentKind.CERTIFICATE, "Attestation de prêt"),
    ),
    ContractKind.CLUB: (
        (DocumentKind.CONTRACT, "Convention de crédit CLUB signée"),
        (DocumentKind.AMENDMENT, "Avenant n° 1 — calendrier de tirage"),
    ),
    ContractKind.CBM: (
        (DocumentKind.CONTRACT, "Contrat de crédit-bail mobilier signé"),
        (DocumentKind.CERTIFICATE, "Procès-verbal de livraison du matériel"),
    ),
    ContractKind.LOCFI: ((DocumentKind.CONTRACT, "Contrat de location financière signé"),),
}


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF of a few lines of Helvetica (WinAnsi covers French accents)."""
    content = "BT /F1 11 Tf 56 780 Td 16 TL\n"
    content += "".join(f"({_pdf_text(line)}) Tj T*\n" for line in lines) + "ET"
    stream = content.encode("cp1252", errors="replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _document_pdf(*, contract: Contract, title: str) -> bytes:
    rows = schedule(contract)
    lines = [
        "Banque publique — Espace entreprise",
        "",
        title,
        "",
        f"Entreprise : {contract.company.name} (SIREN {contract.company.siren})",
        f"Contrat : {contract.reference} — {contract.get_kind_display()}",
        f"Montant : {contract.amount} EUR",
        f"Du {contract.start_date:%d/%m/%Y} au {contract.end_date:%d/%m/%Y}",
        f"Taux annuel : {contract.annual_rate} %",
    ]
    if rows:
        lines.append(f"Échéance : {rows[0].payment} EUR, {len(rows)} échéances")
    lines += ["", "Document de démonstration, sans valeur contractuelle."]
    return minimal_pdf(lines)


def _apply_terms(contract: Contract) -> None:
    terms = TERMS.get(contract.reference) or DEFAULT_TERMS[contract.kind]
    contract.annual_rate = terms.annual_rate
    contract.payment_frequency = terms.payment_frequency
    # the terms stay within the contract's constraints whatever its amount
    is_lease = contract.kind in (ContractKind.CBM, ContractKind.LOCFI)
    residual = min(terms.residual_value, (contract.amount / 10).quantize(Decimal("0.01")))
    contract.residual_value = residual if is_lease else Decimal("0")
    drawn = terms.drawn_amount or contract.amount * 2 / 5
    drawn = min(drawn, contract.amount).quantize(Decimal("0.01"))
    contract.drawn_amount = drawn if contract.kind == ContractKind.CLUB else Decimal("0")
    contract.save(
        update_fields=["annual_rate", "payment_frequency", "residual_value", "drawn_amount"]
    )


@transaction.atomic
def load_demo_documents(company: Company) -> list[ContractDocument]:
    """Give the company's contracts realistic terms and one or two documents each; returns the
    documents added by this run."""
    added = []
    for contract in Contract.objects.filter(company=company).select_related("company"):
        _apply_terms(contract)
        existing = set(contract.documents.values_list("title", flat=True))
        for kind, title in DOCUMENTS[contract.kind]:
            if title in existing:
                continue
            filename = f"{contract.reference}-{kind}.pdf"
            upload = SimpleUploadedFile(
                filename, _document_pdf(contract=contract, title=title), "application/pdf"
            )
            added.append(document_add(contract=contract, title=title, kind=kind, upload=upload))
    return added
