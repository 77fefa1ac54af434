"""Rights that end on a date: held through their last day (Paris), refused the first second after,
on every request, whether or not the daily task has closed them."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from companies.models import Role
from permissions.catalogue import Right
from permissions.checks import has_right, held_rights
from permissions.end_dates import EndDateRefused, end_dates_checked, local_today
from permissions.selectors import membership_with_rights
from tests.factories import GrantFactory, MembershipFactory
from tests.login import log_in

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
LAST_DAY = datetime.date(2027, 3, 31)
LAST_SECOND = datetime.datetime(2027, 3, 31, 23, 59, 59, tzinfo=PARIS)
FIRST_SECOND_AFTER = datetime.datetime(2027, 4, 1, 0, 0, 0, tzinfo=PARIS)


@pytest.fixture
def accountant(company):
    member = MembershipFactory.create(company=company, role=Role.COLLABORATOR)
    GrantFactory.create(membership=member, right=Right.DOCUMENTS)
    GrantFactory.create(membership=member, right=Right.TREASURY, ends_on=LAST_DAY)
    return member


def at(monkeypatch, moment: datetime.datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(datetime.UTC))


def test_today_is_the_day_in_paris_not_in_utc():
    # 22:30 UTC on 31 March is already 1 April in Paris (summer time)
    assert local_today(datetime.datetime(2027, 3, 31, 22, 30, tzinfo=datetime.UTC)) == (
        datetime.date(2027, 4, 1)
    )


def test_a_right_is_held_until_the_last_second_of_its_last_day(monkeypatch, accountant):
    at(monkeypatch, LAST_SECOND)

    membership = membership_with_rights(
        user_id=accountant.user_id, company_id=accountant.company_id
    )

    assert membership is not None
    assert has_right(membership, Right.TREASURY)


def test_a_right_is_refused_the_first_second_after_its_last_day(monkeypatch, accountant):
    at(monkeypatch, FIRST_SECOND_AFTER)

    membership = membership_with_rights(
        user_id=accountant.user_id, company_id=accountant.company_id
    )

    assert membership is not None
    assert held_rights(membership) == frozenset({Right.DOCUMENTS})


def test_held_rights_read_from_the_grants_ignore_an_ended_one(monkeypatch, accountant):
    at(monkeypatch, FIRST_SECOND_AFTER)

    assert held_rights(accountant) == frozenset({Right.DOCUMENTS})


def test_the_page_of_an_ended_right_answers_403_without_the_daily_task(
    monkeypatch, client, accountant
):
    url = reverse("treasury:index", args=[accountant.company_id])
    at(monkeypatch, LAST_SECOND)
    log_in(client, accountant.user.email)
    assert client.get(url).status_code == 200

    at(monkeypatch, FIRST_SECOND_AFTER)
    response = client.get(url)

    assert response.status_code == 403
    assert "Suivi de trésorerie" in response.content.decode()
    assert accountant.grants.filter(right=Right.TREASURY).exists()  # not closed yet: refused anyway


def test_an_end_date_today_or_before_is_refused():
    with pytest.raises(EndDateRefused, match="doit être postérieure à aujourd’hui"):
        end_dates_checked(["treasury"], {"treasury": LAST_DAY}, today=LAST_DAY)


def test_an_end_date_more_than_five_years_ahead_is_refused():
    with pytest.raises(EndDateRefused, match="cinq ans"):
        end_dates_checked(["treasury"], {"treasury": "2033-01-01"}, today=LAST_DAY)


def test_an_unreadable_end_date_is_refused_with_an_example():
    with pytest.raises(EndDateRefused, match="31/03/2027"):
        end_dates_checked(["treasury"], {"treasury": "fin mars"}, today=LAST_DAY)


def test_end_dates_keep_only_the_chosen_rights_written_in_iso():
    dates = end_dates_checked(
        ["treasury"],
        {"treasury": "30/06/2027", "documents": "2027-06-30", "bank_details": ""},
        today=LAST_DAY,
    )

    assert dates == {"treasury": "2027-06-30"}
