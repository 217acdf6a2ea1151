"""Exchange hours: LEAN's market-hours database, or an exchange_calendars-based fallback when the file is absent.

`SecurityExchangeHours` answers LEAN's questions (is the exchange open, next open/close, trading days) from weekly
segments plus holidays, early closes and late opens. Segments are half-open [start, end): 16:00 counts as closed.
Per-date results are memoised (the engine asks them per time step and per fill-forward gap): the holiday sets are
frozen and the special-day mappings read-only, and nothing reassigns them after construction, so the memos never go
stale.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple, Self
from zoneinfo import ZoneInfo

from ..enums import SecurityType
from ..naming import DualCase

MARKET_HOURS_RELATIVE_PATH = Path("market-hours") / "market-hours-database.json"
WILDCARD = "[*]"
_WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ONE_DAY = timedelta(days=1)
_SEARCH_DAYS = 16


class MarketHoursState:
    """Segment states as LEAN's JSON spells them."""

    CLOSED = "closed"
    PRE_MARKET = "premarket"
    MARKET = "market"
    POST_MARKET = "postmarket"


class MarketHoursSegment(NamedTuple):
    """One [start, end) stretch of a day, as offsets from local midnight (end may be 1 day)."""

    start: timedelta
    end: timedelta
    state: str


_FIXED_OFFSET_TZ = re.compile(r"^UTC([+-])(\d{1,2})$")


def parse_time_zone(name: str) -> ZoneInfo:
    """A ZoneInfo for a LEAN (NodaTime) zone name; fixed offsets like "UTC-05" map to "Etc/GMT+5"."""
    match = _FIXED_OFFSET_TZ.match(name)
    if match:
        sign, hours = match.groups()
        hours_int = int(hours)
        if hours_int == 0:
            return ZoneInfo("UTC")
        return ZoneInfo(f"Etc/GMT{'-' if sign == '+' else '+'}{hours_int}")
    return ZoneInfo(name)


def _parse_time_span(text: str) -> timedelta:
    """.NET TimeSpan text "HH:mm:ss" or "d.HH:mm:ss" → timedelta."""
    days = 0
    if "." in text.split(":")[0]:
        day_text, text = text.split(".", 1)
        days = int(day_text)
    hours, minutes, seconds = (float(part) for part in text.split(":"))
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def _parse_us_date(text: str) -> date:
    """LEAN's M/d/yyyy dates."""
    month, day, year = (int(part) for part in text.split("/"))
    return date(year, month, day)


def _truncate_for_early_close(segments: tuple[MarketHoursSegment, ...],
                              close: timedelta) -> list[MarketHoursSegment]:
    """Segments before an early close, the one containing it cut at the close.

    When the close falls in a gap between segments, LEAN (SecurityExchangeHours.GetMarketHours) also drops the
    segment before the gap; that is reproduced so trading days agree with LEAN's.
    """
    index = len(segments)
    cut: MarketHoursSegment | None = None
    for i, segment in enumerate(segments):
        if segment.start <= close <= segment.end:
            cut = MarketHoursSegment(segment.start, close, segment.state)
            index = i
            break
        if close < segment.start:
            index = max(i - 1, 0)
            break
    kept = list(segments[:index])
    if cut is not None:
        kept.append(cut)
    return kept


def _truncate_for_late_open(segments: list[MarketHoursSegment], open_: timedelta) -> list[MarketHoursSegment]:
    """Segments after a late open, the one containing it starting at the open."""
    for i, segment in enumerate(segments):
        if segment.start <= open_ <= segment.end:
            return [MarketHoursSegment(open_, segment.end, segment.state), *segments[i + 1:]]
        if open_ < segment.start:
            return segments[i:]
    return []


class _AlwaysOpen:
    """`always_open`: a bool on an instance, LEAN's static `AlwaysOpen(time_zone)` factory on the class."""

    def __get__(self, instance: SecurityExchangeHours | None, owner: type[SecurityExchangeHours]) -> Any:
        if instance is None:
            return owner.always_open_hours
        return instance._always_open


