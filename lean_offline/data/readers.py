"""Streaming readers of LEAN-format price files (the hot path of the offline engine).

A subscription is read file by file (one file for daily/hour data, one file per day for minute/second data).
Each file is parsed at once with pandas' C parser into arrays; times, factors and filters are applied with numpy,
giving one `BarBlock` per file; bar objects are only created as the consumer asks for them. The rules follow LEAN's
SubscriptionDataReader, StrictDailyEndTimesEnumerator and SubscriptionFilterEnumerator:

* raw points are read until the first one whose Time is after the end; points whose EndTime is not after the
  previous point's are dropped; points whose EndTime is before the start are dropped;
* daily bars of markets that are not always open (equities) take the regular session of their date as
  Time/EndTime when `daily_precise_end_time` is set (dropped on dates without a session);
* bars whose [Time, EndTime) does not overlap the exchange's open hours (regular only, unless extended) are dropped;
* equity prices are deci-cents (÷10000) multiplied by the factor-file factor of the bar's date; volume ÷ factor.

Bad input never raises: a missing file → `on_warning("missing data file: <path>")`; a malformed line is skipped
with `on_warning("<file>:<line>: malformed line skipped: <text>")` and the rest of the file is kept.
"""

from __future__ import annotations

import io
import itertools
import warnings
import zipfile
from array import array as typed_array
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from ..enums import DataNormalizationMode, Resolution, SecurityType, TickType
from . import read_ahead
from .factors import FactorFile, MapFile, load_factor_file, load_map_file
from .market import PACKED_SIDE, BaseData, QuoteBar, TradeBar
from .market_hours import MarketHoursState, SecurityExchangeHours
from .symbol import Symbol

Warn = Callable[[str], None]

_EQUITY = SecurityType["EQUITY"]
_FOREX = SecurityType["FOREX"]
_CFD = SecurityType["CFD"]
_CRYPTO = SecurityType["CRYPTO"]
_QUOTE = TickType["QUOTE"]
_TRADE = TickType["TRADE"]
_DAILY = Resolution["DAILY"]
_HOUR = Resolution["HOUR"]
_MINUTE = Resolution["MINUTE"]
_SECOND = Resolution["SECOND"]
_TICK = Resolution["TICK"]

RESOLUTION_PERIODS: dict[int, timedelta] = {
    int(_DAILY): timedelta(days=1), int(_HOUR): timedelta(hours=1), int(_MINUTE): timedelta(minutes=1),
    int(_SECOND): timedelta(seconds=1), int(_TICK): timedelta(0),
}
_SECURITY_FOLDERS = {int(_EQUITY): "equity", int(_FOREX): "forex", int(_CFD): "cfd", int(_CRYPTO): "crypto",
                     int(SecurityType["INDEX"]): "index", int(SecurityType["BASE"]): "base"}
_DECI_CENTS = 10000.0
_FIRST_YEAR, _LAST_YEAR = 1900, 2200  # inside datetime64[ns]; anything else is a malformed time stamp
_FIRST_TIME = np.datetime64(f"{_FIRST_YEAR}-01-01", "ns")
_TIME_AFTER_LAST_YEAR = np.datetime64(f"{_LAST_YEAR + 1}-01-01", "ns")
_TRADE_COLUMNS = 6
_QUOTE_COLUMNS = 11
_TRADE_SIDES = (0,)  # the first column of each side's open, high, low, close and size
_QUOTE_SIDES = (0, 5)


@dataclass(frozen=True)
class SubscriptionSpec:
    """What to read. `start_local`/`end_local` are exchange-time-zone bounds: points whose EndTime ≥ start are
    delivered, and reading stops at the first point whose Time > end."""

    data_folder: Path
    symbol: Symbol
    security_type: Any
    market: str
    resolution: Any
    tick_type: Any
    normalization: Any
    exchange_hours: SecurityExchangeHours
    data_time_zone: ZoneInfo
    start_local: datetime
    end_local: datetime
    daily_precise_end_time: bool = True
    extended_market_hours: bool = False


# --- LEAN file naming (LeanData.GenerateZipFileName / GenerateZipEntryName) -------------------------------------

@lru_cache(maxsize=64)
def _tick_type_name(tick_type: Any) -> str:
    return TickType(tick_type).name.lower().replace("_", "")


@lru_cache(maxsize=64)
def _is_hour_or_daily(resolution: Any) -> bool:
    return Resolution(resolution) in (_DAILY, _HOUR)


def generate_zip_file_name(symbol: Symbol | str, day: date | datetime, resolution: Any, tick_type: Any,
                           security_type: Any = None) -> str:
    """LEAN's zip file name: "spy.zip" / "btcusd_trade.zip" for hour/daily, "20131008_trade.zip" otherwise."""
    ticker = (symbol.value if isinstance(symbol, Symbol) else symbol).lower()
    kind = SecurityType(security_type if security_type is not None else getattr(symbol, "security_type", _EQUITY))
    if _is_hour_or_daily(resolution):
        return f"{ticker}_{_tick_type_name(tick_type)}.zip" if kind == _CRYPTO else f"{ticker}.zip"
    return f"{day:%Y%m%d}_{_tick_type_name(tick_type)}.zip"


def generate_zip_entry_name(symbol: Symbol | str, day: date | datetime, resolution: Any, tick_type: Any) -> str:
    """LEAN's csv entry name: "spy.csv" for hour/daily, "20131008_spy_minute_trade.csv" otherwise."""
    ticker = (symbol.value if isinstance(symbol, Symbol) else symbol).lower()
    if _is_hour_or_daily(resolution):
        return f"{ticker}.csv"
    resolution_name = Resolution(resolution).name.lower()
    if Resolution(resolution) == _TICK and getattr(symbol, "security_type", _EQUITY) == _EQUITY:
        return f"{day:%Y%m%d}_{ticker}_{TickType(tick_type).pascal_name}_{Resolution(resolution).pascal_name}.csv"
    return f"{day:%Y%m%d}_{ticker}_{resolution_name}_{_tick_type_name(tick_type)}.csv"


def generate_zip_file_path(data_folder: Path, symbol: Symbol, day: date | datetime, resolution: Any,
                           tick_type: Any, file_ticker: str | None = None) -> Path:
    """Full path of the zip holding `symbol`'s data for `day` (`file_ticker` overrides the folder/file ticker): the
    day is only in the file's name (`generate_zip_file_name`), never in its folder."""
    ticker = (file_ticker or symbol.value).lower()
    folder = (Path(data_folder) / _SECURITY_FOLDERS.get(int(symbol.security_type), "base") / symbol.market
              / Resolution(resolution).name.lower())
    if _is_hour_or_daily(resolution):
        return folder / generate_zip_file_name(ticker, day, resolution, tick_type, symbol.security_type)
    return folder / ticker / generate_zip_file_name(ticker, day, resolution, tick_type, symbol.security_type)


class LeanData:
    """The file-naming helpers of LEAN's `LeanData` class, in both spellings (`LeanData.GenerateZipFileName`)."""

    generate_zip_file_name = staticmethod(generate_zip_file_name)
    generate_zip_entry_name = staticmethod(generate_zip_entry_name)
    GenerateZipFileName = generate_zip_file_name
    GenerateZipEntryName = generate_zip_entry_name


# --- parsing ---------------------------------------------------------------------------------------------------

@dataclass
class _ParsedFile:
    """Rows of one file: bar start times (naive, data time zone) and the numeric columns after the time."""

    times: np.ndarray  # datetime64[ns]
    values: np.ndarray  # float64, shape (n, columns - 1)
    clean: bool = True  # every line parsed (False: malformed lines were skipped and reported)


