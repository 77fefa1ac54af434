import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from documents.amortisation import (
    Instalment,
    constant_payment,
    due_dates,
    period_count,
    schedule,
    totals,
)


@dataclass(frozen=True)
class Terms:
    kind: str = "loan"
    amount: Decimal = Decimal("120000.00")
    start_date: datetime.date = datetime.date(2024, 1, 15)
    end_date: datetime.date = datetime.date(2034, 1, 15)
    annual_rate: Decimal = Decimal("4.000")
    payment_frequency: int = 1
    residual_value: Decimal = Decimal("0")
    drawn_amount: Decimal = Decimal("0")


def test_a_ten_year_monthly_loan_has_120_instalments_of_the_textbook_annuity():
    rows = schedule(Terms())

    assert len(rows) == 120
    # 120 000 € at 4 % over 10 years, monthly: 1 214,94 € (any annuity table)
    assert rows[0].payment == Decimal("1214.94")
    assert rows[0].interest == Decimal("400.00")
    assert rows[0].principal == Decimal("814.94")
    assert rows[0].remaining == Decimal("119185.06")
    assert rows[-1].remaining == Decimal("0.00")


def test_the_first_instalment_falls_one_period_after_the_start_and_the_last_on_the_end_date():
    rows = schedule(Terms(payment_frequency=3))

    assert rows[0] == Instalment(
        number=1,
        due_date=datetime.date(2024, 4, 15),
        payment=rows[0].payment,
        interest=Decimal("1200.00"),
        principal=rows[0].principal,
        remaining=rows[0].remaining,
    )
    assert len(rows) == 40
    assert rows[-1].due_date == datetime.date(2034, 1, 15)


def test_a_contract_ending_the_day_before_its_anniversary_counts_whole_months():
    count = period_count(
        start_date=datetime.date(2023, 6, 1), end_date=datetime.date(2028, 5, 31), frequency=1
    )

    assert count == 60


def test_due_dates_keep_the_end_of_month_on_short_months():
    dates = due_dates(
        start_date=datetime.date(2024, 1, 31), end_date=datetime.date(2024, 5, 31), frequency=1
    )

    assert dates == [
        datetime.date(2024, 2, 29),
        datetime.date(2024, 3, 31),
        datetime.date(2024, 4, 30),
        datetime.date(2024, 5, 31),
    ]


def test_a_zero_rate_divides_the_capital_evenly_and_the_last_absorbs_the_cents():
    rows = schedule(
        Terms(
            amount=Decimal("1000.00"), annual_rate=Decimal("0"), end_date=datetime.date(2024, 4, 15)
        )
    )

    assert [row.payment for row in rows] == [
        Decimal("333.33"),
        Decimal("333.33"),
        Decimal("333.34"),
    ]
    assert all(row.interest == 0 for row in rows)


def test_a_lease_keeps_its_residual_value_at_the_end():
    rows = schedule(Terms(kind="cbm", residual_value=Decimal("6000.00")))

    assert rows[-1].remaining == Decimal("6000.00")
    assert totals(rows).principal == Decimal("114000.00")


def test_a_club_credit_is_amortised_on_its_drawn_amount():
    rows = schedule(Terms(kind="club", amount=Decimal("750000"), drawn_amount=Decimal("300000")))

    assert rows[0].interest == Decimal("1000.00")
    assert totals(rows).principal == Decimal("300000")


def test_a_club_credit_with_nothing_drawn_has_an_empty_table():
    assert schedule(Terms(kind="club", drawn_amount=Decimal("0"))) == []


def test_a_loan_ignores_a_residual_value_it_cannot_have():
    rows = schedule(Terms(kind="loan", residual_value=Decimal("500")))

    assert rows[-1].remaining == 0


def test_an_unknown_frequency_is_refused():
    with pytest.raises(ValueError, match="frequency"):
        schedule(Terms(payment_frequency=2))


def test_the_constant_payment_at_zero_rate_is_the_capital_over_the_periods():
    assert constant_payment(
        capital=Decimal("1200"), residual=Decimal("0"), rate=Decimal("0"), periods=12
    ) == Decimal("100.00")


@st.composite
def contracts(draw: st.DrawFn) -> Terms:
    kind = draw(st.sampled_from(["loan", "club", "cbm", "locfi"]))
    amount = Decimal(draw(st.integers(min_value=1, max_value=5_000_000_00))) / 100
    start = draw(st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2040, 1, 1)))
    end = start + datetime.timedelta(days=draw(st.integers(min_value=0, max_value=30 * 366)))
    residual = Decimal(draw(st.integers(min_value=0, max_value=int(amount * 100) - 1))) / 100
    drawn = Decimal(draw(st.integers(min_value=0, max_value=int(amount * 100)))) / 100
    rate = Decimal(draw(st.integers(min_value=0, max_value=99_999))) / 1000
    return Terms(
        kind=kind,
        amount=amount,
        start_date=start,
        end_date=end,
        annual_rate=rate,
        payment_frequency=draw(st.sampled_from([1, 3, 6, 12])),
        residual_value=residual if kind in {"cbm", "locfi"} else Decimal("0"),
        drawn_amount=drawn if kind == "club" else Decimal("0"),
    )


def expected_principal(terms: Terms) -> Decimal:
    if terms.kind == "club":
        return terms.drawn_amount
    return terms.amount - terms.residual_value


@given(contracts())
def test_the_principal_repaid_is_the_capital_less_the_residual(terms):
    assert totals(schedule(terms)).principal == expected_principal(terms)


@given(contracts())
def test_the_remaining_capital_never_goes_negative_nor_below_the_residual(terms):
    rows = schedule(terms)

    assert all(row.remaining >= terms.residual_value >= 0 for row in rows)
    assert all(row.principal >= 0 and row.interest >= 0 for row in rows)
    assert all(row.payment == row.principal + row.interest for row in rows)


@given(contracts())
def test_the_due_dates_strictly_increase_after_the_start(terms):
    dates = [row.due_date for row in schedule(terms)]

    assert all(earlier < later for earlier, later in itertools.pairwise(dates))
    assert all(terms.start_date <= date <= terms.end_date for date in dates)


@given(contracts())
def test_every_amount_is_in_cents_and_the_table_ends_on_the_residual(terms):
    rows = schedule(terms)

    assert all(row.payment == row.payment.quantize(Decimal("0.01")) for row in rows)
    if rows:
        assert rows[-1].remaining == (
            Decimal("0") if terms.kind == "club" else terms.residual_value
        )
