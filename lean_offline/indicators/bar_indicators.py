"""Indicators of whole bars (LEAN's BarIndicator family): TrueRange, AverageTrueRange, Stochastic, AroonOscillator,
AverageDirectionalIndex, Beta, DonchianChannel, KeltnerChannels, WilliamsPercentR, CommodityChannelIndex,
OnBalanceVolume, AccumulationDistribution.

They are updated with a bar (TradeBar, QuoteBar or anything with open/high/low/close and end_time), not a single
value; the engine passes the bar itself, or what a selector returns for it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .base import IndicatorBase, IndicatorDataPoint, _make_point, name_and_period
from .moving_averages import MovingAverageType, Sum, WilderMovingAverage, as_indicator
from .rolling_window import RollingWindow
from .window_indicators import Identity, Maximum, MeanAbsoluteDeviation, Minimum

_UTC = ZoneInfo("UTC")
_ONE_HOUR = timedelta(hours=1)
_ONE_DAY = timedelta(days=1)


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
        if previous is None:
            self._previous_input[symbol] = [input.end_time, input]
        elif input is previous[1] or input.end_time < previous[0]:
            return self.is_ready
        else:
            previous[0] = input.end_time
            previous[1] = input
        self.samples += 1
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


class AroonOscillator(BarIndicator):
    """Aroon: aroon_up = 100·(n_up − bars since the highest high of the last n_up + 1 bars)/n_up, aroon_down
    likewise with the lowest low over n_down + 1 bars; the value is aroon_up − aroon_down. Ready when both windows
    are full (1 + max(n_up, n_down) bars). `AroonOscillator([name,] up_period, down_period)`."""

    __slots__ = ("aroon_up", "aroon_down", "_maximum", "_minimum", "_up_period", "_down_period", "warm_up_period")

    def __init__(self, *args: Any) -> None:
        name = args[0] if args and isinstance(args[0], str) else None
        periods = args[1:] if name is not None else args
        if len(periods) != 2 or not all(isinstance(p, int) and p >= 1 for p in periods):
            raise ValueError(f"AroonOscillator takes ([name,] up_period, down_period) as positive integers, got {args}")
        up_period, down_period = periods
        name = name if name is not None else f"AROON({up_period},{down_period})"
        super().__init__(name)
        self._up_period, self._down_period = up_period, down_period
        self._maximum = Maximum(f"{name}_Max", up_period + 1)
        self._minimum = Minimum(f"{name}_Min", down_period + 1)
        self.aroon_up = _Component(f"{name}_AroonUp", lambda: self._maximum.is_ready)
        self.aroon_down = _Component(f"{name}_AroonDown", lambda: self._minimum.is_ready)
        self.warm_up_period = 1 + max(up_period, down_period)

    @property
    def is_ready(self) -> bool:
        return self.aroon_up.is_ready and self.aroon_down.is_ready

    def _compute_bar(self, bar: Any) -> float:
        time = bar.end_time
        self._maximum.update(_make_point(None, time, float(bar.high)))
        self._minimum.update(_make_point(None, time, float(bar.low)))
        up = 100.0 * (self._up_period - self._maximum.periods_since_maximum) / self._up_period
        down = 100.0 * (self._down_period - self._minimum.periods_since_minimum) / self._down_period
        self.aroon_up.update(_make_point(None, time, up))
        self.aroon_down.update(_make_point(None, time, down))
        return up - down

    def _reset_state(self) -> None:
        for indicator in (self.aroon_up, self.aroon_down, self._maximum, self._minimum):
            indicator.reset()


class AverageDirectionalIndex(BarIndicator):
    """Wilder's ADX over `period` bars. From the second bar: TR, +DM = ΔH when ΔH > 0 and ΔH ≥ −ΔL (else 0),
    −DM = −ΔL when −ΔL > ΔH and −ΔL > 0 (else 0). Each is smoothed as S_t = S_{t−1} + x_t − S_{t−1}/period (the
    decay applies from bar period + 2 on, so S is the plain sum before). From bar period + 1 on,
    +DI = 100·S(+DM)/S(TR) and −DI = 100·S(−DM)/S(TR); DX = 100·|+DI − −DI|/(+DI + −DI) feeds a Wilder average
    of `period`, which is the value (50 while +DI + −DI = 0, without feeding the average). Ready with the average,
    normally after 2·period bars. `AverageDirectionalIndex([name,] period)`.
    """

    __slots__ = ("period", "positive_directional_index", "negative_directional_index", "_average", "_previous",
                 "_smoothed_true_range", "_smoothed_plus", "_smoothed_minus")

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        name, period = name_and_period("ADX({})", name, period)
        if not isinstance(period, int) or period < 1:
            raise ValueError(f"{name}: period must be an integer of at least 1, got {period!r}")
        super().__init__(name)
        self.period = period
        self.positive_directional_index = _Component(f"{name}_PositiveDirectionalIndex", self._smoothing_ready)
        self.negative_directional_index = _Component(f"{name}_NegativeDirectionalIndex", self._smoothing_ready)
        self._average = WilderMovingAverage(f"ADX({period})", period)
        self._previous: Any = None
        self._smoothed_true_range = self._smoothed_plus = self._smoothed_minus = 0.0

    @property
    def warm_up_period(self) -> int:
        return 2 * self.period

    @property
    def is_ready(self) -> bool:
        return self._average.is_ready

    def _smoothing_ready(self) -> bool:
        return self.samples > self.period

    def _compute_bar(self, bar: Any) -> float:
        high, low = float(bar.high), float(bar.low)
        true_range = plus = minus = 0.0
        previous = self._previous
        if previous is not None:
            previous_close, previous_high, previous_low = float(previous.close), float(previous.high), float(previous.low)
            true_range = max(high - low, abs(high - previous_close), abs(low - previous_close))
            if high > previous_high and high - previous_high >= previous_low - low:
                plus = high - previous_high
            if previous_low > low and previous_low - low > high - previous_high:
                minus = previous_low - low
        decays = self.samples > self.period + 1
        self._smoothed_true_range += true_range - (self._smoothed_true_range / self.period if decays else 0.0)
        self._smoothed_plus += plus - (self._smoothed_plus / self.period if decays else 0.0)
        self._smoothed_minus += minus - (self._smoothed_minus / self.period if decays else 0.0)
        self._previous = bar
        positive = negative = 0.0
        if self._smoothed_true_range != 0 and self._smoothing_ready():
            positive = 100.0 * self._smoothed_plus / self._smoothed_true_range
            negative = 100.0 * self._smoothed_minus / self._smoothed_true_range
        time = bar.end_time
        self.positive_directional_index.update(_make_point(None, time, positive))
        self.negative_directional_index.update(_make_point(None, time, negative))
        total = positive + negative
        if total == 0:
            return 50.0
        self._average.update(_make_point(None, time, 100.0 * abs(positive - negative) / total))
        return self._average.current.value

    def _reset_state(self) -> None:
        self._previous = None
        self._smoothed_true_range = self._smoothed_plus = self._smoothed_minus = 0.0
        for indicator in (self._average, self.positive_directional_index, self.negative_directional_index):
            indicator.reset()


class _SymbolInputs:
    """One symbol's side of a two-symbol indicator: its last two aligned bars and its latest input."""

    __slots__ = ("time_zone", "bars", "current", "current_key")

    def __init__(self, time_zone: ZoneInfo) -> None:
        self.time_zone = time_zone
        self.bars: RollingWindow[Any] = RollingWindow(2)
        self.current: Any = None
        self.current_key: datetime | None = None


