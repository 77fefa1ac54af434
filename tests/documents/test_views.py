import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audit.models import Action, AuditEvent
from client_requests.kinds import RequestKind, RequestStatus
from client_requests.models import ClientRequest
from tests.documents.factories import ContractDocumentFactory

pytestmark = pytest.mark.django_db


def url(name, contract=None, document=None, *, company):
    args = [company.id]
    if contract is not None:
        args.append(contract.id)
    if document is not None:
        args.append(document.id)
    return reverse(f"documents:{name}", args=args)


CONTRACT_PAGES = ["contract", "amortisation_csv", "amortisation_pdf", "duplicate"]


def test_the_index_lists_the_companys_contracts(reader_client, company, loan, other_contract):
    response = reader_client.get(url("index", company=company))

    assert response.status_code == 200
    assert loan.reference in response.text
    assert other_contract.reference not in response.text
    assert "120\u00a0000,00\u00a0€" in response.text


@pytest.mark.parametrize("name", ["index", "duplicate_requests"])
def test_a_company_page_answers_403_without_the_right(outsider_client, company, name):
    response = outsider_client.get(url(name, company=company))

    assert response.status_code == 403
    assert "Accéder aux informations financières" in response.text


@pytest.mark.parametrize("name", ["index", "duplicate_requests"])
def test_a_company_page_answers_404_to_another_company(other_admin, client_for, company, name):
    response = client_for(other_admin.user).get(url(name, company=company))

    assert response.status_code == 404


@pytest.mark.parametrize("name", CONTRACT_PAGES)
def test_a_contract_page_answers_200_with_the_right(reader_client, company, loan, name):
    assert reader_client.get(url(name, loan, company=company)).status_code == 200


@pytest.mark.parametrize("name", CONTRACT_PAGES)
def test_a_contract_page_answers_403_without_the_right(outsider_client, company, loan, name):
    assert outsider_client.get(url(name, loan, company=company)).status_code == 403


@pytest.mark.parametrize("name", CONTRACT_PAGES)
def test_another_companys_contract_answers_404(reader_client, company, other_contract, name):
    assert reader_client.get(url(name, other_contract, company=company)).status_code == 404


@pytest.mark.parametrize("name", CONTRACT_PAGES)
def test_a_contract_page_answers_404_to_an_admin_of_another_company(
    other_admin, client_for, company, loan, name
):
    response = client_for(other_admin.user).get(url(name, loan, company=company))

    assert response.status_code == 404


def test_the_contract_page_shows_terms_documents_and_the_amortisation_table(
    reader_client, company, loan, loan_document
):
    response = reader_client.get(url("contract", loan, company=company))

    assert "Contrat de prêt signé" in response.text
    assert "4,00 %" in response.text
    assert "1\u00a0214,94\u00a0€" in response.text
    assert '<table class="table schedule-table">' in response.text
    assert url("download", loan, loan_document, company=company) in response.text


def test_an_administrator_holds_the_right(admin_client, company, loan):
    assert admin_client.get(url("contract", loan, company=company)).status_code == 200


def test_a_document_downloads_as_an_attachment_that_cannot_be_sniffed(
    reader_client, company, loan, loan_document
):
    response = reader_client.get(url("download", loan, loan_document, company=company))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "contrat-signe.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_download_is_audited(reader, reader_client, company, loan, loan_document):
    reader_client.get(url("download", loan, loan_document, company=company))

    event = AuditEvent.objects.get(company=company, action=Action.DOCUMENT_DOWNLOADED)
    assert event.actor_id == reader.user_id
    assert event.data["document"] == loan_document.pk


def test_a_download_is_refused_without_the_right(outsider_client, company, loan, loan_document):
    response = outsider_client.get(url("download", loan, loan_document, company=company))

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=Action.DOCUMENT_DOWNLOADED).exists()


def test_another_companys_document_is_not_found(
    reader_client, company, loan, other_contract, other_document
):
    through_own_contract = url("download", loan, other_document, company=company)
    through_its_contract = url("download", other_contract, other_document, company=company)

    assert reader_client.get(through_own_contract).status_code == 404
    assert reader_client.get(through_its_contract).status_code == 404


def test_a_document_is_not_found_under_another_contract_of_the_company(
    reader_client, company, loan, loan_document
):
    sibling = company.contracts.exclude(pk=loan.pk).first()

    response = reader_client.get(url("download", sibling, loan_document, company=company))

    assert response.status_code == 404


def test_the_csv_is_for_a_french_excel(reader_client, company, loan):
    response = reader_client.get(url("amortisation_csv", loan, company=company))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="tableau-amortissement-PRT-2024-0000042.csv"'
    )
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "N°"
    assert rows[0][1] == "Date d’échéance"
    assert rows[1] == ["1", "15/02/2024", "1214,94", "400,00", "814,94", "119185,06"]
    assert len(rows) == 121
    assert rows[-1][-1] == "0,00"


def test_the_csv_streams_its_rows_as_they_are_formatted(reader_client, company, loan):
    response = reader_client.get(url("amortisation_csv", loan, company=company))

    assert response.streaming
    chunks = iter(response.streaming_content)
    assert next(chunks).startswith(b"\xef\xbb\xbf")


