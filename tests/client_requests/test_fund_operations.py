import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from client_requests.kinds import RequestKind, RequestStatus
from client_requests.models import ClientRequest
from companies.models import ContractKind, ContractStatus, Role
from permissions.catalogue import Right
from tests.client_requests.factories import make_request
from tests.client_requests.ops_factories import club_contract, in_days, lease_contract
from tests.factories import CompanyFactory, ContractFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def page_url(company):
    return reverse("client_requests:fund_operations", args=[company.pk])


def post(client, company, operation, **fields):
    data = {"operation": operation}
    data.update({f"{operation}-{name}": value for name, value in fields.items()})
    return client.post(page_url(company), data)


def as_posted(fields):
    """Dates as the date picker sends them."""
    return {
        name: value.isoformat() if isinstance(value, datetime.date) else value
        for name, value in fields.items()
    }


def requests_of(company):
    return ClientRequest.objects.filter(company=company)


@pytest.fixture
def member(collaborator_with):
    return collaborator_with(Right.FUND_OPERATIONS)


@pytest.fixture
def member_client(member, client_for):
    return client_for(member.user)


@pytest.fixture
def club(company):
    return club_contract(company, reference="CLUB-2024-001")


# the page


def test_shows_the_page_with_the_company_club_contracts(member_client, company, club):
    cbm = lease_contract(company, ContractKind.CBM, reference="CBM-2024-009")

    response = member_client.get(page_url(company))

    assert response.status_code == 200
    assert "Gestion des fonds" in response.text
    assert "CLUB-2024-001" in response.text
    assert "60\xa0000,00 €" in response.text  # available: 100 000 − 40 000
    assert cbm.reference not in response.text


def test_says_that_nothing_moves_money(member_client, company, club):
    response = member_client.get(page_url(company))

    assert "rien n’est décaissé, remboursé ni annulé depuis cette page" in response.text


def test_offers_the_four_requests(member_client, company, club):
    response = member_client.get(page_url(company))

    for operation in ("renonciation", "decaissement", "remboursement", "decompte"):
        assert f'name="operation" value="{operation}"' in response.text


def test_an_administrator_holds_the_right_when_the_company_has_a_club_contract(
    admin_client, company
):
    response = admin_client.get(page_url(company))

    assert response.status_code == 200


def test_refuses_a_member_without_the_right(collaborator_with, client_for, company):
    member = collaborator_with(Right.DOCUMENTS)

    response = client_for(member.user).get(page_url(company))

    assert response.status_code == 403
    assert "Effectuer les opérations relatives à la gestion des fonds" in response.text


def test_another_company_looks_missing(other_admin, client_for, company):
    response = client_for(other_admin.user).get(page_url(company))

    assert response.status_code == 404


def test_an_administrator_of_a_company_without_club_contracts_lacks_the_right(client_for):
    company = CompanyFactory.create()
    ContractFactory.create(company=company, kind=ContractKind.LOAN)
    admin = MembershipFactory.create(company=company, role=Role.ADMIN)

    response = client_for(admin.user).get(page_url(company))

    assert response.status_code == 403


def test_says_so_when_the_company_has_no_active_club_contract(collaborator_with, client_for):
    company = CompanyFactory.create()
    club_contract(company, status=ContractStatus.CLOSED)
    member = collaborator_with(Right.FUND_OPERATIONS, company=company)

    response = client_for(member.user).get(page_url(company))

    assert response.status_code == 200
    assert "L’entreprise n’a aucun crédit CLUB en cours" in response.text
    assert 'name="operation"' not in response.text


def test_says_why_a_request_posted_without_an_active_club_contract_is_refused(
    collaborator_with, client_for
):
    company = CompanyFactory.create()
    closed = club_contract(company, status=ContractStatus.CLOSED)
    member = collaborator_with(Right.FUND_OPERATIONS, company=company)

    response = post(
        client_for(member.user),
        company,
        "decompte",
        contract=closed.pk,
        as_of_date=in_days(1).isoformat(),
    )

    assert response.status_code == 200
    assert "Votre demande n’a pas été transmise : l’entreprise n’a aucun crédit CLUB" in (
        response.text
    )
    assert not requests_of(company).exists()


