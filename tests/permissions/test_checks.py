import pytest
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.utils import translation

from companies.models import ContractKind, ContractStatus, MembershipStatus, Role
from permissions.catalogue import CATALOGUE, Right
from permissions.checks import (
    active_membership,
    has_right,
    held_rights,
    require_company_admin,
    require_right,
)
from tests.factories import CompanyFactory, ContractFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@require_right(Right.BANK_DETAILS)
def bank_details_view(request, company_id):
    return HttpResponse(f"RIB de {request.company.name}")


@require_company_admin
def team_view(request, company_id):
    return HttpResponse("équipe")


def get(view, user, company):
    request = RequestFactory().get("/")
    request.user = user
    with translation.override("fr"):
        return view(request, company_id=company.pk)


def test_an_administrator_holds_every_right(admin):
    assert held_rights(admin) == frozenset(CATALOGUE)


def test_an_administrator_does_not_hold_a_right_their_company_cannot_grant():
    company = CompanyFactory.create()
    ContractFactory.create(company=company, kind=ContractKind.LOAN)
    ContractFactory.create(company=company, kind=ContractKind.CLUB, status=ContractStatus.CLOSED)
    admin = MembershipFactory.create(company=company, role=Role.ADMIN)

    assert held_rights(admin) == frozenset(CATALOGUE) - {
        Right.FUND_OPERATIONS,
        Right.EARLY_BUYOUT,
    }


def test_an_administrators_rights_read_the_companys_contracts_once(
    admin, django_assert_num_queries
):
    with django_assert_num_queries(1):
        for right in Right:
            has_right(admin, right)


def test_a_collaborator_holds_exactly_their_grants(collaborator_with):
    collaborator = collaborator_with("documents", "treasury")

    assert held_rights(collaborator) == {Right.DOCUMENTS, Right.TREASURY}


def test_a_collaborator_does_not_have_a_right_they_were_not_granted(collaborator_with):
    assert not has_right(collaborator_with("documents"), Right.BANK_DETAILS)


def test_the_active_membership_of_ones_company_is_found(admin, company):
    assert active_membership(user=admin.user, company_id=company.pk) == admin


def test_another_companys_membership_looks_missing(admin, other_company):
    with pytest.raises(Http404):
        active_membership(user=admin.user, company_id=other_company.pk)


def test_a_suspended_membership_looks_missing(collaborator_with, company):
    collaborator = collaborator_with("documents")
    collaborator.status = MembershipStatus.SUSPENDED
    collaborator.save()

    with pytest.raises(Http404):
        active_membership(user=collaborator.user, company_id=company.pk)


def test_a_deactivated_user_has_no_membership(admin, company):
    admin.user.is_active = False
    admin.user.save()

    with pytest.raises(Http404):
        active_membership(user=admin.user, company_id=company.pk)


def test_an_anonymous_visitor_has_no_membership(company):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Http404):
        active_membership(user=AnonymousUser(), company_id=company.pk)


def test_a_member_with_the_right_reaches_the_view(collaborator_with, company):
    response = get(bank_details_view, collaborator_with("bank_details").user, company)

    assert response.status_code == 200
    assert response.content.decode() == f"RIB de {company.name}"


def test_a_member_without_the_right_is_told_which_right_is_missing(collaborator_with, company):
    response = get(bank_details_view, collaborator_with("documents").user, company)

    assert response.status_code == 403
    assert "Effectuer un changement de RIB" in response.content.decode()


def test_a_right_in_another_company_answers_404(collaborator_with, other_company):
    with pytest.raises(Http404):
        get(bank_details_view, collaborator_with("bank_details").user, other_company)


def test_a_collaborator_is_refused_an_administrators_page(collaborator_with, company):
    response = get(team_view, collaborator_with(*Right.values).user, company)

    assert response.status_code == 403
    assert "administrateurs" in response.content.decode()


def test_an_administrator_reaches_an_administrators_page(admin, company):
    assert get(team_view, admin.user, company).status_code == 200


@require_right(Right.FUND_OPERATIONS)
def fund_operations_view(request, company_id):
    return HttpResponse("fonds")


def test_a_missing_right_names_it_and_sends_the_member_to_their_administrator(
    collaborator_with, company
):
    member = collaborator_with(Right.DOCUMENTS)

    response = get(bank_details_view, member.user, company)

    page = response.content.decode()
    assert response.status_code == 403
    assert "Il vous manque le droit « Effectuer un changement de RIB »" in page
    assert "adressez-vous à l’administrateur de votre entreprise" in page


def test_a_service_for_contracts_the_company_lacks_says_so_even_to_its_administrator():
    company = CompanyFactory.create()
    ContractFactory.create(company=company, kind=ContractKind.LOAN)
    administrator = MembershipFactory.create(company=company, role=Role.ADMIN)

    response = get(fund_operations_view, administrator.user, company)

    page = response.content.decode()
    assert response.status_code == 403
    assert "Votre entreprise ne détient aucun contrat concerné (Crédit CLUB)" in page
    assert "votre chargé d’affaires" in page
    assert "Il vous manque le droit" not in page
