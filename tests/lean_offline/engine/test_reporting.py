"""reporting.build_result: the result state's StartTime is the run's wall-clock start, not the end minus the (loop-only)
seconds; the rolling-window statistics are computed for the result files only."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lean_offline import backtest
from lean_offline.engine import runner  # noqa: F401  (imported here so that the test times the run, not the import)


def _state(output: Path) -> dict[str, str]:
    [path] = [p for p in output.glob("*.json") if not p.name.endswith(("-summary.json", "-events.json"))]
    return json.loads(path.read_text(encoding="utf-8"))["state"]  # type: ignore[no-any-return]


_SLOW_INITIALIZE = """import time as wall_clock
from AlgorithmImports import *


class SlowToSetUp(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 1)
        self.set_end_date(2020, 1, 3)
        wall_clock.sleep(2.0)
"""


def test_the_state_start_time_is_the_run_start_not_the_end_minus_the_loop_time(tmp_path: Path) -> None:
    algorithm = tmp_path / "main.py"
    algorithm.write_text(_SLOW_INITIALIZE, encoding="utf-8")
    before = datetime.now(UTC).replace(tzinfo=None)
    result = backtest(algorithm, data_folder=tmp_path, output=tmp_path / "out")
    state = _state(tmp_path / "out")
    started = datetime.strptime(state["StartTime"].rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f")
    finished = datetime.strptime(state["EndTime"].rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f")
    # the two-second initialize lies between start and end; the loop time LEAN reports does not include it
    assert before - timedelta(milliseconds=1) <= started < before + timedelta(seconds=1.0)
    assert finished - started >= timedelta(seconds=2.0) > timedelta(seconds=result.seconds)


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
