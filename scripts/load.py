"""`make load`: a bounded load run on loopback, not part of `make test`.

gunicorn (2 workers) and a real Celery worker serve a dedicated database and a private Redis.
N administrators, each in their own company and thread, loop for LOAD_SECONDS: log in, invite,
ask for the code (the worker delivers the SMS from the outbox, `core.Message`, to the console
backend's files), sign. Then the worker drains the outbox and the run prints the requests,
invitations signed and emailed, and errors. Exit status 1 unless every signed invitation has
exactly one email row in the outbox, sent, the mail backend received exactly one email for it, and
nothing failed.

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
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses
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
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count_signed(self) -> None:
        with self.lock:
            self.signed += 1

    def count_request(self) -> None:
        with self.lock:
            self.requests += 1

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


def listening_socket() -> socket.socket:
    """A loopback socket already listening on a port the kernel chose, for gunicorn to inherit
    (--bind fd://): no other process can take the port between choosing it and serving on it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(128)
    server.set_inheritable(True)
    return server


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
    command: list[str],
    *,
    env: dict[str, str],
    log: Path,
    grace: float = 10,
    pass_fds: tuple[int, ...] = (),
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603  # our own binaries, no shell
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            pass_fds=pass_fds,
        )
    try:
        yield process
    finally:
        stop(process, grace=grace)


def redis_pid(port: int) -> int | None:
    """The process id of the Redis that answers on `port`, if one does."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
            connection.sendall(b"INFO server\r\n")
            answer = b""
            while b"process_id:" not in answer or not answer.endswith(b"\r\n"):
                chunk = connection.recv(65536)
                if not chunk:
                    break
                answer += chunk
    except OSError:
        return None
    match = re.search(rb"process_id:([0-9]+)", answer)
    return int(match.group(1)) if match else None


def ours_answers(process: subprocess.Popen[bytes], port: int) -> bool:
    """Our redis-server answers; between free_port() and its start another process may have
    taken the port, and then the run stops rather than use somebody else's Redis."""
    if process.poll() is not None:
        raise RuntimeError(f"redis-server could not listen on port {port}")
    pid = redis_pid(port)
    if pid is not None and pid != process.pid:
        raise RuntimeError(f"port {port} is another Redis's (process {pid})")
    return pid == process.pid


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


@dataclass(frozen=True)
class Outcome:
    """What the database and the mail backend hold once the worker drained the outbox."""

    invitations: dict[str, int]  # by status
    outbox: dict[str, int]  # "email sent", "sms sent", ... (every row of the dedicated database)
    received: int  # emails the mail backend kept (files in OUTBOX_DIR/mail)
    emailed_once: int  # invitations with one email row, sent, and one email received
    problems: list[str]


def outbox_unfinished() -> int:
    """Messages the worker still has to deliver, and invitations whose email has not left."""
    from core.models import Message, MessageStatus
    from invitations.models import Invitation, InvitationStatus

    waiting = [MessageStatus.PENDING, MessageStatus.SENDING]
    return (
        Message.objects.filter(status__in=waiting).count()
        + Invitation.objects.filter(status=InvitationStatus.SIGNED).count()
    )


def received_emails(mail_dir: Path) -> dict[str, int]:
    """How many emails the mail backend received, by recipient address."""
    parser = BytesParser(policy=policy.default)
    received: dict[str, int] = {}
    for path in mail_dir.glob("*.eml"):
        with path.open("rb") as file:
            headers = parser.parse(file, headersonly=True)
        for _name, address in getaddresses(headers.get_all("To", [])):
            received[address.lower()] = received.get(address.lower(), 0) + 1
    return received


def outcome(accounts: list[AdminAccount], mail_dir: Path) -> Outcome:
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count

    from core.models import Message, MessageKind, MessageStatus
    from invitations.models import Invitation, InvitationStatus

    invitations = list(
        Invitation.objects.filter(company_id__in=[a.company_id for a in accounts]).order_by("pk")
    )
    emails_about: dict[str, list[str]] = {}
    for about_id, status in Message.objects.filter(
        kind=MessageKind.EMAIL, about_type=ContentType.objects.get_for_model(Invitation)
    ).values_list("about_id", "status"):
        emails_about.setdefault(about_id, []).append(status)
    received = received_emails(mail_dir)
    problems = []
    emailed_once = 0
    for invitation in invitations:
        rows = emails_about.get(str(invitation.pk), [])
        mails = received.get(invitation.email.lower(), 0)
        if (
            invitation.status == InvitationStatus.SENT
            and rows == [MessageStatus.SENT]
            and mails == 1
        ):
            emailed_once += 1
        else:
            problems.append(
                f"invitation {invitation.pk} ({invitation.email}): {invitation.status}, "
                f"outbox email rows {rows}, emails received {mails}"
            )
    strays = sum(received.values()) - sum(received.get(i.email.lower(), 0) for i in invitations)
    if strays:
        problems.append(f"{strays} emails received for no invitation of the run")
    by_kind_status = {
        f"{row['kind']} {row['status']}": row["n"]
        for row in Message.objects.values("kind", "status").annotate(n=Count("pk"))
    }
    for each in Message.objects.exclude(status=MessageStatus.SENT)[:20]:
        problems.append(f"outbox message {each.pk} to {each.to}: {each.status} {each.last_error}")
    by_status: dict[str, int] = {}
    for invitation in invitations:
        by_status[invitation.status] = by_status.get(invitation.status, 0) + 1
    return Outcome(
        invitations=by_status,
        outbox=by_kind_status,
        received=sum(received.values()),
        emailed_once=emailed_once,
        problems=problems,
    )


