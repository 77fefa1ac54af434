"""Inviting from a file in a real browser: the template downloaded, a small file uploaded, its
people and their own rights reviewed, all signed with one SMS code and emailed."""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from core import sms
from invitations.models import Invitation, InvitationStatus
from tests.e2e.helpers import first_match, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILE = (
    "Prénom;Nom;E-mail;Mobile;Documents;Gestion des fonds;Demandes de l’entreprise;"
    "Suivi de trésorerie;Changement de RIB;Rachat anticipé\r\n"
    "Nadia;Benali;nadia.benali@example.com;06 11 22 33 44;oui;non;non;oui;non;non\r\n"
    "Hugo;<b>Lambert</b>;hugo.lambert@example.com;;x;;;;;\r\n"
)


def test_a_small_file_is_uploaded_reviewed_and_signed_with_one_code(
    portal: str, page: Page, admin, company, tmp_path: Path
) -> None:
    log_in(page, portal, admin.user.email)
    page.goto(f"{portal}/entreprises/{company.pk}/equipes/invitations/groupe/nouvelle/")
    page.get_by_role("link", name=re.compile("fichier CSV")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inviter à partir d’un fichier")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le modèle CSV").click()
    assert download.value.suggested_filename.endswith(".csv")

    upload = tmp_path / "equipe.csv"
    upload.write_bytes(FILE.encode("cp1252"))
    page.get_by_label("Fichier CSV").set_input_files(str(upload))
    page.get_by_role("button", name=re.compile("Vérifier le fichier")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Signez les autorisations")
    members = page.locator("#batch-members")
    expect(members).to_contain_text("nadia.benali@example.com")
    expect(members).to_contain_text("Hugo <b>Lambert</b>")
    expect(page.locator("main")).to_contain_text("2 personnes")
    page.get_by_role("button", name="Recevoir le code par SMS").click()
    code_field = page.get_by_label("Code reçu par SMS")
    expect(code_field).to_be_visible()
    code_field.fill(first_match(r"\b(\d{6})\b", sms.outbox[-1].body, group=1))
    page.get_by_role("button", name="Signer et envoyer les invitations").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Mes équipes"))
    expect(page.locator("#messages")).to_contain_text("2 personnes")
    invited = {i.email: (i.rights, i.status) for i in Invitation.objects.filter(company=company)}
    assert invited == {
        "nadia.benali@example.com": (["documents", "treasury"], InvitationStatus.SENT),
        "hugo.lambert@example.com": (["documents"], InvitationStatus.SENT),
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted(invited)
