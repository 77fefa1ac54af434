"""When reviews come due, with a controlled clock: the due date, the review opened and each
administrator emailed once, the overdue state and its weekly reminder, under concurrent runs."""

import datetime
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from companies.models import Company
from companies.services import access_review_due_on, months_after
from core.models import Message
from reviews import services
from reviews.models import AccessReview, ReviewStatus
from reviews.services.schedule import DUE_EMAIL, OVERDUE_EMAIL
from reviews.tasks import access_review_reminders_send, access_reviews_open
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

CREATED = datetime.datetime(2025, 1, 31, 9, 0, tzinfo=datetime.UTC)
DUE = datetime.date(2026, 1, 31)


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=datetime.UTC)


@pytest.fixture
def created_long_ago(company: Company) -> Company:
    Company.objects.filter(pk=company.pk).update(created_at=CREATED, access_review_due_on=None)
    company.refresh_from_db()
    return company


def emails(company: Company, template: str) -> list[Message]:
    return list(Message.objects.filter(company_id=company.pk, template=template).order_by("pk"))


def test_a_month_later_keeps_the_day_or_takes_the_months_last():
    assert months_after(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)
    assert months_after(datetime.date(2025, 8, 31), 6) == datetime.date(2026, 2, 28)
    assert months_after(datetime.date(2025, 3, 3), 12) == datetime.date(2026, 3, 3)


def test_the_first_review_is_due_one_period_after_the_company_was_created(created_long_ago):
    assert access_review_due_on(created_long_ago) == DUE
    created_long_ago.access_review_months = 6
    assert access_review_due_on(created_long_ago) == datetime.date(2025, 7, 31)


def test_the_next_review_is_due_one_period_after_the_last_signed_one(created_long_ago):
    created_long_ago.access_review_signed_on = datetime.date(2026, 2, 10)

    assert access_review_due_on(created_long_ago) == datetime.date(2027, 2, 10)


def test_nothing_opens_before_the_due_date(created_long_ago, admin):
    services.access_reviews_open(now=at(DUE - datetime.timedelta(days=1)))

    created_long_ago.refresh_from_db()
    assert created_long_ago.access_review_due_on == DUE
    assert not AccessReview.objects.filter(company=created_long_ago).exists()


def test_a_due_review_opens_and_each_administrator_is_emailed_once(created_long_ago, admin):
    other = MembershipFactory.create(company=created_long_ago, role="admin")
    MembershipFactory.create(company=created_long_ago)

    assert services.access_reviews_open(now=at(DUE)) == 1
    assert services.access_reviews_open(now=at(DUE) + datetime.timedelta(days=1)) == 0

    review = AccessReview.objects.get(company=created_long_ago)
    assert (review.version, review.status, review.due_on) == (1, ReviewStatus.OPEN, DUE)
    assert sorted(m.to for m in emails(created_long_ago, DUE_EMAIL)) == sorted(
        [admin.user.email, other.user.email]
    )
    assert "est due depuis le 31/01/2026" in emails(created_long_ago, DUE_EMAIL)[0].text


def test_a_review_is_overdue_thirty_days_after_its_due_date(created_long_ago, admin):
    services.access_reviews_open(now=at(DUE))
    review = AccessReview.objects.get(company=created_long_ago)

    assert not review.is_overdue(DUE + datetime.timedelta(days=30))
    assert review.is_overdue(DUE + datetime.timedelta(days=31))
    assert list(AccessReview.objects.overdue(today=DUE + datetime.timedelta(days=31))) == [review]


def test_an_overdue_review_is_reminded_once_a_week(created_long_ago, admin):
    services.access_reviews_open(now=at(DUE))
    monday = datetime.date(2026, 3, 9)  # 37 days after the due date

    assert services.access_review_reminders_send(now=at(DUE + datetime.timedelta(days=30))) == 0
    assert services.access_review_reminders_send(now=at(monday)) == 1
    assert services.access_review_reminders_send(now=at(monday + datetime.timedelta(days=3))) == 0
    assert services.access_review_reminders_send(now=at(monday + datetime.timedelta(days=7))) == 1

    assert [m.to for m in emails(created_long_ago, OVERDUE_EMAIL)] == [admin.user.email] * 2


def test_a_signed_review_is_never_reminded(created_long_ago, admin):
    services.access_reviews_open(now=at(DUE))
    AccessReview.objects.filter(company=created_long_ago).update(
        status=ReviewStatus.SIGNED, signed_at=at(DUE), signed_by=admin.user
    )

    assert services.access_review_reminders_send(now=at(DUE + datetime.timedelta(days=60))) == 0


def test_the_beat_runs_both_jobs(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "reviews.tasks.access_reviews_open" in tasks
    assert "reviews.tasks.access_review_reminders_send" in tasks
    assert access_review_reminders_send.apply().get() == 0
    assert isinstance(access_reviews_open.apply().get(), int)


def test_run_scheduled_as_of_a_later_date_makes_the_review_come_due(created_long_ago, admin):
    out = io.StringIO()

    call_command("run_scheduled", "--as-of", "2026-02-01T09:00", stdout=out)

    assert "access_reviews_open" in out.getvalue()
    assert AccessReview.objects.filter(company=created_long_ago, status=ReviewStatus.OPEN).exists()
    assert len(emails(created_long_ago, DUE_EMAIL)) == 1


def _twice_at_once(job, now):
    """Run `job(now=now)` in two threads started together, each with its own connection."""
    barrier = threading.Barrier(2)
    results: list[int] = []

    def run():
        try:
            barrier.wait()
            results.append(job(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(results)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_open_one_review_and_send_each_email_once(created_long_ago, admin):
    MembershipFactory.create(company=created_long_ago, role="admin")
    overdue_day = DUE + datetime.timedelta(days=40)

    opened = _twice_at_once(services.access_reviews_open, at(DUE))
    reminded = _twice_at_once(services.access_review_reminders_send, at(overdue_day))

    assert opened == [0, 1] and reminded == [0, 1]
    assert AccessReview.objects.filter(company=created_long_ago).count() == 1
    assert len(emails(created_long_ago, DUE_EMAIL)) == 2
    assert len(emails(created_long_ago, OVERDUE_EMAIL)) == 2
