"""Signing the review once for the whole team, as a rights change is signed (otp.signing): one
code or passkey bound to the digest of every member's kept rights and of the removals. The
removals are applied through Mes équipes' own services in the signature's transaction; if any
member's rights changed since the code was sent, the digest differs and nothing is signed."""

from __future__ import annotations

import datetime
from functools import partial
from typing import TYPE_CHECKING

from celery import current_app
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from companies.models import Company, Membership, Role
from companies.services import months_after
from core.queueing import publish
from otp import services as otp
from otp import signing
from otp.models import SignatureChallenge
from otp.passkeys import PasskeyAssertion
from reviews.models import AccessReview, ReviewStatus, SignatureMethod
from reviews.services.contents import (
    PURPOSE,
    ReviewContents,
    members_signed,
    removals_signed,
    review_contents,
    signature_payload,
    signature_statement,
)
from reviews.services.drafting import locked_open_review
from reviews.services.exceptions import ReviewRefused
from teams.services import member_remove, rights_remove

if TYPE_CHECKING:  # the user model's app sits above this one: annotations only
    from accounts.models import User

# the task that renders, seals and stores the PDF, named rather than imported: tasks import services
REVIEW_PDF_STORE = "reviews.tasks.review_pdf_store"
# on Redis the lowest (0, every other task, is served first): the emails of the removals leave first
PDF_PRIORITY = 9


def review_pdf_queue(review: AccessReview) -> None:
    """Store the review's sealed PDF once the signature is committed (see reviews.services.pdf)."""
    # tasks run in-process (`make run` without Redis): the signature would wait for WeasyPrint
    # and pyHanko; the first download makes the file instead
    if current_app.conf.task_always_eager:
        return
    transaction.on_commit(
        partial(publish, REVIEW_PDF_STORE, priority=PDF_PRIORITY, review_id=review.pk)
    )


def _open_for_signature(*, review_id: int, company: Company, signer: User) -> ReviewContents:
    # lock: the company's row first, as every change of its team does, then the review
    Company.objects.select_for_update().filter(pk=company.pk).values_list("pk").get()
    if (
        not Membership.objects.active()
        .filter(company=company, user=signer, role=Role.ADMIN)
        .exists()
    ):
        raise ReviewRefused(_("Seul un administrateur de l’entreprise signe la revue des accès."))
    review = locked_open_review(review_id=review_id, company=company)
    contents = review_contents(review=review, company=company)
    if any(member.user_id == signer.pk for member in contents.removed_members):
        # another administrator marked the signer for removal: nobody signs their own removal
        raise ReviewRefused(
            _(
                "Cette revue vous retire de l’équipe : elle doit être signée par un autre "
                "administrateur."
            )
        )
    return contents


def review_request_code(
    *,
    review_id: int,
    company: Company,
    signer: User,
    ip_address: str | None,
    now: datetime.datetime,
) -> SignatureChallenge:
    """Send the signature code; a second request for the same content is a resend."""
    otp.signing_check(signer=signer, now=now)
    with transaction.atomic():
        contents = _open_for_signature(review_id=review_id, company=company, signer=signer)
        challenge, is_resend = signing.challenge_for(
            contents.review,
            signer=signer,
            purpose=PURPOSE,
            payload=signature_payload(contents, signer=signer),
            now=now,
        )
    return signing.code_send(
        challenge,
        target=contents.review,
        company=company,
        signer=signer,
        reason=_("signer la revue des accès de votre équipe"),
        is_resend=is_resend,
        ip_address=ip_address,
        now=now,
    )


def _removals_apply(
    contents: ReviewContents,
    *,
    company: Company,
    signer: User,
    ip_address: str | None,
    now: datetime.datetime,
) -> None:
    for member in contents.removed_members:
        member_remove(
            membership_id=member.membership_id, company=company, actor=signer, ip_address=ip_address
        )
    for member in contents.rights_removals:
        rights_remove(
            membership_id=member.membership_id,
            company=company,
            actor=signer,
            rights=[right.code for right in member.kept_rights],
            ip_address=ip_address,
            now=now,
        )


def _signed_record(
    contents: ReviewContents,
    verification: otp.Verification,
    *,
    company: Company,
    signer: User,
    ip_address: str | None,
    user_agent: str,
    now: datetime.datetime,
) -> AccessReview:
    review = contents.review
    evidence = verification.evidence
    review.status = ReviewStatus.SIGNED
    review.signed_at = now
    review.signed_by = signer
    review.method = SignatureMethod.SMS if evidence is None else SignatureMethod.PASSKEY
    review.passkey_name = evidence.passkey.name if evidence is not None else ""
    review.phone_masked = verification.challenge.phone_masked
    review.payload_digest = verification.challenge.payload_digest
    review.statement = signature_statement(contents, signer=signer, company=company)
    review.ip_address = ip_address
    review.user_agent = user_agent[:400]
    review.members = members_signed(contents)
    review.removals = removals_signed(contents)
    review.save()
    today = timezone.localdate(now)
    Company.objects.filter(pk=company.pk).update(
        access_review_signed_on=today,
        access_review_due_on=months_after(today, company.access_review_months),
    )
    audit_record(
        action=Action.ACCESS_REVIEW_SIGNED,
        actor=signer,
        company=company,
        target=review,
        ip_address=ip_address,
        data={
            "version": review.version,
            "kept": len(contents.kept),
            "digest": review.payload_digest,
        },
    )
    if contents.removed_members or contents.rights_removals:
        audit_record(
            action=Action.ACCESS_REVIEW_REMOVALS,
            actor=signer,
            company=company,
            target=review,
            ip_address=ip_address,
            data={
                "version": review.version,
                "removed_members": len(contents.removed_members),
                "removed_rights": len(contents.rights_removals),
                "members": [m.membership_id for m in contents.removed_members],
                "rights": {
                    str(m.membership_id): [r.code for r in m.lost_rights]
                    for m in contents.rights_removals
                },
            },
        )
    return review


def review_sign(
    *,
    review_id: int,
    company: Company,
    signer: User,
    code: str = "",
    assertion: PasskeyAssertion | None = None,
    ip_address: str | None,
    user_agent: str,
    now: datetime.datetime,
) -> AccessReview:
    """Check the code; if right, apply the removals and keep the signed review, in one transaction."""
    with transaction.atomic():
        contents = _open_for_signature(review_id=review_id, company=company, signer=signer)
        verification = signing.signature_verify(
            contents.review,
            company=company,
            signer=signer,
            payload=signature_payload(contents, signer=signer),
            code=code,
            assertion=assertion,
            ip_address=ip_address,
            now=now,
        )
        if verification.ok:
            _removals_apply(
                contents, company=company, signer=signer, ip_address=ip_address, now=now
            )
            review = _signed_record(
                contents,
                verification,
                company=company,
                signer=signer,
                ip_address=ip_address,
                user_agent=user_agent,
                now=now,
            )
            review_pdf_queue(review)
    if not verification.ok:
        raise otp.SignatureError(verification.message)
    return review
