"""`make scaleout`: the portal as several machines, on loopback, bounded in time; not in `make test`.

Two gunicorn web nodes (each its own private folder, unused: private files are in the database),
two Celery workers and two beats share one PostgreSQL database (SCALEOUT_DATABASE, dropped at the
end) and one private redis-server. SCALEOUT_ADMINS administrators (default 4), each in their own
company, loop for SCALEOUT_SECONDS (default 30), every request going to the other node than the
last: log in, invite, ask for the code (read from the SMS outbox), sign; then file a request with a
PDF on one node and download it from the other. During the run one worker is killed in the middle
of sending an email (its mail backend hangs on purpose) and a new one started, and web node B is
restarted (its listening socket stays open, as a load balancer's retry would hide the gap).

It prints invitations signed, emailed, duplicated and missing, server errors, signature → email
p50/p95, files uploaded on one node and served by the other, and how long after the kill the killed
worker's email arrived. Exit status 1 unless signed = emailed, nothing duplicated or missing, no
server error, every file served by the other node, and the killed worker's email within
SCALEOUT_RECOVERY_SECONDS (60).

Environment: SCALEOUT_SECONDS (30), SCALEOUT_ADMINS (4), SCALEOUT_DATABASE (portal_scaleout),
SCALEOUT_DRAIN_SECONDS (90), SCALEOUT_RECOVERY_SECONDS (60), LOAD_POSTGRES
(postgres://postgres@127.0.0.1:5432).
"""

import io
import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses
from functools import partial
from pathlib import Path
from typing import Any

import requests
from load import (
    BIN,
    ROOT,
    UNLIMITED,
    AdminAccount,
    Administrator,
    Config,
    Step,
    Tally,
    drop_database,
    free_port,
    http_answers,
    listening_socket,
    ours_answers,
    recreate_database,
    seed,
    wait_until,
)
from pypdf import PdfWriter

ATTACHMENT = re.compile(r"/entreprises/[0-9]+/demandes/[0-9]+/pieces/[0-9]+/")


