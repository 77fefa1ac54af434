import pytest
from django.urls import reverse

from client_requests.display import iban_masked
from client_requests.kinds import AttachmentPurpose, RequestKind, RequestStatus
from client_requests.models import ClientRequest
from client_requests.services import request_move
from permissions.catalogue import Right
from tests.client_requests.factories import make_request
from tests.client_requests.ops_factories import (
    OTHER_VALID_IBAN,
    VALID_BIC,
    VALID_IBAN,
    broken_pdf,
    pdf_upload,
    png_upload,
    stored_files,
    text_named_pdf,
)

pytestmark = pytest.mark.django_db


def page_url(company):
    return reverse("client_requests:bank_details", args=[company.pk])


def requests_of(company):
    return ClientRequest.objects.filter(company=company)


@pytest.fixture
def member(collaborator_with):
    return collaborator_with(Right.BANK_DETAILS)


@pytest.fixture
def member_client(member, client_for):
    return client_for(member.user)


@pytest.fixture
def current_rib(company):
    company.bank_account_holder = "ATELIER DURAND SAS"
    company.iban = OTHER_VALID_IBAN
    company.bic = "COBADEFFXXX"
    company.save()
    return company


def post(client, company, **overrides):
    data = {
        "holder": "Atelier Durand SAS",
        "iban": "fr76 3000 6000 0112 3456 7890 189",
        "bic": "bnpa frpp",
        "proof_of_power": pdf_upload(),
    }
    data.update(overrides)
    return client.post(page_url(company), data)


def assert_nothing_saved(company):
    assert not requests_of(company).exists()
    assert stored_files(company) == []


# the page


def test_shows_the_current_rib_with_the_iban_masked(member_client, current_rib):
    response = member_client.get(page_url(current_rib))

    assert response.status_code == 200
    assert "ATELIER DURAND SAS" in response.text
    assert iban_masked(OTHER_VALID_IBAN) == "•••• •••• •••• •••• ••30 00"
    assert "•••• •••• •••• •••• ••30 00" in response.text
    assert OTHER_VALID_IBAN not in response.text
    assert OTHER_VALID_IBAN[4:12] not in response.text
    assert "COBADEFFXXX" in response.text


def test_says_the_rib_never_changes_directly(member_client, company):
    response = member_client.get(page_url(company))

    assert "Le RIB de l’entreprise ne change jamais directement depuis cette page" in (
        response.text
    )


def test_the_upload_states_its_formats_and_size(member_client, company):
    response = member_client.get(page_url(company))

    assert 'enctype="multipart/form-data"' in response.text
    assert 'accept="application/pdf,image/jpeg,image/png' in response.text
    assert "Formats acceptés : PDF, JPEG, PNG ; 5 Mo au maximum." in response.text


def test_an_administrator_holds_the_right(admin_client, company):
    assert admin_client.get(page_url(company)).status_code == 200


def test_refuses_a_member_without_the_right(collaborator_with, client_for, company):
    member = collaborator_with(Right.DOCUMENTS, Right.FUND_OPERATIONS)

    response = client_for(member.user).get(page_url(company))

    assert response.status_code == 403
    assert "Effectuer un changement de RIB" in response.text


def test_another_company_looks_missing(other_admin, client_for, company):
    response = client_for(other_admin.user).get(page_url(company))

    assert response.status_code == 404


def test_another_companys_member_cannot_post(collaborator_with, client_for, company, other_company):
    outsider = collaborator_with(Right.BANK_DETAILS, company=other_company)

    response = post(client_for(outsider.user), company)

    assert response.status_code == 404
    assert_nothing_saved(company)


# filing


def test_files_a_rib_change_with_its_proof_of_power(member_client, member, company):
    response = post(member_client, company)

    assert response.status_code == 302
    [filed] = requests_of(company)
    assert filed.kind == RequestKind.BANK_DETAILS_CHANGE
    assert filed.status == RequestStatus.SUBMITTED
    assert filed.author == member.user
    assert filed.contract is None
    assert filed.details == {"holder": "Atelier Durand SAS", "iban": VALID_IBAN, "bic": VALID_BIC}
    [attachment] = filed.attachments.all()
    assert attachment.purpose == AttachmentPurpose.PROOF_OF_POWER
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "pouvoir.pdf"
    assert len(stored_files(company)) == 1
    page = member_client.get(response["Location"])
    assert f"Votre demande de changement de RIB n° {filed.pk} est transmise" in page.text


def test_the_rib_is_unchanged_until_support_validates(member_client, company, current_rib):
    post(member_client, company)
    [filed] = requests_of(company)
    company.refresh_from_db()
    assert company.iban == OTHER_VALID_IBAN

    request_move(
        reason="vérifié avec le client par téléphone",
        client_request=filed,
        to_status=RequestStatus.DONE,
        comment="Vérifié.",
        by=filed.author,
    )

    company.refresh_from_db()
    assert company.iban == VALID_IBAN
    assert company.bic == VALID_BIC
    assert company.bank_account_holder == "Atelier Durand SAS"