class SecurityExchangeHours(DualCase):
    """Weekly hours, holidays, early closes and late opens of one exchange, in its local time zone."""

    __slots__ = ("time_zone", "_weekly", "holidays", "early_closes", "late_opens", "bank_holidays",
                 "_day_cache", "_span_cache", "_date_open_cache", "_window_cache", "_interval_cache",
                 "_regular_cache", "_always_open")

    def __init__(self, time_zone: ZoneInfo, weekly: Mapping[int, Iterable[MarketHoursSegment]],
                 holidays: Iterable[date] = (), early_closes: Mapping[date, timedelta] | None = None,
                 late_opens: Mapping[date, timedelta] | None = None, bank_holidays: Iterable[date] = ()) -> None:
        """`weekly` maps Python weekday numbers (Monday=0) to that day's segments."""
        self.time_zone = time_zone
        self._weekly: dict[int, tuple[MarketHoursSegment, ...]] = {
            day: tuple(sorted(weekly.get(day, ()), key=lambda segment: segment.start)) for day in range(7)
        }
        self.holidays: frozenset[date] = frozenset(holidays)
        # read-only views, as LEAN's: the per-date memos below rely on the hours never changing
        self.early_closes: Mapping[date, timedelta] = MappingProxyType(dict(early_closes or {}))
        self.late_opens: Mapping[date, timedelta] = MappingProxyType(dict(late_opens or {}))
        self.bank_holidays: frozenset[date] = frozenset(bank_holidays)
        self._day_cache: dict[date, tuple[MarketHoursSegment, ...]] = {}
        self._span_cache: dict[tuple[date, bool], tuple[tuple[timedelta, timedelta], ...]] = {}
        # per day: (has a regular session, has any segment)
        self._date_open_cache: dict[date, tuple[bool, bool]] = {}
        # the next three indexed by the extended-hours flag (0 regular, 1 extended), then by date
        self._window_cache: tuple[dict[date, tuple[tuple[datetime, datetime], ...]], ...] = ({}, {})
        self._interval_cache: tuple[dict[date, tuple[list[datetime], list[datetime]]], ...] = ({}, {})
        # per day: (regular open, regular close)
        self._regular_cache: dict[date, tuple[datetime | None, datetime | None]] = {}
        self._always_open = not self.holidays and all(
            segments == (MarketHoursSegment(timedelta(0), _ONE_DAY, MarketHoursState.MARKET),)
            for segments in self._weekly.values()
        )

    @classmethod
    def always_open_hours(cls, time_zone: ZoneInfo | str) -> SecurityExchangeHours:
        """An exchange open around the clock every day (crypto, custom data)."""
        tz = parse_time_zone(time_zone) if isinstance(time_zone, str) else time_zone
        whole_day = (MarketHoursSegment(timedelta(0), _ONE_DAY, MarketHoursState.MARKET),)
        return cls(tz, {day: whole_day for day in range(7)})

    # Read on an instance: whether the exchange never closes. Called on the class: LEAN's static
    # SecurityExchangeHours.AlwaysOpen(time_zone) factory.
    always_open: Any = _AlwaysOpen()
    AlwaysOpen: Any = _AlwaysOpen()

    @property
    def is_market_always_open(self) -> bool:
        return self._always_open

    def weekly_segments(self, weekday: int) -> tuple[MarketHoursSegment, ...]:
        """The usual segments of a weekday (Monday=0), before holidays, early closes and late opens."""
        return self._weekly[weekday]

    @property
    def special_days(self) -> frozenset[date]:
        """Dates whose hours differ from their weekday's: holidays, early closes and late opens."""
        return self.holidays | self.early_closes.keys() | self.late_opens.keys()

    def get_market_hours(self, day: date | datetime) -> tuple[MarketHoursSegment, ...]:
        """The segments of `day` after holidays, early closes and late opens (memoised)."""
        if isinstance(day, datetime):
            day = day.date()
        cached = self._day_cache.get(day)
        if cached is not None:
            return cached
        if day in self.holidays:
            segments: tuple[MarketHoursSegment, ...] = ()
        else:
            segments = self._weekly[day.weekday()]
            early_close = self.early_closes.get(day)
            late_open = self.late_opens.get(day)
            if early_close is not None or late_open is not None:
                segments = self._special_day_segments(segments, early_close, late_open)
        self._day_cache[day] = segments
        return segments

    @staticmethod
    def _special_day_segments(segments: tuple[MarketHoursSegment, ...], early_close: timedelta | None,
                              late_open: timedelta | None) -> tuple[MarketHoursSegment, ...]:
        before_close = _truncate_for_early_close(segments, early_close) if early_close is not None else None
        if late_open is None:
            return tuple(before_close or ())
        if before_close is not None and early_close is not None and early_close <= late_open:
            # the market closes early, then resumes at the late open: both pieces
            return tuple(before_close + _truncate_for_late_open(list(segments), late_open))
        base = before_close if before_close is not None else list(segments)
        return tuple(_truncate_for_late_open(base, late_open))

    def _open_spans(self, day: date, extended: bool) -> tuple[tuple[timedelta, timedelta], ...]:
        """(start, end) offsets of the segments of `day` that count as open (memoised)."""
        key = (day, extended)
        spans = self._span_cache.get(key)
        if spans is None:
            spans = tuple((segment.start, segment.end) for segment in self.get_market_hours(day)
                          if segment.state == MarketHoursState.MARKET
                          or (extended and segment.state != MarketHoursState.CLOSED))
            self._span_cache[key] = spans
        return spans

    def _open_windows(self, day: date, extended: bool) -> tuple[tuple[datetime, datetime], ...]:
        """The open spans of `day` as local (start, end) datetimes (memoised)."""
        cache = self._window_cache[1 if extended else 0]
        windows = cache.get(day)
        if windows is None:
            midnight = datetime(day.year, day.month, day.day)
            windows = cache[day] = tuple((midnight + start, midnight + end)
                                         for start, end in self._open_spans(day, extended))
        return windows

    def is_open(self, local_time: datetime, extended_market_hours: bool = False) -> bool:
        """Open at the instant `local_time` (segment start inclusive, end exclusive)."""
        for start, end in self._open_windows(local_time.date(), extended_market_hours):
            if start <= local_time < end:
                return True
        return False

    def is_open_between(self, start: datetime, end: datetime, extended_market_hours: bool = False) -> bool:
        """Open at any moment of [start, end) (LEAN's IsOpen(start, end)); equal bounds test the instant."""
        if start == end:
            return self.is_open(start, extended_market_hours)
        day = start.date()
        while True:
            midnight = datetime(day.year, day.month, day.day)
            from_tod = max(start - midnight, timedelta(0))
            to_tod = min(end - midnight, _ONE_DAY)
            if to_tod <= from_tod:
                return False
            if any(start < to_tod and end > from_tod for start, end in self._open_spans(day, extended_market_hours)):
                return True
            day += _ONE_DAY

    def is_date_open(self, day: date | datetime, extended_market_hours: bool = False) -> bool:
        """The date has a regular session, or only extended hours and `extended_market_hours` is set."""
        if isinstance(day, datetime):
            day = day.date()
        flags = self._date_open_cache.get(day)
        if flags is None:
            segments = self.get_market_hours(day)
            has_market = any(segment.state == MarketHoursState.MARKET and segment.end > segment.start
                             for segment in segments)
            flags = self._date_open_cache[day] = (has_market, bool(segments))
        return flags[0] or (bool(extended_market_hours) and flags[1])

    def get_previous_trading_day(self, day: date | datetime) -> date:
        current = (day.date() if isinstance(day, datetime) else day) - _ONE_DAY
        while not self.is_date_open(current):
            current -= _ONE_DAY
        return current

    def get_next_trading_day(self, day: date | datetime) -> date:
        current = (day.date() if isinstance(day, datetime) else day) + _ONE_DAY
        while not self.is_date_open(current):
            current += _ONE_DAY
        return current

    def _open_intervals(self, first_day: date, extended: bool) -> tuple[list[datetime], list[datetime]]:
        """Starts and ends of the open stretches from `first_day` over the search window, contiguous segments
        merged; a stretch still open at the window's end is left out. Memoised."""
        cache = self._interval_cache[1 if extended else 0]
        cached = cache.get(first_day)
        if cached is not None:
            return cached
        starts: list[datetime] = []
        ends: list[datetime] = []
        for offset in range(_SEARCH_DAYS):
            day = first_day + timedelta(days=offset)
            midnight = datetime(day.year, day.month, day.day)
            for start, end in self._open_spans(day, extended):
                if ends and ends[-1] == midnight + start:
                    ends[-1] = midnight + end
                else:
                    starts.append(midnight + start)
                    ends.append(midnight + end)
        window_end = datetime.combine(first_day + timedelta(days=_SEARCH_DAYS), datetime.min.time())
        if ends and ends[-1] >= window_end:
            starts.pop()
            ends.pop()
        cache[first_day] = (starts, ends)
        return starts, ends

    def get_next_market_open(self, local_time: datetime, extended_market_hours: bool = False) -> datetime:
        """The first moment after `local_time` at which a (merged) open stretch starts."""
        starts, _ = self._open_intervals(local_time.date() - _ONE_DAY, extended_market_hours)
        index = bisect.bisect_right(starts, local_time)
        if index < len(starts):
            return starts[index]
        raise ValueError(f"no market open within {_SEARCH_DAYS - 1} days after {local_time} "
                         f"(always open: {self.always_open})")

    def get_next_market_close(self, local_time: datetime, extended_market_hours: bool = False) -> datetime:
        """The first moment after `local_time` at which a (merged) open stretch ends: the usual answer, a stretch
        of the same day that ends before midnight and runs into no other, from that day's windows alone (the
        search window of `_open_intervals` is made for every new day asked: a monthly rebalance's close)."""
        day_windows = self._open_windows(local_time.date(), extended_market_hours)
        for index, (_, end) in enumerate(day_windows):
            runs_on = (day_windows[index + 1][0] == end if index + 1 < len(day_windows)
                       else end.date() != local_time.date())
            if end > local_time and not runs_on:
                return end
        _, ends = self._open_intervals(local_time.date() - _ONE_DAY, extended_market_hours)
        index = bisect.bisect_right(ends, local_time)
        if index < len(ends):
            return ends[index]
        raise ValueError(f"no market close within {_SEARCH_DAYS - 1} days after {local_time} "
                         f"(always open: {self.always_open})")

    def _regular_bounds(self, day: date | datetime) -> tuple[datetime | None, datetime | None]:
        """(start of the first, end of the last) regular ('market') segment of `day`, None when it has none
        (memoised)."""
        if isinstance(day, datetime):
            day = day.date()
        bounds = self._regular_cache.get(day)
        if bounds is None:
            midnight = datetime(day.year, day.month, day.day)
            regular = [segment for segment in self.get_market_hours(day) if segment.state == MarketHoursState.MARKET]
            bounds = self._regular_cache[day] = ((midnight + regular[0].start, midnight + regular[-1].end) if regular
                                                 else (None, None))
        return bounds

    def regular_market_open(self, day: date | datetime) -> datetime | None:
        """Start of the first regular ('market') segment of `day`, None when it has none."""
        return self._regular_bounds(day)[0]

    def regular_market_close(self, day: date | datetime) -> datetime | None:
        """End of the last regular ('market') segment of `day`, None when it has none."""
        return self._regular_bounds(day)[1]

    def is_early_close(self, day: date | datetime) -> bool:
        return (day.date() if isinstance(day, datetime) else day) in self.early_closes


