"""`make bench-audit`: `verify_audit` walks the audit chain in bounded memory.

Not part of `make test` (a test boots it on a few thousand events). It creates a private database
(`--database`, default `portal_bench_audit`, dropped at the end unless `--keep`), migrates it,
writes chained events with COPY (hashes computed here, as `audit_record` would) up to a tenth of
`--events` (default 1,000,000), runs `manage.py verify_audit` in a child process and records its
peak resident memory and time, then fills up to `--events` and measures again. A child that only
starts Django gives the baseline. Flat memory: the second peak stays within `--tolerance-mib`
(default 25) of the first, whatever the number of events; the exit status says whether it did.

    .venv/bin/python bench/audit_chain.py --events 1000000
    .venv/bin/python bench/audit_chain.py --database-url postgres://.../db --events 3000
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
SERVER = os.environ.get("BENCH_AUDIT_SERVER", "postgres://postgres@127.0.0.1:5432")
COLUMNS = (
    "occurred_at",
    "action",
    "actor_id",
    "actor_email",
    "company_id",
    "target_type",
    "target_id",
    "target_repr",
    "ip_address",
    "data",
)
CHILD = """
import resource, sys, time
import django
django.setup()
from django.core.management import call_command
started = time.perf_counter()
if sys.argv[1] == "verify":
    call_command("verify_audit")
print("RESULT", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.perf_counter() - started)
"""


def _admin_connection() -> psycopg.Connection[Any]:
    return psycopg.connect(f"{SERVER}/postgres", autocommit=True)


def _database_create(name: str) -> None:
    with _admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _database_drop(name: str) -> None:
    with _admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "LOG_LEVEL": "WARNING",
    }


def _child(mode: str, database_url: str) -> tuple[float, float, str]:
    """(peak RSS in MiB, seconds, output) of a child process running `mode`."""
    result = subprocess.run(  # noqa: S603  # our own interpreter, no shell
        [sys.executable, "-c", CHILD, mode],
        cwd=ROOT,
        env=_env(database_url),
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT")]
    if not lines:
        raise SystemExit(f"child {mode} failed: {result.stdout}{result.stderr}")
    _, rss_kib, seconds = lines[-1].split()
    return int(rss_kib) / 1024, float(seconds), result.stdout


def _fill(up_to: int) -> None:
    """Chained events appended with COPY until the journal holds `up_to` of them."""
    from django.db import connection

    from audit.chain import link_hash
    from audit.models import AuditEvent, ChainHead

    head = ChainHead.objects.filter(pk=1).first()
    count = head.event_count if head else 0
    previous = head.last_hash if head else "0" * 64
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    columns = ", ".join((*COLUMNS, "previous_hash", "chain_hash"))
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY audit_auditevent ({columns}) FROM STDIN") as copy,
    ):
        for i in range(count, up_to):
            values: dict[str, Any] = {
                "occurred_at": start + datetime.timedelta(seconds=i),
                "action": "login" if i % 3 else "document_downloaded",
                "actor_id": None,
                "actor_email": f"membre{i % 5000}@bench.example",
                "company_id": None,
                "target_type": "accessauthorisation" if i % 3 == 0 else "",
                "target_id": str(i) if i % 3 == 0 else "",
                "target_repr": "",
                "ip_address": f"203.0.113.{i % 250}",
                "data": {"n": i, "via": "company"},
            }
            current = link_hash(previous, values)
            copy.write_row(
                [
                    *(json.dumps(values["data"]) if c == "data" else values[c] for c in COLUMNS),
                    previous,
                    current,
                ]
            )
            previous = current
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    ChainHead.objects.update_or_create(
        pk=1, defaults={"last_hash": previous, "last_event_id": last, "event_count": up_to}
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database", default="portal_bench_audit")
    parser.add_argument(
        "--database-url", help="an existing, migrated database (nothing created or dropped)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--tolerance-mib", type=float, default=25.0)
    args = parser.parse_args(argv)
    database_url = args.database_url or f"{SERVER}/{args.database}"
    if not args.database_url:
        _database_create(args.database)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=_env(database_url),
            check=True,
        )
    os.environ.update(_env(database_url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    try:
        baseline, _, _ = _child("baseline", database_url)
        rows = []
        for size in (max(args.events // 10, 1), args.events):
            started = time.perf_counter()
            _fill(size)
            filled = time.perf_counter() - started
            rss, seconds, output = _child("verify", database_url)
            if "chaîne intègre" not in output:
                raise SystemExit(f"verify_audit did not find the chain whole: {output}")
            rows.append((size, filled, seconds, rss))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.database_url and not args.keep:
            _database_drop(args.database)
    print(f"baseline (Django started, nothing verified): peak RSS {baseline:.1f} MiB")
    print(f"{'events':>10} {'COPY s':>8} {'verify s':>9} {'peak RSS MiB':>13}")
    for size, filled, seconds, rss in rows:
        print(f"{size:>10} {filled:>8.1f} {seconds:>9.1f} {rss:>13.1f}")
    growth = rows[-1][3] - rows[0][3]
    flat = growth <= args.tolerance_mib
    print(
        f"memory from {rows[0][0]} to {rows[-1][0]} events: {growth:+.1f} MiB "
        f"({'flat' if flat else 'NOT flat'}, tolerance {args.tolerance_mib} MiB)"
    )
    return 0 if flat else 1


if __name__ == "__main__":
    raise SystemExit(main())
