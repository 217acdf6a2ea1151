"""Trading API on a small algorithm stand-in: sizing, conversions, fills, liquidation, counting, bookkeeping.

Expected values are derived independently: brute-force searches over integer quantities, hand arithmetic, and
LEAN's recorded fills for BasicTemplateDailyAlgorithm (697 SPY at 143.372382812, fee 3.485).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.data.market import BaseData, TradeBar
from lean_offline.data.market_hours import SecurityExchangeHours, nyse_fallback_hours
from lean_offline.data.symbol import Symbol
from lean_offline.engine.buying_power import SecurityMarginModel
from lean_offline.engine.orders import PortfolioTarget
from lean_offline.engine.portfolio import SecurityPortfolioManager
from lean_offline.engine.scheduling import local_to_utc
from lean_offline.engine.securities import Security, SecurityManager
from lean_offline.engine.settings import AlgorithmSettings
from lean_offline.engine.trading import TradingMixin
from lean_offline.engine.transactions import SecurityTransactionManager
from lean_offline.enums import OrderStatus, OrderType, Resolution, SecurityType

NEW_YORK = ZoneInfo("America/New_York")
SPY_FACTOR = 0.8646266
SESSION = timedelta(hours=6.5)
CLOSED = (OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.INVALID)


@cache
def nyse_hours() -> SecurityExchangeHours:
    return nyse_fallback_hours(2013, 2014)


class CustomPoint(BaseData):
    """A custom data point (PythonData-like): only `value`."""


class FakeAlgorithm(TradingMixin):
    """The attributes TradingMixin relies on, with logs captured."""

    def __init__(self, cash: float = 100_000.0) -> None:
        self.utc_time = datetime(2013, 10, 8, 20)
        self.settings = AlgorithmSettings()
        self.securities = SecurityManager()
        self.portfolio = SecurityPortfolioManager(self.securities, self.settings)
        self.transactions = SecurityTransactionManager(self)
        self.is_warming_up = False
        self.live_mode = False
        self.debugs: list[str] = []
        self.errors: list[str] = []
        self.events: list[Any] = []
        self.records: list[tuple[datetime, float]] = []
        self.portfolio.set_cash(cash)
        self.transactions.set_order_event_handler(self.events.append)
        self.portfolio.set_transaction_record_handler(lambda utc, amount: self.records.append((utc, amount)))

    def debug(self, message: Any) -> None:
        self.debugs.append(str(message))

    def error(self, message: Any) -> None:
        self.errors.append(str(message))

    @property
    def time(self) -> datetime:
        return self.utc_time.replace(tzinfo=ZoneInfo("UTC")).astimezone(NEW_YORK).replace(tzinfo=None)

    def at(self, local: datetime) -> None:
        self.utc_time = local_to_utc(local, NEW_YORK)

    def add_equity(self, ticker: str, resolution: Any = Resolution.DAILY) -> Security:
        symbol = Symbol.create(ticker, SecurityType.EQUITY, "usa")
        security = Security(symbol, nyse_hours(), clock=self)
        security.add_subscription(TradeBar, resolution)
        return self.securities.add(security)

    def add_custom(self, ticker: str) -> Security:
        symbol = Symbol.create_base("CustomPoint", ticker)
        security = Security(symbol, SecurityExchangeHours.always_open_hours("America/New_York"), clock=self,
                            leverage=1.0)
        security.add_subscription(CustomPoint, Resolution.DAILY)
        return self.securities.add(security)

    def daily_bar(self, security: Security, day: datetime, open_: float, close: float,
                  high: float | None = None, low: float | None = None) -> None:
        """Deliver `day`'s daily bar at 16:00 with the clock set there (as the engine does)."""
        self.at(day.replace(hour=16))
        security.update(TradeBar(day.replace(hour=9, minute=30), security.symbol, open_,
                                 high if high is not None else max(open_, close),
                                 low if low is not None else min(open_, close), close, 1e6, SESSION))

    def step(self) -> None:
        self.transactions.process_synchronous_events()

    def custom_point(self, security: Security, day: datetime, value: float) -> None:
        self.at(day)
        security.update(CustomPoint(day, day + timedelta(days=1), security.symbol, value))


def ib_fee(quantity: float, price: float) -> float:
    per_share = 0.005 * abs(quantity)
    return 1.0 if per_share < 1 else min(per_share, 0.005 * abs(quantity) * price)


def brute_force_set_holdings(tpv: float, price: float, percent: float, leverage: float) -> int:
    """Largest whole quantity q with price·q/leverage ≤ (TPV − fee(q))·percent·(1 − 0.0025)/leverage."""
    fraction = percent * (1 - 0.0025) / leverage
    best = 0
    for quantity in range(0, int(tpv * leverage / price) + 2):
        if price * quantity / leverage <= (tpv - ib_fee(quantity, price)) * fraction:
            best = quantity
    return best


# --- SetHoldings sizing -------------------------------------------------------------------------------------------
def test_basic_template_daily_first_order_is_697_shares() -> None:
    algorithm = FakeAlgorithm()
    spy = algorithm.add_equity("SPY")
    price = 165.48 * SPY_FACTOR
    algorithm.daily_bar(spy, datetime(2013, 10, 8), 167.0 * SPY_FACTOR, price)
    expected = brute_force_set_holdings(100_000.0, price, 1.0, 2.0)
    assert expected == 697  # the quantity LEAN's BasicTemplateDailyAlgorithm buys
    assert algorithm.calculate_order_quantity("SPY", 1.0) == expected


def test_set_holdings_after_close_becomes_moo_and_fills_at_next_open_with_ib_fee() -> None:
    algorithm = FakeAlgorithm()
    spy = algorithm.add_equity("SPY")
    algorithm.daily_bar(spy, datetime(2013, 10, 8), 167.0 * SPY_FACTOR, 165.48 * SPY_FACTOR)
    tickets = algorithm.set_holdings("SPY", 1)
    assert [ticket.order_type for ticket in tickets] == [OrderType.MARKET_ON_OPEN]
    assert tickets[0].status == OrderStatus.SUBMITTED
    algorithm.step()  # same time step: never filled
    algorithm.at(datetime(2013, 10, 9, 10))
    algorithm.step()  # next morning, the daily bar of the 9th has not arrived
    assert tickets[0].status == OrderStatus.SUBMITTED
    open_9th = 165.82 * SPY_FACTOR
    algorithm.daily_bar(spy, datetime(2013, 10, 9), open_9th, 165.60 * SPY_FACTOR)
    algorithm.step()
    assert tickets[0].status == OrderStatus.FILLED
    assert tickets[0].average_fill_price == pytest.approx(143.372382812, abs=1e-9)
    assert algorithm.portfolio.total_fees == pytest.approx(3.485)
    assert algorithm.portfolio.cash == pytest.approx(100_000 - 697 * open_9th - 3.485)
    fill = algorithm.events[-1]
    assert fill.utc_time == datetime(2013, 10, 9, 20)


