"""The company's journal: what its administrators may read of the audit log, filtered and paged.

A company reads its own events, and the events about one of its members' account that belong to no
company (support changed their mobile or email, their signature was locked or unlocked) from the
day they joined. Another company's events never; the bank's security counters never.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action, AuditEvent
from audit.sentences import (
    HIDDEN,
    Kind,
    actor_name,
    kind_filter,
    kind_label,
    sentence,
    shown_ip,
)
from companies.models import Company, Membership
from core.csv import BOM, text_cell

PAGE_SIZE = 50
TIMELINE_SIZE = 8

# about a person's account, recorded without a company: shown to the companies they belong to
ACCOUNT_ACTIONS = (
    Action.SUPPORT_MOBILE_CHANGED,
    Action.SUPPORT_EMAIL_CHANGED,
    Action.SIGNING_LOCKED,
    Action.SIGNING_UNLOCKED,
    Action.MOBILE_CHANGED,
    Action.LOGIN_LOCKED,
    Action.LOGIN_UNLOCKED,
    Action.SECOND_FACTORS_RESET,
    Action.PROPOSAL_MADE,
    Action.PROPOSAL_APPROVED,
    Action.PROPOSAL_REFUSED,
)


@dataclass(frozen=True)
class JournalFilters:
    person: Membership | None = None
    kind: Kind | str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None

    @property
    def any(self) -> bool:
        return bool(self.person or self.kind or self.since or self.until)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _member_since(company: Company) -> Exists:
    members = Membership.objects.annotate(user_key=Cast("user_id", CharField())).filter(
        company=company, user_key=OuterRef("target_id"), created_at__lte=OuterRef("occurred_at")
    )
    return Exists(members)


def _about_person(
    company: Company,
    visible: QuerySet[AuditEvent],
    own: QuerySet[AuditEvent],
    person: Membership,
    newest: int | None,
) -> QuerySet[AuditEvent]:
    """The events about a person, as the union of one indexed query per way of being about them
    (an OR of them would read every event of the company; the indexes: the migration
    `audit.0009_person_indexes`): they acted, or their account, membership or invitation was the
    target. A membership or an invitation is the company's (`own`: an account event never is).
    `newest` keeps the latest of each."""
    branches = [
        visible.filter(actor_id=person.user_id),
        visible.filter(target_type="user", target_id=str(person.user_id)),
        own.filter(target_type="membership", target_id=str(person.pk)),
        own.filter(target_type="invitation", target_repr__iendswith=f"<{person.user.email}>"),
    ]
    ids = [branch.order_by("-occurred_at", "-pk").values("pk") for branch in branches]
    if newest is not None:
        ids = [branch[:newest] for branch in ids]
    first, *others = ids
    return AuditEvent.objects.filter(pk__in=first.union(*others, all=True))


def company_events(
    *, company: Company, filters: JournalFilters | None = None, newest: int | None = None
) -> QuerySet[AuditEvent]:
    """The company's events, newest first, with their author (one query). Only the `newest`
    events are read when a person is asked for, if given."""
    filters = filters or JournalFilters()
    dated = AuditEvent.objects.exclude(action__in=HIDDEN)
    if filters.kind:
        dated = dated.filter(kind_filter(filters.kind))
    if filters.since:
        dated = dated.filter(occurred_at__gte=_day_start(filters.since))
    if filters.until:
        dated = dated.filter(occurred_at__lt=_day_start(filters.until + datetime.timedelta(1)))
    account_events = Q(company__isnull=True, action__in=ACCOUNT_ACTIONS, target_type="user") & Q(
        _member_since(company)
    )
    events = dated.filter(Q(company=company) | account_events)
    if filters.person is not None:
        own = dated.filter(company=company)
        events = _about_person(company, events, own, filters.person, newest)
    return events.select_related("actor").order_by("-occurred_at", "-pk")


def journal_members(*, company: Company) -> list[Membership]:
    """Whom the journal can be filtered by: the company's members, by name."""
    return list(
        Membership.objects.filter(company=company)
        .select_related("user")
        .only("company_id", "user__first_name", "user__last_name", "user__email")
        .order_by("user__last_name", "user__first_name", "pk")
    )


@dataclass(frozen=True)
class JournalPage:
    """One page of events, without counting them all: a query fewer, whatever the journal's size."""

    events: list[AuditEvent]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def _page_number(value: str | int | None) -> int:
    try:
        return max(1, min(int(value or 1), 10_000))
    except (TypeError, ValueError):
        return 1


def journal_page(
    *, company: Company, filters: JournalFilters, page_number: str | int | None
) -> JournalPage:
    number = _page_number(page_number)
    start = (number - 1) * PAGE_SIZE
    end = start + PAGE_SIZE + 1
    events = list(company_events(company=company, filters=filters, newest=end)[start:end])
    return JournalPage(events=events[:PAGE_SIZE], number=number, has_next=len(events) > PAGE_SIZE)


def member_timeline(*, company: Company, membership: Membership) -> list[AuditEvent]:
    """The latest events by or about one member, for their page."""
    events = company_events(
        company=company, filters=JournalFilters(person=membership), newest=TIMELINE_SIZE
    )
    return list(events[:TIMELINE_SIZE])


class _Echo:
    def write(self, value: str) -> str:
        return value


def journal_csv(*, company: Company, filters: JournalFilters) -> Iterator[str]:
    """The filtered journal as CSV lines, streamed: what the page shows, every page at once."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield BOM + writer.writerow(
        [_("Date"), _("Type"), _("Événement"), _("Auteur"), _("Adresse IP")]
    )
    for event in company_events(company=company, filters=filters).iterator(chunk_size=500):
        yield writer.writerow(
            [
                timezone.localtime(event.occurred_at).strftime("%d/%m/%Y %H:%M:%S"),
                str(kind_label(event.action)),
                text_cell(sentence(event)),
                text_cell(actor_name(event)),
                shown_ip(event),
            ]
        )
