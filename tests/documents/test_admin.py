"""Support staff add a contract's documents in the admin, checked like any upload."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from documents.models import ContractDocument, DocumentKind
from documents.services import document_add
from tests.documents.factories import pdf_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def support() -> Client:
    client = Client()
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    return client


def add_document(support, contract, upload):
    return support.post(
        reverse("admin:documents_contractdocument_add"),
        {
            "contract": contract.pk,
            "title": "Avenant n° 2",
            "kind": DocumentKind.AMENDMENT,
            "file": upload,
        },
    )


def test_support_adds_a_pdf_stored_under_a_random_name(support, loan):
    response = add_document(support, loan, SimpleUploadedFile("avenant.pdf", pdf_bytes()))

    assert response.status_code == 302
    document = ContractDocument.objects.get(contract=loan)
    assert document.original_name == "avenant.pdf"
    assert document.content_type == "application/pdf"
    assert len(document.sha256) == 64
    assert "avenant" not in document.file.name
    assert document.file.name.startswith(f"contracts/{loan.pk}/")


def test_support_cannot_add_a_text_file_named_pdf(support, loan):
    response = add_document(support, loan, SimpleUploadedFile("faux.pdf", b"pas un PDF du tout"))

    assert response.status_code == 200
    assert "Ce type de fichier n’est pas accepté" in response.text
    assert not ContractDocument.objects.filter(contract=loan).exists()


def test_support_cannot_add_a_file_over_the_size_limit(support, loan, settings):
    settings.UPLOAD_MAX_BYTES = 100

    response = add_document(support, loan, SimpleUploadedFile("gros.pdf", pdf_bytes()))

    assert "taille maximale" in response.text
    assert not ContractDocument.objects.filter(contract=loan).exists()


def test_support_sees_the_contracts_terms_and_documents(support, loan, loan_document):
    response = support.get(reverse("admin:companies_contract_change", args=[loan.pk]))

    assert response.status_code == 200
    assert "120 échéances, la première de 1214.94 €" in response.text
    assert "Contrat de prêt signé" in response.text


def test_support_opens_a_documents_page(support, loan_document):
    response = support.get(
        reverse("admin:documents_contractdocument_change", args=[loan_document.pk])
    )

    assert response.status_code == 200
    assert loan_document.sha256 in response.text


def test_the_service_checks_a_document_itself(company):
    contract = company.contracts.first()

    with pytest.raises(ValidationError):
        document_add(
            contract=contract,
            title="Contrat",
            kind=DocumentKind.CONTRACT,
            upload=SimpleUploadedFile("contrat.pdf", b"pas un PDF"),
        )

    assert not ContractDocument.objects.filter(contract=contract).exists()