def test_lists_the_section_requests_with_their_status_and_no_others(
    member_client, member, company, club, admin
):
    disbursement = make_request(
        membership=admin,
        kind=RequestKind.DISBURSEMENT,
        contract=club,
        details={"amount": "1000.00", "disbursement_date": in_days(3).isoformat()},
        submit=True,
    )
    duplicate = make_request(membership=admin, kind=RequestKind.DUPLICATE, submit=True)

    response = member_client.get(page_url(company))

    assert "Demande de décaissement" in response.text
    assert "Soumise" in response.text
    # the number links to the request's page once the pipeline's detail page exists
    assert (
        f"Demande n° {disbursement.pk}</a>" in response.text
        or f'<th scope="row">{disbursement.pk}</th>' in response.text
    )
    assert "Demande de duplicata" not in response.text
    assert f"Demande n° {duplicate.pk}<" not in response.text


def test_the_page_reads_a_bounded_number_of_queries(
    member_client, member, company, club, django_assert_max_num_queries
):
    for _ in range(5):
        make_request(membership=member, kind=RequestKind.STATEMENT, contract=club, submit=True)
        club_contract(company)

    with django_assert_max_num_queries(9):
        response = member_client.get(page_url(company))

    assert response.status_code == 200


# disbursement


def test_files_a_disbursement_request_and_says_so(member_client, member, company, club):
    date = in_days(10)

    response = post(
        member_client,
        company,
        "decaissement",
        contract=club.pk,
        amount="12 345,67",
        desired_date=date.isoformat(),
    )

    assert response.status_code == 302
    assert response["Location"].startswith(page_url(company))
    [filed] = requests_of(company)
    assert filed.kind == RequestKind.DISBURSEMENT
    assert filed.status == RequestStatus.SUBMITTED
    assert filed.author == member.user
    assert filed.contract == club
    assert filed.details == {"amount": "12345.67", "disbursement_date": date.isoformat()}
    page = member_client.get(response["Location"])
    assert f"Votre demande n° {filed.pk} (Demande de décaissement) est transmise" in page.text


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("60 000", "60000.00"),
        ("60\u00a0000,00", "60000.00"),
        ("1234.5", "1234.50"),
        ("0,01", "0.01"),
    ],
)
def test_accepts_amounts_written_the_french_way(member_client, company, club, typed, stored):
    post(
        member_client,
        company,
        "decaissement",
        contract=club.pk,
        amount=typed,
        desired_date=in_days(1).isoformat(),
    )

    [filed] = requests_of(company)
    assert filed.details["amount"] == stored


@pytest.mark.parametrize(
    "amount, error",
    [
        ("60 000,01", "Le montant dépasse le disponible de ce crédit (60\xa0000,00 €)."),
        ("0", "Le montant doit être supérieur à zéro."),
        ("-100", "Le montant doit être supérieur à zéro."),
        ("douze mille", "Saisissez un montant en euros, par exemple 1 234,56."),
        ("1.234,56", "Saisissez un montant en euros, par exemple 1 234,56."),
        ("12,345", "Le montant a au plus 2 décimales (les centimes)."),
        ("", "Ce champ est obligatoire."),
    ],
)
def test_refuses_a_wrong_disbursement_amount_and_saves_nothing(
    member_client, company, club, amount, error
):
    response = post(
        member_client,
        company,
        "decaissement",
        contract=club.pk,
        amount=amount,
        desired_date=in_days(1).isoformat(),
    )

    assert response.status_code == 200
    assert error in response.text
    assert 'aria-invalid="true"' in response.text
    assert not requests_of(company).exists()


@pytest.mark.parametrize(
    "date, error",
    [
        (in_days(-1), "Choisissez une date à partir d’aujourd’hui."),
        (in_days(731), "Choisissez une date au plus tard le"),
        ("31/02/2030", "Saisissez une date valide"),
    ],
)
def test_refuses_a_disbursement_date_out_of_bounds(member_client, company, club, date, error):
    value = date.isoformat() if isinstance(date, datetime.date) else date

    response = post(
        member_client, company, "decaissement", contract=club.pk, amount="100", desired_date=value
    )

    assert error in response.text
    assert not requests_of(company).exists()


