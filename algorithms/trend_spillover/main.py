"""Trend-following spillover (Declerck, HSBC): currency, equity-index and bond futures of six countries.

Wiring only: parameters, subscriptions, the weekly schedule and orders. Every decision (readiness, stale data,
spillover directions, weights) is made by `crossasset.trend_spillover`. See docs/trend_spillover.md.
"""

from datetime import timedelta
from typing import cast

from AlgorithmImports import *
from crossasset.trend_spillover import (
    ORDER_PRICE_MAX_AGE_DAYS,
    SEED_TRIPLETS,
    LegHistory,
    TrendSpilloverParameters,
    is_stale,
    target_weights,
)
from custom_data.fee_models import NotionalFeeModel
from custom_data.quantpedia_format import QuantpediaSource, last_local_day
from custom_data.quantpedia_futures import QuantpediaFutures

# Calendar days per trading day, with room for holidays: the warm-up fills every leg's history before the start.
CALENDAR_DAYS_PER_TRADING_DAY = 1.5


class TrendSpilloverAlgorithm(QCAlgorithm):
    def initialize(self) -> None:
        self.parameters = TrendSpilloverParameters.from_lookup(lambda name: self.get_parameter(name, ""))
        QuantpediaFutures.source = QuantpediaSource.parse(self.get_parameter("quantpedia-source", "auto"))
        self.triplets = SEED_TRIPLETS
        tickers = [ticker for triplet in self.triplets for ticker in triplet.legs]
        start, end = self.parameters.start_date, self.parameters.end_date
        if end is None and QuantpediaFutures.source in (QuantpediaSource.AUTO, QuantpediaSource.LOCAL):
            # "To the last data": the newest local row arrives the day after its date.
            last_row = last_local_day(Globals.data_folder, tickers)
            end = last_row + timedelta(days=1) if last_row is not None else None
        self.set_start_date(start.year, start.month, start.day)
        if end is not None:
            self.set_end_date(end.year, end.month, end.day)
        self.set_cash(100000)
        self.settings.daily_precise_end_time = False
        self.settings.minimum_order_margin_portfolio_percentage = 0.0
        self.settings.stale_price_time_span = timedelta(days=ORDER_PRICE_MAX_AGE_DAYS)

        self.histories: dict[str, LegHistory] = {}
        self.symbols: dict[str, Symbol] = {}
        for ticker in tickers:
            security = self.add_data(QuantpediaFutures, ticker, Resolution.DAILY)
            security.set_fee_model(NotionalFeeModel(self.parameters.fee_rate))
            security.set_leverage(self.parameters.leverage)
            self.symbols[ticker] = security.symbol
            self.histories[ticker] = LegHistory(self.parameters.history_length)

        spy = self.add_equity("SPY", Resolution.DAILY).symbol
        self.set_warm_up(timedelta(days=round(self.parameters.history_length * CALENDAR_DAYS_PER_TRADING_DAY)))
        self.rebalance_due = False
        self.schedule.on(
            self.date_rules.week_start(spy), self.time_rules.after_market_open(spy), self.request_rebalance
        )

    def request_rebalance(self) -> None:
        self.rebalance_due = True

    def on_data(self, slice: Slice) -> None:
        today = self.time.date()
        for ticker, history in self.histories.items():
            symbol = self.symbols[ticker]
            # A custom-data entry of the slice is the QuantpediaFutures point itself (the stubs type it as a bar).
            point = cast(BaseData, slice[symbol]) if slice.contains_key(symbol) else None
            if point is not None:
                history.add(today, float(point.value))
            elif is_stale(history.last_day, today):
                self.log(f"{ticker}: stale, last point on {history.last_day}; liquidated and history reset")
                if self.portfolio[symbol].invested:
                    self.liquidate(symbol, tag="stale data")
                history.reset()
        if self.rebalance_due:
            self.rebalance_due = False
            if not self.is_warming_up:
                self.rebalance()

    def rebalance(self) -> None:
        weights = target_weights(self.triplets, self.histories, self.parameters)
        targets = [PortfolioTarget(self.symbols[ticker], weight) for ticker, weight in weights.items()]
        self.set_holdings(targets, liquidate_existing_holdings=True)
