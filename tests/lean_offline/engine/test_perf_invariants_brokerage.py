"""Invariants of the brokerage-side caches: a cached portfolio value or margin total always equals a fresh
computation, whatever sequence of price updates, fills, cash, leverage and model changes came before; packed
quote bars read exactly like quote bars built from Bar objects.

References are computed in the tests from their definitions (cash + Σ quantity × price; Σ |quantity × price| /
leverage), never read back from the engine's cached figures.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_brokerage_trading import FakeAlgorithm  # the trading tests' algorithm stand-in

from lean_offline.data.market import PACKED_SIDE, Bar, QuoteBar, TradeBar
from lean_offline.data.market_hours import SecurityExchangeHours, nyse_fallback_hours
from lean_offline.data.symbol import Symbol
from lean_offline.engine.buying_power import (
    BuyingPowerModel,
    SecurityMarginModel,
    has_sufficient_buying_power,
    round_to_lot_precision,
)
from lean_offline.engine.fees import ConstantFeeModel, FeeModel, InteractiveBrokersFeeModel, order_fee, order_fee_amount
from lean_offline.engine.fills import _local_time_of, _quote_side_close, exchange_open_now, local_time_now
from lean_offline.engine.orders import (
    LimitOrder,
    MarketOnCloseOrder,
    MarketOrder,
    OrderEvent,
    OrderFee,
    OrderTicket,
    SubmitOrderRequest,
)
from lean_offline.engine.portfolio import SecurityPortfolioManager
from lean_offline.engine.scheduling import utc_to_local
from lean_offline.engine.securities import EngineClock, Security, SecurityManager
from lean_offline.enums import OrderStatus, OrderType, SecurityType

START = datetime(2020, 1, 2, 9, 30)
TICKERS = ("AAA", "BBB", "CCC")


class DoubleMarginModel(BuyingPowerModel):
    """A user model: twice the default margin, so cached totals must not assume the engine's formula."""

    def get_maintenance_margin(self, parameters: Any) -> Any:
        margin = super().get_maintenance_margin(parameters)
        margin.value *= 2
        return margin


def make_book() -> tuple[SecurityManager, SecurityPortfolioManager, list[Security]]:
    securities = SecurityManager()
    portfolio = SecurityPortfolioManager(securities)
    held = []
    for ticker in TICKERS:
        symbol = Symbol.create(ticker, SecurityType.EQUITY, "usa")
        security = Security(symbol, SecurityExchangeHours.always_open_hours("America/New_York"),
                            clock=EngineClock(START))
        held.append(securities.add(security))
    portfolio.set_cash(100_000)
    return securities, portfolio, held


def bar(security: Security, step: int, price: float, fill_forward: bool = False) -> TradeBar:
    point = TradeBar(START + timedelta(minutes=step), security.symbol, price, price, price, price, 100.0,
                     timedelta(minutes=1))
    point.is_fill_forward = fill_forward
    return point


def expected_value(portfolio: SecurityPortfolioManager, securities: list[Security], prices: dict[str, float],
                   quantities: dict[str, float]) -> float:
    return portfolio.cash_book["USD"].amount + sum(
        quantities[str(security.symbol.value)] * prices[str(security.symbol.value)] for security in securities)


def expected_margin(securities: list[Security], prices: dict[str, float], quantities: dict[str, float],
                    leverages: dict[str, float], doubled: set[str]) -> float:
    total = 0.0
    for security in securities:
        ticker = str(security.symbol.value)
        margin = abs(quantities[ticker] * prices[ticker]) / leverages[ticker]
        total += 2 * margin if ticker in doubled else margin
    return total


OPERATION = st.one_of(
    st.tuples(st.just("price"), st.sampled_from(TICKERS), st.floats(1.0, 500.0)),
    st.tuples(st.just("fill_forward"), st.sampled_from(TICKERS), st.floats(1.0, 500.0)),
    st.tuples(st.just("holdings"), st.sampled_from(TICKERS), st.integers(-300, 300).map(float)),
    st.tuples(st.just("cash"), st.just(""), st.floats(-50_000.0, 200_000.0)),
    st.tuples(st.just("add_cash"), st.just(""), st.floats(-5_000.0, 5_000.0)),
    st.tuples(st.just("pascal_cash"), st.just(""), st.floats(0.0, 100_000.0)),
    st.tuples(st.just("leverage"), st.sampled_from(TICKERS), st.sampled_from([1.0, 2.0, 4.0])),
    st.tuples(st.just("user_model"), st.sampled_from(TICKERS), st.just(0.0)),
    st.tuples(st.just("engine_model"), st.sampled_from(TICKERS), st.sampled_from([1.0, 3.0])),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(OPERATION, min_size=1, max_size=40))
