"""`make load`: a bounded load run on loopback, not part of `make test`.

gunicorn (2 workers) and a real Celery worker serve a dedicated database and a private Redis.
N administrators, each in their own company and thread, loop for LOAD_SECONDS: log in, invite,
ask for the code (read from the SMS outbox files), sign. Then the worker drains the queue and the
run prints invitations signed, emails sent and errors. Exit status 1 unless every signed
invitation was emailed exactly once and nothing failed.

Environment: LOAD_SECONDS (30), LOAD_ADMINS (4), LOAD_DATABASE (portal_load),
LOAD_DRAIN_SECONDS (60), LOAD_POSTGRES (postgres://postgres@127.0.0.1:5432).
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "motdepasse-de-charge-42"  # noqa: S105  # accounts of a database dropped at the end
CODE = re.compile(r"(?<![0-9])[0-9]{6}(?![0-9])")
SIGN_URL = re.compile(r"/invitations/([0-9]+)/signer/$")
UNLIMITED = "1000000"


@dataclass(frozen=True)
class Config:
    seconds: float
    admins: int
    database: str
    drain_seconds: float
    postgres: str

    @classmethod
    def from_env(cls) -> "Config":
        return cls(
            seconds=float(os.environ.get("LOAD_SECONDS", "30")),
            admins=int(os.environ.get("LOAD_ADMINS", "4")),
            database=os.environ.get("LOAD_DATABASE", "portal_load"),
            drain_seconds=float(os.environ.get("LOAD_DRAIN_SECONDS", "60")),
            postgres=os.environ.get("LOAD_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        )


@dataclass
class Tally:
    signed: int = 0
    iterations: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count_signed(self) -> None:
        with self.lock:
            self.signed += 1

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)


@dataclass(frozen=True)
class AdminAccount:
    company_id: int
    email: str
    mobile: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.1)


# --- Database and processes -------------------------------------------------------------------


def recreate_database(config: Config) -> None:
    with psycopg.connect(f"{config.postgres}/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{config.database}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{config.database}"')


def drop_database(config: Config) -> None:
    with psycopg.connect(f"{config.postgres}/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{config.database}" WITH (FORCE)')


def stop(process: subprocess.Popen[bytes], *, grace: float) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def running(
    command: list[str], *, env: dict[str, str], log: Path, grace: float = 10
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603  # our own binaries, no shell
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        stop(process, grace=grace)


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def http_answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


# --- The seeded administrators ----------------------------------------------------------------


def seed(count: int) -> list[AdminAccount]:
    """One company per administrator, so that no two threads share a budget or a lock."""
    import django

    django.setup()
    from accounts.models import User
    from companies.models import Company, Membership, Role

    run = uuid.uuid4().int % 10_000_000
    accounts = []
    for n in range(count):
        company = Company.objects.create(name=f"Charge {n} SAS", siren=f"{run:07d}{n:02d}")
        mobile = f"+336120{n:05d}"
        user = User.objects.create_user(
            email=f"admin{n}@charge.example",
            password=PASSWORD,
            first_name="Admin",
            last_name=f"Charge {n}",
            mobile=mobile,
        )
        Membership.objects.create(user=user, company=company, role=Role.ADMIN)
        accounts.append(AdminAccount(company.pk, user.email, mobile))
    return accounts


def invitation_counts(accounts: list[AdminAccount]) -> dict[str, int]:
    from django.db.models import Count

    from invitations.models import Invitation

    rows = (
        Invitation.objects.filter(company_id__in=[a.company_id for a in accounts])
        .values("status")
        .annotate(n=Count("pk"))
    )
    return {row["status"]: row["n"] for row in rows}


# --- One administrator's loop -----------------------------------------------------------------


class Step(Exception):
    """A step that did not answer as the portal does when all is well."""


class Administrator:
    def __init__(self, base_url: str, account: AdminAccount, sms_dir: Path) -> None:
        self.base = base_url
        self.account = account
        self.sms_dir = sms_dir
        self.session = requests.Session()
        self.team_url = f"/entreprises/{account.company_id}/equipes/"

    def post(self, path: str, data: dict[str, Any], *, expect: str | re.Pattern[str]) -> str:
        data = {**data, "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", "")}
        response = self.session.post(self.base + path, data=data, allow_redirects=False, timeout=30)
        location = response.headers.get("Location", "")
        matches = expect.search(location) if isinstance(expect, re.Pattern) else location == expect
        if response.status_code != 302 or not matches:
            raise Step(f"POST {path}: {response.status_code} {location or response.text[:200]!r}")
        return location

    def log_in(self) -> None:
        self.session = requests.Session()
        self.session.get(self.base + "/connexion/", timeout=30).raise_for_status()
        self.post(
            "/connexion/",
            {"email": self.account.email, "password": PASSWORD},
            expect=re.compile(r"^/$"),
        )

    def invite(self, email: str) -> str:
        location = self.post(
            f"/entreprises/{self.account.company_id}/equipes/invitations/nouvelle/",
            {"email": email, "first_name": "Léa", "last_name": "Martin", "rights": ["documents"]},
            expect=SIGN_URL,
        )
        return location

    def code(self, timeout: float = 10) -> str:
        """The code of this administrator's SMS in the outbox; the file is taken away."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for path in sorted(self.sms_dir.glob("*.json")):
                try:
                    sms = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                if sms.get("to") == self.account.mobile and (match := CODE.search(sms["body"])):
                    path.unlink()
                    return match.group(0)
            time.sleep(0.02)
        raise Step("no SMS arrived in the outbox")

    def sign_one(self, email: str) -> None:
        self.log_in()
        sign_url = self.invite(email)
        self.post(sign_url + "code/", {}, expect=sign_url)
        self.post(sign_url, {"code": self.code()}, expect=self.team_url)


