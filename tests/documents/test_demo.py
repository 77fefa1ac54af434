import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from companies.models import ContractKind
from documents.demo import load_demo_documents, minimal_pdf
from documents.models import ContractDocument
from tests.factories import CompanyFactory, ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_company():
    company = CompanyFactory.create(name="Atelier Durand SAS")
    for reference, kind, amount in [
        ("PRT-2022-0418735", ContractKind.LOAN, "180000.00"),
        ("CLUB-2024-0031268", ContractKind.CLUB, "750000.00"),
        ("CBM-2023-0095114", ContractKind.CBM, "245600.00"),
        ("LOCFI-2025-0012907", ContractKind.LOCFI, "38400.00"),
    ]:
        ContractFactory.create(
            company=company, reference=reference, kind=kind, amount=Decimal(amount)
        )
    return company


def test_the_demo_gives_each_contract_its_terms(demo_company):
    load_demo_documents(demo_company)

    contracts = {c.reference: c for c in demo_company.contracts.all()}
    assert contracts["CLUB-2024-0031268"].drawn_amount == Decimal("300000.00")
    assert contracts["CBM-2023-0095114"].residual_value == Decimal("2456.00")
    assert contracts["LOCFI-2025-0012907"].payment_frequency == 3
    assert contracts["PRT-2022-0418735"].annual_rate == Decimal("1.850")


def test_the_demo_attaches_readable_pdfs_naming_their_contract(demo_company):
    load_demo_documents(demo_company)

    for document in ContractDocument.objects.filter(contract__company=demo_company):
        with document.file.open("rb") as stored:
            text = PdfReader(io.BytesIO(stored.read())).pages[0].extract_text()
        assert document.contract.reference in text
        assert document.title in text


def test_the_demo_keeps_the_terms_within_a_small_contracts_constraints():
    company = CompanyFactory.create()
    club = ContractFactory.create(company=company, kind=ContractKind.CLUB, amount=Decimal("1000"))
    cbm = ContractFactory.create(company=company, kind=ContractKind.CBM, amount=Decimal("1000"))

    load_demo_documents(company)

    club.refresh_from_db()
    cbm.refresh_from_db()
    assert club.drawn_amount == Decimal("400.00")
    assert cbm.residual_value == Decimal("100.00")


def test_running_the_demo_twice_adds_nothing(demo_company):
    first = load_demo_documents(demo_company)
    second = load_demo_documents(demo_company)

    assert len(first) == 7
    assert second == []
    assert ContractDocument.objects.filter(contract__company=demo_company).count() == 7


def test_a_minimal_pdf_keeps_french_accents():
    text = PdfReader(io.BytesIO(minimal_pdf(["Échéance à régler"]))).pages[0].extract_text()

    assert "Échéance à régler" in text
