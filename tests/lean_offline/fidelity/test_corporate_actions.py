"""Dividends and splits as LEAN's corporate-event providers emit them (DividendEventProvider, SplitEventProvider):
their dates and amounts from a hand-written factor file, their merge into a data stream, and what an algorithm sees
of them (an extra on_data time step at 00:00 of the ex-date that moves no price, feeds no indicator and counts as a
data point). MACDTrendAlgorithm's 85th order in LEAN comes from exactly such a step: a liquidate repeated there."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from lean_offline import backtest
from lean_offline.data.corporate_actions import (
    Dividend,
    Split,
    SplitType,
    corporate_events,
    dividend_distribution,
)
from lean_offline.data.factors import FactorFile, FactorRow


def _weekday(day: date) -> bool:
    return day.weekday() < 5


def _next_weekday(day: date) -> date:
    day += timedelta(days=1)
    while not _weekday(day):
        day += timedelta(days=1)
    return day


FACTORS = FactorFile([
    FactorRow(date(2020, 1, 3), 0.98, 0.5, 105.0),   # Friday: dividend on Monday 01-06
    FactorRow(date(2020, 1, 8), 1.0, 0.5, 210.0),    # Wednesday: 2:1 split (factor 0.5) warned 01-08, done 01-09
    FactorRow(date(2050, 12, 31), 1.0, 1.0, 0.0),
])


def test_dividends_and_splits_follow_the_factor_file_rows() -> None:
    events = corporate_events(FACTORS, "AAA", _weekday, _next_weekday, date(2020, 1, 1), date(2020, 1, 31))
    assert [(type(e).__name__, e.time) for e in events] == [
        ("Dividend", datetime(2020, 1, 6)), ("Split", datetime(2020, 1, 8)), ("Split", datetime(2020, 1, 9))]
    dividend, warning, split = events
    assert isinstance(dividend, Dividend) and isinstance(warning, Split) and isinstance(split, Split)
    # 105 - 105 * 0.98 / 1.0 = 2.10 per share
    assert dividend.distribution == pytest.approx(2.10) and dividend.reference_price == 105.0
    assert dividend.end_time == dividend.time
    assert (warning.type, split.type) == (SplitType["WARNING"], SplitType["SPLIT_OCCURRED"])
    assert warning.split_factor == split.split_factor == 0.5 and split.reference_price == 210.0


def test_events_need_the_row_date_inside_the_subscription_and_the_event_date_before_its_end() -> None:
    # the subscription starts after the dividend row: LEAN's provider never saw that date
    later = corporate_events(FACTORS, "AAA", _weekday, _next_weekday, date(2020, 1, 4), date(2020, 1, 31))
    assert [type(e).__name__ for e in later] == ["Split", "Split"]
    # the subscription ends on the split's warning day: the split itself falls after it
    early = corporate_events(FACTORS, "AAA", _weekday, _next_weekday, date(2020, 1, 1), date(2020, 1, 8))
    assert [(type(e).__name__, e.time.day) for e in early] == [("Dividend", 6), ("Split", 8)]
    # a row dated on a closed day fires nothing
    weekend = FactorFile([FactorRow(date(2020, 1, 4), 0.9, 1.0, 100.0), FactorRow(date(2050, 12, 31), 1, 1, 0)])
    assert corporate_events(weekend, "AAA", _weekday, _next_weekday, date(2020, 1, 1), date(2020, 1, 31)) == []


def test_dividend_distribution_rounds_to_cents() -> None:
    assert dividend_distribution(113.86, 0.7103693 / 0.7128632) == pytest.approx(0.40)  # SPY 2004-06-18: 113.86 × (1 − 0.99650)
    assert dividend_distribution(50.0, 1.0) == 0.0


TRADING_DAYS = [date(2020, 1, 2), date(2020, 1, 3), date(2020, 1, 6), date(2020, 1, 7), date(2020, 1, 8),
                date(2020, 1, 9), date(2020, 1, 10)]


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("data")
    daily = root / "equity" / "usa" / "daily"
    daily.mkdir(parents=True)
    rows = [f"{day:%Y%m%d} 00:00,{(100 + i) * 10000},{(101 + i) * 10000},{(99 + i) * 10000},{(100 + i) * 10000},1000"
            for i, day in enumerate(TRADING_DAYS)]
    with zipfile.ZipFile(daily / "aaa.zip", "w") as archive:
        archive.writestr("aaa.csv", "\n".join(rows) + "\n")
    factors = root / "equity" / "usa" / "factor_files"
    factors.mkdir(parents=True)
    (factors / "aaa.csv").write_text("20200103,0.98,1,105\n20501231,1,1,0\n")
    return root


PROBE = '''from AlgorithmImports import *


class Probe(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2020, 1, 2)
        self.set_end_date(2020, 1, 9)
        self.set_benchmark(lambda time: 1.0)
        self.aaa = self.add_equity("AAA", Resolution.DAILY).symbol
        self.average = self.sma(self.aaa, 2)
        self.steps = []

    def on_data(self, data):
        dividends = {symbol.value: dividend.distribution for symbol, dividend in data.dividends.items()}
        self.steps.append((self.time, data.contains_key(self.aaa), data[self.aaa] is None, dividends,
                           self.average.samples, self.securities[self.aaa].price))
        if self.time == datetime(2020, 1, 2, 16):
            self.set_holdings(self.aaa, 1)
        elif self.time >= datetime(2020, 1, 3, 16) and self.time < datetime(2020, 1, 6, 16):
            self.liquidate(self.aaa)  # at the close and again in the ex-date step: LEAN cancels and resubmits
'''


def test_an_ex_date_is_a_time_step_with_the_dividend_alone(tmp_path: Path, data_folder: Path) -> None:
    algorithm = tmp_path / "probe.py"
    algorithm.write_text(PROBE)
    result = backtest(algorithm, data_folder=data_folder, write_results=False)
    assert result.status == "Completed", result.stack_trace
    steps = result.algorithm.steps
    assert [step[0] for step in steps] == [datetime(2020, 1, 2, 16), datetime(2020, 1, 3, 16), datetime(2020, 1, 6),
                                           datetime(2020, 1, 6, 16), datetime(2020, 1, 7, 16),
                                           datetime(2020, 1, 8, 16), datetime(2020, 1, 9, 16)]
    ex_date = steps[2]
    # the symbol is a key of the slice, its value None; the dividend is 105 - 105 * 0.98 = 2.10
    assert ex_date[1:4] == (True, True, {"AAA": pytest.approx(2.10)})
    # no indicator sample and no price change from the dividend: the 01-03 close (101 × factor 0.98) stays the price
    assert ex_date[4] == steps[1][4] == 2 and ex_date[5] == steps[1][5] == pytest.approx(101 * 0.98)
    assert all(step[3] == {} for i, step in enumerate(steps) if i != 2)
    # six daily bars, the dividend, and the user-defined universe's one selection point
    assert result.data_points == 6 + 1 + 1
    # buy; liquidate at 01-03's close (cancelled by the repeat); liquidate again at 00:00 of the ex-date (filled)
    assert [(order["quantity"] > 0, order["status"]) for order in result.orders] == [(True, 3), (False, 5),
                                                                                    (False, 3)]
