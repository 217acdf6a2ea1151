"""IndicatorDataPoint, the `updated` event and IndicatorBase: the update protocol of LEAN's indicators.

Semantics follow LEAN's Indicators/IndicatorBase.cs: every accepted input increments `samples`; an input older than
the previous one of the same symbol is ignored (forward-only, logged once); feeding the very same point object twice
counts once; a computation that fails (e.g. a division by zero in `over`) leaves `current` unchanged and fires no
event. Values are floats (LEAN uses decimal).
"""

from __future__ import annotations

import logging
import operator
from collections import deque
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..naming import DualCase
from .rolling_window import RollingWindow

_log = logging.getLogger("lean_offline.indicators")

MIN_TIME = datetime.min
DEFAULT_WINDOW_SIZE = 2


class IndicatorDataPoint(DualCase):
    """One indicator value: `IndicatorDataPoint(time, value)` or `IndicatorDataPoint(symbol, time, value)`.

    `end_time` equals `time`; `price` equals `value`; `float(point)` is the value; points compare by value.
    """

    __slots__ = ("symbol", "time", "value")

    def __init__(self, *args: Any, symbol: Any = None, time: datetime | None = None, value: float | None = None) -> None:
        if len(args) == 3:
            symbol, time, value = args
        elif len(args) == 2:
            time, value = args
        elif len(args) == 1:
            time = args[0]
        elif args:
            raise TypeError(f"IndicatorDataPoint takes (time, value) or (symbol, time, value), got {len(args)} arguments")
        self.symbol = symbol
        self.time = MIN_TIME if time is None else time
        self.value = 0.0 if value is None else float(value)

    @property
    def end_time(self) -> datetime:
        return self.time

    @end_time.setter
    def end_time(self, end_time: datetime) -> None:
        self.time = end_time

    @property
    def price(self) -> float:
        return self.value

    def __float__(self) -> float:
        return self.value

    def __eq__(self, other: object) -> bool:
        if isinstance(other, IndicatorDataPoint):
            return self.time == other.time and self.value == other.value
        if isinstance(other, int | float | Decimal):
            return self.value == float(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.time, self.value))

    def __lt__(self, other: Any) -> bool:
        return self.value < float(other)

    def __le__(self, other: Any) -> bool:
        return self.value <= float(other)

    def __gt__(self, other: Any) -> bool:
        return self.value > float(other)

    def __ge__(self, other: Any) -> bool:
        return self.value >= float(other)

    def __str__(self) -> str:
        return f"{self.time.isoformat(timespec='seconds')} - {self.value}"

    def __repr__(self) -> str:
        return f"IndicatorDataPoint({self})"


_new_point = object.__new__


def _make_point(symbol: Any, time: datetime, value: float) -> IndicatorDataPoint:
    point = _new_point(IndicatorDataPoint)
    point.symbol = symbol
    point.time = time
    point.value = value
    return point


Handler = Callable[[Any, Any], Any]


class EventHandlers:
    """A LEAN event as Python sees it: `event += handler`, `event -= handler`; handlers get (sender, argument)."""

    __slots__ = ("_handlers",)

    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    def __iadd__(self, handler: Handler) -> EventHandlers:
        if not callable(handler):
            raise TypeError(f"event handlers must be callable (sender, data), got {type(handler).__name__}")
        self._handlers.append(handler)
        return self

    def __isub__(self, handler: Handler) -> EventHandlers:
        if handler in self._handlers:
            self._handlers.remove(handler)
        return self

    def __len__(self) -> int:
        return len(self._handlers)

    def fire(self, sender: Any, argument: Any) -> None:
        for handler in tuple(self._handlers):
            handler(sender, argument)

    def clear(self) -> None:
        self._handlers.clear()


def _check_same_event(assigned: Any, event: EventHandlers) -> None:
    """`obj.event += handler` assigns the event back to itself; any other assignment is a mistake."""
    if assigned is not event:
        raise TypeError("attach event handlers with `+=` and detach them with `-=`; the event cannot be replaced")


def to_indicator_point(data: Any) -> IndicatorDataPoint:
    """The point LEAN feeds an indicator for `data`: itself if already a point, else (symbol, end_time, value)."""
    if type(data) is IndicatorDataPoint:
        return data
    try:
        return _make_point(data.symbol, data.end_time, float(data.value))
    except AttributeError:
        raise TypeError(
            f"indicators are updated with an IndicatorDataPoint, a data point (TradeBar, QuoteBar, custom data) or "
            f"(time, value); got {type(data).__name__} {data!r}"
        ) from None


