"""Moving averages with LEAN's warm-up behaviour (Indicators/SimpleMovingAverage.cs, ExponentialMovingAverage.cs,
WilderMovingAverage.cs, LinearWeightedMovingAverage.cs, DoubleExponentialMovingAverage.cs,
TripleExponentialMovingAverage.cs, TriangularMovingAverage.cs, HullMovingAverage.cs, Sum.cs) and MovingAverageType."""

from __future__ import annotations

import math
from typing import Any

from ..naming import UnsupportedApiError, lean_enum
from .base import IndicatorBase, IndicatorDataPoint, WindowIndicator, _make_point, name_and_period

MovingAverageType = lean_enum(
    "MovingAverageType",
    {"Simple": 0, "Exponential": 1, "Wilders": 2, "LinearWeightedMovingAverage": 3, "DoubleExponential": 4,
     "TripleExponential": 5, "Triangular": 6, "T3": 7, "Kama": 8, "Hull": 9, "Alma": 10, "Zlema": 11, "MGD": 12},
)

# A float running sum drifts by one rounding error per add/remove; re-adding the window exactly this often keeps
# the drift bounded at an amortised cost of period/RESUM_INTERVAL per update.
RESUM_INTERVAL = 1024


class Sum(WindowIndicator):
    """Sum of the last `period` inputs (of all inputs while fewer than `period`). `Sum(period)`/`Sum(name, period)`."""

    __slots__ = ("_sum",)

    _averaged = False  # SimpleMovingAverage divides the sum by the number of inputs it holds
    _value_only = True

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        name, period = name_and_period("SUM({})", name, period)
        super().__init__(name, period)
        self._sum = 0.0

    def _compute_value(self, value: float) -> float:
        inputs = self._inputs
        count = len(inputs)
        if count == self._period:  # the oldest input leaves the window as this one enters
            total = self._sum + (value - inputs[0])
        else:
            total = self._sum + value
            count += 1
        inputs.append(value)
        if self.samples % RESUM_INTERVAL == 0:
            total = math.fsum(inputs)
        self._sum = total
        return total / count if self._averaged else total

    def _reset_state(self) -> None:
        self._sum = 0.0


class SimpleMovingAverage(Sum):
    """SMA: mean of the last `period` inputs; before `period` inputs, the mean of those seen (LEAN's behaviour).

    value_t = (x_t + … + x_{t−n+1}) / n, with n = min(period, samples).
    """

    __slots__ = ()

    _averaged = True

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        name, period = name_and_period("SMA({})", name, period)
        super().__init__(name, period)


class ExponentialMovingAverage(IndicatorBase):
    """EMA with smoothing k (default 2/(n+1)): 0 before n samples, the SMA of the first n at sample n, then
    value_t = k·x_t + (1 − k)·value_{t−1}.

    Construct as `EMA(period)`, `EMA(period, smoothing_factor)`, `EMA(name, period)` or
    `EMA(name, period, smoothing_factor)`.
    """

    __slots__ = ("period", "_k", "_seed")

    def __init__(self, name: Any = None, period: Any = None, smoothing_factor: float | None = None) -> None:
        if name is not None and not isinstance(name, str):
            name, period, smoothing_factor = None, name, period
        if name is None:
            name = f"EMA({period})" if smoothing_factor is None else f"EMA({period},{smoothing_factor})"
        if not isinstance(period, int) or period < 1:
            raise ValueError(f"{name}: period must be an integer of at least 1, got {period!r}")
        super().__init__(name)
        self.period = period
        self._k = self.smoothing_factor_default(period) if smoothing_factor is None else float(smoothing_factor)
        self._seed = SimpleMovingAverage(period)

    @staticmethod
    def smoothing_factor_default(period: int) -> float:
        """k = 2 / (period + 1)."""
        return 2.0 / (1 + period)

    @property
    def is_ready(self) -> bool:
        return self.samples >= self.period

    @property
    def warm_up_period(self) -> int:
        return self.period

    def _compute(self, point: IndicatorDataPoint) -> float:
        samples = self.samples
        period = self.period
        if samples <= period:
            self._seed.update(point)
            if samples < period:
                return 0.0
            return self._seed.current.value
        k = self._k
        return point.value * k + self._current.value * (1 - k)

    def _reset_state(self) -> None:
        self._seed.reset()


