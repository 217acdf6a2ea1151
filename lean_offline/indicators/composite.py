"""Composite indicators and IndicatorExtensions (Indicators/CompositeIndicator.cs, IndicatorExtensions.cs)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .base import IndicatorBase, IndicatorDataPoint, _make_point
from .moving_averages import ExponentialMovingAverage, SimpleMovingAverage
from .window_indicators import ConstantIndicator, Maximum, Minimum

Composer = Callable[[IndicatorBase, IndicatorBase], "float | None"]


class CompositeIndicator(IndicatorBase):
    """value = composer(left, right), recomputed once both `left` and `right` have produced a new value since the
    last recomputation (or on every update of one side when the other is a constant). Ready when both are ready.

    The composer returns a number, or None when the result is undefined (then `current` is left unchanged).
    """

    __slots__ = ("left", "right", "_composer", "_new_left", "_new_right")

    def __init__(self, *args: Any) -> None:
        name: str | None = None
        if args and (args[0] is None or isinstance(args[0], str)):
            name, args = args[0], args[1:]
        if len(args) != 3:
            raise TypeError("CompositeIndicator takes ([name,] left, right, composer)")
        left, right, composer = args
        for side, indicator in (("left", left), ("right", right)):
            if not isinstance(indicator, IndicatorBase):
                raise TypeError(f"CompositeIndicator {side} must be an indicator, got {type(indicator).__name__}")
        super().__init__(name if name is not None else f"COMPOSE({left.name},{right.name})")
        self.left = left
        self.right = right
        self._composer = composer
        self._new_left = False
        self._new_right = False
        left.updated += self._on_left_updated
        right.updated += self._on_right_updated

    @property
    def is_ready(self) -> bool:
        return self.left.is_ready and self.right.is_ready

    def _on_left_updated(self, sender: Any, updated: IndicatorDataPoint) -> None:
        self._new_left = True
        if self._new_right or isinstance(self.right, ConstantIndicator):
            self._recompute(updated)

    def _on_right_updated(self, sender: Any, updated: IndicatorDataPoint) -> None:
        self._new_right = True
        if self._new_left or isinstance(self.left, ConstantIndicator):
            self._recompute(updated)

    def _recompute(self, updated: IndicatorDataPoint) -> None:
        time = max(updated.time, self.right.current.time, self.left.current.time)
        self.update(_make_point(None, time, 0.0))
        self._new_left = False
        self._new_right = False

    def _compute(self, point: IndicatorDataPoint) -> float | None:
        result = self._composer(self.left, self.right)
        return None if result is None else float(result)

    def reset(self) -> None:
        self.left.reset()
        self.right.reset()
        super().reset()


def _ratio(left: IndicatorBase, right: IndicatorBase) -> float | None:
    denominator = right.current.value
    return None if denominator == 0 else left.current.value / denominator


def _constant_or_indicator(value: Any) -> IndicatorBase:
    if isinstance(value, IndicatorBase):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return ConstantIndicator(str(value), float(value))
    raise TypeError(f"expected an indicator or a number, got {type(value).__name__} {value!r}")


def _compose(left: Any, right: Any, name: str | None, composer: Composer) -> CompositeIndicator:
    if not isinstance(left, IndicatorBase):
        raise TypeError(f"expected an indicator on the left, got {type(left).__name__} {left!r}")
    return CompositeIndicator(name, left, _constant_or_indicator(right), composer)


class IndicatorExtensions:
    """LEAN's static helpers to chain indicators, in snake_case and PascalCase (`IndicatorExtensions.of` = `.Of`)."""

    @staticmethod
    def update(indicator: IndicatorBase, time: Any, value: float) -> bool:
        """`indicator.update(IndicatorDataPoint(time, value))`."""
        return indicator.update(_make_point(None, time, float(value)))

    @staticmethod
    def of(second: Any, first: IndicatorBase, wait_for_first_to_ready: bool = True) -> Any:
        """Feed `first`'s values into `second` (only once `first` is ready unless told otherwise); returns `second`."""
        def forward(sender: Any, point: IndicatorDataPoint) -> None:
            if not wait_for_first_to_ready or first.is_ready:
                second.update(point)
        first.updated += forward
        return second

    @staticmethod
    def plus(left: IndicatorBase, right: Any, name: str | None = None) -> CompositeIndicator:
        """value = left + right (right: indicator or number)."""
        return _compose(left, right, name, lambda a, b: a.current.value + b.current.value)

    @staticmethod
    def minus(left: IndicatorBase, right: Any, name: str | None = None) -> CompositeIndicator:
        """value = left − right (right: indicator or number)."""
        return _compose(left, right, name, lambda a, b: a.current.value - b.current.value)

    @staticmethod
    def times(left: IndicatorBase, right: Any, name: str | None = None) -> CompositeIndicator:
        """value = left × right (right: indicator or number)."""
        return _compose(left, right, name, lambda a, b: a.current.value * b.current.value)

    @staticmethod
    def over(left: IndicatorBase, right: Any, name: str | None = None) -> CompositeIndicator:
        """value = left / right; no new value while right is 0 (LEAN's MathError status)."""
        return _compose(left, right, name, _ratio)

    @staticmethod
    def sma(left: IndicatorBase, period: int, wait_for_first_to_ready: bool = True) -> SimpleMovingAverage:
        """SMA(period) of `left`'s values."""
        return IndicatorExtensions.of(SimpleMovingAverage(f"SMA{period}_Of_{left.name}", period), left,
                                      wait_for_first_to_ready)

    @staticmethod
    def ema(left: IndicatorBase, period: int, smoothing_factor: float | None = None,
            wait_for_first_to_ready: bool = True) -> ExponentialMovingAverage:
        """EMA(period[, smoothing_factor]) of `left`'s values."""
        ema = ExponentialMovingAverage(f"EMA{period}_Of_{left.name}", period, smoothing_factor)
        return IndicatorExtensions.of(ema, left, wait_for_first_to_ready)

    @staticmethod
    def max(left: IndicatorBase, period: int, wait_for_first_to_ready: bool = True) -> Maximum:
        """MAX(period) of `left`'s values."""
        return IndicatorExtensions.of(Maximum(f"MAX{period}_Of_{left.name}", period), left, wait_for_first_to_ready)

    @staticmethod
    def min(left: IndicatorBase, period: int, wait_for_first_to_ready: bool = True) -> Minimum:
        """MIN(period) of `left`'s values."""
        return IndicatorExtensions.of(Minimum(f"MIN{period}_Of_{left.name}", period), left, wait_for_first_to_ready)

    Update = update
    Of = of
    Plus = plus
    Minus = minus
    Times = times
    Over = over
    SMA = sma
    EMA = ema
    MAX = max
    MIN = min
