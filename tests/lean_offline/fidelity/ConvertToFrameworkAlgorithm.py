# ruff: noqa: F403, F405
# Fidelity case written from shared/fidelity/ConvertToFrameworkAlgorithm/spec.md.
from AlgorithmImports import *


class ConvertToFrameworkAlgorithm(QCAlgorithm):
    fast_ema_period = 12
    slow_ema_period = 26

    def initialize(self):
        self.set_start_date(2004, 1, 1)
        self.set_end_date(2015, 1, 1)
        self.set_cash(100000)
        self.spy = self.add_security(SecurityType.EQUITY, "SPY", Resolution.DAILY).symbol
        self.macd_indicator = self.macd(self.spy, self.fast_ema_period, self.slow_ema_period, 9,
                                        MovingAverageType.EXPONENTIAL, Resolution.DAILY)

    def on_data(self, data):
        if not self.macd_indicator.is_ready or not data.contains_key(self.spy) or data[self.spy] is None:
            return
        holding = self.portfolio[self.spy]
        signal_delta = self.macd_indicator.current.value - self.macd_indicator.signal.current.value
        percent = signal_delta / self.macd_indicator.fast.current.value
        tolerance = 0.0025
        if holding.quantity <= 0 and percent > tolerance:
            self.emit_insights(Insight.price(self.spy, timedelta(self.fast_ema_period), InsightDirection.UP))
            self.set_holdings(self.spy, 1)
        elif holding.quantity >= 0 and percent < -tolerance:
            self.emit_insights(Insight.price(self.spy, timedelta(self.fast_ema_period), InsightDirection.DOWN))
            self.set_holdings(self.spy, -1)
        self.plot("MACD", "MACD", self.macd_indicator.current.value)
        self.plot("MACD", "Signal", self.macd_indicator.signal.current.value)
        self.plot("MA", "Fast", self.macd_indicator.fast.current.value)
        self.plot("MA", "Slow", self.macd_indicator.slow.current.value)
        self.plot("Open", "Open", data[self.spy].open)
