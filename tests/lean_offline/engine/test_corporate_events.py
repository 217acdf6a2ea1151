"""Dividends and splits applied as LEAN applies them (corporate_events): the pure rules checked by hand and with
hypothesis, then small backtests on LEAN's sample data whose expected values are worked out here from the raw data
and factor file rows (copied below as numbers)."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lean_offline import backtest
from lean_offline.data.market import Bar, QuoteBar, TradeBar
from lean_offline.data.market_hours import SecurityExchangeHours
from lean_offline.data.symbol import Symbol
from lean_offline.engine.corporate_events import (
    dividend_payment,
    pays_cash_dividends,
    split_adjusted_copy,
    split_order_fields,
    split_position,
    splits_holdings,
)
from lean_offline.engine.orders import OrderType
from lean_offline.engine.portfolio import SecurityPortfolioManager
from lean_offline.engine.securities import EngineClock, Security, SecurityManager
from lean_offline.enums import DataNormalizationMode, SecurityType

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "lean-data"

# AAPL's factor file: 20140606,0.9011818,0.03571430,645.57 then 20140806,0.9011818,0.25,94.97 -> 7:1 split on 06-09
AAPL_SPLIT_FACTOR = Decimal("0.0357143") / Decimal("0.25")


# --- pure rules ---------------------------------------------------------------------------------------------------
def test_split_keeps_whole_shares_and_returns_the_fraction() -> None:
    # 101 / 0.1428572 = 706.99965..: 706 shares, 0.99965.. of a share paid in cash
    after = split_position(101, 646.25, float(AAPL_SPLIT_FACTOR))
    assert after.quantity == 706
    assert after.average_price == pytest.approx(float(Decimal("646.25") * AAPL_SPLIT_FACTOR), rel=1e-12)
    assert after.fractional_quantity == pytest.approx(float(101 / AAPL_SPLIT_FACTOR - 706), rel=1e-9)


def test_split_of_a_short_position_truncates_towards_zero() -> None:
    after = split_position(-3, 30.0, 2 / 3)  # a 3-for-2 split: -4.5 shares
    assert (after.quantity, after.fractional_quantity) == (-4, pytest.approx(-0.5))
    assert after.average_price == pytest.approx(20.0)


@given(st.integers(-10_000, 10_000), st.floats(1.0, 1000.0), st.sampled_from([0.5, 0.25, 1 / 7, 2 / 3, 2.0, 10.0]))
def test_split_preserves_the_cost_of_the_position(quantity: int, average: float, factor: float) -> None:
    after = split_position(quantity, average, factor)
    assert abs(after.fractional_quantity) < 1
    assert (after.quantity + after.fractional_quantity) * after.average_price == pytest.approx(quantity * average)


def test_dividend_rules() -> None:
    assert dividend_payment(-100, 0.41) == pytest.approx(-41.0)  # a short position pays the dividend
    assert dividend_payment(10, 0.5, 1.25) == pytest.approx(6.25)
    assert pays_cash_dividends(DataNormalizationMode.RAW) and pays_cash_dividends(DataNormalizationMode.SPLIT_ADJUSTED)
    assert not pays_cash_dividends(DataNormalizationMode.ADJUSTED)
    assert not pays_cash_dividends(DataNormalizationMode.TOTAL_RETURN)
    assert splits_holdings(SecurityType.EQUITY, DataNormalizationMode.RAW)
    assert not splits_holdings(SecurityType.EQUITY, DataNormalizationMode.SPLIT_ADJUSTED)
    assert not splits_holdings(SecurityType.FOREX, DataNormalizationMode.RAW)
    assert splits_holdings(SecurityType.EQUITY, DataNormalizationMode.ADJUSTED, live_mode=True)


class _Ticket:
    def __init__(self, order_type: Any, quantity: float, fields: dict[int, float | bool]) -> None:
        self.order_type, self.quantity, self._fields = order_type, quantity, fields

    def get(self, field: Any) -> float | bool:
        return self._fields[int(field)]


def test_open_orders_keep_their_notional_across_a_split() -> None:
    stop_limit = split_order_fields(_Ticket(OrderType.STOP_LIMIT, -100, {0: 90.0, 1: 95.0}), 0.5)
    assert (stop_limit.quantity, stop_limit.limit_price, stop_limit.stop_price) == (-200, 45.0, 47.5)
    assert stop_limit.trigger_price is None and stop_limit.trailing_amount is None
    touched = split_order_fields(_Ticket(OrderType.LIMIT_IF_TOUCHED, 7, {0: 10.0, 2: 12.0}), 2.0)
    assert (touched.quantity, touched.limit_price, touched.trigger_price, touched.stop_price) == (3, 20.0, 24.0, None)
    trailing = split_order_fields(_Ticket(OrderType.TRAILING_STOP, 10, {1: 80.0, 3: 5.0, 4: False}), 0.25)
    assert (trailing.quantity, trailing.stop_price, trailing.trailing_amount) == (40, 20.0, 1.25)
    percent = split_order_fields(_Ticket(OrderType.TRAILING_STOP, 10, {1: 80.0, 3: 0.05, 4: True}), 0.25)
    assert percent.trailing_amount is None
    market = split_order_fields(_Ticket(OrderType.MARKET_ON_OPEN, 10, {}), 0.25)
    assert (market.quantity, market.limit_price, market.stop_price) == (40, None, None)


def test_split_adjusted_copy_rescales_prices_and_rounds_volumes() -> None:
    bar = TradeBar(symbol="AAA", open=100.0, high=110.0, low=90.0, close=105.0, volume=1001)
    copy: Any = split_adjusted_copy(bar, 0.5)
    assert (copy.open, copy.high, copy.low, copy.close, copy.volume) == (50.0, 55.0, 45.0, 52.5, 2002)
    assert (bar.close, bar.volume) == (105.0, 1001)  # the delivered bar is left alone
    quote = QuoteBar(symbol="AAA", bid=Bar(10, 11, 9, 10), last_bid_size=3, ask=Bar(12, 13, 11, 12), last_ask_size=5)
    scaled: Any = split_adjusted_copy(quote, 2.0)
    assert (scaled.bid.close, scaled.ask.open, scaled.close) == (20.0, 24.0, 22.0)
    assert (scaled.last_bid_size, scaled.last_ask_size) == (2, 2)  # 1.5 and 2.5 round half to even


def test_a_cache_split_is_seen_by_the_cached_portfolio_value() -> None:
    securities = SecurityManager()
    portfolio = SecurityPortfolioManager(securities)
    portfolio.set_cash(1000.0)
    symbol = Symbol.create("AAA", SecurityType.EQUITY, "usa")
    security = securities.add(Security(symbol, SecurityExchangeHours.always_open_hours("America/New_York"),
                                       clock=EngineClock(datetime(2020, 1, 2))))
    delivered = TradeBar(datetime(2020, 1, 2), symbol, 100.0, 104.0, 96.0, 102.0, 5000.0, timedelta(days=1))
    security.update(delivered)
    security.holdings.set_holdings(90.0, 10)
    assert portfolio.total_portfolio_value == 1000.0 + 10 * 102.0  # now cached
    security.apply_split(0.5)  # prices halve with the quantity unchanged: the cached value must not survive
    assert portfolio.total_portfolio_value == 1000.0 + 10 * 51.0
    assert (security.price, security.open, security.high, security.low, security.volume) == (51.0, 50.0, 52.0, 48.0,
                                                                                             10000.0)
    assert security.get_last_data().close == 51.0 and delivered.close == 102.0


# --- backtests on LEAN's sample data ------------------------------------------------------------------------------
def _run(tmp_path: Path, source: str) -> dict[str, Any]:
    """Run an algorithm that reports with self.debug("REPORT " + json); the reports merged, in order."""
    if not DATA.is_dir():
        pytest.skip(f"LEAN sample data not found at {DATA}")
    algorithm = tmp_path / "main.py"
    algorithm.write_text("from AlgorithmImports import *\nimport json\n\n" + source)
    result = backtest(algorithm, data_folder=DATA, write_results=False)
    assert result.status == "Completed", result.stack_trace
    reports: dict[str, Any] = {}
    for line in result.logs:
        if " REPORT " in line:
            reports.update(json.loads(line.split(" REPORT ", 1)[1]))
    return reports


_AAPL_SPLIT = '''
class Split(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2014, 6, 4)
        self.set_end_date(2014, 6, 10)
        self.aapl = self.add_equity("AAPL", Resolution.DAILY, data_normalization_mode=DataNormalizationMode.RAW)
        self.limit = None

    def _state(self, key):
        s, h = self.aapl, self.aapl.holdings
        self.debug("REPORT " + json.dumps({key: dict(quantity=h.quantity, average=h.average_price,
            cash=self.portfolio.cash, value=self.portfolio.total_portfolio_value, price=s.price, open=s.open,
            high=s.high, low=s.low, close=s.close, volume=s.volume, last=s.get_last_data().close)}))

    def on_data(self, slice):
        if self.time.day == 4:
            self.market_order(self.aapl.symbol, 101)
            self.limit = self.limit_order(self.aapl.symbol, 100, 500.0)
        if self.time.day == 6:
            self._state("before")
        if self.time.day == 9 and self.time.hour == 16:  # not at the split step, 00:00
            self.liquidate(self.aapl.symbol)

    def on_splits(self, splits):
        split = splits[self.aapl.symbol]
        if split.type == SplitType.SPLIT_OCCURRED:
            self._state("after")
            self.debug("REPORT " + json.dumps({"order": [self.limit.quantity, self.limit.get(OrderField.LIMIT_PRICE),
                                                         str(self.limit.status)]}))

    def on_end_of_algorithm(self):
        self.debug("REPORT " + json.dumps({"trades": [[float(t.quantity), float(t.entry_price), float(t.exit_price)]
                                                      for t in self.trade_builder.closed_trades]}))
'''


@pytest.mark.lean_data
def test_raw_split_of_an_odd_aapl_position(tmp_path: Path) -> None:
    reports = _run(tmp_path, _AAPL_SPLIT)
    before, after = reports["before"], reports["after"]
    f = AAPL_SPLIT_FACTOR
    # bought 101 at the 06-05 open 646.25 (raw); the last bar before the split is 06-06: O 650.00 H 651.25
    # L 644.48 C 645.57 V 12116671
    assert (before["quantity"], before["average"], before["close"]) == (101, 646.25, 645.57)
    assert after["quantity"] == 706
    assert after["average"] == pytest.approx(float(Decimal("646.25") * f), rel=1e-12)
    for field, raw in (("price", "645.57"), ("close", "645.57"), ("last", "645.57"), ("open", "650.00"),
                       ("high", "651.25"), ("low", "644.48")):
        assert after[field] == pytest.approx(float(Decimal(raw) * f), rel=1e-12), field
    assert after["volume"] == pytest.approx(float(12116671 / f), rel=1e-12)
    leftover = (101 / f - 706) * Decimal("645.57") * f  # the fractional share at the rescaled close
    assert after["cash"] - before["cash"] == pytest.approx(float(leftover), rel=1e-9)
    assert after["value"] == pytest.approx(before["value"], rel=1e-12)  # a split moves no value
    # the open limit order (buy 100 at 500) keeps its notional: 100 / f = 699.9997 -> 699 shares at 500 f
    quantity, limit_price, status = reports["order"]
    assert (quantity, status) == (699, "UpdateSubmitted")
    assert limit_price == pytest.approx(float(500 * f), rel=1e-12)
    # sold on 06-10 at the open (94.64): the trade's entry price is in post-split units too
    [[trade_quantity, entry, exit_price]] = reports["trades"]
    assert (trade_quantity, exit_price) == (706, 94.64)
    assert entry == pytest.approx(float(Decimal("646.25") * f), rel=1e-12)


_SPY_DIVIDEND = '''
class Dividend(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2004, 6, 14)
        self.set_end_date(2004, 6, 22)
        self.spy = self.add_equity("SPY", Resolution.DAILY, data_normalization_mode=DataNormalizationMode.MODE)
        self.cash = None

    def on_data(self, slice):
        if self.time.day == 14:
            self.market_order(self.spy.symbol, -100)
        if self.time.day == 17:
            self.cash = self.portfolio.cash

    def on_dividends(self, dividends):
        d = dividends[self.spy.symbol]
        self.debug("REPORT " + json.dumps(dict(time=str(self.time), distribution=d.distribution,
            paid=self.portfolio.cash - self.cash, total=self.spy.holdings.total_dividends,
            profit=self.portfolio.total_profit, quantity=self.spy.holdings.quantity)))
'''
# SPY's factor file: 20040617,0.7128632,1,113.86 then 20040916,0.7154646,1,113.1 -> a dividend on 2004-06-18
SPY_DISTRIBUTION = round(Decimal("113.86") - Decimal("113.86") * Decimal("0.7128632") / Decimal("0.7154646"), 2)


@pytest.mark.lean_data
def test_a_short_position_pays_the_dividend_in_raw_mode(tmp_path: Path) -> None:
    report = _run(tmp_path, _SPY_DIVIDEND.replace("MODE", "RAW"))
    assert report["time"] == "2004-06-18 00:00:00" and report["quantity"] == -100
    assert report["distribution"] == pytest.approx(float(SPY_DISTRIBUTION))
    assert report["paid"] == pytest.approx(-100 * float(SPY_DISTRIBUTION))
    assert report["total"] == pytest.approx(-100 * float(SPY_DISTRIBUTION))


@pytest.mark.lean_data
def test_adjusted_prices_pay_no_dividend(tmp_path: Path) -> None:
    report = _run(tmp_path, _SPY_DIVIDEND.replace("MODE", "ADJUSTED"))
    assert report["quantity"] == -100 and report["distribution"] == pytest.approx(float(SPY_DISTRIBUTION))
    assert (report["paid"], report["total"]) == (0.0, 0.0)


_WARM_UP = '''
class WarmUp(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2014, 6, 12)
        self.set_end_date(2014, 6, 13)
        self.set_warm_up(timedelta(days=60))
        self.aapl = self.add_equity("AAPL", Resolution.DAILY, data_normalization_mode=DataNormalizationMode.RAW)
        self.aapl.holdings.set_holdings(600.0, 101)
        self.events = []

    def on_splits(self, splits):
        self._report("split")

    def on_dividends(self, dividends):
        self._report("dividend")

    def _report(self, kind):
        h = self.aapl.holdings
        self.events.append(dict(kind=kind, warming_up=self.is_warming_up, quantity=h.quantity,
                                average=h.average_price, cash=self.portfolio.cash, dividends=h.total_dividends,
                                price=self.aapl.price))

    def on_end_of_algorithm(self):
        self.debug("REPORT " + json.dumps({"events": self.events}))
'''


@pytest.mark.lean_data
def test_warm_up_applies_neither_dividends_nor_splits(tmp_path: Path) -> None:
    events = _run(tmp_path, _WARM_UP)["events"]
    # AAPL's factor file has a dividend on 2014-05-08 and the split warning/occurrence on 06-06/06-09
    assert [event["kind"] for event in events] == ["dividend", "split", "split"]
    for event in events:
        assert event["warming_up"]
        assert (event["quantity"], event["average"], event["cash"], event["dividends"]) == (101, 600.0, 100000, 0)
    assert events[-1]["price"] > 600  # the cached raw price was not rescaled by the split
    assert math.isfinite(events[-1]["price"])


_CALLBACK_NAMES = '''
class Names(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2014, 5, 7)
        self.set_end_date(2014, 6, 9)
        self.add_equity("AAPL", Resolution.DAILY)
        self.calls = []

    def on_dividends(self, dividends: Dividends):
        self.calls.append("on_dividends " + type(dividends).__name__)

    def OnDividends(self, dividends: Dividends):
        self.calls.append("OnDividends")

    def OnSplits(self, splits: Splits):
        self.calls.append("OnSplits " + str(splits[self.securities["AAPL"].symbol].type))

    def on_data(self, slice):
        if slice.splits or slice.dividends:
            self.calls.append("on_data")

    def on_end_of_algorithm(self):
        self.debug("REPORT " + json.dumps({"calls": self.calls}))
'''


@pytest.mark.lean_data
def test_callbacks_are_found_snake_case_first_and_run_before_on_data(tmp_path: Path) -> None:
    # AAPL's factor file: a dividend at 2014-05-08 00:00, the split warning at 06-06 00:00, the split at 06-09 00:00
    calls = _run(tmp_path, _CALLBACK_NAMES)["calls"]
    assert calls == ["on_dividends Dividends", "on_data", "OnSplits Warning", "on_data", "OnSplits SplitOccurred", "on_data"]


_AAPL_FRACTION_AFTER_SPLIT = '''
class Fraction(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2014, 6, 4)
        self.set_end_date(2014, 6, 17)
        self.aapl = self.add_equity("AAPL", Resolution.DAILY, data_normalization_mode=DataNormalizationMode.RAW)

    def on_data(self, slice):
        if self.time.day == 4:
            self.market_order(self.aapl.symbol, 101)
        if self.time.day == 9 and self.time.hour == 16:
            self.liquidate(self.aapl.symbol)
        if self.time.day == 13:
            self.market_order(self.aapl.symbol, -1)

    def on_end_of_algorithm(self):
        self.debug("REPORT " + json.dumps({"trades": [[str(t.quantity), str(t.entry_price), float(t.exit_price),
                                                       float(t.mae), float(t.mfe)]
                                                      for t in self.trade_builder.closed_trades],
                                           "quantity": self.aapl.holdings.quantity}))
'''


@pytest.mark.lean_data
def test_the_fraction_a_split_leaves_open_keeps_observing_prices_while_the_holding_is_flat(tmp_path: Path) -> None:
    # 101 bought at the 06-05 open 646.25 become 706.9997 shares at the 7:1 split: 706 sold at the 06-10 open
    # (94.64), the fraction stays open in the trade builder (the portfolio paid it in cash) and is closed by the
    # sale of one share, filled at the 06-16 open 91.58. LEAN prices every security of a time step into the trade
    # builder, held or not, so the fraction's range takes the flat days' closes: the lowest is 91.28 on 06-13
    # (before: the pre-split closes 647.35, 645.57 × f, then 93.70, 94.25 and the fill at 94.64 the highest).
    reports = _run(tmp_path, _AAPL_FRACTION_AFTER_SPLIT)
    f = AAPL_SPLIT_FACTOR
    entry = Decimal("646.25") * f
    fraction = 101 / f - 706
    (whole, whole_entry, whole_exit, _, _), (quantity, fraction_entry, exit_price, mae, mfe) = reports["trades"]
    assert (Decimal(whole), Decimal(whole_entry), whole_exit) == (706, entry, 94.64)
    assert Decimal(quantity) == pytest.approx(fraction, rel=Decimal("1e-20"))
    assert (Decimal(fraction_entry), exit_price) == (entry, 91.58)
    assert mae == pytest.approx(float((Decimal("91.28") - entry) * fraction), abs=0.005)
    assert mfe == pytest.approx(float((Decimal("94.64") - entry) * fraction), abs=0.005)
    assert reports["quantity"] == -1
