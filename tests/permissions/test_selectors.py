"""The one check behind every grant: what a company's contracts allow."""

import pytest

from permissions.catalogue import Right
from permissions.selectors import ungrantable_refusal
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def test_a_right_whose_contracts_the_company_lacks_is_refused_with_the_reason():
    company = CompanyFactory.create()  # no contract

    refusal = ungrantable_refusal(company, [Right.DOCUMENTS, Right.FUND_OPERATIONS])

    assert refusal is not None
    assert refusal.startswith("Ce droit ne peut pas être accordé dans votre entreprise : ")
    assert "Gestion des fonds" in refusal
    assert "CLUB" in refusal


def test_a_right_already_held_is_not_asked_again():
    company = CompanyFactory.create()

    assert ungrantable_refusal(company, [Right.FUND_OPERATIONS], held=["fund_operations"]) is None


def test_the_rights_a_companys_contracts_allow_pass(company):
    assert ungrantable_refusal(company, list(Right)) is None
