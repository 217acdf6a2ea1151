"""Scheduled events: DateRules, TimeRules, ScheduleManager and ScheduledEvent with LEAN's semantics.

LEAN sources mirrored (behaviour, not code): Common/Scheduling/DateRules.cs, TimeRules.cs, ScheduleManager.cs,
ScheduledEvent.cs and Engine/RealTime/BacktestingRealTimeHandler.cs.

- A date rule yields local dates lazily; a time rule turns dates into naive-UTC event times. The date sequence of an
  event starts at (algorithm UTC date - 1 day), evaluated lazily when the event is first asked for its next time
  (as LEAN's deferred enumerable does), and runs to LEAN's `Time.EndOfTime` (2050-12-31).
- `ScheduleManager` is both LEAN's ScheduleManager (the algorithm-facing `schedule`) and the backtesting real-time
  handler: `start(utc)` skips past events once the algorithm is initialised, `scan_past_events(utc, set_clock)` fires
  events strictly before a slice (§E step 1, clock at each event's time), `set_time(utc)` fires events at or before
  it (§E step 5). Ordering follows LEAN's sorted list exactly: a full sort by (next time, creation id) whenever an
  event is added or removed, then after each firing the head is re-inserted by LEAN's binary search (it stays first
  when its next time ties the following event's, otherwise goes after an equal-time event).
- `add_daily_sampling(callback)` registers the engine's "Daily Sampling" event (every calendar day at midnight in the
  algorithm time zone), as LEAN's AlgorithmManager does after the real-time handler's setup.
- `security_end_of_day_event` / `algorithm_end_of_day_event` build LEAN's on_end_of_day(symbol) / on_end_of_day()
  events (Engine/RealTime/ScheduledEventFactory.cs) for the runner to `add` when the algorithm defines the callback.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from ..enums import SecurityType
from ..naming import DualCase, to_snake_case

END_OF_TIME = date(2050, 12, 31)
"""LEAN's Time.EndOfTime: the last date any rule generates."""

_ONE_DAY = timedelta(days=1)
_UTC = UTC
_NEVER = datetime.max
_DEFAULT_TIME_ZONE = "America/New_York"


class ExchangeHoursLike(Protocol):
    """What the rules need from an exchange calendar (lean_offline.data.market_hours.SecurityExchangeHours)."""

    time_zone: Any

    def is_date_open(self, day: date, extended_market_hours: bool = False) -> bool: ...

    def get_next_trading_day(self, day: date) -> date: ...

    def get_previous_trading_day(self, day: date) -> date: ...

    def get_market_hours(self, day: date) -> Any: ...


class ScheduledEventError(RuntimeError):
    """A scheduled event's callback raised; the message names the event and its time as LEAN reports it."""

    def __init__(self, name: str, event_utc: datetime, cause: BaseException) -> None:
        super().__init__(f"Scheduled event: '{name}' at {event_utc:%Y-%m-%d %H:%M:%S} UTC: "
                         f"{type(cause).__name__}: {cause}")
        self.event_name = name
        self.event_utc = event_utc


# ---- time helpers ----------------------------------------------------------------------------------------------

def as_time_zone(zone: Any) -> ZoneInfo:
    """A ZoneInfo from a ZoneInfo, an IANA name (LEAN's TimeZones constants are names here) or None (New York)."""
    if zone is None:
        return ZoneInfo(_DEFAULT_TIME_ZONE)
    if isinstance(zone, ZoneInfo):
        return zone
    if isinstance(zone, str):
        return ZoneInfo(zone)
    key = getattr(zone, "key", None)
    if isinstance(key, str):
        return ZoneInfo(key)
    raise TypeError(f"time zone: expected a ZoneInfo or an IANA name, got {zone!r}")


