"""`make scaleout` boots in a tiny mode (5 s, 2 administrators) so that it cannot break unseen: two
web nodes, two workers, two beats, a worker killed mid-send and a node restarted, on a database of
its own. About a minute and a half: the killed worker's email comes back through the sweep."""

import re
import subprocess
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.tooling.commands import make_command, make_env, started


@pytest.fixture
def scaleout_database() -> Iterator[str]:
    """A database of this run only; the script creates and drops it, dropped here too."""
    name = f"portal_scaleout_test_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def figure(output: str, label: str) -> str:
    found = re.search(rf"^{re.escape(label)}: +(.+)$", output, re.M)
    assert found, output[-3000:]
    return found[1]


@pytest.mark.worker
def test_make_scaleout_holds_on_two_nodes_with_a_worker_killed(scaleout_database, tmp_path):
    log = tmp_path / "scaleout.log"
    env = make_env(SCALEOUT_SECONDS="5", SCALEOUT_ADMINS="2", SCALEOUT_DATABASE=scaleout_database)

    with started(make_command("scaleout"), env=env, log=log) as run:
        try:
            run.wait(timeout=240)
        except subprocess.TimeoutExpired:
            pytest.fail(f"`make scaleout` still runs after 240 s: {log.read_text()[-3000:]}")

    output = log.read_text()
    assert run.returncode == 0, output[-3000:]
    signed = int(figure(output, "invitations signed"))
    assert signed > 0
    assert int(figure(output, "invitations emailed")) == signed
    assert figure(output, "emails duplicated") == "0"
    assert figure(output, "emails missing") == "0"
    assert figure(output, "server errors") == "0"
    assert re.match(r"p50 [0-9.]+ s, p95 [0-9.]+ s", figure(output, "signature → email"))
    served, uploaded = re.fullmatch(
        r"([0-9]+) of ([0-9]+)", figure(output, "file uploaded on node A served by node B")
    ).groups()  # type: ignore[union-attr]
    assert served == uploaded != "0"
    delay = re.fullmatch(
        r"delivered ([0-9.]+) s after the kill", figure(output, "killed worker's email")
    )
    assert delay and float(delay[1]) <= 60
    assert "scaleout: OK" in output
