"""QCAlgorithm.set_date_time keeps the UTC span of its time zone's current offset; it must convert exactly as
zoneinfo does across offset changes, clock jumps and a change of time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from lean_offline.engine.algorithm import QCAlgorithm
from lean_offline.engine.wiring import EngineContext, context_scope

UTC = ZoneInfo("UTC")


def _local(utc_time: datetime, zone: str) -> datetime:
    return utc_time.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def test_local_time_follows_the_time_zones_offset_changes_and_jumps(tmp_path: Path) -> None:
    with context_scope(EngineContext(tmp_path, {}, tmp_path, "clock")):
        algorithm = QCAlgorithm()
        # New York: EST until 2021-03-14 07:00 UTC, EDT until 2021-11-07 06:00 UTC; then back into March
        moments = [datetime(2021, 3, 14, 6, 30) + timedelta(minutes=15 * step) for step in range(8)]
        moments += [datetime(2021, 11, 7, 5, 59, 59), datetime(2021, 11, 7, 6), datetime(2021, 3, 1, 12),
                    datetime(2022, 7, 1)]
        for moment in moments:
            algorithm.set_date_time(moment)
            assert (algorithm.utc_time, algorithm.time) == (moment, _local(moment, "America/New_York")), moment
        algorithm.set_time_zone("Asia/Hong_Kong")
        algorithm.set_date_time(datetime(2022, 7, 1))  # inside the span New York's offset held
        assert algorithm.time == datetime(2022, 7, 1, 8)


def test_set_time_zone_moves_the_clock_to_the_start_date_in_the_new_zone(tmp_path: Path) -> None:
    """LEAN's SetTimeZone in a backtest sets the time to the start date converted with the new zone (before and after
    set_start_date): 2020-01-06 00:00 in London is 00:00 UTC, in Tokyo the previous day's 15:00 UTC."""
    with context_scope(EngineContext(tmp_path, {}, tmp_path, "clock")):
        algorithm = QCAlgorithm()
        algorithm.set_time_zone("Asia/Tokyo")
        assert (algorithm.utc_time, algorithm.time) == (datetime(1997, 12, 31, 15), datetime(1998, 1, 1))
        algorithm.set_start_date(2020, 1, 6)
        algorithm.set_time_zone("Europe/London")
        assert (algorithm.utc_time, algorithm.time) == (datetime(2020, 1, 6), datetime(2020, 1, 6))
        algorithm.set_time_zone("Asia/Tokyo")
        assert (algorithm.utc_time, algorithm.time) == (datetime(2020, 1, 5, 15), datetime(2020, 1, 6))
