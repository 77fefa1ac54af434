"""`make load`: a bounded load run on loopback, not part of `make test`.

gunicorn (2 workers) and a real Celery worker serve a dedicated database and a private Redis.
N administrators, each in their own company and thread, loop for LOAD_SECONDS: log in, invite,
ask for the code (the worker delivers the SMS from the outbox, `core.Message`, to the console
backend's files), sign. Meanwhile M members browse their company's pages (home, documents,
treasury, requests, Mes équipes) and the one-query view (scripts/load_urls.py), each request
timed. Then the worker drains the outbox and the run prints the requests, invitations signed and
emailed, the latency from a signature to its email in the mail backend (p50, p95, max), the
pages' latency under that mixed traffic and the one-query view's, and errors. Exit status 1
unless every signed invitation has exactly one email row in the outbox, sent, the mail backend
received exactly one email for it, and nothing failed.

Environment: LOAD_SECONDS (30), LOAD_ADMINS (4), LOAD_BROWSERS (2), LOAD_DATABASE (portal_load),
LOAD_DRAIN_SECONDS (60), LOAD_POSTGRES (postgres://postgres@127.0.0.1:5432).
"""

import datetime
import json
import math
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
    browsers: int = 2

    @classmethod
    def from_env(cls) -> "Config":
        return cls(
            seconds=float(os.environ.get("LOAD_SECONDS", "30")),
            admins=int(os.environ.get("LOAD_ADMINS", "4")),
            database=os.environ.get("LOAD_DATABASE", "portal_load"),
            drain_seconds=float(os.environ.get("LOAD_DRAIN_SECONDS", "60")),
            postgres=os.environ.get("LOAD_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
            browsers=int(os.environ.get("LOAD_BROWSERS", "2")),
        )


@dataclass
class Tally:
    signed: int = 0
    iterations: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    # invitee's email -> when the signature was answered (time.time(), the mail files' clock)
    signed_at: dict[str, float] = field(default_factory=dict)
    # page name -> seconds of each GET
    page_seconds: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count_signature(self, email: str) -> None:
        with self.lock:
            self.signed_at[email.lower()] = time.time()

    def count_page(self, name: str, seconds: float) -> None:
        with self.lock:
            self.requests += 1
            self.page_seconds.setdefault(name, []).append(seconds)

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


def seed(count: int, *, first: int = 0) -> list[AdminAccount]:
    """One company per administrator, so that no two threads share a budget or a lock; each holds
    a loan, a CLUB credit, a CBM lease and a bank account, so that every section has rows."""
    import django

    django.setup()
    from decimal import Decimal

    from accounts.models import User
    from companies.models import Company, Contract, ContractKind, Membership, Role
    from treasury.models import BankAccount

    run = uuid.uuid4().int % 10_000_000
    today = datetime.date.today()
    accounts = []
    for n in range(first, first + count):
        company = Company.objects.create(name=f"Charge {n} SAS", siren=f"{run:07d}{n:02d}")
        for number, kind in enumerate((ContractKind.LOAN, ContractKind.CLUB, ContractKind.CBM)):
            Contract.objects.create(
                company=company,
                kind=kind,
                reference=f"CH-{run}-{n}-{number}",
                amount=Decimal("180000"),
                start_date=today - datetime.timedelta(days=400),
                end_date=today + datetime.timedelta(days=3000),
                annual_rate=Decimal("3.2"),
                drawn_amount=Decimal("90000") if kind == ContractKind.CLUB else Decimal("0"),
                residual_value=Decimal("9000") if kind == ContractKind.CBM else Decimal("0"),
            )
        BankAccount.objects.create(
            company=company,
            label="Compte courant",
            number_end="4821",
            balance=Decimal("125000.00"),
            balance_date=today,
        )
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
    received: int  # invitation emails the mail backend kept (files in OUTBOX_DIR/mail)
    notices: int  # the "new login" emails of the run's own accounts
    emailed_once: int  # invitations with one email row, sent, and one email received
    problems: list[str]


def email_latencies(mail_dir: Path, signed_at: dict[str, float]) -> list[float]:
    """Seconds from each answered signature to its email's file in the mail backend."""
    parser = BytesParser(policy=policy.default)
    latencies = []
    for path in mail_dir.glob("*.eml"):
        with path.open("rb") as file:
            headers = parser.parse(file, headersonly=True)
        for _name, address in getaddresses(headers.get_all("To", [])):
            if (signed := signed_at.get(address.lower())) is not None:
                latencies.append(max(0.0, path.stat().st_mtime - signed))
    return latencies


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.5 is the median)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def latency_line(values: list[float]) -> str:
    if not values:
        return "no measure"
    return (
        f"p50 {percentile(values, 0.5) * 1000:.0f} ms, p95 {percentile(values, 0.95) * 1000:.0f} ms, "
        f"max {max(values) * 1000:.0f} ms ({len(values)})"
    )


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


