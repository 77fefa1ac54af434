"""What a review signs: every member with the rights kept (and their end dates), and the removals.

Read in three queries whatever the team's size (members, grants, decisions), and turned into the
payload whose digest the code or passkey is bound to: a right granted, removed or given another
end date since the code was sent changes the digest, and the signature is refused as a whole.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string

from companies.models import Company, Membership, Role
from permissions.catalogue import RightSpec, sorted_rights, specs_for
from permissions.models import Grant
from reviews.models import AccessReview, Decision, ReviewDecision

if TYPE_CHECKING:  # the user model's app sits above this one: annotations only
    from accounts.models import User

PURPOSE = "access_review"


@dataclass(frozen=True)
class HeldRight:
    code: str
    ends_on: datetime.date | None

    @property
    def spec(self) -> RightSpec:
        return specs_for([self.code])[0]


@dataclass
class MemberLine:
    """One member as the review shows and signs them."""

    membership_id: int
    user_id: int
    name: str
    email: str
    role: str
    status: str
    rights: list[HeldRight] = field(default_factory=list)
    decision: str = Decision.KEEP
    removed_rights: list[str] = field(default_factory=list)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_removed(self) -> bool:
        return self.decision == Decision.REMOVE_MEMBER

    @property
    def kept_rights(self) -> list[HeldRight]:
        removed = set(self.removed_rights) if self.decision == Decision.REMOVE_RIGHTS else set()
        return [right for right in self.rights if right.code not in removed]

    @property
    def lost_rights(self) -> list[HeldRight]:
        if self.decision != Decision.REMOVE_RIGHTS:
            return []
        removed = set(self.removed_rights)
        return [right for right in self.rights if right.code in removed]


@dataclass(frozen=True)
class ReviewContents:
    review: AccessReview
    members: list[MemberLine]

    @property
    def kept(self) -> list[MemberLine]:
        return [m for m in self.members if not m.is_removed]

    @property
    def removed_members(self) -> list[MemberLine]:
        return [m for m in self.members if m.is_removed]

    @property
    def rights_removals(self) -> list[MemberLine]:
        return [m for m in self.members if not m.is_removed and m.lost_rights]


def _held(grants: list[tuple[str, datetime.date | None]]) -> list[HeldRight]:
    ends = dict(grants)
    return [HeldRight(code=r.value, ends_on=ends[r.value]) for r in sorted_rights(ends)]


def review_contents(*, review: AccessReview, company: Company) -> ReviewContents:
    """Every member of the company today, their rights and the review's draft decisions."""
    grants: dict[int, list[tuple[str, datetime.date | None]]] = defaultdict(list)
    for membership_id, right, ends_on in Grant.objects.filter(
        membership__company=company
    ).values_list("membership_id", "right", "ends_on"):
        grants[membership_id].append((right, ends_on))
    decisions = {
        d.membership_id: d
        for d in ReviewDecision.objects.filter(review=review).only(
            "membership_id", "decision", "removed_rights"
        )
    }
    members = []
    for member in (
        Membership.objects.filter(company=company)
        .select_related("user")
        .only(
            "pk", "role", "status", "user__id", "user__first_name", "user__last_name", "user__email"
        )
        .order_by("pk")
    ):
        decision = decisions.get(member.pk)
        members.append(
            MemberLine(
                membership_id=member.pk,
                user_id=member.user.pk,
                name=member.user.get_full_name() or member.user.email,
                email=member.user.email,
                role=member.role,
                status=member.status,
                rights=_held(grants[member.pk]),
                decision=decision.decision if decision else Decision.KEEP,
                removed_rights=list(decision.removed_rights) if decision else [],
            )
        )
    return ReviewContents(review=review, members=members)


def _rights_signed(rights: list[HeldRight]) -> list[list[str | None]]:
    return [[r.code, r.ends_on.isoformat() if r.ends_on else None] for r in rights]


def signature_payload(contents: ReviewContents, *, signer: User) -> dict[str, Any]:
    """Exactly what the administrator signs; the code or passkey is bound to its digest."""
    review = contents.review
    return {
        "purpose": PURPOSE,
        "company": review.company_id,
        "signer": signer.pk,
        "review": review.pk,
        "version": review.version,
        "kept": [
            [m.membership_id, m.email, m.role, m.status, _rights_signed(m.kept_rights)]
            for m in contents.kept
        ],
        "removed_members": [[m.membership_id, m.email] for m in contents.removed_members],
        "removed_rights": [
            [m.membership_id, m.email, [r.code for r in m.lost_rights]]
            for m in contents.rights_removals
        ],
    }


def signature_statement(contents: ReviewContents, *, signer: User, company: Company) -> str:
    return render_to_string(
        "reviews/statement.txt",
        {"contents": contents, "review": contents.review, "company": company, "signer": signer},
    ).strip()


def members_signed(contents: ReviewContents) -> list[dict[str, Any]]:
    """What the review keeps of each member kept, for its PDF and its admin page."""
    return [
        {
            "membership": m.membership_id,
            "name": m.name,
            "email": m.email,
            "role": m.role,
            "status": m.status,
            "rights": _rights_signed(m.kept_rights),
            "removed_rights": [r.code for r in m.lost_rights],
        }
        for m in contents.kept
    ]


def removals_signed(contents: ReviewContents) -> list[dict[str, Any]]:
    return [
        {"membership": m.membership_id, "name": m.name, "email": m.email, "role": m.role}
        for m in contents.removed_members
    ]
