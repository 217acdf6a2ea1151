"""Scheduling: date rules against the NYSE calendar of exchange_calendars, time rules in UTC, LEAN's firing order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import exchange_calendars as xcals  # type: ignore[import-untyped]
import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.engine.scheduling import (
    DateRule,
    ScheduledEvent,
    ScheduledEventError,
    ScheduleManager,
    TimeRule,
    algorithm_end_of_day_event,
    local_to_utc,
    security_end_of_day_event,
)
from lean_offline.enums import DayOfWeek

NEW_YORK = ZoneInfo("America/New_York")
LEAN_DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "lean-data"


class Segment(NamedTuple):
    start: timedelta
    end: timedelta
    state: str


class XnysHours:
    """An exchange calendar built only from exchange_calendars' XNYS sessions (the independent reference)."""

    time_zone = NEW_YORK
    always_open = False

    def __init__(self) -> None:
        calendar = xcals.get_calendar("XNYS", start="2009-01-01", end="2021-12-31")
        schedule = calendar.schedule
        self.sessions = [stamp.date() for stamp in schedule.index]
        self._session_set = set(self.sessions)
        self._hours: dict[date, tuple[timedelta, timedelta]] = {}
        for stamp, row in schedule.iterrows():
            day = stamp.date()
            midnight = datetime(day.year, day.month, day.day)
            opened = row["open"].tz_convert(NEW_YORK).tz_localize(None).to_pydatetime()
            closed = row["close"].tz_convert(NEW_YORK).tz_localize(None).to_pydatetime()
            self._hours[day] = (opened - midnight, closed - midnight)

    def is_date_open(self, day: date, extended_market_hours: bool = False) -> bool:
        return day in self._session_set

    def get_next_trading_day(self, day: date) -> date:
        day += timedelta(days=1)
        while day not in self._session_set:
            day += timedelta(days=1)
        return day

    def get_previous_trading_day(self, day: date) -> date:
        day -= timedelta(days=1)
        while day not in self._session_set:
            day -= timedelta(days=1)
        return day

    def get_market_hours(self, day: date) -> tuple[Segment, ...]:
        if day not in self._hours:
            return ()
        opened, closed = self._hours[day]
        return (Segment(opened, closed, "market"),)


class FakeEntry(NamedTuple):
    exchange_hours: Any
    data_time_zone: ZoneInfo


class FakeDatabase:
    def __init__(self, hours: Any) -> None:
        self.hours = hours
        self.requests: list[tuple[str, str, Any]] = []

    def get_entry(self, market: str, ticker: str, security_type: Any) -> FakeEntry:
        self.requests.append((market, ticker, security_type))
        return FakeEntry(self.hours, NEW_YORK)


class FakeAlgorithm:
    def __init__(self, database: Any, utc_time: datetime) -> None:
        self.utc_time = utc_time
        self.securities: dict[Any, Any] = {}
        self.market_hours_database = database
        self.debug_messages: list[str] = []

    def debug(self, message: str) -> None:
        self.debug_messages.append(message)


@pytest.fixture(scope="module")
def xnys() -> XnysHours:
    return XnysHours()


@pytest.fixture
def algorithm(xnys: XnysHours) -> FakeAlgorithm:
    return FakeAlgorithm(FakeDatabase(xnys), datetime(2013, 1, 1, 5))


@pytest.fixture
def schedule(algorithm: FakeAlgorithm) -> ScheduleManager:
    return ScheduleManager(algorithm, "America/New_York")


def _sessions_frame(xnys: XnysHours, first: date, last: date) -> pd.Series:
    days = pd.to_datetime([day for day in xnys.sessions if first <= day <= last])
    return pd.Series(days, index=days)


def _dates(rule: DateRule, first: date, last: date) -> list[date]:
    return list(rule.get_dates(first, last))


# ---- date rules -------------------------------------------------------------------------------------------------

