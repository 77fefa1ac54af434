"""Changing one's mobile while the broker is down: the change is made and the old number told
once the sweep has queued the warning again."""

import pytest

from accounts.models import User
from core import sms
from core.models import Message, MessageStatus
from core.tasks import message_deliver
from tests.accounts.test_mobile_change import CONFIRM_URL, NEW, OLD, ask_code
from tests.factories import UserFactory
from tests.otp.factories import last_code
from tests.outbox import run_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def broker_down(*args, **kwargs):
    raise ConnectionRefusedError("redis down")


def test_with_the_broker_down_the_change_answers_and_the_old_number_is_warned(
    client_for, monkeypatch, django_capture_on_commit_callbacks
):
    user = UserFactory.create(mobile=OLD)
    client = client_for(user)
    ask_code(client)
    monkeypatch.setattr(message_deliver, "apply_async", broker_down)
    code = last_code()
    sms.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONFIRM_URL, {"code": code})

    assert response.status_code == 302
    assert str(User.objects.get(pk=user.pk).mobile) == NEW
    assert sms.outbox == []
    [_waiting] = Message.objects.filter(to=OLD, status=MessageStatus.PENDING)
    monkeypatch.undo()
    assert run_tasks() == [True]  # the swept task, once the broker is back
    warning = sms.outbox[-1]
    assert warning.to == OLD
    assert "a été changé" in warning.body
