# ruff: noqa: F403, F405
# Our Python version of LEAN's C#-only DividendRegressionAlgorithm: SPY on raw daily prices, half the portfolio
# bought once; every cash dividend is tallied from on_dividends and must equal the portfolio's profit at the end.
from AlgorithmImports import *


class DividendRegressionAlgorithm(QCAlgorithm):
    def initialize(self):
        self.set_start_date(1998, 1, 1)
        self.set_end_date(2006, 1, 1)
        self.set_cash(100000)
        self.spy = self.add_equity("SPY", Resolution.DAILY, data_normalization_mode=DataNormalizationMode.RAW).symbol
        self.expected_dividends = 0.0

    def on_data(self, slice):
        if not self.portfolio.invested:
            self.set_holdings(self.spy, 0.5)

    def on_dividends(self, dividends):
        dividend = dividends[self.spy]
        holding = self.portfolio[self.spy]
        self.debug(f"{dividend.time.isoformat()} >> DIVIDEND >> {dividend.symbol} - {dividend.distribution:.2f} - "
                   f"{self.portfolio.cash} - {holding.price:.2f}")
        self.expected_dividends += dividend.distribution * holding.quantity

    def on_end_of_algorithm(self):
        holding = self.portfolio[self.spy]
        checks = {"Total Profit": (self.portfolio.total_profit, self.expected_dividends),
                  "Total Net Profit": (self.portfolio.total_net_profit,
                                       self.expected_dividends - self.portfolio.total_fees),
                  "Total Dividends": (holding.total_dividends, self.expected_dividends)}
        for name, (actual, expected) in checks.items():
            if abs(actual - expected) > 1e-6:
                raise Exception(f"{name}: expected {expected}, actual {actual}")
