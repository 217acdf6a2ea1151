"""Window indicators with LEAN's warm-up outputs: Identity, Delay, Momentum, RateOfChange(Percent), MomentumPercent,
LogReturn, MeanAbsoluteDeviation, ChandeMomentumOscillator, Variance, StandardDeviation, Maximum, Minimum, ConstantIndicator (Indicators/*.cs of the same names)."""

from __future__ import annotations

import math
from typing import Any

from .base import IndicatorBase, IndicatorDataPoint, WindowIndicator, _make_point, name_and_period
from .moving_averages import SimpleMovingAverage


class Identity(IndicatorBase):
    """value_t = x_t; ready after one sample."""

    __slots__ = ()

    def __init__(self, name: str = "") -> None:
        super().__init__(name)

    @property
    def is_ready(self) -> bool:
        return self.samples > 0

    warm_up_period = 1

    def _compute(self, point: IndicatorDataPoint) -> float:
        return point.value


class LaggedWindowIndicator(WindowIndicator):
    """An indicator of the input `period` samples ago, x_{t−p} (the first input until p+1 samples were seen).

    Ready when samples > p, as LEAN's Delay, Momentum and RateOfChange are.
    """

    __slots__ = ()

    @property
    def is_ready(self) -> bool:
        return self.samples > self._period

    @property
    def warm_up_period(self) -> int:
        return self._period + 1

    def _push_lagged(self, value: float) -> float:
        """Add `value`; return x_{t−p}, or the first input while fewer than p+1 were seen."""
        inputs = self._inputs
        if len(inputs) == self._period:
            removed = inputs[0]
            inputs.append(value)
            return removed
        inputs.append(value)
        return inputs[0]


class Delay(LaggedWindowIndicator):
    """value_t = x_{t−p}; before p+1 samples, the first input. Ready when samples > p."""

    __slots__ = ()

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        super().__init__(*name_and_period("DELAY({})", name, period))

    def _compute(self, point: IndicatorDataPoint) -> float:
        return self._push_lagged(point.value)


class Momentum(LaggedWindowIndicator):
    """value_t = x_t − x_{t−p}; before p+1 samples, x_t − (first input). Ready when samples > p."""

    __slots__ = ()

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        super().__init__(*name_and_period("MOM({})", name, period))

    def _compute(self, point: IndicatorDataPoint) -> float:
        return point.value - self._push_lagged(point.value)


class RateOfChange(LaggedWindowIndicator):
    """value_t = (x_t − x_{t−p}) / x_{t−p} (0 when x_{t−p} = 0); before p+1 samples the first input is the base.
    Ready when samples > p."""

    __slots__ = ()

    _default_name = "ROC({})"
    _scale = 1.0

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        super().__init__(*name_and_period(self._default_name, name, period))

    def _compute(self, point: IndicatorDataPoint) -> float:
        base = self._push_lagged(point.value)
        if base == 0:
            return 0.0
        return self._scale * ((point.value - base) / base)


class RateOfChangePercent(RateOfChange):
    """100 × RateOfChange."""

    __slots__ = ()
    _default_name = "ROCP({})"
    _scale = 100.0


class MomentumPercent(RateOfChangePercent):
    """LEAN's MOMP: identical to RateOfChangePercent."""

    __slots__ = ()
    _default_name = "MOMP({})"


class LogReturn(LaggedWindowIndicator):
    """value_t = ln(x_t / x_{t−p}) (the first input as the base until p+1 samples were seen); 0 when the ratio's
    logarithm is infinite (a zero base counts as a zero ratio). Ready after p samples, unlike Momentum/ROC."""

    __slots__ = ()

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        super().__init__(*name_and_period("LOGR({})", name, period))

    @property
    def is_ready(self) -> bool:
        return self.samples >= self._period

    @property
    def warm_up_period(self) -> int:
        return self._period

    def _compute(self, point: IndicatorDataPoint) -> float:
        base = self._push_lagged(point.value)
        ratio = point.value / base if base != 0 else 0.0
        return math.log(ratio) if ratio > 0 else 0.0


class MeanAbsoluteDeviation(WindowIndicator):
    """Mean of |x − mean| over the last n = min(p, samples) inputs (the mean being the running SMA, `mean`); 0 for
    the first sample. Ready after p samples. `MeanAbsoluteDeviation([name,] period)`."""

    __slots__ = ("mean",)

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        name, period = name_and_period("MAD({})", name, period)
        super().__init__(name, period)
        self.mean = SimpleMovingAverage(f"{name}_Mean", period)

    def _compute(self, point: IndicatorDataPoint) -> float:
        self._push(point.value)
        self.mean.update(point)
        if self.samples < 2:
            return 0.0
        mean = self.mean.current.value
        return math.fsum(abs(value - mean) for value in self._inputs) / len(self._inputs)

    def _reset_state(self) -> None:
        self.mean.reset()


