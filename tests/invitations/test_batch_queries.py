"""Signing a batch costs the same number of queries for 5 people as for 50 (and so for 500):
every invitee still gets their authorisation, their email row and their audit event, and the
audit chain still verifies."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.chain import chain_verify
from audit.models import Action, AuditEvent
from core.models import Message, MessageKind
from invitations.models import Invitation, InvitationStatus
from invitations.services import invitation_batch_from_file
from invitations.services.emails import INVITATION_EMAIL
from otp.models import AccessAuthorisation
from tests.invitations.batches import request_batch_code, sign_batch
from tests.invitations.factories import IP
from tests.otp.factories import NOW

pytestmark = pytest.mark.django_db


def emails(count: int, *, prefix: str) -> list[str]:
    return [f"{prefix}{n:03}@partenaire.example" for n in range(count)]


def create_batch(admin, *people: str):
    """A batch of any size up to 500, as an uploaded file makes one (the form takes 10)."""
    lines = ["Prénom;Nom;E-mail;Mobile;Documents;Suivi de trésorerie"]
    lines += [f"Prénom;{email.split('@')[0].title()};{email};;oui;oui" for email in people]
    return invitation_batch_from_file(
        company=admin.company,
        invited_by=admin.user,
        content="\r\n".join(lines).encode(),
        rights=(),
        ip_address=IP,
        now=NOW,
    )


def queries_to_sign(admin, people: list[str]) -> int:
    batch = create_batch(admin, *people)
    request_batch_code(batch, admin)
    with CaptureQueriesContext(connection) as queries:
        sign_batch(batch, admin)
    return len(queries.captured_queries)


def test_a_batch_of_fifty_costs_the_queries_of_a_batch_of_five(admin):
    queries_to_sign(admin, emails(2, prefix="avant"))  # what is looked up once per process

    five = queries_to_sign(admin, emails(5, prefix="cinq"))
    fifty = queries_to_sign(admin, emails(50, prefix="cinquante"))

    assert fifty == five
    assert five <= 20


def test_every_invitee_of_a_big_batch_has_their_authorisation_email_and_event(admin):
    people = emails(50, prefix="chacun")
    batch = create_batch(admin, *people)
    request_batch_code(batch, admin)

    sign_batch(batch, admin)

    batch.refresh_from_db()
    members = list(Invitation.objects.filter(batch=batch).select_related("authorisation"))
    assert sorted(m.email for m in members) == people
    assert {m.status for m in members} == {InvitationStatus.SIGNED}
    assert {m.authorisation.subject_email for m in members} == set(people)
    assert {m.authorisation.version for m in members} == {1}
    assert AccessAuthorisation.objects.filter(challenge=batch.challenge).count() == 50
    assert all(m.token_hash for m in members)
    written = Message.objects.filter(kind=MessageKind.EMAIL, template=INVITATION_EMAIL)
    assert sorted(written.filter(to__in=people).values_list("to", flat=True)) == people
    events = AuditEvent.objects.filter(company=admin.company, action=Action.SIGNED)
    assert sorted(e.target_id for e in events) == sorted(str(m.pk) for m in members)
    assert {e.data["authorisation"] for e in events} == {str(m.authorisation_id) for m in members}


def test_the_audit_chain_verifies_after_a_batch_is_signed(admin):
    batch = create_batch(admin, *emails(20, prefix="chaine"))
    request_batch_code(batch, admin)

    sign_batch(batch, admin)

    report = chain_verify()
    assert report.broken is None, report.text


def test_a_batch_for_people_signed_before_makes_their_next_versions(admin):
    people = emails(3, prefix="version")
    first = create_batch(admin, *people)
    request_batch_code(first, admin)
    sign_batch(first, admin)
    Invitation.objects.filter(batch=first).update(status=InvitationStatus.REVOKED)
    second = create_batch(admin, *people)
    request_batch_code(second, admin)

    sign_batch(second, admin)

    for email in people:
        versions = AccessAuthorisation.objects.filter(subject_email=email).order_by("version")
        assert [(a.version, a.closed_at is None) for a in versions] == [(1, False), (2, True)]
