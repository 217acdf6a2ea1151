"""End-to-end runs of tiny algorithms on a generated LEAN-format data folder: the §E time-step order, daily bar
timing, fill-forward, warm-up, scheduled events, parameters, both naming styles and error handling."""

from __future__ import annotations

import gc
import shutil
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from lean_offline import backtest
from lean_offline.enums import OrderStatus

DAYS = [date(2019, 12, 30), date(2019, 12, 31), date(2020, 1, 2), date(2020, 1, 3), date(2020, 1, 6),
        date(2020, 1, 8), date(2020, 1, 9), date(2020, 1, 10)]  # 2020-01-07 missing on purpose; 01-01 is a holiday


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("data")
    folder = root / "equity" / "usa" / "daily"
    folder.mkdir(parents=True)
    rows = [f"{day:%Y%m%d} 00:00,{(100 + i) * 10000},{(101 + i) * 10000},{(99 + i) * 10000},{(100 + i) * 10000},1000"
            for i, day in enumerate(DAYS)]
    with zipfile.ZipFile(folder / "aaa.zip", "w") as archive:
        archive.writestr("aaa.csv", "\n".join(rows) + "\n")
    hour = root / "equity" / "usa" / "hour"
    hour.mkdir(parents=True)
    hourly = [f"{day:%Y%m%d} {h:02d}:00,{(10 * i + h) * 10000},{(10 * i + h + 1) * 10000},{(10 * i + h - 1) * 10000},"
              f"{(10 * i + h) * 10000},100" for i, day in enumerate(DAYS) for h in range(9, 16)]
    with zipfile.ZipFile(hour / "aaa.zip", "w") as archive:
        archive.writestr("aaa.csv", "\n".join(hourly) + "\n")
    return root


def _run(tmp_path: Path, data_folder: Path, body: str, **kwargs: object):  # type: ignore[no-untyped-def]
    algorithm = tmp_path / "algo.py"
    algorithm.write_text("from AlgorithmImports import *\n" + body)
    return backtest(algorithm, data_folder=data_folder, write_results=False, **kwargs)  # type: ignore[arg-type]


CALL_LOG = '''
class Probe(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 2)
        self.set_end_date(2020, 1, 9)
        self.set_benchmark(lambda time: 1.0)
        self.aaa = self.add_equity("AAA", Resolution.DAILY).symbol
        self.calls = []
        self.schedule.on(self.date_rules.every_day(self.aaa), self.time_rules.after_market_open(self.aaa, 0),
                         lambda: self.calls.append(("event", self.time, self.securities[self.aaa].price)))

    def on_data(self, data):
        bar = data[self.aaa]
        self.calls.append(("data", self.time, bar.close, bar.is_fill_forward, bar.time))
'''


def test_daily_bars_arrive_at_the_close_after_same_day_events_with_fill_forward(tmp_path: Path,
                                                                               data_folder: Path) -> None:
    result = _run(tmp_path, data_folder, CALL_LOG)
    assert result.status == "Completed", result.stack_trace
    calls = result.algorithm.calls
    data_calls = [c for c in calls if c[0] == "data"]
    trading_days = [date(2020, 1, 2), date(2020, 1, 3), date(2020, 1, 6), date(2020, 1, 7), date(2020, 1, 8),
                    date(2020, 1, 9)]
    assert [c[1] for c in data_calls] == [datetime.combine(d, datetime.min.time()) + timedelta(hours=16)
                                          for d in trading_days]
    assert all(c[4].hour == 9 and c[4].minute == 30 for c in data_calls)
    # 2020-01-07 has no bar in the file: a fill-forward copy of 01-06 (close 104) is delivered.
    assert [(c[2], c[3]) for c in data_calls] == [(102, False), (103, False), (104, False), (104, True),
                                                  (105, False), (106, False)]
    # Each 09:30 event fires before that day's on_data, with the previous close as the price.
    events = [c for c in calls if c[0] == "event"]
    assert [e[1].date() for e in events] == trading_days
    assert all(e[1].hour == 9 and e[1].minute == 30 for e in events)
    first_event_index = calls.index(events[1])
    assert calls[first_event_index - 1][1].date() == date(2020, 1, 2) and events[1][2] == 102


