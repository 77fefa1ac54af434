"""Rights that end on a date: the last day a right is held, read in the portal's time zone.

An end date is stored as {right: "YYYY-MM-DD"} beside a set of rights (an invitation, a rights
change, an authorisation) and as `Grant.ends_on` once granted. A right whose last day has passed
is no longer held, whatever the daily task has done: every check reads `local_today()`.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from permissions.catalogue import CATALOGUE, Right, RightSpec, sorted_rights

# an end date is at most this many days ahead: a right for longer has none
MAX_DAYS_AHEAD = 5 * 366
# the administrators are asked whether to extend a right this many days before its end
NOTICE_DAYS = 7

EndDates = dict[str, str]


class EndDateRefused(Exception):
    def __init__(self, message: str, *, right: str) -> None:
        super().__init__(message)
        self.message = message
        self.right = right


def local_today(now: datetime.datetime | None = None) -> datetime.date:
    """Today in the portal's time zone (Europe/Paris): the day every end date is compared with."""
    return timezone.localdate(now or timezone.now())


def is_current(ends_on: datetime.date | None, today: datetime.date) -> bool:
    return ends_on is None or ends_on >= today


def end_dates_checked(
    rights: Iterable[str],
    ends_on: Mapping[str, datetime.date | str | None],
    *,
    today: datetime.date,
    kept: Mapping[str, str] | None = None,
) -> EndDates:
    """The end dates of these rights as stored ({right: "YYYY-MM-DD"}): those of other rights and
    the empty ones dropped; a date must be after today and at most about five years ahead.
    `kept`: the dates already held, accepted as they are (a right ending soon keeps its date)."""
    chosen = {right.value for right in sorted_rights(rights)}
    checked: EndDates = {}
    for right, value in ends_on.items():
        if right not in chosen or not value:
            continue
        day = value if isinstance(value, datetime.date) else _parsed(str(value), right)
        if kept and kept.get(right) == day.isoformat():
            checked[right] = day.isoformat()
            continue
        label = CATALOGUE[Right(right)].short_label
        if day <= today:
            raise EndDateRefused(
                _("La date de fin du droit « %(right)s » doit être postérieure à aujourd’hui.")
                % {"right": label},
                right=right,
            )
        if day > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
            raise EndDateRefused(
                _(
                    "La date de fin du droit « %(right)s » ne peut pas dépasser cinq ans : "
                    "laissez-la vide pour un droit sans fin."
                )
                % {"right": label},
                right=right,
            )
        checked[right] = day.isoformat()
    return dict(sorted(checked.items()))


def _parsed(value: str, right: str) -> datetime.date:
    for parse in (datetime.date.fromisoformat, _french_date):
        try:
            return parse(value.strip())
        except ValueError:
            continue
    raise EndDateRefused(
        _("Date de fin illisible : %(value)s. Écrivez-la JJ/MM/AAAA, par exemple 31/03/2027.")
        % {"value": value},
        right=right,
    )


def _french_date(value: str) -> datetime.date:
    return datetime.datetime.strptime(value, "%d/%m/%Y").date()


def parse_end_date(value: str, *, right: str = "") -> datetime.date:
    """A date as a person writes it, 31/03/2027 or 2027-03-31; EndDateRefused if it is not one."""
    return _parsed(value, right)


def as_date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def until_text(day: datetime.date) -> str:
    return _("jusqu’au %(date)s") % {"date": date_format(day, "d/m/Y")}


@dataclass(frozen=True)
class DatedSpec:
    """A right of the catalogue and its last day, if any: what a statement lists."""

    spec: RightSpec
    ends_on: datetime.date | None

    @property
    def right(self) -> Right:
        return self.spec.right

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def short_label(self) -> object:
        return self.spec.short_label

    @property
    def condition(self) -> object:
        return self.spec.condition

    @property
    def detail(self) -> object:
        return self.spec.detail

    @property
    def until(self) -> str:
        return until_text(self.ends_on) if self.ends_on else ""


def dated_specs(rights: Iterable[str], ends_on: Mapping[str, str] | None) -> list[DatedSpec]:
    """The rights in catalogue order, each with its end date."""
    dates = ends_on or {}
    return [
        DatedSpec(CATALOGUE[right], as_date(dates.get(right.value)))
        for right in sorted_rights(rights)
    ]
