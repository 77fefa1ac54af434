"""A file missing from the store answers a page that says so (404), never a server error: the
member's download of a request's file, support's download in the admin, a contract document."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from client_requests.kinds import AttachmentPurpose, RequestKind
from client_requests.models import private_storage
from permissions.catalogue import Right
from tests.client_requests.factories import make_request, new_file
from tests.documents.factories import ContractDocumentFactory
from tests.factories import ContractFactory, UserFactory

pytestmark = pytest.mark.django_db

RIB = {"holder": "Atelier Durand SAS", "iban": "FR7630006000011234567890189", "bic": "AGRIFRPP"}


@pytest.fixture(params=["database", "filesystem"])
def store(request, settings, tmp_path):
    settings.PRIVATE_STORAGE = request.param
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return request.param


@pytest.fixture
def rib_change(store, collaborator_with):
    return make_request(
        membership=collaborator_with(Right.BANK_DETAILS),
        kind=RequestKind.BANK_DETAILS_CHANGE,
        details=RIB,
        files=(new_file("pouvoir.pdf", purpose=AttachmentPurpose.PROOF_OF_POWER),),
        submit=True,
    )


def lose(name: str) -> None:
    private_storage().delete(name)
    assert not private_storage().exists(name)


def assert_missing_page(response) -> None:
    assert response.status_code == 404
    assert "Fichier indisponible" in response.content.decode()
    assert "contactez le support" in response.content.decode()


def test_a_members_download_of_a_lost_file_is_a_404_page(rib_change, client_for):
    attachment = rib_change.attachments.get()
    lose(attachment.file.name)
    url = reverse(
        "client_requests:attachment",
        kwargs={
            "company_id": rib_change.company_id,
            "request_id": rib_change.pk,
            "attachment_id": attachment.pk,
        },
    )

    response = client_for(rib_change.author).get(url)

    assert_missing_page(response)
    assert not AuditEvent.objects.filter(action=Action.DOCUMENT_DOWNLOADED).exists()


def test_supports_download_of_a_lost_file_is_a_404_page(rib_change, client_for):
    attachment = rib_change.attachments.get()
    lose(attachment.file.name)
    staff = UserFactory.create(is_staff=True, is_superuser=True, email="support@banque.example")
    url = reverse(
        "admin:client_requests_clientrequest_attachment", args=[rib_change.pk, attachment.pk]
    )

    response = client_for(staff).get(url)

    assert_missing_page(response)


def test_a_lost_contract_document_is_a_404_page(store, admin, admin_client):
    contract = ContractFactory.create(company=admin.company)
    document = ContractDocumentFactory.create(contract=contract)
    lose(document.file.name)
    url = reverse("documents:download", args=[admin.company_id, contract.pk, document.pk])

    response = admin_client.get(url)

    assert_missing_page(response)
    assert not AuditEvent.objects.filter(action=Action.DOCUMENT_DOWNLOADED).exists()


def test_a_file_in_the_store_still_downloads(store, rib_change, client_for):
    attachment = rib_change.attachments.get()
    url = reverse(
        "client_requests:attachment",
        kwargs={
            "company_id": rib_change.company_id,
            "request_id": rib_change.pk,
            "attachment_id": attachment.pk,
        },
    )

    response = client_for(rib_change.author).get(url)

    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