WARM_UP = '''
class WarmUp(QCAlgorithm):
    def Initialize(self):
        self.SetStartDate(2020, 1, 6)
        self.SetEndDate(2020, 1, 8)
        self.SetBenchmark(lambda time: 1.0)
        self.AddEquity("AAA", Resolution.Daily)
        self.SetWarmUp(3)
        self.seen = []
        self.finished_at = None
        self.lookback = self.GetParameter("lookback", 5)

    def OnData(self, data):
        self.seen.append((self.Time.date(), self.IsWarmingUp))
        if self.IsWarmingUp:
            ticket = self.MarketOrder("AAA", 1)

    def OnWarmupFinished(self):
        self.finished_at = self.Time
'''


def test_warm_up_in_bars_through_the_calendar_and_pascal_case(tmp_path: Path, data_folder: Path) -> None:
    result = _run(tmp_path, data_folder, WARM_UP, parameters={"lookback": "12"})
    assert result.status == "Completed", result.stack_trace
    algorithm = result.algorithm
    assert algorithm.lookback == 12
    assert algorithm.seen == [(date(2019, 12, 31), True), (date(2020, 1, 2), True), (date(2020, 1, 3), True),
                              (date(2020, 1, 6), False), (date(2020, 1, 7), False), (date(2020, 1, 8), False)]
    assert algorithm.finished_at == datetime(2020, 1, 6)  # the start, before its first slice (LEAN's time pulse)
    assert result.statistics["Total Orders"] == "0"


WARM_UP_THEN_EVENT = '''
class WarmUpThenEvent(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 6)
        self.set_end_date(2020, 1, 6)
        self.set_benchmark(lambda time: 1.0)
        self.aaa = self.add_equity("AAA", Resolution.DAILY).symbol
        self.set_warm_up(2)
        self.calls = []
        self.schedule.on(self.date_rules.every_day(self.aaa), self.time_rules.after_market_open(self.aaa, 1),
                         self.buy)

    def buy(self):
        self.calls.append(("event", self.time, self.is_warming_up))
        self.ticket = self.market_order(self.aaa, 10)

    def on_warmup_finished(self):
        self.calls.append(("warm-up finished", self.time, self.is_warming_up))
        if self.quit_at_start:
            self.quit()

    def on_data(self, data):
        self.calls.append(("data", self.time, self.is_warming_up))
'''


@pytest.mark.parametrize("quit_at_start", [False, True])
def test_a_warm_up_ends_at_the_start_before_the_first_slice_after_it(tmp_path: Path, data_folder: Path,
                                                                      quit_at_start: bool) -> None:
    """When the first slice after a warm-up lies past the start, LEAN's synchroniser sends a time pulse at the start
    (Synchronizer.ShouldEmitWarmupEndPulse): on_warmup_finished runs at the start's midnight, the start day's events
    run after it with trading allowed, and a quit() there ends the run before the slice."""
    body = WARM_UP_THEN_EVENT.replace("self.calls = []", f"self.calls = []\n        self.quit_at_start = {quit_at_start}")
    result = _run(tmp_path, data_folder, body)
    assert result.status == "Completed", result.stack_trace
    algorithm = result.algorithm
    warm_up = [("data", datetime(2020, 1, 2, 16), True), ("data", datetime(2020, 1, 3, 16), True),
               ("warm-up finished", datetime(2020, 1, 6), False)]
    if quit_at_start:
        assert algorithm.calls == warm_up and result.statistics["Total Orders"] == "0"
        start = int(datetime(2020, 1, 6, 5, tzinfo=UTC).timestamp())  # the start's midnight in New York
        last_points = [series["values"][-1][0] for chart in ("Strategy Equity", "Portfolio Turnover")
                       for series in result.charts[chart]["series"].values() if series.get("values")]
        assert last_points and all(time == start for time in last_points)  # the final sample at the pulse
        return
    assert algorithm.calls == [*warm_up, ("event", datetime(2020, 1, 6, 9, 31), False),
                               ("data", datetime(2020, 1, 6, 16), False)]
    assert algorithm.ticket.status == OrderStatus.FILLED


