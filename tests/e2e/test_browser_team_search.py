"""Finding a member in a real browser: the table follows what is typed (htmx), the address
follows the table, and the same form works without JavaScript and on a phone-sized screen."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from companies.models import Role
from permissions.catalogue import Right
from tests.e2e.helpers import log_in
from tests.factories import GrantFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team(admin, company):
    for first, last in (("Hélène", "Lefèvre"), ("Marc", "Dupont"), ("Zoé", "Martin")):
        member = MembershipFactory.create(
            company=company,
            role=Role.COLLABORATOR,
            user=UserFactory.create(first_name=first, last_name=last),
        )
        GrantFactory.create(membership=member, right=Right.DOCUMENTS)
    return company


def members_table(page: Page):
    return page.get_by_role("table", name="Membres de l’équipe")


def test_the_table_follows_the_search_as_one_types(portal: str, page: Page, admin, team) -> None:
    log_in(page, portal, admin.user.email)
    page.goto(f"{portal}/entreprises/{team.pk}/equipes/")
    expect(members_table(page)).to_contain_text("Marc Dupont")

    page.get_by_label("Rechercher un nom ou une adresse e-mail").press_sequentially("helene")

    expect(members_table(page)).not_to_contain_text("Marc Dupont")
    expect(members_table(page)).to_contain_text("Hélène Lefèvre")
    expect(page.locator(".team-counts")).to_contain_text("1 résultat")
    expect(page).to_have_url(re.compile(r"\?q=helene"))

    page.get_by_label("Trier par").select_option("-name")
    expect(page).to_have_url(re.compile(r"sort=-name"))
    page.get_by_role("link", name="Effacer la recherche et les filtres").click()
    expect(members_table(page)).to_contain_text("Marc Dupont")


def test_the_form_works_without_javascript_on_a_phone(
    portal: str, browser: Browser, admin, team
) -> None:
    context = browser.new_context(
        java_script_enabled=False, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    log_in(page, portal, admin.user.email)
    page.goto(f"{portal}/entreprises/{team.pk}/equipes/revue-des-acces/")

    form = page.get_by_role("search")
    box = form.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    page.get_by_label("Rechercher un nom ou une adresse e-mail").fill("DUPONT")
    page.get_by_role("button", name="Rechercher").click()

    expect(page).to_have_url(re.compile(r"\?q=DUPONT"))
    table = page.get_by_role("table")
    expect(table).to_contain_text("Marc Dupont")
    expect(table).not_to_contain_text("Hélène Lefèvre")
    context.close()
