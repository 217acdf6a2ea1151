"""Day files parsed ahead by the worker process give the run the reader gives alone: same orders, statistics,
charts, data points and warnings (malformed lines and missing files included)."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import signal
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


def _worker_pids() -> list[int]:
    pool = read_ahead._pool
    return [] if pool is None else list(pool._processes or {})


def _run(tmp_path: Path, data_folder: Path, enabled: bool, kill_worker: bool = False) -> tuple[Any, list[str], list[int]]:
    """The run; per day file read, whether the worker's parse was used ("worker") or the file read here; the worker
    processes seen. `kill_worker`: the worker is killed once its first parse has been used."""
    sources: list[str] = []
    workers: list[int] = []
    take = read_ahead.take

    def recorded_take(future: Any) -> Any:
        if future is not None:  # the worker's parse, whenever the machine schedules it: the same answer every run
            concurrent.futures.wait([future])
        workers.extend(pid for pid in _worker_pids() if pid not in workers)
        parsed = take(future)
        sources.append("worker" if parsed is not None else "here")
        if kill_worker and parsed is not None and sources.count("worker") == 1:
            for pid in _worker_pids():
                os.kill(pid, signal.SIGKILL)
        return parsed

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(read_ahead, "take", recorded_take)
        patch.setattr(readers_module, "_READ_AHEAD_MIN_BYTES", 0)  # these small files too
        previous = read_ahead.set_enabled(enabled)
        try:
            algorithm = tmp_path / f"read_ahead_{enabled}_{kill_worker}.py"
            algorithm.write_text(ALGORITHM)
            result = backtest(algorithm, data_folder=data_folder, write_results=False)
        finally:
            read_ahead.set_enabled(previous)
    return result, sources, workers


def _same_run(run: Any, reference: Any) -> None:
    assert run.status == reference.status == "Completed", run.stack_trace
    assert run.data_points == reference.data_points > 0
    assert run.algorithm.closes == reference.algorithm.closes
    assert run.orders == reference.orders
    assert run.statistics == reference.statistics
    assert run.charts == reference.charts
    assert run.warnings == reference.warnings


def test_files_parsed_ahead_give_the_same_run(tmp_path: Path, data_folder: Path) -> None:
    ahead, sources, workers = _run(tmp_path, data_folder, True)
    alone, sources_alone, _ = _run(tmp_path, data_folder, False)
    _same_run(ahead, alone)
    # the loop's reader reads its first file here while the worker parses the next ones; the malformed one comes back
    # for the line-by-line parse that reports its line, the missing day is never handed over: the worker's parse is
    # used for the third and fifth days (and for files the seeding of the initial price reads)
    assert sources.count("worker") >= 2 and "worker" not in sources_alone
    assert len(ahead.algorithm.closes) == 5 * 390  # the missing day and the skipped line are filled forward
    assert len(ahead.orders) > 10
    assert any(f"{MALFORMED_DAY:%Y%m%d}_trade.zip:101: malformed line skipped" in w for w in ahead.warnings)
    assert any("missing data file" in w and f"{MISSING_DAY:%Y%m%d}_trade.zip" in w for w in ahead.warnings)
    # the worker ends with the run
    assert len(workers) == 1 and read_ahead._pool is None
    with pytest.raises(ProcessLookupError):
        os.kill(workers[0], 0)


def test_a_run_whose_worker_is_killed_reads_on_in_process(tmp_path: Path, data_folder: Path) -> None:
    killed, sources, _ = _run(tmp_path, data_folder, True, kill_worker=True)
    alone, _, _ = _run(tmp_path, data_folder, False)
    _same_run(killed, alone)
    assert sources.count("worker") == 1
    ahead, _, _ = _run(tmp_path, data_folder, True)  # the next run has a worker again
    _same_run(ahead, alone)


def _run_in_pool_worker(algorithm: Path, data_folder: Path) -> tuple[str, list[Any], dict[str, str]]:
    previous = read_ahead.set_enabled(True)
    readers_module._READ_AHEAD_MIN_BYTES = 0
    try:
        result = backtest(algorithm, data_folder=data_folder, write_results=False)
    finally:
        read_ahead.set_enabled(previous)
    return result.status, result.orders, result.statistics


def test_a_run_inside_a_daemonic_pool_worker_reads_in_process(tmp_path: Path, data_folder: Path) -> None:
    """A `multiprocessing.Pool` worker (a daemonic process, which may not have children), as parameter sweeps use."""
    alone, _, _ = _run(tmp_path, data_folder, False)
    algorithm = tmp_path / "in_pool.py"
    algorithm.write_text(ALGORITHM)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        status, orders, statistics = pool.apply(_run_in_pool_worker, (algorithm, data_folder))
    assert (status, orders, statistics) == ("Completed", alone.orders, alone.statistics)


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
        deadline = time.monotonic() + 30
        while not busy.running() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert busy.running()
        queued = [read_ahead.submit(pow, 2, power) for power in range(6)]
        assert read_ahead.take(queued[-1]) is None and queued[-1].cancelled()  # behind the slow task
        assert read_ahead.take(busy) == 49  # started: waited for
        assert read_ahead.take(_finished(queued[0])) == 1
        read_ahead.set_enabled(False)
        assert read_ahead.submit(pow, 3, 4) is None
        assert read_ahead.take(None) is None
    finally:
        read_ahead.set_enabled(previous)
        read_ahead.shut_down()
