"""Mes équipes and the access review among thousands of members: filtered, sorted and cut into
pages of 50, each page read with the counts it states in one query: the page's ids picked by a
sorted subquery, then each of those rows read with its rights and last activity (subqueries worked
out for the page's rows only, not for every member who matches, and no prefetch building a
queryset per member), the counts as scalar subqueries that PostgreSQL answers once."""

import datetime
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Exists,
    Expression,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.search import matching_people, search_words
from audit.models import AuditEvent
from companies.models import Company, Membership, Role
from core.paging import PAGE_SIZE, Page
from invitations.models import Invitation
from permissions.catalogue import CATALOGUE, Right
from permissions.models import Grant
from permissions.selectors import (
    current_grants,
    grantable_rights,
    grants_with_ends,
    rights_with_ends,
)
from teams.models import RightsChange, RightsChangeStatus

MONEY_RIGHTS = frozenset(right.value for right, spec in CATALOGUE.items() if spec.moves_money)

# administrators first, then by name: how the team always read
DEFAULT_SORT = ""
_ORDERINGS: dict[str, tuple[Any, ...]] = {
    DEFAULT_SORT: ("role", "user__last_name", "user__first_name", "pk"),
    "name": ("user__last_name", "user__first_name", "pk"),
    "-name": ("-user__last_name", "-user__first_name", "-pk"),
    "since": ("created_at", "pk"),
    "-since": ("-created_at", "-pk"),
    "login": (F("user__last_login").asc(nulls_first=True), "pk"),
    "-login": (F("user__last_login").desc(nulls_last=True), "-pk"),
}
SORTS = tuple(_ORDERINGS)

# what a row shows of a member: the user's mobile stays unread (parsing it costs on every row)
_ROW_FIELDS = (
    "company",
    "user",
    "role",
    "status",
    "created_at",
    "user__first_name",
    "user__last_name",
    "user__email",
    "user__last_login",
)


@dataclass(frozen=True)
class MemberFilters:
    """What the administrator asked for; every value already checked (see `teams.forms`)."""

    query: str = ""
    role: str = ""
    status: str = ""
    right: str = ""
    moves_money: bool = False
    sort: str = DEFAULT_SORT

    @property
    def narrows(self) -> bool:
        """True when some members may be left out."""
        return bool(
            search_words(self.query) or self.role or self.status or self.right or self.moves_money
        )


# `with_rights`'s annotation: "right:YYYY-MM-DD" of each right held today, joined
_GRANTED = "granted_with_ends"


def with_rights(members: QuerySet[Membership]) -> QuerySet[Membership]:
    """Each member with the rights granted to them that are still held today (an administrator's
    rights follow the company's contracts: `held_rights`) and the last day of each (None: no end),
    read with `granted_rights` and `granted_end_dates`: one subquery whatever the size of the
    catalogue (a subquery per right costs more to build than to answer)."""
    return members.annotate(
        **{_GRANTED: grants_with_ends(current_grants().filter(membership=OuterRef("pk")))}
    )


def granted_rights(member: Membership) -> list[str]:
    """The right codes granted to a member read through `with_rights`, in catalogue order."""
    held = rights_with_ends(getattr(member, _GRANTED, None))
    return [right.value for right in Right if right.value in held]


def granted_end_dates(member: Membership) -> dict[str, str]:
    """The end dates of a member's rights read through `with_rights`: {right: "YYYY-MM-DD"}."""
    held = rights_with_ends(getattr(member, _GRANTED, None))
    return {
        right.value: day.isoformat()
        for right in Right
        if (day := held.get(right.value)) is not None
    }