def test_accepts_a_date_typed_the_french_way(member_client, company, club):
    date = in_days(3)

    post(
        member_client,
        company,
        "decaissement",
        contract=club.pk,
        amount="100",
        desired_date=date.strftime("%d/%m/%Y"),
    )

    [filed] = requests_of(company)
    assert filed.details["disbursement_date"] == date.isoformat()


# the contract


@pytest.mark.parametrize("kind", [ContractKind.CBM, ContractKind.LOCFI, ContractKind.LOAN])
def test_refuses_a_contract_that_is_not_club(member_client, company, kind):
    other_kind = lease_contract(company, kind)

    response = post(
        member_client,
        company,
        "decompte",
        contract=other_kind.pk,
        as_of_date=in_days(1).isoformat(),
    )

    assert response.status_code == 200
    assert "Les opérations sur les fonds ne concernent que les crédits CLUB." in response.text
    assert not requests_of(company).exists()


def test_refuses_a_closed_club_contract(member_client, company):
    closed = club_contract(company, status=ContractStatus.CLOSED)

    response = post(
        member_client, company, "decompte", contract=closed.pk, as_of_date=in_days(1).isoformat()
    )

    assert "Ce contrat est clos" in response.text
    assert not requests_of(company).exists()


def test_refuses_another_companys_contract(member_client, company, other_company):
    theirs = club_contract(other_company)

    response = post(
        member_client, company, "decompte", contract=theirs.pk, as_of_date=in_days(1).isoformat()
    )

    assert "Choisissez un contrat de l’entreprise dans la liste." in response.text
    assert not requests_of(company).exists()
    assert not requests_of(other_company).exists()


def test_a_member_of_another_company_cannot_use_our_contract(
    collaborator_with, client_for, other_company, club
):
    club_contract(other_company)
    outsider = collaborator_with(Right.FUND_OPERATIONS, company=other_company)
    client = client_for(outsider.user)

    on_their_page = post(
        client,
        other_company,
        "decaissement",
        contract=club.pk,
        amount="100",
        desired_date=in_days(1).isoformat(),
    )
    on_our_page = post(
        client,
        club.company,
        "decaissement",
        contract=club.pk,
        amount="100",
        desired_date=in_days(1).isoformat(),
    )

    assert "Choisissez un contrat de l’entreprise dans la liste." in on_their_page.text
    assert on_our_page.status_code == 404
    assert not requests_of(other_company).exists()
    assert not requests_of(club.company).exists()


def test_refuses_an_unknown_operation(member_client, company, club):
    response = post(member_client, company, "virement", contract=club.pk)

    assert response.status_code == 400
    assert not requests_of(company).exists()


# renunciation


def test_files_a_renunciation_of_the_whole_unused_part(member_client, company, club):
    date = in_days(15)

    post(
        member_client,
        company,
        "renonciation",
        contract=club.pk,
        scope="total",
        effective_date=date.isoformat(),
    )

    [filed] = requests_of(company)
    assert filed.kind == RequestKind.CREDIT_RENUNCIATION
    assert filed.status == RequestStatus.SUBMITTED
    assert filed.details == {
        "scope": "total",
        "amount": "60000.00",
        "requested_date": date.isoformat(),
    }


def test_files_a_partial_renunciation(member_client, company, club):
    post(
        member_client,
        company,
        "renonciation",
        contract=club.pk,
        scope="partiel",
        amount="10 000",
        effective_date=in_days(1).isoformat(),
    )

    [filed] = requests_of(company)
    assert filed.details["scope"] == "partiel"
    assert filed.details["amount"] == "10000.00"


# early repayment


def test_files_a_total_early_repayment_of_the_outstanding_capital(member_client, company, club):
    date = in_days(30)

    post(
        member_client,
        company,
        "remboursement",
        contract=club.pk,
        scope="total",
        repayment_date=date.isoformat(),
    )

    [filed] = requests_of(company)
    assert filed.kind == RequestKind.EARLY_REPAYMENT
    assert filed.details == {
        "scope": "total",
        "amount": "40000.00",
        "repayment_date": date.isoformat(),
    }


# what each operation refuses (the default credit: 60 000 € available, 40 000 € drawn)