class WilderMovingAverage(IndicatorBase):
    """Wilder's average, k = 1/n: the running SMA before n samples, then value_t = k·x_t + (1 − k)·value_{t−1}
    (from sample n on, seeded by the SMA of the first n − 1 samples, as LEAN does)."""

    __slots__ = ("period", "_k", "_seed")

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        name, period = name_and_period("WWMA{}", name, period)
        if not isinstance(period, int) or period < 1:
            raise ValueError(f"{name}: period must be an integer of at least 1, got {period!r}")
        super().__init__(name)
        self.period = period
        self._k = 1.0 / period
        self._seed = SimpleMovingAverage(f"{name}_SMA", period)

    @property
    def is_ready(self) -> bool:
        return self.samples >= self.period

    @property
    def warm_up_period(self) -> int:
        return self.period

    def _compute(self, point: IndicatorDataPoint) -> float:
        if self.samples < self.period:
            self._seed.update(point)
            return self._seed.current.value
        return point.value * self._k + self._current.value * (1 - self._k)

    def _reset_state(self) -> None:
        self._seed.reset()


class LinearWeightedMovingAverage(WindowIndicator):
    """LWMA: 0 until ready, then Σ_{i=0}^{n−1} (n − i)·x_{t−i} / (n(n+1)/2)."""

    __slots__ = ("_denominator",)

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        name, period = name_and_period("LWMA({})", name, period)
        super().__init__(name, period)
        self._denominator = period * (period + 1) // 2

    def _compute(self, point: IndicatorDataPoint) -> float:
        self._push(point.value)
        if self.samples < self._period:
            return 0.0
        numerator = math.fsum(weight * value for weight, value in enumerate(self._inputs, start=1))
        return numerator / self._denominator


class DoubleExponentialMovingAverage(IndicatorBase):
    """DEMA = (1 + v)·EMA₁ − v·EMA₂, EMA₂ being the EMA of EMA₁ (fed once EMA₁ is ready), v the volume factor
    (1 by default); EMA₁ alone while it warms up. Ready after 2(period − 1) + 1 samples.
    `DoubleExponentialMovingAverage([name,] period, volume_factor=1)`."""

    __slots__ = ("period", "_volume_factor", "_ema1", "_ema2")

    def __init__(self, name: Any = None, period: Any = None, volume_factor: float = 1.0) -> None:
        if not isinstance(name, str) and name is not None:
            name, period, volume_factor = None, name, (period if period is not None else volume_factor)
        name, period = name_and_period("DEMA({})", name, period)
        super().__init__(name)
        self.period = period
        self._volume_factor = float(volume_factor)
        self._ema1 = ExponentialMovingAverage(f"{name}_1", period)
        self._ema2 = ExponentialMovingAverage(f"{name}_2", period)

    @property
    def is_ready(self) -> bool:
        return self.samples > 2 * (self.period - 1)

    @property
    def warm_up_period(self) -> int:
        return 1 + 2 * (self.period - 1)

    def _compute(self, point: IndicatorDataPoint) -> float:
        if not self._ema1.update(point):
            return self._ema1.current.value
        self._ema2.update(self._ema1.current)
        factor = self._volume_factor
        return (factor + 1) * self._ema1.current.value - factor * self._ema2.current.value

    def _reset_state(self) -> None:
        self._ema1.reset()
        self._ema2.reset()


class TripleExponentialMovingAverage(IndicatorBase):
    """TEMA = 3·EMA₁ − 3·EMA₂ + EMA₃ (each EMA of the previous one, fed once that one is ready); 0 until EMA₃ is
    ready, after 3(period − 1) + 1 samples. `TripleExponentialMovingAverage([name,] period)`."""

    __slots__ = ("period", "_emas")

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        name, period = name_and_period("TEMA({})", name, period)
        super().__init__(name)
        self.period = period
        self._emas = tuple(ExponentialMovingAverage(f"{name}_{i}", period) for i in (1, 2, 3))

    @property
    def is_ready(self) -> bool:
        return self._emas[2].is_ready

    @property
    def warm_up_period(self) -> int:
        return 3 * (self.period - 1) + 1

    def _compute(self, point: IndicatorDataPoint) -> float:
        ema1, ema2, ema3 = self._emas
        ema1.update(point)
        if ema1.is_ready:
            ema2.update(ema1.current)
        if ema2.is_ready:
            ema3.update(ema2.current)
        if not self.is_ready:
            return 0.0
        return 3 * ema1.current.value - 3 * ema2.current.value + ema3.current.value

    def _reset_state(self) -> None:
        for ema in self._emas:
            ema.reset()