@pytest.mark.parametrize("percent", [0.3, -0.5, 1.5])
def test_calculate_order_quantity_matches_brute_force(percent: float) -> None:
    algorithm = FakeAlgorithm(50_000.0)
    spy = algorithm.add_equity("SPY")
    algorithm.daily_bar(spy, datetime(2013, 10, 8), 100.0, 101.37)
    quantity = algorithm.calculate_order_quantity(spy.symbol, percent)
    magnitude = brute_force_set_holdings(50_000.0, 101.37, abs(percent), 2.0)
    assert quantity == (magnitude if percent > 0 else -magnitude)


def test_minimum_order_margin_filter_skips_small_rebalances() -> None:
    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")  # leverage 1, no fees: margin = price × quantity
    algorithm.custom_point(custom, datetime(2013, 10, 8), 100.0)
    algorithm.market_order("BTC", 500)  # $50,000 held, TPV stays $100,000
    # target margin 0.5005 × 0.9975 × TPV = $49,924.875: |Δ| = $75.125 < 0.1 % of TPV ($100) → no order
    assert algorithm.set_holdings("BTC", 0.5005) == []
    assert algorithm.transactions.orders_count == 1
    assert sum("minimum_order_margin_portfolio_percentage" in message for message in algorithm.debugs) == 1
    algorithm.settings.minimum_order_margin_portfolio_percentage = 0
    tickets = algorithm.set_holdings("BTC", 0.5005)
    assert [ticket.quantity for ticket in tickets] == [-1.0]  # floor(499.24875) − 500


def test_free_portfolio_value_setting_replaces_the_percentage_buffer() -> None:
    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")
    algorithm.custom_point(custom, datetime(2013, 10, 8), 100.0)
    algorithm.settings.free_portfolio_value = 10_000.0
    assert algorithm.calculate_order_quantity("BTC", 1.0) == 900.0  # (100k − 10k) / $100


def test_set_holdings_subtracts_pending_moo_quantity() -> None:
    algorithm = FakeAlgorithm()
    spy = algorithm.add_equity("SPY")
    algorithm.daily_bar(spy, datetime(2013, 10, 8), 100.0, 100.0)
    first = algorithm.set_holdings("SPY", 0.5)
    second = algorithm.set_holdings("SPY", 0.5)
    assert len(first) == 1
    assert second == []  # the open MOO already covers the target
    assert algorithm.transactions.orders_count == 1


def test_portfolio_target_list_orders_reductions_first_then_by_value() -> None:
    algorithm = FakeAlgorithm(1_000_000.0)
    names = {ticker: algorithm.add_custom(ticker) for ticker in ("AAA", "BBB", "CCC")}
    for security in names.values():
        algorithm.custom_point(security, datetime(2013, 10, 8), 100.0)
    algorithm.market_order("CCC", 5000)  # $500k in CCC
    tickets = algorithm.set_holdings([PortfolioTarget("AAA", 0.1), PortfolioTarget("BBB", 0.3),
                                      PortfolioTarget("CCC", 0.2)])
    assert [ticket.symbol.value for ticket in tickets] == ["CCC", "BBB", "AAA"]
    assert tickets[0].quantity < 0 < tickets[1].quantity


def test_set_holdings_liquidate_existing_holdings() -> None:
    algorithm = FakeAlgorithm()
    first, second = algorithm.add_custom("AAA"), algorithm.add_custom("BBB")
    for security in (first, second):
        algorithm.custom_point(security, datetime(2013, 10, 8), 50.0)
    algorithm.market_order("AAA", 100)
    tickets = algorithm.set_holdings("BBB", 0.5, liquidate_existing_holdings=True)
    assert [(ticket.symbol.value, ticket.quantity) for ticket in tickets][0] == ("AAA", -100.0)
    assert not first.holdings.invested and second.holdings.invested


def test_target_list_overload_takes_liquidate_existing_holdings_positionally() -> None:
    """LEAN's `SetHoldings(targets, liquidateExistingHoldings, tag)`: the seed strategies call it positionally."""
    algorithm = FakeAlgorithm()
    first, second = algorithm.add_custom("AAA"), algorithm.add_custom("BBB")
    for security in (first, second):
        algorithm.custom_point(security, datetime(2013, 10, 8), 50.0)
    algorithm.market_order("AAA", 100)
    tickets = algorithm.set_holdings([PortfolioTarget("BBB", 0.5)], True, "rebalance")  # type: ignore[arg-type]  # LEAN's list overload
    assert ("AAA", -100.0) in [(ticket.symbol.value, ticket.quantity) for ticket in tickets]
    assert all(ticket.tag == "rebalance" for ticket in tickets)
    assert not first.holdings.invested and second.holdings.invested


def test_target_list_overload_rejects_a_percentage() -> None:
    algorithm = FakeAlgorithm()
    algorithm.custom_point(algorithm.add_custom("AAA"), datetime(2013, 10, 8), 50.0)
    with pytest.raises(TypeError, match="must be a bool"):
        algorithm.set_holdings([PortfolioTarget("AAA", 0.5)], 0.5)


# --- conversions ----------------------------------------------------------------------------------------------
def test_daily_only_market_order_during_market_hours_becomes_moc_and_fills_at_close() -> None:
    algorithm = FakeAlgorithm()
    spy = algorithm.add_equity("SPY")
    algorithm.daily_bar(spy, datetime(2013, 10, 8), 100.0, 101.0)
    algorithm.at(datetime(2013, 10, 9, 9, 30))
    ticket = algorithm.market_order("SPY", 10)
    assert ticket.order_type == OrderType.MARKET_ON_CLOSE
    algorithm.at(datetime(2013, 10, 9, 12))
    algorithm.step()
    assert ticket.status == OrderStatus.SUBMITTED
    algorithm.daily_bar(spy, datetime(2013, 10, 9), 102.0, 103.5)
    algorithm.step()
    assert ticket.status == OrderStatus.FILLED
    assert ticket.average_fill_price == 103.5


