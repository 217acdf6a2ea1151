"""The portfolio's cached totals against sums taken afresh: what each cache must notice."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.data.market import TradeBar
from lean_offline.data.market_hours import SecurityExchangeHours
from lean_offline.data.symbol import Symbol
from lean_offline.engine.orders import CashAmount, MarketOrder, OrderEvent, OrderFee
from lean_offline.engine.portfolio import SecurityPortfolioManager
from lean_offline.engine.securities import DefaultSymbolProperties, EngineClock, Security, SecurityManager
from lean_offline.enums import OrderStatus, SecurityType

START = datetime(2020, 1, 2, 9, 30)


def make_security(ticker: str) -> Security:
    return Security(Symbol.create(ticker, SecurityType.EQUITY, "usa"),
                    SecurityExchangeHours.always_open_hours("America/New_York"), clock=EngineClock(START))


SALES = st.lists(st.tuples(st.sampled_from(["AAA", "BBB", "CCC", "new", "remove"]), st.floats(0.0, 1e6)),
                 min_size=1, max_size=30)


@settings(max_examples=100, deadline=None)
@given(SALES)
def test_total_sale_volume_follows_sales_and_the_securities_held(operations: list[tuple[str, float]]) -> None:
    securities = SecurityManager()
    portfolio = SecurityPortfolioManager(securities)
    for ticker in ("AAA", "BBB", "CCC"):
        securities.add(make_security(ticker))
    added = 0
    for kind, amount in operations:
        if kind == "new":
            added += 1
            securities.add(make_security(f"N{added}")).holdings.add_new_sale(amount)
        elif kind == "remove":
            if len(securities):
                securities.remove(securities.total[0].symbol)
        elif kind in securities:
            securities[kind].holdings.add_new_sale(amount)
        fresh = 0.0
        for security in securities.total:
            fresh += security.holdings.total_sale_volume
        assert portfolio.total_sale_volume == fresh
        assert portfolio.total_sale_volume == fresh  # the cached read


POSITIONS = st.lists(st.tuples(st.sampled_from(["AAA", "BBB", "CCC", "new", "remove", "price"]),
                               st.integers(-50, 50).map(float), st.floats(1.0, 500.0)), min_size=1, max_size=30)


@settings(max_examples=100, deadline=None)
@given(POSITIONS)
def test_value_and_margin_follow_positions_and_the_securities_held(operations: list[tuple[str, float, float]]) -> None:
    """The portfolio sums over its remembered list of positions; securities added with a position, removed, or
    changing position must be seen."""
    securities = SecurityManager()
    portfolio = SecurityPortfolioManager(securities)
    portfolio.set_cash(10_000)
    for ticker in ("AAA", "BBB", "CCC"):
        securities.add(make_security(ticker)).cache.price = 10.0
    added = step = 0
    for kind, quantity, price in operations:
        if kind == "new":
            added += 1
            security = make_security(f"N{added}")
            security.cache.price = price
            security.holdings.set_holdings(price, quantity)  # a position before it joins the securities
            securities.add(security)
        elif kind == "remove":
            if len(securities):
                securities.remove(securities.total[-1].symbol)
        elif kind == "price":
            step += 1
            for security in securities.total:
                security.update(TradeBar(START + timedelta(minutes=step), security.symbol, price, price, price, price,
                                         100.0, timedelta(minutes=1)))
        elif kind in securities:
            securities[kind].holdings.set_holdings(price, quantity)
        value = portfolio.cash_book["USD"].amount
        margin = 0.0
        for security in securities.total:
            value += security.price * security.holdings.quantity
            margin += abs(security.price * security.holdings.quantity) / security.leverage
        assert portfolio.total_portfolio_value == pytest.approx(value, rel=1e-12)
        assert portfolio.total_margin_used == pytest.approx(margin, rel=1e-12, abs=1e-9)


CASH_CHANGES = st.lists(st.tuples(st.sampled_from(["set", "add", "pascal", "rate", "currency"]),
                                  st.floats(-1e6, 1e6), st.floats(0.1, 10.0)), min_size=1, max_size=20)


@settings(max_examples=100, deadline=None)
@given(CASH_CHANGES)
def test_cash_total_follows_every_cash_change(operations: list[tuple[str, float, float]]) -> None:
    """The cash book reuses its total until a Cash changes: each way of changing one must be seen."""
    portfolio = SecurityPortfolioManager(SecurityManager())
    book = portfolio.cash_book
    for number, (kind, amount, rate) in enumerate(operations):
        if kind == "set":
            portfolio.set_cash(amount)
        elif kind == "add":
            book["USD"].add_amount(amount)
        elif kind == "pascal":
            book["USD"].Amount = amount
        elif kind == "rate" and len(book.keys()) > 1:
            book[book.keys()[-1]].conversion_rate = rate
        elif kind == "currency":
            portfolio.set_cash(f"C{number}", amount, rate)
        fresh = 0.0
        for cash in book.values():
            fresh += cash.amount * cash.conversion_rate
        assert book.total_value_in_account_currency == fresh
        assert portfolio.total_portfolio_value == fresh


def test_a_holdings_sale_volume_is_read_only_as_in_lean() -> None:
    holdings = make_security("AAA").holdings
    holdings.add_new_sale(250.0)
    holdings.add_new_sale(100.5)
    assert holdings.total_sale_volume == holdings.TotalSaleVolume == 350.5
    with pytest.raises(AttributeError):
        holdings.total_sale_volume = 1.0  # type: ignore[misc]


def test_a_security_replaced_by_one_made_earlier_is_seen_by_the_cached_totals() -> None:
    """Same number of securities, no holding created in between: the replacement alone must renew the caches."""
    securities = SecurityManager()
    portfolio = SecurityPortfolioManager(securities)
    earlier = make_security("AAA")  # its holding exists before the totals are first taken
    earlier.holdings.add_new_sale(7.0)
    securities.add(make_security("AAA"))
    assert portfolio.total_sale_volume == 0.0
    securities[earlier.symbol] = earlier
    assert portfolio.total_sale_volume == 7.0


FILLS = st.lists(st.tuples(st.sampled_from(["fill", "price", "leverage", "cash"]),
                           st.sampled_from(["AAA", "BBB", "CCC"]), st.integers(-40, 40).map(float), st.floats(1.0, 500.0)), min_size=1, max_size=40)


def fill_event(security: Security, quantity: float, price: float, fee: float) -> OrderEvent:
    order = MarketOrder(security.symbol, quantity, START)
    event = OrderEvent(order, START, OrderFee(CashAmount(fee, "USD")), status=OrderStatus.FILLED)
    event.fill_price = price
    event.fill_quantity = quantity
    return event


@settings(max_examples=150, deadline=None)
@given(FILLS, st.booleans())
def test_totals_carried_over_a_fill_equal_fresh_sums_to_the_bit(operations: list[tuple[str, str, float, float]],
                                                                 read_margin_first: bool) -> None:
    """A fill recomputes only its own position's cached terms (the totals being current before it): value and margin
    after any mix of fills (opening, adding to, reducing, closing and reversing positions), price, leverage and
    cash changes equal the sums taken afresh in the securities' order, exactly."""
    securities = SecurityManager()
    portfolio = SecurityPortfolioManager(securities)
    portfolio.set_cash(100_000)
    for ticker in ("AAA", "BBB", "CCC"):
        securities.add(make_security(ticker)).cache.price = 10.0
    for kind, ticker, quantity, price in operations:
        security = securities[ticker]
        if kind == "fill" and quantity:
            portfolio.process_fill(fill_event(security, quantity, price, abs(quantity) * 0.005))
        elif kind == "price":
            security.update(TradeBar(START, security.symbol, price, price, price, price, 100.0, timedelta(days=1)))
        elif kind == "leverage":
            security.set_leverage(1.0 + abs(quantity) % 4)
        else:
            portfolio.cash_book["USD"].add_amount(quantity)
        fresh_value = portfolio.cash_book["USD"].amount
        fresh_margin = 0.0
        for held in securities.total:
            if held.holdings.quantity:
                fresh_margin += abs(held.cache.price * held.holdings.quantity) / held.buying_power_model.leverage
                if held.holdings.invested:
                    fresh_value += held.cache.price * held.holdings.quantity
        if read_margin_first:
            assert portfolio.total_margin_used == fresh_margin
        assert portfolio.total_portfolio_value == fresh_value
        assert portfolio.total_margin_used == fresh_margin


