"""The data feed: per-subscription streams of segments, fill-forward, and their merge into time steps.

A market-data subscription is read a file at a time as a block of arrays (`BarBlock`); its fill-forward copies and
corporate events are placed among the block's rows with numpy, giving one `Segment` per block. Object streams
(PythonData readers, whose user code must run lazily) give segments of objects. The merge joins the segments by end
time in UTC, a bounded run at a time (nothing is loaded up front); all points sharing an end time form one time step,
as LEAN's synchronizer emits them. Bar objects are built only for the points somebody observes (`Segment.point`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import groupby, islice
from operator import itemgetter
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np

from ..data.market import BaseData
from ..data.market_hours import MarketHoursState
from ..data.readers import (
    _EPOCH_ORDINAL,
    _NS_PER_DAY,
    BarBlock,
    _offset_ns,
    _open_intervals,
    convert_naive,
    special_day_mask,
)
from .config import SubscriptionDataConfig
from .scheduling import local_to_utc

_UTC = ZoneInfo("UTC")
_ONE_DAY = timedelta(days=1)
_ONE_HOUR = timedelta(hours=1)
_ONE_MINUTE = timedelta(minutes=1)
_LAST_MINUTE_OF_HOUR = timedelta(minutes=59)
_OFFSET_SEARCH_DAYS = 366
_OFFSET_PROBE_DAYS = 6
"""Days between the probes of a zone's offset: fewer than any offset lasts (tzdata's shortest since 1970 lasted 6 days
23 hours, Brazil's in October 2000), so that an offset cannot start and end between two probes."""


# Module functions rather than static methods: Cython cannot compile a static method that another decorator wraps.
@lru_cache(maxsize=65536)
def _utc_offset(zone: ZoneInfo, utc_time: datetime) -> timedelta:
    """`zone`'s UTC offset at the naive-UTC time `utc_time` (a whole minute or hour: memoised)."""
    offset = utc_time.replace(tzinfo=_UTC).astimezone(zone).utcoffset()
    return offset if offset is not None else timedelta(0)


@lru_cache(maxsize=65536)
def _local_hour_offset(zone: ZoneInfo, local_hour: datetime) -> timedelta | None:
    """`zone`'s UTC offset throughout the naive local hour `local_hour`, read as `local_to_utc` reads it, or None
    when it changes within the hour (zones that change at half past or a quarter to an hour, as Lord Howe and Chatham
    do)."""
    offset = zone.utcoffset(local_hour)
    return offset if zone.utcoffset(local_hour + _LAST_MINUTE_OF_HOUR) == offset else None


def _first_change(zone: ZoneInfo, start: datetime, offset: timedelta, steps: int, step: timedelta) -> int:
    """The first n in 1..`steps` at which `zone`'s offset at `start` + n × `step` (naive UTC) is no longer `offset`,
    bisected: the offset is `offset` at `start`, is not at `start` + `steps` × `step`, and changes once between."""
    same, changed = 0, steps
    while changed - same > 1:
        middle = (same + changed) // 2
        if _utc_offset(zone, start + middle * step) == offset:
            same = middle
        else:
            changed = middle
    return changed