class TriangularMovingAverage(IndicatorBase):
    """TRIMA = SMA of an SMA: periods ⌈n/2⌉ and ⌈n/2⌉ for odd n, n/2 and n/2 + 1 for even n (the inner SMA's
    running value feeds the outer from the first sample). Ready after n samples. `TriangularMovingAverage([name,] n)`."""

    __slots__ = ("period", "_inner", "_outer")

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        name, period = name_and_period("TRIMA({})", name, period)
        super().__init__(name)
        self.period = period
        half = period // 2 if period % 2 == 0 else (period + 1) // 2
        self._inner = SimpleMovingAverage(f"{name}_1", half)
        self._outer = SimpleMovingAverage(f"{name}_2", half + 1 if period % 2 == 0 else half)

    @property
    def is_ready(self) -> bool:
        return self.samples >= self.period

    @property
    def warm_up_period(self) -> int:
        return self.period

    def _compute(self, point: IndicatorDataPoint) -> float:
        self._inner.update(point)
        self._outer.update(self._inner.current)
        return self._outer.current.value

    def _reset_state(self) -> None:
        self._inner.reset()
        self._outer.reset()


class HullMovingAverage(IndicatorBase):
    """HMA = LWMA over k = round(√n) of 2·LWMA(round(n/2)) − LWMA(n) (fed once both are ready; rounding half to
    even). Ready with the outer LWMA, after n + k − 1 samples; 0 before. `HullMovingAverage([name,] n)`, n ≥ 2."""

    __slots__ = ("period", "warm_up_period", "_fast", "_slow", "_hull")

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        name, period = name_and_period("HMA({})", name, period)
        if not isinstance(period, int) or period < 2:
            raise ValueError(f"{name}: the Hull moving average needs a period of at least 2, got {period!r}")
        super().__init__(name)
        self.period = period
        self._slow = LinearWeightedMovingAverage(period)
        self._fast = LinearWeightedMovingAverage(round(period / 2))
        k = round(math.sqrt(period))
        self._hull = LinearWeightedMovingAverage(k)
        self.warm_up_period = period + k - 1

    @property
    def is_ready(self) -> bool:
        return self._hull.is_ready

    def _compute(self, point: IndicatorDataPoint) -> float:
        fast_ready = self._fast.update(point)
        if self._slow.update(point) and fast_ready:
            self._hull.update(_make_point(None, point.time, 2 * self._fast.current.value - self._slow.current.value))
        return self._hull.current.value

    def _reset_state(self) -> None:
        for average in (self._fast, self._slow, self._hull):
            average.reset()


_MOVING_AVERAGES: dict[Any, type[IndicatorBase]] = {
    MovingAverageType["SIMPLE"]: SimpleMovingAverage,
    MovingAverageType["EXPONENTIAL"]: ExponentialMovingAverage,
    MovingAverageType["WILDERS"]: WilderMovingAverage,
    MovingAverageType["LINEAR_WEIGHTED_MOVING_AVERAGE"]: LinearWeightedMovingAverage,
    MovingAverageType["DOUBLE_EXPONENTIAL"]: DoubleExponentialMovingAverage,
    MovingAverageType["TRIPLE_EXPONENTIAL"]: TripleExponentialMovingAverage,
    MovingAverageType["TRIANGULAR"]: TriangularMovingAverage,
    MovingAverageType["HULL"]: HullMovingAverage,
}


def as_indicator(moving_average_type: Any, name: Any, period: int | None = None) -> IndicatorBase:
    """The moving average of `moving_average_type`: `as_indicator(type, period)` or `as_indicator(type, name, period)`."""
    try:
        factory = _MOVING_AVERAGES[MovingAverageType(moving_average_type)]
    except (KeyError, ValueError):
        raise UnsupportedApiError("MovingAverageType", str(moving_average_type)) from None
    return factory(name) if period is None else factory(name, period)  # type: ignore[call-arg]
