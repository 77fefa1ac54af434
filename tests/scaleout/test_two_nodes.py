"""Two web nodes, as behind a load balancer: two gunicorn processes on this run's database and one
Redis, each with a private folder of its own (private files are in the database). A file uploaded
through one node downloads from the other, one session works on both, and an SMS limit counted on
one node holds on the other."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
import requests
from django.conf import settings

from tests.client_requests.factories import pdf_bytes
from tests.conftest import logged_in_client
from tests.reliability.conftest import test_database_url
from tests.tooling.commands import private_redis, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


@dataclass
class Node:
    url: str
    folder: Path
    process: subprocess.Popen[bytes]


@dataclass
class Cluster:
    a: Node
    b: Node
    sms_dir: Path


def _listening_socket() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.set_inheritable(True)
    return server


def _answers(url: str) -> bool:
    try:
        return requests.get(url + "/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Cluster]:
    workdir = tmp_path_factory.mktemp("nodes")
    with private_redis() as redis_url:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "scripts"), str(ROOT)]),
            "DJANGO_SETTINGS_MODULE": "load_settings",  # production settings over plain HTTP
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the same key on every node
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": redis_url,
            "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE + "-nodes",
            "PRIVATE_STORAGE": "database",
            "SMS_BACKEND": "console",
            "OUTBOX_DIR": str(workdir / "outbox"),
            "SMS_PER_ADMIN_PER_10_MINUTES": "1",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("EMAIL_URL", None)
        nodes, sockets = [], []
        for name in ("a", "b"):
            sock = _listening_socket()
            sockets.append(sock)
            folder = workdir / f"private-{name}"
            with (workdir / f"node-{name}.log").open("wb") as log:
                process = subprocess.Popen(
                    [
                        *(str(GUNICORN), "--config=python:portal.gunicorn_conf"),
                        *("portal.wsgi:application", "--workers=1", f"--bind=fd://{sock.fileno()}"),
                        *("--log-level=warning", "--no-control-socket"),
                    ],
                    cwd=ROOT,
                    env={**env, "PRIVATE_MEDIA_ROOT": str(folder)},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    pass_fds=(sock.fileno(),),
                    start_new_session=True,
                )
            nodes.append(Node(f"http://127.0.0.1:{sock.getsockname()[1]}", folder, process))
        try:
            for node in nodes:
                wait_for(partial(_answers, node.url), timeout=60, what=node.url)
            yield Cluster(nodes[0], nodes[1], workdir / "outbox" / "sms")
        finally:
            for node in nodes:
                if node.process.poll() is None:
                    os.killpg(node.process.pid, signal.SIGTERM)
                node.process.wait(timeout=30)
            for sock in sockets:
                sock.close()
            shutil.rmtree(workdir, ignore_errors=True)


def browser_of(user) -> requests.Session:
    """A browser holding the session of a login made just now (stored in the shared database)."""
    client = logged_in_client(user)
    browser = requests.Session()
    browser.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    return browser


def post(browser: requests.Session, url: str, data: dict, **kwargs) -> requests.Response:
    data = {**data, "csrfmiddlewaretoken": browser.cookies.get("csrftoken", "")}
    return browser.post(url, data=data, allow_redirects=False, timeout=30, **kwargs)


def test_one_session_is_valid_on_both_nodes(cluster, admin):
    browser = browser_of(admin.user)
    path = f"/entreprises/{admin.company_id}/equipes/"

    on_a = browser.get(cluster.a.url + path, allow_redirects=False, timeout=30)
    on_b = browser.get(cluster.b.url + path, allow_redirects=False, timeout=30)

    assert on_a.status_code == on_b.status_code == 200
    assert admin.user.last_name in on_b.text


def test_a_file_uploaded_on_one_node_downloads_from_the_other(cluster, admin):
    browser = browser_of(admin.user)
    content = pdf_bytes()
    path = f"/entreprises/{admin.company_id}/demandes-entreprise/"
    browser.get(cluster.a.url + path, timeout=30)

    uploaded = post(
        browser,
        cluster.a.url + path,
        {
            "kind": "new_contract",
            "subject": "Devis",
            "description": "Deux nœuds",
            "action": "draft",
        },
        files={"documents": ("devis.pdf", content, "application/pdf")},
    )
    attachment = admin.company.requests.get().attachments.get()
    download = browser.get(
        cluster.b.url + f"{uploaded.headers['Location']}pieces/{attachment.pk}/", timeout=30
    )

    assert uploaded.status_code == 302
    assert download.status_code == 200
    assert download.content == content
    # neither node's own folder holds it: the store every node reaches does
    assert not any(p.is_file() for p in cluster.a.folder.rglob("*"))
    assert not any(p.is_file() for p in cluster.b.folder.rglob("*"))


def sms_sent_to(sms_dir: Path, mobile: str) -> int:
    return sum(
        1
        for path in sms_dir.glob("*.json")
        if json.loads(path.read_text(encoding="utf-8")).get("to") == mobile
    )


def ask_for_a_code(browser: requests.Session, node: Node, company_id: int, email: str) -> None:
    invite = post(
        browser,
        node.url + f"/entreprises/{company_id}/equipes/invitations/nouvelle/",
        {"email": email, "first_name": "Léa", "last_name": "Martin", "rights": ["documents"]},
    )
    assert invite.status_code == 302, invite.text[:500]
    asked = post(browser, node.url + invite.headers["Location"] + "code/", {})
    assert asked.status_code < 500


def test_an_sms_limit_counted_on_one_node_holds_on_the_other(cluster, admin):
    browser = browser_of(admin.user)
    browser.get(cluster.a.url + "/connexion/", timeout=30)  # the CSRF cookie
    mobile = str(admin.user.mobile)

    ask_for_a_code(browser, cluster.a, admin.company_id, "lea@partenaire.example")
    time.sleep(0.5)
    ask_for_a_code(browser, cluster.b, admin.company_id, "paul@partenaire.example")

    # one SMS per 10 minutes for this run's nodes: the second node knew of the first one's
    assert sms_sent_to(cluster.sms_dir, mobile) == 1