def test_week_start_moves_monday_holidays_to_tuesday(schedule: ScheduleManager) -> None:
    dates = _dates(schedule.date_rules.week_start("SPY"), date(2013, 1, 14), date(2013, 1, 31))
    assert dates == [date(2013, 1, 14), date(2013, 1, 22), date(2013, 1, 28)]  # 21st: Martin Luther King day
    labor_day_week = _dates(schedule.date_rules.week_start("SPY"), date(2014, 8, 25), date(2014, 9, 12))
    assert labor_day_week == [date(2014, 8, 25), date(2014, 9, 2), date(2014, 9, 8)]


def test_week_start_and_end_equal_first_and_last_nyse_session_of_each_week(schedule: ScheduleManager,
                                                                           xnys: XnysHours) -> None:
    first, last = date(2010, 1, 4), date(2020, 12, 27)  # a Monday .. a Sunday: whole weeks
    sessions = _sessions_frame(xnys, first, last)
    weeks = sessions.groupby(sessions.index.to_period("W-SUN"))
    expected_starts = [stamp.date() for stamp in weeks.min()]
    expected_ends = [stamp.date() for stamp in weeks.max()]
    assert _dates(schedule.date_rules.week_start("SPY"), first, last) == expected_starts
    assert _dates(schedule.date_rules.week_end("SPY"), first, last) == expected_ends


def test_week_start_offset_counts_trading_days(schedule: ScheduleManager) -> None:
    # second trading day: Tuesday normally, Wednesday when Monday is a holiday (2013-01-21)
    dates = _dates(schedule.date_rules.week_start("SPY", 1), date(2013, 1, 14), date(2013, 1, 27))
    assert dates == [date(2013, 1, 15), date(2013, 1, 23)]
    # Good Friday 2014-04-18: the week's last trading day is Thursday, one before it Wednesday
    assert _dates(schedule.date_rules.week_end("SPY"), date(2014, 4, 14), date(2014, 4, 20)) == [date(2014, 4, 17)]
    assert _dates(schedule.date_rules.week_end("SPY", 1), date(2014, 4, 14), date(2014, 4, 20)) == [
        date(2014, 4, 16)]


def test_week_rules_without_symbol_are_calendar_based(schedule: ScheduleManager) -> None:
    first, last = date(2013, 1, 1), date(2013, 3, 31)
    mondays = [day for day in pd.date_range(first, last, freq="W-MON").date]
    fridays = [day for day in pd.date_range(first, last, freq="W-FRI").date]
    wednesdays = [day for day in pd.date_range(first, last, freq="W-WED").date]
    assert _dates(schedule.date_rules.week_start(), first, last) == mondays  # 2013-01-21 is a Monday all the same
    assert _dates(schedule.date_rules.week_end(), first, last) == fridays
    assert _dates(schedule.date_rules.week_start(2), first, last) == wednesdays


def test_month_rules_follow_sessions(schedule: ScheduleManager, xnys: XnysHours) -> None:
    first, last = date(2010, 1, 1), date(2020, 12, 31)
    sessions = _sessions_frame(xnys, first, last)
    months = sessions.groupby(sessions.index.to_period("M"))
    assert _dates(schedule.date_rules.month_start("SPY"), first, last) == [s.date() for s in months.min()]
    assert _dates(schedule.date_rules.month_end("SPY"), first, last) == [s.date() for s in months.max()]
    third = [group.iloc[2].date() for _, group in months]
    assert _dates(schedule.date_rules.month_start("SPY", 2), first, last) == third
    calendar_firsts = list(pd.date_range(first, last, freq="MS").date)
    assert _dates(schedule.date_rules.month_start(), first, last) == calendar_firsts
    assert _dates(schedule.date_rules.month_end(), first, last) == list(pd.date_range(first, last, freq="ME").date)


