"""The main path in a real browser: an administrator invites, signs with the SMS code, and the
invitee accepts from the emailed link and lands in the company with exactly the signed rights."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from core import sms
from permissions.models import Grant
from tests.e2e.helpers import first_match, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_invitation_is_signed_by_sms_and_accepted_in_a_browser(
    portal: str, page: Page, browser: Browser, admin, company
) -> None:
    log_in(page, portal, admin.user.email)
    page.get_by_role("link", name=re.compile(re.escape(company.name))).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(company.name)
    page.locator(f'main a[href="/entreprises/{company.pk}/equipes/"]').first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Mes équipes"))
    page.get_by_role("link", name="Inviter un collaborateur").click()

    page.get_by_label("Prénom").fill("Nadia")
    page.get_by_label("Nom", exact=True).fill("Benali")
    page.get_by_label("Adresse e-mail").fill("nadia.benali@example.com")
    page.locator("#id_rights_documents").check()
    page.locator("#id_rights_treasury").check()
    page.get_by_role("button", name="Continuer vers la signature").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Signez votre autorisation")
    expect(page.locator("main")).to_contain_text("+33 6 •• •• •• 42")
    page.get_by_role("button", name="Recevoir le code par SMS").click()
    code_field = page.get_by_label("Code reçu par SMS")
    expect(code_field).to_be_visible()
    code = first_match(r"\b(\d{6})\b", sms.outbox[-1].body, group=1)
    code_field.fill(code)
    page.get_by_role("button", name="Signer et envoyer l’invitation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Mes équipes"))
    expect(page.locator("#messages")).to_contain_text("Autorisation signée")

    link = first_match(r"https?://\S+/invitation/\S+/", str(mail.outbox[-1].body))
    invitee = browser.new_context(locale="fr-FR").new_page()
    invitee.goto(link)
    expect(invitee.locator("main")).to_contain_text(company.name)
    # one page for everyone: log in and accept, or create one's access (this newcomer)
    new_account = invitee.get_by_role("region", name="Je crée mon accès")
    new_account.get_by_label("Mobile").fill("06 11 22 33 44")
    new_account.get_by_label("Mot de passe", exact=True).fill("un-mot-de-passe-tres-solide")
    new_account.get_by_label("Confirmation du mot de passe").fill("un-mot-de-passe-tres-solide")
    new_account.get_by_role("button", name="Créer mon compte et accepter").click()
    # the mobile is confirmed by a code before the account exists
    expect(invitee.get_by_role("heading", level=1)).to_contain_text("Confirmez votre numéro")
    assert sms.outbox[-1].to == "+33611223344"
    invitee.get_by_label("Code reçu par SMS").fill(
        first_match(r"\b(\d{6})\b", sms.outbox[-1].body, group=1)
    )
    invitee.get_by_role("button", name="Confirmer et créer mon compte").click()

    expect(invitee.get_by_role("heading", level=1)).to_contain_text(company.name)
    rights = set(
        Grant.objects.filter(
            membership__company=company, membership__user__email="nadia.benali@example.com"
        ).values_list("right", flat=True)
    )
    assert rights == {"documents", "treasury"}


def test_the_invite_form_can_be_filled_with_the_keyboard_alone(
    portal: str, page: Page, admin, company
) -> None:
    log_in(page, portal, admin.user.email)
    page.goto(f"{portal}/entreprises/{company.pk}/equipes/invitations/nouvelle/")

    page.get_by_label("Prénom").focus()
    page.keyboard.type("Nadia")
    page.keyboard.press("Tab")
    page.keyboard.type("Benali")
    page.keyboard.press("Tab")
    page.keyboard.type("nadia.benali@example.com")
    page.locator("#id_rights_documents").focus()
    page.keyboard.press("Space")
    page.locator("#id_rights_documents").press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Signez votre autorisation")
