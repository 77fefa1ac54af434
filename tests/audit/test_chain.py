"""The audit journal as a hash chain: `verify_audit` finds the first event changed, deleted or
inserted behind the application's back, even with the append-only trigger disabled."""

import io
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from audit.chain import (
    GENESIS,
    chain_head,
    chain_head_log,
    chain_verify,
    event_values,
    link_hash,
)
from audit.models import Action, AuditEvent
from audit.services import audit_event, audit_record, audit_record_many
from audit.tasks import audit_chain_head_log
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@contextmanager
def trigger_disabled() -> Iterator[None]:
    """What someone with every right on the database can do."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update_delete")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_update_delete"
            )


@pytest.fixture
def events(admin) -> list[AuditEvent]:
    return [
        audit_record(
            action=Action.INVITATION_CREATED,
            actor=admin.user,
            company=admin.company,
            ip_address="203.0.113.7",
            data={"rights": ["documents", "treasury"], "n": n, "note": "é"},
        )
        for n in range(5)
    ]


def verify_audit(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_each_event_links_to_the_one_before_it(events):
    assert events[0].previous_hash == GENESIS
    for before, after in itertools.pairwise(events):
        assert after.previous_hash == before.chain_hash
    head = chain_head()
    assert head is not None
    assert (head.last_hash, head.last_event_id, head.event_count) == (
        events[-1].chain_hash,
        events[-1].pk,
        5,
    )


def test_events_recorded_together_follow_on_in_order_and_the_chain_verifies(events, admin):
    together = audit_record_many(
        [
            audit_event(
                action=Action.SIGNED,
                actor=admin.user,
                company=admin.company,
                ip_address="2001:db8::1",
                data={"n": n, "note": "signé"},
            )
            for n in range(4)
        ]
    )

    assert [event.data["n"] for event in together] == [0, 1, 2, 3]
    assert [event.pk for event in together] == sorted(event.pk for event in together)
    assert together[0].previous_hash == events[-1].chain_hash
    for before, after in itertools.pairwise(together):
        assert after.previous_hash == before.chain_hash
    stored = AuditEvent.objects.get(pk=together[2].pk)
    assert link_hash(stored.previous_hash, event_values(stored)) == stored.chain_hash
    head = chain_head()
    assert head is not None
    assert (head.last_hash, head.last_event_id, head.event_count) == (
        together[-1].chain_hash,
        together[-1].pk,
        9,
    )
    assert chain_verify().broken is None


def test_an_event_read_back_from_the_database_hashes_to_its_stored_hash(events):
    stored = AuditEvent.objects.get(pk=events[2].pk)

    assert link_hash(stored.previous_hash, event_values(stored)) == stored.chain_hash


def test_verify_audit_passes_on_a_clean_chain(events):
    status, output = verify_audit()

    assert status == 0
    assert "chaîne intègre : 5 événements" in output


def test_verify_audit_finds_a_changed_event(events):
    with trigger_disabled(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET ip_address = '198.51.100.1' WHERE id = %s",
            [events[2].pk],
        )

    status, output = verify_audit()

    assert status == 1
    assert f"événement #{events[2].pk}" in output
    assert "modifié" in output


def test_verify_audit_finds_a_changed_detail_in_the_data(events):
    with trigger_disabled(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET data = jsonb_set(data, '{rights}', '[\"documents\"]') "
            "WHERE id = %s",
            [events[1].pk],
        )

    report = chain_verify()

    assert report.broken is not None
    assert report.broken.event_id == events[1].pk


def test_verify_audit_finds_a_deleted_event(events):
    with trigger_disabled(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])

    status, output = verify_audit()

    assert status == 1
    assert f"événement #{events[3].pk}" in output
    assert "supprimé ou inséré" in output


def test_verify_audit_finds_the_last_event_deleted(events):
    with trigger_disabled(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])

    status, output = verify_audit()

    assert status == 1
    assert "tête de chaîne" in output


def test_verify_audit_finds_an_event_inserted_in_sql_even_with_a_forged_hash(events, admin):
    # a gap in the ids, as a rolled-back insert leaves; the forger fills it with a well-made link
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('audit_auditevent', 'id'))")
        (gap,) = cursor.fetchone()
    later = audit_record(action=Action.LOGOUT, actor=admin.user, company=admin.company)
    forged = AuditEvent(
        id=gap,
        occurred_at=later.occurred_at,
        action=Action.SIGNED,
        actor_email="faussaire@exemple.example",
        data={},
    )
    forged.previous_hash = events[-1].chain_hash
    forged.chain_hash = link_hash(events[-1].chain_hash, event_values(forged))
    with trigger_disabled():
        forged.save(force_insert=True)

    status, output = verify_audit()

    assert status == 1
    assert f"événement #{later.pk}" in output
    assert f"#{gap}" in output


def test_a_chain_head_written_down_earlier_catches_a_recomputed_chain(events):
    status, _ = verify_audit("--expect", f"{events[2].pk}:{events[2].chain_hash}")
    assert status == 0

    # the forger rewrites event 1 and recomputes every hash after it, head included
    status, output = verify_audit("--expect", f"{events[2].pk}:{'f' * 64}")

    assert status == 1
    assert f"événement #{events[2].pk}" in output
    assert "recalculée" in output


def test_an_expected_head_refuses_a_malformed_value(events):
    with pytest.raises(CommandError):
        call_command("verify_audit", "--expect", "12:abc")


def test_the_daily_task_writes_the_head_to_the_logs(events, caplog):
    caplog.set_level("INFO", logger="audit.chain")

    assert audit_chain_head_log() == events[-1].chain_hash

    assert events[-1].chain_hash in caplog.text
    assert f"event_id={events[-1].pk}" in caplog.text
    assert chain_head_log() is not None


def test_support_sees_the_chain_head_above_the_journal(events):
    staff = UserFactory(email="support@banque.example", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)

    page = client.get(reverse("admin:audit_auditevent_changelist")).content.decode()

    head = chain_head()
    assert head is not None
    assert head.event_count >= len(events)
    assert head.last_hash in page
    assert "Tête de la chaîne d’audit" in page


@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_from_two_transactions_keep_one_valid_chain(admin):
    user_id, company = admin.user.pk, admin.company
    errors: list[BaseException] = []

    def insert(n: int) -> None:
        try:
            for i in range(15):
                audit_record(
                    action=Action.LOGIN, company=company, data={"thread": n, "i": i, "u": user_id}
                )
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=insert, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    report = chain_verify()
    assert report.broken is None
    assert report.count == AuditEvent.objects.count() >= 30
