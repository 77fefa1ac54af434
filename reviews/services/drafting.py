"""The review's draft: one decision per member the administrator changed (the others are kept).

A draft is checked when it is saved, with the rules of Mes équipes: nobody removes themselves, the
company keeps an active administrator, an administrator's rights are not edited one by one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from companies.models import Company, Membership, Role
from companies.services import last_admin_refusal
from permissions.models import Grant
from reviews.models import AccessReview, Decision, ReviewDecision, ReviewStatus
from reviews.services.exceptions import ReviewRefused

if TYPE_CHECKING:  # the user model's app sits above this one: annotations only
    from accounts.models import User


def locked_open_review(*, review_id: int, company: Company) -> AccessReview:
    """The company's review under lock, refused once it is signed."""
    review = AccessReview.objects.select_for_update().get(pk=review_id, company=company)
    if review.status != ReviewStatus.OPEN:
        raise ReviewRefused(_("Cette revue des accès est déjà signée."))
    return review


def _removal_refusal(review: AccessReview, member: Membership, actor: User) -> str | None:
    if member.user_id == actor.pk:
        return _("Vous ne pouvez pas vous retirer vous-même de l’entreprise.")
    if member.role != Role.ADMIN:
        return None
    leaving = set(
        ReviewDecision.objects.filter(
            review=review, decision=Decision.REMOVE_MEMBER, membership__role=Role.ADMIN
        ).values_list("membership_id", flat=True)
    )
    return last_admin_refusal(company_id=review.company_id, leaving=leaving | {member.pk})


def _rights_refusal(member: Membership, removed: set[str]) -> str | None:
    if member.role == Role.ADMIN:
        return _(
            "Un administrateur détient tous les droits : ils ne se retirent pas un par un. Gardez "
            "ou retirez ce membre de l’équipe."
        )
    if not removed:
        return _("Cochez au moins un droit à retirer.")
    held = set(Grant.objects.filter(membership=member).values_list("right", flat=True))
    if removed - held:
        return _("Ce membre ne détient pas tous les droits cochés : rechargez la page.")
    return None


@transaction.atomic
def review_decision_save(
    *,
    review_id: int,
    company: Company,
    membership_id: int,
    decision: str,
    removed_rights: Iterable[str],
    actor: User,
    now: datetime.datetime,
) -> ReviewDecision | None:
    """Save what the administrator chose for a member; keeping them removes the draft (None)."""
    review = locked_open_review(review_id=review_id, company=company)
    member = Membership.objects.get(pk=membership_id, company=company)
    removed = set(removed_rights) if decision == Decision.REMOVE_RIGHTS else set()
    if decision not in Decision.values:
        raise ReviewRefused(_("Choisissez une décision."), field="decision")
    if decision == Decision.KEEP:
        ReviewDecision.objects.filter(review=review, membership=member).delete()
        return None
    refusal = (
        _removal_refusal(review, member, actor)
        if decision == Decision.REMOVE_MEMBER
        else _rights_refusal(member, removed)
    )
    if refusal:
        raise ReviewRefused(refusal)
    saved, _created = ReviewDecision.objects.update_or_create(
        review=review,
        membership=member,
        defaults={
            "decision": decision,
            "removed_rights": sorted(removed),
            "decided_by": actor,
            "decided_at": now,
        },
    )
    return saved
