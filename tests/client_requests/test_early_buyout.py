import datetime

import pytest
from django.urls import reverse

from client_requests.kinds import AttachmentPurpose, RequestKind, RequestStatus
from client_requests.models import ClientRequest
from companies.models import ContractKind, ContractStatus, Role
from permissions.catalogue import Right
from tests.client_requests.ops_factories import (
    broken_pdf,
    club_contract,
    in_days,
    lease_contract,
    pdf_upload,
    png_upload,
    stored_files,
    text_named_pdf,
)
from tests.factories import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def page_url(company):
    return reverse("client_requests:early_buyout", args=[company.pk])


def requests_of(company):
    return ClientRequest.objects.filter(company=company)


def assert_nothing_saved(company):
    assert not requests_of(company).exists()
    assert stored_files(company) == []


@pytest.fixture
def member(collaborator_with):
    return collaborator_with(Right.EARLY_BUYOUT)


@pytest.fixture
def member_client(member, client_for):
    return client_for(member.user)


@pytest.fixture
def cbm(company):
    return lease_contract(company, ContractKind.CBM, reference="CBM-2024-001")


@pytest.fixture
def locfi(company):
    return lease_contract(company, ContractKind.LOCFI, reference="LOCFI-2024-002")


def post(client, contract, **overrides):
    data = {
        "contract": contract.pk,
        "desired_date": in_days(30).isoformat(),
        "proof_of_power": pdf_upload(),
    }
    data.update(overrides)
    return client.post(page_url(contract.company), data)


# the page


def test_lists_the_active_cbm_and_locfi_contracts(member_client, company, cbm, locfi):
    club = club_contract(company, reference="CLUB-2024-003")
    closed = lease_contract(
        company, ContractKind.CBM, reference="CBM-CLOS", status=ContractStatus.CLOSED
    )

    response = member_client.get(page_url(company))

    assert response.status_code == 200
    assert "CBM-2024-001" in response.text
    assert "LOCFI-2024-002" in response.text
    assert club.reference not in response.text
    assert closed.reference not in response.text


def test_explains_both_requests_and_the_purchase_option_price(member_client, company, cbm):
    response = member_client.get(page_url(company))

    assert "levée d’option anticipée" in response.text
    assert "résiliation avec vente du matériel" in response.text
    assert "Valeur résiduelle (prix de l’option d’achat)" in response.text
    assert "5\xa0000,00 €" in response.text


def test_an_administrator_holds_the_right(admin_client, company):
    assert admin_client.get(page_url(company)).status_code == 200


def test_refuses_a_member_without_the_right(collaborator_with, client_for, company):
    member = collaborator_with(Right.BANK_DETAILS)

    response = client_for(member.user).get(page_url(company))

    assert response.status_code == 403
    assert "Effectuer une demande de rachat anticipé" in response.text


def test_another_company_looks_missing(other_admin, client_for, company):
    assert client_for(other_admin.user).get(page_url(company)).status_code == 404


def test_an_administrator_of_a_company_without_cbm_or_locfi_lacks_the_right(client_for):
    company = CompanyFactory.create()
    club_contract(company)
    admin = MembershipFactory.create(company=company, role=Role.ADMIN)

    assert client_for(admin.user).get(page_url(company)).status_code == 403


def test_says_so_when_the_company_has_no_active_cbm_or_locfi(collaborator_with, client_for):
    company = CompanyFactory.create()
    member = collaborator_with(Right.EARLY_BUYOUT, company=company)

    response = client_for(member.user).get(page_url(company))

    assert "L’entreprise n’a aucun contrat CBM ou LOCFI en cours" in response.text
    assert 'name="proof_of_power"' not in response.text


# filing


def test_a_cbm_contract_files_an_early_purchase_option(member_client, member, company, cbm):
    date = in_days(45)

    response = post(member_client, cbm, desired_date=date.isoformat())

    assert response.status_code == 302
    [filed] = requests_of(company)
    assert filed.kind == RequestKind.EARLY_PURCHASE_OPTION
    assert filed.status == RequestStatus.SUBMITTED
    assert filed.author == member.user
    assert filed.contract == cbm
    assert filed.details == {"buyout_date": date.isoformat(), "residual_value": "5000.00"}
    [attachment] = filed.attachments.all()
    assert attachment.purpose == AttachmentPurpose.PROOF_OF_POWER
    assert len(stored_files(company)) == 1
    page = member_client.get(response["Location"])
    assert f"Votre demande n° {filed.pk} (Levée d’option anticipée (CBM)) est transmise" in (
        page.text
    )


