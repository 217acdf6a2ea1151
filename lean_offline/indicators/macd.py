"""MovingAverageConvergenceDivergence (Indicators/MovingAverageConvergenceDivergence.cs)."""

from __future__ import annotations

from typing import Any

from .base import IndicatorBase, IndicatorDataPoint
from .moving_averages import MovingAverageType, as_indicator
from .window_indicators import Identity


class MovingAverageConvergenceDivergence(IndicatorBase):
    """MACD = fast MA − slow MA of the input; `signal` = MA(signal period) of MACD, fed only once fast and slow are
    both ready; `histogram` = MACD − signal, fed once the signal is ready. Ready when `signal` is ready, i.e. after
    slow + signal − 1 samples with exponential averages (34 for 12/26/9).

    `MACD(fast, slow, signal, type=EXPONENTIAL)` or `MACD(name, fast, slow, signal, type=EXPONENTIAL)`.
    """

    __slots__ = ("fast", "slow", "signal", "histogram", "warm_up_period")

    def __init__(self, *args: Any, name: str | None = None, fast_period: int | None = None,
                 slow_period: int | None = None, signal_period: int | None = None,
                 type: Any = MovingAverageType["EXPONENTIAL"]) -> None:
        if args and isinstance(args[0], str):
            name, args = args[0], args[1:]
        if len(args) > 4:
            raise TypeError(f"MACD takes ([name,] fast, slow, signal[, type]), got {len(args)} positional values")
        given = dict(zip(("fast_period", "slow_period", "signal_period", "type"), args, strict=False))
        fast_period = given.get("fast_period", fast_period)
        slow_period = given.get("slow_period", slow_period)
        signal_period = given.get("signal_period", signal_period)
        type = given.get("type", type)
        if not all(isinstance(p, int) and p >= 1 for p in (fast_period, slow_period, signal_period)):
            raise ValueError(f"MACD periods must be integers of at least 1, got fast={fast_period!r}, "
                             f"slow={slow_period!r}, signal={signal_period!r}")
        assert fast_period is not None and slow_period is not None and signal_period is not None
        if fast_period >= slow_period:
            raise ValueError("MovingAverageConvergenceDivergence: fastPeriod must be less than slowPeriod")
        if name is None:
            name = f"MACD({fast_period},{slow_period},{signal_period})"
        super().__init__(name)
        self.fast = as_indicator(type, f"{name}_Fast", fast_period)
        self.slow = as_indicator(type, f"{name}_Slow", slow_period)
        self.signal = as_indicator(type, f"{name}_Signal", signal_period)
        self.histogram = Identity(f"{name}_Histogram")
        self.warm_up_period = slow_period + signal_period - 1

    @property
    def is_ready(self) -> bool:
        return self.signal.is_ready

    def _compute(self, point: IndicatorDataPoint) -> float:
        fast, slow = self.fast, self.slow
        fast_ready = fast.update(point)
        slow_ready = slow.update(point)
        macd = fast._current.value - slow._current.value
        if fast_ready and slow_ready:
            signal = self.signal
            if signal.update(point.time, macd):
                self.histogram.update(point.time, macd - signal._current.value)
        return macd

    def _reset_state(self) -> None:
        self.fast.reset()
        self.slow.reset()
        self.signal.reset()
        self.histogram.reset()
