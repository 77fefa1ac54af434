"""A right that ends on a date, in a real browser: the administrator invites with an end date,
reads it in what they sign, and signs it with the SMS code."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from core import sms
from invitations.models import Invitation
from permissions.end_dates import local_today
from tests.e2e.helpers import first_match, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_invitation_with_an_end_date_is_signed_with_the_date_in_the_statement(
    portal: str, page: Page, admin, company
) -> None:
    end = local_today() + datetime.timedelta(days=90)
    log_in(page, portal, admin.user.email)
    page.goto(f"{portal}/entreprises/{company.pk}/equipes/invitations/nouvelle/")

    page.get_by_label("Prénom").fill("Nadia")
    page.get_by_label("Nom", exact=True).fill("Benali")
    page.get_by_label("Adresse e-mail").fill("nadia.benali@example.com")
    page.locator("#id_rights_treasury").check()
    page.get_by_label("Suivi de trésorerie : jusqu’au (facultatif)").fill(end.isoformat())
    page.get_by_role("button", name="Continuer vers la signature").click()

    until = f"jusqu’au {end:%d/%m/%Y}"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Signez votre autorisation")
    expect(page.locator("main")).to_contain_text(until)
    page.get_by_role("button", name="Recevoir le code par SMS").click()
    code_field = page.get_by_label("Code reçu par SMS")
    expect(code_field).to_be_visible()
    code_field.fill(first_match(r"\b(\d{6})\b", sms.outbox[-1].body, group=1))
    page.get_by_role("button", name="Signer et envoyer l’invitation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Mes équipes"))
    expect(page.locator("#invitation-table")).to_contain_text(until)
    invitation = Invitation.objects.get(company=company)
    assert invitation.authorisation is not None
    assert invitation.authorisation.ends_on == {"treasury": end.isoformat()}
    assert until in invitation.authorisation.statement
