"""Every command the README names is at least booted by a test of `make test`: the long-running
ones (worker, beat) are started through make on a private Redis until they answer the health check
docker-compose.yml gives them, then stopped; `make fuzz` runs one quick property test under the
fuzz profile; `make bench` measures its baselines and every company page on one small company
(BENCH_TINY); `make load` runs for a few seconds with two
administrators on a database of its own."""

import os
import re
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import yaml
from hypothesis import settings as hypothesis_settings

from tests.tooling.commands import (
    ROOT,
    VENV,
    make_command,
    make_env,
    private_redis,
    started,
    wait_for,
)

README = (ROOT / "README.md").read_text()
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

# What boots each command the README names. A new command in the README needs its line here.
BOOTED_BY = {
    "run": "tests/e2e/test_embedded_default.py runs its four steps (here: the recipe is those)",
    "test": ".ci/run",
    "venv": "make test (its first prerequisite)",
    "lint": "make test runs the same ruff check, ruff format --check and mypy",
    "fmt": "dry run only: it rewrites the files",
    "worker": "test_make_worker_answers_the_compose_health_check",
    "beat": "test_make_beat_ticks_and_passes_the_compose_health_check",
    "fuzz": "test_make_fuzz_runs_a_property_test_under_the_fuzz_profile",
    "bench-audit": "tests/audit/test_chain_bench.py runs its script on 3,000 events",
    "bench": "test_make_bench_measures_every_company_page_in_its_tiny_mode",
    "load": "test_make_load_signs_and_emails_every_invitation_once (3 s, 2 administrators, "
    "1 member browsing)",
    "scaleout": "tests/tooling/test_make_scaleout.py (5 s, 2 administrators, 2 nodes)",
}


def compose_check(service: str) -> str:
    """The health check's shell command as the container runs it (compose turns $$ into $)."""
    kind, command = COMPOSE["services"][service]["healthcheck"]["test"]
    assert kind == "CMD-SHELL"
    return str(command).replace("$$", "$")


