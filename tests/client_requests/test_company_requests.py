import pytest
from django.urls import reverse

from client_requests.kinds import RequestKind, RequestStatus
from client_requests.models import ClientRequest
from permissions.catalogue import Right
from tests.client_requests.factories import make_request, upload
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def section_url(company):
    return reverse("client_requests:company_requests", kwargs={"company_id": company.pk})


@pytest.fixture
def requester(collaborator_with):
    return collaborator_with(Right.COMPANY_REQUESTS)


def form_data(**overrides):
    data = {
        "kind": RequestKind.NEW_CONTRACT,
        "contract": "",
        "subject": "Financement d’une chaîne de production",
        "description": "Montant estimé 400 000 €, durée 7 ans.",
        "action": "draft",
    }
    data.update(overrides)
    return data


def test_the_section_opens_with_the_right(requester, client_for):
    page = client_for(requester.user).get(section_url(requester.company))

    assert page.status_code == 200
    assert "Enregistrer le brouillon" in page.content.decode()
    assert 'enctype="multipart/form-data"' in page.content.decode()


def test_the_section_is_403_without_the_right(collaborator_with, client_for):
    member = collaborator_with(Right.DOCUMENTS)

    page = client_for(member.user).get(section_url(member.company))

    assert page.status_code == 403
    assert "Suivre, compléter et soumettre" in page.content.decode()


def test_the_section_of_another_company_is_404(requester, other_company, client_for):
    assert client_for(requester.user).get(section_url(other_company)).status_code == 404


def test_the_list_shows_requests_started_by_other_members_drafts_included(
    requester, collaborator_with, client_for, django_assert_max_num_queries
):
    colleague = collaborator_with(Right.COMPANY_REQUESTS)
    their_draft = make_request(membership=colleague, details={"subject": "Accès au crédit-bail"})
    funds = collaborator_with(Right.FUND_OPERATIONS, Right.COMPANY_REQUESTS)
    statement = make_request(membership=funds, kind=RequestKind.STATEMENT, details={})
    client = client_for(requester.user)

    with django_assert_max_num_queries(9):
        html = client.get(section_url(requester.company)).content.decode()

    assert "Accès au crédit-bail" in html
    assert f"/demandes/{their_draft.pk}/" in html
    assert f"/demandes/{statement.pk}/" not in html


def test_a_request_is_saved_as_a_draft(requester, client_for, company):
    response = client_for(requester.user).post(
        section_url(company), form_data(documents=[upload("plan.png", content=None)])
    )

    client_request = ClientRequest.objects.get(company=company)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/demandes/{client_request.pk}/")
    assert client_request.status == RequestStatus.DRAFT
    assert client_request.details == {"subject": "Financement d’une chaîne de production"}
    assert client_request.message.startswith("Montant estimé")
    assert client_request.attachments.count() == 1


def test_a_request_is_submitted_directly(requester, client_for, company):
    client_for(requester.user).post(section_url(company), form_data(action="submit"))

    assert ClientRequest.objects.get(company=company).status == RequestStatus.SUBMITTED


def test_an_amendment_needs_a_contract(requester, client_for, company):
    response = client_for(requester.user).post(
        section_url(company), form_data(kind=RequestKind.AMENDMENT)
    )

    assert response.status_code == 400
    assert "Choisissez le contrat auquel s’applique l’avenant." in response.content.decode()
    assert not ClientRequest.objects.filter(company=company).exists()


def test_an_amendment_of_a_company_contract(requester, client_for, company):
    contract = company.contracts.first()

    client_for(requester.user).post(
        section_url(company), form_data(kind=RequestKind.AMENDMENT, contract=contract.pk)
    )

    assert ClientRequest.objects.get(company=company).contract == contract


def test_another_companys_contract_is_refused(requester, client_for, company, other_company):
    foreign = ContractFactory.create(company=other_company)

    response = client_for(requester.user).post(
        section_url(company), form_data(kind=RequestKind.AMENDMENT, contract=foreign.pk)
    )

    assert response.status_code == 400
    assert not ClientRequest.objects.filter(company=company).exists()


def test_a_kind_of_another_section_is_refused(requester, client_for, company):
    response = client_for(requester.user).post(
        section_url(company), form_data(kind=RequestKind.BANK_DETAILS_CHANGE)
    )

    assert response.status_code == 400
    assert not ClientRequest.objects.filter(company=company).exists()


def test_a_file_that_is_not_a_pdf_is_refused_and_nothing_is_saved(requester, client_for, company):
    response = client_for(requester.user).post(
        section_url(company),
        form_data(documents=[upload("devis.pdf", b"%PDF-1.4 this is not really a pdf")]),
    )

    assert response.status_code == 400
    assert "illisible ou endommagé" in response.content.decode()
    assert not ClientRequest.objects.filter(company=company).exists()