def _exchange_time_zone(symbol: Any) -> ZoneInfo:
    from ..data.market_hours import MarketHoursDatabase

    try:
        database = MarketHoursDatabase.from_data_folder()
    except RuntimeError:
        return ZoneInfo("America/New_York")
    return database.get_exchange_hours(symbol.id.market, symbol, symbol.security_type).time_zone


class Beta(BarIndicator):
    """Beta of `target` against `reference` over `period` returns: cov(r_target, r_reference) / var(r_reference)
    (sample moments; 0 while undefined), with r = close_t / close_{t−1} − 1 computed only from bars of both symbols
    ending at the same time (UTC, truncated to the bar resolution). The first bar only sets that resolution.
    `Beta([name,] target, reference, period)` or `Beta(name, period, target, reference)`; period ≥ 2.
    """

    __slots__ = ("target", "reference", "warm_up_period", "_inputs", "_target_returns", "_reference_returns",
                 "_resolution", "_value")

    def __init__(self, *args: Any) -> None:
        name = args[0] if args and isinstance(args[0], str) else None
        rest = list(args[1:] if name is not None else args)
        if len(rest) == 3 and isinstance(rest[0], int):
            rest = [rest[1], rest[2], rest[0]]
        if len(rest) != 3 or not isinstance(rest[2], int):
            raise TypeError(f"Beta takes ([name,] target, reference, period), got {args!r}")
        target, reference, period = rest
        if period < 2:
            raise ValueError(f"Beta needs a period of at least 2 returns, got {period}")
        super().__init__(name if name is not None else f"B({period})")
        self.target, self.reference = target, reference
        self._inputs = {symbol: _SymbolInputs(_exchange_time_zone(symbol)) for symbol in (target, reference)}
        zones = {inputs.time_zone for inputs in self._inputs.values()}
        self.warm_up_period = period + 1 + (1 if len(zones) > 1 else 0)
        self._target_returns: RollingWindow[float] = RollingWindow(period)
        self._reference_returns: RollingWindow[float] = RollingWindow(period)
        self._resolution = timedelta(0)
        self._value = 0.0

    @property
    def is_ready(self) -> bool:
        return self._target_returns.is_ready and self._reference_returns.is_ready

    def _compute_bar(self, bar: Any) -> float:
        inputs = self._inputs.get(bar.symbol)
        if inputs is None:
            raise ValueError(f"{self.name}: input symbol {bar.symbol} is neither {self.target} nor {self.reference}")
        if self.samples == 1:
            span = bar.end_time - bar.time
            self._resolution = _ONE_DAY if span > _ONE_HOUR else _resolution_step(span)
        inputs.current = bar
        inputs.current_key = self._aligned_utc(bar.end_time, inputs.time_zone)
        if self.samples == 1:
            return 0.0
        if len({side.current_key for side in self._inputs.values()}) == 1:
            for side in self._inputs.values():
                side.bars.add(side.current)
            target, reference = self._inputs[self.target].bars, self._inputs[self.reference].bars
            if target.is_ready:
                self._target_returns.add(_simple_return(target))
            if reference.is_ready:
                self._reference_returns.add(_simple_return(reference))
            self._value = _beta(list(self._target_returns), list(self._reference_returns))
        return self._value

    def _aligned_utc(self, local_end: datetime, zone: ZoneInfo) -> datetime:
        utc = local_end.replace(tzinfo=zone).astimezone(_UTC).replace(tzinfo=None)
        step = self._resolution
        if step >= _ONE_DAY:
            return datetime(utc.year, utc.month, utc.day)
        return utc if step == timedelta(0) else utc - (utc - datetime.min) % step

    def _reset_state(self) -> None:
        for inputs in self._inputs.values():
            inputs.bars.reset()
            inputs.current = inputs.current_key = None
        self._target_returns.reset()
        self._reference_returns.reset()
        self._value = 0.0



