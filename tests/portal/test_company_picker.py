import pytest
from django.urls import reverse

from companies.models import MembershipStatus, Role
from permissions.catalogue import CATALOGUE, Right
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PICKER = reverse("portal:company_picker")


def home_url(company_id: int) -> str:
    return reverse("portal:company_home", args=[company_id])


def test_the_picker_lists_the_companies_where_the_user_is_an_active_member(client_for):
    user = UserFactory.create()
    MembershipFactory.create(user=user, company__name="Atelier Durand SAS", role=Role.ADMIN)
    MembershipFactory.create(user=user, company__name="Boulangerie Martin SARL")

    response = client_for(user).get(PICKER)

    assert "Cliquez sur votre entreprise" in response.text
    assert "Atelier Durand SAS" in response.text
    assert "Boulangerie Martin SARL" in response.text
    assert "Administrateur" in response.text
    assert "Collaborateur" in response.text


def _card(html: str, company_id: int) -> str:
    start = html.index(f'id="suspended-{company_id}"')
    return html[start : html.index("</li>\n", start)]


def test_the_picker_marks_a_company_where_the_membership_is_suspended(client_for):
    user = UserFactory.create()
    MembershipFactory.create(user=user, company__name="Atelier Durand SAS")
    suspended = MembershipFactory.create(
        user=user, company__name="Ancienne Société SA", status=MembershipStatus.SUSPENDED
    )
    MembershipFactory.create(
        company=suspended.company,
        role=Role.ADMIN,
        user__first_name="Paul",
        user__last_name="Roux",
        user__email="paul.roux@ancienne.example",
    )

    response = client_for(user).get(PICKER)

    card = _card(response.text, suspended.company_id)
    assert "Ancienne Société SA" in card
    assert "Accès suspendu" in card
    assert "Paul Roux" in card and 'href="mailto:paul.roux@ancienne.example"' in card
    # not a company to work in: only the explanation page is linked
    assert 'class="card card-link"' not in card
    assert response.text.count(home_url(suspended.company_id)) == 1


def test_the_link_of_a_suspended_company_opens_the_page_that_explains_it(client_for):
    suspended = MembershipFactory.create(status=MembershipStatus.SUSPENDED)
    client = client_for(suspended.user)

    response = client.get(home_url(suspended.company_id))

    assert response.status_code == 403
    assert "Accès suspendu" in response.text


def test_a_suspended_company_without_an_active_administrator_points_to_the_bank(client_for):
    suspended = MembershipFactory.create(status=MembershipStatus.SUSPENDED)
    MembershipFactory.create(
        company=suspended.company, role=Role.ADMIN, status=MembershipStatus.SUSPENDED
    )

    response = client_for(suspended.user).get(PICKER)

    assert "adressez-vous au support de la banque" in _card(response.text, suspended.company_id)
    assert "Aucune entreprise n’est encore rattachée" not in response.text


def test_the_picker_does_not_list_a_company_the_user_was_removed_from(client_for):
    user = UserFactory.create()
    removed = MembershipFactory.create(user=user, company__name="Ancienne Société SA")
    removed.delete()

    response = client_for(user).get(PICKER)

    assert "Ancienne Société SA" not in response.text


def test_the_picker_reads_the_page_in_english(client_for):
    suspended = MembershipFactory.create(status=MembershipStatus.SUSPENDED)
    client = client_for(suspended.user)

    response = client.get(PICKER, headers={"accept-language": "en"})

    assert "Suspended access" in response.text


def test_the_picker_query_count_does_not_grow_with_suspended_companies(
    client_for, django_assert_max_num_queries
):
    user = UserFactory.create()
    for _ in range(3):
        MembershipFactory.create(user=user, company=CompanyFactory.create())
    for _ in range(5):
        suspended = MembershipFactory.create(user=user, status=MembershipStatus.SUSPENDED)
        MembershipFactory.create_batch(2, company=suspended.company, role=Role.ADMIN)
    client = client_for(user)

    # session, user, memberships with their companies, the suspended ones' administrators, and
    # the session saved on every request
    with django_assert_max_num_queries(7):
        response = client.get(PICKER)

    assert response.text.count("Accès suspendu") >= 5


def test_the_picker_hides_companies_of_other_people(client_for, other_admin):
    user = UserFactory.create()
    MembershipFactory.create(user=user, company__name="Atelier Durand SAS")

    response = client_for(user).get(PICKER)

    assert other_admin.company.name not in response.text


