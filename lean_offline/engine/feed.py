"""The data feed: per-subscription point streams, fill-forward, and their merge into time slices.

Streams are merged lazily by `end_time_utc`, a bounded chunk at a time (nothing is loaded up front); all points sharing
an end time form one time slice, as LEAN's synchronizer emits them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import groupby, islice, repeat
from operator import attrgetter, itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from ..data.market import BaseData
from .config import SubscriptionDataConfig

_UTC = ZoneInfo("UTC")
_ONE_DAY = timedelta(days=1)
_ONE_HOUR = timedelta(hours=1)
_LAST_HOUR_OF_DAY = timedelta(hours=23)
_END_UTC = attrgetter("end_time_utc")
_TIME = itemgetter(0)
READ_AHEAD = 512
"""Points a file-backed stream may be read ahead of the slice being emitted (LEAN's feed also reads ahead)."""


class Clock:
    """Naive local ↔ naive UTC conversions, memoised (per zone, the span its current offset holds for) because the loop
    asks them at every time step."""

    @staticmethod
    @lru_cache(maxsize=65536)
    def _utc_offset(zone: ZoneInfo, utc_hour: datetime) -> timedelta:
        offset = utc_hour.replace(tzinfo=_UTC).astimezone(zone).utcoffset()
        return offset if offset is not None else timedelta(0)

    def __init__(self) -> None:
        self._spans: dict[ZoneInfo, tuple[datetime, datetime, timedelta]] = {}

    def to_local(self, utc_time: datetime, zone: ZoneInfo) -> datetime:
        """Naive UTC → naive local time in `zone`."""
        span = self._spans.get(zone)
        if span is not None and span[0] <= utc_time < span[1]:
            return utc_time + span[2]
        hour = utc_time.replace(minute=0, second=0, microsecond=0)
        offset = self._utc_offset(zone, hour)
        # the offset holds for the next 24 hours when it is the same at their last hour: zones change offset at
        # most once a day (months apart in practice)
        length = _ONE_DAY if self._utc_offset(zone, hour + _LAST_HOUR_OF_DAY) == offset else _ONE_HOUR
        self._spans[zone] = (hour, hour + length, offset)
        return utc_time + offset

    @staticmethod
    @lru_cache(maxsize=65536)
    def _local_to_utc_hour(zone: ZoneInfo, local_hour: datetime) -> timedelta:
        aware = local_hour.replace(tzinfo=zone)
        offset = aware.utcoffset()
        return offset if offset is not None else timedelta(0)

    def to_utc(self, local_time: datetime, zone: ZoneInfo) -> datetime:
        """Naive local time in `zone` → naive UTC (ambiguous times take the first occurrence, as NodaTime's
        lenient resolver does)."""
        hour = local_time.replace(minute=0, second=0, microsecond=0)
        return local_time - self._local_to_utc_hour(zone, hour)


@dataclass(eq=False)
class Subscription:
    """One data stream feeding one security; internal streams (the benchmark) never reach on_data. `read_ahead`: how
    many points the merge may read before they are due (1 for streams that run user code, such as PythonData
    readers)."""

    config: SubscriptionDataConfig
    security: Any
    points: Iterator[BaseData]
    read_ahead: int = READ_AHEAD


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


def merge_slices(subscriptions: list[Subscription]) -> Iterator[tuple[datetime, list[tuple[datetime, int, BaseData]]]]:
    """Merge the subscriptions' streams into (utc_time, [(utc_time, subscription index, point), ...]) time slices,
    in time order; within a slice points keep the subscriptions' order, then each stream's order.

    Streams are read in chunks of up to `Subscription.read_ahead` points; each round emits, with one stable C-level
    sort, every buffered point earlier than the horizon: the smallest last-buffered time among the streams not yet
    exhausted (a later read may still bring points at that time). A stream whose buffer reaches the horizon reads its
    next chunk."""
    count = len(subscriptions)
    streams = [sub.points for sub in subscriptions]
    chunk_sizes = [sub.read_ahead for sub in subscriptions]
    buffers: list[list[BaseData]] = [[] for _ in range(count)]
    exhausted = [False] * count
    while True:
        for index in range(count):
            if exhausted[index]:
                continue
            buffer = buffers[index]
            if buffer and buffer[0].end_time_utc != buffer[-1].end_time_utc:
                continue  # it still holds points before its own last time
            fresh = list(islice(streams[index], chunk_sizes[index]))
            if len(fresh) < chunk_sizes[index]:
                exhausted[index] = True
            buffer.extend(fresh)
        horizon = min((_END_UTC(buffers[i][-1]) for i in range(count) if not exhausted[i] and buffers[i]),
                      default=None)
        batch: list[tuple[datetime, int, BaseData]] = []
        for index, buffer in enumerate(buffers):
            if not buffer:
                continue
            stop = len(buffer) if horizon is None else bisect_left(buffer, horizon, key=_END_UTC)
            if stop:
                batch.extend(zip(map(_END_UTC, buffer[:stop]), repeat(index), buffer[:stop]))
                del buffer[:stop]
        if not batch:
            if horizon is None:
                return
            continue
        batch.sort(key=_TIME)
        for slice_time, members in groupby(batch, _TIME):
            yield slice_time, list(members)