class ChandeMomentumOscillator(WindowIndicator):
    """CMO = 100·(G − L)/(G + L) with G, L Wilder-style running averages of gains and losses: the sums of the
    first p changes, then G ← (G·(p − 1) + gain)/p (likewise L); 0 until p + 1 samples and when G + L = 0.
    `ChandeMomentumOscillator([name,] period)`."""

    __slots__ = ("_previous", "_gain", "_loss")

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        super().__init__(*name_and_period("CMO({})", name, period))
        self._previous = self._gain = self._loss = 0.0

    @property
    def is_ready(self) -> bool:
        return self.samples > self._period

    @property
    def warm_up_period(self) -> int:
        return self._period + 1

    def _compute(self, point: IndicatorDataPoint) -> float:
        if self.samples == 1:
            self._previous = point.value
            return 0.0
        change = point.value - self._previous
        self._previous = point.value
        period = self._period
        if self.samples > period + 1:
            self._gain *= period - 1
            self._loss *= period - 1
        if change < 0:
            self._loss -= change
        else:
            self._gain += change
        if not self.is_ready:
            return 0.0
        self._gain /= period
        self._loss /= period
        total = self._gain + self._loss
        return 100.0 * (self._gain - self._loss) / total if total != 0 else 0.0

    def _reset_state(self) -> None:
        self._previous = self._gain = self._loss = 0.0


class Variance(WindowIndicator):
    """Population variance of the last n = min(p, samples) inputs, mean(x²) − mean(x)², floored at 0;
    0 for the first sample (LEAN's running-sum formulation)."""

    __slots__ = ("_sum", "_sum_of_squares")

    _default_name = "VAR({})"

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        super().__init__(*name_and_period(self._default_name, name, period))
        self._sum = 0.0
        self._sum_of_squares = 0.0

    def _compute(self, point: IndicatorDataPoint) -> float:
        value = point.value
        inputs = self._inputs
        inputs.append(value)  # the bounded deque drops the input that left the window
        total = self._sum = self._sum + value
        total_of_squares = self._sum_of_squares = self._sum_of_squares + value * value
        samples = self.samples
        if samples < 2:
            return 0.0
        period = self._period
        n = min(period, samples)
        mean = total / n
        mean_of_squares = total_of_squares / n
        if n == period:
            oldest = inputs[0]
            self._sum = total - oldest
            self._sum_of_squares = total_of_squares - oldest * oldest
            if samples % 1024 == 0:
                self._resum()
        return max(0.0, mean_of_squares - mean * mean)

    def _resum(self) -> None:
        """Recompute the sums of the next step's window (all but the oldest) exactly, bounding float drift."""
        kept = list(self._inputs)[1:]
        self._sum = math.fsum(kept)
        self._sum_of_squares = math.fsum(v * v for v in kept)

    def _reset_state(self) -> None:
        self._sum = 0.0
        self._sum_of_squares = 0.0


class StandardDeviation(Variance):
    """√Variance: the population standard deviation of the window (LEAN's STD)."""

    __slots__ = ()
    _default_name = "STD({})"

    def _compute(self, point: IndicatorDataPoint) -> float:
        return math.sqrt(Variance._compute(self, point))


class Maximum(WindowIndicator):
    """Largest of the last p inputs; `periods_since_maximum` counts samples since it was seen."""

    __slots__ = ("periods_since_maximum",)

    _default_name = "MAX({})"
    _better = staticmethod(lambda new, old: new >= old)

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        super().__init__(*name_and_period(self._default_name, name, period))
        self.periods_since_maximum = 0

    @property
    def is_ready(self) -> bool:
        return self.samples >= self._period

    def _compute(self, point: IndicatorDataPoint) -> float:
        self._push(point.value)
        if self.samples == 1 or self._better(point.value, self._current.value):
            self.periods_since_maximum = 0
            return point.value
        if self.periods_since_maximum >= self._period - 1:
            values = list(reversed(self._inputs))
            best_index = 0
            for index, value in enumerate(values):
                if self._better(value, values[best_index]) and value != values[best_index]:
                    best_index = index
            self.periods_since_maximum = best_index
            return values[best_index]
        self.periods_since_maximum += 1
        return self._current.value

    def _reset_state(self) -> None:
        self.periods_since_maximum = 0


class Minimum(Maximum):
    """Smallest of the last p inputs; `periods_since_minimum` counts samples since it was seen."""

    __slots__ = ()

    _default_name = "MIN({})"
    _better = staticmethod(lambda new, old: new <= old)

    @property
    def periods_since_minimum(self) -> int:
        return self.periods_since_maximum


class ConstantIndicator(IndicatorBase):
    """Always `value`, always ready (used for `over(2)`-style composites)."""

    __slots__ = ("_value",)

    def __init__(self, name: str, value: float) -> None:
        super().__init__(name)
        self._value = float(value)
        self._set_current(_make_point(None, self._current.time, self._value))

    @property
    def is_ready(self) -> bool:
        return True

    def _compute(self, point: IndicatorDataPoint) -> float:
        return self._value

    def _reset_state(self) -> None:
        self._set_current(_make_point(None, self._current.time, self._value))
