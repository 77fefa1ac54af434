"""Every kind of email, in French and in English: both parts name the bank, sign, and say that the
bank never asks for an SMS code or a password."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from core.mail import email_render
from permissions.catalogue import Right, specs_for
from permissions.end_dates import dated_specs, until_text

ROOT = Path(settings.BASE_DIR)
SAFETY = {
    "fr": "La banque ne vous demandera jamais votre code SMS ni votre mot de passe.",
    "en": "The bank will never ask you for your SMS code or your password.",
}
SIGNATURE = {"fr": "L’équipe Mes équipes", "en": "The My teams team"}
FIRST_OF_MARCH = datetime.datetime(2027, 3, 1, 9, 30, tzinfo=datetime.UTC)  # 10:30 in Paris


def person(first_name: str, last_name: str, email: str) -> SimpleNamespace:
    full = f"{first_name} {last_name}"
    return SimpleNamespace(
        first_name=first_name, full_name=full, email=email, get_full_name=lambda: full
    )


LEA = person("Léa", "Martin", "lea.martin@partenaire.example")
CLAIRE = person("Claire", "Durand", "claire.durand@atelier-durand.example")
COMPANY = SimpleNamespace(name="Atelier Durand SAS")
RIGHTS = specs_for([Right.DOCUMENTS, Right.TREASURY])


def day(date: datetime.date, balance: str) -> SimpleNamespace:
    return SimpleNamespace(day=date, balance=Decimal(balance))


# every email the portal sends, with the context its sender gives it
KINDS: dict[str, Callable[[], dict[str, Any]]] = {
    "invitations/email/invitation": lambda: {
        "invitation": LEA,
        "company": COMPANY,
        "inviter": CLAIRE,
        "rights": RIGHTS,
        "url": "https://portail.example/invitation/jeton/",
        "expires_at": FIRST_OF_MARCH,
    },
    "invitations/email/accepted": lambda: {
        "invitation": LEA,
        "company": COMPANY,
        "rights": RIGHTS,
        "team_url": "https://portail.example/entreprises/1/equipe/",
    },
    "invitations/email/reminder": lambda: {
        "invitation": LEA,
        "company": COMPANY,
        "inviter": CLAIRE,
        "rights": RIGHTS,
        "url": "https://portail.example/invitation/jeton/",
        "expires_at": FIRST_OF_MARCH,
    },
    "invitations/email/expired": lambda: {
        "invitation": LEA,
        "company": COMPANY,
        "rights": RIGHTS,
        "expired_at": FIRST_OF_MARCH,
        "team_url": "https://portail.example/entreprises/1/equipe/",
    },
    "teams/email/rights_ended": lambda: {
        "member": LEA,
        "company": COMPANY,
        "ended": dated_specs([Right.TREASURY], {"treasury": "2027-03-31"}),
        "rights": dated_specs([Right.DOCUMENTS], {}),
        "url": "https://portail.example/entreprises/1/",
    },
    "teams/email/rights_ended_admin": lambda: {
        "admin": CLAIRE,
        "member": LEA,
        "company": COMPANY,
        "ended": dated_specs([Right.TREASURY], {"treasury": "2027-03-31"}),
        "rights": [],
        "url": "https://portail.example/entreprises/1/equipe/membres/2/",
    },
    "teams/email/right_ending_soon": lambda: {
        "admin": CLAIRE,
        "member": LEA,
        "company": COMPANY,
        "right": specs_for([Right.TREASURY])[0],
        "until": until_text(datetime.date(2027, 3, 31)),
        "url": "https://portail.example/entreprises/1/equipe/membres/2/",
    },
    "teams/email/rights_changed": lambda: {
        "member": LEA,
        "company": COMPANY,
        "rights": RIGHTS,
        "added": specs_for([Right.TREASURY]),
        "removed": [],
        "url": "https://portail.example/entreprises/1/",
    },
    "teams/email/money_rights_granted": lambda: {
        "admin": CLAIRE,
        "member": LEA,
        "signer": CLAIRE,
        "company": COMPANY,
        "granted": specs_for([Right.BANK_DETAILS]),
        "url": "https://portail.example/entreprises/1/equipe/2/",
    },
    "teams/email/member_status": lambda: {
        "member": LEA,
        "company": COMPANY,
        "notice": "suspended",
        "role": "Collaborateur",
        "admins": [CLAIRE],
        "url": "https://portail.example/entreprises/1/",
    },
    "client_requests/email/status_changed": lambda: {
        "user": LEA,
        "company": COMPANY,
        "client_request": SimpleNamespace(pk=12, get_kind_display=lambda: "Crédit-bail"),
        "change": SimpleNamespace(get_to_status_display=lambda: "Acceptée", comment="Parfait."),
        "request_url": "https://portail.example/entreprises/1/demandes/12/",
    },
    "accounts/email/login_locked": lambda: {
        "user": CLAIRE,
        "locked_at": FIRST_OF_MARCH,
        "failures": 20,
        "support": "le support de la banque",
    },
    "accounts/email/login_unlocked": lambda: {
        "user": CLAIRE,
        "when": FIRST_OF_MARCH,
        "support": "le support de la banque",
    },
    "accounts/email/second_factors_reset": lambda: {
        "user": CLAIRE,
        "when": FIRST_OF_MARCH,
        "support": "le support de la banque",
    },
    "accounts/email/new_login": lambda: {
        "user": CLAIRE,
        "when": FIRST_OF_MARCH,
        "browser": "Firefox 128.0 · Ubuntu",
        "ip_address": "203.0.113.7",
        "support": "le support de la banque",
    },
    "otp/email/signing_locked": lambda: {
        "user": CLAIRE,
        "locked_at": FIRST_OF_MARCH,
        "wrong_codes": 20,
        "support": "le support de la banque",
    },
    "treasury/email/low_balance": lambda: {
        "company": COMPANY,
        "recipient": LEA,
        "threshold": Decimal("10000"),
        "below": day(datetime.date(2027, 3, 1), "8000"),
        "lowest": day(datetime.date(2027, 3, 11), "7500"),
        "url": "https://portail.example/entreprises/1/tresorerie/",
    },
    "reviews/email/due": lambda: {
        "admin": CLAIRE,
        "company": COMPANY,
        "review": SimpleNamespace(due_on=datetime.date(2027, 3, 1), version=2),
        "overdue_after_days": 30,
        "url": "https://portail.example/entreprises/1/equipes/revue-periodique/",
    },
    "reviews/email/overdue": lambda: {
        "admin": CLAIRE,
        "company": COMPANY,
        "review": SimpleNamespace(due_on=datetime.date(2027, 3, 1), version=2),
        "overdue_after_days": 30,
        "url": "https://portail.example/entreprises/1/equipes/revue-periodique/",
    },
    "accounts/password_reset_email": lambda: {
        "uid": "MQ",
        "token": "abc-123",
        "base_url": "https://portail.example",
    },
}


def rendered(kind: str, language: str) -> tuple[str, str]:
    with translation.override(language):
        rendered = email_render(subject="", template=kind, context=KINDS[kind]())
        return rendered.text, rendered.html


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_both_parts_name_the_bank_sign_and_carry_the_safety_line(kind, language):
    text, html = rendered(kind, language)

    for part in (text, html):
        assert settings.BANK_NAME in part
        assert SAFETY[language] in part
        assert SIGNATURE[language] in part
        assert SAFETY["en" if language == "fr" else "fr"] not in part


@pytest.mark.parametrize("kind", KINDS)
def test_the_html_part_says_its_language(kind):
    assert '<html lang="fr">' in rendered(kind, "fr")[1]
    assert '<html lang="en">' in rendered(kind, "en")[1]


@pytest.mark.parametrize("kind", KINDS)
def test_the_text_part_has_no_html_and_signs_below_a_separator(kind):
    text, _html = rendered(kind, "fr")

    assert "<" not in text.replace("<http", "")
    assert "\n-- \n" in text


def test_the_bank_is_the_one_in_the_settings(settings):
    settings.BANK_NAME = "Crédit Exemplaire"

    text, html = rendered("otp/email/signing_locked", "fr")

    assert "Mes équipes, l’espace sécurisé des entreprises clientes de Crédit Exemplaire." in text
    assert "Crédit Exemplaire" in html


def test_the_bank_name_is_elided_too(settings):
    settings.BANK_NAME = "Agence Exemple"

    text, _html = rendered("invitations/email/invitation", "fr")

    assert "le portail entreprises d’Agence Exemple." in text
    assert "entreprises clientes d’Agence Exemple." in text


def test_every_email_template_of_the_project_is_a_kind_tested_here_and_uses_the_layout():
    templates = {
        path.relative_to(path.parents[2]).with_suffix("").as_posix()
        for path in ROOT.glob("*/templates/*/email/*.txt")
    } | {"accounts/password_reset_email"}

    assert templates == set(KINDS)
    for kind in KINDS:
        for suffix in ("txt", "html"):
            paths = list(ROOT.glob(f"*/templates/{kind}.{suffix}"))
            paths += list(ROOT.glob(f"templates/{kind}.{suffix}"))
            [path] = paths
            assert path.read_text().startswith(f'{{% extends "email/base.{suffix}" %}}'), path


def test_a_name_with_html_is_escaped_in_the_html_part_and_kept_in_the_text():
    context = KINDS["invitations/email/invitation"]() | {
        "company": SimpleNamespace(name="Atelier <b>Durand</b> & Fils")
    }
    with translation.override("fr"):
        rendered = email_render(
            subject="", template="invitations/email/invitation", context=context
        )
        text, html = rendered.text, rendered.html

    assert "d’Atelier <b>Durand</b> & Fils" in text
    assert "d’Atelier &lt;b&gt;Durand&lt;/b&gt; &amp; Fils" in html
