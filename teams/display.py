"""How a member reads on the team page: one row per member, its labels and badges worked out once
per page rather than once per row (a page lists a company's whole team)."""

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.urls import reverse

from permissions.catalogue import CATALOGUE, Right, specs_for
from teams.models import Membership, MembershipStatus, Role


@dataclass(frozen=True)
class RightBadge:
    short_label: str
    label: str


@dataclass(frozen=True)
class MemberRow:
    url: str
    name: str
    email: str
    role: str
    role_label: str
    is_admin: bool
    rights: list[RightBadge]
    created_at: datetime.datetime
    status_label: str
    is_active: bool


def _member_url(company_id: int) -> Callable[[int], str]:
    """The member page's URL for any membership id, from one reverse(): the id is its last part."""
    sample = reverse("teams:member", args=[company_id, 1])
    head, _, tail = sample.rpartition("/1/")
    return lambda membership_id: f"{head}/{membership_id}/{tail}"


def member_rows(
    *, company_id: int, members: Iterable[Membership], rights: Mapping[int, list[str]]
) -> list[MemberRow]:
    """`rights`: each member's right codes by membership id (an administrator's are not shown)."""
    role_labels = {value: str(label) for value, label in Role.choices}
    status_labels = {value: str(label) for value, label in MembershipStatus.choices}
    badges: dict[Right, RightBadge] = {
        right: RightBadge(short_label=str(spec.short_label), label=spec.label)
        for right, spec in CATALOGUE.items()
    }
    member_url = _member_url(company_id)
    return [
        MemberRow(
            url=member_url(member.pk),
            name=member.user.get_full_name() or member.user.email,
            email=member.user.email,
            role=member.role,
            role_label=role_labels[member.role],
            is_admin=member.is_admin,
            rights=[badges[spec.right] for spec in specs_for(rights.get(member.pk, []))],
            created_at=member.created_at,
            status_label=status_labels[member.status],
            is_active=member.status == MembershipStatus.ACTIVE,
        )
        for member in members
    ]
