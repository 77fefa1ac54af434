import datetime
from decimal import Decimal

from documents.amortisation import Instalment
from treasury.forecast import Movement, forecast_build, instalment_movements

TODAY = datetime.date(2026, 3, 2)


def on(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


def movement(days: int, amount: str, label: str = "Flux") -> Movement:
    return Movement(movement_date=on(days), label=label, amount=Decimal(amount), category="Test")


def test_runs_the_balance_day_by_day_from_the_opening_balance():
    forecast = forecast_build(
        opening_balance=Decimal("1000.00"),
        movements=[movement(2, "500.00"), movement(5, "-2000.00")],
        today=TODAY,
    )

    balances = [day.balance for day in forecast.days]
    assert balances[:6] == [Decimal(v) for v in ("1000", "1000", "1500", "1500", "1500", "-500")]
    assert forecast.closing_balance == Decimal("-500.00")


def test_covers_today_and_the_next_ninety_days():
    forecast = forecast_build(opening_balance=Decimal("0"), movements=[], today=TODAY)

    assert forecast.days[0].day == TODAY
    assert forecast.days[-1].day == on(90) == forecast.end
    assert len(forecast.days) == 91


def test_leaves_out_movements_before_today_and_after_the_horizon():
    forecast = forecast_build(
        opening_balance=Decimal("100.00"),
        movements=[movement(-1, "-50.00"), movement(91, "-50.00"), movement(90, "25.00")],
        today=TODAY,
    )

    assert [line.movement.movement_date for line in forecast.lines] == [on(90)]
    assert forecast.closing_balance == Decimal("125.00")


def test_gives_each_movement_the_balance_right_after_it():
    forecast = forecast_build(
        opening_balance=Decimal("100.00"),
        movements=[movement(3, "-30.00", "Loyer"), movement(1, "20.00", "Client")],
        today=TODAY,
    )

    assert [(line.movement.label, line.balance) for line in forecast.lines] == [
        ("Client", Decimal("120.00")),
        ("Loyer", Decimal("90.00")),
    ]


def test_counts_money_in_before_money_out_on_the_same_day():
    forecast = forecast_build(
        opening_balance=Decimal("0"),
        movements=[movement(4, "-100.00", "A payer"), movement(4, "100.00", "Z encaisser")],
        today=TODAY,
    )

    assert [line.balance for line in forecast.lines] == [Decimal("100.00"), Decimal("0")]


def test_finds_the_lowest_day_and_the_first_day_under_a_threshold():
    forecast = forecast_build(
        opening_balance=Decimal("10000.00"),
        movements=[movement(10, "-6000.00"), movement(20, "-3000.00"), movement(30, "8000.00")],
        today=TODAY,
    )

    assert forecast.lowest.day == on(20)
    assert forecast.lowest.balance == Decimal("1000.00")
    below = forecast.first_day_below(Decimal("5000"))
    assert below is not None and below.day == on(10)
    assert forecast.first_day_below(Decimal("1000")) is None


def test_sums_each_week_in_and_out_with_its_lowest_and_closing_balances():
    forecast = forecast_build(
        opening_balance=Decimal("1000.00"),
        movements=[movement(1, "200.00"), movement(2, "-900.00"), movement(3, "300.00")],
        today=TODAY,
    )

    first = forecast.weeks[0]
    assert (first.start, first.end) == (TODAY, on(6))
    assert first.receipts == Decimal("500.00")
    assert first.payments == Decimal("-900.00")
    assert first.lowest == Decimal("300.00")
    assert first.closing == Decimal("600.00")
    assert len(forecast.weeks) == 13
    assert forecast.weeks[-1].end == on(90)


def test_turns_a_contracts_instalments_into_money_out():
    instalments = [
        Instalment(1, on(10), Decimal("1250.40"), Decimal("50"), Decimal("1200.40"), Decimal("0")),
    ]

    movements = instalment_movements(
        reference="PRT-1",
        instalments=instalments,
        category="Échéance de crédit",
        label="Échéance n° %(number)s du contrat %(reference)s",
    )

    assert movements == [
        Movement(
            movement_date=on(10),
            label="Échéance n° 1 du contrat PRT-1",
            amount=Decimal("-1250.40"),
            category="Échéance de crédit",
        )
    ]