def test_cached_totals_equal_fresh_sums_after_any_sequence(operations: list[tuple[str, str, float]]) -> None:
    manager, portfolio, securities = make_book()
    by_ticker = {str(security.symbol.value): security for security in securities}
    prices = dict.fromkeys(TICKERS, 0.0)
    quantities = dict.fromkeys(TICKERS, 0.0)
    leverages = {ticker: security.leverage for ticker, security in by_ticker.items()}
    doubled: set[str] = set()
    for step, (kind, ticker, amount) in enumerate(operations):
        security = by_ticker.get(ticker)
        if kind == "price" and security is not None:
            security.update(bar(security, step, amount))
            prices[ticker] = amount
        elif kind == "fill_forward" and security is not None:
            security.update(bar(security, step, amount, fill_forward=True))  # never moves the price
        elif kind == "holdings" and security is not None:
            security.holdings.set_holdings(prices[ticker], amount)
            quantities[ticker] = amount
        elif kind == "cash":
            portfolio.set_cash(amount)
        elif kind == "add_cash":
            portfolio.cash_book["USD"].add_amount(amount)
        elif kind == "pascal_cash":
            portfolio.cash_book["USD"].Amount = amount
        elif kind == "leverage" and security is not None:
            security.set_leverage(amount)
            leverages[ticker] = amount
        elif kind == "user_model" and security is not None:
            security.set_buying_power_model(DoubleMarginModel(leverages[ticker]))
            doubled.add(ticker)
        elif kind == "engine_model" and security is not None:
            security.buying_power_model = SecurityMarginModel(amount)
            leverages[ticker] = amount
            doubled.discard(ticker)
        value = expected_value(portfolio, securities, prices, quantities)
        margin = expected_margin(securities, prices, quantities, leverages, doubled)
        for _ in range(2):  # the second read is the cached one; either total may be the first one asked for
            if step % 2:
                assert portfolio.total_margin_used == pytest.approx(margin, rel=1e-12, abs=1e-9)
            assert portfolio.total_portfolio_value == pytest.approx(value, rel=1e-12, abs=1e-9)
            assert portfolio.total_margin_used == pytest.approx(margin, rel=1e-12, abs=1e-9)
    assert len(manager.total) == len(TICKERS)


def test_value_follows_a_held_price_and_ignores_an_unheld_one() -> None:
    _, portfolio, (held, other, _) = make_book()
    held.update(bar(held, 0, 10.0))
    held.holdings.set_holdings(10.0, 100)
    assert portfolio.total_portfolio_value == 100_000 + 1_000
    other.update(bar(other, 1, 50.0))
    assert portfolio.total_portfolio_value == 100_000 + 1_000
    held.update(bar(held, 2, 12.5))
    assert portfolio.total_portfolio_value == 100_000 + 1_250
    assert held.leverage == 2 and portfolio.total_margin_used == 1_250 / 2  # equities default to 2x
    held.holdings.set_holdings(12.5, 0)
    held.update(bar(held, 3, 20.0))
    assert portfolio.total_portfolio_value == 100_000


def test_margin_follows_leverage_and_model_changes() -> None:
    _, portfolio, (held, _, _) = make_book()
    held.update(bar(held, 0, 10.0))
    held.holdings.set_holdings(10.0, -100)
    assert portfolio.total_margin_used == 1_000 / 2
    held.set_leverage(4.0)
    assert portfolio.total_margin_used == 1_000 / 4
    held.buying_power_model.leverage = 5.0
    assert portfolio.total_margin_used == 1_000 / 5
    held.set_buying_power_model(DoubleMarginModel(1.0))
    assert portfolio.total_margin_used == 2 * 1_000
    held.BuyingPowerModel = SecurityMarginModel(1.0)
    assert portfolio.total_margin_used == 1_000