def test_quarter_and_year_rules(schedule: ScheduleManager) -> None:
    first, last = date(2013, 1, 1), date(2014, 12, 31)
    # 2013-01-01 and 2014-01-01 are holidays: the first sessions are the 2nd
    assert _dates(schedule.date_rules.year_start("SPY"), first, last) == [date(2013, 1, 2), date(2014, 1, 2)]
    assert _dates(schedule.date_rules.quarter_end("SPY"), first, date(2013, 12, 31)) == [
        date(2013, 3, 28), date(2013, 6, 28), date(2013, 9, 30), date(2013, 12, 31)]  # 2013-03-29 Good Friday


def test_every_day_every_and_on(schedule: ScheduleManager, xnys: XnysHours) -> None:
    first, last = date(2013, 11, 25), date(2013, 12, 2)
    assert _dates(schedule.date_rules.every_day("SPY"), first, last) == [
        day for day in xnys.sessions if first <= day <= last]
    assert date(2013, 11, 28) not in _dates(schedule.date_rules.every_day("SPY"), first, last)  # Thanksgiving
    assert len(_dates(schedule.date_rules.every_day(), first, last)) == 8
    assert _dates(schedule.date_rules.every(DayOfWeek["MONDAY"], DayOfWeek["FRIDAY"]), first, last) == [
        date(2013, 11, 25), date(2013, 11, 29), date(2013, 12, 2)]
    assert _dates(schedule.date_rules.on(2013, 11, 27), first, last) == [date(2013, 11, 27)]
    assert _dates(schedule.date_rules.on(date(2013, 1, 2), datetime(2013, 11, 26, 15)), first, last) == [
        date(2013, 11, 26)]


def test_week_offset_out_of_range_is_refused(schedule: ScheduleManager) -> None:
    with pytest.raises(ValueError, match="offset"):
        schedule.date_rules.week_start("SPY", 5)
    with pytest.raises(ValueError, match="between 0 and 6"):
        schedule.date_rules.week_start(7)


# ---- time rules -------------------------------------------------------------------------------------------------

def _times(rule: TimeRule, *days: date) -> list[datetime]:
    return list(rule.create_utc_event_times(days))


def test_market_relative_times_use_exchange_hours_and_dst(schedule: ScheduleManager) -> None:
    rules = schedule.time_rules
    winter, summer, thanksgiving, black_friday = date(2013, 3, 8), date(2013, 3, 11), date(2013, 11, 28), \
        date(2013, 11, 29)
    # 09:30 ET + 30 min = 10:00 ET: 15:00 UTC in winter (EST), 14:00 UTC after the DST change of 2013-03-10
    assert _times(rules.after_market_open("SPY", 30), winter, summer) == [
        datetime(2013, 3, 8, 15), datetime(2013, 3, 11, 14)]
    # closed day → no event; early close 13:00 ET on 2013-11-29 → 12:50 ET = 17:50 UTC
    assert _times(rules.before_market_close("SPY", 10), thanksgiving, black_friday) == [
        datetime(2013, 11, 29, 17, 50)]
    assert _times(rules.before_market_close("SPY"), date(2013, 12, 24)) == [datetime(2013, 12, 24, 18)]
    assert _times(rules.after_market_close("SPY", 5), date(2013, 12, 2)) == [datetime(2013, 12, 2, 21, 5)]


def test_fixed_times_are_local_to_the_rule_time_zone(schedule: ScheduleManager) -> None:
    rules = schedule.time_rules
    assert _times(rules.at(10, 0), date(2013, 1, 2), date(2013, 7, 2)) == [
        datetime(2013, 1, 2, 15), datetime(2013, 7, 2, 14)]
    assert _times(rules.at(10, 0, 0, "UTC"), date(2013, 7, 2)) == [datetime(2013, 7, 2, 10)]
    assert _times(rules.at(timedelta(hours=9, minutes=45)), date(2013, 1, 2)) == [datetime(2013, 1, 2, 14, 45)]
    assert _times(rules.midnight, date(2013, 1, 2)) == [datetime(2013, 1, 2, 5)]
    assert _times(rules.noon, date(2013, 1, 2)) == [datetime(2013, 1, 2, 17)]
    assert _times(rules.every(timedelta(hours=6)), date(2013, 1, 2)) == [
        datetime(2013, 1, 2, 5), datetime(2013, 1, 2, 11), datetime(2013, 1, 2, 17), datetime(2013, 1, 2, 23)]