def local_to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Naive local time in `zone` → naive UTC: local − offset(local). The offset is read with the time's `fold`,
    which is 0 for every time the engine builds, so ambiguous times take the earlier offset and skipped times shift
    forward by the gap (NodaTime's lenient resolver, which LEAN's ConvertToUtc uses)."""
    offset = zone.utcoffset(local)
    return local - offset if offset else local


def utc_to_local(utc: datetime, zone: ZoneInfo) -> datetime:
    """Naive UTC → naive local time in `zone`."""
    return utc.replace(tzinfo=_UTC).astimezone(zone).replace(tzinfo=None)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def dotnet_day_of_week(day: date) -> int:
    """.NET's DayOfWeek number (Sunday = 0 … Saturday = 6), which LEAN's weekly rules order by."""
    return (day.weekday() + 1) % 7


def each_day(start: date, end: date) -> Iterator[date]:
    """Every calendar day from start to end inclusive."""
    day = start
    while day <= end:
        yield day
        day += _ONE_DAY


def _days_in_month(year: int, month: int) -> int:
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return (next_month - _ONE_DAY).day


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class _AlwaysOpenCalendar:
    """The calendar LEAN assumes for rules without a symbol: every day open (SecurityExchangeHours.AlwaysOpen)."""

    time_zone = ZoneInfo(_DEFAULT_TIME_ZONE)

    def is_date_open(self, day: date, extended_market_hours: bool = False) -> bool:
        return True

    def get_next_trading_day(self, day: date) -> date:
        return day + _ONE_DAY

    def get_previous_trading_day(self, day: date) -> date:
        return day - _ONE_DAY

    def get_market_hours(self, day: date) -> Any:
        return ()


_ALWAYS_OPEN = _AlwaysOpenCalendar()


def weekly_trading_days(hours: ExchangeHoursLike) -> list[int]:
    """The .NET day-of-week numbers on which the exchange's weekly template has any session, ascending.

    LEAN reads its weekly template (MarketHours without holidays); here each weekday is probed over ten consecutive
    weeks so that no holiday can hide a regular trading weekday.
    """
    if getattr(hours, "always_open", False):
        return list(range(7))
    reference = date(2018, 1, 1)
    open_days = {dotnet_day_of_week(day) for day in each_day(reference, reference + timedelta(days=69))
                 if hours.is_date_open(day, True)}
    return sorted(open_days)


def first_daily_open(hours: ExchangeHoursLike, day: date, extended: bool) -> datetime | None:
    """Start of the first open segment of `day` (regular only unless `extended`), None when closed that day."""
    for segment in hours.get_market_hours(day):
        start, state = segment.start, segment.state
        if segment.end > start and (state == "market" or (extended and state != "closed")):
            return _midnight(day) + start
    return None


def last_daily_close(hours: ExchangeHoursLike, day: date, extended: bool) -> datetime | None:
    """End of the last open segment of `day` (regular only unless `extended`): 13:00 on US early closes."""
    for segment in reversed(tuple(hours.get_market_hours(day))):
        end, state = segment.end, segment.state
        if end > segment.start and (state == "market" or (extended and state != "closed")):
            return _midnight(day) + end
    return None


# ---- rules ------------------------------------------------------------------------------------------------------

class DateRule(DualCase):
    """A named rule producing the local dates of an event within [start, end]."""

    name: str

    def __init__(self, name: str, dates: Callable[[date, date], Iterable[date]]) -> None:
        self.name = name
        self._dates = dates

    def get_dates(self, start: date | datetime, end: date | datetime) -> Iterator[date]:
        return iter(self._dates(_as_date(start), _as_date(end)))

    def __repr__(self) -> str:
        return f"DateRule({self.name})"


class TimeRule(DualCase):
    """A named rule turning local dates into naive-UTC event times (ascending when the dates are)."""

    name: str

    def __init__(self, name: str, times: Callable[[Iterable[date]], Iterable[datetime]]) -> None:
        self.name = name
        self._times = times

    def create_utc_event_times(self, dates: Iterable[date]) -> Iterator[datetime]:
        return iter(self._times(dates))

    def __repr__(self) -> str:
        return f"TimeRule({self.name})"


def _normalise_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {to_snake_case(key): value for key, value in kwargs.items()}


def _offset_text(offset: int) -> str:
    return "" if offset == 0 else f"{offset:+d}"


def _minutes_text(minutes: float) -> str:
    return f"{abs(minutes):.2f}".rstrip("0").rstrip(".")


class _RulesBase(DualCase):
    """Symbol → exchange hours resolution shared by DateRules and TimeRules (LEAN's BaseScheduleRules)."""

    def __init__(self, algorithm: Any, time_zone: Any = None, market_hours_database: Any = None) -> None:
        self._algorithm = algorithm
        self._default_time_zone = as_time_zone(time_zone)
        self._explicit_time_zone: ZoneInfo | None = None
        self._market_hours_database = market_hours_database
        self._warned_implicit = False

    def set_default_time_zone(self, time_zone: Any) -> None:
        self._explicit_time_zone = as_time_zone(time_zone)

    @property
    def _time_zone(self) -> ZoneInfo:
        """The zone rules are written in: as set, else the algorithm's (set_time_zone), else the constructor's."""
        if self._explicit_time_zone is not None:
            return self._explicit_time_zone
        zone = getattr(self._algorithm, "time_zone", None)
        if isinstance(zone, ZoneInfo | str):
            return as_time_zone(zone)
        return self._default_time_zone

    @property
    def time_zone(self) -> ZoneInfo:
        return self._time_zone

    def _mhdb(self) -> Any:
        database = self._market_hours_database or getattr(self._algorithm, "market_hours_database", None)
        if database is None:
            raise RuntimeError("schedule rules: no market-hours database available to resolve a symbol's hours")
        return database

    def _find_security(self, symbol: Any) -> Any:
        securities = getattr(self._algorithm, "securities", None)
        if securities is None:
            return None
        try:
            if symbol in securities:
                return securities[symbol]
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return None

    def exchange_hours(self, symbol: Any) -> ExchangeHoursLike:
        """The hours of a subscribed security, else the market-hours database entry (a bare ticker → US equity)."""
        security = self._find_security(symbol)
        if security is not None:
            exchange = getattr(security, "exchange", None)
            hours = getattr(exchange, "hours", None) if exchange is not None else None
            return hours if hours is not None else security.exchange_hours
        if isinstance(symbol, str):
            if not self._warned_implicit:
                self._warned_implicit = True
                debug = getattr(self._algorithm, "debug", None)
                if callable(debug):
                    debug(f"Warning: no existing symbol found for ticker {symbol}, it will be created with "
                          "Equity type.")
            return self._mhdb().get_entry("usa", symbol.upper(), SecurityType["EQUITY"]).exchange_hours
        market = getattr(getattr(symbol, "id", None), "market", None) or getattr(symbol, "market", "usa")
        return self._mhdb().get_entry(market, symbol.value, symbol.security_type).exchange_hours

    def _symbol_text(self, symbol: Any) -> str:
        return symbol.upper() if isinstance(symbol, str) else str(getattr(symbol, "value", symbol))

    def _utc_now(self) -> datetime:
        utc = getattr(self._algorithm, "utc_time", None)
        if not isinstance(utc, datetime):
            raise RuntimeError("schedule rules: the algorithm has no utc_time yet")
        return utc.replace(tzinfo=None)


def _split_symbol_and_offset(args: tuple[Any, ...], kwargs: dict[str, Any], default_extended: bool
                             ) -> tuple[Any, int, bool]:
    """LEAN's overloads (daysOffset) and (symbol, daysOffset=0, extendedMarketHours=…) from Python arguments."""
    options = _normalise_kwargs(kwargs)
    positional = list(args)
    symbol = options.pop("symbol", None)
    if symbol is None and positional and not isinstance(positional[0], int | float):
        symbol = positional.pop(0)
    elif positional and positional[0] is None:
        positional.pop(0)
    days_offset = int(options.pop("days_offset", positional.pop(0) if positional else 0))
    extended = bool(options.pop("extended_market_hours", positional.pop(0) if positional else default_extended))
    if positional or options:
        raise TypeError(f"unexpected arguments {positional or ''} {options or ''}".strip())
    return symbol, days_offset, extended


class DateRules(_RulesBase):
    """LEAN's DateRules: every_day, every, on, today, tomorrow, week/month/quarter/year start and end.

    Rules bound to a symbol follow its exchange's trading days (a Monday holiday moves week_start to Tuesday); rules
    without one are calendar based (always open).
    """

    def every_day(self, symbol: Any = None, extended_market_hours: bool = False, **kwargs: Any) -> DateRule:
        options = _normalise_kwargs(kwargs)
        symbol = options.pop("symbol", symbol)
        extended = bool(options.pop("extended_market_hours", extended_market_hours))
        if symbol is None:
            return DateRule("EveryDay", each_day)
        hours = self.exchange_hours(symbol)
        return DateRule(f"{self._symbol_text(symbol)}: EveryDay",
                        lambda start, end: (day for day in each_day(start, end) if hours.is_date_open(day, extended)))

    def every(self, *days: Any) -> DateRule:
        """Each listed weekday (LEAN's DayOfWeek numbering, Sunday = 0; a list is accepted too)."""
        flat = [int(day) for item in days for day in (item if isinstance(item, list | tuple | set) else (item,))]
        wanted = set(flat)
        return DateRule(",".join(_DAY_NAMES[day] for day in flat),
                        lambda start, end: (day for day in each_day(start, end) if dotnet_day_of_week(day) in wanted))

    def on(self, *args: Any) -> DateRule:
        """on(year, month, day) or on(date, date, …): those dates only."""
        if len(args) == 3 and all(isinstance(arg, int) for arg in args):
            chosen = [date(*args)]
        else:
            chosen = [_as_date(arg) for item in args for arg in (item if isinstance(item, list | tuple) else (item,))]
        return DateRule(",".join(f"{day.month}/{day.day}/{day.year}" for day in chosen),
                        lambda start, end: (day for day in chosen if start <= day <= end))

    @property
    def today(self) -> DateRule:
        return DateRule("TodayOnly", lambda start, end: [utc_to_local(self._utc_now(), self._time_zone).date()])

    @property
    def tomorrow(self) -> DateRule:
        return DateRule("TomorrowOnly",
                        lambda start, end: [utc_to_local(self._utc_now(), self._time_zone).date() + _ONE_DAY])

    def week_start(self, *args: Any, **kwargs: Any) -> DateRule:
        """First trading day of each week (+ days_offset trading days), kept within the week."""
        return self._weekly(True, args, kwargs)

    def week_end(self, *args: Any, **kwargs: Any) -> DateRule:
        """Last trading day of each week (- days_offset trading days), kept within the week."""
        return self._weekly(False, args, kwargs)

    def month_start(self, *args: Any, **kwargs: Any) -> DateRule:
        return self._periodic("MonthStart", 1, True, 30, args, kwargs)

    def month_end(self, *args: Any, **kwargs: Any) -> DateRule:
        return self._periodic("MonthEnd", 1, False, 30, args, kwargs)

    def quarter_start(self, *args: Any, **kwargs: Any) -> DateRule:
        return self._periodic("QuarterStart", 3, True, 92, args, kwargs)

    def quarter_end(self, *args: Any, **kwargs: Any) -> DateRule:
        return self._periodic("QuarterEnd", 3, False, 92, args, kwargs)

    def year_start(self, *args: Any, **kwargs: Any) -> DateRule:
        return self._periodic("YearStart", 12, True, 365, args, kwargs)

    def year_end(self, *args: Any, **kwargs: Any) -> DateRule:
        return self._periodic("YearEnd", 12, False, 365, args, kwargs)

    def _name(self, symbol: Any, rule: str, offset: int) -> str:
        base = f"{rule}{_offset_text(offset)}"
        return base if symbol is None else f"{self._symbol_text(symbol)}: {base}"

    def _weekly(self, forward: bool, args: tuple[Any, ...], kwargs: dict[str, Any]) -> DateRule:
        rule = "WeekStart" if forward else "WeekEnd"
        symbol, offset, extended = _split_symbol_and_offset(args, kwargs, default_extended=True)
        if symbol is None:
            if not 0 <= offset <= 6:
                raise ValueError(f"DateRules.{rule}() : Offset must be between 0 and 6")
            hours: ExchangeHoursLike = _ALWAYS_OPEN
            extended = False
            base_day, boundary_day = (1, 7) if forward else (5, -1)
        else:
            hours = self.exchange_hours(symbol)
            trading_days = weekly_trading_days(hours)
            if offset > len(trading_days) - 1:
                raise ValueError(f"DateRules.{rule}() : offset {offset} is out of range for "
                                 f"{self._symbol_text(symbol)}'s schedule, please use an offset between 0 - "
                                 f"{len(trading_days) - 1}")
            base_day, boundary_day = ((trading_days[0], trading_days[-1]) if forward
                                      else (trading_days[-1], trading_days[0]))

        def dates(start: date, end: date) -> Iterator[date]:
            start_dow, end_dow = dotnet_day_of_week(start), dotnet_day_of_week(end)
            first = start + timedelta(days=-start_dow + 1 - (7 if start_dow == 0 else 0))
            last = end + timedelta(days=-end_dow + 7 - (7 if end_dow == 0 else 0))
            day = first + timedelta(days=(base_day - dotnet_day_of_week(first)) % 7)
            while day <= last:
                boundary = day + timedelta(days=boundary_day - base_day)
                scheduled = scheduled_day(hours, day, offset, forward, extended, boundary)
                if start <= scheduled <= end:
                    yield scheduled
                day += timedelta(days=7)

        return DateRule(self._name(symbol, rule, offset if forward else -offset), dates)

    def _periodic(self, rule: str, months: int, forward: bool, max_offset: int, args: tuple[Any, ...],
                  kwargs: dict[str, Any]) -> DateRule:
        symbol, offset, extended = _split_symbol_and_offset(args, kwargs, default_extended=True)
        if symbol is None:
            extended = False
        if not 0 <= offset <= max_offset and not (symbol is None and months == 1):
            raise ValueError(f"DateRules.{rule}() : Offset must be between 0 and {max_offset}")
        hours: ExchangeHoursLike = _ALWAYS_OPEN if symbol is None else self.exchange_hours(symbol)

        def dates(start: date, end: date) -> Iterator[date]:
            period_start = date(start.year, ((start.month - 1) // months) * months + 1, 1)
            while period_start <= end:
                period_last = _add_months(period_start, months) - _ONE_DAY
                base, boundary = (period_start, period_last) if forward else (period_last, period_start)
                scheduled = scheduled_day(hours, base, offset, forward, extended, boundary)
                if start <= scheduled <= end:
                    yield scheduled
                period_start = _add_months(period_start, months)

        return DateRule(self._name(symbol, rule, offset if forward else -offset), dates)


_DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def scheduled_day(hours: ExchangeHoursLike, base: date, offset: int, forward: bool, extended: bool,
                  boundary: date | None = None) -> date:
    """LEAN's DateRules.GetScheduledDay: `base`, moved to the nearest trading day in the search direction, then
    `offset` more trading days; a result past the period boundary falls back to the last trading day inside it."""
    day = base
    step = hours.get_next_trading_day if forward else hours.get_previous_trading_day
    if not hours.is_date_open(day, extended):
        day = step(day)
    for _ in range(offset):
        day = step(day)
    if boundary is not None:
        if forward and day > boundary:
            day = scheduled_day(hours, boundary, 0, False, extended)
        if not forward and day < boundary:
            day = scheduled_day(hours, boundary, 0, True, extended)
    return day


def _parse_market_rule_args(args: tuple[Any, ...], kwargs: dict[str, Any], minutes_key: str, extended_key: str
                            ) -> tuple[Any, float, bool]:
    options = _normalise_kwargs(kwargs)
    positional = list(args)
    symbol = options.pop("symbol", None)
    if symbol is None and positional and not isinstance(positional[0], int | float):
        symbol = positional.pop(0)
    minutes = float(options.pop(minutes_key, positional.pop(0) if positional else 0.0))
    extended = bool(options.pop(extended_key, positional.pop(0) if positional else False))
    if positional or options:
        raise TypeError(f"unexpected arguments {positional or ''} {options or ''}".strip())
    return symbol, minutes, extended


class TimeRules(_RulesBase):
    """LEAN's TimeRules: at, midnight, noon, now, every, after/before market open/close.

    Times are in the rules' time zone (the algorithm's, America/New_York by default) unless one is given;
    market-relative rules use the symbol's exchange hours (13:00 closes on US early-close days) and skip closed days.
    """

    def at(self, *args: Any, **kwargs: Any) -> TimeRule:
        """at(hour, minute[, second][, time_zone]) or at(timedelta | time[, time_zone])."""
        options = _normalise_kwargs(kwargs)
        positional = list(args)
        zone_arg = options.pop("time_zone", None)
        if positional and not isinstance(positional[-1], int | float | timedelta | time):
            zone_arg = positional.pop()
        if positional and isinstance(positional[0], timedelta):
            time_of_day = positional[0]
        elif positional and isinstance(positional[0], time):
            value = positional[0]
            time_of_day = timedelta(hours=value.hour, minutes=value.minute, seconds=value.second)
        else:
            hour = int(options.pop("hour", positional[0] if positional else 0))
            minute = int(options.pop("minute", positional[1] if len(positional) > 1 else 0))
            second = int(options.pop("second", positional[2] if len(positional) > 2 else 0))
            time_of_day = timedelta(hours=hour, minutes=minute, seconds=second)
        zone = self._time_zone if zone_arg is None else as_time_zone(zone_arg)
        name = f"{time_of_day.total_seconds() / 3600:.2f}".rstrip("0").rstrip(".")
        return TimeRule(name, lambda dates: (local_to_utc(_midnight(day) + time_of_day, zone) for day in dates))

    @property
    def midnight(self) -> TimeRule:
        zone = self._time_zone
        return TimeRule("Midnight", lambda dates: (local_to_utc(_midnight(day), zone) for day in dates))

    @property
    def noon(self) -> TimeRule:
        # LEAN adds 12 hours to the UTC midnight (so DST-change days keep a 12-hour distance from midnight)
        zone = self._time_zone
        return TimeRule("Noon", lambda dates: (local_to_utc(_midnight(day), zone) + timedelta(hours=12)
                                               for day in dates))

    @property
    def now(self) -> TimeRule:
        return TimeRule("Now", lambda dates: (self._utc_now() for _ in dates))

    def every(self, interval: timedelta) -> TimeRule:
        """Every `interval` from local midnight through the day, on each date."""
        if interval <= timedelta(0):
            raise ValueError("TimeRules.Every(): time span interval can not be zero or less")
        zone = self._time_zone

        def times(dates: Iterable[date]) -> Iterator[datetime]:
            for day in dates:
                offset = timedelta(0)
                while offset < _ONE_DAY:
                    yield local_to_utc(_midnight(day) + offset, zone)
                    offset += interval

        return TimeRule(f"Every {interval.total_seconds() / 60:.2f}".rstrip("0").rstrip(".") + " min", times)

    def after_market_open(self, *args: Any, **kwargs: Any) -> TimeRule:
        """after_market_open(symbol=None, minutes_after_open=0, extended_market_open=False)."""
        symbol, minutes, extended = _parse_market_rule_args(args, kwargs, "minutes_after_open",
                                                            "extended_market_open")
        return self._market_open_rule(symbol, minutes, extended)

    def before_market_open(self, *args: Any, **kwargs: Any) -> TimeRule:
        symbol, minutes, extended = _parse_market_rule_args(args, kwargs, "minutes_before_open",
                                                            "extended_market_open")
        return self._market_open_rule(symbol, -minutes, extended)

    def before_market_close(self, *args: Any, **kwargs: Any) -> TimeRule:
        """before_market_close(symbol=None, minutes_before_close=0, extended_market_close=False)."""
        symbol, minutes, extended = _parse_market_rule_args(args, kwargs, "minutes_before_close",
                                                            "extended_market_close")
        return self._market_close_rule(symbol, minutes, extended)

    def after_market_close(self, *args: Any, **kwargs: Any) -> TimeRule:
        symbol, minutes, extended = _parse_market_rule_args(args, kwargs, "minutes_after_close",
                                                            "extended_market_close")
        return self._market_close_rule(symbol, -minutes, extended)

    def _market_open_rule(self, symbol: Any, minutes_after: float, extended: bool) -> TimeRule:
        kind = "ExtendedMarketOpen" if extended else "MarketOpen"
        text = f"{_minutes_text(minutes_after)} min {'after' if minutes_after > 0 else 'before'} {kind}"
        shift = timedelta(minutes=minutes_after)
        if symbol is None:
            return TimeRule(text, lambda dates: self._earliest_opens(dates, extended, shift))
        hours = self.exchange_hours(symbol)
        zone = as_time_zone(hours.time_zone)

        def times(dates: Iterable[date]) -> Iterator[datetime]:
            for day in dates:
                opened = first_daily_open(hours, day, extended) if hours.is_date_open(day, extended) else None
                if opened is not None:
                    yield local_to_utc(opened + shift, zone)

        return TimeRule(f"{self._symbol_text(symbol)}: {text}", times)

    def _market_close_rule(self, symbol: Any, minutes_before: float, extended: bool) -> TimeRule:
        kind = "ExtendedMarketClose" if extended else "MarketClose"
        text = f"{_minutes_text(minutes_before)} min {'before' if minutes_before > 0 else 'after'} {kind}"
        shift = timedelta(minutes=minutes_before)
        if symbol is None:
            return TimeRule(text, lambda dates: self._latest_closes(dates, extended, shift))
        hours = self.exchange_hours(symbol)
        zone = as_time_zone(hours.time_zone)

        def times(dates: Iterable[date]) -> Iterator[datetime]:
            for day in dates:
                closed = last_daily_close(hours, day, extended) if hours.is_date_open(day, extended) else None
                if closed is not None:
                    yield local_to_utc(closed - shift, zone)

        return TimeRule(f"{self._symbol_text(symbol)}: {text}", times)

    def _market_hours_set(self) -> list[ExchangeHoursLike]:
        """SPY's hours plus those of every subscribed non-US-equity security whose market is not always open."""
        collected: list[ExchangeHoursLike] = [
            self._mhdb().get_entry("usa", "SPY", SecurityType["EQUITY"]).exchange_hours]
        securities = getattr(self._algorithm, "securities", None)
        for security in (securities.values() if securities is not None else ()):
            symbol = security.symbol
            if int(symbol.security_type) == int(SecurityType["EQUITY"]) and str(getattr(symbol, "market", "usa")) == "usa":
                continue
            hours = security.exchange.hours
            if not getattr(hours, "always_open", False) and all(hours is not seen for seen in collected):
                collected.append(hours)
        return collected

    def _earliest_opens(self, dates: Iterable[date], extended: bool, shift: timedelta) -> Iterator[datetime]:
        all_hours = self._market_hours_set()
        for day in dates:
            candidates = [local_to_utc(opened + shift, as_time_zone(hours.time_zone)) for hours in all_hours
                          if hours.is_date_open(day, extended)
                          and (opened := first_daily_open(hours, day, extended)) is not None]
            if candidates:
                yield min(candidates)

    def _latest_closes(self, dates: Iterable[date], extended: bool, shift: timedelta) -> Iterator[datetime]:
        all_hours = self._market_hours_set()
        for day in dates:
            candidates = [local_to_utc(closed - shift, as_time_zone(hours.time_zone)) for hours in all_hours
                          if hours.is_date_open(day, extended)
                          and (closed := last_daily_close(hours, day, extended)) is not None]
            if candidates:
                yield max(candidates)


# ---- events -----------------------------------------------------------------------------------------------------

def _callback_arity(callback: Callable[..., Any]) -> int:
    """How many arguments to pass: 2 when the callable takes (name, time), else 0."""
    try:
        parameters = inspect.signature(callback).parameters.values()
    except (TypeError, ValueError):
        return 0
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if any(p.kind == p.VAR_POSITIONAL for p in parameters) or len(positional) >= 2:
        return 2
    return 0


class ScheduledEvent(DualCase):
    """A named callback with an ordered, lazily generated sequence of UTC event times.

    `callback(name, utc_time)` receives the event's own (UTC) time, as LEAN passes it; user callables without two
    positional parameters are called without arguments. `enabled` (`Enabled`) is the one member LEAN lets the
    algorithm assign.
    """

    __slots__ = ("name", "enabled", "_times", "_callback", "_arity", "_next_utc", "_needs_draw")

    def __init__(self, name: str, utc_times: Iterable[datetime], callback: Callable[..., Any] | None = None) -> None:
        self.name = name
        self.enabled = True
        self._times = iter(utc_times)
        self._callback = callback
        self._arity = _callback_arity(callback) if callback is not None else 0
        # the pending time, drawn from the sequence only when asked for (deferred, as LEAN's enumerator); the
        # schedule manager reads it directly for events it has sorted and not fired since
        self._next_utc = _NEVER
        self._needs_draw = True

    @property
    def next_event_utc_time(self) -> datetime:
        """The pending event time (naive UTC); datetime.max once the sequence is exhausted."""
        if self._needs_draw:
            self._needs_draw = False
            self._next_utc = next(self._times, _NEVER)
        return self._next_utc

    def _set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled

    Enabled = property(lambda self: self.enabled, _set_enabled)

    def skip_events_until(self, utc_time: datetime) -> None:
        """Drop every event strictly before `utc_time` without firing it."""
        while self.next_event_utc_time < utc_time:
            self._needs_draw = True

    def scan(self, utc_time: datetime) -> None:
        """Fire, in order, every pending event at or before `utc_time` (LEAN fires skipped ones back to back); the
        next time is generated after each callback, as LEAN moves its enumerator when next asked."""
        while (event_time := self.next_event_utc_time) <= utc_time:
            self._needs_draw = True
            self._fire(event_time)

    def _fire(self, event_utc: datetime) -> None:
        if not self.enabled or self._callback is None:
            return
        try:
            if self._arity == 2:
                self._callback(self.name, event_utc)
            else:
                self._callback()
        except Exception as error:
            raise ScheduledEventError(self.name, event_utc, error) from error

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__


class ScheduleManager(DualCase):
    """The algorithm's `schedule` (on/remove/training) and the backtest's real-time event handler.

    Runner protocol (§E): `start(algorithm_utc)` once after initialize (skips past events); per time slice
    `scan_past_events(slice_utc, set_clock)` then later `set_time(slice_utc)`; `add_daily_sampling(callback)`
    after `start` for the midnight statistics sample.
    """

    date_rules: DateRules
    next_due_utc: datetime
    time_rules: TimeRules

    def __init__(self, algorithm: Any, time_zone: Any = None, market_hours_database: Any = None) -> None:
        self._algorithm = algorithm
        self.date_rules = DateRules(algorithm, time_zone, market_hours_database)
        self.time_rules = TimeRules(algorithm, time_zone, market_hours_database)
        self._ids: dict[ScheduledEvent, int] = {}
        self._next_id = 0
        self._sorted: list[ScheduledEvent] = []
        self._needs_sort = False
        self.next_due_utc: datetime = _NEVER
        """A lower bound of the earliest pending event time: the runner skips the scans while its slice time is
        before it (datetime.min whenever the events changed and the order is not known yet)."""
        self._started = False
        self._start_utc: datetime | None = None

    def set_time_zone(self, time_zone: Any) -> None:
        """Follow the algorithm's time zone (set_time_zone) for rules created afterwards."""
        self.date_rules.set_default_time_zone(time_zone)
        self.time_rules.set_default_time_zone(time_zone)

    # ---- algorithm side -----------------------------------------------------------------------------------------
    def on(self, *args: Any, **kwargs: Any) -> ScheduledEvent:
        """on(date_rule, time_rule, callback) or on(name, date_rule, time_rule, callback); `name=` also accepted."""
        options = _normalise_kwargs(kwargs)
        positional = list(args)
        name = options.pop("name", None)
        if positional and isinstance(positional[0], str):
            name = positional.pop(0)
        date_rule = options.pop("date_rule", positional.pop(0) if positional else None)
        time_rule = options.pop("time_rule", positional.pop(0) if positional else None)
        callback = options.pop("callback", positional.pop(0) if positional else None)
        if positional and name is None and isinstance(positional[0], str):
            name = positional.pop(0)
        if not isinstance(date_rule, DateRule) or not isinstance(time_rule, TimeRule) or not callable(callback):
            raise TypeError("schedule.on(date_rule, time_rule, callback[, name]): got "
                            f"{type(date_rule).__name__}, {type(time_rule).__name__}, {type(callback).__name__}")
        if positional or options:
            raise TypeError(f"schedule.on: unexpected arguments {positional or ''} {options or ''}".strip())
        event_name = name if name is not None else f"{date_rule.name}: {time_rule.name}"
        event = ScheduledEvent(event_name, self._event_times(date_rule, time_rule), callback)
        self.add(event)
        return event

    def training(self, date_rule: DateRule, time_rule: TimeRule, callback: Callable[..., Any]) -> ScheduledEvent:
        """Training events are ordinary scheduled events in a backtest (no time budget is enforced offline)."""
        return self.on(date_rule, time_rule, callback)

    def training_now(self, callback: Callable[..., Any]) -> ScheduledEvent:
        name = f"Training: Now: {self.date_rules._utc_now():%Y-%m-%dT%H:%M:%S}"
        return self.on(name, self.date_rules.today, self.time_rules.now, callback)

    def add(self, event: ScheduledEvent) -> None:
        if self._started:
            event.skip_events_until(self._current_utc())
        self._next_id += 1
        self._ids[event] = self._next_id
        self._needs_sort = True
        self.next_due_utc = datetime.min

    def remove(self, event: ScheduledEvent) -> None:
        self._ids.pop(event, None)
        self._needs_sort = True
        self.next_due_utc = datetime.min

    def _event_times(self, date_rule: DateRule, time_rule: TimeRule) -> Iterator[datetime]:
        def deferred_dates() -> Iterator[date]:
            # evaluated on first use, like LEAN's deferred enumerable: the algorithm's UTC date at that moment
            first = self.date_rules._utc_now().date() - _ONE_DAY
            yield from date_rule.get_dates(first, END_OF_TIME)

        return time_rule.create_utc_event_times(deferred_dates())

    def _current_utc(self) -> datetime:
        utc = getattr(self._algorithm, "utc_time", None)
        return utc.replace(tzinfo=None) if isinstance(utc, datetime) else (self._start_utc or datetime.min)

    # ---- engine side --------------------------------------------------------------------------------------------
    @property
    def events(self) -> list[ScheduledEvent]:
        """Registered events in creation order."""
        return list(self._ids)

    def start(self, utc_time: datetime) -> None:
        """After initialize: skip every event before `utc_time` (LEAN's real-time handler Setup)."""
        self._started = True
        self._start_utc = utc_time
        for event in self._ids:
            event.skip_events_until(utc_time)
        self._needs_sort = True
        self.next_due_utc = datetime.min

    def add_daily_sampling(self, callback: Callable[[], Any]) -> ScheduledEvent:
        """The engine's "Daily Sampling" event: every calendar day at midnight in the algorithm time zone."""
        return self.on("Daily Sampling", self.date_rules.every_day(), self.time_rules.midnight, callback)

    @property
    def next_event_utc_time(self) -> datetime | None:
        """The earliest pending event time (naive UTC), None when nothing is pending."""
        ordered = self._ordered()
        if not ordered or ordered[0].next_event_utc_time == _NEVER:
            return None
        return ordered[0].next_event_utc_time

    def scan_past_events(self, utc_time: datetime, set_clock: Callable[[datetime], Any] | None = None) -> None:
        """§E step 1: fire every event strictly before `utc_time` in time order, calling `set_clock(event_utc)`
        before each so the algorithm shows the event's own time."""
        ordered = self._ordered()
        resort_head = self._resort_head
        while ordered:
            event = ordered[0]
            event_time = event.next_event_utc_time
            if event_time >= utc_time:
                break
            if set_clock is not None:
                set_clock(event_time)
            event.scan(event_time)
            resort_head(ordered)
        self._track_head()

    def set_time(self, utc_time: datetime) -> None:
        """§E step 5: fire every event at or before `utc_time`, the clock staying at the slice time."""
        ordered = self._ordered()
        resort_head = self._resort_head
        while ordered and ordered[0].next_event_utc_time <= utc_time:
            ordered[0].scan(utc_time)
            resort_head(ordered)
        self._track_head()

    def _track_head(self) -> None:
        if not self._needs_sort:  # an event callback may have added or removed events: keep the forced rescan
            self.next_due_utc = self._sorted[0].next_event_utc_time if self._sorted else _NEVER

    def _ordered(self) -> list[ScheduledEvent]:
        if self._needs_sort:
            self._needs_sort = False
            ids = self._ids
            self._sorted = sorted(ids, key=lambda event: (event.next_event_utc_time, ids[event]))
        return self._sorted

    @staticmethod
    def _resort_head(ordered: list[ScheduledEvent]) -> None:
        """LEAN's SortFirstElement: re-insert the head after it fired, by LEAN's binary search over the rest (whose
        pending times are drawn: they were sorted by them and have not fired since)."""
        head = ordered[0]
        head_time = head.next_event_utc_time
        if len(ordered) < 2 or head_time <= ordered[1]._next_utc:
            return
        del ordered[0]
        lower, upper = 0, len(ordered) - 1
        while lower <= upper:
            middle = lower + (upper - lower) // 2
            other = ordered[middle]._next_utc
            if head_time < other:
                upper = middle - 1
            elif head_time > other:
                lower = middle + 1
            else:
                ordered.insert(middle + 1, head)
                return
        ordered.insert(lower, head)


# ---- end-of-day events (LEAN's ScheduledEventFactory) -------------------------------------------------------------

SECURITY_END_OF_DAY_DELTA = timedelta(minutes=10)
"""on_end_of_day(symbol) fires this long before the security's last market close of each trading day."""

ALGORITHM_END_OF_DAY_DELTA = timedelta(minutes=2)
"""on_end_of_day() without a symbol fires this long before midnight of each trading day (algorithm time zone)."""


def security_end_of_day_event(symbol: Any, hours: ExchangeHoursLike, extended_market_hours: bool, first_day: date,
                              last_day: date, after_utc: datetime | None,
                              callback: Callable[[Any], Any]) -> ScheduledEvent:
    """"<symbol>.EndOfDay": on each trading day of the security from first_day to last_day, 10 minutes before its last
    market close (the next midnight for always-open markets), only times after `after_utc`; calls
    `callback(symbol)`."""
    always_open = bool(getattr(hours, "always_open", False))
    zone = as_time_zone(hours.time_zone)

    def times() -> Iterator[datetime]:
        for day in each_day(first_day, last_day):
            if not hours.is_date_open(day, extended_market_hours):
                continue
            if always_open:
                local = _midnight(day + _ONE_DAY)
            else:
                close = last_daily_close(hours, day, extended_market_hours)
                if close is None:
                    continue
                local = close - SECURITY_END_OF_DAY_DELTA
            utc = local_to_utc(local, zone)
            if after_utc is None or utc > after_utc:
                yield utc

    return ScheduledEvent(f"{symbol}.EndOfDay", times(), lambda: callback(symbol))


def algorithm_end_of_day_event(all_hours: Iterable[tuple[ExchangeHoursLike, bool]], time_zone: Any,
                               first_day: date, last_day: date, after_utc: datetime | None,
                               callback: Callable[[], Any]) -> ScheduledEvent:
    """"Algorithm.EndOfDay": at 23:58 in the algorithm time zone on every day any subscribed exchange trades
    (`all_hours` pairs each exchange's hours with its extended-hours flag), only times after `after_utc`."""
    zone = as_time_zone(time_zone)
    hours_list = list(all_hours)
    event_time = _ONE_DAY - ALGORITHM_END_OF_DAY_DELTA

    def times() -> Iterator[datetime]:
        for day in each_day(first_day, last_day):
            if not any(hours.is_date_open(day, extended) for hours, extended in hours_list):
                continue
            utc = local_to_utc(_midnight(day) + event_time, zone)
            if after_utc is None or utc > after_utc:
                yield utc

    return ScheduledEvent("Algorithm.EndOfDay", times(), callback)