# --- One administrator's loop -----------------------------------------------------------------


class Step(Exception):
    """A step that did not answer as the portal does when all is well."""


class Administrator:
    def __init__(self, base_url: str, account: AdminAccount, sms_dir: Path, tally: Tally) -> None:
        self.base = base_url
        self.account = account
        self.sms_dir = sms_dir
        self.tally = tally
        self.session = requests.Session()
        self.team_url = f"/entreprises/{account.company_id}/equipes/"

    def post(self, path: str, data: dict[str, Any], *, expect: str | re.Pattern[str]) -> str:
        data = {**data, "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", "")}
        self.tally.count_request()
        response = self.session.post(self.base + path, data=data, allow_redirects=False, timeout=30)
        location = response.headers.get("Location", "")
        matches = expect.search(location) if isinstance(expect, re.Pattern) else location == expect
        if response.status_code != 302 or not matches:
            raise Step(f"POST {path}: {response.status_code} {location or response.text[:200]!r}")
        return location

    def log_in(self) -> None:
        self.session = requests.Session()
        self.tally.count_request()
        self.session.get(self.base + "/connexion/", timeout=30).raise_for_status()
        self.post(
            "/connexion/",
            {"email": self.account.email, "password": PASSWORD},
            expect="/connexion/second-facteur/",
        )
        self.post("/connexion/second-facteur/", {"code": self.code()}, expect=re.compile(r"^/$"))

    def invite(self, email: str) -> str:
        location = self.post(
            f"/entreprises/{self.account.company_id}/equipes/invitations/nouvelle/",
            {"email": email, "first_name": "Léa", "last_name": "Martin", "rights": ["documents"]},
            expect=SIGN_URL,
        )
        return location

    def code(self, timeout: float = 10) -> str:
        """The code of this administrator's SMS, delivered by the worker; the file is taken away."""
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


def admin_loop(admin: Administrator, index: int, deadline: float, start: threading.Barrier) -> None:
    tally = admin.tally
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


def report(tally: Tally, result: Outcome, *, elapsed: float) -> bool:
    """Print the figures; True when every signed invitation was emailed once and nothing failed."""
    print(f"requests:            {tally.requests} ({tally.requests / elapsed:.1f}/s)")
    print(f"iterations:          {tally.iterations} in {elapsed:.1f} s")
    print(f"invitations signed:  {tally.signed} ({tally.signed / elapsed:.1f}/s)")
    print(f"emailed exactly once: {result.emailed_once}")
    print(f"emails received:     {result.received}")
    print(f"outbox rows:         {json.dumps(result.outbox, sort_keys=True)}")
    print(
        f"invitations by status in the database: {json.dumps(result.invitations, sort_keys=True)}"
    )
    errors = tally.errors + result.problems
    print(f"errors:              {len(errors)}")
    for message in errors[:20]:
        print(f"  - {message}")
    return (
        not errors
        and tally.signed > 0
        and tally.signed == result.emailed_once == result.received
        and result.invitations == {"sent": tally.signed}
    )


def main() -> int:
    config = Config.from_env()
    workdir = Path(tempfile.mkdtemp(prefix="portal-load-"))
    outbox = workdir / "outbox"
    (outbox / "sms").mkdir(parents=True)
    redis_port = free_port()
    http = listening_socket()
    http_port = int(http.getsockname()[1])
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
        # the worker delivers, even when the calling shell asks for in-process tasks
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SMS_BACKEND": "console",
        "OUTBOX_DIR": str(outbox),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "PORTAL_BASE_URL": f"http://127.0.0.1:{http_port}",
        "LOG_LEVEL": "WARNING",
        # each administrator signs far more often than a person would
        "SMS_PER_ADMIN_PER_10_MINUTES": UNLIMITED,
        "SMS_PER_ADMIN_PER_DAY": UNLIMITED,
        "INVITATIONS_PER_COMPANY_PER_DAY": UNLIMITED,
    }
    # the mail backend keeps emails as files in OUTBOX_DIR/mail, where they are counted
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
            ) as redis_process,
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
                    *("portal.wsgi:application", "--workers=2", f"--bind=fd://{http.fileno()}"),
                    "--log-level=warning",
                ],
                env=env,
                log=workdir / "gunicorn.log",
                pass_fds=(http.fileno(),),
            ) as gunicorn,
        ):
            wait_until(
                lambda: ours_answers(redis_process, redis_port), timeout=10, what="redis-server"
            )
            base_url = f"http://127.0.0.1:{http_port}"
            wait_until(
                lambda: gunicorn.poll() is None and http_answers(base_url + "/healthz"),
                timeout=30,
                what="gunicorn",
            )
            start = threading.Barrier(len(accounts) + 1)
            deadline = time.monotonic() + config.seconds
            threads = [
                threading.Thread(
                    target=admin_loop,
                    args=(Administrator(base_url, a, outbox / "sms", tally), i, deadline, start),
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
                    lambda: outbox_unfinished() == 0,
                    timeout=config.drain_seconds,
                    what="the worker to deliver the outbox",
                )
            except RuntimeError as error:
                tally.error(str(error))
        # counted once the worker stopped: nothing is delivered any more
        result = outcome(accounts, outbox / "mail")
        from django.db import connections

        connections.close_all()
    finally:
        http.close()
        drop_database(config)

    ok = report(tally, result, elapsed=elapsed)
    print(
        "load: OK (every signed invitation emailed exactly once, no error)"
        if ok
        else f"load: FAILED (logs in {workdir})"
    )
    if ok:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