def test_pending_moc_is_rechecked_for_buying_power_when_a_held_price_moves_before_the_close() -> None:
    """LEAN re-checks buying power at every scan, also while a market-on-close order waits for the close.

    Cash −5,000 and 150 AAA: TPV 10,000, margin used 150·100/2 = 7,500, free 2,500 ≥ the SPY order's 40·100/2 =
    2,000 + the $1 fee. AAA at 80: TPV 7,000, used 6,000, free 1,000 < 2,001: the next scan invalidates the order."""
    algorithm = FakeAlgorithm()
    aaa, spy = algorithm.add_equity("AAA"), algorithm.add_equity("SPY")
    algorithm.daily_bar(aaa, datetime(2013, 10, 8), 100.0, 100.0)
    algorithm.daily_bar(spy, datetime(2013, 10, 8), 100.0, 100.0)
    aaa.holdings.set_holdings(100.0, 150)
    algorithm.portfolio.set_cash(-5_000.0)
    algorithm.at(datetime(2013, 10, 9, 10))
    ticket = algorithm.market_order("SPY", 40)
    assert ticket.order_type == OrderType.MARKET_ON_CLOSE
    algorithm.at(datetime(2013, 10, 9, 11))
    algorithm.step()
    assert ticket.status == OrderStatus.SUBMITTED
    algorithm.at(datetime(2013, 10, 9, 12))
    aaa.update(TradeBar(datetime(2013, 10, 9, 11), aaa.symbol, 80.0, 80.0, 80.0, 80.0, 1e6, timedelta(hours=1)))
    algorithm.step()
    assert ticket.status == OrderStatus.INVALID
    assert "Initial Margin: 2001, Free Margin: 1000" in algorithm.errors[-1]


def test_market_order_is_rechecked_when_an_older_order_fills_first_in_the_same_scan() -> None:
    """Submission finds the market order sufficient, but the scan that follows fills the older limit order first.

    Cash 1,000 at leverage 1: the limit buy of 10 @ 95 needs 10·100 = 1,000 at placement (enough). At 90 the market
    buy of 2 needs 180 ≤ 1,000 free; the limit order then fills first at 90 (cash 100, margin used 900), leaving
    100 < 180 free: the market order becomes invalid. No event handler, so submission's verdict may be reused."""
    algorithm = FakeAlgorithm(cash=1_000.0)
    algorithm.transactions.set_order_event_handler(None)
    custom = algorithm.add_custom("BTC")
    algorithm.custom_point(custom, datetime(2013, 10, 8), 100.0)
    limit = algorithm.limit_order("BTC", 10, 95.0)
    assert limit.status == OrderStatus.SUBMITTED
    algorithm.custom_point(custom, datetime(2013, 10, 9), 90.0)
    market = algorithm.market_order("BTC", 2)
    assert limit.status == OrderStatus.FILLED and limit.average_fill_price == 90.0
    assert market.status == OrderStatus.INVALID
    assert "Initial Margin: 180, Free Margin: 100" in algorithm.errors[-1]


def test_daily_only_market_order_near_the_close_becomes_moo() -> None:
    algorithm = FakeAlgorithm()
    spy = algorithm.add_equity("SPY")
    algorithm.daily_bar(spy, datetime(2013, 10, 8), 100.0, 101.0)
    algorithm.at(datetime(2013, 10, 9, 15, 50))  # within 15.5 minutes of the 16:00 close
    ticket = algorithm.market_order("SPY", 10)
    assert ticket.order_type == OrderType.MARKET_ON_OPEN
    assert ticket.status == OrderStatus.SUBMITTED


def test_moo_and_moc_on_an_always_open_market_raise() -> None:
    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")
    algorithm.custom_point(custom, datetime(2013, 10, 8), 10.0)
    with pytest.raises(ValueError, match="never closes"):
        algorithm.market_on_open_order("BTC", 1)
    with pytest.raises(ValueError, match="never closes"):
        algorithm.market_on_close_order("BTC", 1)


def test_minute_equity_market_order_fills_synchronously_at_the_close() -> None:
    algorithm = FakeAlgorithm()
    spy = algorithm.add_equity("SPY", Resolution.MINUTE)
    algorithm.at(datetime(2013, 10, 8, 10, 1))
    spy.update(TradeBar(datetime(2013, 10, 8, 10), spy.symbol, 100.0, 100.5, 99.5, 100.25, 1000.0,
                        timedelta(minutes=1)))
    ticket = algorithm.market_order("SPY", 100)
    assert ticket.order_type == OrderType.MARKET
    assert ticket.status == OrderStatus.FILLED
    assert ticket.average_fill_price == 100.25
    assert [event.status for event in ticket.order_events] == [OrderStatus.SUBMITTED, OrderStatus.FILLED]


# --- custom data, fills and bookkeeping ---------------------------------------------------------------------------
def test_custom_data_market_order_fills_inside_the_call_at_value_without_fee() -> None:
    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")
    algorithm.custom_point(custom, datetime(2013, 10, 8), 123.45)
    ticket = algorithm.market_order("BTC", 10)
    assert ticket.status == OrderStatus.FILLED
    assert ticket.average_fill_price == 123.45
    assert algorithm.portfolio.total_fees == 0
    assert algorithm.portfolio.cash == pytest.approx(100_000 - 1234.5)
    assert algorithm.portfolio.total_portfolio_value == pytest.approx(100_000)


def test_transaction_record_is_profit_minus_twice_the_fee() -> None:
    algorithm = FakeAlgorithm()
    spy = algorithm.add_equity("SPY", Resolution.MINUTE)
    algorithm.at(datetime(2013, 10, 8, 10, 1))
    spy.update(TradeBar(datetime(2013, 10, 8, 10), spy.symbol, 50.0, 50.0, 50.0, 50.0, 1.0, timedelta(minutes=1)))
    algorithm.market_order("SPY", 400)  # fee max(1, 2.0) = 2.0
    algorithm.at(datetime(2013, 10, 8, 11, 1))
    spy.update(TradeBar(datetime(2013, 10, 8, 11), spy.symbol, 52.5, 52.5, 52.5, 52.5, 1.0, timedelta(minutes=1)))
    algorithm.market_order("SPY", -300)  # closes 300: profit 300 × 2.5 = 750, fee 1.5
    assert algorithm.records == [(datetime(2013, 10, 8, 15, 1), 750.0 - 2 * 1.5)]
    assert spy.holdings.last_trade_profit == 750.0
    assert spy.holdings.quantity == 100 and spy.holdings.average_price == 50.0
    assert algorithm.portfolio.total_fees == pytest.approx(3.5)
    assert algorithm.portfolio.total_sale_volume == pytest.approx(400 * 50 + 300 * 52.5)


