import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import User
from companies.models import Company, Contract, ContractKind, Membership
from documents.models import ContractDocument
from permissions.catalogue import Right
from tests.documents.factories import ContractDocumentFactory
from tests.factories import ContractFactory


@pytest.fixture
def loan(company: Company) -> Contract:
    """A ten-year monthly loan of 120 000 € at 4 %: 1 214,94 € a month."""
    return ContractFactory.create(
        company=company,
        kind=ContractKind.LOAN,
        reference="PRT-2024-0000042",
        amount=Decimal("120000.00"),
        start_date=datetime.date(2024, 1, 15),
        end_date=datetime.date(2034, 1, 15),
        annual_rate=Decimal("4.000"),
        payment_frequency=1,
    )


@pytest.fixture
def loan_document(loan: Contract) -> ContractDocument:
    return ContractDocumentFactory.create(contract=loan, title="Contrat de prêt signé")


@pytest.fixture
def other_contract(other_company: Company) -> Contract:
    return ContractFactory.create(company=other_company, reference="PRT-AUTRE-0001")


@pytest.fixture
def other_document(other_contract: Contract) -> ContractDocument:
    return ContractDocumentFactory.create(contract=other_contract, title="Document d’une autre")


@pytest.fixture
def reader(collaborator_with: Callable[..., Membership]) -> Membership:
    """A collaborator holding only the documents right."""
    return collaborator_with(Right.DOCUMENTS)


@pytest.fixture
def reader_client(reader: Membership, client_for: Callable[[User], Client]) -> Client:
    return client_for(reader.user)


@pytest.fixture
def outsider_client(
    collaborator_with: Callable[..., Membership], client_for: Callable[[User], Client]
) -> Client:
    """A member of the company without the documents right."""
    return client_for(collaborator_with(Right.TREASURY).user)
