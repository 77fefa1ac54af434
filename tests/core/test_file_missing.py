"""A file missing from the store answers a page that says so (404), never a server error: the
member's download of a request's file, support's downloads in the admin, a contract document, a
sealed access authorisation (and its proof file) for its company, its person and support."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from client_requests.kinds import AttachmentPurpose, RequestKind
from client_requests.models import private_storage
from otp.services import authorisation_sealed_bytes
from permissions.catalogue import Right
from tests.client_requests.factories import make_request, new_file
from tests.documents.factories import ContractDocumentFactory
from tests.factories import ContractFactory, UserFactory
from tests.otp.authorisations import signed_authorisation

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


@pytest.fixture
def lost_authorisation(store, admin):
    """A signed access authorisation whose sealed PDF was stored, then lost from the store."""
    authorisation = signed_authorisation(admin)
    authorisation_sealed_bytes(authorisation=authorisation)
    authorisation.refresh_from_db()
    lose(authorisation.sealed_pdf)
    return authorisation


@pytest.mark.parametrize(
    "name", ["teams:authorisation_download", "teams:authorisation_proof_download"]
)
def test_an_administrators_download_of_a_lost_sealed_pdf_is_a_404_page(
    lost_authorisation, admin, admin_client, name
):
    response = admin_client.get(reverse(name, args=[admin.company_id, lost_authorisation.pk]))

    assert_missing_page(response)


def test_the_named_persons_download_of_a_lost_sealed_pdf_is_a_404_page(
    lost_authorisation, client_for
):
    person = UserFactory.create(email="signee@partenaire.example")
    url = reverse("otp:own_authorisation_download", args=[lost_authorisation.pk])

    response = client_for(person).get(url)

    assert_missing_page(response)


@pytest.mark.parametrize(
    "name", ["admin:otp_accessauthorisation_pdf", "admin:otp_accessauthorisation_proof"]
)
def test_supports_download_of_a_lost_sealed_pdf_is_a_404_page(lost_authorisation, client_for, name):
    staff = UserFactory.create(is_staff=True, is_superuser=True, email="support@banque.example")

    response = client_for(staff).get(reverse(name, args=[lost_authorisation.pk]))

    assert_missing_page(response)