def test_adding_a_held_security_changes_the_value() -> None:
    manager, portfolio, _ = make_book()
    assert portfolio.total_portfolio_value == 100_000
    symbol = Symbol.create("DDD", SecurityType.EQUITY, "usa")
    extra = Security(symbol, SecurityExchangeHours.always_open_hours("America/New_York"), clock=EngineClock(START))
    extra.update(bar(extra, 0, 4.0))
    extra.holdings.set_holdings(4.0, 10)
    manager.add(extra)
    assert portfolio.total_portfolio_value == 100_040
    manager.remove(symbol)
    assert portfolio.total_portfolio_value == 100_000


SIDE = st.one_of(st.none(), st.tuples(*(st.floats(0.5, 100.0) for _ in range(4))))


def packed_bar(symbol: Any, bid: tuple[float, ...] | None, ask: tuple[float, ...] | None) -> QuoteBar:
    """A QuoteBar laid out as the readers build it: sides packed, NaN open for an absent side."""
    nan = math.nan
    sides = [*(bid or (nan, 0.0, 0.0, 0.0)), 7.0 if bid else 0.0, *(ask or (nan, 0.0, 0.0, 0.0)), 9.0 if ask else 0.0]
    point = QuoteBar.__new__(QuoteBar)
    point.symbol, point.time, point.end_time = symbol, START, START + timedelta(seconds=1)
    point.end_time_utc, point.is_fill_forward = None, False
    bid_close, ask_close = (bid[3] if bid else None), (ask[3] if ask else None)
    point.value = ((bid_close + ask_close) / 2 if bid_close is not None and ask_close is not None
                   else bid_close if bid_close is not None else ask_close if ask_close is not None else 0.0)
    point._sides = sides
    point._bid = point._ask = PACKED_SIDE
    point.last_bid_size, point.last_ask_size = sides[4], sides[9]
    return point


@given(SIDE, SIDE)
def test_packed_quote_bar_reads_like_one_built_from_bars(bid: tuple[float, ...] | None,
                                                         ask: tuple[float, ...] | None) -> None:
    symbol = Symbol.create("AAA", SecurityType.EQUITY, "usa")
    built = QuoteBar(START, symbol, Bar(*bid) if bid else None, 7.0 if bid else 0.0, Bar(*ask) if ask else None,
                     9.0 if ask else 0.0, timedelta(seconds=1))
    packed = packed_bar(symbol, bid, ask)
    for name in ("open", "high", "low", "close", "value"):
        assert getattr(packed, name) == getattr(built, name), name
    assert packed.Open == built.Open and packed.Close == built.Close
    caches = []
    for point in (packed, built):
        security = Security(symbol, SecurityExchangeHours.always_open_hours("America/New_York"),
                            clock=EngineClock(START))
        security.update(point)
        caches.append(security)
    for name in ("price", "open", "high", "low", "close", "bid_price", "ask_price"):
        assert getattr(caches[0], name) == getattr(caches[1], name), name
    assert caches[0].cache.bid_size == caches[1].cache.bid_size and caches[0].cache.ask_size == caches[1].cache.ask_size
    # the sides unpack on first read, to equal Bars
    for side, expected in ((packed.bid, bid), (packed.Ask, ask)):
        assert (side is None) == (expected is None)
        if side is not None and expected is not None:
            assert (side.open, side.high, side.low, side.close) == expected
    copy = packed_bar(symbol, bid, ask).clone(fill_forward=True)
    assert isinstance(copy, QuoteBar)
    assert (copy.bid is None) == (bid is None) and (copy.ask is None) == (ask is None)


ZERO_OR_SIDE = st.one_of(st.none(), st.tuples(*(st.sampled_from([0.0, 1.5, 80.0]) for _ in range(4))))


