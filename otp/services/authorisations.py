"""The evidence kept of a right code: an access authorisation, versioned and closed.

The authorisations of one person (their email, as invited and as logged in) in one company are
numbered 1, 2, 3… in signed order: the invitation, then each signed change of rights. At most one
is open: the latest, which states the rights the person holds today. Signing a new version closes
the previous one (superseded); a revocation closes the open one with its reason: the member is
removed or suspended, the invitation is revoked or its rights are edited before acceptance, or
rights are removed by an administrator.

A removal of rights closes the authorisation rather than making an unsigned version: a document
is an authorisation only because a code proved it, and an unsigned "version" would be a document
that proves nothing. The rights kept after a removal are a subset of those the closed version
authorised; the audit keeps the details of the removal. A reactivated member keeps their rights
without an open authorisation until their next signed change.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from celery import current_app
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Max, QuerySet
from django.db.models.functions import Lower

from audit.models import Action
from audit.services import audit_record
from companies.models import Company
from core.queueing import publish
from otp.models import AccessAuthorisation, ClosingReason, SignatureMethod
from otp.services.verification import Verification

if TYPE_CHECKING:  # the user model's app sits above this one: annotations only
    from accounts.models import User

# the task that renders and seals the PDF, named rather than imported: tasks import services
AUTHORISATION_SEAL = "otp.tasks.authorisation_seal"
# on Redis the lowest (0, every other task, is served first): the invitation emails written by
# the same signature leave before the PDFs are sealed, even for a batch of hundreds
SEAL_PRIORITY = 9


def authorisation_seal_queue(authorisation: AccessAuthorisation) -> None:
    """Seal the authorisation's PDF once the signature is committed (see otp.services.sealing)."""
    # tasks run in-process (`make run` without Redis): the signature would wait for WeasyPrint
    # and pyHanko (for each person of a batch); the first download makes the file instead
    if current_app.conf.task_always_eager:
        return
    transaction.on_commit(
        partial(
            publish,
            AUTHORISATION_SEAL,
            priority=SEAL_PRIORITY,
            authorisation_id=str(authorisation.pk),
        )
    )


def _of_subject(*, company_id: int, subject_email: str) -> QuerySet[AccessAuthorisation]:
    return AccessAuthorisation.objects.alias(email=Lower("subject_email")).filter(
        company_id=company_id, email=subject_email.lower()
    )


def _of_subjects(*, company_id: int, subject_emails: list[str]) -> QuerySet[AccessAuthorisation]:
    return AccessAuthorisation.objects.alias(email=Lower("subject_email")).filter(
        company_id=company_id, email__in=subject_emails
    )


@dataclass(frozen=True)
class AuthorisationSubject:
    """Whom one authorisation names, and what it says (see `authorisations_record`)."""

    email: str
    name: str
    rights: list[str]
    statement: str
    # right -> its last day (ISO date), for the rights that end; as signed
    ends_on: dict[str, str] | None = None


def authorisation_record(
    *,
    kind: str,
    verification: Verification,
    company: Company,
    signer: User,
    subject_email: str,
    subject_name: str,
    rights: list[str],
    statement: str,
    ends_on: dict[str, str] | None = None,
    ip_address: str | None,
    user_agent: str,
    now: datetime.datetime,
) -> AccessAuthorisation:
    """The evidence of a right code: who signed what for whom, when, from where, on which phone;
    the next version of the person's authorisations in the company, the previous one closed."""
    [authorisation] = authorisations_record(
        kind=kind,
        verification=verification,
        company=company,
        signer=signer,
        subjects=[
            AuthorisationSubject(
                email=subject_email,
                name=subject_name,
                rights=rights,
                statement=statement,
                ends_on=ends_on,
            )
        ],
        ip_address=ip_address,
        user_agent=user_agent,
        now=now,
    )
    return authorisation