def admin_loop(
    admin: Administrator, index: int, deadline: float, tally: Tally, start: threading.Barrier
) -> None:
    start.wait(timeout=60)
    n = 0
    while time.monotonic() < deadline:
        n += 1
        try:
            admin.sign_one(f"invite-{index}-{n}@partenaire.example")
        except (Step, requests.RequestException) as error:
            tally.error(f"admin {index}, invitation {n}: {error}")
        else:
            tally.count_signed()
        with tally.lock:
            tally.iterations += 1


# --- The run ----------------------------------------------------------------------------------


def report(tally: Tally, *, emails: int, counts: dict[str, int], elapsed: float) -> bool:
    """Print the figures; True when every signed invitation was emailed once and nothing failed."""
    print(f"iterations:          {tally.iterations} in {elapsed:.1f} s")
    print(f"invitations signed:  {tally.signed} ({tally.signed / elapsed:.1f}/s)")
    print(f"emails sent:         {emails}")
    print(f"invitations by status in the database: {json.dumps(counts, sort_keys=True)}")
    print(f"errors:              {len(tally.errors)}")
    for message in tally.errors[:20]:
        print(f"  - {message}")
    return (
        not tally.errors
        and tally.signed > 0
        and tally.signed == emails == counts.get("sent", 0)
        and sum(counts.values()) == counts.get("sent", 0)
    )


def main() -> int:
    config = Config.from_env()
    workdir = Path(tempfile.mkdtemp(prefix="portal-load-"))
    outbox = workdir / "outbox"
    (outbox / "sms").mkdir(parents=True)
    redis_port, http_port = free_port(), free_port()
    queue = f"portal-load-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "scripts"), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "load-run-only-" + uuid.uuid4().hex * 2,
        "DATABASE_URL": f"{config.postgres}/{config.database}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "SMS_BACKEND": "console",
        "OUTBOX_DIR": str(outbox),
        "PORTAL_BASE_URL": f"http://127.0.0.1:{http_port}",
        "LOG_LEVEL": "WARNING",
        # each administrator signs far more often than a person would
        "SMS_PER_ADMIN_PER_10_MINUTES": UNLIMITED,
        "SMS_PER_ADMIN_PER_DAY": UNLIMITED,
        "INVITATIONS_PER_COMPANY_PER_DAY": UNLIMITED,
    }
    # emails are kept as files in the outbox, where they are counted
    env.pop("EMAIL_URL", None)
    os.environ.pop("EMAIL_URL", None)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    sys.path[:0] = [str(ROOT / "scripts"), str(ROOT)]
    print(f"load: {config.admins} administrators for {config.seconds:.0f} s; files in {workdir}")

    recreate_database(config)
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        accounts = seed(config.admins)
        tally = Tally()
        redis_server = shutil.which("redis-server") or "redis-server"
        with (
            running(
                [
                    redis_server,
                    *("--port", str(redis_port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no"),
                ],
                env=env,
                log=workdir / "redis.log",
            ),
            running(
                [
                    *(str(BIN / "celery"), "-A", "portal", "worker", "--concurrency=2"),
                    *(f"--queues={queue}", "--without-gossip", "--without-mingle"),
                    *("--without-heartbeat", "--loglevel=WARNING"),
                ],
                env=env,
                log=workdir / "worker.log",
                grace=30,
            ),
            running(
                [
                    *(str(BIN / "gunicorn"), "--config=python:portal.gunicorn_conf"),
                    *("portal.wsgi:application", "--workers=2", f"--bind=127.0.0.1:{http_port}"),
                    "--log-level=warning",
                ],
                env=env,
                log=workdir / "gunicorn.log",
            ),
        ):
            wait_until(lambda: redis_answers(redis_port), timeout=10, what="redis-server")
            base_url = f"http://127.0.0.1:{http_port}"
            wait_until(lambda: http_answers(base_url + "/healthz"), timeout=30, what="gunicorn")
            start = threading.Barrier(len(accounts) + 1)
            deadline = time.monotonic() + config.seconds
            threads = [
                threading.Thread(
                    target=admin_loop,
                    args=(Administrator(base_url, a, outbox / "sms"), i, deadline, tally, start),
                )
                for i, a in enumerate(accounts)
            ]
            for thread in threads:
                thread.start()
            start.wait(timeout=60)
            began = time.monotonic()
            for thread in threads:
                thread.join(timeout=config.seconds + 120)
            elapsed = time.monotonic() - began
            try:
                wait_until(
                    lambda: invitation_counts(accounts).get("signed", 0) == 0,
                    timeout=config.drain_seconds,
                    what="the worker to send every signed invitation",
                )
            except RuntimeError as error:
                tally.error(str(error))
            counts = invitation_counts(accounts)
        emails = len(list((outbox / "mail").glob("*.eml")))
        from django.db import connections

        connections.close_all()
    finally:
        drop_database(config)

    ok = report(tally, emails=emails, counts=counts, elapsed=elapsed)
    print("load: OK (signed = sent, no error)" if ok else f"load: FAILED (logs in {workdir})")
    if ok:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
