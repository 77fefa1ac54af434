"""Contracts and files for the fund operations, bank details and early buyout tests."""

import datetime
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter

from companies.models import Company, Contract, ContractKind
from tests.factories import ContractFactory
from tests.private_files import stored_names

VALID_IBAN = "FR7630006000011234567890189"
OTHER_VALID_IBAN = "DE89370400440532013000"
VALID_BIC = "BNPAFRPP"


def today() -> datetime.date:
    return timezone.localdate()


def in_days(days: int) -> datetime.date:
    return today() + datetime.timedelta(days=days)


def club_contract(company: Company, **fields: Any) -> Contract:
    """A CLUB credit of 100 000 €, 40 000 € drawn (60 000 € available), ending in two years."""
    fields.setdefault("amount", Decimal("100000.00"))
    fields.setdefault("drawn_amount", Decimal("40000.00"))
    fields.setdefault("start_date", in_days(-365))
    fields.setdefault("end_date", in_days(730))
    return ContractFactory.create(company=company, kind=ContractKind.CLUB, **fields)


def lease_contract(company: Company, kind: str, **fields: Any) -> Contract:
    """A CBM or LOCFI contract ending in two years, with a residual value of 5 000 €."""
    fields.setdefault("residual_value", Decimal("5000.00"))
    fields.setdefault("start_date", in_days(-365))
    fields.setdefault("end_date", in_days(730))
    return ContractFactory.create(company=company, kind=kind, **fields)


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_upload(name: str = "pouvoir.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def png_upload(name: str = "pouvoir.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def text_named_pdf() -> SimpleUploadedFile:
    """A text file with a .pdf name and a PDF content type: the content decides."""
    return SimpleUploadedFile(
        "pouvoir.pdf", b"Je certifie avoir le pouvoir.\n", content_type="application/pdf"
    )


def broken_pdf() -> SimpleUploadedFile:
    """Starts like a PDF, does not parse as one."""
    return SimpleUploadedFile(
        "pouvoir.pdf", b"%PDF-1.7\nceci n'est pas un PDF\n%%EOF\n", content_type="application/pdf"
    )


def stored_files(company: Company) -> list[str]:
    """The private files of the company's requests (the storage's directory for it)."""
    return [name.rsplit("/", 1)[-1] for name in stored_names(f"requests/{company.pk}")]
