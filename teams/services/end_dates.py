"""What the calendar does to a right that ends on a date: seven days before, the administrators
are asked whether to extend it; after its last day, the daily task closes it.

The checks on every request already ignore a right whose last day has passed
(`permissions.selectors.current_grants`); closing it here makes the rows, the authorisation, the
journal and the emails say so. Both jobs are safe to run twice or side by side: the member's row
is taken with SKIP LOCKED (another run is closing it), each grant's notice is claimed by a
conditional update, and each email's outbox key is unique.
"""

import datetime

from django.db import transaction
from django.db.models import F

from audit.models import Action
from audit.services import audit_record
from companies.models import Membership
from otp import services as otp
from otp.models import ClosingReason
from permissions.catalogue import sorted_rights
from permissions.end_dates import NOTICE_DAYS, local_today
from permissions.models import Grant
from teams.models import RightsChange, RightsChangeOrigin, RightsChangeStatus
from teams.services.notifications import grant_end_notice_queue, rights_ended_notices_queue
from teams.services.rights import pending_changes_supersede


def _codes(rights: list[str]) -> list[str]:
    return [right.value for right in sorted_rights(rights)]


@transaction.atomic
def member_grants_expire(*, membership_id: int, now: datetime.datetime) -> RightsChange | None:
    """Close the member's rights whose last day is before today (Paris); None when there is
    none, or when another run is closing them right now."""
    today = local_today(now)
    # lock, skipping: a concurrent run (or a signature in progress) has the member; the next run
    # finds what is left, and the checks ignore an ended right meanwhile
    membership = (
        Membership.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user", "company")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        return None
    grants = list(Grant.objects.filter(membership=membership).order_by("right"))
    ended = [grant for grant in grants if grant.ends_on is not None and grant.ends_on < today]
    if not ended:
        return None
    Grant.objects.filter(pk__in=[grant.pk for grant in ended]).delete()
    pending_changes_supersede(membership)
    otp.authorisation_close(
        company_id=membership.company_id,
        subject_email=membership.user.email,
        reason=ClosingReason.RIGHTS_ENDED,
        now=now,
    )
    kept = [grant for grant in grants if grant not in ended]
    change = RightsChange.objects.create(
        membership=membership,
        requested_by=None,
        origin=RightsChangeOrigin.EXPIRY,
        rights=_codes([grant.right for grant in kept]),
        previous_rights=_codes([grant.right for grant in grants]),
        ends_on={g.right: g.ends_on.isoformat() for g in kept if g.ends_on is not None},
        previous_ends_on={g.right: g.ends_on.isoformat() for g in grants if g.ends_on is not None},
        status=RightsChangeStatus.APPLIED,
        created_at=now,
        applied_at=now,
    )
    change.membership = membership
    removed = change.removed
    audit_record(
        action=Action.RIGHTS_ENDED,
        company=membership.company,
        target=membership,
        data={
            "change": change.pk,
            "removed": removed,
            "rights": change.rights,
            "ended_on": {g.right: g.ends_on.isoformat() for g in ended if g.ends_on is not None},
        },
    )
    rights_ended_notices_queue(change, ended=ended, now=now)
    return change


def grants_expire(*, now: datetime.datetime) -> int:
    """The daily task: close every right whose last day has passed; how many members lost some."""
    today = local_today(now)
    membership_ids = (
        Grant.objects.filter(ends_on__lt=today)
        .order_by("membership_id")
        .values_list("membership_id", flat=True)
        .distinct()
    )
    closed = 0
    for membership_id in list(membership_ids):
        if member_grants_expire(membership_id=membership_id, now=now) is not None:
            closed += 1
    return closed


@transaction.atomic
def grant_end_notice(*, grant_id: int, now: datetime.datetime) -> bool:
    """Ask the administrators whether to extend this right, if its end is near and they were not
    asked about this end date yet."""
    today = local_today(now)
    grant = (
        Grant.objects.select_related("membership__user", "membership__company")
        .filter(pk=grant_id, ends_on__gte=today, ends_on__lte=today + _notice_days())
        .first()
    )
    if grant is None or grant.ends_on is None:
        return False
    # claim: a second run, even concurrent, finds this end date announced and writes nothing
    claimed = (
        Grant.objects.filter(pk=grant.pk, ends_on=grant.ends_on)
        .exclude(end_notice_for=grant.ends_on)
        .update(end_notice_for=grant.ends_on)
    )
    if not claimed:
        return False
    grant_end_notice_queue(grant, now=now)
    return True


def _notice_days() -> datetime.timedelta:
    return datetime.timedelta(days=NOTICE_DAYS)


def grant_end_notices_send(*, now: datetime.datetime) -> int:
    """The daily job: the administrators asked about each right ending within seven days (once
    per right and end date); how many rights were announced."""
    today = local_today(now)
    due = (
        Grant.objects.filter(ends_on__gte=today, ends_on__lte=today + _notice_days())
        .exclude(end_notice_for=F("ends_on"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(grant_end_notice(grant_id=grant_id, now=now) for grant_id in list(due))