@given(st.one_of(SIDE, ZERO_OR_SIDE), st.one_of(SIDE, ZERO_OR_SIDE), st.booleans())
def test_fill_side_price_from_packed_prices_equals_the_side_objects(bid: tuple[float, ...] | None,
                                                                   ask: tuple[float, ...] | None, buy: bool) -> None:
    """The fill model reads a quote bar's side close from its price tuple; a side-object read is the reference,
    on packed and Bar-built bars alike, including sides whose close is 0."""
    symbol = Symbol.create("AAA", SecurityType.EQUITY, "usa")
    built = QuoteBar(START, symbol, Bar(*bid) if bid else None, 7.0 if bid else 0.0, Bar(*ask) if ask else None,
                     9.0 if ask else 0.0, timedelta(seconds=1))
    for point in (built, packed_bar(symbol, bid, ask)):
        side = ask if buy else bid
        reference = side[3] if side is not None else built.close
        assert _quote_side_close(point, buy) == reference


# --- the transaction manager's quiet scans --------------------------------------------------------------------------
def waiting_moc_order(cash: float = 10_000.0, leverage: float = 1.0) -> tuple[FakeAlgorithm, Security, Any]:
    """A daily-only equity at $100 and a market-on-close buy of 90 shares placed at 10:00 ($9,000 + $1 fee of margin
    at leverage 1 in a $10,000 account): sufficient, waiting for the 16:00 close through two scans at 11:00 (the
    first finds it waiting, the second is skipped)."""
    algorithm = FakeAlgorithm(cash)
    security = algorithm.add_equity("AAA")
    security.set_leverage(leverage)
    algorithm.daily_bar(security, datetime(2013, 10, 7), 100.0, 100.0)
    algorithm.at(datetime(2013, 10, 8, 10))
    ticket = algorithm.market_order(security.symbol, 90)
    assert ticket.order_type == OrderType.MARKET_ON_CLOSE and ticket.status == OrderStatus.SUBMITTED
    algorithm.at(datetime(2013, 10, 8, 11))
    algorithm.step()
    algorithm.step()
    assert ticket.status == OrderStatus.SUBMITTED
    return algorithm, security, ticket


def invalid_after_next_scan(algorithm: FakeAlgorithm, ticket: Any) -> bool:
    algorithm.at(datetime(2013, 10, 8, 12))
    algorithm.step()
    return bool(ticket.status == OrderStatus.INVALID)


def test_a_skipped_scan_sees_the_price_of_a_security_not_held() -> None:
    """The price of a security without a position does not advance VALUATION_VERSION, yet the order's margin
    depends on it: 90 × $120 = $10,800 > $10,000 makes the waiting order invalid at the next scan."""
    algorithm, security, ticket = waiting_moc_order()
    security.update(TradeBar(datetime(2013, 10, 8, 11), security.symbol, 120.0, 120.0, 120.0, 120.0, 1e3,
                             timedelta(hours=1)))
    assert invalid_after_next_scan(algorithm, ticket)


def test_a_skipped_scan_sees_the_free_buying_power_percentage_and_the_fee_model() -> None:
    algorithm, security, ticket = waiting_moc_order()
    security.buying_power_model.required_free_buying_power_percent = 0.2  # $9,001 > $10,000 × 0.8
    assert invalid_after_next_scan(algorithm, ticket)
    algorithm, security, ticket = waiting_moc_order()
    security.fee_model = ConstantFeeModel(1_500.0)  # $9,000 + $1,500 > $10,000
    assert invalid_after_next_scan(algorithm, ticket)


def test_a_skipped_scan_sees_cash_and_leverage() -> None:
    algorithm, _, ticket = waiting_moc_order()
    algorithm.portfolio.set_cash(5_000.0)
    assert invalid_after_next_scan(algorithm, ticket)
    algorithm, security, ticket = waiting_moc_order(5_000.0, leverage=2.0)  # $4,500.50 ≤ $5,000
    security.buying_power_model.leverage = 1.0
    assert invalid_after_next_scan(algorithm, ticket)


def test_quiet_scans_are_skipped_until_the_close_then_the_order_fills() -> None:
    """Nothing changes from 11:00 to 15:00: those scans do not look at the order; at 16:00 the order is checked
    and fills at the day's close."""
    algorithm, security, ticket = waiting_moc_order()
    manager = algorithm.transactions
    looked_at = []
    inputs = manager._buying_power_inputs

    def counting(order: Any, order_security: Any) -> Any:
        looked_at.append(order.id)
        return inputs(order, order_security)

    manager._buying_power_inputs = counting  # type: ignore[method-assign]
    for hour in (12, 13, 14, 15):
        algorithm.at(datetime(2013, 10, 8, hour))
        algorithm.step()
    assert looked_at == [] and ticket.status == OrderStatus.SUBMITTED
    algorithm.daily_bar(security, datetime(2013, 10, 8), 101.0, 102.0)
    algorithm.step()
    assert ticket.status == OrderStatus.FILLED and ticket.average_fill_price == 102.0


