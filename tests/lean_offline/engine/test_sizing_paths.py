"""Sizing's direct path for the engine's own margin models against the general path user models take; order entry
that skips checks its caller has made against the same orders entered by the general route."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.data.market import TradeBar
from lean_offline.data.market_hours import SecurityExchangeHours, nyse_fallback_hours
from lean_offline.data.symbol import Symbol
from lean_offline.engine.buying_power import (
    GetMaximumOrderQuantityResult,
    SecurityMarginModel,
    is_plain_margin_model,
    maximum_order_quantity,
    round_to_lot,
)
from lean_offline.engine.orders import PortfolioTarget, SubmitOrderRequest
from lean_offline.engine.portfolio import SecurityPortfolioManager
from lean_offline.engine.scheduling import local_to_utc
from lean_offline.engine.securities import EngineClock, Security, SecurityManager
from lean_offline.engine.settings import AlgorithmSettings
from lean_offline.engine.trading import TradingMixin
from lean_offline.engine.transactions import SecurityTransactionManager
from lean_offline.enums import OrderStatus, OrderType, Resolution, SecurityType

START = datetime(2020, 1, 2, 9, 30)


class SubclassedMarginModel(SecurityMarginModel):
    """A user subclass overriding nothing: the engine reaches it through the model's methods and parameter
    objects, so it sizes by the general path."""


def sizing_result(model: SecurityMarginModel, price: float, held: float, other_held: float, leverage: float,
                  target: float, minimum_percentage: float, reasons_read: bool = True) -> GetMaximumOrderQuantityResult:
    securities = SecurityManager()
    portfolio = SecurityPortfolioManager(securities)
    portfolio.set_cash(100_000.0)
    clock = EngineClock(START)
    hours = SecurityExchangeHours.always_open_hours("America/New_York")
    sized = securities.add(Security(Symbol.create("AAA", SecurityType.EQUITY, "usa"), hours, clock=clock))
    other = securities.add(Security(Symbol.create("BBB", SecurityType.EQUITY, "usa"), hours, clock=clock))
    sized.set_buying_power_model(model)
    model.set_leverage(sized, leverage)
    for security, close in ((sized, price), (other, 37.25)):
        security.update(TradeBar(START, security.symbol, close, close, close, close, 1e6, timedelta(minutes=1)))
    sized.holdings.set_holdings(price * 0.9, held)
    other.holdings.set_holdings(40.0, other_held)
    return maximum_order_quantity(portfolio, sized, target, minimum_percentage, reasons_read)


@settings(max_examples=300, deadline=None)
@given(st.floats(0.5, 2000.0), st.integers(-500, 500).map(float), st.integers(-800, 800).map(float),
       st.sampled_from([1.0, 2.0, 3.3, 4.0]), st.floats(-2.0, 2.0), st.sampled_from([0.0, 0.001, 0.05]))
def test_direct_sizing_equals_the_general_path(price: float, held: float, other_held: float, leverage: float,
                                               target: float, minimum_percentage: float) -> None:
    plain = SecurityMarginModel()
    subclassed = SubclassedMarginModel()
    assert is_plain_margin_model(plain) and not is_plain_margin_model(subclassed)
    direct = sizing_result(plain, price, held, other_held, leverage, target, minimum_percentage)
    general = sizing_result(subclassed, price, held, other_held, leverage, target, minimum_percentage)
    assert (direct.quantity, direct.reason, direct.is_error) == (general.quantity, general.reason, general.is_error)
    unread = sizing_result(SecurityMarginModel(), price, held, other_held, leverage, target, minimum_percentage,
                           reasons_read=False)
    assert (unread.quantity, unread.is_error) == (direct.quantity, direct.is_error)
    assert unread.reason == (direct.reason if direct.is_error else "")


def test_direct_sizing_buys_the_whole_shares_the_margin_and_fee_allow() -> None:
    # $100,000 cash, 400 BBB at $37.25 (=$14,900 held), AAA at $123.45 with none held, leverage 2, target 50%:
    # margin target = 0.5 × TPV with TPV = 100,000 + 14,900 = 114,900 → 57,450; ⌊57,450 × 2 / 123.45⌋ = 930 shares,
    # whose fee (930 × $0.005 = $4.65) leaves (114,900 − 4.65) × 0.5 = 57,447.675 ≥ 930 × 123.45 / 2 = 57,404.25.
    result = sizing_result(SecurityMarginModel(), 123.45, 0.0, 400.0, 2.0, 0.5, 0.0)
    assert (result.quantity, result.is_error) == (930.0, False)


class Algorithm(TradingMixin):
    """The attributes TradingMixin relies on, with the messages it logs."""

    def __init__(self) -> None:
        self.utc_time = datetime(2013, 10, 8, 20)
        self.settings = AlgorithmSettings()
        self.securities = SecurityManager()
        self.portfolio = SecurityPortfolioManager(self.securities, self.settings)
        self.transactions = SecurityTransactionManager(self)
        self.is_warming_up = False
        self.live_mode = False
        self.messages: list[str] = []
        self.portfolio.set_cash(100_000.0)

    def debug(self, message: Any) -> None:
        self.messages.append(str(message))

    error = debug

    def daily_equity(self, ticker: str, close: float) -> Security:
        """An equity on daily data with the bar of 2013-10-08 delivered at 16:00 New York time."""
        security = Security(Symbol.create(ticker, SecurityType.EQUITY, "usa"), nyse_fallback_hours(2013, 2013),
                            clock=self)
        security.add_subscription(TradeBar, Resolution.DAILY)
        self.securities.add(security)
        self.at(datetime(2013, 10, 8, 16))
        security.update(TradeBar(datetime(2013, 10, 8, 9, 30), security.symbol, close, close, close, close, 1e6,
                                 timedelta(hours=6.5)))
        return security

    def at(self, local: datetime) -> None:
        self.utc_time = local_to_utc(local, ZoneInfo("America/New_York"))


def test_converted_and_explicit_market_on_close_orders_share_the_close_buffer_rule() -> None:
    # the close is 16:00 and the buffer 15.5 minutes: 15:44 is in time, 15:45 too late
    algorithm = Algorithm()
    algorithm.daily_equity("SPY", 100.0)
    for minute, converted_type, explicit_status in ((44, OrderType.MARKET_ON_CLOSE, OrderStatus.SUBMITTED),
                                                    (45, OrderType.MARKET_ON_OPEN, OrderStatus.INVALID)):
        algorithm.at(datetime(2013, 10, 9, 15, minute))
        converted = algorithm.market_order("SPY", 10)
        explicit = algorithm.market_on_close_order("SPY", 10)
        assert (converted.order_type, converted.status) == (converted_type, OrderStatus.SUBMITTED)
        assert explicit.status == explicit_status
    assert any("MarketOnClose orders must be placed at least 0:15:30" in message for message in algorithm.messages)


def test_liquidate_enters_the_same_order_as_a_market_order_would() -> None:
    algorithm = Algorithm()
    spy = algorithm.daily_equity("SPY", 100.0)
    spy.holdings.set_holdings(100.0, 30.0)
    algorithm.at(datetime(2013, 10, 9, 11))
    closing, = algorithm.liquidate()
    reference = algorithm.market_order("SPY", -30.0, tag="Liquidated")
    assert (closing.order_type, closing.quantity, closing.tag, closing.status) == (
        reference.order_type, reference.quantity, reference.tag, reference.status) == (
        OrderType.MARKET_ON_CLOSE, -30.0, "Liquidated", OrderStatus.SUBMITTED)


def test_the_minimum_order_margin_warning_comes_once_though_later_reasons_are_not_formatted() -> None:
    algorithm = Algorithm()
    symbols = [algorithm.daily_equity(ticker, 50.0).symbol for ticker in ("AAA", "BBB")]
    algorithm.at(datetime(2013, 10, 9, 10))
    held = algorithm.calculate_order_quantity(symbols[0], 0.3)
    assert held > 0 and algorithm.messages == []
    algorithm.securities[symbols[0]].holdings.set_holdings(50.0, held)
    algorithm.portfolio.set_cash(100_000.0 - held * 50.0)  # as if bought at 50: the portfolio is still worth 100,000
    for _ in range(2):  # 0.3 and 0.3001 of the portfolio: a change far below 0.1% of it
        assert algorithm.calculate_order_quantity(symbols[0], 0.3001) == 0.0
    assert [message for message in algorithm.messages if "minimum_order_margin_portfolio_percentage" in message] == [
        algorithm.messages[0]]
    assert len(algorithm.messages) == 1


@settings(max_examples=300, deadline=None)
@given(st.integers(-(2**60), 2**60).map(float), st.sampled_from(["zero", "floor", "ceiling"]))
def test_whole_units_round_to_themselves_at_a_unit_lot_size(quantity: float, toward: str) -> None:
    rounded = round_to_lot(quantity, 1.0, toward)
    assert rounded == quantity and math.copysign(1.0, rounded) == (1.0 if quantity >= 0 else -1.0)
    assert round_to_lot(-0.0, 1.0, toward) == 0.0 and math.copysign(1.0, round_to_lot(-0.0, 1.0, toward)) == 1.0


class CashRaisingMarginModel(SecurityMarginModel):
    """A user model whose sizing deposits cash as a side effect: the targets sized after it must see the new TPV."""

    def __init__(self, algorithm: Algorithm) -> None:
        super().__init__()
        self.algorithm = algorithm

    def get_maximum_order_quantity_for_target_buying_power(
            self, parameters: Any) -> GetMaximumOrderQuantityResult:
        result = super().get_maximum_order_quantity_for_target_buying_power(parameters)
        self.algorithm.portfolio.set_cash(self.algorithm.portfolio.cash + 50_000.0)
        return result


def test_targets_sized_together_equal_targets_sized_one_by_one_even_after_a_user_model_changed_the_portfolio() -> None:
    def sized(together: bool) -> dict[str, float]:
        algorithm = Algorithm()
        algorithm.settings.minimum_order_margin_portfolio_percentage = 0.0
        algorithm.settings.free_portfolio_value = 10_000.0
        symbols = [algorithm.daily_equity(ticker, close).symbol
                   for ticker, close in (("AAA", 50.0), ("BBB", 80.0), ("CCC", 20.0))]
        algorithm.securities[symbols[1]].set_buying_power_model(CashRaisingMarginModel(algorithm))
        algorithm.at(datetime(2013, 10, 9, 10))
        targets = [PortfolioTarget(symbol, 0.3) for symbol in symbols]
        if together:
            return {ticket.symbol.value: ticket.quantity for ticket in algorithm.set_holdings(targets)}
        return {target.symbol.value: algorithm.calculate_order_quantity(target.symbol, target.quantity)
                for target in targets}

    # a fixed $10,000 free buffer, leverage 1, $0.005 a share: AAA on $100,000 is 0.3 × 90,000 / 50 = 540 shares,
    # whose $2.70 fee leaves (100,000 − 2.70) × 0.27 < 27,000: 539; CCC on $150,000 once BBB's model has run is
    # 0.3 × 140,000 / 20 = 2,100, whose $10.50 fee leaves (150,000 − 10.50) × 0.28 < 42,000: 2,099 (2,024 had it
    # been sized with the fraction 0.27 of the first TPV)
    one_by_one = sized(False)
    assert sized(together=True) == one_by_one
    assert (one_by_one["AAA"], one_by_one["CCC"]) == (539.0, 2_099.0)


def test_a_request_entered_with_its_security_at_hand_equals_one_whose_security_is_looked_up() -> None:
    def entered(security_at_hand: bool) -> dict[str, Any]:
        algorithm = Algorithm()
        spy = algorithm.daily_equity("SPY", 100.0)
        algorithm.at(datetime(2013, 10, 9, 11))
        request = SubmitOrderRequest(OrderType.MARKET_ON_CLOSE, SecurityType.EQUITY, "spy", 10.4, 0.0, 0.0,
                                     algorithm.utc_time, "tagged")
        ticket = (algorithm.submit_order_request(request) if security_at_hand
                  else algorithm.transactions.add_order(request))
        order = ticket.get_order()
        assert order is not None and order.symbol is spy.symbol and ticket.symbol is spy.symbol
        return {**order.to_json_dict(), "status": ticket.status, "response": repr(request.response)}

    looked_up = entered(security_at_hand=False)
    assert entered(security_at_hand=True) == looked_up
    assert (looked_up["quantity"], looked_up["status"]) == (10.0, OrderStatus.SUBMITTED)