@dataclass(frozen=True)
class MarketHoursEntry(DualCase):
    """An entry of the database: the exchange's hours and the time zone the data files are written in."""

    exchange_hours: SecurityExchangeHours
    data_time_zone: ZoneInfo


def _entry_from_json(raw: dict[str, Any]) -> MarketHoursEntry:
    weekly = {
        day_index: [MarketHoursSegment(_parse_time_span(seg["start"]), _parse_time_span(seg["end"]),
                                       seg.get("state", MarketHoursState.MARKET))
                    for seg in raw.get(key, [])]
        for day_index, key in enumerate(_WEEKDAY_KEYS)
    }
    hours = SecurityExchangeHours(
        parse_time_zone(raw["exchangeTimeZone"]),
        weekly,
        holidays=(_parse_us_date(text) for text in raw.get("holidays", [])),
        early_closes={_parse_us_date(k): _parse_time_span(v) for k, v in raw.get("earlyCloses", {}).items()},
        late_opens={_parse_us_date(k): _parse_time_span(v) for k, v in raw.get("lateOpens", {}).items()},
        bank_holidays=(_parse_us_date(text) for text in raw.get("bankHolidays", [])),
    )
    return MarketHoursEntry(hours, parse_time_zone(raw["dataTimeZone"]))


def _hm(hours: int, minutes: int = 0) -> timedelta:
    return timedelta(hours=hours, minutes=minutes)