def outcome(
    accounts: list[AdminAccount], mail_dir: Path, *, logged_in: list[AdminAccount]
) -> Outcome:
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
    to_invitees = sum(received.get(i.email.lower(), 0) for i in invitations)
    # each account of the run logs in from a browser not seen before: a "new login" notice each
    notices = sum(received.get(a.email.lower(), 0) for a in logged_in)
    strays = sum(received.values()) - to_invitees - notices
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
        received=to_invitees,
        notices=notices,
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
        self.tally.count_signature(email)


# what a member browsing the space opens, in this order, again and again
PAGES = {
    "one-query view": "/charge/une-requete/",
    "company home": "/entreprises/{company}/",
    "documents": "/entreprises/{company}/documents/",
    "treasury": "/entreprises/{company}/tresorerie/",
    "request tracking": "/entreprises/{company}/demandes/",
    "fund operations": "/entreprises/{company}/gestion-des-fonds/",
    "Mes équipes": "/entreprises/{company}/equipes/",
}


def browse_loop(
    browser: Administrator, index: int, seconds: float, start: threading.Barrier
) -> None:
    """A member opening pages while others sign; every GET is timed, each page at least once."""
    tally = browser.tally
    try:
        browser.log_in()  # before the start: the run measures browsing, not logging in
    except (Step, requests.RequestException) as error:
        tally.error(f"browser {index}: {error}")
    start.wait(timeout=120)
    deadline = time.monotonic() + seconds
    while True:
        for name, path in PAGES.items():
            url = browser.base + path.format(company=browser.account.company_id)
            began = time.perf_counter()
            try:
                response = browser.session.get(url, allow_redirects=False, timeout=30)
            except requests.RequestException as error:
                tally.error(f"browser {index}, {name}: {error}")
                continue
            tally.count_page(name, time.perf_counter() - began)
            if response.status_code != 200:
                tally.error(f"browser {index}, {name}: {response.status_code}")
        if time.monotonic() >= deadline:
            return


def admin_loop(admin: Administrator, index: int, seconds: float, start: threading.Barrier) -> None:
    tally = admin.tally
    start.wait(timeout=120)
    deadline = time.monotonic() + seconds
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


def report(tally: Tally, result: Outcome, *, elapsed: float, latencies: list[float]) -> bool:
    """Print the figures; True when every signed invitation was emailed once and nothing failed."""
    print(f"requests:            {tally.requests} ({tally.requests / elapsed:.1f}/s)")
    print(f"signature to email:  {latency_line(latencies)}")
    browsed = [
        s for name, times in tally.page_seconds.items() if name != "one-query view" for s in times
    ]
    print(f"pages while signing: {latency_line(browsed)}")
    for name, times in tally.page_seconds.items():
        print(f"  {name + ':':<18} {latency_line(times)}")
    baseline = tally.page_seconds.get("one-query view", [])
    if baseline and browsed:
        ratio = percentile(browsed, 0.5) / percentile(baseline, 0.5)
        print(f"pages p50 / one-query view p50: ×{ratio:.1f}")
    print(f"iterations:          {tally.iterations} in {elapsed:.1f} s")
    print(f"invitations signed:  {tally.signed} ({tally.signed / elapsed:.1f}/s)")
    print(f"emailed exactly once: {result.emailed_once}")
    print(f"emails received:     {result.received}")
    print(f"new-login notices:   {result.notices} (one per account of the run)")
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
        # a throwaway run: the codes are read from the development outbox's files
        "DJANGO_ALLOW_DEVELOPMENT_OUTBOX": "true",
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
    if not env.get("PDF_SEAL_PKCS12"):
        # production settings need the bank's seal: a throwaway one of this run
        from core.seal_material import DEVELOPMENT_PASSPHRASE, development_seal_create

        seal = development_seal_create(workdir / "seal", bank="Banque Exemple")
        env.update(PDF_SEAL_PKCS12=str(seal.pkcs12), PDF_SEAL_PASSPHRASE=DEVELOPMENT_PASSPHRASE)
        os.environ.update(
            PDF_SEAL_PKCS12=str(seal.pkcs12), PDF_SEAL_PASSPHRASE=DEVELOPMENT_PASSPHRASE
        )
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
        browsing = seed(config.browsers, first=config.admins)
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
                timeout=120,  # a busy machine
                what="gunicorn",
            )
            start = threading.Barrier(len(accounts) + len(browsing) + 1)
            threads = [
                threading.Thread(
                    target=admin_loop,
                    args=(
                        Administrator(base_url, a, outbox / "sms", tally),
                        i,
                        config.seconds,
                        start,
                    ),
                )
                for i, a in enumerate(accounts)
            ] + [
                threading.Thread(
                    target=browse_loop,
                    args=(
                        Administrator(base_url, a, outbox / "sms", tally),
                        i,
                        config.seconds,
                        start,
                    ),
                )
                for i, a in enumerate(browsing)
            ]
            for thread in threads:
                thread.start()
            start.wait(timeout=120)
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
        result = outcome(accounts, outbox / "mail", logged_in=accounts + browsing)
        latencies = email_latencies(outbox / "mail", tally.signed_at)
        from django.db import connections

        connections.close_all()
    finally:
        http.close()
        drop_database(config)

    ok = report(tally, result, elapsed=elapsed, latencies=latencies)
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
