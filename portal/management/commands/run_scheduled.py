"""Run the portal's scheduled jobs once, "as of" a date: what the beat would do then.

    manage.py run_scheduled --as-of 2027-01-15T09:00

A date without a time zone is read in the portal's (TIME_ZONE). Each job is idempotent: running it
again, or beside the beat, sends nothing twice.
"""

import datetime
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from invitations import services as invitations
from reviews import services as reviews
from teams import services as teams

# every app's dated job, each a service taking `now` and returning how many things it did; the
# beat runs the same services through each app's tasks (portal/settings.py CELERY_BEAT_SCHEDULE)
JOBS: dict[str, Callable[..., int]] = {
    "invitations_expire": invitations.invitations_expire,
    "invitation_reminders_send": invitations.invitation_reminders_send,
    "invitation_expiry_notices_send": invitations.invitation_expiry_notices_send,
    "grants_expire": teams.grants_expire,
    "grant_end_notices_send": teams.grant_end_notices_send,
    "access_reviews_open": reviews.access_reviews_open,
    "access_review_reminders_send": reviews.access_review_reminders_send,
}


def as_of(value: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of: not a date, e.g. 2027-01-15T09:00 ({value!r}).") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "Run the portal's scheduled jobs once, as of a date (default: now)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", dest="as_of", help="e.g. 2027-01-15T09:00 (default: now)")
        parser.add_argument(
            "--job", action="append", choices=sorted(JOBS), help="only this job (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = as_of(options["as_of"]) if options["as_of"] else timezone.now()
        for name in options["job"] or JOBS:
            done = JOBS[name](now=now)
            self.stdout.write(f"{name} as of {now.isoformat()}: {done}")