def test_transaction_records_at_the_same_time_move_by_a_millisecond() -> None:
    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")
    algorithm.custom_point(custom, datetime(2013, 10, 8), 10.0)
    algorithm.market_order("BTC", 10)
    algorithm.custom_point(custom, datetime(2013, 10, 9), 12.0)
    algorithm.market_order("BTC", -4)
    algorithm.market_order("BTC", -6)
    assert [amount for _, amount in algorithm.records] == [8.0, 12.0]
    assert algorithm.records[1][0] - algorithm.records[0][0] == timedelta(milliseconds=1)


def test_short_reversal_resets_average_price() -> None:
    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")
    algorithm.custom_point(custom, datetime(2013, 10, 8), 10.0)
    algorithm.market_order("BTC", 10)
    algorithm.custom_point(custom, datetime(2013, 10, 9), 11.0)
    algorithm.market_order("BTC", -15)
    assert custom.holdings.quantity == -5 and custom.holdings.average_price == 11.0
    assert custom.holdings.last_trade_profit == 10.0


# --- counting and rejection ---------------------------------------------------------------------------------------
def test_insufficient_buying_power_is_invalid_but_counted() -> None:
    algorithm = FakeAlgorithm(1_000.0)
    custom = algorithm.add_custom("BTC")
    algorithm.custom_point(custom, datetime(2013, 10, 8), 100.0)
    ticket = algorithm.market_order("BTC", 11)  # $1,100 of margin at leverage 1 with $1,000 free
    assert ticket.status == OrderStatus.INVALID
    assert algorithm.transactions.orders_count == 1
    message = algorithm.errors[-1]
    assert message.startswith("Order Error: ids: [1], Insufficient buying power to complete orders")
    assert "Initial Margin: 1100, Free Margin: 1000" in message
    assert ticket.order_events[-1].message == message


@pytest.mark.parametrize("name", ["margin_model", "MarginModel", "buying_power_model", "BuyingPowerModel"])
def test_a_margin_model_assigned_under_either_name_sizes_and_checks_orders(name: str) -> None:
    """Security.MarginModel is LEAN's older name of BuyingPowerModel, both settable: $1,500 of custom data (leverage
    1) needs $1,500 of margin, more than the $1,000 free; at leverage 2 it needs $750."""
    algorithm = FakeAlgorithm(1_000.0)
    custom = algorithm.add_custom("BTC")
    algorithm.custom_point(custom, datetime(2013, 10, 8), 100.0)
    assert algorithm.market_order("BTC", 15).status == OrderStatus.INVALID
    model = SecurityMarginModel(2.0)
    setattr(custom, name, model)
    assert custom.margin_model is model and custom.buying_power_model is model and custom.leverage == 2.0
    assert algorithm.market_order("BTC", 15).status == OrderStatus.FILLED


def test_pre_order_check_failures_are_not_counted() -> None:
    algorithm = FakeAlgorithm()
    spy = algorithm.add_equity("SPY")
    no_price = algorithm.market_order("SPY", 10)
    algorithm.daily_bar(spy, datetime(2013, 10, 8), 100.0, 100.0)
    zero = algorithm.market_order("SPY", 0)
    algorithm.is_warming_up = True
    warming = algorithm.market_order("SPY", 10)
    assert [ticket.status for ticket in (no_price, zero, warming)] == [OrderStatus.INVALID] * 3
    assert algorithm.transactions.orders_count == 0
    assert len(algorithm.errors) == 3
    assert "warm-up" in algorithm.errors[-1]


def test_orders_on_unknown_symbols_raise_a_clear_error() -> None:
    with pytest.raises(KeyError, match="not in the algorithm's securities"):
        FakeAlgorithm().market_order("QQQ", 1)


# --- liquidate --------------------------------------------------------------------------------------------------
def test_liquidate_cancels_open_moo_and_counts_it() -> None:
    algorithm = FakeAlgorithm()
    spy = algorithm.add_equity("SPY")
    algorithm.daily_bar(spy, datetime(2013, 10, 8), 100.0, 100.0)
    moo = algorithm.set_holdings("SPY", 0.5)[0]
    assert algorithm.liquidate() == []  # nothing held yet: only the cancellation happens
    assert moo.status == OrderStatus.CANCELED
    assert [event.status for event in moo.order_events] == [OrderStatus.SUBMITTED, OrderStatus.CANCEL_PENDING,
                                                            OrderStatus.CANCELED]
    assert moo.tag == "Liquidated"
    assert algorithm.transactions.orders_count == 1


def test_liquidate_closes_positions_and_skips_unknown_symbols() -> None:
    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")
    algorithm.custom_point(custom, datetime(2013, 10, 8), 10.0)
    algorithm.market_order("BTC", 25)
    tickets = algorithm.liquidate(["ETH", "BTC"])
    assert [ticket.quantity for ticket in tickets] == [-25.0]
    assert not algorithm.portfolio.invested
    assert sum("ETH" in message for message in algorithm.debugs) == 1


def test_liquidate_disabled_by_settings() -> None:
    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")
    algorithm.custom_point(custom, datetime(2013, 10, 8), 10.0)
    algorithm.market_order("BTC", 25)
    algorithm.settings.liquidate_enabled = False
    assert algorithm.liquidate() == []
    assert custom.holdings.quantity == 25


# --- limit and stop orders --------------------------------------------------------------------------------------
def test_limit_and_stop_orders_fill_from_the_next_bar_on_crossing() -> None:
    algorithm = FakeAlgorithm()
    spy = algorithm.add_equity("SPY", Resolution.MINUTE)
    algorithm.at(datetime(2013, 10, 8, 10, 1))
    spy.update(TradeBar(datetime(2013, 10, 8, 10), spy.symbol, 100.0, 100.0, 100.0, 100.0, 1.0,
                        timedelta(minutes=1)))
    buy_limit = algorithm.limit_order("SPY", 10, 99.0)
    sell_stop = algorithm.stop_market_order("SPY", -5, 98.0)
    algorithm.step()
    assert buy_limit.status == sell_stop.status == OrderStatus.SUBMITTED
    algorithm.at(datetime(2013, 10, 8, 10, 2))
    spy.update(TradeBar(datetime(2013, 10, 8, 10, 1), spy.symbol, 99.5, 99.8, 97.0, 97.5, 1.0,
                        timedelta(minutes=1)))
    algorithm.step()
    assert buy_limit.status == OrderStatus.FILLED and buy_limit.average_fill_price == 99.0  # min(high, limit)
    assert sell_stop.status == OrderStatus.FILLED and sell_stop.average_fill_price == 98.0  # at the stop


