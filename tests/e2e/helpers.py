"""Steps the browser tests share."""

import re

from playwright.sync_api import Page

from tests.factories import PASSWORD
from tests.login import last_code


def first_match(pattern: str, text: str, *, group: int = 0) -> str:
    match = re.search(pattern, text)
    assert match is not None, text
    return match.group(group)


def log_in(page: Page, url: str, email: str) -> None:
    page.goto(f"{url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    # the second step: the code the SMS backend received (the live server runs in this process)
    page.get_by_label("Code reçu par SMS").fill(last_code())
    page.get_by_role("button", name="Valider le code").click()
