"""The feed: heap merge into time slices, LEAN's reader window filter, fill-forward, and time-zone conversions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.data.market import TradeBar
from lean_offline.data.market_hours import SecurityExchangeHours
from lean_offline.data.symbol import Symbol
from lean_offline.engine import feed
from lean_offline.engine.config import SubscriptionDataConfig
from lean_offline.engine.feed import Clock, Subscription, fill_forward, merge_steps, object_segments
from lean_offline.enums import Resolution, SecurityType

NY = ZoneInfo("America/New_York")
SPY = Symbol.create("SPY", SecurityType["EQUITY"], "usa")


def _bar(end_utc: datetime, close: float = 1.0) -> TradeBar:
    bar = TradeBar(end_utc - timedelta(hours=1), SPY, close, close, close, close, 0, timedelta(hours=1))
    bar.end_time_utc = end_utc
    return bar


def _config(resolution: Any = Resolution["HOUR"], fill: bool = True) -> SubscriptionDataConfig:
    return SubscriptionDataConfig(type=TradeBar, symbol=SPY, resolution=resolution, data_time_zone="UTC",
                                  exchange_time_zone="UTC", fill_data_forward=fill, extended_market_hours=False)


@given(st.lists(st.lists(st.integers(min_value=0, max_value=50), max_size=20), min_size=1, max_size=5),
       st.integers(min_value=1, max_value=7))
def test_merge_groups_equal_end_times_in_time_order(offsets: list[list[int]], read_ahead: int) -> None:
    base = datetime(2020, 1, 1)
    subscriptions = [
        Subscription(_config(), None, object_segments(iter([_bar(base + timedelta(hours=h))
                                                            for h in sorted(set(hours))]), read_ahead))
        for hours in offsets
    ]
    slices = list(merge_steps(subscriptions))
    times = [t for t, _ in slices]
    expected_times = sorted({base + timedelta(hours=h) for hours in offsets for h in hours})
    assert times == expected_times
    for slice_time, members in slices:
        assert all(segment.point(position).end_time_utc == slice_time for _, segment, position in members)
        indices = [index for index, _, _ in members]
        assert indices == sorted(indices)
    assert sum(len(m) for _, m in slices) == sum(len(set(h)) for h in offsets)


@given(st.lists(st.lists(st.integers(min_value=0, max_value=60), max_size=40), min_size=1, max_size=5),
       st.integers(min_value=1, max_value=9))
def test_merge_rounds_capped_by_round_points_keep_every_point_in_order(offsets: list[list[int]],
                                                                        round_points: int) -> None:
    """Long segments (one per stream here) are taken a share of ROUND_POINTS at a time: the steps are those of the
    uncapped merge."""
    base = datetime(2020, 1, 1)

    def subscriptions() -> list[Subscription]:
        return [Subscription(_config(), None, object_segments(iter([_bar(base + timedelta(hours=h))
                                                                    for h in sorted(set(hours))]), 1000))
                for hours in offsets]

    def steps() -> list[tuple[datetime, list[tuple[int, float]]]]:
        return [(time, [(index, segment.point(position).end_time_utc) for index, segment, position in members])
                for time, members in merge_steps(subscriptions())]

    uncapped = steps()
    with mock.patch.object(feed, "ROUND_POINTS", round_points), mock.patch.object(feed, "_MIN_ROUND_SHARE", 1):
        assert steps() == uncapped
    assert [time for time, _ in uncapped] == sorted({base + timedelta(hours=h) for hours in offsets for h in hours})


@given(st.lists(st.lists(st.integers(min_value=0, max_value=40), max_size=30), min_size=1, max_size=5),
       st.integers(min_value=1, max_value=9))
def test_small_rounds_ordered_in_python_match_the_numpy_order(offsets: list[list[int]], read_ahead: int) -> None:
    base = datetime(2020, 1, 1)

    def steps() -> list[tuple[datetime, list[tuple[int, datetime]]]]:
        subscriptions = [Subscription(_config(), None, object_segments(iter(
            [_bar(base + timedelta(hours=h), float(h)) for h in sorted(hours)]), read_ahead)) for hours in offsets]
        return [(time, [(index, segment.point(position).end_time_utc) for index, segment, position in members])
                for time, members in merge_steps(subscriptions)]

    with mock.patch.object(feed, "_SMALL_ROUND", 0):
        by_numpy = steps()
    with mock.patch.object(feed, "_SMALL_ROUND", 10**9):
        assert steps() == by_numpy


def test_merge_keeps_each_streams_order_for_points_at_one_time() -> None:
    base = datetime(2020, 1, 1)
    first, second, third = _bar(base, 1.0), _bar(base, 2.0), _bar(base + timedelta(hours=1), 3.0)
    other = _bar(base, 9.0)
    steps = list(merge_steps([Subscription(_config(), None, object_segments(iter([first, second, third]), 1)),
                              Subscription(_config(), None, object_segments(iter([other]), 2))]))
    assert [[(index, segment.point(position).close) for index, segment, position in members]
            for _, members in steps] == [[(0, 1.0), (0, 2.0), (1, 9.0)], [(0, 3.0)]]


def test_clock_round_trips_across_daylight_saving() -> None:
    clock = Clock()
    # 2013-11-03 02:00 EDT → EST; 06:00 UTC is 01:00 EST, 04:00 UTC is 00:00 EDT.
    assert clock.to_local(datetime(2013, 11, 3, 4), NY) == datetime(2013, 11, 3, 0)
    assert clock.to_local(datetime(2013, 11, 3, 7), NY) == datetime(2013, 11, 3, 2)
    assert clock.to_utc(datetime(2013, 10, 8, 16), NY) == datetime(2013, 10, 8, 20)
    assert clock.to_utc(datetime(2013, 12, 8, 16), NY) == datetime(2013, 12, 8, 21)


def test_clock_to_local_matches_zoneinfo_hour_by_hour_through_both_transitions() -> None:
    clock = Clock()
    utc = ZoneInfo("UTC")
    for first in (datetime(2013, 3, 6), datetime(2013, 10, 30)):
        for step in range(8 * 24 * 4):  # every quarter hour of eight days around the change, in time order
            moment = first + timedelta(minutes=15 * step)
            expected = moment.replace(tzinfo=utc).astimezone(NY).replace(tzinfo=None)
            assert clock.to_local(moment, NY) == expected, moment


def test_fill_forward_daily_fills_each_open_day_without_a_bar() -> None:
    hours = SecurityExchangeHours.always_open_hours("UTC")
    clock = Clock()
    utc = ZoneInfo("UTC")
    first = TradeBar(datetime(2020, 1, 1), SPY, 1, 1, 1, 1, 0, timedelta(days=1))
    first.end_time_utc = first.end_time
    third = TradeBar(datetime(2020, 1, 4), SPY, 2, 2, 2, 2, 0, timedelta(days=1))
    third.end_time_utc = third.end_time
    out = list(fill_forward(iter([first, third]), _config(Resolution["DAILY"]), hours, datetime(2020, 1, 5, 23, 59),
                            clock, utc, False))
    assert [(p.time.date(), p.is_fill_forward, p.close) for p in out] == [
        (date(2020, 1, 1), False, 1), (date(2020, 1, 2), True, 1), (date(2020, 1, 3), True, 1),
        (date(2020, 1, 4), False, 2), (date(2020, 1, 5), True, 2)]
    assert all(p.end_time_utc == p.end_time for p in out)


def test_fill_forward_intraday_only_while_the_exchange_is_open() -> None:
    hours = SecurityExchangeHours.always_open_hours("UTC")
    clock = Clock()
    bars = [_bar(datetime(2020, 1, 1, 10)), _bar(datetime(2020, 1, 1, 13))]
    for bar in bars:
        bar.end_time = bar.end_time_utc or bar.end_time
        bar.time = bar.end_time - timedelta(hours=1)
    out = list(fill_forward(iter(bars), _config(), hours, datetime(2020, 1, 1, 14), clock, ZoneInfo("UTC"), False))
    assert [(p.end_time.hour, p.is_fill_forward) for p in out] == [
        (10, False), (11, True), (12, True), (13, False), (14, True), (15, True)]


@pytest.mark.parametrize("zone_name", ["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Tehran",
                                       "Australia/Adelaide", "Australia/Lord_Howe", "Africa/Casablanca",
                                       "America/Boa_Vista", "Asia/Hong_Kong", "UTC"])
def test_clock_offset_span_ends_at_the_first_minute_with_another_offset(zone_name: str) -> None:
    """The span's end against a scan by zoneinfo, hour by hour and then minute by minute in the hour of the change:
    the first minute whose offset differs, or a year (366 days) ahead when none does. Casablanca's Ramadan months,
    Boa Vista's week of daylight-saving time in October 2000, and changes at half past a UTC hour (Tehran, Adelaide)
    or of half an hour (Lord Howe) included."""
    zone, utc = ZoneInfo(zone_name), ZoneInfo("UTC")

    def offset_at(moment: datetime) -> timedelta | None:
        return moment.replace(tzinfo=utc).astimezone(zone).utcoffset()

    for start in (datetime(1999, 12, 31, 23), datetime(2000, 10, 1, 3), datetime(2013, 3, 10, 6),
                  datetime(2019, 4, 1, 12), datetime(2021, 10, 2, 15, 45), datetime(2024, 2, 27, 1)):
        start_offset, cap, end = offset_at(start), start + timedelta(days=366), start
        while offset_at(end) == start_offset and end < cap:
            end += timedelta(hours=1)
        if end < cap:
            end -= timedelta(hours=1)
            while offset_at(end) == start_offset:
                end += timedelta(minutes=1)
        assert Clock().offset_span(start, zone) == (start, end, start_offset), start


def test_clock_offset_span_finds_an_offset_that_lasts_less_than_a_week_from_any_hour_before_it() -> None:
    """Boa Vista kept daylight-saving time for 6 days 23 hours in October 2000 (from 04:00 UTC on the 8th): from
    every hour of the week before, the span ends at that change, whatever the probes' step and alignment."""
    zone = ZoneInfo("America/Boa_Vista")
    change = datetime(2000, 10, 8, 4)
    for hours_before in range(1, 7 * 24 + 1):
        start = change - timedelta(hours=hours_before)
        assert Clock().offset_span(start, zone) == (start, change, timedelta(hours=-4)), start