def _resolution_step(span: timedelta) -> timedelta:
    """The finest resolution step not above `span` (LEAN's ToHigherResolutionEquivalent, tick = 0)."""
    for step in (_ONE_HOUR, timedelta(minutes=1), timedelta(seconds=1)):
        if span >= step:
            return step
    return timedelta(0)


def _simple_return(bars: RollingWindow[Any]) -> float:
    """close_t / close_{t−1} − 1, with 0 in place of the ratio when close_{t−1} = 0."""
    previous = float(bars[1].close)
    return (float(bars[0].close) / previous if previous != 0 else 0.0) - 1.0


def _beta(target: list[float], reference: list[float]) -> float:
    """Sample cov(target, reference) / sample var(reference); a NaN or zero variance counts as 1, covariance as 0."""
    count = min(len(target), len(reference))
    if count < 2:
        return 0.0
    target, reference = target[:count], reference[:count]
    mean_target, mean_reference = sum(target) / count, sum(reference) / count
    variance = sum((r - mean_reference) ** 2 for r in reference) / (count - 1)
    covariance = sum((t - mean_target) * (r - mean_reference)
                     for t, r in zip(target, reference, strict=True)) / (count - 1)
    return (covariance if covariance != 0 else 0.0) / (variance if variance != 0 else 1.0)


