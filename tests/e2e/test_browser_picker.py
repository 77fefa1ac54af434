"""The company picker of a person whose access to one company is suspended, and the journal, on a
phone: nothing scrolls sideways, axe-core finds no serious violation, and the suspended company
says whom to contact and leads to the page that explains it."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, expect

from audit.models import Action, AuditEvent
from companies.models import MembershipStatus, Role
from tests.e2e.test_browser_phone_and_axe import VIEWPORTS, logged_in_context, problems_of
from tests.factories import CompanyFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_suspended_company_on_a_phone_names_whom_to_contact_and_explains_itself(
    portal: str, browser: Browser, admin
) -> None:
    elsewhere = CompanyFactory.create(name="Menuiserie Lefèvre et Associés SARL")
    MembershipFactory.create(
        company=elsewhere,
        role=Role.ADMIN,
        user__first_name="Bérénice",
        user__last_name="Lefèvre-Montgolfier",
        user__email="berenice.lefevre-montgolfier@menuiserie-lefevre-et-associes.example",
    )
    MembershipFactory.create(user=admin.user, company=elsewhere, status=MembershipStatus.SUSPENDED)
    page = logged_in_context(browser, portal, admin.user.email, VIEWPORTS["phone"]).new_page()

    page.goto(portal + reverse("portal:company_picker"))
    card = page.locator(f"#suspended-{elsewhere.pk}")

    expect(card).to_contain_text("Accès suspendu")
    expect(card).to_contain_text("Bérénice Lefèvre-Montgolfier")
    assert problems_of(page, "company picker") == []
    card.get_by_role("link", name="Pourquoi ne puis-je pas ouvrir").click()
    expect(page.locator("h1")).to_have_text("Accès suspendu")


def test_the_journal_fits_a_phone(portal: str, browser: Browser, admin) -> None:
    AuditEvent.objects.create(
        company=admin.company,
        action=Action.MEMBER_SUSPENDED,
        actor=admin.user,
        target_repr="Camille Martin — X",
        occurred_at=timezone.now(),
        data={"reason": "départ de l’entreprise annoncé par le représentant légal"},
    )
    page = logged_in_context(browser, portal, admin.user.email, VIEWPORTS["phone"]).new_page()

    page.goto(portal + reverse("audit:journal", args=[admin.company.pk]))

    expect(page.locator("#journal-results")).to_contain_text("Camille Martin")
    assert problems_of(page, "journal") == []