def test_equity_limit_and_stop_fill_at_the_open_on_gaps() -> None:
    algorithm = FakeAlgorithm()
    spy = algorithm.add_equity("SPY", Resolution.MINUTE)
    algorithm.at(datetime(2013, 10, 8, 10, 1))
    spy.update(TradeBar(datetime(2013, 10, 8, 10), spy.symbol, 100.0, 100.0, 100.0, 100.0, 1.0,
                        timedelta(minutes=1)))
    buy_limit = algorithm.limit_order("SPY", 10, 99.0)
    sell_stop = algorithm.stop_market_order("SPY", -5, 98.0)
    algorithm.at(datetime(2013, 10, 8, 10, 2))
    spy.update(TradeBar(datetime(2013, 10, 8, 10, 1), spy.symbol, 96.0, 96.5, 95.0, 96.2, 1.0,
                        timedelta(minutes=1)))
    algorithm.step()
    assert buy_limit.average_fill_price == 96.0  # favourable gap: the open, below the limit
    assert sell_stop.average_fill_price == 96.0  # unfavourable gap: the open, below the stop


def test_custom_data_limit_order_uses_the_base_fill_model() -> None:
    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")
    algorithm.custom_point(custom, datetime(2013, 10, 8), 100.0)
    ticket = algorithm.limit_order("BTC", 1, 95.0)
    algorithm.custom_point(custom, datetime(2013, 10, 9), 96.0)
    algorithm.step()
    assert ticket.status == OrderStatus.SUBMITTED  # price (= high = low) still above the limit
    algorithm.custom_point(custom, datetime(2013, 10, 10), 94.0)
    algorithm.step()
    assert ticket.status == OrderStatus.FILLED and ticket.average_fill_price == 94.0  # min(high, limit)


# --- JSON ---------------------------------------------------------------------------------------------------------
def test_order_and_event_json_shapes() -> None:
    algorithm = FakeAlgorithm()
    spy = algorithm.add_equity("SPY")
    algorithm.daily_bar(spy, datetime(2013, 10, 8), 100.0, 100.0)
    ticket = algorithm.market_order("SPY", 10, tag="entry")
    algorithm.daily_bar(spy, datetime(2013, 10, 9), 101.0, 102.0)
    algorithm.step()
    order = algorithm.transactions.get_order_by_id(ticket.order_id).to_json_dict()
    assert order["type"] == 4 and order["status"] == 3 and order["direction"] == 0
    assert order["time"] == "2013-10-08T20:00:00Z" and order["lastFillTime"] == "2013-10-09T20:00:00Z"
    assert order["symbol"]["value"] == "SPY" and order["tag"] == "entry" and order["price"] == 101.0
    assert "canceledTime" not in order and order["brokerId"] == ["1"]
    submitted, filled = (event.to_json_dict("algo") for event in ticket.order_events)
    assert submitted["status"] == "submitted" and "orderFeeAmount" not in submitted
    assert filled == {
        "id": "algo-1-2", "algorithmId": "algo", "orderId": 1, "orderEventId": 2,
        "symbol": str(spy.symbol.id), "symbolValue": "SPY", "symbolPermtick": "SPY",
        "time": 1381348800.0, "status": "filled", "orderFeeAmount": 1.0, "orderFeeCurrency": "USD",
        "fillPrice": 101.0, "fillPriceCurrency": "USD", "fillQuantity": 10.0, "direction": "buy",
        "isAssignment": False, "quantity": 10.0,
    }


# --- stale prices and brokerage models ------------------------------------------------------------------------------
def test_hourly_market_order_before_the_first_bar_waits_for_fresh_data() -> None:
    algorithm = FakeAlgorithm()
    spy = algorithm.add_equity("SPY", Resolution.HOUR)
    algorithm.at(datetime(2013, 10, 8, 16))
    spy.update(TradeBar(datetime(2013, 10, 8, 15), spy.symbol, 100.0, 100.0, 100.0, 100.0, 1.0, timedelta(hours=1)))
    algorithm.at(datetime(2013, 10, 9, 9, 30))  # a scheduled event at the open: the last price is yesterday's
    ticket = algorithm.market_order("SPY", 10)
    assert ticket.order_type == OrderType.MARKET
    assert ticket.status == OrderStatus.SUBMITTED
    algorithm.at(datetime(2013, 10, 9, 10))
    spy.update(TradeBar(datetime(2013, 10, 9, 9), spy.symbol, 101.0, 102.0, 100.5, 101.5, 1.0, timedelta(hours=1)))
    algorithm.step()
    assert ticket.status == OrderStatus.FILLED and ticket.average_fill_price == 101.5


def test_brokerage_model_sets_fees_and_cash_account_leverage_for_new_securities() -> None:
    from lean_offline.enums import AccountType, BrokerageName

    algorithm = FakeAlgorithm()
    before = algorithm.add_equity("SPY")
    algorithm.transactions.set_brokerage_model(BrokerageName.INTERACTIVE_BROKERS_BROKERAGE, AccountType.CASH)
    after = algorithm.add_equity("QQQ")
    assert before.leverage == 2.0 and after.leverage == 1.0


def test_coinbase_fee_is_a_percentage_of_the_ask() -> None:
    from lean_offline.data.market import Bar, QuoteBar
    from lean_offline.enums import AccountType, BrokerageName

    algorithm = FakeAlgorithm()
    algorithm.transactions.set_brokerage_model(BrokerageName.GDAX, AccountType.CASH)
    symbol = Symbol.create("BTCUSD", SecurityType.CRYPTO, "coinbase")
    btc = algorithm.securities.add(Security(symbol, SecurityExchangeHours.always_open_hours("UTC"), clock=algorithm))
    btc.add_subscription(QuoteBar, Resolution.DAILY)
    algorithm.utc_time = datetime(2020, 1, 2)
    btc.update(QuoteBar(datetime(2020, 1, 1), symbol, Bar(99.5, 99.5, 99.5, 99.5), 1.0, Bar(100.5, 100.5, 100.5, 100.5),
                        1.0, timedelta(days=1)))
    ticket = algorithm.market_order(symbol, 2)
    assert ticket.average_fill_price == 100.5  # buys take the ask
    assert algorithm.portfolio.total_fees == pytest.approx(100.5 * 2 * 0.008)
    assert btc.leverage == 1.0