def test_a_quit_during_the_warm_up_does_not_finish_it(tmp_path: Path, data_folder: Path) -> None:
    """LEAN's loop stops at the next slice after quit() without calling on_warmup_finished."""
    body = WARM_UP_THEN_EVENT.replace("self.calls = []", "self.calls = []\n        self.quit_at_start = False").replace(
        "    def on_data(self, data):\n", "    def on_data(self, data):\n        self.quit()\n")
    result = _run(tmp_path, data_folder, body)
    assert result.status == "Completed", result.stack_trace
    assert result.algorithm.calls == [("data", datetime(2020, 1, 2, 16), True)]


NO_WARM_UP = '''
class NoWarmUp(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 6)
        self.set_end_date(2020, 1, 8)
        self.set_benchmark(lambda time: 1.0)
        self.aaa = self.add_equity("AAA", Resolution.DAILY).symbol
        self.calls = []

    def on_warmup_finished(self):
        self.calls.append(("warm-up finished", self.time, self.is_warming_up))
        self.market_order(self.aaa, 10)

    def on_data(self, data):
        self.calls.append(("data", self.time))
'''


def test_on_warmup_finished_is_called_once_without_a_warm_up_before_the_first_slice(tmp_path: Path,
                                                                                     data_folder: Path) -> None:
    """LEAN calls it when the data stream starts even without a warm-up period (AlgorithmManager.Stream), at the
    start date's midnight, with trading allowed."""
    result = _run(tmp_path, data_folder, NO_WARM_UP)
    assert result.status == "Completed", result.stack_trace
    calls = result.algorithm.calls
    assert calls[0] == ("warm-up finished", datetime(2020, 1, 6), False)
    assert [call[0] for call in calls[1:]] == ["data"] * 3  # 01-06, 01-07 filled forward, 01-08
    assert result.statistics["Total Orders"] == "1"


def test_missing_data_is_reported_and_the_run_completes(tmp_path: Path, data_folder: Path) -> None:
    body = '''
class Missing(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 2)
        self.set_end_date(2020, 1, 9)
        self.add_equity("ZZZ", Resolution.DAILY)
'''
    result = _run(tmp_path, data_folder, body)
    assert result.status == "Completed"
    assert any("zzz.zip" in warning for warning in result.warnings)
    assert any("traded nothing" in line for line in result.logs)


def test_algorithm_exception_gives_runtime_error_with_stack(tmp_path: Path, data_folder: Path) -> None:
    body = '''
class Broken(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 2)
        self.set_end_date(2020, 1, 9)
        self.add_equity("AAA", Resolution.DAILY)

    def on_data(self, data):
        raise ValueError("boom in on_data")
'''
    result = _run(tmp_path, data_folder, body)
    assert result.status == "RuntimeError"
    assert "boom in on_data" in result.error and "on_data" in result.stack_trace
    assert any("boom in on_data" in line for line in result.logs)


def test_the_loop_tunes_the_garbage_collector_only_while_it_runs(tmp_path: Path, data_folder: Path) -> None:
    body = '''
import gc


class Collector(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 2)
        self.set_end_date(2020, 1, 9)
        self.add_equity("AAA", Resolution.DAILY)

    def on_data(self, data):
        self.debug(f"SEEN {gc.get_threshold()[0]} {gc.get_freeze_count() > 0}")
'''
    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()
    result = _run(tmp_path, data_folder, body)
    assert result.status == "Completed", result.stack_trace
    assert any("SEEN 50000 True" in line for line in result.logs)  # tuned inside the loop
    assert (gc.get_threshold(), gc.get_freeze_count()) == (thresholds, frozen)  # and restored after it


def test_a_callers_frozen_objects_stay_frozen(tmp_path: Path, data_folder: Path) -> None:
    gc.freeze()
    try:
        assert _run(tmp_path, data_folder, CALL_LOG).status == "Completed"
        assert gc.get_freeze_count() > 0  # (freed objects leave the frozen generation: its size may shrink)
    finally:
        gc.unfreeze()


def test_the_collector_is_restored_when_the_algorithm_fails(tmp_path: Path, data_folder: Path) -> None:
    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()
    body = CALL_LOG.replace("bar = data[self.aaa]", "raise ValueError('boom')")
    assert _run(tmp_path, data_folder, body).status == "RuntimeError"
    assert (gc.get_threshold(), gc.get_freeze_count()) == (thresholds, frozen)


