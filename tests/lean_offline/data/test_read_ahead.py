"""Day files parsed ahead by the worker process give the run the reader gives alone: same orders, statistics,
charts, data points and warnings (malformed lines and missing files included)."""

from __future__ import annotations

import concurrent.futures
import sys
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from lean_offline import backtest
from lean_offline.data import read_ahead
from lean_offline.data import readers as readers_module

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the worker is forked on Linux only")

DAYS = [date(2021, 3, 1) + timedelta(days=offset) for offset in range(5)]
MISSING_DAY = DAYS[3]
MALFORMED_DAY = DAYS[1]

ALGORITHM = '''
from AlgorithmImports import *


class MinuteTrader(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2021, 3, 1)
        self.set_end_date(2021, 3, 5)
        self.set_cash(100000)
        self.set_benchmark(lambda time: 1.0)
        self.symbol = self.add_equity("AAA", Resolution.MINUTE).symbol
        self.closes = []

    def on_data(self, data):
        bar = data.bars.get(self.symbol)
        if bar is None:
            return
        self.closes.append(bar.close)
        if bar.end_time.minute == 0:
            self.set_holdings(self.symbol, 0.5 if bar.end_time.hour % 2 else -0.5)
'''


def _minute_file(day: date, index: int, malformed: bool) -> str:
    lines = []
    for minute in range(390):
        price = (100 + index + ((minute * 7919) % 97) / 10) * 10000
        lines.append(f"{(34200 + 60 * minute) * 1000},{price:.0f},{price + 500:.0f},{price - 500:.0f},{price:.0f},"
                     f"{1000 + minute}")
    if malformed:
        lines[100] = "not,a,line"
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("read_ahead_data")
    folder = root / "equity" / "usa" / "minute" / "aaa"
    folder.mkdir(parents=True)
    for index, day in enumerate(DAYS):
        if day == MISSING_DAY:
            continue
        with zipfile.ZipFile(folder / f"{day:%Y%m%d}_trade.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{day:%Y%m%d}_aaa_minute_trade.csv", _minute_file(day, index, day == MALFORMED_DAY))
    return root


def _run(tmp_path: Path, data_folder: Path, enabled: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[str]]:
    """The run, and per day file read, whether the worker's parse was used ("worker") or the file read here."""
    sources: list[str] = []
    take = read_ahead.take

    def recorded_result(future: Any) -> Any:
        if future is not None:  # the worker's parse, whenever the machine schedules it: the same answer every run
            concurrent.futures.wait([future])
        parsed = take(future)
        sources.append("worker" if parsed is not None else "here")
        return parsed

    monkeypatch.setattr(read_ahead, "take", recorded_result)
    monkeypatch.setattr(readers_module, "_READ_AHEAD_MIN_BYTES", 0)  # these small files too
    previous = read_ahead.set_enabled(enabled)
    try:
        algorithm = tmp_path / f"read_ahead_{enabled}.py"
        algorithm.write_text(ALGORITHM)
        result = backtest(algorithm, data_folder=data_folder, write_results=False)
    finally:
        read_ahead.set_enabled(previous)
    return result, sources


def test_files_parsed_ahead_give_the_same_run(tmp_path: Path, data_folder: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    ahead, sources = _run(tmp_path, data_folder, True, monkeypatch)
    alone, sources_alone = _run(tmp_path, data_folder, False, monkeypatch)
    assert ahead.status == alone.status == "Completed", ahead.stack_trace
    # the loop's reader reads its first file here while the worker parses the next ones; the malformed one comes back
    # for the line-by-line parse that reports its line, the missing day is never handed over: the worker's parse is
    # used for the third and fifth days (and for files the seeding of the initial price reads)
    assert sources.count("worker") >= 2 and "worker" not in sources_alone
    assert ahead.data_points == alone.data_points > 0
    assert ahead.algorithm.closes == alone.algorithm.closes
    assert len(ahead.algorithm.closes) == 5 * 390  # the missing day and the skipped line are filled forward
    assert ahead.orders == alone.orders
    assert len(ahead.orders) > 10
    assert ahead.statistics == alone.statistics
    assert ahead.charts == alone.charts
    assert ahead.warnings == alone.warnings
    assert any(f"{MALFORMED_DAY:%Y%m%d}_trade.zip:101: malformed line skipped" in w for w in ahead.warnings)
    assert any("missing data file" in w and f"{MISSING_DAY:%Y%m%d}_trade.zip" in w for w in ahead.warnings)


def _fails() -> None:
    raise ValueError("a task's own error")


def _slow_square(value: int) -> int:
    time.sleep(1.0)
    return value * value


def _finished(future: Any) -> Any:
    concurrent.futures.wait([future])
    return future


def test_the_worker_runs_tasks_and_a_failure_or_a_task_not_started_is_no_result() -> None:
    """`take` gives a task's result once the worker has started it (waiting for it to finish); a task still queued
    behind a long one is withdrawn (the caller does the work itself), and a failed task gives None."""
    previous = read_ahead.set_enabled(True)
    try:
        assert read_ahead.take(_finished(read_ahead.submit(pow, 3, 4))) == 81
        assert read_ahead.take(_finished(read_ahead.submit(_fails))) is None
        busy = read_ahead.submit(_slow_square, 7)
        assert busy is not None
        while not busy.running():
            time.sleep(0.01)
        queued = [read_ahead.submit(pow, 2, power) for power in range(6)]
        assert read_ahead.take(queued[-1]) is None and queued[-1].cancelled()  # behind the slow task
        assert read_ahead.take(busy) == 49  # started: waited for
        assert read_ahead.take(_finished(queued[0])) == 1
        read_ahead.set_enabled(False)
        assert read_ahead.submit(pow, 3, 4) is None
        assert read_ahead.take(None) is None
    finally:
        read_ahead.set_enabled(previous)
