"""The migration that adds the chain computes it over the events already in the journal."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit.chain import GENESIS, chain_verify

BEFORE = [("audit", "0005_companies_app")]
AFTER = [("audit", "0006_chain")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_the_events_already_there_in_order():
    old_apps = migrate(BEFORE)
    OldEvent = old_apps.get_model("audit", "AuditEvent")
    start = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=datetime.UTC)
    for n in range(7):
        OldEvent.objects.create(
            occurred_at=start + datetime.timedelta(minutes=n),
            action="login",
            actor_email=f"personne{n}@exemple.example",
            ip_address="2001:DB8::1" if n % 2 else "203.0.113.7",
            data={"n": n, "é": [1, 2.5, None]},
        )
    try:
        new_apps = migrate(AFTER)
        Event = new_apps.get_model("audit", "AuditEvent")
        first = Event.objects.order_by("id").first()

        report = chain_verify()

        assert report.broken is None, report.text
        assert report.count == 7
        assert first.previous_hash == GENESIS
        head = new_apps.get_model("audit", "ChainHead").objects.get()
        assert head.event_count == 7
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