def _name_and_periods(indicator: str, args: tuple[Any, ...], counts: tuple[int, ...]) -> tuple[str | None, list[Any]]:
    """(name or None, the values after it) for LEAN's `([name,] values...)` constructors; checks the value count."""
    name = args[0] if args and isinstance(args[0], str) else None
    values = list(args[1:] if name is not None else args)
    if len(values) not in counts:
        raise TypeError(f"{indicator}: unexpected arguments {args!r}")
    return name, values


class DonchianChannel(BarIndicator):
    """upper_band = highest high of `upper_period` bars, lower_band = lowest low of `lower_period` bars; the value
    is their midpoint. Ready when both windows are full. `DonchianChannel([name,] period)` or
    `DonchianChannel([name,] upper_period, lower_period)`."""

    __slots__ = ("upper_band", "lower_band", "warm_up_period")

    def __init__(self, *args: Any) -> None:
        name, periods = _name_and_periods("DonchianChannel", args, (1, 2))
        upper_period, lower_period = (periods[0], periods[0]) if len(periods) == 1 else periods
        name = name if name is not None else f"DCH({upper_period},{lower_period})"
        super().__init__(name)
        self.upper_band = Maximum(f"{name}_UpperBand", upper_period)
        self.lower_band = Minimum(f"{name}_LowerBand", lower_period)
        self.warm_up_period = max(upper_period, lower_period)

    @property
    def is_ready(self) -> bool:
        return self.upper_band.is_ready and self.lower_band.is_ready

    def _compute_bar(self, bar: Any) -> float:
        self.upper_band.update(_make_point(None, bar.end_time, float(bar.high)))
        self.lower_band.update(_make_point(None, bar.end_time, float(bar.low)))
        return (self.upper_band.current.value + self.lower_band.current.value) / 2

    def _reset_state(self) -> None:
        self.upper_band.reset()
        self.lower_band.reset()


class KeltnerChannels(BarIndicator):
    """middle_band = moving average (simple by default) of the typical price (H + L + C)/3; upper/lower_band =
    middle ± k·ATR(period, simple), 0 until the middle band is ready. The value is the middle band. Ready after
    `period` bars. `KeltnerChannels([name,] period, k, moving_average_type=SIMPLE)`."""

    __slots__ = ("average_true_range", "middle_band", "upper_band", "lower_band", "warm_up_period", "_k")

    def __init__(self, *args: Any, moving_average_type: Any = None) -> None:
        name, values = _name_and_periods("KeltnerChannels", args, (2, 3))
        period, k = values[0], float(values[1])
        if len(values) == 3:
            moving_average_type = values[2]
        if moving_average_type is None:
            moving_average_type = MovingAverageType["SIMPLE"]
        name = name if name is not None else f"KC({period},{k})"
        super().__init__(name)
        self._k = k
        self.warm_up_period = period
        self.average_true_range = AverageTrueRange(f"{name}_AverageTrueRange", period, MovingAverageType["SIMPLE"])
        self.middle_band = as_indicator(moving_average_type, f"{name}_MiddleBand", period)
        self.upper_band = _Component(f"{name}_UpperBand", lambda: self.middle_band.is_ready)
        self.lower_band = _Component(f"{name}_LowerBand", lambda: self.middle_band.is_ready)

    @property
    def is_ready(self) -> bool:
        return self.middle_band.is_ready and self.average_true_range.is_ready

    def _compute_bar(self, bar: Any) -> float:
        time = bar.end_time
        self.average_true_range.update(bar)
        self.middle_band.update(_make_point(None, time, (float(bar.high) + float(bar.low) + float(bar.close)) / 3))
        width = self._k * self.average_true_range.current.value if self.middle_band.is_ready else None
        middle = self.middle_band.current.value
        self.upper_band.update(_make_point(None, time, 0.0 if width is None else middle + width))
        self.lower_band.update(_make_point(None, time, 0.0 if width is None else middle - width))
        return middle

    def _reset_state(self) -> None:
        for indicator in (self.average_true_range, self.middle_band, self.upper_band, self.lower_band):
            indicator.reset()


