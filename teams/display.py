"""How a member reads on the team page and in the access review: one row per member, its labels
and badges worked out once per page rather than once per row; the access review's CSV rows, made
one at a time as the export streams; the counts a page states, in the reader's language."""

import dataclasses
import datetime
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from companies.models import Membership, MembershipStatus, Role
from core.csv import text_cell
from permissions.catalogue import CATALOGUE, Right, specs_for
from permissions.checks import held_rights
from permissions.end_dates import until_text
from teams.selectors import granted_end_dates, granted_rights, rights_changed_at


@dataclass(frozen=True)
class RightBadge:
    short_label: str
    label: str
    until: str = ""  # "jusqu’au 31/03/2027" for a right that ends on a date


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
    since: str  # created_at as dd/mm/yyyy in the current time zone
    status_label: str
    is_active: bool


def _membership_url(name: str, company_id: int) -> Callable[[int], str]:
    """A member's URL named `name` for any membership id, from one reverse()."""
    sample = reverse(name, args=[company_id, 1])
    head, _, tail = sample.rpartition("/1/")
    return lambda membership_id: f"{head}/{membership_id}/{tail}"


def _member_url(company_id: int) -> Callable[[int], str]:
    return _membership_url("teams:member", company_id)


def member_rows(*, company_id: int, members: Iterable[Membership]) -> list[MemberRow]:
    """`members` read with their granted rights (`teams.selectors.with_rights`); an
    administrator's are not shown."""
    role_labels = {value: str(label) for value, label in Role.choices}
    status_labels = {value: str(label) for value, label in MembershipStatus.choices}
    badges: dict[Right, RightBadge] = {
        right: RightBadge(short_label=str(spec.short_label), label=str(spec.label))
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
            rights=_badges(member, badges),
            created_at=member.created_at,
            since=f"{timezone.localtime(member.created_at):%d/%m/%Y}",
            status_label=status_labels[member.status],
            is_active=member.status == MembershipStatus.ACTIVE,
        )
        for member in members
    ]


def _badges(member: Membership, badges: dict[Right, RightBadge]) -> list[RightBadge]:
    ends_on = granted_end_dates(member)
    return [
        dataclasses.replace(
            badges[spec.right], until=until_text(datetime.date.fromisoformat(ends_on[spec.right]))
        )
        if spec.right.value in ends_on
        else badges[spec.right]
        for spec in specs_for(granted_rights(member))
    ]


@dataclass(frozen=True)
class RightColumn:
    """One right of the catalogue as a column of the access review."""

    right: Right
    short_label: str
    label: str
    moves_money: bool


@dataclass(frozen=True)
class RightCell:
    column: RightColumn
    held: bool


@dataclass(frozen=True)
class ReviewRow:
    membership_id: int
    url: str
    review_url: str  # the rights change page, posted with no right: remove them all
    name: str
    email: str
    role: str
    role_label: str
    is_admin: bool
    status_label: str
    is_active: bool
    rights: list[RightCell]
    holds_money_rights: bool
    rights_changed_at: datetime.datetime | None
    last_login: datetime.datetime | None
    last_event_at: datetime.datetime | None

    @property
    def can_lose_rights(self) -> bool:
        """A collaborator who holds a right: one click leads to removing them all."""
        return not self.is_admin and any(cell.held for cell in self.rights)


def review_columns() -> list[RightColumn]:
    return [
        RightColumn(
            right=right,
            short_label=str(spec.short_label),
            label=str(spec.label),
            moves_money=spec.moves_money,
        )
        for right, spec in CATALOGUE.items()
    ]


def _held(member: Membership) -> frozenset[Right]:
    if member.is_admin:
        return held_rights(member)
    return frozenset(Right(code) for code in granted_rights(member))


def review_rows(
    *, company_id: int, members: Iterable[Membership], columns: list[RightColumn]
) -> Iterator[ReviewRow]:
    """Administrators hold every right their company can hold (`held_rights`), collaborators
    what was signed for them. `members` as `teams.selectors.access_review_rows` reads them; the
    rows come one at a time, so that an export holds none of them for long (the labels are read
    now, in the request's language)."""
    role_labels = {value: str(label) for value, label in Role.choices}
    status_labels = {value: str(label) for value, label in MembershipStatus.choices}
    member_url = _member_url(company_id)
    review_url = _membership_url("teams:rights_review", company_id)

    def row(member: Membership) -> ReviewRow:
        held = _held(member)
        return ReviewRow(
            membership_id=member.pk,
            url=member_url(member.pk),
            review_url=review_url(member.pk),
            name=member.user.get_full_name() or member.user.email,
            email=member.user.email,
            role=member.role,
            role_label=role_labels[member.role],
            is_admin=member.is_admin,
            status_label=status_labels[member.status],
            is_active=member.status == MembershipStatus.ACTIVE,
            rights=[RightCell(column=c, held=c.right in held) for c in columns],
            holds_money_rights=any(c.moves_money and c.right in held for c in columns),
            # an administrator's rights follow the company's contracts, not a signature
            rights_changed_at=None if member.is_admin else rights_changed_at(member),
            last_login=member.user.last_login,
            last_event_at=getattr(member, "last_event_at", None),
        )

    return (row(member) for member in members)