def test_time_rules_without_symbol_use_spy_hours(schedule: ScheduleManager, algorithm: FakeAlgorithm) -> None:
    assert _times(schedule.time_rules.after_market_open(minutes_after_open=1), date(2013, 1, 2)) == [
        datetime(2013, 1, 2, 14, 31)]
    assert ("usa", "SPY") in [(market, ticker) for market, ticker, _ in algorithm.market_hours_database.requests]


# ---- schedule manager and firing order --------------------------------------------------------------------------

def _run(schedule: ScheduleManager, algorithm: FakeAlgorithm, slices: list[datetime]) -> None:
    """A minimal runner: §E step 1 (past events, clock at each event) then step 5 (events due now)."""
    def set_clock(utc: datetime) -> None:
        algorithm.utc_time = utc

    for slice_utc in slices:
        schedule.scan_past_events(slice_utc, set_clock)
        algorithm.utc_time = slice_utc
        schedule.set_time(slice_utc)


def test_past_events_fire_in_order_with_the_clock_at_their_time(schedule: ScheduleManager,
                                                                algorithm: FakeAlgorithm) -> None:
    fired: list[tuple[str, datetime]] = []
    rules, times = schedule.date_rules, schedule.time_rules
    schedule.on(rules.every_day("SPY"), times.after_market_open("SPY"), lambda: fired.append(("open",
                                                                                             algorithm.utc_time)))
    schedule.on(rules.every_day("SPY"), times.before_market_close("SPY", 10),
                lambda: fired.append(("close", algorithm.utc_time)))
    algorithm.utc_time = datetime(2013, 1, 2, 5)
    schedule.start(algorithm.utc_time)
    _run(schedule, algorithm, [datetime(2013, 1, 2, 21), datetime(2013, 1, 3, 21)])
    assert fired == [("open", datetime(2013, 1, 2, 14, 30)), ("close", datetime(2013, 1, 2, 20, 50)),
                     ("open", datetime(2013, 1, 3, 14, 30)), ("close", datetime(2013, 1, 3, 20, 50))]


def test_events_at_the_slice_time_fire_in_set_time_not_before(schedule: ScheduleManager,
                                                              algorithm: FakeAlgorithm) -> None:
    fired: list[str] = []
    schedule.on(schedule.date_rules.every_day(), schedule.time_rules.at(10, 0),
                lambda: fired.append(f"{algorithm.utc_time:%d %H}"))
    schedule.start(algorithm.utc_time)
    slice_utc = datetime(2013, 1, 2, 15)  # exactly 10:00 ET
    algorithm.utc_time = slice_utc
    schedule.scan_past_events(slice_utc, None)
    assert fired == ["02 15"]  # only the previous day's event: the 2nd's is not strictly before the slice
    schedule.set_time(slice_utc)
    assert fired == ["02 15", "02 15"]
    assert schedule.next_event_utc_time == datetime(2013, 1, 3, 15)


def test_same_time_events_start_in_creation_order_then_follow_leans_reinsertion(schedule: ScheduleManager,
                                                                                algorithm: FakeAlgorithm) -> None:
    """Three daily midnight events (the last one the engine's Daily Sampling, added after start).

    Derived by hand from BacktestingRealTimeHandler: the first day fires in creation order; afterwards a fired head
    that ties the next event stays first, one that is later is re-inserted after an equal-time event found by the
    binary search, so the order rotates: day 2 sampling, first, second; day 3 second, sampling, first.
    """
    fired: list[str] = []
    rules, times = schedule.date_rules, schedule.time_rules
    schedule.on(rules.every_day(), times.midnight, lambda: fired.append("first"))
    schedule.on(rules.every_day(), times.at(0, 0), lambda: fired.append("second"))
    schedule.start(algorithm.utc_time)
    schedule.add_daily_sampling(lambda: fired.append("sampling"))
    _run(schedule, algorithm, [datetime(2013, 1, 3, 6)])
    assert fired == ["first", "second", "sampling", "sampling", "first", "second", "second", "sampling", "first"]


