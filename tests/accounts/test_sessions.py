"""Mon compte lists where the account is logged in and ends the other sessions; a browser never
seen is told by email."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserSession
from audit.models import Action, AuditEvent
from core import sms
from tests.factories import UserFactory
from tests.login import log_in
from tests.outbox import emails_to

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
NEW_LOGIN = "Nouvelle connexion à votre espace"


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()


def browser(user, user_agent=FIREFOX, ip="203.0.113.7"):
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    log_in(client, user.email)
    return client


def new_login_emails(user):
    return [email for email in emails_to(user.email) if NEW_LOGIN in email.subject]


def test_mon_compte_lists_the_sessions_with_browser_system_and_address():
    user = UserFactory.create()
    office = browser(user, FIREFOX, "203.0.113.7")
    browser(user, SAFARI_IPHONE, "198.51.100.9")

    page = office.get(reverse("accounts:account"))

    assert "Firefox 128.0 · Ubuntu" in page.text
    assert "Mobile Safari 17.5 · iOS 17.5" in page.text
    assert "203.0.113.7" in page.text
    assert "198.51.100.9" in page.text
    assert "cet appareil" in page.text


def test_logging_out_elsewhere_ends_the_other_sessions_and_keeps_this_one():
    user = UserFactory.create()
    office = browser(user)
    phone = browser(user, SAFARI_IPHONE)

    response = office.post(reverse("accounts:sessions_end_others"), follow=True)

    assert "1 autre session a été fermée." in response.text
    assert office.get(reverse("accounts:account")).status_code == 200
    assert phone.get(reverse("accounts:account")).url.startswith(reverse("accounts:login"))
    assert UserSession.objects.filter(user=user, ended_at__isnull=True).count() == 1
    assert AuditEvent.objects.get(action=Action.SESSIONS_ENDED).data == {"ended": 1}


def test_logging_out_elsewhere_leaves_other_accounts_alone():
    user = UserFactory.create()
    someone_else = browser(UserFactory.create())
    office = browser(user)

    office.post(reverse("accounts:sessions_end_others"))

    assert someone_else.get(reverse("accounts:account")).status_code == 200


def test_a_logged_out_session_leaves_the_list():
    user = UserFactory.create()
    office = browser(user)
    phone = browser(user, SAFARI_IPHONE)

    phone.post(reverse("accounts:logout"))

    assert "Mobile Safari" not in office.get(reverse("accounts:account")).text


def test_the_first_login_of_an_account_sends_no_new_browser_email():
    user = UserFactory.create()

    browser(user)

    assert new_login_emails(user) == []


def test_a_browser_never_seen_is_told_by_email_once():
    user = UserFactory.create()
    office = browser(user)
    phone = browser(user, SAFARI_IPHONE, "198.51.100.9")
    # the same browser again: known by its cookie
    phone.post(reverse("accounts:logout"))
    log_in(phone, user.email)
    office.post(reverse("accounts:logout"))
    log_in(office, user.email)

    [email] = new_login_emails(user)
    assert "Mobile Safari 17.5 · iOS 17.5" in email.text
    assert "198.51.100.9" in email.text
    assert "heure de Paris" in email.text


def test_the_last_activity_is_written_at_most_once_a_minute():
    user = UserFactory.create()
    office = browser(user)
    row = UserSession.objects.get(user=user)
    first_seen = row.last_seen_at

    office.get(reverse("accounts:account"))
    row.refresh_from_db()
    assert row.last_seen_at == first_seen

    session = office.session
    session["portal_seen_at"] -= settings.SESSION_ACTIVITY_WRITE_SECONDS + 1
    session.save()
    office.get(reverse("accounts:account"))
    row.refresh_from_db()
    assert row.last_seen_at > first_seen


def test_a_session_idle_past_the_timeout_is_not_listed():
    user = UserFactory.create()
    office = browser(user)
    phone = browser(user, SAFARI_IPHONE)
    UserSession.objects.filter(user_agent=SAFARI_IPHONE).update(
        last_seen_at=timezone.now() - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 5)
    )

    assert "Mobile Safari" not in office.get(reverse("accounts:account")).text
    assert phone is not None


def test_the_account_page_keeps_its_queries_few(django_assert_max_num_queries):
    user = UserFactory.create()
    office = browser(user)
    for _ in range(5):
        browser(user, SAFARI_IPHONE)

    with django_assert_max_num_queries(10):
        office.get(reverse("accounts:account"))