def test_unsupported_api_is_named(tmp_path: Path, data_folder: Path) -> None:
    body = '''
class Unsupported(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 2)
        self.set_end_date(2020, 1, 3)
        self.add_future_contract("ES")
'''
    result = _run(tmp_path, data_folder, body)
    assert result.status == "RuntimeError"
    assert "add_future_contract" in result.error and "not supported" in result.error


def test_an_undefined_lean_name_is_explained(tmp_path: Path, data_folder: Path) -> None:
    body = '''
class Undefined(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 2)
        self.set_end_date(2020, 1, 3)
        self.changes = SecurityChanges.NONE
'''
    result = _run(tmp_path, data_folder, body)
    assert result.status == "RuntimeError"
    assert result.error.startswith("NameError: name 'SecurityChanges' is not defined (lean_offline's AlgorithmImports")
    assert "self.changes = SecurityChanges.NONE" in result.stack_trace
    typo = _run(tmp_path, data_folder, body.replace("SecurityChanges.NONE", "undefined_helper()"))
    assert typo.error == "NameError: name 'undefined_helper' is not defined"


@pytest.mark.parametrize(("call", "named"), [
    ('self.consolidate(RenkoBar, "AAA", 0.1, None, lambda bar: None)', "consolidate(RenkoBar, symbol, ...)"),
    ("TradeBarConsolidator(timedelta(hours=1), start_time=timedelta(hours=9, minutes=30))",
     "TradeBarConsolidator.__init__(period, start_time)"),
    ("TradeBarConsolidator(timedelta(hours=1), timedelta(hours=9, minutes=30))",
     "TradeBarConsolidator.__init__(period, start_time)"),
])
def test_unsupported_overloads_are_named(tmp_path: Path, data_folder: Path, call: str, named: str) -> None:
    """Overloads LEAN has and the engine does not (LEAN's ConsolidateWithSizeAttributeRegressionAlgorithm and
    ConsolidatorStartTimeRegressionAlgorithm use them) fail with the overload named, not with an internal error."""
    body = f'''
class Unsupported(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 2)
        self.set_end_date(2020, 1, 3)
        self.add_equity("AAA", Resolution.DAILY)
        {call}
'''
    result = _run(tmp_path, data_folder, body)
    assert result.status == "RuntimeError"
    assert named in result.error and "not supported by lean_offline" in result.error


END_OF_DAY_AND_HISTORY = '''
class EndOfDay(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 6)
        self.set_end_date(2020, 1, 9)
        self.set_benchmark(lambda time: 1.0)
        self.aaa = self.add_equity("AAA", Resolution.DAILY).symbol
        self.ends = []
        self.frames = []
        self.sma_values = []
        self.average = self.sma("AAA", 2)

    def on_data(self, data):
        self.frames.append(self.history(self.aaa, 2, Resolution.DAILY))
        self.sma_values.append(self.average.current.value)
        self.plot("Custom", "Close", data["AAA"].close)

    def on_end_of_day(self, symbol):
        self.ends.append((self.time, str(symbol)))
'''


def test_end_of_day_history_and_helper_indicators(tmp_path: Path, data_folder: Path) -> None:
    result = _run(tmp_path, data_folder, END_OF_DAY_AND_HISTORY)
    assert result.status == "Completed", result.stack_trace
    algorithm = result.algorithm
    assert algorithm.ends == [(datetime(2020, 1, d, 15, 50), "AAA") for d in (6, 7, 8, 9)]
    first = algorithm.frames[0]
    assert list(first.columns) == ["open", "high", "low", "close", "volume"]
    assert list(first.index.names) == ["symbol", "time"]
    # history at 2020-01-06 16:00 ends with that day's bar (close 104) and the previous one (103)
    assert list(first["close"]) == [103, 104]
    assert [t for _, t in first.index] == [datetime(2020, 1, 3, 16), datetime(2020, 1, 6, 16)]
    # the helper SMA(2) is updated before on_data: at the first step it holds one sample, 104
    assert algorithm.sma_values[0] == pytest.approx(104)
    assert algorithm.sma_values[-1] == pytest.approx((105 + 106) / 2)
    closes = [point[1] for point in result.charts["Custom"]["series"]["Close"]["values"]]
    assert closes == [104, 104, 105, 106]