@dataclass(frozen=True)
class Settings:
    seconds: float
    admins: int
    database: str
    drain_seconds: float
    recovery_seconds: float
    postgres: str

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            seconds=float(os.environ.get("SCALEOUT_SECONDS", "30")),
            admins=int(os.environ.get("SCALEOUT_ADMINS", "4")),
            database=os.environ.get("SCALEOUT_DATABASE", "portal_scaleout"),
            drain_seconds=float(os.environ.get("SCALEOUT_DRAIN_SECONDS", "90")),
            recovery_seconds=float(os.environ.get("SCALEOUT_RECOVERY_SECONDS", "60")),
            postgres=os.environ.get("LOAD_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        )


@dataclass
class Observed:
    """What the clients saw: when each invitation was signed, server errors, files across nodes."""

    signed_at: dict[str, float] = field(default_factory=dict)  # invitee email → wall clock
    server_errors: list[str] = field(default_factory=list)
    uploads: int = 0
    served_by_other_node: int = 0
    slowest: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def pdf_bytes(label: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": label})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


class NodeHopper(Administrator):
    """An administrator whose every request goes to the other node than the one before."""

    def __init__(self, nodes: list[str], *args: Any, observed: Observed) -> None:
        super().__init__(nodes[0], *args)
        self._nodes = itertools.cycle(nodes)
        self.observed = observed

    @property  # type: ignore[override]
    def base(self) -> str:
        return next(self._nodes)

    @base.setter
    def base(self, value: str) -> None:
        pass

    def _count_server_errors(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        with self.observed.lock:
            if response.status_code >= 500:
                self.observed.server_errors.append(f"{response.status_code} {response.url}")
            self.observed.slowest.append((response.elapsed.total_seconds(), response.url))
            self.observed.slowest = sorted(self.observed.slowest, reverse=True)[:5]

    def log_in(self) -> None:
        super().log_in()
        self.session.hooks["response"].append(self._count_server_errors)

    def sign_one(self, email: str) -> None:
        super().sign_one(email)
        with self.observed.lock:
            self.observed.signed_at[email.lower()] = time.time()

    def file_round_trip(self, label: str) -> None:
        """File a draft request with a PDF through one node, download it through the other."""
        content = pdf_bytes(label)
        path = f"/entreprises/{self.account.company_id}/demandes-entreprise/"
        self.tally.count_request()
        uploaded_on = self.base
        self.session.get(uploaded_on + path, timeout=30)
        response = self.session.post(
            uploaded_on + path,
            data={
                "kind": "new_contract",
                "subject": label,
                "description": "Charge multi-nœuds",
                "action": "draft",
                "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""),
            },
            files={"documents": ("devis.pdf", content, "application/pdf")},
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code != 302:
            raise Step(f"upload: {response.status_code}")
        with self.observed.lock:
            self.observed.uploads += 1
        served_by = self.base  # the other node
        self.tally.count_request()
        page = self.session.get(served_by + response.headers["Location"], timeout=30)
        found = ATTACHMENT.search(page.text)
        if page.status_code != 200 or found is None:
            raise Step(f"request page on the other node: {page.status_code}")
        self.tally.count_request()
        download = self.session.get(served_by + found.group(0), timeout=30)
        if download.status_code != 200 or download.content != content:
            raise Step(f"download on the other node: {download.status_code}")
        with self.observed.lock:
            self.observed.served_by_other_node += 1


def admin_loop(admin: NodeHopper, index: int, deadline: float, start: threading.Barrier) -> None:
    tally = admin.tally
    start.wait(timeout=60)
    for n in itertools.count(1):
        if time.monotonic() >= deadline:
            break
        try:
            admin.sign_one(f"invite-{index}-{n}@partenaire.example")
            tally.count_signed()
            admin.file_round_trip(f"Demande {index}-{n}")
        except (Step, requests.RequestException) as error:
            tally.error(f"admin {index}, round {n}: {error}")
        with tally.lock:
            tally.iterations += 1


# --- Processes ---------------------------------------------------------------------------------


class Processes:
    """Every process of the run, each in its own process group (killed whole when it must die)."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.started: list[subprocess.Popen[bytes]] = []

    def start(
        self, name: str, command: list[str], *, pass_fds: tuple[int, ...] = (), **env: str
    ) -> subprocess.Popen[bytes]:
        with (self.workdir / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(  # noqa: S603  # our own binaries, no shell
                command,
                cwd=ROOT,
                env={**self.env, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=pass_fds,
                start_new_session=True,
            )
        self.started.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the process and its children: no warm shutdown, nothing acknowledged."""
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    @staticmethod
    def stop(process: subprocess.Popen[bytes], grace: float = 20) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            self.stop(process)


def worker_command(queue: str, name: str) -> list[str]:
    return [
        *(str(BIN / "celery"), "-A", "portal", "worker", "--concurrency=2", f"--queues={queue}"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"),
        f"--hostname={name}@%h",
    ]


def gunicorn_command(fd: int) -> list[str]:
    return [
        *(str(BIN / "gunicorn"), "--config=python:portal.gunicorn_conf", "portal.wsgi:application"),
        *("--workers=2", f"--bind=fd://{fd}", "--log-level=warning", "--no-control-socket"),
    ]


# --- Outcome -----------------------------------------------------------------------------------


def received(mail_dir: Path) -> dict[str, list[float]]:
    """When the mail backend received each email, by recipient."""
    parser = BytesParser(policy=policy.default)
    times: dict[str, list[float]] = {}
    for path in mail_dir.glob("*.eml"):
        with path.open("rb") as file:
            headers = parser.parse(file, headersonly=True)
        for _name, address in getaddresses(headers.get_all("To", [])):
            times.setdefault(address.lower(), []).append(path.stat().st_mtime)
    return times


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Kill:
    recipient: str = ""
    killed_at: float = 0.0
    restarted_node_at: float = 0.0


def chaos(
    processes: Processes,
    *,
    workdir: Path,
    workers: dict[str, subprocess.Popen[bytes]],
    queue: str,
    node_b: tuple[subprocess.Popen[bytes], int],
    deadline: float,
    seconds: float,
    kill: Kill,
) -> None:
    """Kill the worker that hangs in the middle of a send, start another; restart web node B."""
    marker = workdir / "hang.hanging"
    while not marker.exists() and time.monotonic() < deadline + 30:
        time.sleep(0.05)
    if marker.exists():
        name, recipient = marker.read_text().split("\n", 1)
        processes.kill(workers[name])
        kill.killed_at = time.time()
        kill.recipient = recipient.strip().lower()
        processes.start(f"worker-{name}b", worker_command(queue, f"worker-{name}b"))
    # node B restarts a little later, while the load still runs (if the run is long enough)
    time.sleep(max(0.0, min(seconds * 0.2, deadline - time.monotonic() - 2)))
    process, fd = node_b
    processes.stop(process)
    processes.start("node-b", gunicorn_command(fd), pass_fds=(fd,))
    kill.restarted_node_at = time.time()


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    # the processes run in groups of their own: the clean-up below must run to stop them
    raise SystemExit(1)


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    config = Settings.from_env()
    workdir = Path(tempfile.mkdtemp(prefix="portal-scaleout-"))
    outbox = workdir / "outbox"
    (outbox / "sms").mkdir(parents=True)
    redis_port = free_port()
    sockets = [listening_socket(), listening_socket()]
    nodes = [f"http://127.0.0.1:{s.getsockname()[1]}" for s in sockets]
    queue = f"portal-scaleout-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "scripts"), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "scaleout_settings",
        "DJANGO_DEBUG": "false",
        # the same key on every node: sessions, CSRF and signed links hold on all of them
        "DJANGO_SECRET_KEY": "scaleout-run-only-" + uuid.uuid4().hex * 2,
        "DATABASE_URL": f"{config.postgres}/{config.database}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PRIVATE_STORAGE": "database",
        "SMS_BACKEND": "console",
        "OUTBOX_DIR": str(outbox),
        "PORTAL_BASE_URL": nodes[0],
        "LOG_LEVEL": "WARNING",
        "SCALEOUT_HANG_FLAG": str(workdir / "hang.flag"),
        "SMS_PER_ADMIN_PER_10_MINUTES": UNLIMITED,
        "SMS_PER_ADMIN_PER_DAY": UNLIMITED,
        "INVITATIONS_PER_COMPANY_PER_DAY": UNLIMITED,
    }
    env.pop("EMAIL_URL", None)
    os.environ.pop("EMAIL_URL", None)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    sys.path[:0] = [str(ROOT / "scripts"), str(ROOT)]
    load_config = Config(
        seconds=config.seconds,
        admins=config.admins,
        database=config.database,
        drain_seconds=config.drain_seconds,
        postgres=config.postgres,
    )
    print(
        f"scaleout: 2 web nodes, 2 workers, 2 beats; {config.admins} administrators for "
        f"{config.seconds:.0f} s; files in {workdir}",
        flush=True,
    )
    recreate_database(load_config)
    processes = Processes(workdir, env)
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        accounts = seed(config.admins)
        redis_server = shutil.which("redis-server") or "redis-server"
        redis_process = processes.start(
            "redis",
            [
                *(redis_server, "--port", str(redis_port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
        )
        wait_until(lambda: ours_answers(redis_process, redis_port), timeout=10, what="redis")
        node_processes = []
        for n, sock in enumerate(sockets):
            node_processes.append(
                processes.start(
                    f"node-{'ab'[n]}",
                    gunicorn_command(sock.fileno()),
                    pass_fds=(sock.fileno(),),
                    PRIVATE_MEDIA_ROOT=str(workdir / f"private-{'ab'[n]}"),
                )
            )
        workers = {
            name: processes.start(
                f"worker-{name}", worker_command(queue, f"worker-{name}"), SCALEOUT_WORKER=name
            )
            for name in ("1", "2")
        }
        for n in (1, 2):
            processes.start(
                f"beat-{n}",
                [
                    *(str(BIN / "celery"), "-A", "portal", "beat", "--loglevel=WARNING"),
                    f"--schedule={workdir / f'beat-{n}-schedule'}",
                ],
            )
        for node in nodes:
            wait_until(partial(http_answers, node + "/healthz"), timeout=60, what=node)
        # the next email hangs in its worker; the chaos thread kills that worker in the middle
        (workdir / "hang.flag").write_text("hang")
        tally, observed, kill = Tally(), Observed(), Kill()
        start = threading.Barrier(len(accounts) + 1)
        started = time.monotonic()
        deadline = started + config.seconds
        threads = [
            threading.Thread(
                target=admin_loop,
                args=(
                    NodeHopper(nodes, account, outbox / "sms", tally, observed=observed),
                    i,
                    deadline,
                    start,
                ),
            )
            for i, account in enumerate(accounts)
        ]
        troublemaker = threading.Thread(
            target=chaos,
            kwargs={
                "processes": processes,
                "workdir": workdir,
                "workers": workers,
                "queue": queue,
                "node_b": (node_processes[1], sockets[1].fileno()),
                "deadline": deadline,
                "seconds": config.seconds,
                "kill": kill,
            },
        )
        for thread in threads:
            thread.start()
        troublemaker.start()
        start.wait(timeout=60)
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        troublemaker.join()
        return report(config, outbox / "mail", tally, observed, kill, elapsed, accounts)
    finally:
        processes.stop_all()
        for sock in sockets:
            sock.close()
        drop_database(load_config)


def drained(accounts: list[AdminAccount]) -> bool:
    from core.models import Message, MessageStatus
    from invitations.models import Invitation, InvitationStatus

    return (
        not Message.objects.filter(
            status__in=[MessageStatus.PENDING, MessageStatus.SENDING]
        ).exists()
        and not Invitation.objects.filter(
            company_id__in=[a.company_id for a in accounts], status=InvitationStatus.SIGNED
        ).exists()
    )


def report(
    config: Settings,
    mail_dir: Path,
    tally: Tally,
    observed: Observed,
    kill: Kill,
    elapsed: float,
    accounts: list[AdminAccount],
) -> int:
    try:
        wait_until(lambda: drained(accounts), timeout=config.drain_seconds, what="the outbox")
    except RuntimeError as error:
        tally.error(str(error))
    times = received(mail_dir)
    signed = observed.signed_at
    emailed = sum(1 for email in signed if len(times.get(email, [])) >= 1)
    duplicated = sum(1 for email in signed if len(times.get(email, [])) > 1)
    missing = sum(1 for email in signed if not times.get(email))
    delays = [min(times[email]) - at for email, at in signed.items() if times.get(email)]
    killed_email = (
        min(times[kill.recipient]) - kill.killed_at
        if kill.recipient and times.get(kill.recipient)
        else None
    )
    print(f"requests:                    {tally.requests} in {elapsed:.1f} s")
    print(f"invitations signed:          {len(signed)}")
    print(f"invitations emailed:         {emailed}")
    print(f"emails duplicated:           {duplicated}")
    print(f"emails missing:              {missing}")
    print(f"server errors:               {len(observed.server_errors)}")
    print(
        f"signature → email:           p50 {percentile(delays, 0.5):.2f} s, "
        f"p95 {percentile(delays, 0.95):.2f} s"
    )
    print(
        f"file uploaded on node A served by node B: {observed.served_by_other_node} of "
        f"{observed.uploads}"
    )
    if killed_email is None:
        print("killed worker's email:       no worker was killed mid-send, or its email never came")
    else:
        print(f"killed worker's email:       delivered {killed_email:.1f} s after the kill")
    print(f"web node B restarted:        {'yes' if kill.restarted_node_at else 'no'}")
    for seconds, url in observed.slowest:
        print(f"slow request:                {seconds:.2f} s {url}")
    errors = tally.errors + observed.server_errors
    print(f"errors:                      {len(errors)}")
    for message in errors[:20]:
        print(f"  - {message}")
    ok = (
        not errors
        and len(signed) > 0
        and emailed == len(signed)
        and duplicated == missing == 0
        and observed.uploads > 0
        and observed.served_by_other_node == observed.uploads
        and killed_email is not None
        and killed_email <= config.recovery_seconds
        and bool(kill.restarted_node_at)
    )
    print("scaleout: OK" if ok else "scaleout: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
