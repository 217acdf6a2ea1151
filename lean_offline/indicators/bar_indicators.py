"""Indicators of whole bars (LEAN's BarIndicator family): TrueRange, AverageTrueRange, Stochastic.

They are updated with a bar (TradeBar, QuoteBar or anything with open/high/low/close and end_time), not a single
value; the engine passes the bar itself, or what a selector returns for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import IndicatorBase, IndicatorDataPoint, _make_point, name_and_period
from .moving_averages import MovingAverageType, Sum, as_indicator
from .window_indicators import Identity, Maximum, Minimum


class BarIndicator(IndicatorBase):
    """An indicator whose input is a bar. Subclasses implement `_compute_bar(bar) -> float | None`.

    The update protocol is IndicatorBase's (samples, forward-only by end time, the `updated` event)."""

    __slots__ = ()

    takes_bars = True

    def update(self, input: Any, value: Any = None) -> bool:
        """Feed one bar; returns `is_ready` after the update."""
        if value is not None or isinstance(input, IndicatorDataPoint) or not hasattr(input, "high"):
            raise TypeError(f"{self.name} is updated with bars (open/high/low/close), got {type(input).__name__}")
        symbol = getattr(input, "symbol", None)
        previous = self._previous_input.get(symbol)
        if previous is not None and (input is previous or input.end_time < previous.end_time):
            return self.is_ready
        self.samples += 1
        self._previous_input[symbol] = input
        result = self._compute_bar(input)
        if result is not None:
            self._publish(symbol, input.end_time, result)
        return self.is_ready

    def _compute_bar(self, bar: Any) -> float | None:
        raise NotImplementedError

    def _compute(self, point: IndicatorDataPoint) -> float | None:
        raise TypeError(f"{self.name} is updated with bars, not single values")


class TrueRange(BarIndicator):
    """TR_t = max(H_t − L_t, |C_{t−1} − H_t|, |C_{t−1} − L_t|); the first bar gives H − L. Ready after 2 bars."""

    __slots__ = ("_previous_close",)

    warm_up_period = 2

    def __init__(self, name: str = "TR") -> None:
        super().__init__(name)
        self._previous_close: float | None = None

    @property
    def is_ready(self) -> bool:
        return self.samples > 1

    def _compute_bar(self, bar: Any) -> float:
        high, low = float(bar.high), float(bar.low)
        greatest = high - low
        if self._previous_close is not None and self.is_ready:
            greatest = max(greatest, abs(self._previous_close - high), abs(self._previous_close - low))
        self._previous_close = float(bar.close)
        return greatest

    def _reset_state(self) -> None:
        self._previous_close = None


class AverageTrueRange(BarIndicator):
    """ATR = moving average (Wilder's by default) of TrueRange, fed from the first bar on. Ready with the average.

    `AverageTrueRange(period[, type])` or `AverageTrueRange(name, period[, type])`."""

    __slots__ = ("true_range", "_smoother", "warm_up_period")

    def __init__(self, name: Any = None, period: Any = None, moving_average_type: Any = None) -> None:
        if not isinstance(name, str) and name is not None:
            name, period, moving_average_type = None, name, period
        name, period = name_and_period("ATR({})", name, period)
        moving_average_type = MovingAverageType["WILDERS"] if moving_average_type is None else moving_average_type
        super().__init__(name)
        self.warm_up_period = period
        self.true_range = TrueRange(name)
        self._smoother = as_indicator(moving_average_type, f"{name}_{MovingAverageType(moving_average_type)}", period)
        self.true_range.updated += lambda _sender, point: self._smoother.update(point)

    @property
    def is_ready(self) -> bool:
        return self._smoother.is_ready

    def _compute_bar(self, bar: Any) -> float:
        self.true_range.update(bar)
        return self._smoother.current.value

    def _reset_state(self) -> None:
        self._smoother.reset()
        self.true_range.reset()


