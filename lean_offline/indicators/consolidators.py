"""Period and count consolidators with LEAN's emission rules (Common/Data/Consolidators/PeriodCountConsolidatorBase.cs,
TradeBarConsolidator.cs, QuoteBarConsolidator.cs, BaseDataConsolidator.cs, Calendar.cs).

Supported periods: a `timedelta` (bars start at times rounded down to a multiple of the period since 0001-01-01,
i.e. 5-minute bars start at :00, :05, …; periods above one day are not rounded), a `Resolution`, an `int` bar count,
`(count, timedelta)` mixed mode, and a calendar function `dt → CalendarInfo(start, period)` such as
`Calendar.WEEKLY`/`MONTHLY`/`QUARTERLY`/`YEARLY` or a user function. A time-based bar is emitted when data at or past
its end arrives (`update`) or when the clock passes its end (`scan`). Not supported: LEAN's `start_time` offset and
the market-hours-aware daily consolidator LEAN uses for `consolidate(symbol, Resolution["DAILY"], ...)` on intraday data
(a plain 1-day period consolidates midnight to midnight).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..data.market import Bar, QuoteBar, TradeBar
from ..enums import Resolution
from ..naming import DualCase, LeanEnum, UnsupportedApiError
from .base import EventHandlers, _check_same_event
from .rolling_window import RollingWindow

_ZERO = timedelta(0)
_ONE_HOUR = timedelta(hours=1)
_ONE_DAY = timedelta(days=1)
_FUNC_CHECK_TIME = datetime(2022, 1, 3, 10, 10, 10)
_RESOLUTION_SPANS = {
    Resolution["TICK"]: _ZERO, Resolution["SECOND"]: timedelta(seconds=1), Resolution["MINUTE"]: timedelta(minutes=1),
    Resolution["HOUR"]: _ONE_HOUR, Resolution["DAILY"]: _ONE_DAY,
}


def resolution_to_timedelta(resolution: Any) -> timedelta:
    """Tick → 0, Second → 1 s, Minute → 1 min, Hour → 1 h, Daily → 1 day."""
    return _RESOLUTION_SPANS[Resolution(resolution)]


def round_down(time: datetime, period: timedelta) -> datetime:
    """`time` rounded down to a whole multiple of `period` counted from datetime.min (LEAN's RoundDown)."""
    if period == _ZERO:
        return time
    return time - (time - datetime.min) % period


@dataclass(frozen=True)
class CalendarInfo(DualCase):
    """A calendar bar: `start` and `period`; `end` = start + period."""

    start: datetime
    period: timedelta

    @property
    def end(self) -> datetime:
        return self.start + self.period


def _next_month_start(year: int, month: int) -> datetime:
    return datetime(year + month // 12, month % 12 + 1, 1)


def _weekly(dt: datetime) -> CalendarInfo:
    """Monday 00:00 of `dt`'s week (LEAN's weeks end at the next Monday), 7 days."""
    days_to_next_monday = 7 - dt.weekday()
    start = datetime(dt.year, dt.month, dt.day) + timedelta(days=days_to_next_monday - 7)
    return CalendarInfo(start, timedelta(days=7))


def _monthly(dt: datetime) -> CalendarInfo:
    start = datetime(dt.year, dt.month, 1)
    return CalendarInfo(start, _next_month_start(dt.year, dt.month) - start)


def _quarterly(dt: datetime) -> CalendarInfo:
    first_month = (dt.month - 1) // 3 * 3 + 1
    start = datetime(dt.year, first_month, 1)
    return CalendarInfo(start, _next_month_start(dt.year, first_month + 2) - start)


def _yearly(dt: datetime) -> CalendarInfo:
    start = datetime(dt.year, 1, 1)
    return CalendarInfo(start, datetime(dt.year + 1, 1, 1) - start)


class Calendar:
    """Calendar periods for consolidators: `Calendar.WEEKLY` (Monday to Monday), `MONTHLY`, `QUARTERLY`, `YEARLY`
    (also spelled `Weekly`, … as in LEAN)."""

    WEEKLY = staticmethod(_weekly)
    MONTHLY = staticmethod(_monthly)
    QUARTERLY = staticmethod(_quarterly)
    YEARLY = staticmethod(_yearly)
    Weekly = WEEKLY
    Monthly = MONTHLY
    Quarterly = QUARTERLY
    Yearly = YEARLY


class _PeriodSpec:
    """How a consolidator maps a time to the start of its bar, and the bar's length (None for pure counts)."""

    __slots__ = ("period",)

    def __init__(self, period: timedelta | None) -> None:
        self.period = period

    def bar_start(self, time: datetime) -> datetime:
        return time


class _TimeSpanSpec(_PeriodSpec):
    __slots__ = ()

    def bar_start(self, time: datetime) -> datetime:
        assert self.period is not None
        return time if self.period > _ONE_DAY else round_down(time, self.period)


class _CalendarSpec(_PeriodSpec):
    __slots__ = ("_calendar",)

    def __init__(self, calendar: Callable[[datetime], Any]) -> None:
        super().__init__(timedelta(seconds=1))
        self._calendar = calendar
        check_start = self._info(_FUNC_CHECK_TIME).start
        if check_start > _FUNC_CHECK_TIME:
            raise ValueError("consolidator calendar function must return the start of the bar that contains the "
                             f"given time, never a later one: {_FUNC_CHECK_TIME} → {check_start}")

    def _info(self, time: datetime) -> Any:
        info = self._calendar(time)
        if not hasattr(info, "start") or not hasattr(info, "period"):
            raise TypeError(f"consolidator calendar function must return CalendarInfo(start, period), got {info!r}")
        return info

    def bar_start(self, time: datetime) -> datetime:
        info = self._info(time)
        self.period = info.period
        start: datetime = info.start
        return start


def _period_spec(period: Any) -> tuple[_PeriodSpec, int | None]:
    if isinstance(period, LeanEnum):
        return _TimeSpanSpec(resolution_to_timedelta(period)), None
    if isinstance(period, timedelta):
        if period < _ZERO:
            raise ValueError(f"consolidator period must not be negative, got {period}")
        return _TimeSpanSpec(period), None
    if isinstance(period, int) and not isinstance(period, bool):
        if period < 1:
            raise ValueError(f"consolidator bar count must be at least 1, got {period}")
        return _PeriodSpec(None), period
    if isinstance(period, tuple) and len(period) == 2:
        count, span = period
        _, max_count = _period_spec(count)
        if not isinstance(span, timedelta) or max_count is None:
            raise ValueError(f"mixed-mode consolidator takes (count, timedelta), got {period!r}")
        return _PeriodSpec(span), max_count
    if callable(period):
        return _CalendarSpec(period), None
    raise TypeError(f"unsupported consolidator period {period!r}: use a timedelta, a Resolution, a bar count or a "
                    f"calendar function returning CalendarInfo")


class ConsolidatorBase(DualCase):
    """Shared state: `consolidated` (last emitted bar), `data_consolidated` event (handler(sender, bar)),
    `window`/`current`/`previous` of the emitted bars, `working_data` (the bar being built)."""

    __slots__ = ("consolidated", "_data_consolidated", "_window")

    def __init__(self) -> None:
        self.consolidated: Any = None
        self._data_consolidated = EventHandlers()
        self._window: RollingWindow[Any] = RollingWindow(2)

    @property
    def data_consolidated(self) -> EventHandlers:
        return self._data_consolidated

    @data_consolidated.setter
    def data_consolidated(self, event: EventHandlers) -> None:
        _check_same_event(event, self._data_consolidated)

    DataConsolidated = data_consolidated

    @property
    def window(self) -> RollingWindow:
        return self._window

    @property
    def current(self) -> Any:
        return self._window[0]

    @property
    def previous(self) -> Any:
        return self._window[1] if self._window.count > 1 else None

    def __getitem__(self, index: int) -> Any:
        return self._window[index]

    def _emit(self, bar: Any) -> None:
        if bar is not None:
            self._window.add(bar)
        self.consolidated = bar
        self._data_consolidated.fire(self, bar)

    def reset(self) -> None:
        self.consolidated = None
        self._window.reset()

    def dispose(self) -> None:
        self._data_consolidated.clear()


class PeriodCountConsolidatorBase(ConsolidatorBase):
    """LEAN's period/count consolidation; subclasses implement `_aggregate(working, data) -> working`."""

    __slots__ = ("_spec", "_max_count", "_period", "_count", "_working", "_last_emit", "_symbol", "_has_symbol",
                 "_validated_span")

    input_type: type = object
    output_type: type = TradeBar

    def __init__(self, period: Any, period_if_count: timedelta | None = None, *,
                 start_time: timedelta | None = None) -> None:
        super().__init__()
        if start_time is not None or (isinstance(period, timedelta) and period_if_count is not None):
            raise UnsupportedApiError(type(self).__name__, "__init__(period, start_time) (consolidator start_time "
                                      "offsets; use a calendar function returning CalendarInfo instead)")
        spec, max_count = _period_spec(period if period_if_count is None else (period, period_if_count))
        self._spec = spec
        self._max_count = max_count
        self._period: timedelta | None = spec.period
        self._count = 0
        self._working: Any = None
        self._last_emit: datetime | None = None
        self._symbol: Any = None
        self._has_symbol = False
        self._validated_span = False

    @classmethod
    def from_resolution(cls, resolution: Any) -> Any:
        return cls(resolution_to_timedelta(resolution))

    FromResolution = from_resolution

    @property
    def is_time_based(self) -> bool:
        return self._max_count is None

    @property
    def period(self) -> timedelta | None:
        return self._period

    @property
    def working_data(self) -> Any:
        return None if self._working is None else self._working.clone()

    @property
    def working_bar(self) -> Any:
        return self.working_data

    def update(self, data: Any) -> None:
        """Aggregate `data`; emits the previous bar first when `data` starts at or past its end."""
        if not _accepts(self.input_type, data):
            raise TypeError(f"{type(self).__name__} received {type(data).__name__} but expects "
                            f"{self.input_type.__name__}")
        if not self._has_symbol:
            self._has_symbol = True
            self._symbol = data.symbol
        elif data.symbol != self._symbol:
            raise ValueError(f"Consolidators can only be used with a single symbol. The previous consolidated symbol "
                             f"({self._symbol}) is not the same as in the current data ({data.symbol}).")
        period = self._period
        if not self._validated_span and period is not None and type(self._spec) is _TimeSpanSpec:
            self._validated_span = True
            if data.end_time - data.time > period:
                raise ValueError(f"For Symbol {data.symbol} can not consolidate bars of period: {period}, using data "
                                 f"of the same or higher period: {data.end_time - data.time}")
        fire = False
        aggregate_before_fire = self._max_count is not None
        if self._max_count is not None:
            self._count += 1
            if self._count >= self._max_count:
                self._count = 0
                fire = True
        if self._last_emit is None:
            self._last_emit = datetime.min if self._max_count is None else data.time
        if period is not None:
            working = self._working
            if (working is not None and data.time - working.time >= period
                    and self._data_bar_start(data) > self._last_emit):
                fire = True
            if period == _ZERO:
                fire = True
                aggregate_before_fire = True
        if aggregate_before_fire and data.time >= self._last_emit:
            self._working = self._aggregate(self._working, data)
            if self._max_count is not None:
                self._working.end_time = data.end_time
        if fire:
            working = self._working
            if isinstance(working, TradeBar) and self._period is not None:
                working.end_time = working.time + self._period
            self._last_emit = working.end_time if self._max_count is None and working is not None else data.time
            self._emit_working()
        if not aggregate_before_fire and data.time >= self._last_emit:
            self._working = self._aggregate(self._working, data)

    def scan(self, current_local_time: datetime) -> None:
        """Emit the working bar once `current_local_time` reaches its end (time-based periods only)."""
        working = self._working
        period = self._period
        if (working is not None and period is not None and period != _ZERO
                and current_local_time - working.time >= period
                and self._last_emit is not None and self._bar_start(current_local_time) > self._last_emit):
            self._last_emit = working.end_time
            self._emit_working()

    def reset(self) -> None:
        super().reset()
        self._symbol = None
        self._has_symbol = False
        self._count = 0
        self._working = None
        self._last_emit = None
        self._validated_span = False

    def _emit_working(self) -> None:
        bar = self._working
        self._emit(bar)
        self._working = None

    def _bar_start(self, time: datetime) -> datetime:
        start = self._spec.bar_start(time)
        if self._working is None:
            self._period = self._spec.period
        return start

    def _data_bar_start(self, data: Any) -> datetime:
        """Bar start for `data`; data longer than the rounding (e.g. an hour bar crossing midnight) starts at its own
        time, or at its end's bar for hourly bars that begin the previous day."""
        start = self._bar_start(data.time)
        period = self._period
        if period is not None and start + period < data.end_time:
            if data.end_time - data.time == _ONE_HOUR and start.date() < data.time.date():
                start = self._bar_start(data.end_time)
            else:
                start = data.time
        return start

    def _bar_period(self, data: Any) -> timedelta:
        return self._period if self._max_count is None and self._period is not None else data.end_time - data.time

    def _aggregate(self, working: Any, data: Any) -> Any:
        raise NotImplementedError


class TradeBarConsolidator(PeriodCountConsolidatorBase):
    """TradeBars → TradeBars: open of the first, max high, min low, close of the last, summed volume.

    `TradeBarConsolidator(timedelta | Resolution | count | calendar_function)` or `(count, timedelta)`.
    """

    __slots__ = ()
    input_type = TradeBar
    output_type = TradeBar

    def _aggregate(self, working: Any, data: Any) -> Any:
        if working is None:
            return TradeBar(self._data_bar_start(data), data.symbol, data.open, data.high, data.low, data.close,
                            data.volume, self._bar_period(data))
        working.value = data.value
        working.volume += data.volume
        if data.low < working.low:
            working.low = data.low
        if data.high > working.high:
            working.high = data.high
        return working


class BaseDataConsolidator(PeriodCountConsolidatorBase):
    """Any data → TradeBars of its `value` (volume 0)."""

    __slots__ = ()
    input_type = object
    output_type = TradeBar

    def _aggregate(self, working: Any, data: Any) -> Any:
        value = data.value
        if working is None:
            return TradeBar(self._bar_start(data.time), data.symbol, value, value, value, value, 0.0)
        working.value = value
        if value < working.low:
            working.low = value
        if value > working.high:
            working.high = value
        return working


class QuoteBarConsolidator(PeriodCountConsolidatorBase):
    """QuoteBars → QuoteBars per side (bid/ask): open of the first, max high, min low, close of the last; a new bar's
    sides start from the previous consolidated bar's closes, as LEAN's do."""

    __slots__ = ()
    input_type = QuoteBar
    output_type = QuoteBar

    def _aggregate(self, working: Any, data: Any) -> Any:
        if working is None:
            working = QuoteBar(self._data_bar_start(data), data.symbol, None, 0.0, None, 0.0, self._bar_period(data))
            previous = self.consolidated
            if previous is not None:
                _seed_from_previous(working, previous)
        bid = data.bid
        if bid is not None:
            working.last_bid_size = data.last_bid_size
            working.bid = _merge_side(working.bid, bid)
        ask = data.ask
        if ask is not None:
            working.last_ask_size = data.last_ask_size
            working.ask = _merge_side(working.ask, ask)
        working.value = data.value
        return working


def _accepts(input_type: type, data: Any) -> bool:
    return isinstance(data, input_type)


def _merge_side(current: Bar | None, incoming: Bar) -> Bar:
    if current is None:
        return Bar(incoming.open, incoming.high, incoming.low, incoming.close)
    return Bar(current.open, max(current.high, incoming.high), min(current.low, incoming.low), incoming.close)


def _seed_from_previous(working: QuoteBar, previous: QuoteBar) -> None:
    """LEAN's QuoteBar.Update(0, previous bid close, previous ask close, 0, sizes) on a fresh bar."""
    bid_close = previous.bid.close if previous.bid is not None else 0.0
    ask_close = previous.ask.close if previous.ask is not None else 0.0
    if bid_close:
        working.bid = Bar(bid_close, bid_close, bid_close, bid_close)
    if ask_close:
        working.ask = Bar(ask_close, ask_close, ask_close, ask_close)
    if previous.last_bid_size > 0:
        working.last_bid_size = previous.last_bid_size
    if previous.last_ask_size > 0:
        working.last_ask_size = previous.last_ask_size
    if ask_close:
        working.value = ask_close
    elif bid_close:
        working.value = bid_close

