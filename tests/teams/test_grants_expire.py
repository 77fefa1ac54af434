"""The daily jobs of end-dated rights: closing those past their last day, and asking the
administrators a week before. Each runs twice, or side by side, and sends each email once."""

import datetime
import threading
import zoneinfo

import pytest
from django.db import connection

from audit.models import Action, AuditEvent
from audit.sentences import sentence
from core.models import Message
from otp.models import AccessAuthorisation, ClosingReason
from permissions.catalogue import Right
from permissions.models import Grant
from teams import services
from teams.models import RightsChange, RightsChangeOrigin, RightsChangeStatus
from tests.otp.factories import NOW
from tests.teams.factories import request_code, sign

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
LAST_DAY = datetime.date(2025, 3, 31)
AFTER = datetime.datetime(2025, 4, 1, 0, 15, tzinfo=PARIS)


def ended_member(admin, collaborator_with):
    """A member given Suivi de trésorerie until 31/03/2025, signed on 3 March."""
    member = collaborator_with(Right.DOCUMENTS)
    change = services.rights_change_request(
        membership_id=member.pk,
        company=admin.company,
        requested_by=admin.user,
        rights=[Right.DOCUMENTS, Right.TREASURY],
        ends_on={"treasury": LAST_DAY},
        now=NOW,
    )
    request_code(admin, change)
    sign(admin, change)
    Message.objects.all().delete()  # the signature's own emails
    return member


def emails(**filters):
    return list(Message.objects.filter(**filters).order_by("pk"))


@pytest.mark.django_db
def test_a_right_past_its_last_day_is_closed_and_the_others_kept(admin, collaborator_with):
    member = ended_member(admin, collaborator_with)

    assert services.grants_expire(now=AFTER) == 1

    assert list(member.grants.values_list("right", flat=True)) == ["documents"]
    change = RightsChange.objects.get(membership=member, origin=RightsChangeOrigin.EXPIRY)
    assert change.origin == RightsChangeOrigin.EXPIRY
    assert change.status == RightsChangeStatus.APPLIED
    assert change.requested_by is None
    assert change.removed == ["treasury"]


@pytest.mark.django_db
def test_a_right_on_its_last_day_is_kept(admin, collaborator_with):
    member = ended_member(admin, collaborator_with)
    last_evening = datetime.datetime(2025, 3, 31, 23, 59, 59, tzinfo=PARIS)

    assert services.grants_expire(now=last_evening) == 0

    assert member.grants.count() == 2


@pytest.mark.django_db
def test_closing_closes_the_open_authorisation_and_writes_the_journal(admin, collaborator_with):
    member = ended_member(admin, collaborator_with)
    authorisation = AccessAuthorisation.objects.get(subject_email=member.user.email)

    services.grants_expire(now=AFTER)

    authorisation.refresh_from_db()
    assert authorisation.closed_reason == ClosingReason.RIGHTS_ENDED
    event = AuditEvent.objects.get(company=admin.company, action=Action.RIGHTS_ENDED)
    assert event.data["ended_on"] == {"treasury": "2025-03-31"}
    assert "Suivi de trésorerie" in sentence(event)
    assert "ont pris fin" in sentence(event)


@pytest.mark.django_db
def test_the_member_and_every_administrator_are_emailed(admin, collaborator_with):
    member = ended_member(admin, collaborator_with)

    services.grants_expire(now=AFTER)

    to_member = emails(to=member.user.email)
    to_admin = emails(to=admin.user.email)
    assert len(to_member) == len(to_admin) == 1
    assert "jusqu’au 31/03/2025" in to_member[0].text
    assert f"/{member.pk}/" in to_admin[0].text


@pytest.mark.django_db
def test_the_daily_task_run_twice_emails_once_and_closes_once(admin, collaborator_with):
    member = ended_member(admin, collaborator_with)

    services.grants_expire(now=AFTER)
    again = services.grants_expire(now=AFTER + datetime.timedelta(hours=1))

    assert again == 0
    assert RightsChange.objects.filter(membership=member, origin="expiry").count() == 1
    assert len(emails(to=member.user.email)) == 1
    assert len(emails(to=admin.user.email)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_daily_tasks_at_once_close_once_and_email_once(admin, collaborator_with):
    member = ended_member(admin, collaborator_with)
    authorisation = AccessAuthorisation.objects.get(subject_email=member.user.email)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(services.grants_expire(now=AFTER))
        except BaseException as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == [0, 1]  # type: ignore[type-var]
    assert RightsChange.objects.filter(membership=member, origin="expiry").count() == 1
    assert len(emails(to=member.user.email)) == 1
    assert len(emails(to=admin.user.email)) == 1
    assert (
        AccessAuthorisation.objects.filter(pk=authorisation.pk, closed_at__isnull=False).count()
        == 1
    )
    assert AuditEvent.objects.filter(action=Action.RIGHTS_ENDED).count() == 1


def ending(collaborator_with, day: datetime.date) -> Grant:
    member = collaborator_with(Right.TREASURY)
    member.grants.update(ends_on=day)
    return member.grants.get()


@pytest.mark.django_db
def test_the_administrators_are_asked_seven_days_before_once(admin, collaborator_with):
    grant = ending(collaborator_with, datetime.date(2025, 3, 10))  # NOW: 3 March

    assert services.grant_end_notices_send(now=NOW) == 1
    assert services.grant_end_notices_send(now=NOW + datetime.timedelta(days=1)) == 0

    (notice,) = emails(to=admin.user.email)
    assert "10/03/2025" in notice.subject
    assert f"/{grant.membership_id}/" in notice.text
    assert "prolonger" in notice.text


@pytest.mark.django_db
def test_no_one_is_asked_earlier_than_seven_days_before(admin, collaborator_with):
    ending(collaborator_with, datetime.date(2025, 3, 11))

    assert services.grant_end_notices_send(now=NOW) == 0

    assert emails(to=admin.user.email) == []


@pytest.mark.django_db
def test_an_extended_right_is_announced_again_before_its_new_end(admin, collaborator_with):
    grant = ending(collaborator_with, datetime.date(2025, 3, 10))
    services.grant_end_notices_send(now=NOW)
    Grant.objects.filter(pk=grant.pk).update(ends_on=datetime.date(2025, 6, 30))

    later = datetime.datetime(2025, 6, 25, 9, 0, tzinfo=PARIS)

    assert services.grant_end_notices_send(now=later) == 1
    assert len(emails(to=admin.user.email)) == 2


@pytest.mark.django_db(transaction=True)
def test_two_notice_jobs_at_once_ask_once(admin, collaborator_with):
    ending(collaborator_with, datetime.date(2025, 3, 10))
    barrier = threading.Barrier(2)
    results: list[object] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(services.grant_end_notices_send(now=NOW))
        except BaseException as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == [0, 1]  # type: ignore[type-var]
    assert len(emails(to=admin.user.email)) == 1
