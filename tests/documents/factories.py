import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory
from pypdf import PdfWriter

from companies.models import Contract
from documents.models import ContractDocument, DocumentKind
from documents.services import document_add
from tests.factories import ContractFactory


def pdf_bytes() -> bytes:
    """A small valid one-page PDF."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name: str = "contrat-signe.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


class ContractDocumentFactory(DjangoModelFactory[ContractDocument]):
    """Goes through the service, as support's upload does: checked, stored under a random name."""

    class Meta:
        model = ContractDocument

    contract = factory.SubFactory(ContractFactory)
    title = factory.Sequence(lambda n: f"Contrat signé n° {n}")
    kind = DocumentKind.CONTRACT

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> ContractDocument:
        contract = kwargs.pop("contract")
        assert isinstance(contract, Contract)
        return document_add(
            contract=contract,
            title=str(kwargs.pop("title")),
            kind=str(kwargs.pop("kind")),
            upload=kwargs.pop("upload", None) or pdf_upload(),  # type: ignore[arg-type]
        )
