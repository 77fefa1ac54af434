"""`make run`'s embedded default, as a newcomer meets it: SQLite, tasks in-process, SMS and emails
kept in the development outbox. A real server is started in a subprocess and walked over HTTP."""

import email
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from portal.management.commands.load_demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.embedded


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, str]]:
    home = tmp_path_factory.mktemp("embedded")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "EMAIL_URL",
            "SMS_BACKEND",
            "PDF_SEAL_PKCS12",
            "PDF_SEAL_PASSPHRASE",
            "PDF_SEAL_TRUST_ROOTS",
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_DEBUG="true",
        DATABASE_URL=f"sqlite:///{home / 'db.sqlite3'}",
        OUTBOX_DIR=str(home / "outbox"),
        PORTAL_BASE_URL=url,
        PDF_SEAL_DEVELOPMENT_DIR=str(home / "seal"),
    )
    _manage(env, "migrate", "--noinput")
    printed = _manage(env, "load_demo")
    _manage(env, "load_demo")  # `make run` run twice keeps working
    sealed = _manage(env, "seal_development")
    assert "Development PDF seal created" in sealed
    assert "Development PDF seal kept" in _manage(env, "seal_development")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield url, home / "outbox", printed
    finally:
        process.terminate()
        process.wait(timeout=10)


def _post(session: requests.Session, url: str, data: dict) -> requests.Response:
    """POST as the page's form would: with the CSRF cookie a GET of a form page has set."""
    token = session.cookies.get("csrftoken")
    if token is None:
        session.get(url, timeout=10)
        token = session.cookies["csrftoken"]
    return session.post(
        url, data={**data, "csrfmiddlewaretoken": token}, timeout=10, headers={"Referer": url}
    )


def _newest(folder: Path, pattern: str) -> Path:
    return max(folder.glob(pattern), key=lambda path: path.stat().st_mtime)


def test_make_run_prints_the_demo_administrator_credentials(server):
    _url, _outbox, printed = server

    assert "admin@demo.example" in printed
    assert DEMO_PASSWORD in printed


def test_a_newcomer_walks_the_main_path_on_the_embedded_default(server):
    url, outbox, _printed = server
    admin = requests.Session()
    second_step = _post(
        admin, f"{url}/connexion/", {"email": "admin@demo.example", "password": DEMO_PASSWORD}
    )
    assert "Un code à 6 chiffres a été envoyé" in second_step.text
    login_sms = json.loads(_newest(outbox / "sms", "*.json").read_text())
    login_code = re.search(r"\b(\d{6})\b", login_sms["body"]).group(1)
    logged_in = _post(admin, second_step.url, {"code": login_code})
    assert "Cliquez sur votre entreprise" in logged_in.text
    company_id = re.search(
        r'href="/entreprises/(\d+)/"[^<]*>\s*<h2[^>]*>Atelier Durand', logged_in.text
    )
    assert company_id is not None
    team = f"{url}/entreprises/{company_id.group(1)}/equipes/"

    invited = _post(
        admin,
        f"{team}invitations/nouvelle/",
        {
            "first_name": "Nadia",
            "last_name": "Benali",
            "email": "nadia.benali@example.com",
            "rights": ["documents", "bank_details"],
        },
    )
    assert "Signez votre autorisation" in invited.text
    sign_url = invited.url
    sent = _post(admin, f"{sign_url}code/", {})
    assert "+33 6 •• •• •• 42" in sent.text

    sms = json.loads(_newest(outbox / "sms", "*.json").read_text())
    code = re.search(r"\b(\d{6})\b", sms["body"]).group(1)
    assert code in requests.get(f"{url}/dev/outbox/", timeout=10).text
    signed = _post(admin, sign_url, {"code": code})
    assert "Autorisation signée" in signed.text

    message = email.message_from_bytes(_newest(outbox / "mail", "*.eml").read_bytes())
    text = next(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )
    link = re.search(rf"{re.escape(url)}/invitation/\S+/", text).group(0)
    invitee = requests.Session()
    assert "Atelier Durand" in invitee.get(link, timeout=10).text
    confirm_mobile = _post(
        invitee,
        link,
        {
            "first_name": "Nadia",
            "last_name": "Benali",
            "mobile": "06 11 22 33 44",
            "password1": "un-mot-de-passe-tres-solide",
            "password2": "un-mot-de-passe-tres-solide",
        },
    )
    assert "Confirmez votre numéro de mobile" in confirm_mobile.text
    mobile_sms = json.loads(_newest(outbox / "sms", "*.json").read_text())
    assert mobile_sms["to"] == "+33611223344"
    mobile_code = re.search(r"\b(\d{6})\b", mobile_sms["body"]).group(1)
    landed = _post(invitee, link, {"accept_with": "confirm_mobile", "code": mobile_code})

    assert landed.url.rstrip("/").endswith(f"/entreprises/{company_id.group(1)}")
    assert "Atelier Durand" in landed.text
    assert "Changement de RIB" in landed.text
    assert "Suivi de trésorerie" not in landed.text