def test_reinsertion_after_firing_follows_leans_sorted_list(schedule: ScheduleManager,
                                                            algorithm: FakeAlgorithm) -> None:
    """A fired event whose next time is later than the following event goes AFTER an event with the same time,
    even one created later (BacktestingRealTimeHandler.SortFirstElement); a heap keyed by creation order would not."""
    fired: list[str] = []
    rules, times = schedule.date_rules, schedule.time_rules
    schedule.on(rules.on(date(2013, 1, 2), date(2013, 1, 3)), times.at(10, 0), lambda: fired.append("A"))
    schedule.on(rules.on(2013, 1, 3), times.at(10, 0), lambda: fired.append("B"))
    schedule.on(rules.on(2013, 1, 2), times.at(11, 0), lambda: fired.append("C"))
    schedule.start(algorithm.utc_time)
    _run(schedule, algorithm, [datetime(2013, 1, 4)])
    assert fired == ["A", "C", "B", "A"]


def test_head_that_ties_the_next_event_stays_first(schedule: ScheduleManager, algorithm: FakeAlgorithm) -> None:
    fired: list[str] = []
    rules, times = schedule.date_rules, schedule.time_rules
    schedule.on(rules.on(date(2013, 1, 2), date(2013, 1, 3)), times.at(10, 0), lambda: fired.append("A"))
    schedule.on(rules.on(2013, 1, 3), times.at(10, 0), lambda: fired.append("B"))
    schedule.start(algorithm.utc_time)
    _run(schedule, algorithm, [datetime(2013, 1, 4)])
    assert fired == ["A", "A", "B"]


def test_callbacks_with_and_without_arguments(schedule: ScheduleManager, algorithm: FakeAlgorithm) -> None:
    received: list[Any] = []

    class Handler:
        def with_args(self, name: str, time: datetime) -> None:
            received.append((name, time))

        def without_args(self) -> None:
            received.append("no args")

    handler = Handler()
    schedule.on(schedule.date_rules.on(2013, 1, 2), schedule.time_rules.at(9, 0), handler.with_args)
    schedule.on("named", schedule.date_rules.on(2013, 1, 2), schedule.time_rules.at(9, 0), handler.without_args)
    schedule.start(algorithm.utc_time)
    _run(schedule, algorithm, [datetime(2013, 1, 3)])
    assert received == [("1/2/2013: 9", datetime(2013, 1, 2, 14)), "no args"]
    assert [event.name for event in schedule.events] == ["1/2/2013: 9", "named"]


def test_pascal_case_api(schedule: ScheduleManager, algorithm: FakeAlgorithm) -> None:
    fired: list[datetime] = []
    event = schedule.On(schedule.DateRules.WeekStart("SPY"), schedule.TimeRules.AfterMarketOpen("SPY", 30),
                        lambda: fired.append(algorithm.utc_time))
    assert isinstance(event, ScheduledEvent)
    assert event.Name == "SPY: WeekStart: SPY: 30 min after MarketOpen"
    schedule.On(schedule.DateRules.MonthStart("SPY"), schedule.TimeRules.BeforeMarketClose("SPY", 1),
                lambda: fired.append(algorithm.utc_time))
    schedule.On(schedule.DateRules.EveryDay(), schedule.TimeRules.At(12, 0), lambda: None)
    schedule.start(algorithm.utc_time)
    _run(schedule, algorithm, [datetime(2013, 1, 23)])
    # the week of 2012-12-31 started on that Monday (before the start); January's first session is the 2nd
    assert fired == [datetime(2013, 1, 2, 20, 59), datetime(2013, 1, 7, 15), datetime(2013, 1, 14, 15),
                     datetime(2013, 1, 22, 15)]