PLOTS = '''
class Plots(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 6)
        self.set_end_date(2020, 1, 6)
        self.set_benchmark(lambda time: 1.0)
        self.add_equity("AAA", Resolution.DAILY)
        self.errors = []

    def on_data(self, data):
        self.plot("Signal", 1.5)
        self.record("Recorded", 2)
        self.plot("My Chart", "Close", data["AAA"].close)
        for chart, series in (("Strategy Equity", "Equity"), ("Exposure", "Anything"), ("Benchmark", "Mine")):
            try:
                self.plot(chart, series, 1)
            except ValueError as error:
                self.errors.append(str(error))
'''


def test_plot_defaults_to_the_strategy_equity_chart_and_guards_reserved_names(tmp_path: Path,
                                                                            data_folder: Path) -> None:
    result = _run(tmp_path, data_folder, PLOTS)
    assert result.status == "Completed", result.stack_trace
    series = result.charts["Strategy Equity"]["series"]
    assert [p[1] for p in series["Signal"]["values"]] == [1.5]
    assert [p[1] for p in series["Recorded"]["values"]] == [2]
    assert [p[1] for p in result.charts["My Chart"]["series"]["Close"]["values"]] == [104]
    assert result.algorithm.errors == ["'Equity' is a reserved series name for chart 'Strategy Equity'.",
                                       "'Exposure' is a reserved chart name."]
    assert [p[1] for p in result.charts["Benchmark"]["series"]["Mine"]["values"]] == [1]


PLOTS_IN_INITIALIZE = '''
class PlotsInInitialize(QCAlgorithm):
    def initialize(self):
        self.plot("Setup", "Before start", 1)
        self.set_start_date(2020, 1, 6)
        self.set_end_date(2020, 1, 6)
        self.set_benchmark(lambda time: 1.0)
        self.add_equity("AAA", Resolution.DAILY)
        chart = Chart("Defined")
        chart.add_series(Series("Bars", SeriesType.BAR, "%"))
        self.add_chart(chart)
        self.plot("Implicit", "Other", 1)
        late = Chart("Implicit")
        late.add_series(Series("Bars", SeriesType.BAR, "%"))
        self.add_chart(late)  # LEAN keeps the chart the plot made
        self.plot("Implicit", "Bars", 2)
        self.Plot("Setup", "At start", 2.5)
        self.plot("Defined", "Bars", 3)
        self.plot("Setup", "At start", 4)
        try:
            self.plot("Setup", "Bad", float("nan"))
        except ValueError as error:
            self.error_text = str(error)

    def on_data(self, data):
        self.plot("Setup", "At start", 5)
'''


def test_points_plotted_in_initialize_are_kept_at_the_time_they_were_plotted(tmp_path: Path,
                                                                             data_folder: Path) -> None:
    """LEAN's Plot adds the point to the algorithm's chart at its UtcTime at once: 1998-01-01 00:00 UTC before
    set_start_date (QCAlgorithm's constructor starts its time keeper there), the start date's midnight in New York
    (05:00 UTC in January) after it."""
    result = _run(tmp_path, data_folder, PLOTS_IN_INITIALIZE)
    assert result.status == "Completed", result.stack_trace
    setup = result.charts["Setup"]["series"]
    before = (datetime(1998, 1, 1) - datetime(1970, 1, 1)).total_seconds()
    start = (datetime(2020, 1, 6, 5) - datetime(1970, 1, 1)).total_seconds()
    close = (datetime(2020, 1, 6, 21) - datetime(1970, 1, 1)).total_seconds()
    assert setup["Before start"]["values"] == [[before, 1]]
    assert setup["At start"]["values"] == [[start, 4], [close, 5]]  # a second point at one time replaces the first
    bars = result.charts["Defined"]["series"]["Bars"]
    assert (bars["values"], bars["seriesType"], bars["unit"]) == ([[start, 3]], 3, "%")
    implicit = result.charts["Implicit"]["series"]["Bars"]
    assert (implicit["values"], implicit["seriesType"], implicit["unit"]) == ([[start, 2]], 0, "$")
    assert "Bad" not in setup and "plot('Setup', 'Bad')" in result.algorithm.error_text


