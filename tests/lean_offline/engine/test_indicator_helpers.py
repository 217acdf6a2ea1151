"""The algorithm's indicator helpers (self.rsi, self.bb, ...) inside a backtest on LEAN's SPY daily data: each
registered helper must hold the value of the same indicator updated by hand from the bars the algorithm sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from lean_offline import backtest

ALGORITHM = '''
from AlgorithmImports import *


class HelperCheck(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 1, 1)
        self.set_end_date(2013, 6, 30)
        self.set_cash(100000)
        self.spy = self.add_equity("SPY", Resolution.DAILY).symbol
        self.pairs = [
            (self.rsi(self.spy, 14, Resolution.DAILY, Field.LOW), RelativeStrengthIndex(14), Field.LOW),
            (self.rsi(self.spy, 10, MovingAverageType.SIMPLE), RelativeStrengthIndex(10, MovingAverageType.SIMPLE),
             None),
            (self.ema(self.spy, 10, Resolution.DAILY, Field.HIGH), ExponentialMovingAverage(10), Field.HIGH),
            (self.bb(self.spy, 20, 2, selector=Field.CLOSE), BollingerBands(20, 2), None),
            (self.atr(self.spy, 14), AverageTrueRange(14), None),
            (self.sto(self.spy, 14, 3, 3), Stochastic(14, 3, 3), None),
            (self.sto(self.spy, 10, Resolution.DAILY), Stochastic(10, 10, 3), None),
            (self.aroon(self.spy, 12), AroonOscillator(12, 12), None),
            (self.adx(self.spy, 14), AverageDirectionalIndex(14), None),
            (self.aroon(self.spy, 10, 20), AroonOscillator(10, 20), None),
            (self.max(self.spy, 10), Maximum(10), Field.HIGH),
            (self.min(self.spy, 10), Minimum(10), Field.LOW),
            (self.lwma(self.spy, 5), LinearWeightedMovingAverage(5), None),
            (self.var(self.spy, 8, Resolution.DAILY, Field.OPEN), Variance(8), Field.OPEN),
            (self.wwma(self.spy, 9), WilderMovingAverage(9), None),
            (self.dema(self.spy, 6), DoubleExponentialMovingAverage(6), None),
            (self.dch(self.spy, 10, 5), DonchianChannel(10, 5), None),
            (self.kch(self.spy, 10, 2, Resolution.DAILY), KeltnerChannels(10, 2), None),
            (self.wilr(self.spy, 14), WilliamsPercentR(14), None),
            (self.logr(self.spy, 3), LogReturn(3), None),
            (self.cci(self.spy, 20), CommodityChannelIndex(20), None),
            (self.obv(self.spy), OnBalanceVolume(), None),
            (self.ad(self.spy), AccumulationDistribution(), None),
            (self.cmo(self.spy, 14), ChandeMomentumOscillator(14), None),
            (self.tema(self.spy, 5), TripleExponentialMovingAverage(5), None),
            (self.trima(self.spy, 7), TriangularMovingAverage(7), None),
            (self.hma(self.spy, 9), HullMovingAverage(9), None),
            (self.bb(self.spy, 10, 1.5, MovingAverageType.HULL), BollingerBands(10, 1.5, MovingAverageType.HULL), None),
            (self.sum(self.spy, 4, selector=Field.VOLUME), Sum(4), Field.VOLUME),
        ]
        self.aapl = self.add_equity("AAPL", Resolution.DAILY).symbol
        self.beta_pair = (self.b(self.aapl, self.spy, 10), Beta(self.aapl, self.spy, 10))
        self.eurusd = self.add_forex("EURUSD", Resolution.DAILY).symbol
        # quote-bar subscriptions: MAX/MIN default to the value (the close), not the bar's high/low
        self.forex_pairs = [(self.max(self.eurusd, 10), Maximum(10)), (self.min(self.eurusd, 10), Minimum(10))]
        self.settings.automatic_indicator_warm_up = True
        self.warm = self.sma(self.spy, 5)
        history = self.history[TradeBar](self.spy, 5, Resolution.DAILY)
        expected = sum(bar.close for bar in history) / 5
        if not self.warm.is_ready or abs(self.warm.current.value - expected) > 1e-9:
            raise AssertionError(f"automatic warm-up: {self.warm.current.value} != {expected}")
        self.check_weekly_warm_up()
        self.checked = self.forex_checked = 0

    def check_weekly_warm_up(self):
        # a 7-day span: 3 x 7 daily bars consolidated into 7-day bars (a period above one day starts at the first
        # bar's time); only bars that ended by now reach the indicator
        weekly = SimpleMovingAverage(3)
        self.warm_up_indicator(self.spy, weekly, timedelta(days=7))
        week = timedelta(days=7)
        bars = self.history[TradeBar](self.spy, 21, Resolution.DAILY)
        last_close = {}
        for bar in bars:
            last_close[(bar.time - bars[0].time) // week] = bar.close
        ended = [close for key, close in sorted(last_close.items()) if bars[0].time + (key + 1) * week <= self.time]
        if len(ended) < 3 or abs(weekly.current.value - sum(ended[-3:]) / 3) > 1e-9:
            raise AssertionError(f"weekly warm-up: {weekly.current.value} vs {ended}")

    def on_data(self, data):
        if data.quote_bars.contains_key(self.eurusd):
            quote = data.quote_bars[self.eurusd]
            for helper, manual in self.forex_pairs:
                manual.update(quote.end_time, quote.close)
                if helper.current.value != manual.current.value:
                    raise AssertionError(f"{helper.name}: {helper.current.value} != {manual.current.value}")
            self.forex_checked += 1
        if not data.bars.contains_key(self.spy):  # e.g. a dividend-only time step
            return
        bar = data.bars[self.spy]
        if data.bars.contains_key(self.aapl):
            helper, manual = self.beta_pair
            manual.update(data.bars[self.aapl])
            manual.update(bar)
            if helper.current.value != manual.current.value or helper.is_ready != manual.is_ready:
                raise AssertionError(f"{helper.name}: {helper.current.value} != {manual.current.value}")
        for helper, manual, selector in self.pairs:
            if getattr(manual, "takes_bars", False):
                manual.update(bar)
            else:
                manual.update(bar.end_time, bar.close if selector is None else selector(bar))
            if helper.current.value != manual.current.value or helper.is_ready != manual.is_ready:
                raise AssertionError(f"{helper.name}: {helper.current.value} != {manual.current.value}")
        self.checked += 1

    def on_end_of_algorithm(self):
        if not self.beta_pair[0].is_ready or self.beta_pair[0].current.value == 0:
            raise AssertionError("the Beta helper never produced a value")
        if min(self.checked, self.forex_checked) < 100 or not all(helper.is_ready for helper, _, _ in self.pairs):
            raise AssertionError(f"only {self.checked} bars checked")
'''


@pytest.mark.lean_data
def test_helpers_match_indicators_updated_by_hand(lean_data_folder: Path, tmp_path: Path) -> None:
    algorithm = tmp_path / "main.py"
    algorithm.write_text(ALGORITHM)
    result = backtest(algorithm, data_folder=lean_data_folder, write_results=False)
    assert result.status == "Completed", result.stack_trace
