"""When reviews come due: opened, the administrators emailed once, then reminded weekly when
overdue. Daily jobs, each idempotent under concurrent runs: a review is opened under the company's
row lock (and one open review per company is a constraint), each email is claimed on the review's
row by a conditional update, and its outbox key is unique.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from companies.models import Company, Membership, Role
from companies.services import access_review_due_on
from core import outbox
from core.text import french_elide
from reviews.models import OVERDUE_AFTER_DAYS, AccessReview, ReviewStatus

if TYPE_CHECKING:  # the user model's app sits above this one: annotations only
    from accounts.models import User

DUE_EMAIL = "reviews/email/due"
OVERDUE_EMAIL = "reviews/email/overdue"


def iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


@transaction.atomic
def access_review_open(
    *, company_id: int, now: datetime.datetime, actor: User | None = None
) -> AccessReview:
    """The company's open review, opened now if there is none (numbered after the last one)."""
    # lock: two runs (or an administrator and the daily job) must not open two reviews
    company = Company.objects.select_for_update().get(pk=company_id)
    review = AccessReview.objects.filter(company=company, status=ReviewStatus.OPEN).first()
    if review is not None:
        return review
    latest = AccessReview.objects.filter(company=company).aggregate(v=Max("version"))["v"] or 0
    review = AccessReview.objects.create(
        company=company,
        version=latest + 1,
        due_on=company.access_review_due_on or access_review_due_on(company),
        started_at=now,
    )
    audit_record(
        action=Action.ACCESS_REVIEW_STARTED,
        actor=actor,
        company=company,
        target=review,
        data={"version": review.version, "due_on": review.due_on.isoformat()},
    )
    return review


def _admins(company: Company) -> list[Membership]:
    return list(
        Membership.objects.active()
        .filter(company=company, role=Role.ADMIN)
        .select_related("user")
        .order_by("pk")
    )


def _review_url(company_id: int) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("reviews:review", args=[company_id])


def _emails_queue(
    review: AccessReview, *, template: str, subject: str, key: str, now: datetime.datetime
) -> int:
    company = review.company
    admins = _admins(company)
    for admin in admins:
        outbox.email_queue(
            key=f"reviews.review:{review.pk}:{key}:{admin.user_id}",
            to=admin.user.email,
            subject=subject,
            template=template,
            context={
                "admin": admin.user,
                "company": company,
                "review": review,
                "overdue_after_days": OVERDUE_AFTER_DAYS,
                "url": _review_url(company.pk),
            },
            about=review,
            company_id=company.pk,
            now=now,
        )
    return len(admins)


@transaction.atomic
def access_review_due_notify(*, review_id: int, now: datetime.datetime) -> bool:
    """Email each administrator, once, that the review is due."""
    claimed = AccessReview.objects.filter(
        pk=review_id,
        status=ReviewStatus.OPEN,
        due_notified_at__isnull=True,
        due_on__lte=timezone.localdate(now),
    ).update(due_notified_at=now)
    if not claimed:
        return False
    review = AccessReview.objects.select_related("company").get(pk=review_id)
    _emails_queue(
        review,
        template=DUE_EMAIL,
        subject=_("%(company)s : la revue périodique des accès est due")
        % {"company": review.company.name},
        key="due",
        now=now,
    )
    return True


def _schedule_missing() -> None:
    """A company without a due date (created outside support's page) gets one."""
    for company in Company.objects.filter(access_review_due_on__isnull=True).only(
        "pk", "created_at", "access_review_months", "access_review_signed_on"
    ):
        Company.objects.filter(pk=company.pk, access_review_due_on__isnull=True).update(
            access_review_due_on=access_review_due_on(company)
        )


def access_reviews_open(*, now: datetime.datetime) -> int:
    """Open the reviews that came due, and tell their administrators (daily); how many emailed."""
    today = timezone.localdate(now)
    _schedule_missing()
    due = (
        Company.objects.filter(access_review_due_on__lte=today)
        .exclude(access_reviews__status=ReviewStatus.OPEN)
        .values_list("pk", flat=True)
    )
    for company_id in list(due):
        access_review_open(company_id=company_id, now=now)
    waiting = AccessReview.objects.filter(
        status=ReviewStatus.OPEN, due_notified_at__isnull=True, due_on__lte=today
    ).values_list("pk", flat=True)
    return sum(access_review_due_notify(review_id=pk, now=now) for pk in list(waiting))


@transaction.atomic
def access_review_remind(*, review_id: int, now: datetime.datetime) -> bool:
    """This week's reminder of an overdue review, if no run sent it yet."""
    today = timezone.localdate(now)
    week = iso_week(today)
    claimed = (
        AccessReview.objects.overdue(today=today)
        .filter(pk=review_id)
        .exclude(reminded_week=week)
        .update(reminded_week=week)
    )
    if not claimed:
        return False
    review = AccessReview.objects.select_related("company").get(pk=review_id)
    _emails_queue(
        review,
        template=OVERDUE_EMAIL,
        subject=_("Rappel : la revue des accès %(of_company)s est en retard")
        % {"of_company": french_elide("de", review.company.name)},
        key=f"overdue:{week}",
        now=now,
    )
    return True


def access_review_reminders_send(*, now: datetime.datetime) -> int:
    """Remind the administrators of every overdue review, once a week (daily job); how many."""
    today = timezone.localdate(now)
    overdue = (
        AccessReview.objects.overdue(today=today)
        .exclude(reminded_week=iso_week(today))
        .values_list("pk", flat=True)
    )
    return sum(access_review_remind(review_id=pk, now=now) for pk in list(overdue))