class _Component(Identity):
    """A sub-indicator holding values its parent computes, ready when the parent says so (LEAN's
    FunctionalIndicator as Stochastic uses it)."""

    __slots__ = ("_ready",)

    def __init__(self, name: str, ready: Callable[[], bool]) -> None:
        super().__init__(name)
        self._ready = ready

    @property
    def is_ready(self) -> bool:
        return self._ready()


class Stochastic(BarIndicator):
    """Stochastic oscillator over `period` bars with %K smoothed over `k_period` and %D over `d_period`:

    fast_stoch = 100·(C − min L)/(max H − min L) once `period` bars were seen (0 before, and 0 for a flat range);
    stoch_k = 100·mean of the last k fast values (as fractions) once k were computed, else 0;
    stoch_d = 100·mean of the last d stoch_k values once d were computed, else 0. The value is fast_stoch.
    Ready when stoch_d is: after period + k + d − 2 bars. `Stochastic([name,] period, k_period, d_period)`.
    """

    __slots__ = ("fast_stoch", "stoch_k", "stoch_d", "_maximum", "_minimum", "_sum_fast_k", "_sum_slow_k",
                 "_k_period", "_d_period", "warm_up_period")

    def __init__(self, *args: Any) -> None:
        name = args[0] if args and isinstance(args[0], str) else None
        periods = args[1:] if name is not None else args
        if len(periods) != 3 or not all(isinstance(p, int) and p >= 1 for p in periods):
            raise ValueError(f"Stochastic takes ([name,] period, k_period, d_period) as positive integers, got {args}")
        period, k_period, d_period = periods
        name = name if name is not None else f"STO({period},{k_period},{d_period})"
        super().__init__(name)
        self._maximum = Maximum(f"{name}_Max", period)
        self._minimum = Minimum(f"{name}_Min", period)
        self._sum_fast_k = Sum(f"{name}_SumFastK", k_period)
        self._sum_slow_k = Sum(f"{name}_SumD", d_period)
        self._k_period = k_period
        self._d_period = d_period
        self.fast_stoch = _Component(f"{name}_FastStoch", lambda: self._maximum.is_ready)
        self.stoch_k = _Component(f"{name}_StochK", lambda: self._sum_fast_k.is_ready)
        self.stoch_d = _Component(f"{name}_StochD", lambda: self._sum_slow_k.is_ready)
        self.warm_up_period = period + k_period + d_period - 2

    @property
    def is_ready(self) -> bool:
        return self.fast_stoch.is_ready and self.stoch_k.is_ready and self.stoch_d.is_ready

    def _compute_bar(self, bar: Any) -> float:
        time = bar.end_time
        self._maximum.update(_make_point(None, time, float(bar.high)))
        self._minimum.update(_make_point(None, time, float(bar.low)))
        fast = 0.0
        if self._maximum.is_ready:
            denominator = self._maximum.current.value - self._minimum.current.value
            if denominator != 0:
                fast = (float(bar.close) - self._minimum.current.value) / denominator
                self._sum_fast_k.update(_make_point(None, time, fast))
        self.fast_stoch.update(_make_point(None, time, fast * 100))
        stoch_k = 0.0
        if self._sum_fast_k.is_ready:
            stoch_k = self._sum_fast_k.current.value / self._k_period
            self._sum_slow_k.update(_make_point(None, time, stoch_k))
        self.stoch_k.update(_make_point(None, time, stoch_k * 100))
        stoch_d = self._sum_slow_k.current.value / self._d_period if self._sum_slow_k.is_ready else 0.0
        self.stoch_d.update(_make_point(None, time, stoch_d * 100))
        return self.fast_stoch.current.value

    def _reset_state(self) -> None:
        for indicator in (self.fast_stoch, self.stoch_k, self.stoch_d, self._maximum, self._minimum,
                          self._sum_fast_k, self._sum_slow_k):
            indicator.reset()
