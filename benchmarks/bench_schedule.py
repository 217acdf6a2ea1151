"""Scheduling and market-hours set-up benchmark: prints CPU seconds (best of `--repeat`), nothing is asserted.

- NYSE fallback hours (used when the data folder has no market-hours database): from the recorded table, and
  from building exchange_calendars' XNYS calendar (what the table saves);
- the schedule's own cost on benchmark (a)'s timeline (hourly + daily NYSE slices 1996–2020, ~43,900 time steps),
  driven as the runner drives it, for three sets of events: (a)'s own (a month-start rebalance and the daily
  sampling), eight mixed rules, and 40 per-symbol end-of-day events.
Run: `.venv/bin/python benchmarks/bench_schedule.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lean_offline.data.market_hours import (  # noqa: E402
    MarketHoursDatabase,
    SecurityExchangeHours,
    nyse_fallback_hours,
    xnys_special_days,
)
from lean_offline.engine.scheduling import ScheduleManager, local_to_utc  # noqa: E402

NEW_YORK = ZoneInfo("America/New_York")
FIRST_DAY, LAST_DAY = datetime(1996, 1, 2), datetime(2020, 12, 31)


class _Algorithm:
    """What the schedule reads from an algorithm: its clock, time zone and market-hours database."""

    time_zone = "America/New_York"

    def __init__(self, database: MarketHoursDatabase) -> None:
        self.market_hours_database = database
        self.securities: dict[Any, Any] = {}
        self.utc_time = FIRST_DAY + timedelta(hours=5)
        self.fired = 0

    def set_date_time(self, utc_time: datetime) -> None:
        self.utc_time = utc_time

    def debug(self, _message: str) -> None:
        pass

    def count(self, *_args: Any) -> None:
        self.fired += 1


def slice_times(hours: SecurityExchangeHours) -> list[datetime]:
    """UTC end times of hourly bars (10:00 … close) and of the daily bar on every NYSE session."""
    times: list[datetime] = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        close = hours.regular_market_close(day)
        if close is not None:
            bar_end = day + timedelta(hours=10)
            while bar_end <= close:
                times.append(local_to_utc(bar_end, NEW_YORK))
                bar_end += timedelta(hours=1)
            if times[-1] != local_to_utc(close, NEW_YORK):
                times.append(local_to_utc(close, NEW_YORK))
        day += timedelta(days=1)
    return times


def run_a_events(schedule: ScheduleManager, algorithm: _Algorithm) -> None:
    schedule.on(schedule.date_rules.month_start("S00"), schedule.time_rules.after_market_open("S00", 30),
                algorithm.count)


def mixed_events(schedule: ScheduleManager, algorithm: _Algorithm) -> None:
    dates, times = schedule.date_rules, schedule.time_rules
    run_a_events(schedule, algorithm)
    schedule.on(dates.every_day("S00"), times.before_market_close("S00", 10), algorithm.count)
    schedule.on(dates.week_start("S00", 1), times.at(10, 0), algorithm.count)
    schedule.on(dates.every_day(), times.every(timedelta(hours=3)), algorithm.count)
    schedule.on(dates.month_end("S00"), times.before_market_close("S00", 0), algorithm.count)
    schedule.on(dates.every(1, 3), times.noon, algorithm.count)
    schedule.on(dates.every_day(), times.midnight, algorithm.count)


def end_of_day_events(schedule: ScheduleManager, algorithm: _Algorithm) -> None:
    for index in range(40):
        symbol = f"S{index:02d}"
        schedule.on(schedule.date_rules.every_day(symbol), schedule.time_rules.before_market_close(symbol, 10),
                    algorithm.count, name=f"OnEndOfDay: {symbol}")


def time_schedule(database: MarketHoursDatabase, slices: list[datetime],
                  add_events: Callable[[ScheduleManager, _Algorithm], None]) -> tuple[float, int]:
    """CPU seconds of the runner's schedule calls over `slices` and the number of events fired."""
    algorithm = _Algorithm(database)
    schedule = ScheduleManager(algorithm, "America/New_York", database)
    add_events(schedule, algorithm)
    schedule.start(slices[0])
    schedule.add_daily_sampling(algorithm.count)
    set_clock = algorithm.set_date_time
    started = time.process_time()
    for slice_utc in slices:
        if slice_utc > schedule.next_due_utc:
            schedule.scan_past_events(slice_utc, set_clock)
        set_clock(slice_utc)
        if slice_utc >= schedule.next_due_utc:
            schedule.set_time(slice_utc)
    return time.process_time() - started, algorithm.fired


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best is printed")
    repeat = parser.parse_args().repeat

    started = time.process_time()
    hours = nyse_fallback_hours()
    print(f"NYSE fallback hours from the recorded table: {time.process_time() - started:.3f} s (first call)")
    started = time.process_time()
    xnys_special_days(1990, datetime.now().year + 2)
    print(f"the same years from exchange_calendars' XNYS: {time.process_time() - started:.3f} s")

    database = MarketHoursDatabase()  # no entries: US equities get the fallback hours
    slices = slice_times(hours)
    for label, add_events in (("(a)'s events", run_a_events), ("8 mixed events", mixed_events),
                              ("40 end-of-day events", end_of_day_events)):
        runs = [time_schedule(database, slices, add_events) for _ in range(repeat)]
        seconds, fired = min(runs)
        print(f"schedule, {label}: {len(slices):,} time steps, {fired:,} firings, {seconds:.3f} CPU s "
              f"({seconds / fired * 1e6:.1f} us per firing)")


if __name__ == "__main__":
    main()
