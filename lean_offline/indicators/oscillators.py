"""RelativeStrengthIndex and BollingerBands (Indicators/RelativeStrengthIndex.cs, BollingerBands.cs)."""

from __future__ import annotations

from typing import Any

from .base import IndicatorBase, IndicatorDataPoint, _make_point
from .composite import IndicatorExtensions
from .moving_averages import MovingAverageType, as_indicator
from .window_indicators import ConstantIndicator, Identity, StandardDeviation


def _name_and_values(indicator: str, args: tuple[Any, ...], most: int) -> tuple[str | None, list[Any], int]:
    """LEAN's `(period, ...)` / `(name, period, ...)` overloads: (name or None, the values after the period, period)."""
    name = args[0] if args and isinstance(args[0], str) else None
    values = list(args[1:] if name is not None else args)
    if not values or len(values) > most:
        raise TypeError(f"{indicator}: expected ([name,] period, ...) with at most {most} values, got {args!r}")
    period = values.pop(0)
    if not isinstance(period, int) or isinstance(period, bool) or period < 1:
        raise ValueError(f"{indicator}: period must be an integer of at least 1, got {period!r}")
    return name, values, period


class RelativeStrengthIndex(IndicatorBase):
    """RSI = 100 − 100 / (1 + G/L), with G and L moving averages (Wilder's by default) of the gains max(Δx, 0) and
    losses max(−Δx, 0); 100 while L rounds to 0 at 10 decimals (so 100 on the first sample, which has no change).
    Ready when both averages are, i.e. after period + 1 samples.

    `RelativeStrengthIndex([name,] period, moving_average_type=WILDERS)`.
    """

    __slots__ = ("moving_average_type", "average_gain", "average_loss", "warm_up_period", "_previous_value")

    def __init__(self, *args: Any, moving_average_type: Any = None) -> None:
        name, rest, period = _name_and_values("RelativeStrengthIndex", args, 2)
        if rest:
            moving_average_type = rest[0]
        if moving_average_type is None:
            moving_average_type = MovingAverageType["WILDERS"]
        name = f"RSI({period})" if name is None else name
        super().__init__(name)
        self.moving_average_type = MovingAverageType(moving_average_type)
        self.average_gain = as_indicator(moving_average_type, f"{name}Up", period)
        self.average_loss = as_indicator(moving_average_type, f"{name}Down", period)
        self.warm_up_period = period + 1
        self._previous_value: float | None = None

    @property
    def is_ready(self) -> bool:
        return self.average_gain.is_ready and self.average_loss.is_ready

    def _compute(self, point: IndicatorDataPoint) -> float:
        previous = self._previous_value
        if previous is not None:
            change = point.value - previous
            self.average_gain.update(_make_point(None, point.time, max(change, 0.0)))
            self.average_loss.update(_make_point(None, point.time, max(-change, 0.0)))
        self._previous_value = point.value
        average_loss = max(self.average_loss.current.value, 0.0)
        average_gain = max(self.average_gain.current.value, 0.0)
        if round(average_loss, 10) == 0:
            return 100.0
        return 100.0 - 100.0 / (1.0 + average_gain / average_loss)

    def _reset_state(self) -> None:
        self._previous_value = None
        self.average_gain.reset()
        self.average_loss.reset()


class BollingerBands(IndicatorBase):
    """Bands k standard deviations (population, over `period`) around a moving average (simple by default):
    middle_band = MA, upper_band = MA + k·σ, lower_band = MA − k·σ, band_width = 100·(upper − lower)/middle,
    percent_b = (price − lower)/(upper − lower), price = the input. The value is the input. Ready when the bands,
    band width and %B are (after `period` samples); once ready, an input with σ = 0 gives no new value.

    `BollingerBands([name,] period, k, moving_average_type=SIMPLE)`.
    """

    __slots__ = ("moving_average_type", "standard_deviation", "middle_band", "upper_band", "lower_band",
                 "band_width", "percent_b", "price", "warm_up_period")

    def __init__(self, *args: Any, k: float | None = None, moving_average_type: Any = None) -> None:
        name, rest, period = _name_and_values("BollingerBands", args, 3)
        if rest:
            k = rest.pop(0)
        if rest:
            moving_average_type = rest.pop(0)
        if k is None:
            raise TypeError(f"BollingerBands needs k, the width in standard deviations: got {args!r}")
        if moving_average_type is None:
            moving_average_type = MovingAverageType["SIMPLE"]
        k = float(k)
        super().__init__(f"BB({period},{k})" if name is None else name)
        name = self.name
        self.warm_up_period = period
        self.moving_average_type = MovingAverageType(moving_average_type)
        self.standard_deviation = StandardDeviation(f"{name}_StandardDeviation", period)
        self.middle_band = as_indicator(moving_average_type, f"{name}_MiddleBand", period)
        extensions = IndicatorExtensions
        self.lower_band = extensions.minus(self.middle_band, extensions.times(self.standard_deviation, k),
                                           f"{name}_LowerBand")
        self.upper_band = extensions.plus(self.middle_band, extensions.times(self.standard_deviation, k),
                                          f"{name}_UpperBand")
        upper_minus_lower = extensions.minus(self.upper_band, self.lower_band)
        self.band_width = extensions.times(extensions.over(upper_minus_lower, self.middle_band),
                                           ConstantIndicator("ct", 100.0), f"{name}_BandWidth")
        self.price = Identity(f"{name}_Close")
        self.percent_b = extensions.over(extensions.minus(self.price, self.lower_band), upper_minus_lower,
                                         f"{name}_%B")

    @property
    def is_ready(self) -> bool:
        return (self.middle_band.is_ready and self.upper_band.is_ready and self.lower_band.is_ready
                and self.band_width.is_ready and self.percent_b.is_ready)

    def _compute(self, point: IndicatorDataPoint) -> float | None:
        self.standard_deviation.update(point)
        self.middle_band.update(point)
        self.price.update(point)
        if self.is_ready and self.standard_deviation.current.value == 0:
            return None
        return point.value

    def _reset_state(self) -> None:
        bands: tuple[IndicatorBase, ...] = (self.standard_deviation, self.middle_band, self.upper_band,
                                            self.lower_band, self.band_width, self.percent_b, self.price)
        for indicator in bands:
            indicator.reset()


__all__ = ["BollingerBands", "RelativeStrengthIndex"]