def test_the_csv_of_another_companys_contract_is_not_found(reader_client, company, other_contract):
    response = reader_client.get(url("amortisation_csv", other_contract, company=company))

    assert response.status_code == 404


def test_the_pdf_is_a_real_pdf_naming_the_contract(reader_client, company, loan):
    response = reader_client.get(url("amortisation_pdf", loan, company=company))

    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = reader.pages[0].extract_text()
    assert "PRT-2024-0000042" in text
    assert "Atelier Durand SAS" in text
    assert len(reader.pages) >= 3
    assert "Page 1 / " in text


def test_the_duplicate_page_states_the_fee_without_the_entreprise_subscription(
    reader_client, company, loan
):
    company.has_entreprise_subscription = False
    company.save()

    response = reader_client.get(url("duplicate", loan, company=company))

    assert "Frais : 50,00\u00a0€ par duplicata." in response.text
    assert "gratuits avec l’abonnement Entreprise" in response.text


def test_the_duplicate_page_is_free_with_the_entreprise_subscription(reader_client, company, loan):
    response = reader_client.get(url("duplicate", loan, company=company))

    assert "Sans frais." in response.text
    assert "Duplicatas inclus dans votre abonnement Entreprise." in response.text


def test_a_duplicate_request_records_the_fee(reader, reader_client, company, loan, loan_document):
    company.has_entreprise_subscription = False
    company.save()

    response = reader_client.post(
        url("duplicate", loan, company=company),
        {"subject": str(loan_document.pk), "message": "Deux exemplaires, merci."},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == url("duplicate_requests", company=company)
    assert "Votre demande de duplicata a été transmise" in response.text
    filed = ClientRequest.objects.get(company=company, kind=RequestKind.DUPLICATE)
    assert filed.fee == Decimal("50.00")
    assert filed.status == RequestStatus.SUBMITTED
    assert filed.author == reader.user
    assert filed.contract == loan
    assert filed.details["document"] == "Contrat de prêt signé"
    assert filed.message == "Deux exemplaires, merci."
    assert "50,00\u00a0€" in response.text


def test_a_duplicate_of_the_whole_contract_is_free_with_the_entreprise_subscription(
    reader_client, company, loan
):
    reader_client.post(url("duplicate", loan, company=company), {"subject": "contrat"})

    filed = ClientRequest.objects.get(company=company, kind=RequestKind.DUPLICATE)
    assert filed.fee == Decimal("0")
    assert filed.details["document"] == "Contrat complet"


def test_a_document_of_another_contract_cannot_be_chosen(reader_client, company, loan):
    sibling = company.contracts.exclude(pk=loan.pk).first()
    foreign = ContractDocumentFactory.create(contract=sibling)

    response = reader_client.post(url("duplicate", loan, company=company), {"subject": foreign.pk})

    assert response.status_code == 200
    assert "field-error" in response.text
    assert not ClientRequest.objects.filter(company=company).exists()


def test_a_duplicate_request_is_refused_without_the_right(outsider_client, company, loan):
    response = outsider_client.post(url("duplicate", loan, company=company), {"subject": "contrat"})

    assert response.status_code == 403
    assert not ClientRequest.objects.filter(company=company).exists()


def test_the_duplicate_requests_list_shows_the_companys_requests(
    reader_client, company, loan, other_admin, other_contract, client_for
):
    reader_client.post(url("duplicate", loan, company=company), {"subject": "contrat"})
    client_for(other_admin.user).post(
        url("duplicate", other_contract, company=other_contract.company), {"subject": "contrat"}
    )

    response = reader_client.get(url("duplicate_requests", company=company))

    assert loan.reference in response.text
    assert other_contract.reference not in response.text
    assert "Soumise" in response.text


def test_the_contract_list_query_count_is_bounded(
    reader_client, company, django_assert_max_num_queries
):
    for _ in range(10):
        company.contracts.create(
            kind="loan",
            reference=f"PRT-X-{_}",
            amount=Decimal("1000"),
            start_date="2024-01-01",
            end_date="2025-01-01",
        )

    with django_assert_max_num_queries(7):
        response = reader_client.get(url("index", company=company))

    assert response.status_code == 200


def test_the_duplicate_list_query_count_is_bounded(
    reader_client, company, loan, django_assert_max_num_queries
):
    for _ in range(5):
        reader_client.post(url("duplicate", loan, company=company), {"subject": "contrat"})

    with django_assert_max_num_queries(8):
        response = reader_client.get(url("duplicate_requests", company=company))

    assert response.text.count("Contrat complet") == 5


def test_a_club_credits_table_says_it_is_on_the_drawn_amount(reader_client, company):
    club = company.contracts.get(kind="club")
    club.drawn_amount = Decimal("100000.00")
    club.annual_rate = Decimal("4.6")
    club.save()

    response = reader_client.get(url("contract", club, company=company))

    assert "calculé sur le montant décaissé" in response.text
    assert "100\u00a0000,00\u00a0€" in response.text


def test_a_club_credit_with_nothing_drawn_offers_no_export(reader_client, company):
    club = company.contracts.get(kind="club")

    response = reader_client.get(url("contract", club, company=company))

    assert "Aucune échéance" in response.text
    assert url("amortisation_csv", club, company=company) not in response.text
