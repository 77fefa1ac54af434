"""`make bench-audit` boots: its script fills the journal with COPY and measures verify_audit."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_the_audit_bench_measures_verify_audit_on_a_few_thousand_events():
    db = connection.settings_dict
    url = f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:"
    url += f"{db.get('PORT') or 5432}/{db['NAME']}"

    result = subprocess.run(
        [sys.executable, "bench/audit_chain.py", "--database-url", url, "--events", "3000"],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "peak RSS" in result.stdout
    assert "flat" in result.stdout