class NyseSpecialDays(NamedTuple):
    """The NYSE weekdays that differ from a full 09:30–16:00 session: closed, closing early or opening late."""

    holidays: tuple[date, ...]
    early_closes: dict[date, timedelta]
    late_opens: dict[date, timedelta]


def xnys_special_days(first_year: int, last_year: int) -> NyseSpecialDays:
    """Holidays (weekdays without a session), early closes and late opens of exchange_calendars' XNYS calendar in
    [first_year, last_year], local New York times. Building the calendar takes about a second."""
    import exchange_calendars as xcals  # type: ignore[import-untyped]
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped]

    calendar = xcals.get_calendar("XNYS", start=f"{first_year}-01-01", end=f"{last_year}-12-31")
    ny = ZoneInfo("America/New_York")
    sessions = calendar.sessions
    weekdays = pd.bdate_range(f"{first_year}-01-01", f"{last_year}-12-31")
    holidays = tuple(weekdays[~weekdays.isin(sessions)].date)
    session_days = sessions.date
    local_opens = calendar.opens.dt.tz_convert(ny)
    local_closes = calendar.closes.dt.tz_convert(ny)
    open_hours, open_minutes = local_opens.dt.hour.to_numpy(), local_opens.dt.minute.to_numpy()
    close_hours, close_minutes = local_closes.dt.hour.to_numpy(), local_closes.dt.minute.to_numpy()
    late = np.flatnonzero((open_hours != 9) | (open_minutes != 30))
    early = np.flatnonzero((close_hours != 16) | (close_minutes != 0))
    early_closes = {session_days[i]: _hm(int(close_hours[i]), int(close_minutes[i])) for i in early}
    late_opens = {session_days[i]: _hm(int(open_hours[i]), int(open_minutes[i])) for i in late}
    return NyseSpecialDays(holidays, early_closes, late_opens)


