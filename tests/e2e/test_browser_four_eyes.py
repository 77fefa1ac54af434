"""Four eyes as support would live it, in a real browser: agent A proposes a new mobile for the
administrator with a reason, agent B approves it, and the administrator reads both the change and
the reason in the company's Journal d'activité."""

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from companies.models import Membership, Role
from tests.e2e.helpers import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_MOBILE = "+33698765432"
REASON = "téléphone perdu, identité vérifiée en agence"


def _admin_desk(browser: Browser, portal: str, user: User) -> Page:
    desk = browser.new_context(locale="fr-FR").new_page()
    log_in(desk, portal, user.email)  # the admin's login is the portal's, with its second factor
    return desk


def test_a_second_agent_approves_the_new_mobile_and_the_administrator_reads_why(
    portal: str, page: Page, browser: Browser, admin, company
) -> None:
    agent_a = UserFactory.create(
        first_name="Alice", last_name="Arnaud", is_staff=True, is_superuser=True
    )
    agent_b = UserFactory.create(
        first_name="Bruno", last_name="Bernard", is_staff=True, is_superuser=True
    )

    # agent A proposes the new mobile, with a reason: nothing changes yet
    desk_a = _admin_desk(browser, portal, agent_a)
    desk_a.goto(f"{portal}/admin/accounts/user/{admin.user.pk}/change/")
    desk_a.locator("#id_mobile").fill(NEW_MOBILE)
    desk_a.locator("#id_reason").fill(REASON)
    desk_a.locator("input[name=_save]").click()
    expect(desk_a.locator(".messagelist")).to_contain_text("second agent")
    assert str(User.objects.get(pk=admin.user.pk).mobile) == "+33612345642"

    # agent A cannot approve their own proposal: no button
    desk_a.goto(f"{portal}/admin/backoffice/proposal/?a_traiter=oui")
    desk_a.locator("#result_list tbody th a").first.click()
    expect(desk_a.locator("#content")).to_contain_text("un autre agent du support")
    expect(desk_a.get_by_role("button", name="Approuver et appliquer")).to_have_count(0)

    # agent B sees exactly what will change and approves
    desk_b = _admin_desk(browser, portal, agent_b)
    desk_b.goto(f"{portal}/admin/backoffice/proposal/?a_traiter=oui")
    desk_b.locator("#result_list tbody th a").first.click()
    expect(desk_b.locator("#proposal-changes")).to_contain_text(NEW_MOBILE)
    desk_b.get_by_role("button", name="Approuver et appliquer").click()
    expect(desk_b.locator(".messagelist")).to_contain_text("Proposition approuvée")
    assert str(User.objects.get(pk=admin.user.pk).mobile) == NEW_MOBILE

    # the administrator reads the change and its reason in the journal
    log_in(page, portal, admin.user.email)
    page.goto(f"{portal}/entreprises/{company.pk}/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Journal d’activité"
    ).click()
    journal = page.locator("main")
    expect(journal).to_contain_text(
        "Le support de la banque (B. B.) a modifié le mobile de Claire Durand"
    )
    expect(journal).to_contain_text(f"motif : {REASON}")
    expect(journal).to_contain_text(
        "Le support de la banque (A. A.) a proposé de changer le mobile"
    )


def test_a_collaborator_becomes_an_administrator_only_when_a_second_agent_approves(
    portal: str, page: Page, browser: Browser, admin, company, collaborator_with
) -> None:
    member = collaborator_with()
    name = member.user.get_full_name()
    agent_a = UserFactory.create(
        first_name="Alice", last_name="Arnaud", is_staff=True, is_superuser=True
    )
    agent_b = UserFactory.create(
        first_name="Bruno", last_name="Bernard", is_staff=True, is_superuser=True
    )

    # agent A makes the collaborator an administrator, with a reason: only proposed
    desk_a = _admin_desk(browser, portal, agent_a)
    desk_a.goto(f"{portal}/admin/companies/membership/{member.pk}/change/")
    desk_a.locator("#id_role").select_option("admin")
    desk_a.locator("#id_reason").fill(REASON)
    desk_a.locator("input[name=_save]").click()
    expect(desk_a.locator(".messagelist")).to_contain_text("second agent")
    assert Membership.objects.get(pk=member.pk).role == Role.COLLABORATOR

    # agent B sees the role that will change and approves
    desk_b = _admin_desk(browser, portal, agent_b)
    desk_b.goto(f"{portal}/admin/backoffice/proposal/?a_traiter=oui")
    desk_b.locator("#result_list tbody th a").first.click()
    expect(desk_b.locator("#proposal-changes")).to_contain_text("Administrateur")
    desk_b.get_by_role("button", name="Approuver et appliquer").click()
    expect(desk_b.locator(".messagelist")).to_contain_text("Proposition approuvée")
    assert Membership.objects.get(pk=member.pk).role == Role.ADMIN

    # the administrator reads who proposed it, who approved it and why
    log_in(page, portal, admin.user.email)
    page.goto(f"{portal}/entreprises/{company.pk}/journal/")
    journal = page.locator("#journal-results")
    expect(journal).to_contain_text(
        f"Le support de la banque (A. A.) a proposé de faire de {name} un administrateur actif"
    )
    expect(journal).to_contain_text("Le support de la banque (B. B.) a approuvé la proposition")
    expect(journal).to_contain_text(f"motif : {REASON}")
