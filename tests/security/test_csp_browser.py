"""The pages work in Chromium under the Content-Security-Policy: no violation is reported.

The browser reports each refused script, style or frame as a console error that names the policy.
"""

import re

import pytest
from django.core.mail import EmailMultiAlternatives
from django.urls import include, path
from playwright.sync_api import Page, expect

from core import sms
from portal.celery import app as celery_app
from portal.urls import urlpatterns as portal_urlpatterns
from tests.e2e.helpers import log_in
from tests.factories import PASSWORD

# the outbox is mounted only when DEBUG: this module is the urlconf for its test
urlpatterns = [*portal_urlpatterns, path("dev/", include("portal.outbox_urls"))]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal(live_server, settings):
    celery_app.conf.task_always_eager = True
    settings.PORTAL_BASE_URL = live_server.url
    sms.outbox.clear()
    yield live_server.url
    celery_app.conf.changes.pop("task_always_eager", None)  # type: ignore[union-attr]


@pytest.fixture
def violations(page: Page) -> list[str]:
    found: list[str] = []

    def keep(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            found.append(message.text)

    page.on("console", keep)
    return found


def test_the_signature_path_runs_without_a_policy_violation(
    portal: str, page: Page, violations: list[str], admin, company
) -> None:
    log_in(page, portal, admin.user.email)
    page.goto(f"{portal}/entreprises/{company.pk}/equipes/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Mes équipes"))
    page.get_by_role("link", name="Inviter un collaborateur").click()
    page.get_by_label("Prénom").fill("Nadia")
    page.get_by_label("Nom", exact=True).fill("Benali")
    page.get_by_label("Adresse e-mail").fill("nadia.benali@example.com")
    page.locator("#id_rights_documents").check()
    page.get_by_role("button", name="Continuer vers la signature").click()
    # htmx swaps the code panel in: its script runs and its request goes out under the policy
    page.get_by_role("button", name="Recevoir le code par SMS").click()
    expect(page.get_by_label("Code reçu par SMS")).to_be_visible()
    page.get_by_text("Texte exact de l’autorisation").click()

    assert violations == []
    # the stylesheet applied: the statement is laid out by portal.css, not by an inline style
    display = page.locator("dl.statement").evaluate("el => getComputedStyle(el).display")
    assert display == "grid"


@pytest.mark.urls(__name__)
def test_the_outbox_shows_an_emails_html_in_a_frame_without_a_violation(
    portal: str, page: Page, violations: list[str], settings, tmp_path
) -> None:
    settings.DEBUG = True
    settings.OUTBOX_DIR = tmp_path
    message = EmailMultiAlternatives(
        subject="Aperçu", body="Bonjour", to=["nadia.benali@example.com"]
    )
    message.attach_alternative(
        '<p id="styled" style="color: rgb(255, 0, 0)">Bonjour en rouge</p>', "text/html"
    )
    message.connection = None
    from django.core.mail import get_connection

    get_connection("core.dev_outbox.OutboxEmailBackend").send_messages([message])

    page.goto(f"{portal}/dev/outbox/")
    page.get_by_role("link", name="Aperçu").first.click()
    frame = page.frame_locator("iframe.mail-preview")
    expect(frame.locator("#styled")).to_have_text("Bonjour en rouge")

    color = frame.locator("#styled").evaluate("el => getComputedStyle(el).color")
    assert color == "rgb(255, 0, 0)"
    assert violations == []


def test_changing_ones_mobile_runs_without_a_policy_violation(
    portal: str, page: Page, violations: list[str], collaborator_with
) -> None:
    collaborator = collaborator_with()  # an administrator's mobile is changed by support
    log_in(page, portal, collaborator.user.email)
    page.get_by_role("link", name="Mon compte").click()
    page.get_by_role("link", name="Changer de numéro de mobile").click()
    page.get_by_label("Mot de passe actuel").fill(PASSWORD)
    page.get_by_label("Nouveau numéro de mobile").fill("06 98 76 54 32")
    page.get_by_role("button", name="Recevoir le code sur ce numéro").click()
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].body)
    assert code is not None
    page.get_by_label("Code reçu par SMS").fill(code.group(1))
    page.get_by_role("button", name="Confirmer le nouveau numéro").click()

    expect(page.locator("#messages")).to_contain_text("Votre numéro de mobile est changé")
    expect(page.locator("main")).to_contain_text("+33 6 •• •• •• 32")
    assert violations == []