def authorisations_record(
    *,
    kind: str,
    verification: Verification,
    company: Company,
    signer: User,
    subjects: Sequence[AuthorisationSubject],
    ip_address: str | None,
    user_agent: str,
    now: datetime.datetime,
) -> list[AccessAuthorisation]:
    """`authorisation_record` for every person one code signed for (a batch), in the order given:
    four queries whatever their number."""
    if not verification.ok:
        raise ValueError("Only a right code or passkey produces an access authorisation.")
    emails = [subject.email.lower() for subject in subjects]
    # lock: the company's row, as team changes do, so two signatures cannot take one number
    Company.objects.select_for_update().filter(pk=company.pk).values_list("pk").get()
    versions = _of_subjects(company_id=company.pk, subject_emails=emails)
    latest: dict[str, int] = {
        row["email"]: row["latest"]
        for row in versions.values(email=Lower("subject_email")).annotate(latest=Max("version"))
    }
    versions.filter(closed_at__isnull=True).update(
        closed_at=now, closed_reason=ClosingReason.SUPERSEDED
    )
    numbers = []
    for email in emails:
        latest[email] = (latest.get(email) or 0) + 1
        numbers.append(latest[email])
    authorisations = AccessAuthorisation.objects.bulk_create(
        [
            AccessAuthorisation(
                kind=kind,
                challenge=verification.challenge,
                company=company,
                signer=signer,
                subject_email=subject.email,
                subject_name=subject.name,
                rights=subject.rights,
                ends_on=subject.ends_on or {},
                statement=subject.statement,
                payload_digest=verification.challenge.payload_digest,
                signed_at=now,
                ip_address=ip_address,
                user_agent=user_agent[:400],
                phone_masked=verification.challenge.phone_masked,
                version=version,
                **_passkey_evidence(verification),
            )
            for subject, version in zip(subjects, numbers, strict=True)
        ]
    )
    for authorisation in authorisations:
        authorisation_seal_queue(authorisation)
    return authorisations


def _passkey_evidence(verification: Verification) -> dict[str, object]:
    evidence = verification.evidence
    if evidence is None:
        return {"method": SignatureMethod.SMS}
    return {
        "method": SignatureMethod.PASSKEY,
        "passkey": evidence.passkey,
        "passkey_name": evidence.passkey.name,
        "credential_id": evidence.credential_id,
        "credential_public_key": evidence.public_key,
        "authenticator_data": evidence.authenticator_data,
        "client_data_json": evidence.client_data_json,
        "signature": evidence.signature,
        "sign_count": evidence.sign_count,
        "rp_id": evidence.rp_id,
        "origin": evidence.origin,
    }


def authorisation_close(
    *,
    company_id: int,
    subject_email: str,
    reason: ClosingReason,
    now: datetime.datetime,
    authorisation_id: uuid.UUID | None = None,
) -> int:
    """Close the person's open authorisation in the company (only `authorisation_id`, if given);
    how many were closed: 0 when none was open. Called inside the revoking transaction."""
    still_open = _of_subject(company_id=company_id, subject_email=subject_email).filter(
        closed_at__isnull=True
    )
    if authorisation_id is not None:
        still_open = still_open.filter(pk=authorisation_id)
    # a conditional update: a second closing finds it closed and changes nothing
    return still_open.update(closed_at=now, closed_reason=reason)


def authorisation_download_record(
    *,
    actor: User | AnonymousUser,
    authorisation: AccessAuthorisation,
    ip_address: str | None,
    via: str,
    document: str = "pdf",
) -> None:
    """Who downloaded an authorisation, and from where: `company` (an administrator), `account`
    (the person it names) or `support` (the Django admin); `document`: the sealed `pdf` or the
    `proof` file."""
    audit_record(
        action=Action.DOCUMENT_DOWNLOADED,
        actor=actor,
        company=authorisation.company,
        target=authorisation,
        ip_address=ip_address,
        data={
            "authorisation": str(authorisation.pk),
            "version": authorisation.version,
            "subject": authorisation.subject_email,
            "via": via,
            "document": document,
        },
    )