def test_start_skips_events_before_the_algorithm_time(schedule: ScheduleManager, algorithm: FakeAlgorithm) -> None:
    fired: list[datetime] = []
    algorithm.utc_time = datetime(2013, 1, 2, 5)  # midnight ET: dates start at 2013-01-01 (UTC date - 1 day)
    schedule.on(schedule.date_rules.every_day(), schedule.time_rules.at(12, 0), lambda: fired.append(
        algorithm.utc_time))
    algorithm.utc_time = datetime(2013, 1, 2, 18)  # initialize finished after noon on the 2nd
    schedule.start(algorithm.utc_time)
    assert schedule.next_event_utc_time == datetime(2013, 1, 3, 17)
    late = schedule.on(schedule.date_rules.every_day(), schedule.time_rules.at(6, 0), lambda: None)
    assert late.next_event_utc_time == datetime(2013, 1, 3, 11)  # added after start: skipped up to the clock


def test_remove_and_disable(schedule: ScheduleManager, algorithm: FakeAlgorithm) -> None:
    fired: list[str] = []
    removed = schedule.on(schedule.date_rules.every_day(), schedule.time_rules.at(9, 0), lambda: fired.append("r"))
    disabled = schedule.on(schedule.date_rules.every_day(), schedule.time_rules.at(9, 0), lambda: fired.append("d"))
    kept = schedule.on(schedule.date_rules.every_day(), schedule.time_rules.at(9, 0), lambda: fired.append("k"))
    schedule.start(algorithm.utc_time)
    schedule.remove(removed)
    disabled.Enabled = False
    _run(schedule, algorithm, [datetime(2013, 1, 3)])
    assert fired == ["k", "k"]
    assert kept in schedule.events and removed not in schedule.events


def test_callback_errors_name_the_event(schedule: ScheduleManager, algorithm: FakeAlgorithm) -> None:
    def broken() -> None:
        raise ZeroDivisionError("boom")

    schedule.on("rebalance", schedule.date_rules.every_day(), schedule.time_rules.at(9, 0), broken)
    schedule.start(algorithm.utc_time)
    with pytest.raises(ScheduledEventError, match="'rebalance' at 2013-01-01 14:00:00 UTC: ZeroDivisionError"):
        _run(schedule, algorithm, [datetime(2013, 1, 3)])


def test_today_tomorrow_and_now(schedule: ScheduleManager, algorithm: FakeAlgorithm) -> None:
    algorithm.utc_time = datetime(2013, 1, 2, 3)  # 2013-01-01 22:00 ET
    assert _dates(schedule.date_rules.today, date(2000, 1, 1), date(2050, 1, 1)) == [date(2013, 1, 1)]
    assert _dates(schedule.date_rules.tomorrow, date(2000, 1, 1), date(2050, 1, 1)) == [date(2013, 1, 2)]
    assert _times(schedule.time_rules.now, date(2013, 1, 1)) == [datetime(2013, 1, 2, 3)]


def test_implicit_ticker_warns_once(schedule: ScheduleManager, algorithm: FakeAlgorithm) -> None:
    schedule.date_rules.every_day("SPY")
    schedule.date_rules.week_start("SPY")
    assert algorithm.debug_messages == [
        "Warning: no existing symbol found for ticker SPY, it will be created with Equity type."]


# ---- with the market-hours database of LEAN's data folder -------------------------------------------------------

