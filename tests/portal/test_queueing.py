"""Handing work to Celery when the broker is down: the person's request still succeeds."""

import smtplib

import pytest
from celery import shared_task
from django.core import mail
from django.db import transaction

from portal import queueing

pytestmark = pytest.mark.django_db

ran: list[dict[str, object]] = []


@shared_task(bind=True, max_retries=3)
def remember(self, *, item_id: int, email: str) -> None:
    ran.append({"item_id": item_id, "email": email})


@shared_task(bind=True, max_retries=3)
def mail_server_down(self, *, item_id: int) -> None:
    try:
        raise smtplib.SMTPServerDisconnected("connection lost")
    except smtplib.SMTPException as exc:
        raise self.retry(exc=exc, countdown=1) from exc


@pytest.fixture(autouse=True)
def nothing_ran():
    ran.clear()


def broker_down(**kwargs):
    raise ConnectionRefusedError("redis down")


def test_a_task_is_queued_only_once_the_transaction_commits(
    monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(remember, "delay", lambda **kwargs: queued.append(kwargs))

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        queueing.enqueue_on_commit(remember, item_id=7, email="a@b.example")
        assert queued == []

    assert queued == [{"item_id": 7, "email": "a@b.example"}]


def test_with_the_broker_down_the_task_runs_in_this_process(monkeypatch, caplog):
    monkeypatch.setattr(remember, "delay", broker_down)

    queueing.enqueue(remember, item_id=7, email="a@b.example")

    assert ran == [{"item_id": 7, "email": "a@b.example"}]
    assert "item_id=7" in caplog.text
    assert "a@b.example" not in caplog.text  # ids are logged, never personal data


def test_a_task_that_fails_in_this_process_is_logged_not_raised(monkeypatch, caplog):
    monkeypatch.setattr(mail_server_down, "delay", broker_down)

    queueing.enqueue(mail_server_down, item_id=7)

    assert "failed in this process" in caplog.text
    assert mail.outbox == []


def test_a_swept_task_is_left_to_its_sweep(monkeypatch, caplog):
    monkeypatch.setattr(remember, "delay", broker_down)

    queueing.enqueue(remember, swept=True, item_id=7, email="a@b.example")

    assert ran == []
    assert "sweep" in caplog.text


def test_retries_back_off_and_stay_under_the_brokers_visibility_timeout(settings):
    delays = [queueing.backoff_seconds(n) for n in range(12)]

    assert delays[:4] == [30, 60, 120, 240]
    assert delays == sorted(delays)
    assert max(delays) < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