def test_malformed_lines_are_skipped_logged_and_counted(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "equity" / "usa" / "daily"
    folder.mkdir(parents=True)
    rows = ["20200102 00:00,1000000,1000000,1000000,1000000,10", "garbage,line", "20200103 00:00,1010000,1010000,"
            "1010000,1010000,10", "20200106 00:00,1020000,1020000,1020000,1020000,10"]
    with zipfile.ZipFile(folder / "aaa.zip", "w") as archive:
        archive.writestr("aaa.csv", "\n".join(rows))
    body = CALL_LOG.replace("self.set_end_date(2020, 1, 9)", "self.set_end_date(2020, 1, 6)")
    result = _run(tmp_path, tmp_path / "data", body)
    assert result.status == "Completed", result.stack_trace
    assert [c[2] for c in result.algorithm.calls if c[0] == "data"] == [100, 101, 102]
    assert any("aaa.zip" in w and ":2:" in w and "garbage" in w for w in result.warnings), result.warnings
    assert result.extra["data_warning_counts"]["malformed lines skipped"] == 1
    assert any(line.startswith("Data warnings:") for line in result.logs)


WARM_UP_INDICATOR = '''
class WarmIndicator(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 8)
        self.set_end_date(2020, 1, 8)
        self.set_benchmark(lambda time: 1.0)
        self.add_equity("AAA", Resolution.DAILY)
        self.average = SimpleMovingAverage(3)
        self.warm_up_indicator("AAA", self.average, Resolution.DAILY)
        self.ready_at_start = (self.average.is_ready, self.average.current.value)
'''


def test_warm_up_indicator_feeds_the_bars_before_the_start(tmp_path: Path, data_folder: Path) -> None:
    result = _run(tmp_path, data_folder, WARM_UP_INDICATOR)
    assert result.status == "Completed", result.stack_trace
    # the last three daily closes before 2020-01-08: 01-02 102, 01-03 103, 01-06 104 (01-07 has no bar)
    assert result.algorithm.ready_at_start == (True, pytest.approx((102 + 103 + 104) / 3))


SEEDED = '''
class Seeded(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 6)
        self.set_end_date(2020, 1, 6)
        self.set_benchmark(lambda time: 1.0)
        self.aaa = self.add_equity("AAA", Resolution.DAILY).symbol
        self.prices = []
        self.schedule.on(self.date_rules.every_day(self.aaa), self.time_rules.after_market_open(self.aaa, 30),
                         lambda: self.prices.append(self.securities[self.aaa].price))
'''


def test_securities_are_seeded_with_the_last_price_before_the_start(tmp_path: Path, data_folder: Path) -> None:
    result = _run(tmp_path, data_folder, SEEDED)
    assert result.status == "Completed", result.stack_trace
    # 2020-01-06 10:00: no bar of the day yet; the seed is the 2020-01-03 close
    assert result.algorithm.prices == [103]


def test_daily_precise_end_time_off_delivers_bars_at_midnight(tmp_path: Path, data_folder: Path) -> None:
    body = CALL_LOG.replace('        self.set_benchmark(lambda time: 1.0)\n',
                            '        self.set_benchmark(lambda time: 1.0)\n'
                            '        self.settings.daily_precise_end_time = False\n')
    result = _run(tmp_path, data_folder, body)
    assert result.status == "Completed", result.stack_trace
    data_calls = [c for c in result.algorithm.calls if c[0] == "data"]
    # bars of 01-02 .. 01-08 end at the following midnight (the 01-07 gap is filled forward); the 01-09 bar
    # starts on the end date, so it is delivered at 01-10 00:00 as LEAN does (Time <= end)
    assert [c[1] for c in data_calls][:3] == [datetime(2020, 1, 3), datetime(2020, 1, 4), datetime(2020, 1, 7)]
    assert data_calls[-1][1] == datetime(2020, 1, 10)
    assert all(c[4].hour == 0 for c in data_calls)


DAILY_FROM_HOURLY = '''
class Consolidate(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 2)
        self.set_end_date(2020, 1, 3)
        self.set_benchmark(lambda time: 1.0)
        self.add_equity("AAA", Resolution.HOUR)
        self.bars = []
        self.consolidate("AAA", Resolution.DAILY, lambda bar: self.bars.append(
            (self.time, bar.time, bar.end_time, bar.open, bar.high, bar.low, bar.close, bar.volume)))
'''


def test_daily_consolidation_of_hourly_bars_follows_the_session(tmp_path: Path, data_folder: Path) -> None:
    result = _run(tmp_path, data_folder, DAILY_FROM_HOURLY)
    assert result.status == "Completed", result.stack_trace
    # 2020-01-02 is DAYS[2]: hourly closes 29..35 (10*2 + 9..15), highs +1, lows -1, 7 bars of volume 100
    first = result.algorithm.bars[0]
    assert first == (datetime(2020, 1, 2, 16), datetime(2020, 1, 2, 9, 30), datetime(2020, 1, 2, 16),
                     29, 36, 28, 35, 700)
    assert len(result.algorithm.bars) == 2


TYPED_HISTORY = '''
class TypedHistory(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 9)
        self.set_end_date(2020, 1, 9)
        self.set_benchmark(lambda time: 1.0)
        self.aaa = self.add_equity("AAA", Resolution.DAILY).symbol
        self.bars = self.history[TradeBar](self.aaa, 2, Resolution.DAILY)
        self.rows = self.history[TradeBar]([self.aaa], 2, Resolution.DAILY)
'''


def test_history_by_type_returns_the_bars(tmp_path: Path, data_folder: Path) -> None:
    result = _run(tmp_path, data_folder, TYPED_HISTORY)
    assert result.status == "Completed", result.stack_trace
    algorithm = result.algorithm
    # before 2020-01-09 00:00 the last two daily bars are 01-06 (104) and 01-08 (105); 01-07 has none
    assert [bar.close for bar in algorithm.bars] == [104, 105]
    assert [row.values()[0].close for row in algorithm.rows] == [104, 105]


def test_set_time_zone_moves_the_algorithm_clock(tmp_path: Path, data_folder: Path) -> None:
    body = CALL_LOG.replace('        self.set_benchmark(lambda time: 1.0)\n',
                            '        self.set_benchmark(lambda time: 1.0)\n        self.set_time_zone("UTC")\n')
    result = _run(tmp_path, data_folder, body)
    assert result.status == "Completed", result.stack_trace
    data_calls = [c for c in result.algorithm.calls if c[0] == "data"]
    # the 16:00 New York close is 21:00 UTC in January; bar times stay in the exchange zone
    assert data_calls[0][1] == datetime(2020, 1, 2, 21) and data_calls[0][4] == datetime(2020, 1, 2, 9, 30)


BENCHMARK_STEPS = '''
class BenchmarkSteps(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 2)
        self.set_end_date(2020, 1, 10)
        self.set_warm_up(2, Resolution.DAILY)
        self.set_time_zone(ZONE)  # in UTC, midnight samples and the exchange's midnight events are apart
        self.settings.daily_precise_end_time = PRECISE
        self.set_benchmark("BBB")  # an internal hourly feed beside the daily subscription: steps of its own
        self.aaa = self.add_equity("AAA", Resolution.DAILY, fill_forward=False).symbol
        self.seen = []
        if CONSOLIDATE:  # periods from a daily bar's 09:30 start end at 10:30 the next day: the 11:00 step emits
            self.consolidate(self.aaa, timedelta(hours=25), lambda bar: self.seen.append(("bar", self.utc_time)))
        self.schedule.on(self.date_rules.every_day(self.aaa), self.time_rules.after_market_open(self.aaa, 150),
                         self.trade)
        self.schedule.on(self.date_rules.every_day(self.aaa), self.time_rules.at(13, 0), self.look)

    def trade(self):
        if not self.is_warming_up and self.utc_time.day < 10:  # the last day (no daily bar) ends with no order open
            self.market_order(self.aaa, 10 if self.utc_time.day % 2 else -7)

    def look(self):
        self.seen.append((self.utc_time, self.portfolio.total_portfolio_value,
                          len(self.transactions.get_open_orders())))

    def on_data(self, data):
        if self.aaa in data.bars:  # not in a slice of the split alone
            self.seen.append(("data", self.utc_time, data.bars[self.aaa].close, self.securities[self.aaa].price,
                              self.portfolio.invested))

    def on_end_of_algorithm(self):
        self.seen.append(("end", self.utc_time))
'''


def _without_run_ids(records: list[dict[str, object]]) -> list[dict[str, object]]:
    """Order or order-event records without the fields that name the run (its algorithm id, and ids made from it)."""
    return [{key: value for key, value in record.items() if key not in ("id", "algorithmId", "brokerId")}
            for record in records]


@pytest.mark.parametrize(("precise_end_time", "consolidate", "zone"),
                         [(True, False, "America/New_York"), (False, False, "America/New_York"),
                          (True, True, "America/New_York"), (True, False, "UTC")])
def test_steps_of_internal_feeds_alone_take_the_short_path_with_the_same_results(
        tmp_path: Path, data_folder: Path, monkeypatch: pytest.MonkeyPatch, precise_end_time: bool,
        consolidate: bool, zone: str) -> None:
    """A time step whose only point is an internal feed's row (the hourly benchmark beside daily data) skips the
    step's other work when no order is pending, no event is due, no consolidator scans and warm-up is over: the
    orders, statistics, charts and what the algorithm sees are those of the full step, here with market-on-close
    orders pending over benchmark steps, events at benchmark step times, warm-up, splits (the benchmark's alone in
    its step), the clock at the end (the daily file stops a day before the hourly one: benchmark bars end the run)
    and a consolidator emitting by time."""
    from lean_offline.engine.transactions import SecurityTransactionManager

    folder = tmp_path / "data"
    shutil.copytree(data_folder, folder)
    daily = folder / "equity" / "usa" / "daily" / "aaa.zip"
    with zipfile.ZipFile(daily) as archive:
        lines = archive.read("aaa.csv").decode().splitlines()
    with zipfile.ZipFile(daily, "w") as archive:
        archive.writestr("aaa.csv", "\n".join(lines[:-1]) + "\n")
    hourly = folder / "equity" / "usa" / "hour"
    with zipfile.ZipFile(hourly / "aaa.zip") as archive:
        benchmark_rows = archive.read("aaa.csv")
    with zipfile.ZipFile(hourly / "bbb.zip", "w") as archive:
        archive.writestr("bbb.csv", benchmark_rows)
    factor_files = folder / "equity" / "usa" / "factor_files"  # 2:1 splits after 2020-01-06 and 2020-01-08
    factor_files.mkdir()
    (factor_files / "aaa.csv").write_text("20200106,1,0.5,105\n20501231,1,1,0\n")
    (factor_files / "bbb.csv").write_text("20200108,1,0.5,105\n20501231,1,1,0\n")
    algorithm = (BENCHMARK_STEPS.replace("PRECISE", str(precise_end_time)).replace("CONSOLIDATE", str(consolidate))
                 .replace("ZONE", repr(zone)))
    has_pending = SecurityTransactionManager.has_pending
    short_steps = []  # the shortcut asks last whether an order waits: each "no" is a step it takes

    def counted(manager: SecurityTransactionManager) -> bool:
        pending = has_pending.fget(manager)  # type: ignore[attr-defined]
        short_steps.extend([] if pending else [True])
        return pending  # type: ignore[no-any-return]

    monkeypatch.setattr(SecurityTransactionManager, "has_pending", property(counted))
    short = _run(tmp_path, folder, algorithm)
    monkeypatch.setattr(SecurityTransactionManager, "has_pending", property(lambda self: True))  # full steps only
    full = _run(tmp_path, folder, algorithm)
    assert short.status == full.status == "Completed", short.stack_trace + full.stack_trace
    assert not short_steps if consolidate else len(short_steps) >= 10  # a consolidator scanning the time: full steps
    assert len(short.orders) >= 4 and short.algorithm.seen[-1] == ("end", datetime(2020, 1, 10, 21))  # 16:00 EST
    assert any(seen[0] == "bar" and seen[1].hour == 16 for seen in short.algorithm.seen) == consolidate
    assert short.algorithm.seen == full.algorithm.seen
    assert _without_run_ids(short.orders) == _without_run_ids(full.orders)
    assert _without_run_ids(short.order_events) == _without_run_ids(full.order_events)
    assert (short.statistics, short.runtime_statistics) == (full.statistics, full.runtime_statistics)
    assert short.charts == full.charts and short.data_points == full.data_points
