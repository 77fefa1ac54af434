"""The forecast drawn as an SVG line chart: coordinates computed here, markup in the template."""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from treasury.forecast import Forecast

WIDTH = 760
HEIGHT = 300
LEFT = 96  # room for the amounts of the vertical axis
RIGHT = 16
TOP = 16
BOTTOM = 40  # room for the dates of the horizontal axis


@dataclass(frozen=True)
class Tick:
    position: float
    value: Decimal | datetime.date


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    points: str
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    threshold_y: float | None
    zero_y: float | None
    lowest_x: float
    lowest_y: float


def _nice_step(span: float) -> float:
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(f * magnitude for f in (1, 2, 2.5, 5, 10) if f * magnitude >= raw)


def value_range(values: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    """Bounds on round numbers that hold every value, and the step between ticks."""
    low, high = float(min(values)), float(max(values))
    if high - low < 1:
        low, high = low - 100, high + 100
    step = _nice_step(high - low)
    bottom = math.floor(low / step) * step
    top = math.ceil(high / step) * step
    return Decimal(str(bottom)), Decimal(str(top)), Decimal(str(step))


def forecast_chart(*, forecast: Forecast, threshold: Decimal | None = None) -> Chart:
    values = [day.balance for day in forecast.days]
    if threshold is not None:
        values.append(threshold)
    low, high, step = value_range(values)
    plot_right = WIDTH - RIGHT
    plot_bottom = HEIGHT - BOTTOM
    days = max(len(forecast.days) - 1, 1)

    def x(index: int) -> float:
        return round(LEFT + (plot_right - LEFT) * index / days, 1)

    def y(value: Decimal) -> float:
        return round(plot_bottom - float((value - low) / (high - low)) * (plot_bottom - TOP), 1)

    points = " ".join(f"{x(i)},{y(day.balance)}" for i, day in enumerate(forecast.days))
    y_ticks = []
    value = low
    while value <= high:
        y_ticks.append(Tick(position=y(value), value=value))
        value += step
    x_ticks = [
        Tick(position=x(i), value=day.day)
        for i, day in enumerate(forecast.days)
        if day.day.day == 1 or i == 0
    ]
    lowest = forecast.lowest
    lowest_index = forecast.days.index(lowest)
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=plot_right,
        top=TOP,
        bottom=plot_bottom,
        points=points,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        threshold_y=y(threshold) if threshold is not None else None,
        zero_y=y(Decimal("0")) if low < 0 < high else None,
        lowest_x=x(lowest_index),
        lowest_y=y(lowest.balance),
    )
