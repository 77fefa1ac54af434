"""Logging in in a real browser: the password, then the code the SMS backend received; nothing of
the company space opens between the two."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import UserSession
from core import sms
from tests.e2e.helpers import first_match
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_logs_in_with_the_code_sent_by_sms(portal: str, page: Page, admin, company):
    page.goto(f"{portal}/entreprises/{company.pk}/equipes/")
    page.get_by_label("Adresse e-mail").fill(admin.user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("numéro de mobile")
    expect(page.locator("main")).to_contain_text("+33 6 •• •• •• 42")
    # between the two factors, the company space sends back to the step
    page.goto(f"{portal}/entreprises/{company.pk}/")
    expect(page).to_have_url(re.compile(r"/connexion/second-facteur/$"))
    page.goto(f"{portal}/admin/")
    expect(page).to_have_url(re.compile(r"/connexion/second-facteur/$"))

    code = first_match(r"\b(\d{6})\b", sms.outbox[-1].body, group=1)
    page.get_by_label("Code reçu par SMS").fill(code)
    page.get_by_role("button", name="Valider le code").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Mes équipes"))
    page.get_by_role("link", name="Mon compte").click()
    expect(page.locator("main")).to_contain_text("cet appareil")
    session = UserSession.objects.get(user=admin.user)
    assert session.factor == "sms"