def _count(rows: QuerySet[Any]) -> Coalesce:
    """How many rows there are, as a scalar subquery (no GROUP BY: a single row, even empty)."""
    counted = rows.order_by().values(n=Func(F("pk"), function="COUNT"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _holding(company: Company, rights: Collection[str]) -> Q:
    """Members who hold one of these rights: an administrator when the company can grant it."""
    granted = Q(role=Role.COLLABORATOR) & Q(
        Exists(current_grants().filter(membership=OuterRef("pk"), right__in=list(rights)))
    )
    admins_hold = any(
        option.enabled and option.code in rights for option in grantable_rights(company)
    )
    return (granted | Q(role=Role.ADMIN)) if admins_hold else granted


def matching_members(*, company: Company, filters: MemberFilters) -> QuerySet[Membership]:
    members = matching_people(
        Membership.objects.filter(company=company),
        filters.query,
        first_name="user__first_name",
        last_name="user__last_name",
        email="user__email",
    )
    if filters.role:
        members = members.filter(role=filters.role)
    if filters.status:
        members = members.filter(status=filters.status)
    if filters.right:
        members = members.filter(_holding(company, [filters.right]))
    if filters.moves_money:
        members = members.filter(_holding(company, MONEY_RIGHTS))
    return members


def _ordering(sort: str) -> tuple[Any, ...]:
    return _ORDERINGS.get(sort, _ORDERINGS[DEFAULT_SORT])


def _rows(members: QuerySet[Membership], sort: str) -> QuerySet[Membership]:
    return with_rights(members).select_related("user").only(*_ROW_FIELDS).order_by(*_ordering(sort))


def _number(requested: int, count: int) -> int:
    """A page that exists: past the last one reads the last."""
    return min(max(requested, 1), max(1, math.ceil(count / PAGE_SIZE)))


def _slice(rows: QuerySet[Any], number: int) -> QuerySet[Any]:
    start = (number - 1) * PAGE_SIZE
    return rows[start : start + PAGE_SIZE]


@dataclass(frozen=True)
class _Listing:
    """The members who match (`matching`, sorted by `sort`) and how a row of the page reads
    (`rows`: a function of a queryset of members, adding what each row shows)."""

    company: Company
    matching: QuerySet[Membership]
    sort: str
    rows: Callable[[QuerySet[Membership]], QuerySet[Membership]]

    def page(self, ids: QuerySet[Any], totals: Mapping[str, Expression]) -> QuerySet[Any]:
        """The rows whose ids `ids` selects: the rights, activity and counts of a row are worked
        out for the page's rows only, never for every member who matches."""
        members = Membership.objects.filter(pk__in=ids)  # ids of `matching`: the company's
        return self.rows(members).annotate(matching=_count(self.matching), **totals)

    def ids(self) -> QuerySet[Any]:
        return self.matching.order_by(*_ordering(self.sort)).values("pk")


def _last_page(listing: _Listing, totals: Mapping[str, Expression]) -> tuple[list[Membership], int]:
    """The rows of the last page and its number, in one query: the last rows in reverse order,
    whose count (every row carries it) says how many of them the last page holds."""
    last_rows = list(listing.page(listing.ids().reverse()[:PAGE_SIZE], totals).reverse())
    if not last_rows:
        return [], 1
    count: int = getattr(last_rows[0], "matching", 0)
    number = max(1, math.ceil(count / PAGE_SIZE))
    on_last_page = count - (number - 1) * PAGE_SIZE
    return list(reversed(last_rows[:on_last_page])), number


def _page_with_counts(
    listing: _Listing, number: int, totals: Mapping[str, Expression]
) -> tuple[Page[Membership], dict[str, int]]:
    """A page of members and the totals, in one query; a page past the last reads the last
    (one query more), and when nothing matches the totals take a query of their own."""
    number = max(number, 1)
    found = list(listing.page(_slice(listing.ids(), number), totals))
    if not found and number > 1:
        found, number = _last_page(listing, totals)
    counts: dict[str, int]
    if found:
        counts = {name: getattr(found[0], name) for name in ("matching", *totals)}
    else:
        company_counts = Company.objects.filter(pk=listing.company.pk)
        row = company_counts.values_list(_count(listing.matching), *totals.values())[0]
        counts = dict(zip(("matching", *totals), row, strict=True))
    for member in found:
        member.company = listing.company  # one object: the company's contracts are read once
    return Page(rows=found, number=number, count=counts["matching"]), counts


def _members_total(company: Company, filters: MemberFilters) -> dict[str, Expression]:
    """The team's size, when the filters leave some members out (else it is the rows' count)."""
    if not filters.narrows:
        return {}
    return {"members_total": _count(Membership.objects.filter(company=company))}


@dataclass(frozen=True)
class TeamPage:
    members: Page[Membership]
    invitations: Page[Invitation]
    members_total: int
    invitations_total: int


def team_page(
    *, company: Company, filters: MemberFilters, number: int, invitations_number: int
) -> TeamPage:
    """Mes équipes: a page of the members who match, with their granted rights, and a page of
    the open invitations (and those lately expired, to resend) whose person matches the search,
    with every count the page states."""
    open_invitations = Invitation.objects.open().filter(company=company)
    invitations = matching_people(
        Invitation.objects.listed(now=timezone.now()).filter(company=company),
        filters.query,
        first_name="first_name",
        last_name="last_name",
        email="email",
    )
    matching = matching_members(company=company, filters=filters)
    members, counts = _page_with_counts(
        _Listing(company, matching, filters.sort, lambda rows: _rows(rows, filters.sort)),
        number,
        {
            **_members_total(company, filters),
            "invitations_total": _count(open_invitations),
            "invitations_matching": _count(invitations),
        },
    )
    invitations_count = counts["invitations_matching"]
    invitations_number = _number(invitations_number, invitations_count)
    invitation_rows = (
        list(
            _slice(
                invitations.select_related("invited_by").order_by("-created_at", "-pk"),
                invitations_number,
            )
        )
        if invitations_count
        else []
    )
    return TeamPage(
        members=members,
        invitations=Page(rows=invitation_rows, number=invitations_number, count=invitations_count),
        members_total=counts.get("members_total", members.count),
        invitations_total=counts["invitations_total"],
    )


@dataclass(frozen=True)
class ReviewPage:
    members: Page[Membership]
    members_total: int


def _with_activity(
    company: Company, members: QuerySet[Membership], before: datetime.datetime | None = None
) -> QuerySet[Membership]:
    """When each member's rights last changed (`granted_at_latest`, `applied_at_latest`) and
    their latest action in this company (`last_event_at`, `before` that moment if given)."""
    granted = Grant.objects.filter(membership=OuterRef("pk")).order_by("-granted_at")
    applied = RightsChange.objects.filter(
        membership=OuterRef("pk"), status=RightsChangeStatus.APPLIED, applied_at__isnull=False
    ).order_by("-applied_at")
    acted = AuditEvent.objects.filter(company_id=company.pk, actor_id=OuterRef("user_id"))
    if before is not None:
        acted = acted.filter(occurred_at__lt=before)
    acted = acted.order_by("-occurred_at")
    return members.annotate(
        granted_at_latest=Subquery(granted.values("granted_at")[:1]),
        applied_at_latest=Subquery(applied.values("applied_at")[:1]),
        last_event_at=Subquery(acted.values("occurred_at")[:1]),
    )


def rights_changed_at(member: Membership) -> datetime.datetime | None:
    """The later of a right granted and a signed or removed change, read via `_with_activity`."""
    moments = [
        moment
        for moment in (
            getattr(member, "granted_at_latest", None),
            getattr(member, "applied_at_latest", None),
        )
        if moment is not None
    ]
    return max(moments, default=None)


def access_review_page(*, company: Company, filters: MemberFilters, number: int) -> ReviewPage:
    """The access review: a page of the members who match, with their rights and activity."""
    matching = matching_members(company=company, filters=filters)
    members, counts = _page_with_counts(
        _Listing(
            company,
            matching,
            filters.sort,
            lambda rows: _with_activity(company, _rows(rows, filters.sort)),
        ),
        number,
        _members_total(company, filters),
    )
    return ReviewPage(members=members, members_total=counts.get("members_total", members.count))


def access_review_rows(
    *, company: Company, filters: MemberFilters, before: datetime.datetime | None = None
) -> QuerySet[Membership]:
    """Every member who matches, as the review shows them, their last action `before` a moment
    (the export's own is not one): read it with `.iterator()`."""
    matching = matching_members(company=company, filters=filters)
    return _with_activity(company, _rows(matching, filters.sort), before)
