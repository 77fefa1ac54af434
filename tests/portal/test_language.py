"""French by default, English on request: the switcher in base.html, the English catalogue and its .mo."""

import gettext
import html
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from permissions.catalogue import CATALOGUE, Right
from tests.conftest import logged_in_client

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
SET_LANGUAGE = reverse("set_language")
CATALOGUE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|\{\w*\}")


def text(response) -> str:
    return html.unescape(response.content.decode())


def choose(client: Client, language: str, next_url: str = "/"):
    return client.post(SET_LANGUAGE, {"language": language, "next": next_url})


def home_url(company_id: int) -> str:
    return reverse("portal:company_home", args=[company_id])


def documents_url(company_id: int) -> str:
    return reverse("documents:index", args=[company_id])


def test_the_login_page_is_french_when_the_browser_asks_for_no_language(client):
    page = text(client.get(LOGIN))

    assert '<html lang="fr">' in page
    assert "Connexion à votre espace entreprise" in page


def test_the_login_page_is_french_when_the_browser_asks_for_french(client):
    page = text(client.get(LOGIN, headers={"accept-language": "fr-FR,fr;q=0.9"}))

    assert "Connexion à votre espace entreprise" in page


def test_a_language_the_portal_does_not_speak_falls_back_to_french(client):
    page = text(client.get(LOGIN, headers={"accept-language": "de-DE,de;q=0.9"}))

    assert "Connexion à votre espace entreprise" in page


def test_a_browser_that_asks_for_english_gets_english(client):
    page = text(client.get(LOGIN, headers={"accept-language": "en-GB,en;q=0.9"}))

    assert '<html lang="en">' in page
    assert "Log in to your business area" in page


def test_the_login_page_offers_a_labelled_language_switcher(client):
    page = text(client.get(LOGIN))

    assert f'action="{SET_LANGUAGE}"' in page
    assert '<label for="language-switcher-select">Langue</label>' in page
    assert '<select id="language-switcher-select" name="language">' in page
    assert '<option value="en" lang="en">English</option>' in page
    assert '<option value="fr" lang="fr" selected>Français</option>' in page
    assert f'<input type="hidden" name="next" value="{LOGIN}">' in page


def test_choosing_english_on_the_login_page_shows_it_in_english(client):
    response = choose(client, "en", LOGIN)
    page = text(client.get(LOGIN))

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert '<html lang="en">' in page
    assert "Log in to your business area" in page
    assert "Change language" in page
    assert '<option value="en" lang="en" selected>English</option>' in page


def test_the_choice_outlasts_what_the_browser_asks_for(client):
    choose(client, "en", LOGIN)

    page = text(client.get(LOGIN, headers={"accept-language": "fr"}))

    assert "Log in to your business area" in page


def test_choosing_english_shows_the_company_home_in_english(admin):
    client = logged_in_client(admin.user)

    choose(client, "en", home_url(admin.company_id))
    page = text(client.get(home_url(admin.company_id)))

    assert "Your rights in this company" in page
    assert "Manage my teams" in page
    assert "Access the company's financial information and documents" in page
    assert "Vos droits dans cette entreprise" not in page


def test_choosing_english_shows_a_section_and_its_catalogue_label_in_english(
    collaborator_with,
):
    member = collaborator_with(Right.DOCUMENTS)
    client = logged_in_client(member.user)

    choose(client, "en")
    page = text(client.get(documents_url(member.company_id)))

    assert "Contracts and documents" in page
    assert "Company home" in page
    assert "Contrats et documents" not in page


def test_choosing_french_again_brings_french_back(admin):
    client = logged_in_client(admin.user)
    choose(client, "en")

    choose(client, "fr")
    page = text(client.get(home_url(admin.company_id)))

    assert '<html lang="fr">' in page
    assert "Vos droits dans cette entreprise" in page
    assert "Accéder aux informations financières et documentaires de l’entreprise" in page


def test_the_switcher_does_not_follow_a_next_to_another_site(client):
    response = choose(client, "en", "https://evil.example/phish")

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_the_switcher_refuses_a_post_without_the_csrf_token():
    client = Client(enforce_csrf_checks=True)

    response = choose(client, "en", LOGIN)

    assert response.status_code == 403


def test_the_switcher_ignores_a_language_the_portal_does_not_speak(client):
    choose(client, "de", LOGIN)

    page = text(client.get(LOGIN))

    assert "Connexion à votre espace entreprise" in page


def test_every_right_of_the_catalogue_reads_in_english():
    with translation.override("en"):
        english = [str(right.label) for right in Right]

    assert english == [
        "Access the company's financial information and documents",
        "Carry out operations relating to the management of funds (within the financing granted)",
        "Follow up, complete and submit the company's requests started by other users to take out"
        " new contracts, request access to other products or request an amendment",
        "Access the Cash monitoring service",
        "Change bank details (RIB)",
        "Request an early buyout",
    ]


def test_every_label_detail_and_condition_of_the_catalogue_is_translated():
    translated = {
        entry.msgid for entry in polib.pofile(str(CATALOGUE_DIR / "django.po")).translated_entries()
    }
    with translation.override("fr"):
        texts = [
            str(text)
            for spec in CATALOGUE.values()
            for text in (spec.right.label, spec.short_label, spec.detail, spec.condition)
            if text
        ]

    assert [text for text in texts if text not in translated] == []


def test_every_translation_keeps_the_placeholders_of_its_msgid():
    catalogue = polib.pofile(str(CATALOGUE_DIR / "django.po"))

    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            pairs = [
                (entry.msgid, entry.msgstr_plural[0]),
                (entry.msgid_plural, entry.msgstr_plural[1]),
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for msgid, msgstr in pairs:
            assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(msgid)), msgid


def test_the_committed_mo_holds_every_translation_of_the_po():
    catalogue = polib.pofile(str(CATALOGUE_DIR / "django.po"))
    with (CATALOGUE_DIR / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 2) == entry.msgstr_plural[1]
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid
    # nothing more either: the header, one key per singular, two per plural
    keys = 1 + sum(2 if entry.msgid_plural else 1 for entry in catalogue.translated_entries())
    assert len(compiled._catalog) == keys  # type: ignore[attr-defined]


def test_a_page_whose_url_carries_a_secret_returns_by_the_referer(client):
    invitation_page = "/invitation/secret-token-of-the-link/"

    response = client.post(
        SET_LANGUAGE, {"language": "en"}, headers={"referer": f"http://testserver{invitation_page}"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"http://testserver{invitation_page}"
