"""reporting.build_result: the result state's StartTime is the run's wall-clock start, not the end minus the (loop-only)
seconds; the rolling-window statistics are computed for the result files only."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from lean_offline import backtest
from lean_offline.engine.reporting import run_start_utc

FINISHED = datetime(2026, 3, 4, 12, 0, 30)


def test_an_explicit_naive_start_is_taken_as_utc() -> None:
    started = datetime(2026, 3, 4, 11, 59, 0)
    assert run_start_utc(started, FINISHED, seconds=5.0) == started


def test_an_aware_start_is_converted_to_naive_utc() -> None:
    started = datetime(2026, 3, 4, 13, 59, 0, tzinfo=timezone(timedelta(hours=2)))
    assert run_start_utc(started, FINISHED, seconds=5.0) == datetime(2026, 3, 4, 11, 59, 0)
    assert run_start_utc(datetime(2026, 3, 4, 11, 0, tzinfo=UTC), FINISHED, 5.0) == datetime(2026, 3, 4, 11, 0)


def test_without_a_start_the_loop_seconds_are_subtracted_from_the_end() -> None:
    assert run_start_utc(None, FINISHED, seconds=2.5) == datetime(2026, 3, 4, 12, 0, 27, 500000)


_BUY_AND_HOLD = """from AlgorithmImports import *


class BuyAndHold(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 11, 8)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.DAILY)

    def on_data(self, data):
        if not self.portfolio.invested:
            self.set_holdings("SPY", 1)
"""


@pytest.mark.lean_data
def test_rolling_windows_are_computed_for_the_result_files_only(tmp_path: Path, lean_data_folder: Path) -> None:
    algorithm = tmp_path / "main.py"
    algorithm.write_text(_BUY_AND_HOLD, encoding="utf-8")
    written = backtest(algorithm, data_folder=lean_data_folder, output=tmp_path / "out")
    [path] = [p for p in (tmp_path / "out").glob("*.json") if not p.name.endswith(("-summary.json", "-events.json"))]
    # October and November: one M1 window per month end, the M3/M6/M12 ones ending with the run
    assert sorted(json.loads(path.read_text(encoding="utf-8"))["rollingWindow"]) == [
        "M12_20131031", "M12_20131108", "M1_20131031", "M1_20131108", "M3_20131031", "M3_20131108",
        "M6_20131031", "M6_20131108"]
    in_memory = backtest(algorithm, data_folder=lean_data_folder, write_results=False)
    assert in_memory.statistics == written.statistics
