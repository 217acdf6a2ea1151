"""Invariants of the engine core's speed-ups: the runner's schedule guard (`ScheduleManager.next_due_utc`) never
skips an event, and the daily-session memo shared by fill-forward streams never mixes two exchanges."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.data.market import TradeBar
from lean_offline.data.symbol import Symbol
from lean_offline.engine.config import SubscriptionDataConfig
from lean_offline.engine.feed import Clock, DailySessions, fill_forward
from lean_offline.engine.scheduling import ScheduledEvent, ScheduleManager
from lean_offline.enums import Resolution, SecurityType

BASE = datetime(2020, 1, 1)
SPY = Symbol.create("SPY", SecurityType["EQUITY"], "usa")

# ---- schedule guard ---------------------------------------------------------------------------------------------


def _run_schedule(event_minutes: list[list[int]], slice_minutes: list[int], add_at: int | None,
                  guarded: bool) -> list[tuple[str, datetime, datetime]]:
    """Drive a ScheduleManager as the runner does (scan past events, clock to the slice, set_time) and log every
    firing with the clock; `guarded` skips the calls while the slice time is before `next_due_utc`."""
    algorithm = SimpleNamespace(utc_time=BASE)
    schedule = ScheduleManager(algorithm, "America/New_York")
    fired: list[tuple[str, datetime, datetime]] = []

    def set_clock(utc: datetime) -> None:
        algorithm.utc_time = utc

    def logger(name: str) -> Callable[[], None]:
        def callback() -> None:
            fired.append((name, algorithm.utc_time, algorithm.utc_time))
            if name == "e0" and add_at is not None and not any(n == "added" for n, _, _ in fired):
                # an event created inside a callback must be picked up at once
                times = [algorithm.utc_time + timedelta(minutes=add_at)]
                schedule.add(ScheduledEvent("added", times, logger("added")))
        return callback

    for index, minutes in enumerate(event_minutes):
        times = [BASE + timedelta(minutes=m) for m in sorted(set(minutes))]
        schedule.add(ScheduledEvent(f"e{index}", times, logger(f"e{index}")))
    schedule.start(BASE)
    for minute in sorted(set(slice_minutes)):
        slice_utc = BASE + timedelta(minutes=minute)
        if not guarded or slice_utc > schedule.next_due_utc:
            schedule.scan_past_events(slice_utc, set_clock)
        set_clock(slice_utc)
        if not guarded or slice_utc >= schedule.next_due_utc:
            schedule.set_time(slice_utc)
    return fired


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.integers(0, 120), max_size=8), min_size=1, max_size=4),
       st.lists(st.integers(0, 150), min_size=1, max_size=30), st.one_of(st.none(), st.integers(0, 30)))
def test_guarded_scans_fire_exactly_what_unguarded_scans_fire(event_minutes: list[list[int]],
                                                              slice_minutes: list[int], add_at: int | None) -> None:
    assert _run_schedule(event_minutes, slice_minutes, add_at, guarded=True) == \
        _run_schedule(event_minutes, slice_minutes, add_at, guarded=False)


def test_next_due_is_the_earliest_pending_event_after_scans() -> None:
    algorithm = SimpleNamespace(utc_time=BASE)
    schedule = ScheduleManager(algorithm, "America/New_York")
    schedule.add(ScheduledEvent("a", [BASE + timedelta(hours=h) for h in (1, 5)]))
    schedule.add(ScheduledEvent("b", [BASE + timedelta(hours=3)]))
    assert schedule.next_due_utc == datetime.min  # unknown until the events are ordered
    schedule.start(BASE)
    schedule.scan_past_events(BASE + timedelta(hours=2))
    assert schedule.next_due_utc == BASE + timedelta(hours=3)
    schedule.set_time(BASE + timedelta(hours=3))
    assert schedule.next_due_utc == BASE + timedelta(hours=5)
    schedule.set_time(BASE + timedelta(hours=5))
    assert schedule.next_due_utc == datetime.max


# ---- shared daily sessions --------------------------------------------------------------------------------------


class _Exchange:
    """Exchange hours open every day except `closed` (midnight-to-midnight daily bars)."""

    always_open = False

    def __init__(self, closed: set[date]) -> None:
        self.closed = closed

    def is_date_open(self, day: date, extended_market_hours: bool = False) -> bool:
        return day not in self.closed


def _daily_bar(day: date) -> TradeBar:
    start = datetime(day.year, day.month, day.day)
    bar = TradeBar(start, SPY, 1, 1, 1, 1, 0, timedelta(days=1))
    bar.end_time_utc = bar.end_time
    return bar


def _config() -> SubscriptionDataConfig:
    return SubscriptionDataConfig(type=TradeBar, symbol=SPY, resolution=Resolution["DAILY"], data_time_zone="UTC",
                                  exchange_time_zone="UTC", fill_data_forward=True, extended_market_hours=False)


days_strategy = st.sets(st.integers(0, 40), max_size=20)


@settings(max_examples=100, deadline=None)
@given(days_strategy, days_strategy, days_strategy, days_strategy)
def test_shared_sessions_fill_each_exchange_on_its_own_open_days(closed_a: set[int], closed_b: set[int],
                                                                 bars_a: set[int], bars_b: set[int]) -> None:
    first = date(2020, 1, 1)
    last_day = first + timedelta(days=40)
    end_local = datetime(last_day.year, last_day.month, last_day.day, 23, 59)
    sessions = DailySessions()
    for closed, bars in ((closed_a, bars_a), (closed_b, bars_b)):
        closed_days = {first + timedelta(days=n) for n in closed}
        bar_days = sorted(first + timedelta(days=n) for n in bars if first + timedelta(days=n) not in closed_days)
        out = list(fill_forward(iter([_daily_bar(d) for d in bar_days]), _config(), _Exchange(closed_days), end_local,
                                Clock(), ZoneInfo("UTC"), False, sessions))
        filled = [p.time.date() for p in out if p.is_fill_forward]
        # the independent reference: every open day after the first bar, up to the end, that has no bar of its own
        expected = [] if not bar_days else [
            first + timedelta(days=n) for n in range(41)
            if first + timedelta(days=n) > bar_days[0] and first + timedelta(days=n) not in closed_days
            and first + timedelta(days=n) not in bar_days]
        assert filled == expected
        assert [p.time.date() for p in out if not p.is_fill_forward] == bar_days
