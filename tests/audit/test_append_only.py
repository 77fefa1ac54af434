"""PostgreSQL itself refuses to change or remove an audit event (trigger of audit/migrations/0002)."""

import pytest
from django.db import DatabaseError, transaction

from audit.models import Action, AuditEvent
from audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(admin):
    return audit_record(
        action=Action.INVITATION_CREATED,
        actor=admin.user,
        company=admin.company,
        ip_address="203.0.113.7",
    )


def test_an_audit_event_is_recorded_with_who_what_where(event, admin):
    stored = AuditEvent.objects.get(pk=event.pk)

    assert (stored.action, stored.actor, stored.actor_email) == (
        Action.INVITATION_CREATED,
        admin.user,
        admin.user.email,
    )
    assert (stored.company, stored.ip_address) == (admin.company, "203.0.113.7")


def test_saving_a_changed_audit_event_is_refused_by_the_database(event):
    event.actor_email = "quelquun@dautre.example"

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).actor_email != "quelquun@dautre.example"


def test_updating_audit_events_in_bulk_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(ip_address="198.51.100.1")

    assert AuditEvent.objects.get(pk=event.pk).ip_address == "203.0.113.7"


def test_deleting_an_audit_event_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_deleting_audit_events_in_bulk_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_an_anonymous_actor_is_recorded_without_an_email(company):
    from django.contrib.auth.models import AnonymousUser

    event = audit_record(action=Action.LOGIN_FAILED, actor=AnonymousUser(), company=company)

    assert (event.actor, event.actor_email) == (None, "")