class WilliamsPercentR(BarIndicator):
    """%R = −100·(highest high − close)/(highest high − lowest low) over `period` bars; 0 before the window is full
    and for a flat range. `WilliamsPercentR([name,] period)`."""

    __slots__ = ("maximum", "minimum", "warm_up_period")

    def __init__(self, name: Any = None, period: int | None = None) -> None:
        name, period = name_and_period("WILR({})", name, period)
        super().__init__(name)
        self.maximum = Maximum(f"{name}_Max", period)
        self.minimum = Minimum(f"{name}_Min", period)
        self.warm_up_period = period

    @property
    def is_ready(self) -> bool:
        return self.maximum.is_ready and self.minimum.is_ready

    def _compute_bar(self, bar: Any) -> float:
        self.minimum.update(_make_point(None, bar.end_time, float(bar.low)))
        self.maximum.update(_make_point(None, bar.end_time, float(bar.high)))
        if not self.is_ready:
            return 0.0
        highest, lowest = self.maximum.current.value, self.minimum.current.value
        return 0.0 if highest == lowest else -100.0 * (highest - float(bar.close)) / (highest - lowest)

    def _reset_state(self) -> None:
        self.maximum.reset()
        self.minimum.reset()


class CommodityChannelIndex(BarIndicator):
    """CCI = (TP − MA(TP)) / (0.015·MAD(TP)) over `period` bars, TP = (H + L + C)/3, MA simple by default and MAD
    the mean absolute deviation; 0 while the deviation is 0. `CommodityChannelIndex([name,] period, type=SIMPLE)`."""

    __slots__ = ("moving_average_type", "typical_price_average", "typical_price_mean_deviation", "warm_up_period")

    def __init__(self, *args: Any, moving_average_type: Any = None) -> None:
        name, values = _name_and_periods("CommodityChannelIndex", args, (1, 2))
        period = values[0]
        if len(values) == 2:
            moving_average_type = values[1]
        if moving_average_type is None:
            moving_average_type = MovingAverageType["SIMPLE"]
        name = name if name is not None else f"CCI({period})"
        super().__init__(name)
        self.moving_average_type = MovingAverageType(moving_average_type)
        self.warm_up_period = period
        self.typical_price_average = as_indicator(moving_average_type, f"{name}_TypicalPriceAvg", period)
        self.typical_price_mean_deviation = MeanAbsoluteDeviation(f"{name}_TypicalPriceMAD", period)

    @property
    def is_ready(self) -> bool:
        return self.typical_price_average.is_ready and self.typical_price_mean_deviation.is_ready

    def _compute_bar(self, bar: Any) -> float:
        typical = (float(bar.high) + float(bar.low) + float(bar.close)) / 3
        point = _make_point(None, bar.end_time, typical)
        self.typical_price_average.update(point)
        self.typical_price_mean_deviation.update(point)
        scaled_deviation = 0.015 * self.typical_price_mean_deviation.current.value
        if scaled_deviation == 0:
            return 0.0
        return (typical - self.typical_price_average.current.value) / scaled_deviation

    def _reset_state(self) -> None:
        self.typical_price_average.reset()
        self.typical_price_mean_deviation.reset()


class OnBalanceVolume(BarIndicator):
    """OBV: the first bar's volume, then ± each bar's volume as its close rises/falls against the previous close
    (unchanged on equal closes). Ready after one bar. `OnBalanceVolume([name])`."""

    __slots__ = ("_previous_close",)

    warm_up_period = 1

    def __init__(self, name: str = "OBV") -> None:
        super().__init__(name)
        self._previous_close: float | None = None

    @property
    def is_ready(self) -> bool:
        return self._previous_close is not None

    def _compute_bar(self, bar: Any) -> float:
        close, volume = float(bar.close), float(bar.volume)
        previous = self._previous_close
        self._previous_close = close
        if previous is None:
            return volume
        if close > previous:
            return self._current.value + volume
        return self._current.value - volume if close < previous else self._current.value

    def _reset_state(self) -> None:
        self._previous_close = None


class AccumulationDistribution(BarIndicator):
    """A/D line: the running sum of ((C − L) − (H − C))/(H − L)·volume (0 for a bar without range). Ready after one
    bar. `AccumulationDistribution([name])`."""

    __slots__ = ()

    warm_up_period = 1

    def __init__(self, name: str = "AD") -> None:
        super().__init__(name)

    @property
    def is_ready(self) -> bool:
        return self.samples > 0

    def _compute_bar(self, bar: Any) -> float:
        high, low, close = float(bar.high), float(bar.low), float(bar.close)
        spread = high - low
        flow = ((close - low) - (high - close)) / spread * float(bar.volume) if spread > 0 else 0.0
        return self._current.value + flow