def sh(command: str, *, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/sh", "-c", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_every_command_the_readme_names_exists_and_is_booted_by_a_test():
    named = set(re.findall(r"\bmake ([\w-]*\w)", README))

    assert named == set(BOOTED_BY)
    for target in sorted(named):
        dry_run = subprocess.run(
            make_command("-n", target), cwd=ROOT, env=make_env(), capture_output=True, text=True
        )
        assert dry_run.returncode == 0, f"make {target}: {dry_run.stderr}"


def test_make_run_runs_the_steps_the_embedded_default_test_boots():
    dry_run = subprocess.run(
        make_command("-n", "run"), cwd=ROOT, env=make_env(), capture_output=True, text=True
    )

    steps = [line for line in dry_run.stdout.splitlines() if "manage.py" in line]
    assert [line.split("manage.py ", 1)[1] for line in steps] == [
        "migrate --noinput",
        "load_demo",
        "seal_development",
        "runserver 127.0.0.1:8000",
    ]
    # the embedded defaults: no database or broker from the shell, DEBUG on
    assert all("-u DATABASE_URL -u REDIS_URL" in line for line in steps)
    assert all("DJANGO_DEBUG=true" in line for line in steps)


@pytest.fixture
def broker():
    with private_redis() as url:
        yield url


@pytest.fixture
def celery_env(broker: str, tmp_path: Path) -> dict[str, str]:
    # a development worker, as `make worker` documents; its database is never reached here
    return make_env(
        REDIS_URL=broker,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_DEBUG="true",
        LOG_LEVEL="WARNING",
    )


def test_make_worker_answers_the_compose_health_check(celery_env, tmp_path):
    check = compose_check("worker")
    env = {**celery_env, "HOSTNAME": socket.gethostname()}  # what a container's shell has

    log = tmp_path / "worker.log"

    with started(make_command("worker"), env=env, log=log) as worker:

        def ready() -> bool:
            assert worker.poll() is None, log.read_text()[-3000:]
            return " ready." in log.read_text()  # `-l info`: logged once it takes remote control

        wait_for(ready, timeout=90, what="`make worker` to be ready")
        answered = sh(check, env=env)
        assert answered.returncode == 0, answered.stdout + answered.stderr
        # the pong of this very worker: the check names the node `make worker` and compose start
        # (with no reply, `celery inspect ping` exits 69 and the container turns unhealthy)
        assert f"celery@{socket.gethostname()}: OK" in answered.stdout


def test_make_beat_ticks_and_passes_the_compose_health_check(celery_env, tmp_path):
    schedule = tmp_path / "celerybeat-schedule"
    heartbeat = Path(f"{schedule}.alive")
    check = compose_check("beat").replace("/app/var/celerybeat-schedule", str(schedule))
    assert str(heartbeat) in check

    with started(
        make_command(f"BEAT_SCHEDULE={schedule}", "beat"), env=celery_env, log=tmp_path / "b.log"
    ) as beat:

        def ticked() -> bool:
            assert beat.poll() is None, (tmp_path / "b.log").read_text()[-3000:]
            return heartbeat.exists()

        wait_for(ticked, timeout=90, what="`make beat` to tick")
        assert sh(check, env=celery_env).returncode == 0

    # a beat that stopped ticking minutes ago fails it
    three_minutes_ago = time.time() - 180
    os.utime(heartbeat, (three_minutes_ago, three_minutes_ago))
    assert sh(check, env=celery_env).returncode != 0


def test_make_fuzz_runs_a_property_test_under_the_fuzz_profile():
    examples = hypothesis_settings.get_profile("fuzz").max_examples
    assert examples > hypothesis_settings.get_profile("ci").max_examples

    result = subprocess.run(
        make_command(
            "fuzz",
            "FUZZ_ARGS=tests/documents/test_amortisation.py -k the_principal_repaid",
        ),
        cwd=ROOT,
        env=make_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "1 passed" in result.stdout
    assert f"{examples} passing" in result.stdout
    assert f"Stopped because settings.max_examples={examples}" in result.stdout


def test_make_bench_measures_every_company_page_in_its_tiny_mode():
    database = f"postgres://postgres@127.0.0.1:5432/portal_bench_boot_{uuid.uuid4().hex[:8]}"
    result = subprocess.run(
        make_command(
            "bench",
            f"BENCH_DATABASE_URL={database}",
            "BENCH_ARGS=-k 'baseline or company_page'",
        ),
        cwd=ROOT,
        env=make_env(BENCH_TINY="1"),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    output = result.stdout
    assert result.returncode == 0, output[-3000:] + result.stderr[-3000:]
    assert "Company pages: median time as a ratio to the one-query view's" in output
    for page in ("company home", "gestion des fonds", "trésorerie + chart", "rachat anticipé"):
        row = re.search(rf"^{re.escape(page)} +×[0-9.]+ +([0-9]+) queries$", output, re.M)
        assert row, f"{page}: {output[-3000:]}"
        assert 0 < int(row[1]) <= 10
    assert "baseline again, at the end (drift)" in output


@pytest.fixture
def load_database() -> Iterator[str]:
    """A database name of this run only: the script creates and drops it; dropped here too, in
    case the run was stopped before its own clean-up."""
    name = f"portal_load_test_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.worker
def test_make_load_signs_and_emails_every_invitation_once(load_database, tmp_path):
    # besides its database: a private Redis on a port the script checks is its own, gunicorn on a
    # socket it inherits already listening, a Celery queue and a file outbox of its own
    log = tmp_path / "load.log"
    env = make_env(
        LOAD_SECONDS="3", LOAD_ADMINS="2", LOAD_BROWSERS="1", LOAD_DATABASE=load_database
    )

    with started(make_command("load"), env=env, log=log) as load:
        try:
            load.wait(timeout=300)
        except subprocess.TimeoutExpired:
            pytest.fail(f"`make load` still runs after 300 s: {log.read_text()[-3000:]}")

    output = log.read_text()
    assert load.returncode == 0, output[-3000:]
    signed = re.search(r"^invitations signed: +([0-9]+) ", output, re.M)
    assert signed and int(signed[1]) > 0, output[-3000:]
    assert re.search(rf"^emailed exactly once: {signed[1]}$", output, re.M)
    assert re.search(rf"^emails received: +{signed[1]}$", output, re.M)
    assert re.search(r"^requests: +[1-9][0-9]* ", output, re.M)
    assert re.search(r"^errors: +0$", output, re.M)
    assert "load: OK" in output
    # the latencies: signature to email, pages while others sign, the one-query view
    latency = r"p50 [0-9]+ ms, p95 [0-9]+ ms, max [0-9]+ ms \([1-9][0-9]*\)"
    assert re.search(rf"^signature to email: +{latency}$", output, re.M), output[-3000:]
    assert re.search(rf"^pages while signing: +{latency}$", output, re.M), output[-3000:]
    assert re.search(rf"^  one-query view: +{latency}$", output, re.M), output[-3000:]
    assert re.search(r"^pages p50 / one-query view p50: ×[0-9.]+$", output, re.M)


def test_load_settings_migrate_an_empty_database_and_pass_the_checks(load_database):
    """`make load` runs on scripts/load_settings.py: a settings change that breaks it (a storage
    left out, say) fails here, not on the day someone measures."""
    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{load_database}"')
    env = make_env(
        PYTHONPATH=os.pathsep.join([str(ROOT / "scripts"), str(ROOT)]),
        DJANGO_SETTINGS_MODULE="load_settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="load-settings-boot-" + uuid.uuid4().hex * 2,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{load_database}",
        LOG_LEVEL="WARNING",
    )

    for command in (["migrate", "--noinput"], ["check"]):
        result = subprocess.run(
            [str(VENV / "bin" / "python"), "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