@pytest.mark.parametrize(
    "operation, fields, error",
    [
        pytest.param(
            "renonciation",
            {"scope": "partiel", "effective_date": in_days(1)},
            "Indiquez le montant, ou choisissez l’option totale.",
            id="partial-renunciation-without-amount",
        ),
        pytest.param(
            "renonciation",
            {"scope": "partiel", "amount": "60000,01", "effective_date": in_days(1)},
            "Le montant dépasse la part non utilisée de ce crédit",
            id="renunciation-over-the-unused-part",
        ),
        pytest.param(
            "renonciation",
            {"scope": "total", "effective_date": in_days(731)},
            "Choisissez une date au plus tard le",
            id="renunciation-after-the-contract-ends",
        ),
        pytest.param(
            "remboursement",
            {"scope": "partiel", "amount": "40 000,01", "repayment_date": in_days(1)},
            "Le montant dépasse le capital restant dû de ce crédit (40\xa0000,00 €).",
            id="repayment-over-the-outstanding-capital",
        ),
        pytest.param(
            "remboursement",
            {"scope": "total", "repayment_date": in_days(-1)},
            "Choisissez une date à partir d’aujourd’hui.",
            id="repayment-in-the-past",
        ),
    ],
)
def test_refuses_an_operation_against_its_rules(
    member_client, company, club, operation, fields, error
):
    response = post(member_client, company, operation, contract=club.pk, **as_posted(fields))

    assert error in response.text
    assert not requests_of(company).exists()


@pytest.mark.parametrize(
    "credit, operation, fields, error",
    [
        pytest.param(
            {"drawn_amount": Decimal("100000.00")},
            "decaissement",
            {"amount": "1", "desired_date": in_days(1)},
            "Ce crédit est entièrement décaissé",
            id="disbursement-fully-drawn",
        ),
        pytest.param(
            {"start_date": in_days(30), "end_date": in_days(400)},
            "decaissement",
            {"amount": "100", "desired_date": in_days(5)},
            "Choisissez une date à partir du",
            id="disbursement-before-the-start",
        ),
        pytest.param(
            {"drawn_amount": Decimal("100000.00")},
            "renonciation",
            {"scope": "total", "effective_date": in_days(1)},
            "il n’y a plus rien à quoi renoncer",
            id="renunciation-fully-drawn",
        ),
        pytest.param(
            {"drawn_amount": Decimal("0")},
            "remboursement",
            {"scope": "total", "repayment_date": in_days(1)},
            "il n’y a rien à rembourser",
            id="repayment-nothing-drawn",
        ),
    ],
)
def test_refuses_an_operation_the_credit_does_not_allow(
    member_client, company, credit, operation, fields, error
):
    contract = club_contract(company, **credit)

    response = post(member_client, company, operation, contract=contract.pk, **as_posted(fields))

    assert error in response.text
    assert not requests_of(company).exists()


# statement


def test_files_a_statement_request(member_client, company, club):
    date = in_days(60)

    post(member_client, company, "decompte", contract=club.pk, as_of_date=date.isoformat())

    [filed] = requests_of(company)
    assert filed.kind == RequestKind.STATEMENT
    assert filed.status == RequestStatus.SUBMITTED
    assert filed.details == {"statement_date": date.isoformat()}


def test_a_wrong_form_keeps_the_other_forms_empty(member_client, company, club):
    response = post(
        member_client, company, "decompte", contract=club.pk, as_of_date=in_days(-3).isoformat()
    )

    assert response.text.count("Le formulaire contient des erreurs") == 1


# the service's refusal, when only the service sees it (the credit changed in between)


@pytest.mark.parametrize(
    "operation, fields, error",
    [
        (
            "decaissement",
            {"amount": "60 000,01", "desired_date": in_days(1)},
            "Le montant dépasse le disponible de ce crédit (60\xa0000,00 €).",
        ),
        (
            "remboursement",
            {"scope": "total", "repayment_date": in_days(-1)},
            "Choisissez une date à partir d’aujourd’hui.",
        ),
    ],
)
def test_a_refusal_of_the_service_shows_on_the_form_like_the_forms_own(
    member_client, company, club, monkeypatch, operation, fields, error
):
    monkeypatch.setattr(
        "client_requests.forms.fund_operations.fund_operation_refusals", lambda **kwargs: []
    )

    response = post(member_client, company, operation, contract=club.pk, **as_posted(fields))

    assert response.status_code == 200
    assert error in response.text
    assert 'aria-invalid="true"' in response.text
    assert not requests_of(company).exists()