@pytest.mark.lean_data
def test_week_start_with_leans_market_hours_database(xnys: XnysHours) -> None:
    if not (LEAN_DATA / "market-hours").is_dir():
        pytest.skip(f"LEAN sample data not found at {LEAN_DATA}")
    from lean_offline.data.market_hours import MarketHoursDatabase

    database = MarketHoursDatabase.load(LEAN_DATA)
    algorithm = FakeAlgorithm(database, datetime(2013, 1, 1, 5))
    schedule = ScheduleManager(algorithm)
    first, last = date(2010, 1, 4), date(2020, 12, 27)
    sessions = _sessions_frame(xnys, first, last)
    weeks = sessions.groupby(sessions.index.to_period("W-SUN"))
    assert _dates(schedule.date_rules.week_start("SPY"), first, last) == [s.date() for s in weeks.min()]
    early_closes = [datetime(2013, 7, 3, 17), datetime(2013, 11, 29, 18), datetime(2013, 12, 24, 18)]
    assert _times(schedule.time_rules.before_market_close("SPY"), date(2013, 7, 3), date(2013, 11, 29),
                  date(2013, 12, 24)) == early_closes


def _iterate(rule: DateRule) -> Iterator[date]:
    return rule.get_dates(date(2013, 1, 1), date(2013, 1, 10))


def test_date_rules_are_lazy(schedule: ScheduleManager) -> None:
    dates = schedule.date_rules.every_day().get_dates(date(2013, 1, 1), date(2050, 12, 31))
    assert next(dates) == date(2013, 1, 1)
    assert list(_iterate(schedule.date_rules.every_day()))[-1] == date(2013, 1, 10)


# ---- end-of-day events --------------------------------------------------------------------------------------------

class AlwaysOpenHours:
    time_zone = NEW_YORK
    always_open = True

    def is_date_open(self, day: date, extended_market_hours: bool = False) -> bool:
        return True

    def get_next_trading_day(self, day: date) -> date:
        return day + timedelta(days=1)

    def get_previous_trading_day(self, day: date) -> date:
        return day - timedelta(days=1)

    def get_market_hours(self, day: date) -> tuple[Segment, ...]:
        return (Segment(timedelta(0), timedelta(days=1), "market"),)


def _all_times(event: ScheduledEvent) -> list[datetime]:
    times = []
    while event.next_event_utc_time != datetime.max:
        times.append(event.next_event_utc_time)
        event.skip_events_until(event.next_event_utc_time + timedelta(microseconds=1))
    return times


def test_security_end_of_day_ten_minutes_before_the_close(xnys: XnysHours) -> None:
    received: list[str] = []
    event = security_end_of_day_event("SPY", xnys, False, date(2013, 11, 27), date(2013, 12, 2),
                                      datetime(2013, 11, 27, 5), received.append)
    # 15:50 ET = 20:50 UTC; Thanksgiving closed; 2013-11-29 closes at 13:00 → 12:50 ET = 17:50 UTC
    assert _all_times(event) == [datetime(2013, 11, 27, 20, 50), datetime(2013, 11, 29, 17, 50),
                                 datetime(2013, 12, 2, 20, 50)]
    assert event.name == "SPY.EndOfDay"
    fresh = security_end_of_day_event("SPY", xnys, False, date(2013, 11, 27), date(2013, 11, 27), None,
                                      received.append)
    fresh.scan(datetime(2013, 11, 28))
    assert received == ["SPY"]


def test_security_end_of_day_always_open_is_next_midnight_and_respects_after() -> None:
    event = security_end_of_day_event("BTC", AlwaysOpenHours(), False, date(2020, 1, 1), date(2020, 1, 3),
                                      datetime(2020, 1, 2, 5), lambda symbol: None)
    # midnight ET of Jan 2 (05:00 UTC) is not after the current time: dropped
    assert _all_times(event) == [datetime(2020, 1, 3, 5), datetime(2020, 1, 4, 5)]


def test_algorithm_end_of_day_at_23_58_on_trading_days(xnys: XnysHours) -> None:
    calls: list[int] = []
    event = algorithm_end_of_day_event([(xnys, False)], "America/New_York", date(2013, 11, 27), date(2013, 12, 1),
                                       None, lambda: calls.append(1))
    assert _all_times(event) == [datetime(2013, 11, 28, 4, 58), datetime(2013, 11, 30, 4, 58)]
    assert event.name == "Algorithm.EndOfDay"