@given(st.datetimes(datetime(2019, 1, 1), datetime(2021, 12, 31)), st.booleans())
def test_local_time_of_the_current_time_equals_the_conversion(moment: datetime, current: bool) -> None:
    """The fill models read the local time of an order placed now from the security's memo: it must equal a
    conversion of the same UTC time in the exchange's zone, DST changes included (hypothesis picks any moment)."""
    hours = SecurityExchangeHours.always_open_hours("America/New_York")
    security = Security(Symbol.create("AAA", SecurityType.EQUITY, "usa"), hours,
                        clock=EngineClock(moment if current else moment + timedelta(hours=1)))
    assert _local_time_of(security, moment) == utc_to_local(moment, ZoneInfo("America/New_York"))


@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**12, 10**12).map(float),
                 st.integers(-10**8, 10**8).map(lambda cents: cents / 100)),
       st.sampled_from([1.0, 0.1, 0.01, 0.00000001, 100.0]))
def test_lot_precision_returns_whole_numbers_as_the_rounding_would(quantity: float, lot_size: float) -> None:
    """The shortcut for whole-number quantities gives what Python's decimal rounding gives, sign of zero included."""
    decimals = max(0, -math.floor(math.log10(lot_size)))
    by_rounding = round(quantity, decimals + 2) if decimals else float(round(quantity, 6))
    result = round_to_lot_precision(quantity, lot_size)
    assert result == by_rounding
    assert math.copysign(1.0, result) == math.copysign(1.0, by_rounding)


@given(st.lists(st.tuples(st.sampled_from([0.0, 1.0, 3.0, 7.5, 100.0]), st.floats(0.01, 1_000.0)), max_size=8))
def test_ticket_fill_totals_equal_the_sums_over_its_events(fills: list[tuple[float, float]]) -> None:
    """A ticket keeps Σ fill quantity and the average fill price as running sums; they equal the sums over its
    events taken afresh (as `sum` takes them, zero-quantity events such as Submitted included)."""
    symbol = Symbol.create("AAA", SecurityType.EQUITY, "usa")
    request = SubmitOrderRequest(OrderType.MARKET, SecurityType.EQUITY, symbol, 1000.0, 0.0, 0.0, START, "")
    ticket = OrderTicket(None, request)
    order = MarketOrder(symbol, 1000.0, START)
    for quantity, price in fills:
        event = OrderEvent(order, START, OrderFee.zero)
        event.fill_quantity = quantity
        event.fill_price = price
        ticket.add_order_event(event)
    filled = [event for event in ticket.order_events if event.fill_quantity]
    total = sum(event.fill_quantity for event in filled)
    expected_average = sum(event.fill_price * event.fill_quantity for event in filled) / total if total else 0.0
    assert ticket.quantity_filled == sum(event.fill_quantity for event in ticket.order_events)
    assert repr(ticket.quantity_filled) == repr(sum(event.fill_quantity for event in ticket.order_events))
    assert ticket.average_fill_price == expected_average
    assert ticket.quantity_remaining == 1000.0 - ticket.quantity_filled


@settings(max_examples=200, deadline=None)
@given(st.lists(st.datetimes(datetime(2019, 1, 1), datetime(2021, 12, 31)), min_size=1, max_size=6))
def test_shared_local_time_and_open_state_equal_each_securitys_own(moments: list[datetime]) -> None:
    """Local time and regular-hours open state are found once per exchange hours, zone and time for all securities:
    each equals what the security itself answers, across DST changes, weekends, holidays and the clock moving."""
    equity_hours = nyse_fallback_hours(2018, 2022)
    clock = EngineClock(moments[0])
    securities = [Security(Symbol.create(ticker, SecurityType.EQUITY, "usa"), hours, clock=clock)
                  for ticker, hours in (("AAA", equity_hours), ("BBB", equity_hours),
                                        ("CCC", SecurityExchangeHours.always_open_hours("America/New_York")))]
    for moment in moments:
        clock.utc_time = moment
        for security in securities:
            assert local_time_now(security) == security.local_time
            assert exchange_open_now(security) == security.exchange.exchange_open