class Clock:
    """Naive local ↔ naive UTC conversions, memoised (per zone, the span its current offset holds for) because the loop
    asks them at every time step."""

    def __init__(self) -> None:
        self._spans: dict[ZoneInfo, tuple[datetime, datetime, timedelta]] = {}

    def to_local(self, utc_time: datetime, zone: ZoneInfo) -> datetime:
        """Naive UTC → naive local time in `zone`."""
        span = self._spans.get(zone)
        if span is not None and span[0] <= utc_time < span[1]:
            return utc_time + span[2]
        return utc_time + self.offset_span(utc_time, zone)[2]

    def offset_span(self, utc_time: datetime, zone: ZoneInfo) -> tuple[datetime, datetime, timedelta]:
        """(start, end, offset): the naive-UTC span around `utc_time` in which local time in `zone` is UTC + offset,
        for callers that convert many times in a row and keep the span themselves."""
        span = self._spans.get(zone)
        if span is None or not span[0] <= utc_time < span[1]:
            minute = utc_time.replace(second=0, microsecond=0)
            offset = _utc_offset(zone, minute)
            span = self._spans[zone] = (minute, self._offset_end(zone, minute, offset), offset)
        return span

    @staticmethod
    def _offset_end(zone: ZoneInfo, start: datetime, offset: timedelta) -> datetime:
        """The first minute after `start` at which `zone`'s UTC offset is no longer `offset`, looked for up to a year
        ahead (the end of that search if it stays). The offset is probed every `_OFFSET_PROBE_DAYS` days, then the
        day, the hour and the minute of the change are bisected (a zone changes its offset at most once a day; some
        change at half past a UTC hour, as Adelaide's and Tehran's do)."""
        searched = 0
        while searched < _OFFSET_SEARCH_DAYS:
            probed, searched = searched, min(searched + _OFFSET_PROBE_DAYS, _OFFSET_SEARCH_DAYS)
            if _utc_offset(zone, start + timedelta(days=searched)) != offset:
                since = start + timedelta(days=probed)
                day = since + (_first_change(zone, since, offset, searched - probed, _ONE_DAY) - 1) * _ONE_DAY
                hour = day + (_first_change(zone, day, offset, 24, _ONE_HOUR) - 1) * _ONE_HOUR
                return hour + _first_change(zone, hour, offset, 60, _ONE_MINUTE) * _ONE_MINUTE
        return start + timedelta(days=_OFFSET_SEARCH_DAYS)

    def to_utc(self, local_time: datetime, zone: ZoneInfo) -> datetime:
        """`local_to_utc` (NodaTime's lenient resolver: an ambiguous time is its first occurrence, a skipped time
        moves forward by the gap), with the offset memoised per local hour that keeps one."""
        offset = _local_hour_offset(zone, local_time.replace(minute=0, second=0, microsecond=0))
        return local_to_utc(local_time, zone) if offset is None else local_time - offset


def _daily_bar_window(hours: Any, day: date, precise_end_time: bool) -> tuple[datetime, datetime] | None:
    """(time, end_time) a daily bar of `day` carries: the regular session when precise end times apply, otherwise
    midnight to midnight."""
    if precise_end_time:
        open_time = hours.regular_market_open(day)
        close_time = hours.regular_market_close(day)
        if open_time is None or close_time is None:
            return None
        return open_time, close_time
    start = datetime(day.year, day.month, day.day)
    return start, start + _ONE_DAY


class DailySessions:
    """Per exchange hours and day: whether the exchange opens and the window its daily bar carries, memoised
    because every daily subscription on one exchange walks the same weekends and holidays when it fills forward."""

    def __init__(self) -> None:
        self._sessions: dict[tuple[Any, date, bool], tuple[bool, tuple[datetime, datetime] | None]] = {}
        self._next: dict[tuple[Any, date, bool], tuple[date, tuple[datetime, datetime] | None] | None] = {}
        self._tables: dict[tuple[Any, bool], tuple[date, date, SessionTable]] = {}
        self._intervals: dict[tuple[Any, date, date, bool], tuple[np.ndarray, np.ndarray]] = {}

    def table(self, hours: Any, first: date, last: date, precise_end_time: bool) -> SessionTable:
        """The open days from `first` to `last` with their daily bar windows (one table per exchange hours, widened
        when a request reaches outside it)."""
        key = (hours, precise_end_time)
        held = self._tables.get(key)
        if held is None or first < held[0] or last > held[1]:
            if held is not None:
                first, last = min(first, held[0]), max(last, held[1])
            held = self._tables[key] = (first, last, _session_table(self, hours, first, last, precise_end_time))
        table = held[2]
        lo = int(np.searchsorted(table.days, first.toordinal() - _EPOCH_ORDINAL, side="left"))
        hi = int(np.searchsorted(table.days, last.toordinal() - _EPOCH_ORDINAL, side="right"))
        return SessionTable(table.days[lo:hi], table.starts[lo:hi], table.ends[lo:hi], table.has_window[lo:hi])

    def open_intervals(self, hours: Any, first: date, last: date, extended: bool) -> tuple[np.ndarray, np.ndarray]:
        """The exchange's open stretches [start, end) from `first` to `last` as naive local ns (memoised: the
        subscriptions of one exchange ask for the same days)."""
        key = (hours, first, last, extended)
        found = self._intervals.get(key)
        if found is None:
            starts, ends = _open_intervals(hours, first, last, extended)
            found = self._intervals[key] = (starts.view(np.int64), ends.view(np.int64))
        return found

    def session(self, hours: Any, day: date, precise_end_time: bool) -> tuple[bool, tuple[datetime, datetime] | None]:
        key = (hours, day, precise_end_time)
        found = self._sessions.get(key)
        if found is None:
            is_open = bool(hours.is_date_open(day))
            found = self._sessions[key] = (is_open, _daily_bar_window(hours, day, precise_end_time) if is_open
                                           else None)
        return found

    def next_session(self, hours: Any, day: date,
                     precise_end_time: bool) -> tuple[date, tuple[datetime, datetime] | None] | None:
        """The first day after `day` on which the exchange opens, with its daily bar window; None when it stays
        closed for a year (a feed never fills forward across that)."""
        key = (hours, day, precise_end_time)
        if key in self._next:
            return self._next[key]
        found = None
        candidate = day + _ONE_DAY
        for _ in range(366):
            is_open, window = self.session(hours, candidate, precise_end_time)
            if is_open:
                found = (candidate, window)
                break
            candidate += _ONE_DAY
        self._next[key] = found
        return found


