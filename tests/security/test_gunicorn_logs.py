"""gunicorn as production runs it (portal/gunicorn_conf.py) never writes a link's token to its logs:
not the path, not the query string, not the Referer of the acceptance page's POST."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from companies.models import Role
from tests.factories import CompanyFactory, MembershipFactory
from tests.invitations.factories import dispatch, signed
from tests.reliability.conftest import test_database_url

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.mark.django_db(transaction=True)
def test_a_link_token_never_reaches_gunicorns_output(tmp_path):
    admin = MembershipFactory.create(company=CompanyFactory.create(), role=Role.ADMIN)
    token = dispatch(signed(admin), now=timezone.now())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    link = base + reverse("invitations:accept", args=[token])
    output = tmp_path / "gunicorn.log"
    env = {**os.environ, "DATABASE_URL": test_database_url(), "LOG_LEVEL": "INFO"}
    with output.open("wb") as log:
        server = subprocess.Popen(  # our own gunicorn, no shell
            [
                *(str(GUNICORN), "-c", "python:portal.gunicorn_conf", "portal.wsgi:application"),
                *(f"--bind=127.0.0.1:{port}", "--workers=1"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while not answers(base + "/healthz"):
            assert server.poll() is None, output.read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)

        page = requests.get(f"{link}?utm_content={token}", headers={"Referer": link}, timeout=10)
        refused = requests.post(link, headers={"Referer": link}, timeout=10)  # no CSRF token
    finally:
        server.terminate()
        server.wait(timeout=20)

    assert page.status_code == 200
    assert refused.status_code == 403
    written = output.read_text()
    assert '"GET /invitation/…/ HTTP/1.1" 200' in written
    assert '"POST /invitation/…/ HTTP/1.1" 403' in written
    assert token not in written
