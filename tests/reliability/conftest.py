"""Real failures on loopback: a private Redis that can be stopped, a fake mail server that fails or
hangs on demand, and Celery workers in subprocesses that can be killed.

Nothing here touches the machine's shared Redis: each test gets its own redis-server on a free port,
and this process's Celery app publishes to it for the duration of the test.
"""

import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from kombu import pools as kombu_pools

from portal.celery import app

CELERY = Path(sys.executable).parent / "celery"
BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(
    condition: Callable[[], bool],
    *,
    timeout: float = 20.0,
    what: str = "the condition",
    alive: Callable[[], None] | None = None,
) -> None:
    """Poll until `condition` holds; `alive` raises early when a process it depends on died."""
    deadline = time.monotonic() + timeout
    while not condition():
        if alive is not None:
            alive()
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


# --- A private Redis ---------------------------------------------------------------------------


@dataclass
class RedisServer:
    """A redis-server of our own, on a fixed loopback port so that it can be stopped and restarted."""

    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.2)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_for(answers, timeout=10, what=f"redis-server on port {self.port}")
        client.close()
        # the one that answered is ours, not another server that took the port in between
        assert self.process.poll() is None, f"redis-server could not listen on {self.port}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def freeze(self) -> None:
        """Redis stops answering but keeps its connections open (a hung host, a lost network)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def holds_no_message(self, queue: str) -> bool:
        """Nothing waits in `queue` and nothing delivered is still unacknowledged."""
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)
        try:
            return client.llen(queue) == 0 and client.hlen("unacked") == 0
        finally:
            client.close()


def _forget_broker_connections() -> None:
    # the app keeps a pool of broker connections and producers: drop them so the next publish
    # connects to whatever broker_url says now. They live in kombu's registries, one per broker
    # URL: a pool closed but left there would be handed back, closed, when the URL comes back
    # ("Acquire on closed pool"), and this process could no longer publish to the run's broker.
    celery_app: Any = app
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def private_broker() -> Iterator[RedisServer]:
    """A redis-server of this test's own; this process's Celery app publishes to it."""
    server = RedisServer(port=free_port())
    server.start()
    previous = app.conf.broker_url
    _forget_broker_connections()
    app.conf["broker_url"] = server.url
    try:
        yield server
    finally:
        _forget_broker_connections()
        app.conf["broker_url"] = previous
        server.stop()


# --- A fake mail server ------------------------------------------------------------------------


@dataclass
class Delivered:
    recipients: list[str]
    data: bytes


@dataclass
class FakeSmtp:
    """An SMTP server that refuses (451) or hangs on the next messages, as told, then delivers.

    A message counts as delivered only once the server has answered 250 to its DATA.
    """

    port: int = 0
    refuse_next: int = 0
    hang_next: int = 0
    received: int = 0
    delivered: list[Delivered] = field(default_factory=list)
    hanging: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def decide(self) -> str:
        with self.lock:
            self.received += 1
            if self.hang_next:
                self.hang_next -= 1
                return "hang"
            if self.refuse_next:
                self.refuse_next -= 1
                return "refuse"
            return "deliver"


def smtp_handler_for(fake: FakeSmtp) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")
            self.wfile.flush()

        def handle(self) -> None:
            recipients: list[str] = []
            self.reply("220 fake-smtp ready")
            while line := self.rfile.readline():
                verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    self.reply("250 fake-smtp")
                elif verb == "MAIL":
                    recipients = []
                    self.reply("250 OK")
                elif verb == "RCPT":
                    recipients.append(line.decode(errors="replace").split(":", 1)[1].strip())
                    self.reply("250 OK")
                elif verb == "DATA":
                    self.reply("354 end with <CRLF>.<CRLF>")
                    if not self.message(recipients, self.read_data()):
                        return
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:  # RSET, NOOP
                    self.reply("250 OK")

        def read_data(self) -> bytes:
            data = b""
            while (chunk := self.rfile.readline()) and chunk != b".\r\n":
                data += chunk
            return data

        def message(self, recipients: list[str], data: bytes) -> bool:
            decision = fake.decide()
            if decision == "hang":
                # never answer: the sender stays inside its DATA command until it dies
                fake.hanging.set()
                fake.release.wait(timeout=60)
                return False
            if decision == "refuse":
                self.reply("451 4.3.0 try again later")
                return True
            with fake.lock:
                fake.delivered.append(Delivered(recipients, data))
            self.reply("250 OK queued")
            return True

    return Handler


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def fake_smtp() -> Iterator[FakeSmtp]:
    fake = FakeSmtp()
    server = _SmtpServer(("127.0.0.1", 0), smtp_handler_for(fake))
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()


# --- Celery workers in subprocesses ------------------------------------------------------------


def test_database_url() -> str:
    """The database pytest-django made for this run, for processes other than this one."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "postgres")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


test_database_url.__test__ = False  # type: ignore[attr-defined]  # not a test, despite its name


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log: Path

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise AssertionError(
                f"the worker exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}"
            )

    def pool_processes(self) -> list[int]:
        """The prefork pool's child processes (Linux)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill(self) -> None:
        """SIGKILL the worker and anything it started: no warm shutdown, no acknowledgement."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def start_worker_process(
    private_broker: RedisServer, fake_smtp: FakeSmtp, tmp_path: Path
) -> Iterator[Callable[..., WorkerProcess]]:
    """start_worker_process(pool=..., **env) -> a `celery worker` process on the private broker.

    It reads this run's test database, mails through the fake SMTP server and retries at once.
    """
    started: list[WorkerProcess] = []

    def start(*, pool: str = "solo", **extra_env: str) -> WorkerProcess:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": private_broker.url,
            "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
            "EMAIL_URL": f"smtp://127.0.0.1:{fake_smtp.port}",
            "TASK_RETRY_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            **extra_env,
        }
        log = tmp_path / f"worker-{len(started)}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    str(CELERY),
                    "-A",
                    "portal",
                    "worker",
                    f"--pool={pool}",
                    "--concurrency=1",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=WARNING",
                    f"--hostname=reliability-{uuid.uuid4().hex[:8]}@%h",
                    f"--queues={settings.CELERY_TASK_DEFAULT_QUEUE}",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = WorkerProcess(process, log)
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.kill()


def status_of(model: Any, pk: Any) -> str:
    return str(model.objects.values_list("status", flat=True).get(pk=pk))