class IndicatorBase(DualCase):
    """Base of every indicator: `current`, `previous`, `samples`, `is_ready`, `update`, `reset`, `updated`.

    Subclasses implement `_compute(point) -> float | None` (None = no output this time, as LEAN's non-success
    statuses) and `is_ready`; they may override `_reset_state()`. One whose output depends on the input's value only
    sets `_value_only` and implements `_compute_value(value)` instead: `update(time, value)` then makes no input point.

    The values' window is only built when somebody reads it (`window`, indexing, iteration): until then the
    indicator keeps `_current`, `_value_before_current` and `_window_samples` (the number of values the window would
    have seen), which is all `current` and `previous` need.
    """

    __slots__ = ("_name", "samples", "_current", "_value_before_current", "_window_samples", "_window", "_updated",
                 "_previous_input", "_logged_backwards")
    _current: IndicatorDataPoint
    _previous_input: dict[Any, list[Any]]
    """Per input symbol, [the last accepted input's end time, the input itself (None for `update(time, value)`)]."""

    _value_only = False

    def __init__(self, name: str | None = None) -> None:
        self._name = name if name is not None else type(self).__name__
        self.samples = 0
        self._window: RollingWindow[IndicatorDataPoint] | None = None
        self._value_before_current: IndicatorDataPoint | None = None
        self._window_samples = 0
        self._updated = EventHandlers()
        self._previous_input = {}
        self._logged_backwards = False
        self._set_current(_make_point(None, MIN_TIME, 0.0))

    # -- identity ---------------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, name: str) -> None:
        self._name = name

    @property
    def is_ready(self) -> bool:
        raise NotImplementedError

    # -- values -----------------------------------------------------------------------------------------------
    current = property(operator.attrgetter("_current"), doc="The latest value (time = the input's end time); a C getter.")

    @property
    def previous(self) -> IndicatorDataPoint:
        """The value before `current`, or a zero point at datetime.min when there is none."""
        window = self._window
        if window is None:
            previous = self._value_before_current
            return previous if previous is not None else _make_point(None, MIN_TIME, 0.0)
        return window[1] if window.count > 1 else _make_point(None, MIN_TIME, 0.0)

    @property
    def window(self) -> RollingWindow:
        """The last values, newest first (2 by default; assign `window.size` for more history)."""
        window = self._window
        if window is None:
            before = self._value_before_current
            history = [self._current] if before is None else [before, self._current]
            window = self._window = RollingWindow._of_history(DEFAULT_WINDOW_SIZE, history, self._window_samples)
        return window

    def __getitem__(self, index: int) -> IndicatorDataPoint:
        return self.window[index]

    def __iter__(self) -> Iterator[IndicatorDataPoint]:
        return iter(self.window)

    @property
    def updated(self) -> EventHandlers:
        """Fires (indicator, new current point) after each successful update."""
        return self._updated

    @updated.setter
    def updated(self, event: EventHandlers) -> None:
        _check_same_event(event, self._updated)

    Updated = updated

    # -- update protocol -------------------------------------------------------------------------------------
    def update(self, input: Any, value: Any = None) -> bool:
        """Feed one input: `update(point)`, `update(bar)` (its `value`, i.e. close) or `update(time, value)`.

        Returns `is_ready` after the update.
        """
        point: IndicatorDataPoint | None
        if value is not None:
            symbol = point = None
            time, number = input, float(value)
        else:
            point = input if type(input) is IndicatorDataPoint else to_indicator_point(input)
            symbol, time, number = point.symbol, point.time, point.value
        previous = self._previous_input.get(symbol)
        if previous is None:
            self._previous_input[symbol] = [time, point]
        else:
            if time < previous[0]:
                if not self._logged_backwards:
                    self._logged_backwards = True
                    _log.error("IndicatorBase.Update(): This is a forward only indicator: %s Input: %s Previous: %s. "
                               "It will not be updated with this input.", self._name, time, previous[0])
                return self.is_ready
            if point is not None and point is previous[1]:
                return self.is_ready
            previous[0] = time  # the symbol's record is rewritten in place: no new tuple and no dict store per input
            previous[1] = point
        self.samples += 1
        if self._value_only:
            result = self._compute_value(number)
        else:
            result = self._compute(point if point is not None else _make_point(None, time, number))
        if result is not None:
            self._publish(symbol, time, result)
        return self.is_ready

    def _publish(self, symbol: Any, time: datetime, value: float) -> None:
        """Make (time, value) the current value and tell the `updated` handlers."""
        current = _new_point(IndicatorDataPoint)
        current.symbol = symbol
        current.time = time
        current.value = value
        window = self._window
        if window is None:
            self._value_before_current = self._current
            self._window_samples += 1
        else:
            window.add(current)
        self._current = current
        if self._updated._handlers:
            self._updated.fire(self, current)

    def _compute(self, point: IndicatorDataPoint) -> float | None:
        raise NotImplementedError

    def _compute_value(self, value: float) -> float | None:
        raise NotImplementedError

    def reset(self) -> None:
        """Back to the state after construction (event handlers stay attached)."""
        self.samples = 0
        self._previous_input.clear()
        if self._window is not None:
            self._window.reset()
        self._window_samples = 0
        self._value_before_current = None
        self._set_current(_make_point(None, MIN_TIME, 0.0))
        self._reset_state()

    def _reset_state(self) -> None:
        """Subclass hook: clear computation state."""

    def _set_current(self, point: IndicatorDataPoint) -> None:
        """Make `point` the current value without telling the `updated` handlers."""
        window = self._window
        if window is None:
            if self._window_samples:
                self._value_before_current = self._current
            self._window_samples += 1
        else:
            window.add(point)
        self._current = point

    # -- conversions, as LEAN's implicit decimal conversion and comparison operators allow ----------------------
    def __float__(self) -> float:
        return self._current.value

    def __lt__(self, other: Any) -> bool:
        return self._current.value < float(other)

    def __le__(self, other: Any) -> bool:
        return self._current.value <= float(other)

    def __gt__(self, other: Any) -> bool:
        return self._current.value > float(other)

    def __ge__(self, other: Any) -> bool:
        return self._current.value >= float(other)

    def __eq__(self, other: object) -> bool:
        """Indicators are equal only to themselves; against a number the current value is compared."""
        if isinstance(other, IndicatorBase):
            return self is other
        if isinstance(other, int | float | Decimal):
            return self._current.value == float(other)
        return NotImplemented

    __hash__ = object.__hash__

    def __str__(self) -> str:
        """LEAN's `#######0.0####`: at least one and at most five decimals."""
        text = f"{self._current.value:.5f}".rstrip("0")
        return text + "0" if text.endswith(".") else text

    def __repr__(self) -> str:
        return f"{self._name} - {self}"