LOTS = st.lists(st.tuples(st.sampled_from(["fill", "price", "set"]), st.sampled_from(["AAA", "BBB", "CCC"]),
                          st.floats(-3.0, 3.0).map(lambda quantity: round(quantity, 2)), st.floats(0.5, 500.0)),
                min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(LOTS)
def test_value_from_remembered_factors_equals_the_fresh_sum_with_odd_lots_and_multipliers(
        operations: list[tuple[str, str, float, float]]) -> None:
    """While every position is at least one lot the value terms come from remembered (price cache, quantity,
    multiplier) factors and the margin terms from the value terms; positions below one lot (value term 0) switch to
    the general path. Both must equal the sums taken afresh, to the bit, with lot sizes and contract multipliers
    other than 1; and the portfolio is invested exactly when one of its holdings is (a position below one lot is
    not)."""
    securities = SecurityManager()
    portfolio = SecurityPortfolioManager(securities)
    portfolio.set_cash(50_000)
    for ticker, lot, multiplier in (("AAA", 1.0, 1.0), ("BBB", 0.5, 50.0), ("CCC", 1.0, 0.1)):
        security = Security(Symbol.create(ticker, SecurityType.EQUITY, "usa"),
                            SecurityExchangeHours.always_open_hours("America/New_York"),
                            symbol_properties=DefaultSymbolProperties(lot_size=lot, contract_multiplier=multiplier),
                            clock=EngineClock(START))
        securities.add(security).cache.price = 10.0
    for step, (kind, ticker, quantity, price) in enumerate(operations):
        security = securities[ticker]
        if kind == "fill" and quantity:
            portfolio.process_fill(fill_event(security, quantity, price, 0.0))
        elif kind == "price":
            security.update(TradeBar(START + timedelta(minutes=step), security.symbol, price, price, price, price,
                                     100.0, timedelta(minutes=1)))
        else:
            security.holdings.set_holdings(price, quantity)
        fresh = portfolio.cash_book["USD"].amount
        fresh_margin = 0.0
        for held in securities.total:
            value = held.cache.price * held.holdings.quantity * held.symbol_properties.contract_multiplier
            if held.holdings.quantity:
                fresh_margin += abs(value) / held.buying_power_model.leverage
            if held.holdings.invested:
                fresh += value
        assert portfolio.total_portfolio_value == fresh
        assert portfolio.total_portfolio_value == fresh  # the cached read
        assert portfolio.total_margin_used == fresh_margin
        assert portfolio.invested == any(held.holdings.invested for held in securities.total)
