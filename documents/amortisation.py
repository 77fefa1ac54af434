"""Amortisation tables computed from a contract's terms: pure functions, Decimal, no database.

The rules, so that the portal, the PDF and the treasury forecast all say the same thing:

- Constant instalments (annuity) at the proportional rate ``annual_rate / 100 / 12 * frequency``
  per period; a zero rate divides the capital evenly.
- The number of periods is the length of the contract in months (a remainder of 15 days or more
  counts as a month) divided by the frequency, rounded to the nearest whole period, at least one.
- Instalment ``k`` falls ``k × frequency`` months after the start date (a 31st becomes the last day
  of shorter months); the last one falls on the contract's end date.
- Leases (CBM, LOCFI) keep their residual value at the end: the purchase option (CBM) or the end
  value (LOCFI) is not amortised, the table ends with ``remaining == residual_value``.
- CLUB credits are amortised on the **drawn amount**: only the disbursed part is owed and bears
  interest; the undrawn part is a commitment, not a debt. A CLUB credit nothing has been drawn on
  has an empty table.
- Amounts are rounded to the cent (half up) each period; the last instalment absorbs the rounding so
  the remaining capital ends exactly at the residual value and never goes below it.
"""

import datetime
import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from dateutil.relativedelta import relativedelta

CENT = Decimal("0.01")
ZERO = Decimal("0")
FREQUENCIES = (1, 3, 6, 12)
LEASE_KINDS = frozenset({"cbm", "locfi"})
CLUB_KIND = "club"


class ContractTerms(Protocol):
    """What a schedule reads: `companies.models.Contract` fits, and so does any plain object."""

    @property
    def kind(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def start_date(self) -> datetime.date: ...
    @property
    def end_date(self) -> datetime.date: ...
    @property
    def annual_rate(self) -> Decimal: ...
    @property
    def payment_frequency(self) -> int: ...
    @property
    def residual_value(self) -> Decimal: ...
    @property
    def drawn_amount(self) -> Decimal: ...


@dataclass(frozen=True)
class Instalment:
    number: int
    due_date: datetime.date
    payment: Decimal
    interest: Decimal
    principal: Decimal
    remaining: Decimal


@dataclass(frozen=True)
class Totals:
    payment: Decimal
    interest: Decimal
    principal: Decimal


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def financed_amount(contract: ContractTerms) -> Decimal:
    """The capital the table amortises: the drawn part of a CLUB credit, else the amount."""
    if contract.kind == CLUB_KIND:
        return Decimal(contract.drawn_amount)
    return Decimal(contract.amount)


def residual_value(contract: ContractTerms) -> Decimal:
    """What is left at the end: only leases keep a residual value."""
    if contract.kind in LEASE_KINDS:
        return Decimal(contract.residual_value)
    return ZERO


def period_rate(contract: ContractTerms) -> Decimal:
    return Decimal(contract.annual_rate) / 100 / 12 * contract.payment_frequency


def period_count(*, start_date: datetime.date, end_date: datetime.date, frequency: int) -> int:
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown payment frequency: {frequency}")
    length = relativedelta(end_date, start_date)
    months = length.years * 12 + length.months + (1 if length.days >= 15 else 0)
    periods = (Decimal(months) / frequency).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(1, int(periods))


def due_dates(
    *, start_date: datetime.date, end_date: datetime.date, frequency: int
) -> list[datetime.date]:
    count = period_count(start_date=start_date, end_date=end_date, frequency=frequency)
    dates = [start_date + relativedelta(months=k * frequency) for k in range(1, count)]
    return [*dates, end_date]


def constant_payment(
    *, capital: Decimal, residual: Decimal, rate: Decimal, periods: int
) -> Decimal:
    """The annuity that repays `capital` down to `residual` in `periods` periods at `rate`."""
    if rate == ZERO:
        return cents((capital - residual) / periods)
    discount = (1 + rate) ** -periods
    return cents((capital - residual * discount) * rate / (1 - discount))


@dataclass(frozen=True)
class Terms:
    """A contract's terms as plain values (hashable): what a schedule depends on, and only that."""

    kind: str
    amount: Decimal
    start_date: datetime.date
    end_date: datetime.date
    annual_rate: Decimal
    payment_frequency: int
    residual_value: Decimal
    drawn_amount: Decimal


# the contract fields a schedule reads (a query may load only these)
TERMS_FIELDS = (
    "kind",
    "amount",
    "start_date",
    "end_date",
    "annual_rate",
    "payment_frequency",
    "residual_value",
    "drawn_amount",
)


def terms_of(contract: ContractTerms) -> Terms:
    return Terms(
        kind=str(contract.kind),
        amount=Decimal(contract.amount),
        start_date=contract.start_date,
        end_date=contract.end_date,
        annual_rate=Decimal(contract.annual_rate),
        payment_frequency=int(contract.payment_frequency),
        residual_value=Decimal(contract.residual_value),
        drawn_amount=Decimal(contract.drawn_amount),
    )


def schedule(contract: ContractTerms) -> list[Instalment]:
    """The table; computed once per set of terms in a process (the treasury forecast reads every
    running contract's on each page). Instalments are frozen, so sharing them is safe."""
    return list(_schedule_of(terms_of(contract)))


@functools.lru_cache(maxsize=4096)
def _schedule_of(contract: Terms) -> tuple[Instalment, ...]:
    return tuple(computed_schedule(contract))


def computed_schedule(contract: ContractTerms) -> list[Instalment]:
    capital = financed_amount(contract)
    if capital <= ZERO:
        return []
    residual = min(residual_value(contract), capital)
    rate = period_rate(contract)
    dates = due_dates(
        start_date=contract.start_date,
        end_date=contract.end_date,
        frequency=contract.payment_frequency,
    )
    payment = constant_payment(capital=capital, residual=residual, rate=rate, periods=len(dates))
    remaining = capital
    instalments = []
    for number, due_date in enumerate(dates, start=1):
        interest = cents(remaining * rate)
        if number == len(dates):
            principal = remaining - residual
        else:
            # rounding may leave a cent short or over: never below zero, never past the residual
            principal = min(max(payment - interest, ZERO), remaining - residual)
        remaining -= principal
        instalments.append(
            Instalment(
                number=number,
                due_date=due_date,
                payment=interest + principal,
                interest=interest,
                principal=principal,
                remaining=remaining,
            )
        )
    return instalments


def totals(instalments: list[Instalment]) -> Totals:
    return Totals(
        payment=sum((i.payment for i in instalments), ZERO),
        interest=sum((i.interest for i in instalments), ZERO),
        principal=sum((i.principal for i in instalments), ZERO),
    )