class _HistoryRows:
    """A file's rows after every rule that does not depend on the read's window (time zone, strictly increasing end
    times, sessions, scaling), as arrays over the whole file, with what a window needs: per row its line index among
    the parsed rows, and each parsed row's start time in the exchange time zone (reading stops at the first one after
    the end). Two row-by-row steps are left to the window (`window`), so that a short read of a long file does them
    for its own rows only: the end times in UTC, and, when `open_hours` is given (exchange hours, extended hours),
    dropping the bars outside the exchange's open hours."""

    __slots__ = ("times", "ends", "values", "line_index", "parsed_times", "open_hours", "_all_ends_utc", "_all_open")

    def __init__(self, times: np.ndarray, ends: np.ndarray, values: np.ndarray, line_index: np.ndarray,
                 parsed_times: np.ndarray, open_hours: tuple[SecurityExchangeHours, bool] | None) -> None:
        self.times = times
        self.ends = ends
        self.values = values
        self.line_index = line_index
        self.parsed_times = parsed_times
        self.open_hours = open_hours
        self._all_ends_utc: np.ndarray | None = None
        self._all_open: np.ndarray | None = None

    def arrays(self) -> tuple[np.ndarray, ...]:
        return self.times, self.ends, self.values, self.line_index, self.parsed_times

    @property
    def nbytes(self) -> int:
        """The bytes of its arrays, the UTC end times and open flags of every row it may come to hold included."""
        return sum(array.nbytes for array in self.arrays()) + self.ends.nbytes + len(self.ends)

    def window(self, low: int, high: int, zone: ZoneInfo) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(times, ends, ends in UTC, values) of rows `low`..`high` - 1 that lie in open hours (`ends` are in
        `zone`). The two row-by-row steps are done for those rows alone, or, for a window of at least half the rows,
        for every row once and kept for later windows (both give the same rows)."""
        if self._all_ends_utc is None and 2 * (high - low) >= len(self.ends):
            self._all_ends_utc = convert_naive(self.ends, zone, _UTC_ZONE)
            self._all_open = self._open(self.times, self.ends)
            for array in (self._all_ends_utc, self._all_open):
                array.flags.writeable = False  # shared by the blocks of later windows
        times, ends, values = self.times[low:high], self.ends[low:high], self.values[low:high]
        if self._all_ends_utc is not None and self._all_open is not None:
            ends_utc, is_open = self._all_ends_utc[low:high], self._all_open[low:high]
        else:
            ends_utc, is_open = convert_naive(ends, zone, _UTC_ZONE), self._open(times, ends)
        if is_open.all():
            return times, ends, ends_utc, values
        return times[is_open], ends[is_open], ends_utc[is_open], values[is_open]

    def _open(self, times: np.ndarray, ends: np.ndarray) -> np.ndarray:
        if self.open_hours is None:
            return np.ones(len(times), dtype=bool)
        hours, extended = self.open_hours
        return _open_mask(hours, times, ends, extended)


_UTC_ZONE = ZoneInfo("UTC")


class _RecentHistories:
    """The last whole-history files' rows (`_HistoryRows`), up to `capacity_bytes` of arrays, by file (path and
    modification stamp) and by every reader setting the rows depend on: a run reads each such file for the initial
    price seed and again for the feed (and for `history()`), and each read only takes its window. Only clean parses
    are kept (a file with malformed lines is read again, so its warnings come with each read)."""

    def __init__(self, capacity_bytes: int) -> None:
        self.capacity_bytes = capacity_bytes
        self._entries: OrderedDict[tuple[Any, ...], _HistoryRows] = OrderedDict()
        self._held_bytes = 0

    def get(self, key: tuple[Any, ...]) -> _HistoryRows | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: tuple[Any, ...], rows: _HistoryRows) -> None:
        size = rows.nbytes
        if size > self.capacity_bytes:
            return
        for array in rows.arrays():
            array.flags.writeable = False  # shared between reads from now on
        previous = self._entries.pop(key, None)
        if previous is not None:
            self._held_bytes -= previous.nbytes
        self._held_bytes += size
        self._entries[key] = rows
        while self._held_bytes > self.capacity_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._held_bytes -= dropped.nbytes


_WHOLE_HISTORY_FILES = _RecentHistories(capacity_bytes=256 * 1024 * 1024)


def _read_zip_text(path: Path, warn: Warn) -> bytes | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [name for name in archive.namelist() if not name.endswith("/")]
            if not names:
                warn(f"{path}: empty zip archive")
                return None
            return archive.read(names[0])
    except FileNotFoundError:
        warn(f"missing data file: {path}")
    except (OSError, zipfile.BadZipFile) as error:
        warn(f"{path}: unreadable data file ({error})")
    return None


_NEWLINE, _COMMA = ord("\n"), ord(",")
_INT64_LIMITS = (np.iinfo(np.int64).min, np.iinfo(np.int64).max)


def _with_final_newline(raw: bytes) -> bytes:
    return raw if raw.endswith(b"\n") else raw + b"\n"


def _every_line_has(text: bytes, columns: int) -> bool:
    """Whether every line of `text` (which ends with a newline) has `columns` comma-separated fields (a blank line
    has one)."""
    characters = np.frombuffer(text, dtype=np.uint8)
    line_ends = np.flatnonzero(characters == _NEWLINE)
    commas_before = np.searchsorted(np.flatnonzero(characters == _COMMA), line_ends)
    return not np.any(np.diff(commas_before, prepend=0) != columns - 1)


_MINUS, _ZERO, _NINE = ord("-"), ord("0"), ord("9")
_STAMP_FIELD_WIDTHS = (8, 2, 2)  # "yyyyMMdd HH:mm", read as three whole numbers


def _integer_fields(raw: bytes, columns: int, stamped: bool = False) -> np.ndarray | None:
    """The fields of a file of whole numbers in `columns` comma-separated columns per line, as an int64 array of
    shape (lines, columns), parsed by numpy's C text reader (an intraday file of LEAN's has only integers: ms of the
    day, deci-cent prices, sizes); None when any line is not such a line (a character other than a digit, a comma,
    a minus sign or a newline; an empty field, a lone sign, a negative zero, a blank line; a number beyond int64),
    for the general parse to read. `stamped`: each line starts with a "yyyyMMdd HH:mm" time stamp (a daily or
    hourly file's), read as three fields (date, hour, minute) of exactly those widths, giving columns + 2 fields."""
    if not raw:
        return None
    text = _with_final_newline(raw)
    characters = np.frombuffer(text, dtype=np.uint8)
    separators = np.flatnonzero(((characters < _ZERO) | (characters > _NINE)) & (characters != _MINUS))
    line_layout = np.frombuffer((b" :" if stamped else b"") + b"," * (columns - 1) + b"\n", dtype=np.uint8)
    lines, left_over = divmod(len(separators), len(line_layout))
    if left_over or not np.array_equal(characters[separators], np.tile(line_layout, lines)):
        return None  # a character other than a digit or a sign, or a line with other separators
    if separators[0] == 0 or np.any(np.diff(separators) == 1):  # an empty field or a blank line
        return None
    after_minus = characters[np.flatnonzero(characters == _MINUS) + 1]  # the text ends with a newline, not a sign
    if np.any((after_minus <= _ZERO) | (after_minus > _NINE)):  # a lone sign or a negative zero
        return None
    if stamped:
        field_ends = separators.reshape(lines, len(line_layout))[:, :len(_STAMP_FIELD_WIDTHS)]
        line_starts = np.concatenate(([0], separators[len(line_layout) - 1:-1:len(line_layout)] + 1))
        widths = np.diff(field_ends, axis=1, prepend=(line_starts - 1)[:, None])
        if np.any(widths != np.array(_STAMP_FIELD_WIDTHS) + 1):
            return None
        text = text.replace(b" ", b",").replace(b":", b",")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # numpy's word for text it could not read to its end
        try:
            fields = np.fromstring(text.replace(b"\n", b","), dtype=np.int64, sep=",")
        except (ValueError, DeprecationWarning):
            return None
    if len(fields) != len(separators) or (lines and (
            fields.min() == _INT64_LIMITS[0] or fields.max() == _INT64_LIMITS[1])):  # strtoll clamps what overflows
        return None
    return fields.reshape(lines, len(line_layout))


def _stamp_times(fields: np.ndarray) -> np.ndarray | None:
    """Times from the (date as yyyyMMdd, hour, minute) columns of `_integer_fields(..., stamped=True)`; None when one
    is not a valid time of the years `_FIRST_YEAR`..`_LAST_YEAR` (left to the general parse)."""
    years, month_days = np.divmod(fields[:, 0], 10_000)
    months, days = np.divmod(month_days, 100)
    hours, minutes = fields[:, 1], fields[:, 2]
    if np.any((years < _FIRST_YEAR) | (years > _LAST_YEAR) | (months < 1) | (months > 12) | (days < 1) | (days > 31)
              | (hours < 0) | (hours > 23) | (minutes < 0) | (minutes > 59)):
        return None
    month_starts = ((years - 1970) * 12 + months - 1).astype("datetime64[M]")
    dates = month_starts.astype("datetime64[D]") + (days - 1).astype("timedelta64[D]")
    if np.any(dates.astype("datetime64[M]") != month_starts):  # a day beyond its month's last
        return None
    return dates.astype("datetime64[ns]") + (hours * 60 + minutes).astype("timedelta64[m]")  # type: ignore[no-any-return]


_EXACT_MILLISECONDS = 2**53 // 1_000_000
"""Time stamps of a day file up to this many ms from midnight (104 days; a real one is under 86,400,000) are exact in
ns as float products; a file with any beyond it is left to the line-by-line parser."""


def _day_times(day: date, milliseconds: np.ndarray) -> np.ndarray | None:
    """Bar times of a day file from its ms-since-midnight column (float64), or None when a time stamp is not a
    number or lies beyond `_EXACT_MILLISECONDS`."""
    if np.isnan(milliseconds).any() or (len(milliseconds) and np.abs(milliseconds).max() > _EXACT_MILLISECONDS):
        return None
    return np.datetime64(day, "ns") + (milliseconds * 1e6).astype("timedelta64[ns]")  # type: ignore[no-any-return]


def _fast_parse(raw: bytes, columns: int, day: date | None) -> _ParsedFile | None:
    """Whole-file parse: numpy's integer reader for a file of time stamps (ms of the day, or "yyyyMMdd HH:mm") and
    whole numbers (`_integer_fields`), else pandas' C engine; None when the file has any irregular line."""
    if day is not None:
        fields = _integer_fields(raw, columns)
        if fields is not None:
            numbers = fields.astype(np.float64)
            times = _day_times(day, numbers[:, 0])
            return None if times is None else _ParsedFile(times, numbers[:, 1:])
    else:
        fields = _integer_fields(raw, columns, stamped=True)
        stamp_times = None if fields is None else _stamp_times(fields)
        if fields is not None and stamp_times is not None:
            return _ParsedFile(stamp_times, fields[:, len(_STAMP_FIELD_WIDTHS):].astype(np.float64))
    try:
        value_types = dict.fromkeys(range(1, columns), np.float64)  # floats, not inferred ints: -0 keeps its sign
        frame = pd.read_csv(io.BytesIO(raw), header=None, dtype={0: str, **value_types} if day is None else np.float64,
                            engine="c", skip_blank_lines=True)
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None
    if frame.shape[1] != columns:
        return None
    try:
        values = frame.iloc[:, 1:].to_numpy(dtype=np.float64)
    except (ValueError, TypeError):
        return None
    if columns != _QUOTE_COLUMNS and np.isnan(values).any():  # quote files may leave fields empty
        return None
    if columns == _QUOTE_COLUMNS and not _every_line_has(_with_final_newline(raw), columns):
        return None  # pandas fills a short line's missing fields with NaN, which a quote file may hold
    stamps = frame.iloc[:, 0]
    if day is None:
        times = pd.to_datetime(stamps, format="%Y%m%d %H:%M", errors="coerce").to_numpy(dtype="datetime64[ns]")
        if np.isnat(times).any() or (len(times) and (times.min() < _FIRST_TIME or times.max() >= _TIME_AFTER_LAST_YEAR)):
            return None  # the line-by-line parse reports the lines it cannot read, years out of range included
    else:
        day_times = _day_times(day, stamps.to_numpy(dtype=np.float64))
        if day_times is None:
            return None
        times = day_times
    return _ParsedFile(times, values)


def _parse_line(line: str, columns: int, day: date | None) -> tuple[datetime, list[float]]:
    fields = line.split(",")
    if len(fields) != columns:
        raise ValueError(f"expected {columns} fields, found {len(fields)}")
    if day is None:
        when = datetime.strptime(fields[0].strip(), "%Y%m%d %H:%M")
    else:
        when = datetime(day.year, day.month, day.day) + timedelta(milliseconds=float(fields[0]))
    if not _FIRST_YEAR <= when.year <= _LAST_YEAR:
        raise ValueError(f"year {when.year} out of range")
    values = [float(text) if text.strip() else float("nan") for text in fields[1:]]
    if columns != _QUOTE_COLUMNS and any(value != value for value in values):
        raise ValueError("empty field")
    return when, values


def _slow_parse(raw: bytes, columns: int, day: date | None, path: Path, warn: Warn) -> _ParsedFile:
    """Line-by-line parse that reports and skips malformed lines and keeps every good one."""
    times: list[datetime] = []
    rows: list[list[float]] = []
    skipped = 0
    for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            when, values = _parse_line(line, columns, day)
        except (ValueError, OverflowError):
            warn(f"{path}:{number}: malformed line skipped: {line}")
            skipped += 1
            continue
        times.append(when)
        rows.append(values)
    return _ParsedFile(np.array(times, dtype="datetime64[ns]"),
                       np.array(rows, dtype=np.float64).reshape(len(rows), columns - 1), clean=not skipped)


_READ_AHEAD_FILES = 2
"""How many day files of a subscription the worker parses ahead of the one being read (the feed asks for a file's
successor as soon as it reaches the file's last row)."""


_READ_AHEAD_MIN_BYTES = 64 * 1024
"""Day files from this size on (zipped) are parsed by the read-ahead worker: a second-resolution file (200-500 KB)
takes tens of ms to parse, while handing a minute file (5-20 KB, 1-2 ms to parse) to a process costs more than the
parse."""


def _worth_reading_ahead(path: Path) -> bool:
    try:
        return path.stat().st_size >= _READ_AHEAD_MIN_BYTES
    except OSError:  # missing: the reader reports it
        return False


def _parse_day_file(path: Path, columns: int, day: date) -> _ParsedFile | None:
    """A day file's whole-file parse (`_fast_parse`), as the read-ahead worker does it; None when the file is
    missing, unreadable or has an irregular line, which the reader then reads itself and reports."""
    raw = _read_zip_text(path, lambda message: None)
    return None if raw is None else _fast_parse(raw, columns, day)


def parse_lean_csv(raw: bytes, columns: int, day: date | None, path: Path, warn: Warn) -> _ParsedFile:
    """Rows of a LEAN csv: `day` None for "yyyyMMdd HH:mm" time stamps, else ms since that day's midnight."""
    parsed = _fast_parse(raw, columns, day)
    return parsed if parsed is not None else _slow_parse(raw, columns, day, path, warn)


# --- time handling ---------------------------------------------------------------------------------------------

def _same_zone(first: ZoneInfo, second: ZoneInfo) -> bool:
    return first is second or str(first) == str(second)


_ONE_DAY_NS = np.timedelta64(86_400_000_000_000, "ns")


def convert_naive(times: np.ndarray, source: ZoneInfo, target: ZoneInfo) -> np.ndarray:
    """Naive wall-clock times (datetime64[ns]) in `source` → naive wall-clock times in `target`, resolved as
    NodaTime's lenient resolver does: an ambiguous time is the earlier instant, a skipped time is moved forward by
    the gap (one hour: the daylight-saving gaps of the zones LEAN data uses).

    Times spanning at most a day (a day file's) are shifted by one offset when each zone has the same UTC offset at
    the first and the last of them: a zone changes its offset at most once a day, so neither changes in between
    (both zones can change the same day, at different instants). Times over a few weeks (a short window of an
    hourly file) are shifted so date by date, when each zone keeps one offset from the date's midnight to its last
    microsecond."""
    if len(times) == 0 or _same_zone(source, target):
        return times
    first, last = times.min(), times.max()
    if last - first <= _ONE_DAY_NS:
        offsets = _utc_offsets(first, source, target)
        if offsets == _utc_offsets(last, source, target):
            return times + _shift_ns(offsets)  # type: ignore[no-any-return]
    elif last - first <= _DATE_BY_DATE_SPAN:
        shifted = _shifted_date_by_date(times, source, target)
        if shifted is not None:
            return shifted
    return _convert_long_span(times, source, target)


_DATE_BY_DATE_SPAN = np.timedelta64(31, "D").astype("timedelta64[ns]")
_LAST_MICROSECOND = (np.timedelta64(1, "D") - np.timedelta64(1, "us")).astype("timedelta64[ns]")


def _shift_ns(offsets: tuple[timedelta, timedelta]) -> np.timedelta64:
    """The shift from a source wall-clock time to the target's, given the two zones' UTC offsets there."""
    return np.timedelta64(offsets[1] - offsets[0]).astype("timedelta64[ns]")


def _shifted_date_by_date(times: np.ndarray, source: ZoneInfo, target: ZoneInfo) -> np.ndarray | None:
    """`times` shifted by their date's offsets when neither zone changes offset during any of their dates (the
    offsets at the date's midnight and at its last microsecond agree), else None."""
    dates, date_of_time = np.unique(times.astype("datetime64[D]"), return_inverse=True)
    shifts = []
    for midnight in dates.astype("datetime64[ns]"):
        offsets = _utc_offsets(midnight, source, target)
        if offsets != _utc_offsets(midnight + _LAST_MICROSECOND, source, target):
            return None
        shifts.append(_shift_ns(offsets))
    return times + np.array(shifts, dtype="timedelta64[ns]")[date_of_time]  # type: ignore[no-any-return]


def _utc_offsets(moment: np.datetime64, source: ZoneInfo, target: ZoneInfo) -> tuple[timedelta, timedelta]:
    """The UTC offsets of `source` at the wall-clock time `moment` (an ambiguous or skipped time takes the offset
    before the change, as `convert_naive_scalar` does) and of `target` at that instant (offsets are whole seconds:
    the microseconds of `moment` suffice)."""
    wall_clock = moment.astype("datetime64[us]").item().replace(tzinfo=source, fold=0)
    target_offset = wall_clock.astimezone(target).utcoffset()
    source_offset = wall_clock.utcoffset()
    assert source_offset is not None and target_offset is not None  # zones always have an offset
    return source_offset, target_offset


def _convert_naive_by_pandas(times: np.ndarray, source: ZoneInfo, target: ZoneInfo) -> np.ndarray:
    """`convert_naive` by pandas, which takes a zone's name through pytz (with a `ZoneInfo` it is some 200 times
    slower). pytz's rules end in 2037, where LEAN's NodaTime and zoneinfo keep daylight-saving time: times from
    2038 on are converted one by one (`convert_naive_scalar`)."""
    index = pd.DatetimeIndex(times).tz_localize(str(source), ambiguous=np.ones(len(times), dtype=bool),
                                                nonexistent=timedelta(hours=1))
    converted = index.tz_convert(str(target)).tz_localize(None).to_numpy(dtype="datetime64[ns]")
    late = times >= _PYTZ_RULES_END
    if late.any():
        converted[late] = np.array([convert_naive_scalar(moment, source, target)
                                    for moment in times[late].astype("datetime64[us]").tolist()], dtype="datetime64[ns]")
    return converted  # type: ignore[no-any-return]


_PYTZ_RULES_END = np.datetime64("2038-01-01", "ns")


_MAX_KEPT_ROWS = 262_144


def _convert_long_span(times: np.ndarray, source: ZoneInfo, target: ZoneInfo) -> np.ndarray:
    """`_convert_naive_by_pandas`, the last conversions of up to `_MAX_KEPT_ROWS` times kept by zones and times: the
    daily and hourly files of one exchange's securities end their bars at the same times, so a run of many of them
    converts the same array once. Each caller gets its own copy."""
    if len(times) > _MAX_KEPT_ROWS:
        return _convert_naive_by_pandas(times, source, target)
    return _kept_conversion(str(source), str(target), times.dtype.str, times.tobytes()).copy()


@lru_cache(maxsize=8)  # at most 32 MB of keys and arrays
def _kept_conversion(source: str, target: str, dtype: str, times: bytes) -> np.ndarray:
    return _convert_naive_by_pandas(np.frombuffer(times, dtype=dtype), ZoneInfo(source), ZoneInfo(target))


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_NS_PER_DAY = 86_400_000_000_000


def _midnight_ns(day: date) -> int:
    return (day.toordinal() - _EPOCH_ORDINAL) * _NS_PER_DAY


def _offset_ns(offset: timedelta) -> int:
    return (offset.days * 86_400 + offset.seconds) * 1_000_000_000 + offset.microseconds * 1000


def convert_naive_scalar(moment: datetime, source: ZoneInfo, target: ZoneInfo) -> datetime:
    """One naive wall-clock time from `source` to `target`: an ambiguous time is the earlier instant whatever the
    input's `fold` (naive data times carry no fold), and the result carries none either."""
    if _same_zone(source, target):
        return moment.replace(fold=0)
    return moment.replace(tzinfo=source, fold=0).astimezone(target).replace(tzinfo=None, fold=0)


@lru_cache(maxsize=64)
def _special_day_numbers(hours: SecurityExchangeHours) -> np.ndarray:
    """`hours.special_days` as sorted day numbers since 1970-01-01 (made once: exchange hours never change)."""
    return np.array(sorted(day.toordinal() - _EPOCH_ORDINAL for day in hours.special_days), dtype=np.int64)


def special_day_mask(hours: SecurityExchangeHours, day_numbers: np.ndarray) -> np.ndarray:
    """Per day number (days since 1970-01-01), whether that day is one of `hours.special_days`."""
    special = _special_day_numbers(hours)
    if len(special) == 0:
        return np.zeros(len(day_numbers), dtype=bool)
    found = special[np.minimum(np.searchsorted(special, day_numbers), len(special) - 1)]
    return found == day_numbers  # type: ignore[no-any-return]


def _open_intervals(hours: SecurityExchangeHours, first: date, last: date,
                    extended: bool) -> tuple[np.ndarray, np.ndarray]:
    """Sorted, disjoint open stretches [start, end) from `first` to `last` (inclusive dates) as datetime64[ns]
    (read-only, unless the range is empty): those of `_open_intervals_between` for each year, made once per exchange
    hours and year, that start on those dates (a stretch starts and ends on its own date)."""
    if first > last:
        return _open_intervals_between(hours, first, last, extended)
    years = [_year_open_intervals(hours, year, extended) for year in range(first.year, last.year + 1)]
    starts, ends = years[0] if len(years) == 1 else (np.concatenate(column) for column in zip(*years, strict=True))
    low, high = np.searchsorted(starts.view(np.int64), [_midnight_ns(first), _midnight_ns(last) + _NS_PER_DAY])
    return starts[low:high], ends[low:high]


@lru_cache(maxsize=512)
def _year_open_intervals(hours: SecurityExchangeHours, year: int, extended: bool) -> tuple[np.ndarray, np.ndarray]:
    starts, ends = _open_intervals_between(hours, date(year, 1, 1), date(year, 12, 31), extended)
    starts.flags.writeable = ends.flags.writeable = False  # shared by every read of the year
    return starts, ends


def _open_intervals_between(hours: SecurityExchangeHours, first: date, last: date,
                            extended: bool) -> tuple[np.ndarray, np.ndarray]:
    """Sorted, disjoint open stretches [start, end) from `first` to `last` (inclusive dates) as datetime64[ns]:
    each weekday's usual segments, with the special dates (holidays, early closes, late opens) replaced."""
    def is_open_state(state: str) -> bool:
        return state == MarketHoursState.MARKET or (extended and state != MarketHoursState.CLOSED)

    day_numbers = np.arange(first.toordinal() - _EPOCH_ORDINAL, last.toordinal() - _EPOCH_ORDINAL + 1,
                            dtype=np.int64)
    is_special = special_day_mask(hours, day_numbers)
    usual_days = day_numbers[~is_special]
    weekdays = (usual_days + 3) % 7  # 1970-01-01 was a Thursday
    starts: list[np.ndarray] = []
    ends: list[np.ndarray] = []
    for weekday in range(7):
        midnights = usual_days[weekdays == weekday] * _NS_PER_DAY
        for segment in hours.weekly_segments(weekday):
            if is_open_state(segment.state):
                starts.append(midnights + _offset_ns(segment.start))
                ends.append(midnights + _offset_ns(segment.end))
    special_starts: list[int] = []
    special_ends: list[int] = []
    for day_number in day_numbers[is_special].tolist():
        day = date.fromordinal(day_number + _EPOCH_ORDINAL)
        for segment in hours.get_market_hours(day):
            if is_open_state(segment.state):
                special_starts.append(day_number * _NS_PER_DAY + _offset_ns(segment.start))
                special_ends.append(day_number * _NS_PER_DAY + _offset_ns(segment.end))
    starts.append(np.array(special_starts, dtype=np.int64))
    ends.append(np.array(special_ends, dtype=np.int64))
    all_starts = np.concatenate(starts)
    order = np.argsort(all_starts, kind="stable")
    return all_starts[order].view("datetime64[ns]"), np.concatenate(ends)[order].view("datetime64[ns]")


def _open_mask(hours: SecurityExchangeHours, starts: np.ndarray, ends: np.ndarray, extended: bool) -> np.ndarray:
    """For each [start, end): does it overlap an open stretch of the exchange (LEAN's IsOpen(start, end))?"""
    if hours.always_open or len(starts) == 0:
        return np.ones(len(starts), dtype=bool)
    first = pd.Timestamp(starts.min()).date() - timedelta(days=1)
    last = pd.Timestamp(ends.max()).date()
    open_starts, open_ends = _open_intervals(hours, first, last, extended)
    if len(open_starts) == 0:
        return np.zeros(len(starts), dtype=bool)
    # the candidate is the last stretch starting before the bar's end (at or before it for an instant)
    candidate = np.where(starts == ends, np.searchsorted(open_starts, ends, side="right"),
                         np.searchsorted(open_starts, ends, side="left")) - 1
    safe = np.clip(candidate, 0, None)
    return (candidate >= 0) & (open_ends[safe] > starts)


# --- the reader ------------------------------------------------------------------------------------------------

class _SubscriptionReader:
    """Reads one subscription's files in time order and yields bar objects."""

    def __init__(self, spec: SubscriptionSpec, warn: Warn) -> None:
        self.spec = spec
        self.warn = warn
        self.security_type = SecurityType(spec.security_type)
        self.resolution = Resolution(spec.resolution)
        self.period = np.timedelta64(RESOLUTION_PERIODS[int(self.resolution)], "ns")
        self.is_equity = self.security_type == _EQUITY
        self.wants_quotes = TickType(spec.tick_type) == _QUOTE
        self.file_is_quote = self.wants_quotes or self.security_type in (_FOREX, _CFD)
        self.columns = _QUOTE_COLUMNS if self.file_is_quote else _TRADE_COLUMNS
        self.file_tick_type = _QUOTE if self.file_is_quote else _TRADE
        # LeanData.UseStrictEndTime: not for always-open markets, forex, Oanda CFDs or custom data
        self.strict_daily = (spec.daily_precise_end_time and self.resolution == _DAILY
                             and not spec.exchange_hours.always_open
                             and self.security_type not in (_FOREX, SecurityType["BASE"])
                             and not (self.security_type == _CFD and spec.market.lower() == "oanda"))
        self.factor_file = FactorFile.identity()
        self.map_file = MapFile(spec.symbol.value, [])
        if self.is_equity:
            self.factor_file = load_factor_file(spec.data_folder, spec.market, spec.symbol.value, warn)
            self.map_file = load_map_file(spec.data_folder, spec.market, spec.symbol.value, warn)
        # made once: every file of the read is scaled by them
        self.factor_table = self._factor_table()
        self._factor_arrays = (np.array(self.factor_table[0], dtype="datetime64[D]"),
                               np.array(self.factor_table[1] + (1.0,)))
        self.last_end: np.datetime64 | None = None
        self.finished = False

    # files
    def _whole_history_file(self) -> Path:
        spec = self.spec
        path = generate_zip_file_path(spec.data_folder, spec.symbol, spec.start_local, self.resolution,
                                      self.file_tick_type)
        if not path.exists() and self.is_equity:
            mapped = self.map_file.ticker_on(spec.end_local.date())
            alternative = generate_zip_file_path(spec.data_folder, spec.symbol, spec.start_local, self.resolution,
                                                 self.file_tick_type, file_ticker=mapped)
            if alternative.exists():
                return alternative
        return path

    def _day_files(self) -> Iterator[tuple[Path, date]]:
        """Per-day files over the subscription's range, on dates the exchange trades (in the data time zone)."""
        spec = self.spec
        exchange_zone, data_zone = spec.exchange_hours.time_zone, spec.data_time_zone
        day = convert_naive_scalar(spec.start_local, exchange_zone, data_zone).date()
        last = convert_naive_scalar(spec.end_local, exchange_zone, data_zone).date()
        folders: dict[str | None, Path] = {}  # per file ticker: the folder of its day files does not depend on the day
        while day <= last:
            midnight = datetime(day.year, day.month, day.day)
            start = convert_naive_scalar(midnight, data_zone, exchange_zone)
            end = convert_naive_scalar(midnight + timedelta(days=1), data_zone, exchange_zone)
            if spec.exchange_hours.is_open_between(start, end, extended_market_hours=True):
                ticker = self.map_file.ticker_on(day) if self.is_equity else None
                folder = folders.get(ticker)
                if folder is None:
                    folder = folders[ticker] = generate_zip_file_path(spec.data_folder, spec.symbol, day,
                                                                      self.resolution, self.file_tick_type,
                                                                      file_ticker=ticker).parent
                yield folder / generate_zip_file_name(ticker or spec.symbol.value, day, self.resolution,
                                                      self.file_tick_type, spec.symbol.security_type), day
            day += timedelta(days=1)

    def blocks(self) -> Iterator[BarBlock]:
        """The subscription's rows, one block per file (filtered, scaled; empty files give none)."""
        # files are read when the feed first asks for their data, as LEAN's enumerators do, not when the stream
        # is opened
        if self.resolution == _TICK:
            self.warn(f"{self.spec.symbol}: tick resolution is not supported by lean_offline; no data read")
            return
        if _is_hour_or_daily(self.resolution):
            files: Iterator[tuple[Path, date | None, Any]] = iter([(self._whole_history_file(), None, None)])
        else:
            files = self._day_files_read_ahead()
        for path, day, parsed_ahead in files:
            if self.finished:
                return
            block = self._read_file(path, day, parsed_ahead)
            if block is not None and len(block):
                yield block

    def _day_files_read_ahead(self) -> Iterator[tuple[Path, date, Any]]:
        """`_day_files`, each with the read-ahead worker's parse of it under way (a future) when the file is large
        enough to be worth it (`_READ_AHEAD_MIN_BYTES`), else None. A file's parse is handed over when the file
        `_READ_AHEAD_FILES` before it is asked for; the first file is read in process while the worker parses the
        next ones."""
        waiting: deque[tuple[Path, date, Any]] = deque()
        for path, day in self._day_files():
            parse = None
            if waiting and _worth_reading_ahead(path):
                parse = read_ahead.submit(_parse_day_file, path, self.columns, day)
            waiting.append((path, day, parse))
            if len(waiting) > _READ_AHEAD_FILES:
                yield waiting.popleft()
        yield from waiting

    def __iter__(self) -> Iterator[BaseData]:
        return itertools.chain.from_iterable(block.bars() for block in self.blocks())

    # one file
    def _read_file(self, path: Path, day: date | None, parsed_ahead: Any = None) -> BarBlock | None:
        """One file's block; `parsed_ahead`, the read-ahead worker's parse of a day file (a future), is used when the
        worker has started it and it succeeded (`read_ahead.take`), else the file is read here."""
        if day is None:
            return self._read_whole_history(path)
        parsed: _ParsedFile | None = read_ahead.take(parsed_ahead)
        try:
            if parsed is None:
                raw = _read_zip_text(path, self.warn)
                if raw is None:
                    return None
                parsed = parse_lean_csv(raw, self.columns, day, path, self.warn)
            return self._window_of(self._rows(parsed, windowed=True))
        except (ValueError, TypeError, OverflowError, IndexError) as error:
            self._report_unreadable(path, error)
            return None

    def _read_whole_history(self, path: Path) -> BarBlock | None:
        """The read's window of the file's rows, computed once per file and reader settings (`_RecentHistories`)."""
        key = self._history_key(path)
        rows = _WHOLE_HISTORY_FILES.get(key) if key is not None else None
        if rows is None:
            raw = _read_zip_text(path, self.warn)
            if raw is None:
                return None
            try:
                parsed = parse_lean_csv(raw, self.columns, None, path, self.warn)
                rows = self._rows(parsed, windowed=False)
            except (ValueError, TypeError, OverflowError, IndexError) as error:
                self._report_unreadable(path, error)
                return None
            if parsed.clean and key is not None:
                _WHOLE_HISTORY_FILES.put(key, rows)
        try:
            return self._window_of(rows)
        except (ValueError, TypeError, OverflowError, IndexError) as error:  # the window's UTC times and open hours
            self._report_unreadable(path, error)
            return None

    def _report_unreadable(self, path: Path, error: Exception) -> None:
        # the shell of the reader: report the file and carry on with the next one
        self.warn(f"{path}: could not be read ({type(error).__name__}: {error})")

    def _history_key(self, path: Path) -> tuple[Any, ...] | None:
        """The file (path and modification stamp) and every setting `_rows` depends on besides the window."""
        try:
            stat = path.stat()
        except OSError:
            return None
        spec = self.spec
        return (str(path), stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino, self.columns, self.period,
                str(spec.data_time_zone), spec.exchange_hours, self.strict_daily, spec.extended_market_hours,
                self.wants_quotes, self.file_is_quote, self.is_equity, self.factor_table)

    def _stop(self, parsed_times: np.ndarray) -> int:
        """Rows are read up to the first whose start time is after the end of the read (then the reader is done)."""
        past_end = np.flatnonzero(parsed_times > np.datetime64(self.spec.end_local, "ns"))
        if len(past_end):
            self.finished = True
            return int(past_end[0])
        return len(parsed_times)

    def _rows(self, parsed: _ParsedFile, windowed: bool) -> _HistoryRows:
        """The file's rows after the module's rules; `windowed` False leaves out the two that depend on the read's
        window (rows up to the first starting after the end, rows ending at or after the start), which
        `_window_of` applies: the other rules are row by row, or (strictly increasing end times) depend on earlier
        rows only, and a daily bar's session never ends after its file end time. It also leaves the open-hours rule
        and the conversion to UTC to the window (`_HistoryRows.window`): both are row by row, and the strictly
        increasing end times are judged on every earlier row, those outside open hours included, either way."""
        spec = self.spec
        hours = spec.exchange_hours
        parsed_times = convert_naive(parsed.times, spec.data_time_zone, hours.time_zone)
        times, values = parsed_times, parsed.values
        line_index = np.arange(len(times), dtype=np.int64)
        if windowed:
            stop = self._stop(parsed_times)
            times, values, line_index = times[:stop], values[:stop], line_index[:stop]
        ends = times + self.period
        # EndTime must strictly increase across the whole subscription
        previous = np.maximum.accumulate(ends)
        keep = np.ones(len(ends), dtype=bool)
        keep[1:] = ends[1:] > previous[:-1]
        if self.last_end is not None:
            keep &= ends > self.last_end
        start_limit = np.datetime64(spec.start_local, "ns")
        if windowed:
            keep &= ends >= start_limit
            # rows ending before the start are gone (a daily bar's session ends before its file end time too): the
            # session and market-hours work below only needs the rest
            first = int(np.argmax(keep)) if keep.any() else len(keep)
            times, ends, values, keep, line_index = (times[first:], ends[first:], values[first:], keep[first:],
                                                     line_index[first:])
        bar_days = times.astype("datetime64[D]")
        open_hours = None
        if self.strict_daily:  # a regular session is open by construction
            session_starts, session_ends = self._sessions(bar_days)
            keep &= ~np.isnat(session_starts)
            times, ends = session_starts, session_ends
            if windowed:
                keep &= ends >= start_limit
        else:  # left to the window (it drops rows by themselves alone: the rules above are not affected)
            open_hours = (hours, spec.extended_market_hours)
        times, ends, values, bar_days, line_index = (times[keep], ends[keep], values[keep], bar_days[keep],
                                                     line_index[keep])
        if self.wants_quotes:
            values = normalise_quote_sides(values, zero_side_is_absent=self.is_equity)
        elif self.file_is_quote:  # a TradeBar from a quote file: its bid columns, empty fields read 0
            values = _empty_fields_zeroed(values)
        values = self._scaled(values, bar_days)
        return _HistoryRows(times, ends, values, line_index, parsed_times, open_hours)

    def _window_of(self, rows: _HistoryRows) -> BarBlock:
        """The rows of the read's window: those before the first parsed row starting after the end, ending at or
        after the start (a contiguous run: the kept end times strictly increase)."""
        low = int(np.searchsorted(rows.ends, np.datetime64(self.spec.start_local, "ns"), side="left"))
        high = max(low, int(np.searchsorted(rows.line_index, self._stop(rows.parsed_times), side="left")))
        times, ends, ends_utc, values = rows.window(low, high, self.spec.exchange_hours.time_zone)
        if len(ends):
            self.last_end = ends[-1]
        return BarBlock(self.spec.symbol, QuoteBar if self.wants_quotes else TradeBar, times, ends, ends_utc, values)

    def _sessions(self, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Regular session [first open, last close) of each date; NaT where the exchange has no session then.

        Vectorised: each weekday's usual session, then the few special dates (holidays, early closes, late opens)
        patched from the exchange hours.
        """
        hours = self.spec.exchange_hours
        not_a_time = np.datetime64("NaT", "ns")
        weekday_opens = np.full(7, not_a_time, dtype="datetime64[ns]").astype("timedelta64[ns]")
        weekday_closes = weekday_opens.copy()
        for weekday in range(7):
            market = [segment for segment in hours.weekly_segments(weekday)
                      if segment.state == MarketHoursState.MARKET]
            if market:
                weekday_opens[weekday] = np.timedelta64(_offset_ns(market[0].start), "ns")
                weekday_closes[weekday] = np.timedelta64(_offset_ns(market[-1].end), "ns")
        day_numbers = days.astype("datetime64[D]").astype(np.int64)
        weekdays = (day_numbers + 3) % 7  # 1970-01-01 was a Thursday
        midnights = days.astype("datetime64[D]").astype("datetime64[ns]")
        opens = midnights + weekday_opens[weekdays]
        closes = midnights + weekday_closes[weekdays]
        special = hours.special_days
        if special:
            special_numbers = np.array(sorted(d.toordinal() - _EPOCH_ORDINAL for d in special), dtype=np.int64)
            for index in np.flatnonzero(np.isin(day_numbers, special_numbers)).tolist():
                day = date.fromordinal(int(day_numbers[index]) + _EPOCH_ORDINAL)
                market = [segment for segment in hours.get_market_hours(day)
                          if segment.state == MarketHoursState.MARKET]
                opens[index] = midnights[index] + np.timedelta64(_offset_ns(market[0].start), "ns") if market \
                    else not_a_time
                closes[index] = midnights[index] + np.timedelta64(_offset_ns(market[-1].end), "ns") if market \
                    else not_a_time
        return opens, closes

    def _scaled(self, values: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Equities: price = deci-cents / 10000 × factor(bar date); volume (and quote sizes) = round(raw / factor),
        half to even like C#'s Math.Round. Scales `values`, an array of this read's own, in place."""
        if not self.is_equity or len(values) == 0:
            return values
        factors = self._factors(days)
        # column by column: numpy runs a whole column in one loop, where a block of a few columns costs a loop per row
        for first in _QUOTE_SIDES if self.columns == _QUOTE_COLUMNS else _TRADE_SIDES:
            for column in range(first, first + 4):
                prices = values[:, column]
                prices /= _DECI_CENTS
                prices *= factors
            sizes = values[:, first + 4]
            np.round(sizes / factors, out=sizes)
        return values

    def _factors(self, days: np.ndarray) -> np.ndarray:
        row_days, row_factors = self._factor_arrays
        if not len(row_days):
            return np.ones(len(days))
        return row_factors[np.searchsorted(row_days, days, side="left")]  # type: ignore[no-any-return]

    def _factor_table(self) -> tuple[tuple[date, ...], tuple[float, ...]]:
        """The factor file's dates and the multiplier of raw prices each gives bars up to it (none: factor 1)."""
        mode = self.spec.normalization
        rows = self.factor_file.rows
        if not self.is_equity or not rows or mode not in (DataNormalizationMode["ADJUSTED"],
                                                          DataNormalizationMode["TOTAL_RETURN"],
                                                          DataNormalizationMode["SPLIT_ADJUSTED"]):
            return (), ()
        return tuple(row.date for row in rows), tuple(self.factor_file.factor_for(row.date, mode) for row in rows)


def _last_nonzero_rows(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row and column of `columns`, the last row up to it where the column is not zero (-1: none; NaN is not
    zero) and the column's value there (0.0 for none)."""
    rows = np.where(columns != 0.0, np.arange(len(columns))[:, None], -1)
    rows = np.maximum.accumulate(rows, axis=0) if len(rows) else rows
    filled = np.where(rows >= 0, np.take_along_axis(columns, np.maximum(rows, 0), axis=0), 0.0)
    return rows, filled


def normalise_quote_sides(values: np.ndarray, zero_side_is_absent: bool) -> np.ndarray:
    """LEAN's quote-side rules on parsed rows (NaN = empty field): a side is absent when its four prices are all
    empty, or for equities (LEAN's stream parser) when they are all zero; empty fields of a present side read 0;
    an absent side's size is 0. Absent sides are marked by a NaN open for the QuoteBar's lazy unpacking."""
    result = _empty_fields_zeroed(values)
    for first in (0, 5):
        # per price column, compared column by column (faster than a reduction along the rows' short axis)
        if zero_side_is_absent:  # empty fields read 0 here: all empty is all zero
            absent = (result[:, first] == 0.0) & (result[:, first + 1] == 0.0)
            absent &= (result[:, first + 2] == 0.0) & (result[:, first + 3] == 0.0)
        else:
            absent = np.isnan(values[:, first]) & np.isnan(values[:, first + 1])
            absent &= np.isnan(values[:, first + 2]) & np.isnan(values[:, first + 3])
        result[absent, first] = np.nan
        result[absent, first + 4] = 0.0
    return result


def _empty_fields_zeroed(values: np.ndarray) -> np.ndarray:
    """A copy of `values` with NaN (an empty field) read as 0 (`np.nan_to_num`, whose work a file of finite numbers,
    the usual one, does not need)."""
    return values.copy() if np.isfinite(values).all() else np.nan_to_num(values, nan=0.0)


def _quote_mids(values: np.ndarray, offset: int) -> np.ndarray:
    """Per row, the QuoteBar price at `offset` (0 open, 1 high, 2 low, 3 close): the mid of the bid and ask prices,
    or the price of the side present, else 0."""
    bid, ask = values[:, offset], values[:, 5 + offset]
    has_bid, has_ask = ~np.isnan(values[:, 0]), ~np.isnan(values[:, 5])
    mids = np.where(has_bid & has_ask, (bid + ask) / 2.0, 0.0)
    mids = np.where(has_bid & ~has_ask, bid, mids)
    return np.where(~has_bid & has_ask, ask, mids)


_CHUNK_BITS = 10
_CHUNK_ROWS = 1 << _CHUNK_BITS
_CHUNK_MASK = _CHUNK_ROWS - 1
_UNIX_EPOCH = datetime(1970, 1, 1)

_DENSE_STATE_READS = 75
"""State reads in one chunk of rows from which `BarBlock.cache_state` makes the states of the whole chunk at once: making
them costs about as much as 75 states made row by row, so the reads made row by row before that cost at most as much
again (a held daily security is read a few times a month; a security traded on second bars at nearly every row)."""

_new = object.__new__
_QUOTE_BAR_FIELDS = [3, 6, 7]  # of the cache columns: close, bid size, ask size


class BarBlock:
    """The rows one file gives a subscription, as arrays: bar start and end times (naive, exchange time zone), end
    times in UTC, and the value columns (TradeBar: open, high, low, close, volume; QuoteBar: bid O,H,L,C,size, ask
    O,H,L,C,size, a NaN open marking an absent side). Bar objects are built only on request (`bar`, `bars`); the
    security cache can take a row's prices from `cache_row` or its close from `close`, and what a run of rows leaves
    from `last_nonzero` or `cache_state`, without one.

    The Python values rows are read from are made for one chunk of rows at a time (the feed reads rows in order), so
    a block of a whole-history file holds arrays, not a Python object per field of every row."""

    def __init__(self, symbol: Symbol, data_type: type, times: np.ndarray, ends: np.ndarray, ends_utc: np.ndarray,
                 values: np.ndarray) -> None:
        self.symbol = symbol
        self.data_type = data_type
        self.times = times
        self.ends = ends
        self.ends_utc = ends_utc
        values.flags.writeable = False  # shared by the bars of the block until one unpacks its row
        self.values = values
        self._chunk = -1
        self._chunk_rows: list[tuple[Any, ...]] = []
        self._bar_chunk = -1
        self._bar_rows: list[tuple[Any, ...]] = []
        self._cache_columns: np.ndarray | None = None
        self._last_nonzero: tuple[np.ndarray, np.ndarray] | None = None
        self._close_path_columns: tuple[np.ndarray, np.ndarray] | None = None
        self._end_micros: np.ndarray | None = None
        self._state_chunk = -1
        self._state_rows: list[tuple[Any, ...]] = []
        self._sparse_state_chunk = -1  # the chunk of the state reads made row by row, and how many were made
        self._sparse_state_reads = 0
        self.closes: typed_array[float] | None = None  # `close` of every row, made at the first read of one

    def __len__(self) -> int:
        return len(self.ends)

    def end_time(self, row: int) -> datetime:
        """The end time of `row` (exchange time zone), from the loaded chunk of `cache_row` or `bar` rows when one
        holds the row, else made alone from the end times in microseconds since the epoch (a look at one row must not
        load and convert a chunk of 1,024; a numpy datetime scalar converts several times slower)."""
        if row >> _CHUNK_BITS == self._chunk:
            return self._chunk_rows[row & _CHUNK_MASK][0]  # type: ignore[no-any-return]
        if row >> _CHUNK_BITS == self._bar_chunk:
            return self._bar_rows[row & _CHUNK_MASK][1]  # type: ignore[no-any-return]
        if self._end_micros is None:
            self._end_micros = self.ends.astype("datetime64[us]").view(np.int64)
        return _UNIX_EPOCH + timedelta(microseconds=self._end_micros.item(row))

    def cache_row(self, row: int) -> tuple[Any, ...]:
        """What the security cache takes from `row`: its end time, then the row's `cache_columns`."""
        if row >> _CHUNK_BITS != self._chunk:
            self._load_chunk(row >> _CHUNK_BITS)
        return self._chunk_rows[row & _CHUNK_MASK]

    def cache_columns(self) -> np.ndarray:
        """Per row, the prices the security cache takes: TradeBar (open, high, low, close, volume); QuoteBar (open,
        high, low, close, bid close, ask close, bid size, ask size), where open..close are the mids (bid + ask) / 2
        or the price of the side present, else 0, and an absent side's close is 0 (computed once per block)."""
        if self._cache_columns is None:
            values = self.values
            if self.data_type is QuoteBar:
                columns = [_quote_mids(values, offset) for offset in range(4)]
                columns += [np.where(np.isnan(values[:, 0]), 0.0, values[:, 3]),
                            np.where(np.isnan(values[:, 5]), 0.0, values[:, 8]), values[:, 4], values[:, 9]]
            else:  # a TradeBar from a quote file takes its bid side, with volume 0
                columns = [values[:, column] for column in range(4)]
                columns.append(values[:, 4] if values.shape[1] == _TRADE_COLUMNS - 1 else np.zeros(len(values)))
            self._cache_columns = np.column_stack(columns) if len(values) else np.zeros((0, len(columns)))
        return self._cache_columns

    def last_nonzero(self, row: int) -> tuple[list[int], list[float]]:
        """Per cache column, the last row up to `row` where it is not zero (-1: none) and its value there (0.0):
        what a run of rows leaves in a cache that ignores zero prices."""
        rows, filled = self._nonzero_columns()
        return rows[row].tolist(), filled[row].tolist()

    def _nonzero_columns(self) -> tuple[np.ndarray, np.ndarray]:
        """`last_nonzero` of every row, as two arrays shaped like `cache_columns` (computed once per block)."""
        if self._last_nonzero is None:
            self._last_nonzero = _last_nonzero_rows(self.cache_columns())
        return self._last_nonzero

    def close(self, row: int) -> float:
        """The close the security cache takes from `row` (`cache_columns` column 3: 0.0 when the row has none)."""
        closes = self.closes
        if closes is None:
            closes = self.load_closes()
        return closes[row]

    def load_closes(self) -> typed_array[float]:
        """`closes`, the close of every row as an array of doubles (8 bytes a row, like one more numpy column), made
        once per block: the portfolio reads the price of each position at every revaluation, by indexing it
        (`SecurityCache.price`)."""
        self.closes = typed_array("d", np.ascontiguousarray(self.cache_columns()[:, 3]).tobytes())
        return self.closes

    def cache_state(self, row: int) -> tuple[Any, ...]:
        """The state of a security cache after the block's rows up to `row` are applied in order: the earliest of
        the cache columns' last non-zero rows up to `row` (-1: some column has none; the state then depends on what
        the cache held before), the row's end time, then per cache column its last non-zero value (`last_nonzero`)."""
        chunk = row >> _CHUNK_BITS
        if chunk != self._state_chunk:
            if chunk != self._sparse_state_chunk:
                self._sparse_state_chunk, self._sparse_state_reads = chunk, 0
            self._sparse_state_reads += 1
            if self._sparse_state_reads < _DENSE_STATE_READS:
                return self._row_state(row)
            self._load_state_chunk(chunk)
        return self._state_rows[row & _CHUNK_MASK]

    def _row_state(self, row: int) -> tuple[Any, ...]:
        """`cache_state(row)` made for the row alone: from the row itself when it sets every cache column (the usual
        row; a look at a few rows of a long block must not make `last_nonzero` of all its rows), else from
        `last_nonzero`."""
        values = self.cache_columns()[row].tolist()
        if 0.0 not in values:  # NaN counts as set, -0.0 as zero, as in `last_nonzero`
            return (row, self.end_time(row), *values)
        rows, filled = self._nonzero_columns()
        return (min(rows[row].tolist()), self.end_time(row), *filled[row].tolist())

    def _load_state_chunk(self, chunk: int) -> None:
        begin = chunk << _CHUNK_BITS
        rows, filled = self._nonzero_columns()
        rows, filled = rows[begin:begin + _CHUNK_ROWS], filled[begin:begin + _CHUNK_ROWS]
        complete_from = rows.min(axis=1).tolist()
        end_list = self.ends[begin:begin + _CHUNK_ROWS].astype("datetime64[us]").tolist()
        self._state_rows = list(zip(complete_from, end_list, *filled.T.tolist(), strict=True))
        self._state_chunk = chunk

    def price_path(self, changes_from: int, first: int, last: int, previous: float) -> typed_array[float]:
        """The price a security cache holds after each of rows `first`..`last`, applied in order to a cache holding
        `previous`, where rows before `changes_from` leave the price as it was: per row r, the last non-zero close
        among rows `changes_from`..r, else `previous`. The rows whose last non-zero close comes before
        `changes_from` are a prefix of the run (that row number never decreases); the rest are a slice of the last
        non-zero closes, copied from numpy's buffer into an array of doubles (no Python float per row)."""
        close_rows, closes = self._close_columns()
        if close_rows.item(first) >= changes_from:  # the usual run: its first row sets the close, so every row does
            return typed_array("d", closes[first:last + 1].tobytes())
        unchanged = int(np.searchsorted(close_rows[first:last + 1], changes_from))
        path = typed_array("d", (previous,)) * unchanged
        path.frombytes(closes[first + unchanged:last + 1].tobytes())
        return path

    def _close_columns(self) -> tuple[np.ndarray, np.ndarray]:
        """The close column of `last_nonzero`'s two arrays, contiguous (made once per block, from the close column
        alone: the recorder's paths need no other)."""
        if self._close_path_columns is None:
            rows, filled = _last_nonzero_rows(self.cache_columns()[:, 3:4])
            self._close_path_columns = (np.ascontiguousarray(rows[:, 0]),
                                        np.ascontiguousarray(filled[:, 0], dtype=np.float64))
        return self._close_path_columns

    def _load_chunk(self, chunk: int) -> None:
        begin = chunk << _CHUNK_BITS
        columns = self.cache_columns()[begin:begin + _CHUNK_ROWS]
        end_list = self.ends[begin:begin + _CHUNK_ROWS].astype("datetime64[us]").tolist()
        rows = list(zip(end_list, *columns.T.tolist(), strict=True))
        self._chunk, self._chunk_rows = chunk, rows

    def bar(self, row: int) -> BaseData:
        """A new bar object for `row`: its fields come from a list of rows made once per chunk (`_load_bar_chunk`);
        QuoteBar sides stay packed until read."""
        if row >> _CHUNK_BITS != self._bar_chunk:
            self._load_bar_chunk(row >> _CHUNK_BITS)
        new_bar: Any
        if self.data_type is QuoteBar:
            time, end, end_utc, close, bid_size, ask_size = self._bar_rows[row & _CHUNK_MASK]
            new_bar = _new(QuoteBar)
            new_bar._packed_row = (self.values, row)
            new_bar._bid = new_bar._ask = PACKED_SIDE
            new_bar.last_bid_size = bid_size
            new_bar.last_ask_size = ask_size
        else:
            time, end, end_utc, open_, high, low, close, volume = self._bar_rows[row & _CHUNK_MASK]
            new_bar = _new(TradeBar)
            new_bar.open = open_
            new_bar.high = high
            new_bar.low = low
            new_bar.volume = volume
        new_bar.symbol = self.symbol
        new_bar.time = time
        new_bar.end_time = end
        new_bar.end_time_utc = end_utc
        new_bar.value = close
        new_bar.is_fill_forward = False
        return new_bar  # type: ignore[no-any-return]

    def _load_bar_chunk(self, chunk: int) -> None:
        """The chunk's rows as the bars take them, one tuple per row: start, end and UTC end times, then the
        security cache's prices a bar holds (QuoteBar: close, bid size, ask size; TradeBar: open, high, low, close,
        volume)."""
        begin = chunk << _CHUNK_BITS
        window = slice(begin, begin + _CHUNK_ROWS)
        times = [column[window].astype("datetime64[us]").tolist() for column in (self.times, self.ends, self.ends_utc)]
        columns = self.cache_columns()[window]
        prices = columns[:, _QUOTE_BAR_FIELDS] if self.data_type is QuoteBar else columns
        self._bar_rows = list(zip(*times, *prices.T.tolist(), strict=True))
        self._bar_chunk = chunk

    def bars(self) -> Iterator[BaseData]:
        return map(self.bar, range(len(self)))


def read_subscription(spec: SubscriptionSpec, on_warning: Warn) -> Iterator[BaseData]:
    """Bars of `spec` in time order (see the module docstring for the rules); never raises on bad data."""
    return iter(_SubscriptionReader(spec, on_warning))


def read_blocks(spec: SubscriptionSpec, on_warning: Warn) -> Iterator[BarBlock]:
    """The rows of `spec` in time order, one block per file (daily and hourly: the whole history; minute and second:
    one day), read as they are asked for; same rules as `read_subscription`."""
    return _SubscriptionReader(spec, on_warning).blocks()