@dataclass(frozen=True)
class ReviewLine:
    """A row as the access review's page shows it: its right cells and its dates written out
    once in Python (a column's two cells are made once per page), not node by node per row."""

    member: ReviewRow
    rights_cells: SafeString
    rights_changed_at: str
    last_login: str
    last_event_at: str


def _page_time(moment: datetime.datetime | None) -> str:
    """dd/mm/yyyy HH:MM in the current time zone (the `date:"d/m/Y H:i"` filter), or ""."""
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}" if moment is not None else ""


def review_lines(rows: Iterable[ReviewRow], columns: list[RightColumn]) -> list[ReviewLine]:
    cell = '<td data-label="{}"><span class="{}">{}</span></td>'
    held = {
        c.right: format_html(cell, c.short_label, "badge badge-success", _("Oui")) for c in columns
    }
    not_held = {c.right: format_html(cell, c.short_label, "muted", _("Non")) for c in columns}
    return [
        ReviewLine(
            member=row,
            rights_cells=mark_safe(  # noqa: S308 (cells made by format_html above)
                "".join(
                    held[c.column.right] if c.held else not_held[c.column.right] for c in row.rights
                )
            ),
            rights_changed_at=_page_time(row.rights_changed_at),
            last_login=_page_time(row.last_login),
            last_event_at=_page_time(row.last_event_at),
        )
        for row in rows
    ]


def _csv_time(moment: datetime.datetime | None) -> str:
    """dd/mm/yyyy HH:MM in the portal's time zone (Europe/Paris), empty when it never happened."""
    if moment is None:
        return ""
    return f"{timezone.localtime(moment, timezone.get_default_timezone()):%d/%m/%Y %H:%M}"


def review_csv_rows(rows: Iterable[ReviewRow], columns: list[RightColumn]) -> Iterator[list[str]]:
    """The header, then a row per member: "Oui"/"Non" per right, free text kept from running
    (the labels are read now, in the request's language)."""
    yes, no = _("Oui"), _("Non")
    sensitive = _("%(right)s (engage des fonds)")
    header = [
        _("Nom"),
        _("Adresse e-mail"),
        _("Rôle"),
        _("Statut"),
        *(
            sensitive % {"right": c.short_label} if c.moves_money else c.short_label
            for c in columns
        ),
        _("Droits qui engagent des fonds"),
        _("Droits modifiés le"),
        _("Dernière connexion"),
        _("Dernière action dans l’espace"),
    ]
    lines = (
        [
            text_cell(row.name),
            text_cell(row.email),
            row.role_label,
            row.status_label,
            *(yes if cell.held else no for cell in row.rights),
            yes if row.holds_money_rights else no,
            _csv_time(row.rights_changed_at),
            _csv_time(row.last_login),
            _csv_time(row.last_event_at),
        ]
        for row in rows
    )
    return itertools.chain([header], lines)


def _plural_form(number: int) -> int:
    """French reads 0 in the singular ("0 résultat"), English in the plural."""
    return 1 if number == 0 and (get_language() or "fr").startswith("fr") else number


def _grouped(number: int) -> str:
    return number_format(number, force_grouping=True)


def counts_text(*, members: int, invitations: int | None = None, results: int | None = None) -> str:
    """ "1 000 membres · 12 invitations en cours · 37 résultats", in the reader's language."""
    parts = [
        ngettext("%(count)s membre", "%(count)s membres", _plural_form(members))
        % {"count": _grouped(members)}
    ]
    if invitations is not None:
        parts.append(
            ngettext(
                "%(count)s invitation en cours",
                "%(count)s invitations en cours",
                _plural_form(invitations),
            )
            % {"count": _grouped(invitations)}
        )
    if results is not None:
        parts.append(
            ngettext("%(count)s résultat", "%(count)s résultats", _plural_form(results))
            % {"count": _grouped(results)}
        )
    return " · ".join(parts)