def fill_forward(points: Iterator[BaseData], config: SubscriptionDataConfig, hours: Any, end_local: datetime,
                 clock: Clock, exchange_zone: ZoneInfo, precise_daily_end_time: bool,
                 sessions: DailySessions | None = None) -> Iterator[BaseData]:
    """Insert fill-forward copies of the previous point where the exchange was open but no data came.

    Daily data: one copy per open day without a bar. Intraday data: one copy per bar period in which the exchange
    (extended hours when the subscription asks for them) was open. Copies are flagged `is_fill_forward` and run until
    the next real point or the end of the backtest. `sessions` shares the daily windows between subscriptions.
    """
    increment = config.increment
    daily = increment >= _ONE_DAY
    extended = config.extended_market_hours
    previous: BaseData | None = None
    next_session = (sessions if sessions is not None else DailySessions()).next_session
    precise_window = precise_daily_end_time and not hours.always_open

    def gap(after: BaseData, until_end: datetime) -> Iterator[BaseData]:
        if daily:
            day = after.time.date()
            while True:
                found = next_session(hours, day, precise_window)
                if found is None:
                    return
                day, window = found
                # the open days run out at the next real point (closed days past it end the gap as well, since
                # every window ends after its own day starts)
                if window is None or window[1] >= until_end or window[0] > end_local:
                    return
                yield _copy(after, window[0], window[1])
        else:
            bar_end = after.end_time + increment
            while bar_end < until_end and bar_end - increment <= end_local:
                bar_start = bar_end - increment
                if hours.is_open(bar_start, extended):
                    yield _copy(after, bar_start, bar_end)
                    bar_end += increment
                else:
                    next_open = hours.get_next_market_open(bar_start, extended)
                    skip = max(1, -(-(next_open - bar_start) // increment))
                    bar_end += increment * skip

    def _copy(template: BaseData, time: datetime, end_time: datetime) -> BaseData:
        copy = template.clone(fill_forward=True)
        copy.time = time
        copy.end_time = end_time
        copy.end_time_utc = clock.to_utc(end_time, exchange_zone)
        return copy

    for point in points:
        if previous is not None and point.end_time - previous.end_time > increment:
            yield from gap(previous, point.end_time)
        yield point
        previous = point
    if previous is not None:
        yield from gap(previous, end_local + timedelta(microseconds=1) + _ONE_DAY)


class SessionTable(NamedTuple):
    """An exchange's open days over a date range, in order: the day (days since 1970-01-01), its daily bar window
    [start, end) as naive local ns (the day's midnight, twice, when it has none), and whether it has one."""

    days: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    has_window: np.ndarray


def _session_table(sessions: DailySessions, hours: Any, first: date, last: date, precise_end_time: bool) -> SessionTable:
    """Vectorised over the usual weekdays; the special dates (holidays, early closes, late opens) asked one by one."""
    numbers = np.arange(first.toordinal() - _EPOCH_ORDINAL, last.toordinal() - _EPOCH_ORDINAL + 1, dtype=np.int64)
    weekdays = (numbers + 3) % 7  # 1970-01-01 was a Thursday
    weekday_open = np.zeros(7, dtype=bool)
    weekday_start = np.zeros(7, dtype=np.int64)
    weekday_end = np.full(7, _NS_PER_DAY, dtype=np.int64)
    for weekday in range(7):
        market = [segment for segment in hours.weekly_segments(weekday) if segment.state == MarketHoursState.MARKET]
        weekday_open[weekday] = any(segment.end > segment.start for segment in market)
        if market and precise_end_time:
            weekday_start[weekday] = _offset_ns(market[0].start)
            weekday_end[weekday] = _offset_ns(market[-1].end)
    is_open = weekday_open[weekdays]
    midnights = numbers * _NS_PER_DAY
    starts = midnights + weekday_start[weekdays]
    ends = midnights + weekday_end[weekdays]
    has_window = np.ones(len(numbers), dtype=bool)
    for index in np.flatnonzero(special_day_mask(hours, numbers)).tolist():
        day_open, window = sessions.session(hours, date.fromordinal(int(numbers[index]) + _EPOCH_ORDINAL),
                                            precise_end_time)
        is_open[index] = day_open
        has_window[index] = window is not None
        starts[index] = midnights[index] if window is None else _naive_ns(window[0])
        ends[index] = midnights[index] if window is None else _naive_ns(window[1])
    return SessionTable(numbers[is_open], starts[is_open], ends[is_open], has_window[is_open])


_EPOCH = datetime(1970, 1, 1)
_ONE_MICROSECOND = timedelta(microseconds=1)
ROW, FILL, OBJECT = 0, 1, 2
"""Kinds of a segment's entries: a row of its block, a fill-forward copy of a row, a data object."""


def _naive_datetime(nanoseconds: int) -> datetime:
    """Nanoseconds since 1970-01-01 → a naive datetime (to the microsecond, as numpy's conversion gives it)."""
    return _EPOCH + timedelta(microseconds=nanoseconds // 1000)


def _naive_ns(moment: datetime) -> int:
    return (moment - _EPOCH) // _ONE_MICROSECOND * 1000


def _expand(firsts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The integer runs firsts[i], firsts[i] + 1, … (counts[i] of them), concatenated."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(counts) - counts
    return np.repeat(firsts - offsets, counts) + np.arange(total, dtype=np.int64)


class FillForward:
    """Where one subscription fills forward (the rules of `fill_forward`, computed for a block of rows at once).

    Daily data: one copy per open day without a bar, carrying that day's bar window. Intraday data: one copy per bar
    period whose start the exchange (extended hours when the subscription asks for them) is open at. Copies run
    until the next real point or the end of the backtest."""

    def __init__(self, config: SubscriptionDataConfig, hours: Any, end_local: datetime, precise_daily_end_time: bool,
                 sessions: DailySessions) -> None:
        self.increment = _naive_ns(_EPOCH + config.increment)
        self.daily = config.increment >= _ONE_DAY
        self.extended = config.extended_market_hours
        self.hours = hours
        self.end_local = _naive_ns(end_local)
        self.end_day = end_local.date()
        self.stream_end = _naive_ns(end_local + _ONE_MICROSECOND + _ONE_DAY)
        self.precise_window = precise_daily_end_time and not hours.always_open
        self.sessions = sessions

    def rows(self, times: np.ndarray, ends: np.ndarray, until: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(source row, start, end) of the copies after rows with bar starts `times` and ends `ends` (naive local
        ns, ends strictly increasing), in time order; `until` is the next row's end after the block (None: the
        stream ends with it)."""
        limits = np.empty(len(ends), dtype=np.int64)
        limits[:-1] = ends[1:]
        limits[-1] = self.stream_end if until is None else until
        gaps = np.flatnonzero(limits - ends > self.increment)
        if until is None and (len(gaps) == 0 or gaps[-1] != len(ends) - 1):
            gaps = np.append(gaps, len(ends) - 1)  # the last point fills forward to the end whatever its distance
        if len(gaps) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        if self.daily:
            return self._daily(gaps, times[gaps], limits[gaps])
        return self._intraday(gaps, ends[gaps], limits[gaps])

    def _daily(self, gaps: np.ndarray, times: np.ndarray, limits: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                                         np.ndarray]:
        gap_days = times // _NS_PER_DAY
        first = date.fromordinal(int(gap_days.min()) + _EPOCH_ORDINAL)
        table = self.sessions.table(self.hours, first, self.end_day, self.precise_window)
        firsts = np.searchsorted(table.days, gap_days, side="right")
        # a gap stops at: a day without a window, a year without sessions, a window reaching the next point, a
        # window starting after the end of the backtest
        stops = np.minimum(np.searchsorted(table.ends, limits, side="left"),
                           np.searchsorted(table.starts, self.end_local, side="right"))
        windowless = np.flatnonzero(~table.has_window)
        found = np.searchsorted(windowless, firsts, side="left")
        stops = np.minimum(stops, np.append(windowless, len(table.days))[found])
        long_breaks = np.flatnonzero(np.diff(table.days) > _YEAR_DAYS) + 1
        found = np.searchsorted(long_breaks, firsts, side="right")
        stops = np.minimum(stops, np.append(long_breaks, len(table.days))[found])
        first_days = np.append(table.days, np.iinfo(np.int64).max)[firsts]
        stops = np.where(first_days - gap_days > _YEAR_DAYS, firsts, stops)
        counts = np.maximum(stops - firsts, 0)
        sessions = _expand(firsts, counts)
        return np.repeat(gaps, counts), table.starts[sessions], table.ends[sessions]

    def _intraday(self, gaps: np.ndarray, ends: np.ndarray, limits: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                                           np.ndarray]:
        increment = self.increment
        lows = ends  # the first candidate copy starts where its source ends
        highs = np.minimum(limits - increment, self.end_local + 1)  # exclusive bound of the copies' starts
        first = date.fromordinal(int(lows.min()) // _NS_PER_DAY + _EPOCH_ORDINAL) - _ONE_DAY
        last = date.fromordinal(int(highs.max()) // _NS_PER_DAY + _EPOCH_ORDINAL) + _ONE_DAY
        open_starts, open_ends = self.sessions.open_intervals(self.hours, first, last, self.extended)
        # every (gap, open stretch) pair that overlaps, then the period grid of the gap inside that stretch
        firsts = np.searchsorted(open_ends, lows, side="right")
        pair_counts = np.maximum(np.searchsorted(open_starts, highs, side="left") - firsts, 0)
        pair_gaps = np.repeat(np.arange(len(gaps)), pair_counts)
        stretches = _expand(firsts, pair_counts)
        pair_lows = lows[pair_gaps]
        from_ = np.maximum(open_starts[stretches], pair_lows) - pair_lows
        to = np.minimum(open_ends[stretches], highs[pair_gaps]) - pair_lows
        first_steps = -(-from_ // increment)
        counts = np.maximum(-(-to // increment) - first_steps, 0)
        steps = _expand(first_steps, counts)
        copy_gaps = np.repeat(pair_gaps, counts)
        starts = lows[copy_gaps] + steps * increment
        return gaps[copy_gaps], starts, starts + increment


_YEAR_DAYS = 366


class Segment:
    """A run of one stream's points in stream order, with each point's end time in UTC (`utc`, ns). Entries are rows
    of `block`, fill-forward copies of them (with their own times), or data objects; `point` builds the object of an
    entry (a new bar for a row, the object itself otherwise)."""

    __slots__ = ("utc", "kinds", "block", "rows", "objects", "_times", "_ends")

    def __init__(self, utc: np.ndarray, kinds: list[int], block: BarBlock | None, rows: list[int],
                 objects: list[BaseData | None], times: np.ndarray | None = None,
                 ends: np.ndarray | None = None) -> None:
        self.utc = utc
        self.kinds = kinds
        self.block = block
        self.rows = rows
        self.objects = objects
        self._times = times
        self._ends = ends

    def __len__(self) -> int:
        return len(self.kinds)

    def point(self, position: int) -> BaseData:
        kind = self.kinds[position]
        if kind == ROW:
            return self.block.bar(self.rows[position])  # type: ignore[union-attr]
        if kind == OBJECT:
            return self.objects[position]  # type: ignore[return-value]
        # a fill-forward point: its own times, converted for this point only (a segment may span a whole history)
        block = self.block
        assert block is not None and self._times is not None and self._ends is not None
        bar = block.bar(self.rows[position])
        bar.is_fill_forward = True
        bar.time = _naive_datetime(int(self._times[position]))
        bar.end_time = _naive_datetime(int(self._ends[position]))
        bar.end_time_utc = _naive_datetime(int(self.utc[position]))
        return bar


def object_segments(points: Iterator[BaseData], read_ahead: int) -> Iterator[Segment]:
    """Segments of up to `read_ahead` points of an object stream (1 for streams that run user code, such as
    PythonData readers: a point is read only when the merge needs it)."""
    while True:
        chunk = list(islice(points, read_ahead))
        if not chunk:
            return
        utc = np.array([_naive_ns(point.end_time_utc) for point in chunk], dtype=np.int64)  # type: ignore[arg-type]
        yield Segment(utc, [OBJECT] * len(chunk), None, [0] * len(chunk), list(chunk))


def block_segments(blocks: Iterator[BarBlock], fill: FillForward | None, events: list[BaseData],
                   to_utc: Callable[[datetime], datetime], exchange_zone: ZoneInfo) -> Iterator[Segment]:
    """One segment per block: its rows, the fill-forward copies after them (`fill`; a block's last row fills up to
    the next block's first, so blocks are read one ahead), and the corporate `events` due by its last point (an
    event goes before a point ending at the same time; events after the stream's last point are dropped, as LEAN
    raises them only while it reads data)."""
    pending = iter(events)
    event = next(pending, None)
    block = next(blocks, None)
    while block is not None:
        following = next(blocks, None)
        times = block.times.view(np.int64)
        ends = block.ends.view(np.int64)
        until = None if following is None else int(following.ends.view(np.int64)[0])
        count = len(ends)
        kinds = np.zeros(count, dtype=np.int8)
        rows = np.arange(count, dtype=np.int64)
        utc = block.ends_utc.view(np.int64)
        if fill is not None:
            sources, fill_starts, fill_ends = fill.rows(times, ends, until)
            if len(sources):
                positions = np.arange(count) + np.searchsorted(sources, np.arange(count), side="left")
                total = count + len(sources)
                is_fill = np.ones(total, dtype=bool)
                is_fill[positions] = False

                def spread(real: np.ndarray, copies: np.ndarray, is_fill: np.ndarray = is_fill,
                           positions: np.ndarray = positions) -> np.ndarray:
                    merged = np.empty(len(is_fill), dtype=real.dtype)
                    merged[positions] = real
                    merged[is_fill] = copies
                    return merged

                fill_utc = convert_naive(fill_ends.view("datetime64[ns]"), exchange_zone, _UTC).view(np.int64)
                times, ends = spread(times, fill_starts), spread(ends, fill_ends)
                kinds, rows = spread(kinds, np.full(len(sources), FILL, dtype=np.int8)), spread(rows, sources)
                utc = spread(utc, fill_utc)
        objects: list[BaseData | None] = [None] * len(kinds)
        due: list[BaseData] = []
        last_end = int(ends[-1])
        while event is not None and _naive_ns(event.end_time) <= last_end:
            event.end_time_utc = to_utc(event.end_time)
            due.append(event)
            event = next(pending, None)
        if due:
            at = np.searchsorted(ends, [_naive_ns(e.end_time) for e in due], side="left")
            utc = np.insert(utc, at, [_naive_ns(e.end_time_utc) for e in due])  # type: ignore[arg-type]
            kinds = np.insert(kinds, at, OBJECT)
            rows = np.insert(rows, at, 0)
            times = np.insert(times, at, 0)
            ends = np.insert(ends, at, 0)
            for offset, (where, due_event) in enumerate(zip(at.tolist(), due, strict=True)):
                objects.insert(where + offset, due_event)
        yield Segment(utc, kinds.tolist(), block, rows.tolist(), objects, times, ends)
        block = following


@dataclass(eq=False)
class Subscription:
    """One data stream feeding one security, as segments in time order; internal streams (the benchmark) never reach
    on_data."""

    config: SubscriptionDataConfig
    security: Any
    segments: Iterator[Segment]


Member = tuple[int, Segment, int]
"""One point of a time step: (subscription index, its segment, its position in the segment)."""


ROUND_POINTS = 65_536
"""Points a merge round takes from long segments, shared between the streams: the members of a round's steps are made
at once, so rounds stay bounded however long a file is (a daily file holds its whole history) and however many
streams there are (down to `_MIN_ROUND_SHARE` points per stream)."""
_MIN_ROUND_SHARE = 64


def merge_steps(subscriptions: list[Subscription]) -> Iterator[tuple[datetime, list[Member]]]:
    """Merge the subscriptions' segments into (utc_time, members) time steps, in time order; within a step points keep
    the subscriptions' order, then each stream's order.

    Each round emits, with one stable sort, every buffered point earlier than the horizon: the smallest last-buffered
    time among the streams not yet exhausted (a later segment may still bring points at that time), lowered to the
    time of the last point of a stream's share of `ROUND_POINTS`. A stream whose buffered points all lie at one time reads
    its next segment."""
    count = len(subscriptions)
    sources = [sub.segments for sub in subscriptions]
    buffers: list[list[tuple[Segment, int]]] = [[] for _ in range(count)]
    exhausted = [False] * count
    while True:
        for index in range(count):
            buffer = buffers[index]
            if exhausted[index] or (buffer and buffer[0][0].utc[buffer[0][1]] != buffer[-1][0].utc[-1]):
                continue
            segment = next(sources[index], None)
            if segment is None:
                exhausted[index] = True
            else:
                buffer.append((segment, 0))
        horizon = min((int(buffers[i][-1][0].utc[-1]) for i in range(count) if not exhausted[i]), default=None)
        # long segments (whole-history files) share ROUND_POINTS points a round between the streams that hold some
        share = max(_MIN_ROUND_SHARE, ROUND_POINTS // max(1, sum(1 for buffer in buffers if buffer)))
        for buffer in buffers:
            if buffer:
                segment, begin = buffer[0]
                if len(segment) - begin > share:
                    capped = int(segment.utc[begin + share - 1])
                    if capped > segment.utc[begin] and (horizon is None or capped < horizon):
                        horizon = capped
        segments: list[Segment] = []
        parts: list[tuple[np.ndarray, int, int, int]] = []
        for index, buffer in enumerate(buffers):
            remaining = []
            for segment, begin in buffer:
                if horizon is None:
                    stop = len(segment)
                elif len(segment) - begin == 1:  # a stream read a point at a time: no numpy call for one comparison
                    stop = begin + int(segment.utc[begin] < horizon)
                else:
                    stop = max(begin, int(np.searchsorted(segment.utc, horizon, side="left")))
                if stop > begin:
                    parts.append((segment.utc[begin:stop], index, len(segments), begin))
                    segments.append(segment)
                if stop < len(segment):
                    remaining.append((segment, stop))
            buffers[index] = remaining
        if not parts:
            if horizon is None:
                return
            continue
        yield from _steps(parts, segments)


def _steps(parts: list[tuple[np.ndarray, int, int, int]], segments: list[Segment]) -> Iterator[tuple[datetime,
                                                                                                     list[Member]]]:
    """Time steps of one round's points (`parts`: per segment run, its end times, subscription index, segment index
    and first position), in time, subscription, stream order."""
    sizes = [len(utc) for utc, _, _, _ in parts]
    if sum(sizes) <= _SMALL_ROUND:
        yield from _small_steps(parts, segments)
        return
    utc = np.concatenate([part[0] for part in parts])
    order = np.argsort(utc, kind="stable")
    utc = utc[order]
    subscription_indices = np.repeat([part[1] for part in parts], sizes)[order].tolist()
    segment_indices = np.repeat([part[2] for part in parts], sizes)[order].tolist()
    positions = np.concatenate([np.arange(begin, begin + size) for (_, _, _, begin), size
                                in zip(parts, sizes, strict=True)])[order].tolist()
    bounds = np.flatnonzero(np.diff(utc)) + 1
    step_times = utc[np.concatenate(([0], bounds))].view("datetime64[ns]").astype("datetime64[us]").tolist()
    starts = [0, *bounds.tolist()]
    ends = [*starts[1:], len(utc)]
    members = list(zip(subscription_indices, map(segments.__getitem__, segment_indices), positions, strict=True))
    for step_time, begin, stop in zip(step_times, starts, ends, strict=True):
        yield step_time, members[begin:stop]


_SMALL_ROUND = 32
"""Rounds of at most this many points (streams read a point at a time, such as PythonData) are ordered in Python:
numpy's per-call overhead would cost more than the sort."""


def _small_steps(parts: list[tuple[np.ndarray, int, int, int]],
                 segments: list[Segment]) -> Iterator[tuple[datetime, list[Member]]]:
    """`_steps` for a small round: a stable sort on the end times keeps the parts' (subscription, stream) order."""
    entries = sorted(((time, index, segments[segment_index], begin + offset)
                      for utc, index, segment_index, begin in parts
                      for offset, time in enumerate(utc.tolist())), key=itemgetter(0))
    for time, members in groupby(entries, key=itemgetter(0)):
        yield _naive_datetime(time), [(index, segment, position) for _, index, segment, position in members]