def test_the_picker_still_lists_a_single_company_instead_of_redirecting(admin_client, company):
    response = admin_client.get(PICKER)

    assert response.status_code == 200
    assert home_url(company.id) in response.text


def test_the_picker_explains_what_to_do_without_any_company(client_for):
    response = client_for(UserFactory.create()).get(PICKER)

    assert "Aucune entreprise n’est encore rattachée à votre compte." in response.text


def test_the_picker_query_count_does_not_grow_with_companies(
    client_for, django_assert_max_num_queries
):
    user = UserFactory.create()
    for _ in range(6):
        MembershipFactory.create(user=user, company=CompanyFactory.create())
    client = client_for(user)

    # session, user, memberships with their companies, and the session saved on every request
    with django_assert_max_num_queries(6):
        response = client.get(PICKER)

    assert response.status_code == 200


def test_the_company_home_shows_the_company_name(admin_client, company):
    response = admin_client.get(home_url(company.id))

    assert response.status_code == 200
    assert f"<h1>{company.name}</h1>" in response.text


def test_the_company_home_lists_the_rights_a_collaborator_holds_in_catalogue_order(
    collaborator_with, client_for, company
):
    membership = collaborator_with(Right.TREASURY, Right.DOCUMENTS)

    response = client_for(membership.user).get(home_url(company.id))

    assert "Vos droits dans cette entreprise" in response.text
    documents = response.text.index(str(CATALOGUE[Right.DOCUMENTS].short_label))
    treasury = response.text.index(str(CATALOGUE[Right.TREASURY].short_label))
    assert documents < treasury
    assert str(CATALOGUE[Right.TREASURY].label) in response.text
    assert str(CATALOGUE[Right.BANK_DETAILS].short_label) not in response.text


def test_the_company_home_lists_every_right_for_an_administrator(admin_client, company):
    response = admin_client.get(home_url(company.id))

    for spec in CATALOGUE.values():
        assert str(spec.short_label) in response.text


def test_the_company_home_does_not_list_a_right_the_company_cannot_grant(client_for):
    company = CompanyFactory.create()
    admin = MembershipFactory.create(company=company, role=Role.ADMIN)

    response = client_for(admin.user).get(home_url(company.id))

    assert str(CATALOGUE[Right.DOCUMENTS].short_label) in response.text
    assert str(CATALOGUE[Right.FUND_OPERATIONS].short_label) not in response.text
    assert str(CATALOGUE[Right.EARLY_BUYOUT].short_label) not in response.text


def test_the_company_home_shows_the_duplicate_fee_with_the_documents_right(
    collaborator_with, client_for, company
):
    company.has_entreprise_subscription = False
    company.save()
    membership = collaborator_with(Right.DOCUMENTS)

    response = client_for(membership.user).get(home_url(company.id))

    assert "Duplicatas facturés 50 €" in response.text


def test_the_company_home_offers_mes_equipes_to_an_administrator(admin_client, company):
    response = admin_client.get(home_url(company.id))

    assert f'href="{reverse("teams:team", args=[company.id])}"' in response.text


def test_the_company_home_does_not_offer_mes_equipes_to_a_collaborator(
    collaborator_with, client_for, company
):
    membership = collaborator_with(Right.DOCUMENTS)

    response = client_for(membership.user).get(home_url(company.id))

    assert "Gérer mes équipes" not in response.text


def test_the_company_home_of_a_company_the_user_is_not_a_member_of_is_not_found(
    admin_client, other_company
):
    response = admin_client.get(home_url(other_company.id))

    assert response.status_code == 404


def test_the_company_home_of_a_company_that_does_not_exist_is_not_found(admin_client):
    response = admin_client.get(home_url(987_654_321))

    assert response.status_code == 404
    assert "Page introuvable" in response.text


def test_the_company_home_tells_whether_duplicates_are_charged(admin_client, company):
    response = admin_client.get(home_url(company.id))

    assert "Duplicatas inclus dans votre abonnement Entreprise." in response.text


def test_the_company_home_of_a_suspended_membership_says_it_is_suspended(client_for, company):
    membership = MembershipFactory.create(company=company, status=MembershipStatus.SUSPENDED)

    response = client_for(membership.user).get(home_url(company.id))

    assert response.status_code == 403
    assert "Accès suspendu" in response.text
    assert company.name in response.text


def test_the_company_home_sends_an_anonymous_visitor_to_login(client, company):
    response = client.get(home_url(company.id))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_header_names_the_current_company(admin_client, company):
    response = admin_client.get(home_url(company.id))

    assert 'class="site-company"' in response.text
    assert response.text.count(company.name) >= 2
