"""The data feed: per-subscription point streams, fill-forward, and their merge into time slices.

Streams are merged lazily by `end_time_utc` with a heap (nothing is loaded up front); all points sharing an end time
form one time slice, as LEAN's synchronizer emits them.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from ..data.market import BaseData
from .config import SubscriptionDataConfig

_UTC = ZoneInfo("UTC")
_ONE_DAY = timedelta(days=1)
_ONE_HOUR = timedelta(hours=1)


class Clock:
    """Naive local ↔ naive UTC conversions, memoised per (zone, hour) because the loop asks them constantly."""

    @staticmethod
    @lru_cache(maxsize=65536)
    def _utc_offset(zone: ZoneInfo, utc_hour: datetime) -> timedelta:
        offset = utc_hour.replace(tzinfo=_UTC).astimezone(zone).utcoffset()
        return offset if offset is not None else timedelta(0)

    def __init__(self) -> None:
        self._last: tuple[ZoneInfo, datetime, datetime, timedelta] | None = None

    def to_local(self, utc_time: datetime, zone: ZoneInfo) -> datetime:
        """Naive UTC → naive local time in `zone`."""
        last = self._last
        if last is not None and last[0] is zone and last[1] <= utc_time < last[2]:
            return utc_time + last[3]
        hour = utc_time.replace(minute=0, second=0, microsecond=0)
        offset = self._utc_offset(zone, hour)
        self._last = (zone, hour, hour + _ONE_HOUR, offset)
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
    """One data stream feeding one security; internal streams (the benchmark) never reach on_data."""

    config: SubscriptionDataConfig
    security: Any
    points: Iterator[BaseData]


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

    def session(self, hours: Any, day: date, precise_end_time: bool) -> tuple[bool, tuple[datetime, datetime] | None]:
        key = (hours, day, precise_end_time)
        found = self._sessions.get(key)
        if found is None:
            is_open = bool(hours.is_date_open(day))
            found = self._sessions[key] = (is_open, _daily_bar_window(hours, day, precise_end_time) if is_open
                                           else None)
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
    daily_session = (sessions if sessions is not None else DailySessions()).session
    precise_window = precise_daily_end_time and not hours.always_open

    def gap(after: BaseData, until_end: datetime) -> Iterator[BaseData]:
        if daily:
            day = after.time.date() + _ONE_DAY
            while True:
                is_open, window = daily_session(hours, day, precise_window)
                if not is_open:
                    day += _ONE_DAY
                    if datetime(day.year, day.month, day.day) > until_end:
                        return
                    continue
                if window is None or window[1] >= until_end or window[0] > end_local:
                    return
                yield _copy(after, window[0], window[1])
                day += _ONE_DAY
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


def merge_slices(subscriptions: list[Subscription]) -> Iterator[tuple[datetime, list[tuple[Subscription, BaseData]]]]:
    """Merge the subscriptions' streams into (utc_time, [(subscription, point), ...]) time slices, in time order;
    within a slice points keep the subscriptions' order (the heap orders equal times by subscription index)."""
    heap: list[tuple[datetime, int, BaseData]] = []
    streams = [sub.points for sub in subscriptions]
    for index, stream in enumerate(streams):
        first = next(stream, None)
        if first is not None:
            heap.append((first.end_time_utc, index, first))  # type: ignore[arg-type]
    heapq.heapify(heap)
    pop, replace = heapq.heappop, heapq.heapreplace
    while heap:
        slice_time = heap[0][0]
        members: list[tuple[Subscription, BaseData]] = []
        while heap and heap[0][0] == slice_time:
            _, index, point = heap[0]
            members.append((subscriptions[index], point))
            following = next(streams[index], None)
            if following is None:
                pop(heap)
            else:
                replace(heap, (following.end_time_utc, index, following))  # type: ignore[arg-type,misc]
        yield slice_time, members