def _parse_special_times(text: str) -> dict[date, timedelta]:
    """"YYYY-MM-DD HH:MM" lines → {date: local time of day}."""
    parsed: dict[date, timedelta] = {}
    for line in text.split("\n"):
        if line:
            day, clock = line.split()
            hours, minutes = clock.split(":")
            parsed[date.fromisoformat(day)] = _hm(int(hours), int(minutes))
    return parsed


def recorded_xnys_special_days(first_year: int, last_year: int) -> NyseSpecialDays | None:
    """`xnys_special_days` from the table recorded in `nyse_calendar_table`, None when the installed
    exchange_calendars is not the version it was recorded from or the years are outside it."""
    from importlib.metadata import PackageNotFoundError, version

    from . import nyse_calendar_table as table

    try:
        installed = version("exchange_calendars")
    except PackageNotFoundError:
        return None
    if installed != table.EXCHANGE_CALENDARS_VERSION or not table.FIRST_YEAR <= first_year <= last_year <= table.LAST_YEAR:
        return None
    first, last = date(first_year, 1, 1), date(last_year, 12, 31)
    holidays = tuple(day for day in map(date.fromisoformat, table.HOLIDAYS.split()) if first <= day <= last)
    early_closes = {day: at for day, at in _parse_special_times(table.EARLY_CLOSES).items() if first <= day <= last}
    late_opens = {day: at for day, at in _parse_special_times(table.LATE_OPENS).items() if first <= day <= last}
    return NyseSpecialDays(holidays, early_closes, late_opens)


