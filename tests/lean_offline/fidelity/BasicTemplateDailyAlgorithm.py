# ruff: noqa: F403, F405
# Fidelity case written from shared/fidelity/BasicTemplateDailyAlgorithm/spec.md.
from AlgorithmImports import *


class BasicTemplateDailyAlgorithm(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 8)
        self.set_end_date(2013, 10, 17)
        self.set_cash(100000)
        self.add_equity("SPY", Resolution.DAILY)

    def on_data(self, data):
        if not self.portfolio.invested:
            self.set_holdings("SPY", 1)
            self.debug("Purchased Stock")
