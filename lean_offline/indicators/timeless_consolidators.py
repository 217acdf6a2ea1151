"""Consolidators whose bars close on price movement rather than time (Common/Data/Consolidators/
BaseTimelessConsolidator.cs, ClassicRenkoConsolidator.cs, RenkoConsolidator.cs, RangeConsolidator.cs,
ClassicRangeConsolidator.cs;
Common/Data/Market/RenkoBar.cs, RangeBar.cs).

Each input gives a value (`selector`, default the data's `value`) and a volume (`volume_selector`, default a bar's
volume or a tick's quantity, else 0). `scan` does nothing: only data closes a bar.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..data.market import TradeBar
from ..naming import lean_enum
from .consolidators import ConsolidatorBase

BarDirection = lean_enum("BarDirection", {"Rising": 0, "NoDelta": 1, "Falling": 2})
RenkoType = lean_enum("RenkoType", {"Classic": 0, "Wicked": 1})

ValueSelector = Callable[[Any], float]


def _default_volume(data: Any) -> float:
    if isinstance(data, TradeBar):
        return float(data.volume)
    return float(getattr(data, "quantity", 0.0) or 0.0)


class RenkoBar(TradeBar):
    """A classic Renko brick: opens at `open`, closes once the value moves `brick_size` away from it, the close
    capped at open ± brick_size. `start` is `time`; `end_time` the time of the last update."""

    __slots__ = ("brick_size", "is_closed", "type")

    def __init__(self, symbol: Any = None, time: datetime = datetime.min, brick_size: float = 0.0,
                 open: float = 0.0, volume: float = 0.0) -> None:
        super().__init__(time, symbol, open, open, open, open, volume)
        self.end_time = time
        self.brick_size = float(brick_size)
        self.is_closed = False
        self.type = RenkoType["CLASSIC"]

    @property
    def start(self) -> datetime:
        return self.time

    @property
    def direction(self) -> Any:
        if self.open < self.close:
            return BarDirection["RISING"]
        return BarDirection["FALLING"] if self.open > self.close else BarDirection["NO_DELTA"]

    @property
    def spread(self) -> float:
        return abs(self.close - self.open)

    def update(self, time: datetime, value: float, volume_since_last_update: float) -> bool:
        """Move the close to `value` within open ± brick_size; closed once `value` reaches either bound."""
        if self.is_closed:
            return True
        if self.time == datetime.min:
            self.time = time
        self.end_time = time
        low_close, high_close = self.open - self.brick_size, self.open + self.brick_size
        self.close = min(high_close, max(low_close, value))
        self.volume += volume_since_last_update
        self.is_closed = value <= low_close or value >= high_close
        self.high = max(self.high, self.close)
        self.low = min(self.low, self.close)
        return self.is_closed


def wicked_renko_bar(symbol: Any, start: datetime, end_time: datetime, brick_size: float, open: float, high: float,
                     low: float, close: float) -> RenkoBar:
    """A finished "wicked" Renko brick (its wicks are the extremes seen while it formed; no volume)."""
    bar = RenkoBar(symbol, start, brick_size, open, 0.0)
    bar.end_time, bar.high, bar.low, bar.close = end_time, high, low, close
    bar.is_closed = True
    bar.type = RenkoType["WICKED"]
    return bar


def closest_multiple(price: float, step: float) -> float:
    """The multiple of `step` nearest to `price` (halves to the even multiple)."""
    if step <= 0:
        raise ValueError(f"the brick size must be positive, got {step}")
    floor = math.floor(price / step)
    return step * (floor + round((price - step * floor) / step))


class RangeBar(TradeBar):
    """A bar that closes when its high − low would exceed `range_size`: the breaking side is capped at the other
    side ± range_size and becomes the close (the breaking update's volume is not added)."""

    __slots__ = ("range_size", "is_closed")

    def __init__(self, symbol: Any = None, end_time: datetime = datetime.min, range_size: float = 0.0,
                 open: float = 0.0, volume: float = 0.0) -> None:
        super().__init__(datetime.min, symbol, open, open, open, open, volume)
        self.end_time = end_time
        self.range_size = float(range_size)
        self.is_closed = False

    def update(self, time: datetime, value: float, volume_since_last_update: float) -> None:
        self.end_time = time
        if value < self.low:
            if self.high - value > self.range_size:
                self.is_closed = True
                self.low = self.close = self.high - self.range_size
                return
            self.low = value
        elif value > self.high:
            if value - self.low > self.range_size:
                self.is_closed = True
                self.high = self.close = self.low + self.range_size
                return
            self.high = value
        self.volume += volume_since_last_update


class _TimelessConsolidator(ConsolidatorBase):
    """Feeds each input's (value, volume) to the open bar, opening a new one when there is none."""

    __slots__ = ("_selector", "_volume_selector", "_bar")

    def __init__(self, selector: ValueSelector | None, volume_selector: ValueSelector | None) -> None:
        super().__init__()
        self._selector: ValueSelector = selector if selector is not None else (lambda data: data.value)
        self._volume_selector: ValueSelector = volume_selector if volume_selector is not None else _default_volume
        self._bar: Any = None

    @property
    def working_data(self) -> Any:
        return self._bar

    def update(self, data: Any) -> None:
        value = float(self._selector(data))
        volume = float(self._volume_selector(data))
        if self._bar is not None:
            self._update_bar(data.time, value, volume)
        if self._bar is None:
            self._bar = self._new_bar(data, value, volume)

    def scan(self, current_local_time: datetime) -> None:
        """Time never closes a bar here."""

    def reset(self) -> None:
        super().reset()
        self._bar = None

    def _update_bar(self, time: datetime, value: float, volume: float) -> None:
        raise NotImplementedError

    def _new_bar(self, data: Any, value: float, volume: float) -> Any:
        raise NotImplementedError


class ClassicRenkoConsolidator(_TimelessConsolidator):
    """Classic Renko bricks of `bar_size`: each brick opens at the previous brick's close (the first at the first
    value rounded up to a multiple of `bar_size` when `even_bars`) and is emitted when closed; one input closes at
    most one brick. `ClassicRenkoConsolidator(bar_size, [selector, [volume_selector,]] even_bars=True)`."""

    __slots__ = ("bar_size", "_even_bars", "_last_close")

    def __init__(self, bar_size: float, selector: Any = None, volume_selector: Any = None,
                 even_bars: bool = True) -> None:
        if isinstance(selector, bool):
            selector, even_bars = None, selector
        if not bar_size > 1e-28:
            raise ValueError(f"ClassicRenkoConsolidator: bar_size must be positive, got {bar_size!r}")
        super().__init__(selector, volume_selector)
        self.bar_size = float(bar_size)
        self._even_bars = even_bars
        self._last_close: float | None = None

    @property
    def type(self) -> Any:
        return RenkoType["CLASSIC"]

    def _update_bar(self, time: datetime, value: float, volume: float) -> None:
        bar = self._bar
        bar.update(time, value, volume)
        if bar.is_closed:
            self._last_close = bar.close
            self._bar = None
            self._emit(bar)

    def _new_bar(self, data: Any, value: float, volume: float) -> RenkoBar:
        if self._last_close is not None:
            open_ = self._last_close
        else:
            open_ = math.ceil(value / self.bar_size) * self.bar_size if self._even_bars else value
        return RenkoBar(data.symbol, data.time, self.bar_size, open_, volume)

    def reset(self) -> None:
        super().reset()
        self._last_close = None


class RenkoConsolidator(ConsolidatorBase):
    """"Wicked" Renko bricks of `bar_size` on each input's value: the first value, rounded to the nearest multiple
    of `bar_size`, opens the first brick; a brick closes once the value passes open ± bar_size (several bricks may
    close on one input), keeping the highs/lows seen meanwhile as wicks. A move against the last brick's direction
    closes a reversal brick only beyond that brick's open ∓ bar_size. `RenkoConsolidator(bar_size)`."""

    __slots__ = ("bar_size", "_started", "_last", "_open_time", "_close_time", "_open", "_high", "_low", "_close")

    def __init__(self, bar_size: float) -> None:
        if not bar_size > 0:
            raise ValueError(f"RenkoConsolidator: bar_size must be positive, got {bar_size!r}")
        super().__init__()
        self.bar_size = float(bar_size)
        self._started = False
        self._last: RenkoBar | None = None
        self._open_time = self._close_time = datetime.min
        self._open = self._high = self._low = self._close = 0.0

    @property
    def type(self) -> Any:
        return RenkoType["WICKED"]

    @property
    def working_data(self) -> Any:
        return self.consolidated

    def update(self, data: Any) -> None:
        rate = float(data.value)
        if not self._started:
            self._started = True
            rate = closest_multiple(rate, self.bar_size)
            self._open_time = self._close_time = data.time
            self._open = self._high = self._low = self._close = rate
            return
        self._close_time = data.time
        self._high, self._low, self._close = max(self._high, rate), min(self._low, rate), rate
        last = self._last
        if rate > self._open:
            if last is not None and last.direction != BarDirection["RISING"]:
                limit = last.open + self.bar_size
                if rate <= limit:
                    return
                self._close_brick(data.symbol, last.open, limit, self._low, limit)
                self._low = limit
            self._bricks(data.symbol, rising=True)
        elif rate < self._open:
            if last is not None and last.direction != BarDirection["FALLING"]:
                limit = last.open - self.bar_size
                if rate >= limit:
                    return
                self._close_brick(data.symbol, last.open, self._high, limit, limit)
                self._high = limit
            self._bricks(data.symbol, rising=False)

    def _bricks(self, symbol: Any, rising: bool) -> None:
        """Close every whole brick between the open and the current rate."""
        size = self.bar_size
        while (self._close > self._open + size) if rising else (self._close < self._open - size):
            limit = self._open + size if rising else self._open - size
            if rising:
                self._close_brick(symbol, self._open, limit, self._low, limit)
                self._low = limit
            else:
                self._close_brick(symbol, self._open, self._high, limit, limit)
                self._high = limit

    def _close_brick(self, symbol: Any, open_: float, high: float, low: float, close: float) -> None:
        brick = wicked_renko_bar(symbol, self._open_time, self._close_time, self.bar_size, open_, high, low, close)
        self._last = brick
        self._open_time, self._open = self._close_time, close
        self._emit(brick)

    def scan(self, current_local_time: datetime) -> None:
        """Time never closes a brick."""

    def reset(self) -> None:
        super().reset()
        self._started = False
        self._last = None
        self._open_time = self._close_time = datetime.min
        self._open = self._high = self._low = self._close = 0.0


WickedRenkoConsolidator = RenkoConsolidator


class RangeConsolidator(_TimelessConsolidator):
    """Range bars of `range` minimum price variations (from the symbol-properties database of the run): the first
    bar opens at the first value rounded up to a multiple of the range size; a value breaking a bar's range emits it
    and opens the next one minimum variation beyond it, repeatedly (intermediate bars carry no volume) until a bar
    holds the value. `RangeConsolidator(range, selector=None, volume_selector=None)`."""

    __slots__ = ("range", "range_size", "_minimum_price_variation")

    def __init__(self, range: int, selector: Any = None, volume_selector: Any = None) -> None:
        if not isinstance(range, int) or range < 1:
            raise ValueError(f"{type(self).__name__}: range must be a positive number of price steps, got {range!r}")
        super().__init__(selector, volume_selector)
        self.range = range
        self.range_size = 0.0
        self._minimum_price_variation = 0.0

    def _update_bar(self, time: datetime, value: float, volume: float) -> None:
        bar = self._bar
        rising = value > bar.high
        bar.update(time, value, volume)
        while bar.is_closed:
            self._emit(bar)
            step = self._minimum_price_variation
            bar = RangeBar(bar.symbol, bar.end_time, self.range_size, bar.high + step if rising else bar.low - step)
            bar.update(time, value, 0.0 if abs(bar.low - value) > self.range_size else volume)
        self._bar = bar

    def _new_bar(self, data: Any, value: float, volume: float) -> RangeBar:
        open_ = value
        if self.range_size == 0.0:
            from ..data.symbol_properties import SymbolPropertiesDatabase

            symbol = data.symbol
            properties = SymbolPropertiesDatabase.from_data_folder().get(symbol.id.market, symbol,
                                                                          symbol.security_type, "USD")
            self._minimum_price_variation = properties.minimum_price_variation
            self.range_size = self._minimum_price_variation * self.range
            open_ = math.ceil(open_ / self.range_size) * self.range_size
        return RangeBar(data.symbol, data.time, self.range_size, open_, volume)

    def reset(self) -> None:
        super().reset()
        self.range_size = 0.0
        self._minimum_price_variation = 0.0


class ClassicRangeConsolidator(RangeConsolidator):
    """Range bars where a breaking value closes the bar (its range capped) and opens the next one at that value."""

    __slots__ = ()

    def _update_bar(self, time: datetime, value: float, volume: float) -> None:
        bar = self._bar
        bar.update(time, value, volume)
        if bar.is_closed:
            self._bar = None
            self._emit(bar)
