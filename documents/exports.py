"""The amortisation table as files: CSV for a French Excel, and a printable A4 PDF."""

import hashlib
import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from companies.models import Contract
from core.csv import csv_chunks
from documents.amortisation import Instalment, schedule, totals

PDF_STYLESHEET = Path(__file__).resolve().parent / "pdf" / "amortisation.css"
# part of every stored PDF's name: raise it when the PDF's template or stylesheet changes
PDF_LAYOUT = 1


def french_decimal(value: Decimal) -> str:
    """What a French Excel reads as a number: a decimal comma and no thousands separator."""
    return f"{value:.2f}".replace(".", ",")


def amortisation_csv_rows(*, contract: Contract) -> Iterator[Sequence[object]]:
    """The table as CSV rows for a French Excel (`;`, decimal comma), one at a time."""
    yield [
        _("N°"),
        _("Date d’échéance"),
        _("Échéance (€)"),
        _("Intérêts (€)"),
        _("Capital amorti (€)"),
        _("Capital restant dû (€)"),
    ]
    for row in schedule(contract):
        yield [
            row.number,
            f"{row.due_date:%d/%m/%Y}",
            french_decimal(row.payment),
            french_decimal(row.interest),
            french_decimal(row.principal),
            french_decimal(row.remaining),
        ]


def amortisation_csv(*, contract: Contract) -> bytes:
    """The whole file (the BOM tells Excel it is UTF-8, so "échéance" is not read as
    Windows-1252); the download streams the same rows instead."""
    return b"".join(csv_chunks(amortisation_csv_rows(contract=contract)))


def amortisation_pdf(*, contract: Contract, instalments: list[Instalment] | None = None) -> bytes:
    # imported here: the portal starts (and its other pages work) on a machine without Pango
    from weasyprint import CSS, HTML

    rows = schedule(contract) if instalments is None else instalments
    html = render_to_string(
        "documents/amortisation_pdf.html",
        {
            "company": contract.company,
            "contract": contract,
            "instalments": rows,
            "totals": totals(rows),
            "generated_at": timezone.localtime(),
        },
    )
    return bytes(HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(PDF_STYLESHEET))]))


def _number(value: Decimal | int) -> str:
    """The same text for 120000, 120000.00 and Decimal("120000.000")."""
    return format(Decimal(value).normalize(), "f")


def amortisation_pdf_name(*, contract: Contract) -> str:
    """Where the PDF of these terms is kept: what the PDF says changes, the name changes."""
    company = contract.company
    said = [
        PDF_LAYOUT,
        get_language(),
        company.name,
        company.siren,
        contract.reference,
        contract.kind,
        contract.status,
        _number(contract.amount),
        contract.start_date.isoformat(),
        contract.end_date.isoformat(),
        _number(contract.annual_rate),
        contract.payment_frequency,
        _number(contract.residual_value),
        _number(contract.drawn_amount),
    ]
    digest = hashlib.sha256(json.dumps(said).encode()).hexdigest()
    return f"amortisation/{contract.pk}/{digest}.pdf"


def export_filename(*, contract: Contract, extension: str) -> str:
    # the reference is free text typed by support: no quote, separator or newline reaches a header
    return get_valid_filename(f"tableau-amortissement-{contract.reference}.{extension}")
