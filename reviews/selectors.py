"""Every read the review pages make, always within one company, in a fixed number of queries."""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q

from companies.models import Company
from permissions.catalogue import sorted_rights
from permissions.models import Grant
from reviews.models import AccessReview, Decision, ReviewDecision, ReviewStatus
from reviews.services.contents import HeldRight, MemberLine
from teams.selectors import MemberFilters, Page, access_review_page

# the signed reviews the page lists (older ones: support's admin)
SIGNED_LISTED = 10


@dataclass(frozen=True)
class Reviews:
    open: AccessReview | None
    signed: Sequence[AccessReview]


def company_reviews(*, company: Company) -> Reviews:
    """The open review (with its count of changed members) and the latest signed ones: one query."""
    rows = list(
        AccessReview.objects.filter(company=company)
        .defer("members", "removals", "statement")
        .annotate(changes=Count("decisions", filter=~Q(decisions__decision=Decision.KEEP)))
        .order_by("-version")[: SIGNED_LISTED + 1]
    )
    for review in rows:
        review.company = company
    opened = next((r for r in rows if r.status == ReviewStatus.OPEN), None)
    signed = [r for r in rows if r.status == ReviewStatus.SIGNED][:SIGNED_LISTED]
    return Reviews(open=opened, signed=signed)


def company_review(*, company: Company, review_id: int) -> AccessReview | None:
    """One review of the company, or None: another company's looks missing."""
    review = (
        AccessReview.objects.filter(company=company, pk=review_id)
        .select_related("signed_by")
        .first()
    )
    if review is not None:
        review.company = company
    return review


@dataclass(frozen=True)
class ReviewMembers:
    page: Page[MemberLine]
    members_total: int


def review_members_page(
    *, company: Company, review: AccessReview, filters: MemberFilters, number: int
) -> ReviewMembers:
    """A page of 50 members who match, with their rights (and end dates) and the draft decision:
    three queries whatever the team's size."""
    found = access_review_page(company=company, filters=filters, number=number)
    ids = [member.pk for member in found.members.rows]
    grants: dict[int, list[tuple[str, datetime.date | None]]] = defaultdict(list)
    for membership_id, right, ends_on in Grant.objects.filter(membership_id__in=ids).values_list(
        "membership_id", "right", "ends_on"
    ):
        grants[membership_id].append((right, ends_on))
    decisions = {
        d.membership_id: d
        for d in ReviewDecision.objects.filter(review=review, membership_id__in=ids).only(
            "membership_id", "decision", "removed_rights"
        )
    }
    lines = []
    for member in found.members.rows:
        decision = decisions.get(member.pk)
        ends = dict(grants[member.pk])
        lines.append(
            MemberLine(
                membership_id=member.pk,
                user_id=member.user_id,
                name=member.user.get_full_name() or member.user.email,
                email=member.user.email,
                role=member.role,
                status=member.status,
                rights=[
                    HeldRight(code=r.value, ends_on=ends[r.value]) for r in sorted_rights(ends)
                ],
                decision=decision.decision if decision else Decision.KEEP,
                removed_rights=list(decision.removed_rights) if decision else [],
            )
        )
    page = Page(rows=lines, number=found.members.number, count=found.members.count)
    return ReviewMembers(page=page, members_total=found.members_total)