@pytest.mark.parametrize(("zone_name", "first"), [("Australia/Adelaide", datetime(2021, 4, 3, 14)),
                                                  ("Australia/Adelaide", datetime(2021, 10, 2, 14)),
                                                  ("Australia/Lord_Howe", datetime(2021, 4, 3, 13)),
                                                  ("Australia/Lord_Howe", datetime(2021, 10, 2, 14)),
                                                  ("Pacific/Chatham", datetime(2021, 9, 25, 12)),
                                                  ("Asia/Tehran", datetime(2021, 9, 21, 18))])
def test_clock_matches_zoneinfo_minute_by_minute_through_changes_off_the_hour(zone_name: str,
                                                                              first: datetime) -> None:
    """Changes at half past a UTC hour (Adelaide, Tehran), of half an hour (Lord Howe) and at a quarter to a local
    hour (Chatham), both ways: `to_local` of every UTC minute, and `to_utc` of every local minute as NodaTime's
    lenient resolver has it (a skipped time moved forward by the gap, an ambiguous one at its first occurrence: what
    zoneinfo gives a wall time with fold 0)."""
    zone, utc = ZoneInfo(zone_name), ZoneInfo("UTC")
    clock = Clock()
    local_first = first.replace(tzinfo=utc).astimezone(zone).replace(tzinfo=None, minute=0)
    for step in range(6 * 60):
        moment = first + timedelta(minutes=step)
        assert clock.to_local(moment, zone) == moment.replace(tzinfo=utc).astimezone(zone).replace(tzinfo=None), moment
        local = local_first + timedelta(minutes=step)
        assert clock.to_utc(local, zone) == local.replace(tzinfo=zone).astimezone(utc).replace(tzinfo=None), local


@settings(max_examples=40, deadline=None)
@given(st.lists(st.datetimes(min_value=datetime(1998, 1, 1), max_value=datetime(2030, 12, 31)), min_size=1,
                max_size=60),
       st.sampled_from(["America/New_York", "Europe/London", "America/Chicago", "Asia/Hong_Kong", "UTC",
                        "Australia/Sydney"]),
       st.booleans())
def test_clock_to_local_matches_zoneinfo_in_any_order_over_decades(moments: list[datetime], zone_name: str,
                                                                   in_order: bool) -> None:
    """The clock keeps a zone's offset for the whole span it holds (up to its next change, searched ahead): any
    instant, in time order or jumping back and forth across the changes, converts as zoneinfo converts it."""
    zone, utc = ZoneInfo(zone_name), ZoneInfo("UTC")
    clock = Clock()
    for moment in sorted(moments) if in_order else moments:
        assert clock.to_local(moment, zone) == moment.replace(tzinfo=utc).astimezone(zone).replace(tzinfo=None)
