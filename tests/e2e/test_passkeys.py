"""Passkeys in real Chromium with a virtual authenticator (Chrome DevTools' WebAuthn domain): add one
in Mon compte, sign an invitation with it, and verify the stored signature again."""

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import BrowserContext, Page, expect

from audit.models import Action, AuditEvent
from core import sms
from invitations.models import Invitation, InvitationStatus
from otp.models import Passkey
from tests.e2e.helpers import log_in
from tests.factories import PASSWORD
from tests.otp.passkeys import registered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(portal: str, settings) -> str:
    """The live server at http://localhost:<port>: a secure context whose domain can be an RP ID
    (browsers refuse an IP address)."""
    port = urlsplit(portal).port
    url = f"http://localhost:{port}"
    settings.PORTAL_BASE_URL = url
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGIN = url
    return url


def virtual_authenticator(context: BrowserContext, page: Page):
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def log_in_with_sms(page: Page, site: str, email: str) -> None:
    """Both steps: the password, then the login code the SMS backend received."""
    log_in(page, site, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("entreprise")


def log_in_password(page: Page, site: str, email: str) -> None:
    """The first step only: the second step then offers the passkey."""
    page.goto(f"{site}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def add_passkey(page: Page, site: str, name: str) -> None:
    page.goto(f"{site}/compte/cles-d-acces/")
    adding = page.get_by_role("region", name="Ajouter une clé d’accès")
    expect(adding).to_be_visible()
    adding.get_by_label("Nom de la clé d’accès").fill(name)
    adding.get_by_role("button", name="Ajouter une clé d’accès").click()
    expect(page.locator("#messages")).to_contain_text(f"Clé d’accès « {name} » ajoutée")


def invite(page: Page, site: str, company) -> None:
    page.goto(f"{site}/entreprises/{company.pk}/equipes/invitations/nouvelle/")
    page.get_by_label("Prénom").fill("Nadia")
    page.get_by_label("Nom", exact=True).fill("Benali")
    page.get_by_label("Adresse e-mail").fill("nadia.benali@example.com")
    page.locator("#id_rights_documents").check()
    page.get_by_role("button", name="Continuer vers la signature").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Signez votre autorisation")


def test_a_passkey_added_in_mon_compte_signs_an_invitation_verifiable_again(
    site: str, page: Page, context: BrowserContext, admin, company
) -> None:
    page.goto(f"{site}/connexion/")
    cdp, authenticator_id = virtual_authenticator(context, page)
    log_in_with_sms(page, site, admin.user.email)

    add_passkey(page, site, "Ordinateur du bureau")
    row = page.get_by_role("row", name=re.compile("Ordinateur du bureau"))
    expect(row).to_contain_text("jamais")

    invite(page, site, company)
    passkey_section = page.get_by_role("region", name="Ou signez avec une clé d’accès")
    expect(passkey_section).to_be_visible()
    passkey_section.get_by_role(
        "button", name="Signer et envoyer l’invitation avec ma clé d’accès"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Mes équipes"))
    expect(page.locator("#messages")).to_contain_text("Autorisation signée")

    invitation = Invitation.objects.get(email="nadia.benali@example.com")
    assert invitation.status in (InvitationStatus.SIGNED, InvitationStatus.SENT)
    authorisation = invitation.authorisation
    assert authorisation is not None
    assert authorisation.method == "passkey"
    assert authorisation.passkey_name == "Ordinateur du bureau"
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert credentials["credentials"][0]["signCount"] == authorisation.sign_count
    assert Passkey.objects.get(user=admin.user).last_used_at is not None

    out = StringIO()
    call_command("verify_authorisation", str(authorisation.pk), stdout=out)
    assert "Signée avec une clé d’accès : « Ordinateur du bureau »" in out.getvalue()
    assert "ÉCHEC" not in out.getvalue()
    assert "Signature vérifiée." in out.getvalue()

    # log out, then in again: the password, then the passkey instead of a code
    page.get_by_role("button", name="Se déconnecter").click()
    sms.outbox.clear()
    log_in_password(page, site, admin.user.email)
    page.get_by_role("button", name="Se connecter avec ma clé d’accès").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("entreprise")
    assert not sms.outbox
    login = AuditEvent.objects.filter(action=Action.LOGIN, actor=admin.user).latest("occurred_at")
    assert login.data == {"factor": "passkey"}


def test_without_javascript_the_passkey_stays_hidden_and_the_sms_code_signs(
    site: str, browser, admin, company
) -> None:
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    log_in_with_sms(page, site, admin.user.email)
    registered(admin.user)

    invite(page, site, company)

    expect(page.get_by_role("region", name="Ou signez avec une clé d’accès")).to_be_hidden()
    expect(page.get_by_role("button", name="Recevoir le code par SMS")).to_be_visible()
    context.close()
