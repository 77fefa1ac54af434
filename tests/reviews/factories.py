"""Reviews opened, drafted and signed through the services, the way the product does it."""

import datetime

from companies.models import Membership
from reviews import services
from reviews.models import AccessReview, ReviewDecision, ReviewStatus
from tests.invitations.factories import IP, USER_AGENT
from tests.otp.factories import NOW, last_code


def open_review(admin: Membership, *, now: datetime.datetime = NOW) -> AccessReview:
    return services.access_review_open(company_id=admin.company_id, now=now, actor=admin.user)


def signed_review(admin: Membership, *, now: datetime.datetime = NOW) -> AccessReview:
    """A review of the admin's company, signed by them (recorded as a signature leaves it)."""
    review = open_review(admin, now=now)
    AccessReview.objects.filter(pk=review.pk).update(
        status=ReviewStatus.SIGNED,
        signed_at=now,
        signed_by=admin.user,
        members=[
            {
                "membership": admin.pk,
                "name": admin.user.get_full_name(),
                "email": admin.user.email,
                "role": admin.role,
                "status": admin.status,
                "rights": [],
                "removed_rights": [],
            }
        ],
    )
    review.refresh_from_db()
    return review


def decide(
    admin: Membership,
    review: AccessReview,
    member: Membership,
    decision: str,
    *rights: str,
    now: datetime.datetime = NOW,
) -> ReviewDecision | None:
    return services.review_decision_save(
        review_id=review.pk,
        company=admin.company,
        membership_id=member.pk,
        decision=decision,
        removed_rights=rights,
        actor=admin.user,
        now=now,
    )


def request_code(admin: Membership, review: AccessReview, *, now: datetime.datetime = NOW):
    return services.review_request_code(
        review_id=review.pk, company=admin.company, signer=admin.user, ip_address=IP, now=now
    )


def sign(
    admin: Membership,
    review: AccessReview,
    *,
    code: str | None = None,
    now: datetime.datetime = NOW,
) -> AccessReview:
    return services.review_sign(
        review_id=review.pk,
        company=admin.company,
        signer=admin.user,
        code=last_code() if code is None else code,
        ip_address=IP,
        user_agent=USER_AGENT,
        now=now,
    )