def test_accepts_a_png_proof(member_client, company):
    post(member_client, company, proof_of_power=png_upload())

    [filed] = requests_of(company)
    assert filed.attachments.get().content_type == "image/png"


# IBAN and BIC


@pytest.mark.parametrize(
    "iban",
    [
        "FR7630006000011234567890188",  # the last digit changed
        "FR7630006000011234567809189",  # two digits swapped
        "DE89370400440532013001",
        "GB82WEST12345698765431",
    ],
)
def test_refuses_an_iban_with_a_wrong_key(member_client, company, iban):
    response = post(member_client, company, iban=iban)

    assert response.status_code == 200
    assert "Cet IBAN est erroné (la clé de contrôle ne correspond pas)" in response.text
    assert_nothing_saved(company)


@pytest.mark.parametrize("iban", ["12345", "FR76-ABCD", "FR76 3000 €000 0112 3456 7890 189"])
def test_refuses_what_is_not_an_iban(member_client, company, iban):
    response = post(member_client, company, iban=iban)

    assert "Saisissez un IBAN complet" in response.text
    assert_nothing_saved(company)


@pytest.mark.parametrize(
    "iban",
    [
        "FR76300060000112345678901",  # too short for France
        "XX7630006000011234567890189",  # no such country
        "DE8937040044053201300A",  # letters where Germany has digits
    ],
)
def test_refuses_an_iban_that_does_not_fit_its_country(member_client, company, iban):
    response = post(member_client, company, iban=iban)

    assert "Cet IBAN n’a pas le format des IBAN de son pays" in response.text
    assert_nothing_saved(company)


@pytest.mark.parametrize("bic", ["BNP1FRPP", "BNPAFR", "BNPAFRPPX", "BNPA FRPP XXXX"])
def test_refuses_a_wrong_bic(member_client, company, bic):
    response = post(member_client, company, bic=bic)

    assert "Saisissez un BIC valide" in response.text
    assert_nothing_saved(company)


def test_requires_every_field(member_client, company):
    response = member_client.post(page_url(company), {})

    assert "Saisissez le titulaire du compte." in response.text
    assert "Saisissez l’IBAN du nouveau compte." in response.text
    assert "Saisissez le BIC de la banque du nouveau compte." in response.text
    assert "Joignez un justificatif de pouvoir." in response.text
    assert_nothing_saved(company)


def test_refuses_the_current_iban(member_client, company, current_rib):
    response = post(member_client, company, iban=OTHER_VALID_IBAN)

    assert "Cet IBAN est déjà celui de l’entreprise" in response.text
    assert_nothing_saved(company)


# the proof of power


def test_refuses_a_text_file_named_pdf(member_client, company):
    response = post(member_client, company, proof_of_power=text_named_pdf())

    assert "Ce type de fichier n’est pas accepté. Formats acceptés : PDF, JPEG, PNG." in (
        response.text
    )
    assert_nothing_saved(company)


def test_refuses_a_pdf_that_does_not_parse(member_client, company):
    response = post(member_client, company, proof_of_power=broken_pdf())

    assert "Le fichier est illisible ou endommagé : ce n’est pas un PDF valide." in response.text
    assert_nothing_saved(company)


def test_refuses_a_file_over_the_size_limit(member_client, company, settings):
    settings.UPLOAD_MAX_BYTES = 200

    response = post(member_client, company)

    assert "Le fichier dépasse la taille maximale de 200" in response.text
    assert_nothing_saved(company)


# one open change at a time


def test_a_second_change_waits_for_the_open_one(member_client, company):
    post(member_client, company)
    [open_change] = requests_of(company)

    page = member_client.get(page_url(company))
    refused = post(member_client, company, iban=OTHER_VALID_IBAN, proof_of_power=png_upload())

    assert f"Une demande de changement de RIB est déjà en cours (n° {open_change.pk}" in page.text
    assert 'name="iban"' not in page.text
    assert f"Une demande de changement de RIB est déjà en cours (n° {open_change.pk})" in (
        refused.text
    )
    assert list(requests_of(company)) == [open_change]
    assert len(stored_files(company)) == 1


def test_a_new_change_is_possible_once_the_open_one_is_refused(member_client, member, company):
    post(member_client, company)
    request_move(
        reason="vérifié avec le client par téléphone",
        client_request=requests_of(company).get(),
        to_status=RequestStatus.REFUSED,
        comment="Justificatif illisible.",
        by=member.user,
    )

    response = post(member_client, company)

    assert response.status_code == 302
    assert requests_of(company).count() == 2


def test_lists_the_rib_changes_with_their_status(member_client, admin, company):
    filed = make_request(
        membership=admin,
        kind=RequestKind.BANK_DETAILS_CHANGE,
        details={"holder": "X", "iban": VALID_IBAN, "bic": VALID_BIC},
        submit=False,
    )

    response = member_client.get(page_url(company))

    assert "Changement de RIB" in response.text
    assert "Brouillon" in response.text
    assert str(filed.pk) in response.text
