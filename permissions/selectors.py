"""Which rights a company may grant: the catalogue read against the contracts it holds."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import (
    Aggregate,
    CharField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.translation import gettext as _

from companies.models import (
    Company,
    Contract,
    ContractStatus,
    Membership,
    MembershipStatus,
    Role,
)
from permissions.catalogue import CATALOGUE, Right, RightOption, right_options
from permissions.end_dates import local_today
from permissions.models import Grant

# like contrib.auth's _perm_cache: a page asks several times, the database answers once
_CONTRACT_KINDS_CACHE = "_active_contract_kinds"
GRANTED_CACHE = "_granted_rights"


class _Joined(Aggregate):
    """A column's values joined by commas: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def _codes(joined: str | None) -> frozenset[str]:
    return frozenset(code for code in (joined or "").split(",") if code)


def current_grants(today: datetime.date | None = None) -> QuerySet[Grant]:
    """The grants still held today (Paris): a right is held until the end of its last day."""
    day = today or local_today()
    return Grant.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


MONEY_RIGHTS = frozenset(spec.right.value for spec in CATALOGUE.values() if spec.moves_money)


def grants_with_ends(grants: QuerySet[Grant]) -> Subquery:
    """The grants of one membership (`grants` filtered on an OuterRef) as one text column,
    "right:YYYY-MM-DD" (or "right:" without an end) joined by commas: one subquery for the whole
    catalogue, on PostgreSQL and SQLite alike. Read back with `rights_with_ends`."""
    pair = Concat(
        "right",
        Value(":"),
        Coalesce(Cast("ends_on", CharField()), Value("")),
        output_field=CharField(),
    )
    return Subquery(
        grants.order_by().values("membership").annotate(codes=_Joined(pair)).values("codes")
    )


def rights_with_ends(joined: str | None) -> dict[str, datetime.date | None]:
    """`grants_with_ends`'s column as {right: its last day, or None}."""
    pairs = (item.partition(":") for item in (joined or "").split(",") if item)
    return {right: datetime.date.fromisoformat(day) if day else None for right, _sep, day in pairs}


def money_memberships(*, user_id: int, today: datetime.date | None = None) -> QuerySet[Membership]:
    """The person's active memberships that move money once their account is active: those of an
    administrator (every right) and those of a collaborator holding a right that moves money
    today. The account itself may be deactivated: only the membership's status is read."""
    holds = current_grants(today).filter(membership=OuterRef("pk"), right__in=MONEY_RIGHTS)
    return (
        Membership.objects.filter(user_id=user_id, status=MembershipStatus.ACTIVE)
        .filter(Q(role=Role.ADMIN) | Exists(holds))
        .select_related("user", "company")
        .order_by("pk")
    )


def membership_with_rights(
    *, user_id: int, company_id: int, today: datetime.date | None = None
) -> Membership | None:
    """The user's active membership of the company, its company and user, what it was granted and
    still holds today and the kinds of the company's active contracts: one query for every
    company page."""
    granted = (
        current_grants(today)
        .filter(membership=OuterRef("pk"))
        .order_by()
        .values("membership")
        .annotate(codes=_Joined("right"))
        .values("codes")
    )
    kinds = (
        Contract.objects.filter(company=OuterRef("company_id"), status=ContractStatus.ACTIVE)
        .order_by()
        .values("company")
        .annotate(codes=_Joined("kind"))
        .values("codes")
    )
    membership = (
        Membership.objects.active()
        .select_related("company", "user")
        .annotate(granted_codes=Subquery(granted), contract_kinds=Subquery(kinds))
        .filter(user_id=user_id, company_id=company_id)
        .first()
    )
    if membership is None:
        return None
    setattr(
        membership, GRANTED_CACHE, frozenset(Right(c) for c in _codes(membership.granted_codes))
    )
    setattr(membership.company, _CONTRACT_KINDS_CACHE, _codes(membership.contract_kinds))
    return membership


def active_contract_kinds(company: Company) -> frozenset[str]:
    """The kinds of the company's active contracts, read once per company object."""
    kinds: frozenset[str] | None = getattr(company, _CONTRACT_KINDS_CACHE, None)
    if kinds is None:
        kinds = frozenset(
            company.contracts.filter(status=ContractStatus.ACTIVE).values_list("kind", flat=True)
        )
        setattr(company, _CONTRACT_KINDS_CACHE, kinds)
    return kinds


def grantable_rights(company: Company) -> list[RightOption]:
    """The catalogue as this company may grant it: a right whose contracts it lacks is disabled."""
    return right_options(
        held_contract_kinds=active_contract_kinds(company),
        has_entreprise_subscription=company.has_entreprise_subscription,
    )


def ungrantable_refusal(
    company: Company, rights: Iterable[str], *, held: Iterable[str] = ()
) -> str | None:
    """Why some of these rights cannot be granted in this company (its contracts or subscription
    do not allow them), with the catalogue's reason; the rights already `held` are not asked
    again. None: they can. The one check behind every grant: invitations, the administrator's
    changes, support's."""
    disabled = {
        option.code: str(option.reason)
        for option in grantable_rights(company)
        if not option.enabled
    }
    refused = sorted(set(rights).intersection(disabled) - set(held))
    if not refused:
        return None
    labels = ", ".join(str(CATALOGUE[Right(r)].short_label) for r in refused)
    reasons = dict.fromkeys(disabled[r] for r in refused if disabled[r])
    return " ".join(
        [
            _("Ce droit ne peut pas être accordé dans votre entreprise : %(r)s.") % {"r": labels},
            *reasons,
        ]
    )
