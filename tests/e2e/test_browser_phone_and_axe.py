"""Every page reachable in the demo, in Chromium on a phone (390 × 844) and a desktop (1280 × 800):
nothing scrolls sideways, and axe-core (vendored in tests/e2e/vendor/, injected from the file)
finds no serious or critical violation. The narrow screens' menu opens with the keyboard alone."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from client_requests.models import ClientRequest
from companies.models import Company, Membership, Role
from reviews.services import access_review_open
from tests.conftest import logged_in_client
from tests.invitations.factories import create, request_code, sign, token_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}
GRAVE = ("serious", "critical")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))
  }));
}"""


def demo_pages() -> tuple[dict[str, str], str]:
    """The demo's pages, by name, and the path of an invitation link (its acceptance page)."""
    call_command("load_demo", "--force", stdout=io.StringIO())
    company = Company.objects.get(name="Atelier Durand SAS")
    other = Company.objects.get(name="Boulangerie Martin SARL")
    admin = Membership.objects.get(company=company, role=Role.ADMIN)
    member = Membership.objects.filter(company=company, role=Role.COLLABORATOR).order_by("pk")[0]
    contract = company.contracts.order_by("pk")[0]
    now = timezone.now()
    awaiting = create(admin, email="nadia.benali@partenaire.example", now=now)
    emailed = create(admin, email="hugo.roux@partenaire.example", now=now)
    request_code(emailed, admin, now=now)
    sign(emailed, admin, now=now)  # emailed at once: tasks run in-process (the portal fixture)
    token = token_in(mail.outbox[-1])
    # the periodic review is due: its banner on every page, its page with the members to review
    Company.objects.filter(pk=company.pk).update(
        access_review_due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    review = access_review_open(company_id=company.pk, now=now)
    pages = {
        "company picker": reverse("portal:company_picker"),
        "company home": reverse("portal:company_home", args=[company.pk]),
        "documents": reverse("documents:index", args=[company.pk]),
        "a contract": reverse("documents:contract", args=[company.pk, contract.pk]),
        "duplicate request": reverse("documents:duplicate", args=[company.pk, contract.pk]),
        "duplicates": reverse("documents:duplicate_requests", args=[company.pk]),
        "fund operations": reverse("client_requests:fund_operations", args=[company.pk]),
        "company requests": reverse("client_requests:company_requests", args=[company.pk]),
        "treasury": reverse("treasury:index", args=[company.pk]),
        "bank details": reverse("client_requests:bank_details", args=[company.pk]),
        "early buyout": reverse("client_requests:early_buyout", args=[company.pk]),
        "request tracking": reverse("client_requests:index", args=[company.pk]),
        "Mes équipes": reverse("teams:team", args=[company.pk]),
        "a member": reverse("teams:member", args=[company.pk, member.pk]),
        "Revue des accès": reverse("teams:access_review", args=[company.pk]),
        "periodic review": reverse("reviews:review", args=[company.pk]),
        "periodic review summary": reverse("reviews:sign", args=[company.pk, review.pk]),
        "invite": reverse("invitations:create", args=[company.pk]),
        "sign": reverse("invitations:sign", args=[company.pk, awaiting.pk]),
        "Mon compte": reverse("accounts:account"),
        "my authorisations": reverse("otp:own_authorisations"),
        # a right the company cannot hold (no CLUB contract): the 403 page with its reason
        "403": reverse("client_requests:fund_operations", args=[other.pk]),
    }
    a_request = ClientRequest.objects.filter(company=company).order_by("pk").first()
    if a_request is not None:
        pages["a request"] = reverse("client_requests:detail", args=[company.pk, a_request.pk])
    return pages, reverse("invitations:accept", args=[token])


def logged_in_context(
    browser: Browser, base_url: str, email: str, viewport: ViewportSize
) -> BrowserContext:
    """A browser holding the session of a login made just now (the login page is checked apart)."""
    client = logged_in_client(Membership.objects.filter(user__email=email)[0].user)
    context = new_context(browser, viewport)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": base_url}])
    return context


def new_context(browser: Browser, viewport: ViewportSize) -> BrowserContext:
    # bypass_csp: only so that the test can inject axe-core; the pages keep their own CSP
    return browser.new_context(locale="fr-FR", viewport=viewport, bypass_csp=True)


def problems_of(page: Page, name: str) -> list[str]:
    found = []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    inner_width = page.evaluate("window.innerWidth")
    if scroll_width > inner_width:
        found.append(f"{name}: scrolls sideways ({scroll_width} > {inner_width} px)")
    page.add_script_tag(path=AXE)
    for violation in page.evaluate(RUN_AXE):
        if violation["impact"] in GRAVE:
            found.append(
                f"{name}: axe {violation['impact']} {violation['id']} {violation['nodes']}"
            )
    return found


@pytest.mark.parametrize("screen", VIEWPORTS)
def test_every_demo_page_fits_the_screen_and_has_no_serious_accessibility_violation(
    portal: str, browser: Browser, screen: str
) -> None:
    pages, accept_path = demo_pages()
    viewport = VIEWPORTS[screen]
    problems = []

    visitor = new_context(browser, viewport).new_page()
    for name, path in {"login": reverse("accounts:login"), "accept": accept_path}.items():
        response = visitor.goto(portal + path)
        assert response is not None and response.status == 200, name
        problems += problems_of(visitor, name)

    page = logged_in_context(browser, portal, "admin@demo.example", viewport).new_page()
    for name, path in pages.items():
        response = page.goto(portal + path)
        assert response is not None
        assert response.status == (403 if name == "403" else 200), f"{name}: {response.status}"
        problems += problems_of(page, name)

    assert problems == []


def test_on_a_phone_the_header_fits_in_100_px_and_the_menu_opens_with_the_keyboard(
    portal: str, browser: Browser
) -> None:
    pages, _accept = demo_pages()
    page = logged_in_context(browser, portal, "admin@demo.example", VIEWPORTS["phone"]).new_page()
    page.goto(portal + pages["documents"])

    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= 100
    wide_navigation = page.locator("nav.site-nav")
    expect(wide_navigation).to_be_hidden()
    menu = page.locator("summary", has_text="Menu")
    menu.focus()
    page.keyboard.press("Enter")
    navigation = page.get_by_role("navigation", name="Navigation principale")
    expect(navigation).to_be_visible()
    expect(navigation.get_by_role("link", name="Suivi de trésorerie")).to_be_visible()
    expect(navigation.get_by_role("link", name="Documents")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def test_on_a_desktop_the_navigation_shows_without_a_menu_button(
    portal: str, browser: Browser
) -> None:
    pages, _accept = demo_pages()
    page = logged_in_context(browser, portal, "admin@demo.example", VIEWPORTS["desktop"]).new_page()
    page.goto(portal + pages["documents"])

    expect(page.locator("summary", has_text="Menu")).to_be_hidden()
    navigation = page.get_by_role("navigation", name="Navigation principale")
    expect(navigation.get_by_role("link", name="Suivi de trésorerie")).to_be_visible()


def test_on_a_phone_a_tables_cells_read_under_their_column_labels(
    portal: str, browser: Browser
) -> None:
    pages, _accept = demo_pages()
    page = logged_in_context(browser, portal, "admin@demo.example", VIEWPORTS["phone"]).new_page()
    page.goto(portal + pages["documents"])

    first_row = page.locator("main table tbody tr").first
    labels = first_row.locator("td").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert labels[:2] == ['"Type"', '"Montant"']
    box = first_row.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390


def test_breadcrumb_links_are_at_least_24_px_tall(portal: str, browser: Browser) -> None:
    pages, _accept = demo_pages()
    page = logged_in_context(browser, portal, "admin@demo.example", VIEWPORTS["phone"]).new_page()
    page.goto(portal + pages["a contract"])

    heights = page.locator(".breadcrumbs a").evaluate_all(
        "links => links.map(a => a.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 24, heights


def test_the_acceptance_page_does_not_scroll_sideways_on_a_phone(
    portal: str, browser: Browser
) -> None:
    _pages, accept_path = demo_pages()
    page = new_context(browser, VIEWPORTS["phone"]).new_page()
    page.goto(portal + accept_path)

    expect(page.locator("main")).to_contain_text(re.compile("Atelier Durand SAS"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
