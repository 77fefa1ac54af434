"""Issue 3 as a new user would try it, in a real browser: a collaborator who holds only
`documents` sees the documents and nothing else; the administrator grants them `bank_details`
with an SMS code; the collaborator then files a RIB change with a proof of power, which support
sees in the Django admin and validates, a second agent approves, and the company's RIB changes."""

import re

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect

from client_requests.kinds import RequestKind, RequestStatus
from client_requests.models import ClientRequest
from core import sms
from permissions.catalogue import Right
from permissions.models import Grant
from tests.client_requests.factories import pdf_bytes
from tests.e2e.helpers import first_match, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_IBAN = "FR76 1010 7001 0112 3456 7890 129"


def _section_links(page: Page) -> list[str]:
    nav = page.get_by_role("navigation", name="Navigation principale")
    return [text.strip() for text in nav.locator("a").all_inner_texts()]


def test_a_right_granted_with_a_code_opens_its_section_and_support_validates_the_rib(
    portal: str, page: Page, browser: Browser, admin, company, collaborator_with
) -> None:
    julien = collaborator_with(
        Right.DOCUMENTS, user=UserFactory.create(first_name="Julien", last_name="Petit")
    )
    company.iban = "FR7630006000011234567890189"
    company.save()

    # the collaborator with only `documents` sees the documents and nothing else
    collaborator = browser.new_context(locale="fr-FR").new_page()
    log_in(collaborator, portal, julien.user.email)
    collaborator.get_by_role("link", name=re.compile(re.escape(company.name))).click()
    links = _section_links(collaborator)
    assert "Documents" in links
    assert not {"Changement de RIB", "Gestion des fonds", "Suivi de trésorerie"} & set(links)
    collaborator.get_by_role("link", name="Documents").first.click()
    expect(collaborator.get_by_role("heading", level=1)).to_contain_text("Contrats et documents")
    collaborator.goto(f"{portal}/entreprises/{company.pk}/changement-de-rib/")
    expect(collaborator.locator("main")).to_contain_text("Effectuer un changement de RIB")

    # the administrator adds `bank_details` and signs it with the code sent to their mobile
    log_in(page, portal, admin.user.email)
    page.goto(f"{portal}/entreprises/{company.pk}/equipes/")
    page.get_by_role("link", name="Julien Petit").first.click()
    page.locator("#id_rights_bank_details").check()
    page.get_by_role("button", name="Voir les changements").click()
    expect(page.get_by_role("region", name="Les changements")).to_contain_text(
        "Effectuer un changement de RIB"
    )
    page.get_by_role("button", name="Continuer vers la signature").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Signez la modification")
    page.get_by_role("button", name="Recevoir le code par SMS").click()
    code_field = page.get_by_label("Code reçu par SMS")
    expect(code_field).to_be_visible()
    code_field.fill(first_match(r"\b(\d{6})\b", sms.outbox[-1].body, group=1))
    page.get_by_role("button", name="Signer et appliquer les nouveaux droits").click()
    expect(page.locator("#messages")).to_contain_text(re.compile("droits", re.IGNORECASE))
    assert set(Grant.objects.filter(membership=julien).values_list("right", flat=True)) == {
        "documents",
        "bank_details",
    }

    # on their next request the collaborator finds the section and files the change
    collaborator.goto(f"{portal}/entreprises/{company.pk}/")
    collaborator.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Changement de RIB"
    ).click()
    collaborator.get_by_label("Titulaire du compte").fill(company.name)
    collaborator.get_by_label("IBAN").fill(NEW_IBAN)
    collaborator.get_by_label("BIC").fill("BREDFRPPXXX")
    collaborator.get_by_label("Justificatif de pouvoir").set_input_files(
        files=FilePayload(name="pouvoir.pdf", mimeType="application/pdf", buffer=pdf_bytes())
    )
    collaborator.get_by_role("button", name="Envoyer la demande de changement de RIB").click()
    expect(collaborator.locator("#messages")).not_to_be_empty()
    request = ClientRequest.objects.get(company=company, kind=RequestKind.BANK_DETAILS_CHANGE)
    assert request.status == RequestStatus.SUBMITTED
    company.refresh_from_db()
    assert company.iban == "FR7630006000011234567890189"  # never changed directly

    # support sees the request and its proof of power in the admin, and validates it
    support = UserFactory.create(is_staff=True, is_superuser=True)
    desk = browser.new_context(locale="fr-FR").new_page()
    # the admin's login is the portal's, with its second factor
    log_in(desk, portal, support.email)
    desk.goto(f"{portal}/admin/client_requests/clientrequest/{request.pk}/change/")
    expect(desk.locator("#content")).to_contain_text("pouvoir.pdf")
    decision = desk.locator("#request-decision")
    decision.locator("select[name=to_status]").select_option(RequestStatus.DONE.value)
    decision.locator("textarea[name=comment]").fill("Pouvoir vérifié, RIB mis à jour.")
    decision.locator("textarea[name=reason]").fill("pouvoir et RIB vérifiés par le support")
    decision.locator("input[type=submit]").click()
    expect(desk.locator(".messagelist")).to_contain_text("second agent")

    # validating a RIB change takes a second agent's approval
    second = UserFactory.create(is_staff=True, is_superuser=True)
    approver = browser.new_context(locale="fr-FR").new_page()
    log_in(approver, portal, second.email)
    approver.goto(f"{portal}/admin/backoffice/proposal/?a_traiter=oui")
    approver.locator("#result_list tbody th a").first.click()
    expect(approver.locator("#proposal-changes")).to_contain_text(NEW_IBAN.replace(" ", ""))
    approver.get_by_role("button", name="Approuver et appliquer").click()
    expect(approver.locator(".messagelist")).to_contain_text("Proposition approuvée")

    request.refresh_from_db()
    company.refresh_from_db()
    assert request.status == RequestStatus.DONE
    assert company.iban == NEW_IBAN.replace(" ", "")
    collaborator.goto(f"{portal}/entreprises/{company.pk}/demandes/{request.pk}/")
    expect(collaborator.locator("main")).to_contain_text("Pouvoir vérifié, RIB mis à jour.")