def render_xnys_table(first_year: int, last_year: int) -> str:
    """The source of `nyse_calendar_table` for [first_year, last_year] from the installed exchange_calendars."""
    from importlib.metadata import version

    special = xnys_special_days(first_year, last_year)
    by_year: dict[int, list[str]] = {}
    for day in special.holidays:
        by_year.setdefault(day.year, []).append(day.isoformat())

    def times(days: dict[date, timedelta]) -> str:
        minutes = {day: int(at.total_seconds()) // 60 for day, at in days.items()}
        return "".join(f"{day.isoformat()} {minutes[day] // 60:02d}:{minutes[day] % 60:02d}\n" for day in sorted(days))

    installed = version("exchange_calendars")
    return (f'"""NYSE holidays, early closes and late opens {first_year}-{last_year} from exchange_calendars {installed}\'s\n'
            "XNYS calendar (local New York times).\n\n"
            "Generated by `python -m tools.nyse_calendar_table`: do not edit. nyse_fallback_hours reads it instead of\n"
            "building the calendar (about a second at the start of every run without a market-hours database) when the\n"
            'installed exchange_calendars is this version.\n"""\n\n'
            f"EXCHANGE_CALENDARS_VERSION = {installed!r}\nFIRST_YEAR = {first_year}\nLAST_YEAR = {last_year}\n\n"
            'HOLIDAYS = """\n' + "".join(" ".join(days) + "\n" for _, days in sorted(by_year.items())) + '"""\n\n'
            'EARLY_CLOSES = """\n' + times(special.early_closes) + '"""\n\n'
            'LATE_OPENS = """\n' + times(special.late_opens) + '"""\n')


@lru_cache(maxsize=4)
def nyse_fallback_hours(first_year: int = 1990, last_year: int | None = None) -> SecurityExchangeHours:
    """US-equity hours from exchange_calendars' XNYS: sessions 09:30–16:00 with its holidays, early closes and
    late opens, premarket 04:00–09:30 and postmarket 16:00–20:00 on full days (LEAN's Equity-usa layout).

    The special days come from the recorded table when it matches the installed exchange_calendars and covers the
    years, else from building the calendar."""
    last = last_year if last_year is not None else date.today().year + 2
    special = recorded_xnys_special_days(first_year, last) or xnys_special_days(first_year, last)
    full_day = [MarketHoursSegment(_hm(4), _hm(9, 30), MarketHoursState.PRE_MARKET),
                MarketHoursSegment(_hm(9, 30), _hm(16), MarketHoursState.MARKET),
                MarketHoursSegment(_hm(16), _hm(20), MarketHoursState.POST_MARKET)]
    return SecurityExchangeHours(ZoneInfo("America/New_York"), {day: full_day for day in range(5)}, special.holidays,
                                 special.early_closes, special.late_opens)


def _weekly_fx_hours(open_time: timedelta, close_time: timedelta, daily_break: bool) -> SecurityExchangeHours:
    """Sunday `open_time` → Friday `close_time` in New York, with an optional daily close→open break."""
    day_end = _ONE_DAY
    market = MarketHoursState.MARKET
    weekday_segments = ([MarketHoursSegment(timedelta(0), close_time, market),
                         MarketHoursSegment(open_time, day_end, market)] if daily_break
                        else [MarketHoursSegment(timedelta(0), day_end, market)])
    weekly = {day: weekday_segments for day in range(4)}
    weekly[4] = [MarketHoursSegment(timedelta(0), close_time, market)]
    weekly[6] = [MarketHoursSegment(open_time, day_end, market)]
    return SecurityExchangeHours(ZoneInfo("America/New_York"), weekly)


def get_database_symbol_key(symbol: Any) -> str:
    """The ticker a Symbol is filed under in LEAN's databases: the identifier's symbol for custom data (e.g.
    "BTC.Bitcoin"), the ticker otherwise; "" for None (LEAN's GetDatabaseSymbolKey without options/futures)."""
    if symbol is None:
        return ""
    if isinstance(symbol, str):
        return symbol
    if SecurityType(symbol.security_type) == SecurityType["BASE"]:
        return str(symbol.id.symbol)
    return str(symbol.value)


def _database_key(market: str, symbol: Any, security_type: Any) -> str:
    """"<SecurityType>-<market>-<TICKER>" ("[*]" for an empty ticker), the JSON's key spelling."""
    ticker = get_database_symbol_key(symbol) or WILDCARD
    return f"{SecurityType(security_type).pascal_name}-{market.lower()}-{ticker.upper()}"


class DataFolderDatabase(DualCase):
    """Base of LEAN's static databases read from the data folder (market hours, symbol properties): the one `load`
    read last (the running backtest's) is also `from_data_folder()`, as LEAN's static instance is, and both share
    LEAN's database key helper."""

    _data_folder_database: ClassVar[Any] = None

    get_database_symbol_key = staticmethod(get_database_symbol_key)
    GetDatabaseSymbolKey = get_database_symbol_key  # static members are read on the class, where DualCase is absent

    @classmethod
    def load(cls, data_folder: Path | str) -> Self:
        raise NotImplementedError

    @classmethod
    def from_data_folder(cls, data_folder: Path | str | None = None) -> Self:
        """The database last loaded (the running backtest's), or the one of `data_folder` when given."""
        if data_folder is not None:
            return cls.load(data_folder)
        if cls._data_folder_database is None:
            raise RuntimeError(f"{cls.__name__}.from_data_folder(): no database loaded yet; "
                               f"pass the data folder or call {cls.__name__}.load(folder)")
        return cls._data_folder_database  # type: ignore[no-any-return]

    FromDataFolder = from_data_folder


@dataclass
class MarketHoursDatabase(DataFolderDatabase):
    """LEAN's market-hours database, keyed "<SecurityType>-<market>-<ticker>" with "[*]" wildcard entries.

    Loads of the same file share the parsed entries; `set_entry` changes only the instance it is called on. The
    database of the run in progress is also `MarketHoursDatabase.from_data_folder()` (LEAN's static one).
    """

    entries: dict[str, MarketHoursEntry] = field(default_factory=dict)
    raw_entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    uses_fallback: bool = False
    custom_entries: dict[str, MarketHoursEntry] = field(default_factory=dict)

    @classmethod
    def load(cls, data_folder: Path | str) -> MarketHoursDatabase:
        """Read `<data>/market-hours/market-hours-database.json`; without it, use the built-in fallback hours
        (NYSE sessions from exchange_calendars, Oanda-like forex/CFD weeks, always-open crypto and custom data)."""
        path = Path(data_folder) / MARKET_HOURS_RELATIVE_PATH
        loaded = _LOADED.get(path)
        if loaded is None:
            loaded = cls._read(path)
            _LOADED[path] = loaded
        database = cls(entries=loaded.entries, raw_entries=loaded.raw_entries, warnings=list(loaded.warnings),
                       uses_fallback=loaded.uses_fallback)
        cls._data_folder_database = database
        return database

    @classmethod
    def _read(cls, path: Path) -> MarketHoursDatabase:
        if not path.is_file():
            return cls(uses_fallback=True, warnings=[f"{path} not found: using built-in fallback market hours "
                                                     "(NYSE calendar from exchange_calendars for US equities)"])
        try:
            with path.open(encoding="utf-8") as handle:
                return cls(raw_entries=json.load(handle)["entries"])
        except (OSError, ValueError, KeyError) as error:
            return cls(uses_fallback=True, warnings=[f"{path}: unreadable market-hours database ({error}); "
                                                     "using built-in fallback hours"])

    def get_entry(self, market: str, ticker: Any, security_type: Any) -> MarketHoursEntry:
        """The ticker's own entry if there is one, else the market's "[*]" entry, else a fallback.

        `ticker` is a string (empty or None for the "[*]" entry) or a Symbol (looked up by its database key)."""
        keys = [_database_key(market, ticker, security_type)]
        wildcard = _database_key(market, None, security_type)
        if keys[0] != wildcard:
            keys.append(wildcard)
        for key in keys:
            entry = self.custom_entries.get(key) or self.entries.get(key)
            if entry is not None:
                return entry
            raw = self.raw_entries.get(key)
            if raw is not None:
                entry = _entry_from_json(raw)
                self.entries[key] = entry
                return entry
        entry = self._fallback_entry(SecurityType(security_type), market.lower())
        self.entries[wildcard] = entry
        return entry

    def set_entry(self, market: str, symbol: str | None, security_type: Any, exchange_hours: SecurityExchangeHours,
                  data_time_zone: ZoneInfo | str | None = None) -> MarketHoursEntry:
        """Add or replace the entry of (market, symbol, type); the data time zone defaults to the exchange's."""
        if not isinstance(exchange_hours, SecurityExchangeHours):
            raise TypeError(f"set_entry: exchange_hours must be SecurityExchangeHours, "
                            f"got {type(exchange_hours).__name__}")
        zone = exchange_hours.time_zone if data_time_zone is None else (
            parse_time_zone(data_time_zone) if isinstance(data_time_zone, str) else data_time_zone)
        entry = MarketHoursEntry(exchange_hours, zone)
        self.custom_entries[_database_key(market, symbol, security_type)] = entry
        return entry

    def set_entry_always_open(self, market: str, symbol: str | None, security_type: Any,
                              time_zone: ZoneInfo | str) -> MarketHoursEntry:
        """`set_entry` with hours open around the clock in `time_zone` (data in the same zone)."""
        return self.set_entry(market, symbol, security_type, SecurityExchangeHours.always_open_hours(time_zone))

    def get_exchange_hours(self, market: Any, symbol: Any = None, security_type: Any = None) -> SecurityExchangeHours:
        """`get_exchange_hours(market, symbol, type)` or `get_exchange_hours(subscription_config)`."""
        if symbol is None and security_type is None:
            config = market
            symbol = config.symbol
            market, security_type = symbol.id.market, symbol.security_type
        return self.get_entry(market, symbol, security_type).exchange_hours

    def get_data_time_zone(self, market: str, symbol: Any, security_type: Any) -> ZoneInfo:
        return self.get_entry(market, symbol, security_type).data_time_zone

    def contains_key(self, market: str, symbol: Any, security_type: Any) -> bool:
        """Whether (market, symbol, type) has its own entry, in the file or set by the user (wildcards excluded
        unless asked for with an empty symbol)."""
        key = _database_key(market, symbol, security_type)
        return key in self.custom_entries or key in self.raw_entries or key in self.entries

    def _fallback_entry(self, security_type: Any, market: str) -> MarketHoursEntry:
        ny = ZoneInfo("America/New_York")
        utc = ZoneInfo("UTC")
        if security_type == SecurityType["EQUITY"] and market == "usa":
            return MarketHoursEntry(nyse_fallback_hours(), ny)
        if security_type == SecurityType["FOREX"]:
            return MarketHoursEntry(_weekly_fx_hours(_hm(17, 3), _hm(16, 58), daily_break=True), utc)
        if security_type == SecurityType["CFD"]:
            return MarketHoursEntry(_weekly_fx_hours(_hm(17), _hm(17), daily_break=False), utc)
        if security_type in (SecurityType["CRYPTO"], SecurityType["CRYPTO_FUTURE"]):
            return MarketHoursEntry(SecurityExchangeHours.always_open_hours(utc), utc)
        if security_type == SecurityType["BASE"]:
            return MarketHoursEntry(SecurityExchangeHours.always_open_hours(ny), ny)
        raise KeyError(f"no market hours for {security_type}-{market} (not in the database, no built-in fallback)")


# Databases already read, by file path: the JSON is 3 MB and every backtest of a test session asks for it. Loads
# share their parsed entries; user entries stay with the instance.
_LOADED: dict[Path, MarketHoursDatabase] = {}
