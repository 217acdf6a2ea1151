# ruff: noqa: F403, F405
# Our Python version of LEAN's C#-only EquitySplitHoldingsDailyRegressionAlgorithm: short AAPL on raw daily prices
# across its 7-for-1 split of 2014-06-09; on the split the security's prices must be the pre-split ones × the split
# factor and its volume the pre-split one ÷ the factor.
from AlgorithmImports import *


class EquitySplitHoldingsDailyRegressionAlgorithm(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2014, 6, 5)
        self.set_end_date(2014, 6, 11)
        self.set_cash(100000)
        self.aapl = self.add_equity("AAPL", Resolution.DAILY, data_normalization_mode=DataNormalizationMode.RAW)
        self.before_split = {}
        self.split_occurred = False

    def _fields(self):
        security = self.aapl
        return {"Price": security.price, "Open": security.open, "Close": security.close, "High": security.high,
                "Low": security.low, "Volume": security.volume}

    def on_data(self, slice):
        if not self.portfolio.invested and not self.split_occurred:
            self.set_holdings(self.aapl.symbol, -1)
        split = slice.splits.get(self.aapl.symbol)
        if split is None or split.type != SplitType.SPLIT_OCCURRED:
            self.before_split = self._fields()
            return
        self.split_occurred = True
        if not self.aapl.holdings.invested:
            raise Exception("AAPL is not invested after the split")
        if self.aapl.holdings.price != self.aapl.price:
            raise Exception(f"holdings price {self.aapl.holdings.price} differs from price {self.aapl.price}")
        for name, after in self._fields().items():
            factor = 1 / split.split_factor if name == "Volume" else split.split_factor
            if abs(after / self.before_split[name] - factor) >= 0.0001:
                raise Exception(f"{name}: {after} / {self.before_split[name]} is not the split factor {factor}")

    def on_end_of_algorithm(self):
        if not self.split_occurred:
            raise Exception("the split did not occur")