def test_a_locfi_contract_files_a_termination_with_sale(member_client, company, locfi):
    date = in_days(10)

    post(member_client, locfi, desired_date=date.isoformat(), proof_of_power=png_upload())

    [filed] = requests_of(company)
    assert filed.kind == RequestKind.TERMINATION_WITH_SALE
    assert filed.details == {"buyout_date": date.isoformat()}
    assert filed.attachments.get().content_type == "image/png"


def test_lists_the_section_requests(member_client, company, cbm):
    post(member_client, cbm)

    response = member_client.get(page_url(company))

    assert "Levée d’option anticipée (CBM)" in response.text
    assert "Soumise" in response.text


# the contract


@pytest.mark.parametrize("kind", [ContractKind.CLUB, ContractKind.LOAN])
def test_refuses_a_contract_that_is_neither_cbm_nor_locfi(member_client, company, cbm, kind):
    other = lease_contract(company, kind)

    response = post(member_client, other)

    assert response.status_code == 200
    assert "Le rachat anticipé ne concerne que les contrats de crédit-bail mobilier" in (
        response.text
    )
    assert_nothing_saved(company)


def test_refuses_a_closed_contract(member_client, company, cbm):
    closed = lease_contract(company, ContractKind.CBM, status=ContractStatus.CLOSED)

    response = post(member_client, closed)

    assert "Ce contrat est clos" in response.text
    assert_nothing_saved(company)


def test_a_member_of_another_company_cannot_use_our_contract(
    collaborator_with, client_for, other_company, cbm
):
    lease_contract(other_company, ContractKind.LOCFI)
    outsider = collaborator_with(Right.EARLY_BUYOUT, company=other_company)
    client = client_for(outsider.user)

    on_their_page = client.post(
        page_url(other_company),
        {
            "contract": cbm.pk,
            "desired_date": in_days(30).isoformat(),
            "proof_of_power": pdf_upload(),
        },
    )
    on_our_page = post(client, cbm)

    assert "Choisissez un contrat de l’entreprise dans la liste." in on_their_page.text
    assert on_our_page.status_code == 404
    assert_nothing_saved(other_company)
    assert_nothing_saved(cbm.company)


def test_one_open_buyout_per_contract(member_client, company, cbm):
    post(member_client, cbm)

    response = post(member_client, cbm)

    assert "Une demande de rachat anticipé est déjà en cours pour ce contrat." in response.text
    assert requests_of(company).count() == 1
    assert len(stored_files(company)) == 1


# the date


@pytest.mark.parametrize("days_from_end", [0, 1])
def test_refuses_a_date_on_or_after_the_end(member_client, company, cbm, days_from_end):
    date = cbm.end_date + datetime.timedelta(days=days_from_end)

    response = post(member_client, cbm, desired_date=date.isoformat())

    assert "Choisissez une date avant le" in response.text
    assert_nothing_saved(company)


def test_refuses_a_date_in_the_past(member_client, company, cbm):
    response = post(member_client, cbm, desired_date=in_days(-1).isoformat())

    assert "Choisissez une date à partir d’aujourd’hui." in response.text
    assert_nothing_saved(company)


def test_accepts_today(member_client, company, cbm):
    post(member_client, cbm, desired_date=in_days(0).isoformat())

    assert requests_of(company).count() == 1


# the proof of power


def test_requires_a_proof_of_power(member_client, company, cbm):
    response = post(member_client, cbm, proof_of_power="")

    assert "Joignez un justificatif de pouvoir." in response.text
    assert_nothing_saved(company)


def test_refuses_a_text_file_named_pdf(member_client, company, cbm):
    response = post(member_client, cbm, proof_of_power=text_named_pdf())

    assert "Ce type de fichier n’est pas accepté." in response.text
    assert_nothing_saved(company)


def test_refuses_a_pdf_that_does_not_parse(member_client, company, cbm):
    response = post(member_client, cbm, proof_of_power=broken_pdf())

    assert "ce n’est pas un PDF valide" in response.text
    assert_nothing_saved(company)


def test_refuses_a_file_over_the_size_limit(member_client, company, cbm, settings):
    settings.UPLOAD_MAX_BYTES = 100

    response = post(member_client, cbm)

    assert "Le fichier dépasse la taille maximale de 100" in response.text
    assert_nothing_saved(company)


def test_a_date_the_service_refuses_shows_on_the_form_like_the_forms_own(
    member_client, company, cbm, monkeypatch
):
    monkeypatch.setattr(
        "client_requests.forms.early_buyout.buyout_date_refusal", lambda **kwargs: None
    )

    response = post(member_client, cbm, desired_date=in_days(-1).isoformat())

    assert "Choisissez une date à partir d’aujourd’hui." in response.text
    assert 'aria-invalid="true"' in response.text
    assert_nothing_saved(company)