class WindowIndicator(IndicatorBase):
    """An indicator over the last `period` inputs (`period`, and `is_ready` once `period` inputs were seen).

    The input values live in a deque, oldest at [0]; `_push` appends one and returns the value it pushed out.
    """

    __slots__ = ("_inputs", "_period")

    def __init__(self, name: str, period: int) -> None:
        if not isinstance(period, int) or isinstance(period, bool) or period < 1:
            raise ValueError(f"{name}: period must be an integer of at least 1, got {period!r}")
        super().__init__(name)
        self._period = period
        self._inputs: deque[float] = deque(maxlen=period)

    @property
    def period(self) -> int:
        return self._period

    @property
    def is_ready(self) -> bool:
        return self.samples >= self._period

    @property
    def warm_up_period(self) -> int:
        return self._period

    def _push(self, value: float) -> float | None:
        inputs = self._inputs
        removed = inputs[0] if len(inputs) == self._period else None
        inputs.append(value)
        return removed

    def reset(self) -> None:
        super().reset()
        self._inputs.clear()


def name_and_period(default_format: str, name: Any, period: Any) -> tuple[str, Any]:
    """LEAN's overloads `(period)` and `(name, period)`, plus keywords: `(period=…)`, `(name=…, period=…)`.

    The default name is `default_format` filled with the period.
    """
    if period is None:
        name, period = None, name
    if period is None:
        raise TypeError(f"{default_format.format('period')} needs a period")
    return (default_format.format(period) if name is None else name), period