FEE_MODELS = st.sampled_from(["ib", "constant", "free", "ib_subclass"])


def fee_model_named(name: str) -> Any:
    class DoubledIB(InteractiveBrokersFeeModel):
        def get_order_fee(self, parameters: Any) -> Any:
            fee = super().get_order_fee(parameters)
            fee.value.amount *= 2
            return fee

    return {"ib": InteractiveBrokersFeeModel(), "constant": ConstantFeeModel(3.5), "free": FeeModel(),
            "ib_subclass": DoubledIB()}[name]


@given(st.integers(-5_000, 5_000).filter(bool).map(float), st.floats(0.5, 900.0), st.floats(0.5, 900.0),
       st.sampled_from(["market", "limit", "moc"]), FEE_MODELS)
def test_fee_amount_of_an_order_equals_the_fee_models_answer(quantity: float, price: float, limit: float,
                                                               kind: str, model: str) -> None:
    _, _, (security, _, _) = make_book()
    security.update(bar(security, 0, price))
    order: Any = {"market": MarketOrder, "moc": MarketOnCloseOrder}.get(kind, MarketOrder)(
        security.symbol, quantity, START)
    if kind == "limit":
        order = LimitOrder(security.symbol, quantity, START, limit)
    fee_model = fee_model_named(model)
    assert order_fee_amount(fee_model, security, order) == order_fee(fee_model, security, order).value.amount


@settings(max_examples=200, deadline=None)
@given(st.floats(1_000.0, 200_000.0), st.lists(st.integers(-400, 400).map(float), min_size=3, max_size=3),
       st.lists(st.floats(5.0, 300.0), min_size=3, max_size=3), st.integers(-3_000, 3_000).filter(bool).map(float),
       st.sampled_from([0.0, 0.5]), st.sampled_from([1.0, 2.0, 4.0]), st.sampled_from([0.0, 0.02]), FEE_MODELS)
def test_buying_power_verdict_follows_its_definition(cash: float, quantities: list[float], prices: list[float],
                                                     order_quantity: float, filled_fraction: float, leverage: float,
                                                     free_percent: float, fee: str) -> None:
    """Sufficient ⇔ the order reduces the position, or |unfilled fraction × (margin + sign × fee)| ≤ max(0, TPV −
    margin used − TPV × free% + the margin a reversed position frees), computed here from those definitions."""
    _, portfolio, securities = make_book()
    portfolio.set_cash(cash)
    for security, quantity, price in zip(securities, quantities, prices, strict=True):
        security.update(bar(security, 0, price))
        security.holdings.set_holdings(price, quantity)
    security = securities[0]
    security.buying_power_model = SecurityMarginModel(leverage, free_percent)
    security.fee_model = fee_model_named(fee)
    order = MarketOrder(security.symbol, order_quantity, START)
    filled = float(int(order_quantity * filled_fraction))
    result = has_sufficient_buying_power(portfolio, security, order, filled)

    held = quantities[0]
    if held * order_quantity < 0 and abs(held) >= abs(order_quantity):
        assert result.is_sufficient and result.reason == ""
        return
    tpv = cash + sum(q * p for q, p in zip(quantities, prices, strict=True))
    used = sum(abs(q * p) / (leverage if i == 0 else 2.0) for i, (q, p) in enumerate(zip(quantities, prices,
                                                                                            strict=True)))
    free = tpv - used
    if (held > 0 and order_quantity < 0) or (held < 0 and order_quantity > 0):
        free += abs(held * prices[0]) / leverage * 2
    free = max(free - tpv * free_percent, 0.0)
    margin = order_quantity * prices[0] / leverage
    required = margin + math.copysign(1.0, margin) * order_fee(security.fee_model, security, order).value.amount
    needed = (abs(order_quantity) - abs(filled)) / abs(order_quantity) * required
    sufficient = abs(needed) <= free
    if abs(abs(needed) - free) > 1e-6 * max(1.0, free):  # away from the boundary, where float order could differ
        assert result.is_sufficient == sufficient
    assert result.is_sufficient == (result.reason == "")