def test_rules_follow_the_algorithm_time_zone(xnys: XnysHours) -> None:
    algorithm = FakeAlgorithm(FakeDatabase(xnys), datetime(2013, 1, 1, 5))
    algorithm.time_zone = ZoneInfo("Europe/London")  # type: ignore[attr-defined]
    schedule = ScheduleManager(algorithm, "America/New_York")
    assert _times(schedule.time_rules.at(10, 0), date(2013, 7, 2)) == [datetime(2013, 7, 2, 9)]  # BST = UTC+1
    assert _times(schedule.time_rules.midnight, date(2013, 1, 2)) == [datetime(2013, 1, 2)]
    schedule.set_time_zone("Asia/Tokyo")
    assert _times(schedule.time_rules.at(9, 0), date(2013, 7, 2)) == [datetime(2013, 7, 2)]


def test_local_to_utc_resolves_dst_gaps_forward_and_overlaps_to_the_earlier_offset() -> None:
    assert local_to_utc(datetime(2013, 1, 2, 9, 30), NEW_YORK) == datetime(2013, 1, 2, 14, 30)
    # 02:30 does not exist on 2013-03-10 in New York: shifted forward by the one-hour gap, 03:30 EDT
    assert local_to_utc(datetime(2013, 3, 10, 2, 30), NEW_YORK) == datetime(2013, 3, 10, 7, 30)
    # 01:30 happens twice on 2013-11-03: the first one, still EDT
    assert local_to_utc(datetime(2013, 11, 3, 1, 30), NEW_YORK) == datetime(2013, 11, 3, 5, 30)
    # Lord Howe's daylight saving moves clocks by 30 minutes: 02:15 on 2013-10-06 is skipped, 02:45 LHDT (+11:00)
    assert local_to_utc(datetime(2013, 10, 6, 2, 15), ZoneInfo("Australia/Lord_Howe")) == datetime(2013, 10, 5, 15, 45)
    assert local_to_utc(datetime(2013, 6, 1, 12), ZoneInfo("UTC")) == datetime(2013, 6, 1, 12)


@settings(deadline=None)
@given(st.datetimes(datetime(1990, 1, 1), datetime(2040, 12, 31)),
       st.sampled_from(["America/New_York", "Europe/London", "Australia/Sydney", "Australia/Lord_Howe",
                        "Asia/Tokyo", "America/Sao_Paulo"]))
def test_local_to_utc_matches_the_standard_library_fold_0_conversion(local: datetime, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    expected = local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
    assert local_to_utc(local, zone) == expected


def test_enabled_is_assignable_in_both_spellings_and_only_silences_the_callback() -> None:
    fired: list[datetime] = []
    event = ScheduledEvent("e", [datetime(2013, 1, 1), datetime(2013, 1, 2)], lambda name, at: fired.append(at))
    event.Enabled = False
    assert not event.enabled and not event.Enabled
    event.scan(datetime(2013, 1, 1))
    event.enabled = True
    assert event.Enabled and event.Name == "e"
    event.scan(datetime(2013, 1, 3))
    assert fired == [datetime(2013, 1, 2)] and event.next_event_utc_time == datetime.max


def test_event_times_are_generated_only_when_asked_for() -> None:
    """LEAN's deferred sequence: nothing is drawn before the first question, the next time only after firing."""
    drawn: list[datetime] = []

    def times() -> Iterator[datetime]:
        for hour in (1, 2):
            drawn.append(datetime(2013, 1, 1, hour))
            yield datetime(2013, 1, 1, hour)

    seen_in_callback: list[datetime] = []
    event = ScheduledEvent("e", times(), lambda: seen_in_callback.append(event.next_event_utc_time))
    assert drawn == []
    assert event.next_event_utc_time == datetime(2013, 1, 1, 1) and len(drawn) == 1
    event.scan(datetime(2013, 1, 1, 1))
    assert seen_in_callback == [datetime(2013, 1, 1, 2)]
