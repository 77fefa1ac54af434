"""A worker killed in the middle of sending an invitation: with production's numbers (acks late,
the delivery's time limit, the stall threshold, beat's sweep every few seconds), another worker
emails it once, with the same link, within a minute of the kill. Real processes: a private Redis,
two prefork workers one after the other, beat, and a mail server that hangs on the first email."""

import os
import socketserver
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from core.models import Message, MessageStatus
from core.outbox import link_token
from invitations import services
from invitations.models import Invitation, InvitationStatus
from tests.invitations.factories import create, request_code, sign
from tests.reliability.conftest import (
    BASE_DIR,
    CELERY,
    FakeSmtp,
    RedisServer,
    smtp_handler_for,
    status_of,
    test_database_url,
    wait_for,
)
from tests.reliability.test_faults import token_in

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RECOVERY_SECONDS = 60


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def fake_smtp() -> Iterator[FakeSmtp]:
    """The reliability tests' fake mail server, which also keeps what it was sent before hanging."""
    fake = FakeSmtp()
    fake.hung_data = []  # type: ignore[attr-defined]

    class Recording(smtp_handler_for(fake)):  # type: ignore[misc]
        def message(self, recipients: list[str], data: bytes) -> bool:
            if fake.hang_next:
                fake.hung_data.append(data)  # type: ignore[attr-defined]
            return bool(super().message(recipients, data))

    server = _Server(("127.0.0.1", 0), Recording)
    fake.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def beat(private_broker: RedisServer, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`celery beat` with the production schedule, on the private broker."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": private_broker.url,
        "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "LOG_LEVEL": "WARNING",
    }
    with (tmp_path / "beat.log").open("wb") as log:
        process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "portal",
                "beat",
                "--loglevel=INFO",
                f"--schedule={tmp_path / 'beat-schedule'}",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 9)
        process.wait(timeout=10)


def test_an_email_whose_worker_was_killed_mid_send_arrives_once_within_a_minute(
    admin, fake_smtp, start_worker_process, beat
):
    fake_smtp.hang_next = 1
    first = start_worker_process(pool="prefork")
    invitation = create(admin, now=timezone.now())
    request_code(invitation, admin, now=timezone.now())
    sign(invitation, admin, now=timezone.now())
    wait_for(fake_smtp.hanging.is_set, what="the first worker inside DATA", alive=first.check_alive)

    first.kill()
    killed_at = time.monotonic()
    second = start_worker_process(pool="prefork")
    wait_for(
        lambda: status_of(Invitation, invitation.pk) == InvitationStatus.SENT,
        timeout=RECOVERY_SECONDS + 5,
        what="the killed worker's email to be sent again",
        alive=second.check_alive,
    )
    recovered_in = time.monotonic() - killed_at

    print(f"recovered {recovered_in:.1f} s after the kill")
    assert recovered_in <= RECOVERY_SECONDS, f"recovered in {recovered_in:.1f} s"
    [delivered] = fake_smtp.delivered
    assert delivered.recipients == [f"<{invitation.email}>"]
    [message] = Message.objects.filter(to=invitation.email, status=MessageStatus.SENT)
    assert message.attempts == 2
    # the same row, so the same link in both emails, and that link works
    [hung] = fake_smtp.hung_data  # type: ignore[attr-defined]
    token = token_in(delivered.data)
    assert token_in(hung) == token == link_token(message)
    assert services.invitation_for_token(token, now=timezone.now()) == invitation
