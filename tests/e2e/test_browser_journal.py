"""The Journal d'activité in a real browser: choosing a filter updates the table in place and the
address follows it, so the back button and a shared link give the same view."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from audit.models import Action, AuditEvent
from tests.e2e.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choosing_a_kind_updates_the_events_in_place_and_the_address_follows(
    portal: str, page: Page, admin, company
) -> None:
    now = timezone.now()
    AuditEvent.objects.create(
        company=company,
        action=Action.MEMBER_SUSPENDED,
        actor=admin.user,
        target_repr="Camille Martin — X",
        occurred_at=now - datetime.timedelta(minutes=2),
    )
    AuditEvent.objects.create(
        company=company,
        action=Action.REQUEST_CREATED,
        actor=admin.user,
        target_repr="Demande n° 7",
        occurred_at=now - datetime.timedelta(minutes=1),
    )
    log_in(page, portal, admin.user.email)
    page.goto(f"{portal}/entreprises/{company.pk}/journal/")
    results = page.locator("#journal-results")
    expect(results).to_contain_text("Camille Martin")
    # a mark only this page load holds: a whole page loaded again would lose it
    page.evaluate("window.stillTheSamePage = true")

    page.get_by_label("Type d’événement").select_option("access")

    expect(page).to_have_url(re.compile(r"/journal/\?.*kind=access"))
    expect(results).to_contain_text("Camille Martin")
    expect(results.locator("tbody tr")).to_have_count(1)
    assert page.evaluate("window.stillTheSamePage") is True

    page.go_back()
    expect(page.locator("#journal-results tbody tr")).to_have_count(2)