def test_ticket_cancel_update_and_open_order_queries() -> None:
    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")
    algorithm.custom_point(custom, datetime(2013, 10, 8), 100.0)
    first = algorithm.limit_order("BTC", 1, 90.0)
    second = algorithm.limit_order("BTC", -1, 120.0)
    transactions = algorithm.transactions
    assert [order.id for order in transactions.get_open_orders("BTC")] == [1, 2]
    assert transactions.get_open_orders_remaining_quantity(custom.symbol) == 0.0
    assert first.update_limit_price(95.0).is_success
    assert transactions.get_order_by_id(1).limit_price == 95.0
    assert first.order_events[-1].status == OrderStatus.UPDATE_SUBMITTED
    assert first.cancel("changed my mind").is_success
    assert first.status == OrderStatus.CANCELED and first.tag == "changed my mind"
    assert first.cancel().is_error  # already closed
    assert transactions.cancel_open_orders() == [second]
    assert transactions.get_open_orders() == [] and transactions.orders_count == 2


OPEN_ORDER_STEP = st.one_of(
    st.tuples(st.just("limit"), st.sampled_from(["BTC", "ETH"]), st.integers(-3, 3)),
    st.tuples(st.just("cancel"), st.just(""), st.integers(0, 20)),
    st.tuples(st.just("price"), st.sampled_from(["BTC", "ETH"]), st.integers(90, 110)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(OPEN_ORDER_STEP, min_size=1, max_size=25))
def test_open_orders_by_symbol_follow_submissions_fills_and_cancels(steps: list[tuple[str, str, int]]) -> None:
    """The per-symbol open-order queries list exactly the tickets whose own status is still open, in id order."""
    algorithm = FakeAlgorithm(cash=10_000_000.0)
    securities = {ticker: algorithm.add_custom(ticker) for ticker in ("BTC", "ETH")}
    day = datetime(2013, 10, 8)
    for security in securities.values():
        algorithm.custom_point(security, day, 100.0)
    tickets: list[Any] = []
    for kind, ticker, amount in steps:
        if kind == "limit":
            quantity = 1 if amount >= 0 else -1
            tickets.append(algorithm.limit_order(ticker, quantity, 100.0 - 2 * amount * quantity))
        elif kind == "cancel" and tickets:
            tickets[amount % len(tickets)].cancel()
        elif kind == "price":
            day += timedelta(days=1)
            algorithm.custom_point(securities[ticker], day, float(amount))
            algorithm.step()
        for name, security in securities.items():
            expected = [ticket.order_id for ticket in tickets
                        if ticket.symbol.value == name and ticket.status not in CLOSED]
            transactions = algorithm.transactions
            assert [ticket.order_id for ticket in transactions.get_open_order_tickets(security.symbol)] == expected
            assert [order.id for order in transactions.get_open_orders(security.symbol)] == expected
            assert [order.id for order in transactions.get_open_orders(name)] == expected


def test_ticket_get_reads_limit_and_stop_prices() -> None:
    from lean_offline.engine.orders import OrderField

    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")
    algorithm.custom_point(custom, datetime(2013, 10, 8), 100.0)
    ticket = algorithm.stop_limit_order("BTC", 1, 105.0, 106.0)
    assert ticket.get(OrderField.LIMIT_PRICE) == 106.0 and ticket.Get(OrderField.StopPrice) == 105.0
    with pytest.raises(ValueError, match="Unable to get field"):
        algorithm.limit_order("BTC", 1, 90.0).get(OrderField.STOP_PRICE)


# --- user models written against LEAN's Python API ------------------------------------------------------------------
def test_custom_buying_power_model_with_lean_parameter_objects() -> None:
    from lean_offline.engine.buying_power import (
        BuyingPowerModel,
        GetMaximumOrderQuantityResult,
        HasSufficientBuyingPowerForOrderResult,
        MaintenanceMargin,
    )

    class RoundHundreds(BuyingPowerModel):
        def get_maximum_order_quantity_for_target_buying_power(self, parameters):  # noqa: ANN001, ANN201
            quantity = super().get_maximum_order_quantity_for_target_buying_power(parameters).quantity
            return GetMaximumOrderQuantityResult(quantity // 100 * 100)

        def has_sufficient_buying_power_for_order(self, parameters):  # noqa: ANN001, ANN201
            return HasSufficientBuyingPowerForOrderResult(True)

        def get_maintenance_margin(self, parameters):  # noqa: ANN001, ANN201
            return MaintenanceMargin(0)

    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")
    custom.set_buying_power_model(RoundHundreds())
    algorithm.custom_point(custom, datetime(2013, 10, 8), 7.0)
    assert algorithm.calculate_order_quantity("BTC", 1.0) == 14200.0  # floor(99750 / 7) = 14250 → hundreds
    ticket = algorithm.market_order("BTC", 100_000)  # $700k on $100k: allowed by the model
    assert ticket.status == OrderStatus.FILLED
    assert algorithm.portfolio.total_margin_used == 0.0


def test_fill_model_overriding_fill_receives_lean_parameters() -> None:
    from lean_offline.engine.fills import Fill, FillModel

    seen: list[Any] = []

    class WaitOneDay(FillModel):
        def fill(self, parameters):  # noqa: ANN001, ANN201
            seen.append((parameters.security.symbol.value, parameters.order.id))
            if parameters.security.local_time - datetime(2013, 10, 8) < timedelta(days=1):
                return Fill([])
            return super().fill(parameters)

    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")
    custom.set_fill_model(WaitOneDay())
    algorithm.custom_point(custom, datetime(2013, 10, 8), 10.0)
    ticket = algorithm.market_order("BTC", 3)
    assert ticket.status == OrderStatus.SUBMITTED
    algorithm.custom_point(custom, datetime(2013, 10, 9), 11.0)
    algorithm.step()
    assert ticket.status == OrderStatus.FILLED and ticket.average_fill_price == 11.0
    assert seen == [("BTC", 1), ("BTC", 1)]


def test_brokerage_model_refusals_and_updates_requested_inside_on_order_event() -> None:
    from lean_offline.engine.orders import UpdateOrderFields
    from lean_offline.engine.transactions import BrokerageMessageEvent, BrokerageMessageType, DefaultBrokerageModel

    class Picky(DefaultBrokerageModel):
        def can_submit_order(self, security, order, message):  # noqa: ANN001, ANN201
            if security.symbol.value == "ETH":
                return False, BrokerageMessageEvent(BrokerageMessageType.INFORMATION, "", "no ETH")
            return True, None

        def can_update_order(self, security, order, request, message):  # noqa: ANN001, ANN201
            return False, BrokerageMessageEvent(BrokerageMessageType.INFORMATION, "", "no updates")

    algorithm = FakeAlgorithm()
    algorithm.transactions.set_brokerage_model(Picky())
    btc, eth = algorithm.add_custom("BTC"), algorithm.add_custom("ETH")
    for security in (btc, eth):
        algorithm.custom_point(security, datetime(2013, 10, 8), 10.0)
    requests: list[Any] = []

    def on_order_event(event: Any) -> None:
        algorithm.events.append(event)
        if not requests:
            ticket = algorithm.transactions.get_order_ticket(event.order_id)
            requests.append(ticket.update(UpdateOrderFields(quantity=ticket.quantity + 10)))

    algorithm.transactions.set_order_event_handler(on_order_event)
    algorithm.market_order("BTC", 5)
    refused = algorithm.market_order("ETH", 5)
    assert refused.status == OrderStatus.INVALID and algorithm.transactions.orders_count == 2
    response = refused.submit_request.response
    assert response is not None and response.error_message == (
        "BrokerageModel declared unable to submit order: [2] Information - Code:  - no ETH")
    first = algorithm.transactions.get_order_ticket(1)
    assert first.update_requests[0].response.error_message == "OrderID: 1 Information - Code:  - no updates"
    assert first.status == OrderStatus.FILLED and first.quantity == 5


def test_crypto_fractional_quantities_and_cash_like_leans_cash_book() -> None:
    from lean_offline.engine.securities import DefaultSymbolProperties

    algorithm = FakeAlgorithm()
    symbol = Symbol.create("BTCUSD", SecurityType.CRYPTO, "coinbase")
    btc = algorithm.securities.add(Security(symbol, SecurityExchangeHours.always_open_hours("UTC"),
                                            DefaultSymbolProperties(lot_size=0.00000001), clock=algorithm))
    btc.add_subscription(TradeBar, Resolution.DAILY)
    algorithm.utc_time = datetime(2015, 11, 13)
    btc.update(TradeBar(datetime(2015, 11, 12), symbol, 300.0, 300.0, 300.0, 300.0, 1.0, timedelta(days=1)))
    for quantity in (318, 0.1, 0.01, -0.02):
        algorithm.market_order(symbol, quantity)
    assert btc.holdings.quantity == 318.09  # decimal arithmetic: no binary residue
    assert algorithm.portfolio.cash == pytest.approx(100_000.0)  # USD left + BTC held, as LEAN's Portfolio.Cash
    assert algorithm.portfolio.total_portfolio_value == pytest.approx(100_000.0)


def test_margin_call_cuts_the_position_back_to_the_portfolio_value() -> None:
    import math

    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")
    custom.set_leverage(4.0)
    algorithm.custom_point(custom, datetime(2013, 10, 8), 100.0)
    algorithm.market_order("BTC", 3900)  # $390k of exposure, $97.5k of margin
    assert algorithm.transactions.check_margin_call() == []  # margin remains
    algorithm.custom_point(custom, datetime(2013, 10, 9), 90.0)  # TPV 61k, margin used 87.75k > 1.1 × TPV
    tickets = algorithm.transactions.check_margin_call()
    expected_holdings = math.floor(61_000 * 4 / 90.0)  # largest position whose margin fits in the TPV
    assert [ticket.quantity for ticket in tickets] == [expected_holdings - 3900]
    assert tickets[0].tag == "Margin Call" and tickets[0].status == OrderStatus.FILLED
    assert algorithm.portfolio.margin_remaining >= 0
    assert algorithm.errors[-1] == "2013-10-09 00:00:00 - Executed MarginCallOrder: BTC - Quantity: -1189 @ 90.0"
    assert algorithm.transactions.check_margin_call() == []  # throttled: checked at most every 5 minutes


def _coinbase_cash_btc(algorithm: FakeAlgorithm) -> Security:
    from lean_offline.data.market import Bar, QuoteBar
    from lean_offline.engine.securities import DefaultSymbolProperties
    from lean_offline.enums import AccountType, BrokerageName

    algorithm.transactions.set_brokerage_model(BrokerageName.COINBASE, AccountType.CASH)
    symbol = Symbol.create("BTCUSD", SecurityType.CRYPTO, "coinbase")
    btc = algorithm.securities.add(Security(symbol, SecurityExchangeHours.always_open_hours("UTC"),
                                            DefaultSymbolProperties(lot_size=0.00000001), clock=algorithm))
    btc.add_subscription(QuoteBar, Resolution.DAILY)
    algorithm.utc_time = datetime(2020, 1, 2)
    btc.update(QuoteBar(datetime(2020, 1, 1), symbol, Bar(99.5, 99.5, 99.5, 99.5), 1.0,
                        Bar(100.5, 100.5, 100.5, 100.5), 1.0, timedelta(days=1)))
    return btc


def test_cash_account_sizing_pays_the_fee_out_of_the_target_value() -> None:
    algorithm = FakeAlgorithm()
    btc = _coinbase_cash_btc(algorithm)
    quantity = algorithm.calculate_order_quantity(btc.symbol, 1.0)
    target_value = 100_000 * (1 - 0.0025)
    cost = quantity * 100.5 * (1 + 0.008)  # ask × quantity plus Coinbase's 0.8 % taker fee
    assert cost <= target_value
    assert target_value - cost < 3 * 0.00000001 * 100.5 * 1.008 + 1e-6  # within a few lots of the exact bound


def test_cash_account_rejects_shorts() -> None:
    algorithm = FakeAlgorithm()
    btc = _coinbase_cash_btc(algorithm)
    algorithm.market_order(btc.symbol, 2)
    oversell = algorithm.market_order(btc.symbol, -3)
    assert oversell.status == OrderStatus.INVALID
    assert "cannot short" in oversell.order_events[-1].message
    assert algorithm.set_holdings(btc.symbol, -0.5) == []
    assert "does not allow shorting" in algorithm.errors[-1]
    with pytest.raises(ValueError, match="leverage"):
        btc.set_leverage(2.0)


# --- securities -------------------------------------------------------------------------------------------------
def test_fill_forward_points_never_move_the_price_cache() -> None:
    algorithm = FakeAlgorithm()
    spy = algorithm.add_equity("SPY")
    algorithm.daily_bar(spy, datetime(2013, 10, 8), 100.0, 101.0)
    forward = spy.get_last_data().clone(fill_forward=True)
    forward.value = 555.0
    spy.update(forward)
    assert spy.price == 101.0 and spy.close == 101.0 and spy.get_last_data().is_fill_forward is False


def test_securities_and_portfolio_accept_tickers_and_both_spellings() -> None:
    algorithm = FakeAlgorithm()
    spy = algorithm.add_equity("SPY")
    assert algorithm.securities["spy"] is spy and "SPY" in algorithm.securities
    assert algorithm.securities.Keys == [spy.symbol] and algorithm.securities.keys() == [spy.symbol]
    assert [pair.Key for pair in algorithm.securities] == [spy.symbol]
    assert algorithm.portfolio["SPY"].Quantity == 0 and algorithm.portfolio.TotalPortfolioValue == 100_000
    with pytest.raises(KeyError, match="QQQ"):
        algorithm.securities["QQQ"]


def test_transactions_add_order_takes_a_lean_submit_request_with_a_ticker() -> None:
    from lean_offline.engine.orders import SubmitOrderRequest

    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")
    algorithm.custom_point(custom, datetime(2013, 10, 8), 10.0)
    request = SubmitOrderRequest(OrderType.LIMIT, SecurityType.BASE, "BTC", 5, 0.0, 9.0, 0, 0.01, True,
                                 algorithm.utc_time, "via request")
    ticket = algorithm.transactions.add_order(request)
    assert ticket.symbol is custom.symbol and ticket.tag == "via request" and ticket.status == OrderStatus.SUBMITTED
    assert ticket.get_order().limit_price == 9.0


def test_trailing_stop_follows_the_market_then_fills() -> None:
    from lean_offline.engine.orders import OrderField

    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")
    algorithm.custom_point(custom, datetime(2013, 10, 8), 100.0)
    algorithm.market_order("BTC", 10)
    stop = algorithm.trailing_stop_order("BTC", -10, 5.0, False)
    assert stop.get(OrderField.STOP_PRICE) == 95.0  # 100 − 5
    algorithm.custom_point(custom, datetime(2013, 10, 9), 110.0)
    algorithm.step()
    assert stop.status == OrderStatus.SUBMITTED and stop.get(OrderField.STOP_PRICE) == 105.0  # trailed: 110 − 5
    algorithm.custom_point(custom, datetime(2013, 10, 10), 104.0)
    algorithm.step()
    assert stop.status == OrderStatus.FILLED and stop.average_fill_price == 104.0  # min(stop 105, price 104)
    order = algorithm.transactions.get_order_by_id(stop.order_id).to_json_dict()
    assert order["type"] == 11 and order["trailingAmount"] == 5.0 and order["trailingAsPercentage"] is False


def test_constant_slippage_moves_fills_against_the_trader() -> None:
    from lean_offline.engine.fills import ConstantSlippageModel

    algorithm = FakeAlgorithm()
    custom = algorithm.add_custom("BTC")
    custom.set_slippage_model(ConstantSlippageModel(0.01))
    algorithm.custom_point(custom, datetime(2013, 10, 8), 200.0)
    assert algorithm.market_order("BTC", 1).average_fill_price == pytest.approx(202.0)  # 200 + 1 % of 200
    assert algorithm.market_order("BTC", -1).average_fill_price == pytest.approx(198.0)


def test_limit_if_touched_arms_on_the_trigger_then_fills_within_the_limit() -> None:
    algorithm = FakeAlgorithm()
    spy = algorithm.add_equity("SPY", Resolution.MINUTE)
    algorithm.at(datetime(2013, 10, 8, 10, 1))
    spy.update(TradeBar(datetime(2013, 10, 8, 10), spy.symbol, 100.0, 100.0, 100.0, 100.0, 1.0, timedelta(minutes=1)))
    buy = algorithm.limit_if_touched_order("SPY", 10, 99.0, 99.5)
    sell = algorithm.limit_if_touched_order("SPY", -10, 101.0, 100.5)
    algorithm.at(datetime(2013, 10, 8, 10, 2))
    spy.update(TradeBar(datetime(2013, 10, 8, 10, 1), spy.symbol, 99.9, 99.9, 98.8, 99.2, 1.0, timedelta(minutes=1)))
    algorithm.step()
    assert buy.status == OrderStatus.FILLED and buy.average_fill_price == 99.2  # touched 99, then 99.2 ≤ 99.5
    assert sell.status == OrderStatus.SUBMITTED  # the high never reached 101
    assert algorithm.transactions.get_order_by_id(sell.order_id).to_json_dict()["triggerTouched"] is False


def test_targets_by_margin_impact_reducing_first_then_by_order_value_without_no_change_deltas() -> None:
    """Delta targets: A reduces its 100-share long (first); C (+200 × $5 = $1,000) before B (+30 × $20 = $600);
    D (no change, even with an open order) and E (0.4 of a 1-share lot) need no order."""
    algorithm = FakeAlgorithm()
    prices = {"A": 10.0, "B": 20.0, "C": 5.0, "D": 50.0, "E": 50.0}
    securities = {ticker: algorithm.add_equity(ticker) for ticker in prices}
    for ticker, price in prices.items():
        algorithm.daily_bar(securities[ticker], datetime(2013, 10, 7), price, price)
    securities["A"].holdings.set_holdings(10.0, 100)
    securities["D"].holdings.set_holdings(50.0, 10)
    algorithm.at(datetime(2013, 10, 8, 10))
    algorithm.limit_order(securities["D"].symbol, 5, 40.0)
    deltas = {"A": -50.0, "B": 30.0, "C": 200.0, "D": 0.0, "E": 0.4}
    targets = [PortfolioTarget(securities[ticker].symbol, delta) for ticker, delta in deltas.items()]
    ranked = algorithm.order_targets_by_margin_impact(targets, target_is_delta=True)
    assert [target.symbol.value for target in ranked] == ["A", "C", "B"]
