"""The cash-flow forecast: pure arithmetic on balances and dated movements, `today` passed in."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.utils.functional import Promise

HORIZON_DAYS = 90
WEEK = datetime.timedelta(days=7)


@dataclass(frozen=True)
class Movement:
    """Money expected to move on a day: positive in, negative out."""

    movement_date: datetime.date
    label: str
    amount: Decimal
    category: str | Promise


@dataclass(frozen=True)
class Line:
    """A movement and the balance right after it."""

    movement: Movement
    balance: Decimal


@dataclass(frozen=True)
class Day:
    """The balance at the end of a day."""

    day: datetime.date
    balance: Decimal


@dataclass(frozen=True)
class Week:
    start: datetime.date
    end: datetime.date
    receipts: Decimal
    payments: Decimal
    closing: Decimal
    lowest: Decimal


@dataclass(frozen=True)
class Forecast:
    today: datetime.date
    end: datetime.date
    opening_balance: Decimal
    lines: list[Line]
    days: list[Day]

    @property
    def closing_balance(self) -> Decimal:
        return self.days[-1].balance

    @property
    def lowest(self) -> Day:
        return min(self.days, key=lambda day: day.balance)

    def first_day_below(self, threshold: Decimal) -> Day | None:
        return next((day for day in self.days if day.balance < threshold), None)

    @property
    def weeks(self) -> list[Week]:
        weeks = []
        for start_index in range(0, len(self.days), 7):
            days = self.days[start_index : start_index + 7]
            start, end = days[0].day, days[-1].day
            amounts = [
                line.movement.amount
                for line in self.lines
                if start <= line.movement.movement_date <= end
            ]
            weeks.append(
                Week(
                    start=start,
                    end=end,
                    receipts=sum((a for a in amounts if a > 0), Decimal("0")),
                    payments=sum((a for a in amounts if a < 0), Decimal("0")),
                    closing=days[-1].balance,
                    lowest=min(day.balance for day in days),
                )
            )
        return weeks


def forecast_build(
    *,
    opening_balance: Decimal,
    movements: Iterable[Movement],
    today: datetime.date,
    horizon_days: int = HORIZON_DAYS,
) -> Forecast:
    """The running balance from today to today + horizon, day by day.

    The opening balance already holds what moved before today; movements outside the window are
    left out.
    """
    end = today + datetime.timedelta(days=horizon_days)
    ordered = sorted(
        (m for m in movements if today <= m.movement_date <= end),
        # on one day, money in before money out: the day's lowest point is not overstated
        key=lambda m: (m.movement_date, m.amount < 0, m.label),
    )
    lines = []
    balance = opening_balance
    for movement in ordered:
        balance += movement.amount
        lines.append(Line(movement=movement, balance=balance))

    days = []
    balance = opening_balance
    position = 0
    for offset in range(horizon_days + 1):
        day = today + datetime.timedelta(days=offset)
        while position < len(lines) and lines[position].movement.movement_date == day:
            balance = lines[position].balance
            position += 1
        days.append(Day(day=day, balance=balance))
    return Forecast(today=today, end=end, opening_balance=opening_balance, lines=lines, days=days)


class Instalment(Protocol):
    """What the forecast reads of an amortisation table's row (documents.amortisation)."""

    @property
    def number(self) -> int: ...

    @property
    def due_date(self) -> datetime.date: ...

    @property
    def payment(self) -> Decimal: ...


def instalment_movements(
    *,
    reference: str,
    instalments: Sequence[Instalment],
    category: str | Promise,
    label: str,
) -> list[Movement]:
    """A contract's instalments as money out; `label` takes %(number)s and %(reference)s."""
    return [
        Movement(
            movement_date=instalment.due_date,
            label=label % {"number": instalment.number, "reference": reference},
            amount=-instalment.payment,
            category=category,
        )
        for instalment in instalments
        if instalment.payment > 0
    ]
