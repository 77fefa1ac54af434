"""The amortisation PDF is rendered once per set of terms, kept in private storage and served."""

from decimal import Decimal

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import translation

from documents import services
from documents.exports import amortisation_pdf_name

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """Counts WeasyPrint renderings, which still happen for real."""
    calls = []
    real = services.amortisation_pdf

    def counted(*, contract):
        calls.append(contract.pk)
        return real(contract=contract)

    monkeypatch.setattr(services, "amortisation_pdf", counted)
    return calls


def download(client, company, contract) -> bytes:
    url = reverse("documents:amortisation_pdf", args=[company.pk, contract.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def test_the_second_download_serves_the_stored_pdf_without_rendering_it_again(
    reader_client, company, loan, renders
):
    first = download(reader_client, company, loan)
    second = download(reader_client, company, loan)

    assert renders == [loan.pk]
    assert second == first
    assert first.startswith(b"%PDF")


def test_the_pdf_is_kept_in_private_storage_under_a_name_made_of_its_terms(
    reader_client, company, loan, renders
):
    download(reader_client, company, loan)

    with translation.override("fr"):
        name = amortisation_pdf_name(contract=loan)
    assert name.startswith(f"amortisation/{loan.pk}/")
    assert storages["private"].exists(name)


def test_new_terms_render_a_new_pdf_and_remove_the_old_one(reader_client, company, loan, renders):
    download(reader_client, company, loan)
    with translation.override("fr"):
        old_name = amortisation_pdf_name(contract=loan)
    loan.annual_rate = Decimal("4.100")
    loan.save()

    download(reader_client, company, loan)

    assert renders == [loan.pk, loan.pk]
    assert not storages["private"].exists(old_name)


def test_another_language_has_its_own_pdf(loan):
    with translation.override("fr"):
        french = amortisation_pdf_name(contract=loan)
    with translation.override("en"):
        english = amortisation_pdf_name(contract=loan)

    assert french != english


def test_another_contracts_terms_never_share_a_file(loan, other_contract):
    assert amortisation_pdf_name(contract=loan) != amortisation_pdf_name(contract=other_contract)
