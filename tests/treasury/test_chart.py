import datetime
from decimal import Decimal

from treasury.chart import HEIGHT, WIDTH, forecast_chart, value_range
from treasury.forecast import Movement, forecast_build

TODAY = datetime.date(2026, 3, 2)


def forecast_dropping_to(amount: str):
    return forecast_build(
        opening_balance=Decimal("20000"),
        movements=[
            Movement(
                movement_date=TODAY + datetime.timedelta(days=45),
                label="Salaires",
                amount=Decimal(amount) - Decimal("20000"),
                category="Salaires",
            )
        ],
        today=TODAY,
    )


def test_draws_one_point_per_day_inside_the_plot():
    chart = forecast_chart(forecast=forecast_dropping_to("5000"))

    points = [tuple(map(float, p.split(","))) for p in chart.points.split()]
    assert len(points) == 91
    assert all(chart.left <= x <= chart.right <= WIDTH for x, _ in points)
    assert all(chart.top <= y <= chart.bottom <= HEIGHT for _, y in points)
    assert points[0][1] < points[-1][1]  # higher balance, higher on the page


def test_draws_the_threshold_inside_the_plot_even_below_every_balance():
    chart = forecast_chart(forecast=forecast_dropping_to("5000"), threshold=Decimal("1000"))

    assert chart.threshold_y is not None
    assert chart.top <= chart.threshold_y <= chart.bottom
    assert chart.threshold_y > chart.lowest_y


def test_draws_no_threshold_when_none_is_set():
    assert forecast_chart(forecast=forecast_dropping_to("5000")).threshold_y is None


def test_draws_the_zero_line_only_when_the_balance_goes_negative():
    assert forecast_chart(forecast=forecast_dropping_to("5000")).zero_y is None
    assert forecast_chart(forecast=forecast_dropping_to("-5000")).zero_y is not None


def test_rounds_the_axis_to_round_numbers():
    low, high, step = value_range([Decimal("1234"), Decimal("98765")])

    assert (low, high, step) == (Decimal("0"), Decimal("100000"), Decimal("25000"))
