"""lean_offline.trades: LEAN's TradeBuilder and TradeStatistics, against hand-computed fill sequences, independent
pandas computations and a backtest whose trades are derived from the SPY daily data file."""

from __future__ import annotations

import json
import math
import zipfile
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline import backtest
from lean_offline import trades as trades_module
from lean_offline.data.market import TradeBar
from lean_offline.data.readers import BarBlock
from lean_offline.data.symbol import Symbol
from lean_offline.engine.securities import SecurityCache
from lean_offline.enums import DataNormalizationMode, SecurityType
from lean_offline.results import trade_statistics_json
from lean_offline.trades import (
    FillGroupingMethod,
    FillMatchingMethod,
    TimeSpan,
    Trade,
    TradeBuilder,
    TradeDirection,
    TradeStatistics,
    _OpenTrade,
    _Position,
)

T0 = datetime(2020, 1, 6, 15)
FIFO, LIFO = FillMatchingMethod.FIFO, FillMatchingMethod.LIFO


def fill(order_id: int, quantity: float | Decimal, price: float | Decimal, day: int = 0, symbol: Any = "SPY") -> Any:
    return SimpleNamespace(order_id=order_id, symbol=symbol, utc_time=T0 + timedelta(days=day),
                           fill_quantity=quantity, fill_price=price)


class EngineSecurity:
    """What the engine gives the builder: a security (hashed by identity) with its symbol and price cache, which
    takes the given prices one by one (`take`) as the rows of a user feed's block, applied when somebody reads
    them, as in the engine."""

    def __init__(self, symbol: Any, prices: list[float]) -> None:
        self.symbol = symbol
        self.cache = SecurityCache()
        starts = np.datetime64("2020-01-06T09:30") + np.arange(len(prices)) * np.timedelta64(1, "m")
        ends = (starts + np.timedelta64(1, "m")).astype("datetime64[ns]")
        self._rows = BarBlock(Symbol.create("SPY", SecurityType.EQUITY, "usa"), TradeBar,
                              starts.astype("datetime64[ns]"), ends, ends,
                              np.array([[price] * 4 + [100.0] for price in prices]).reshape(len(prices), 5))
        self._taken = 0

    def take(self) -> None:
        """The next price, as a row of a user feed."""
        self.cache.add_row(self._rows, self._taken, None, True)
        self._taken += 1


def record_fill(builder: TradeBuilder, security: EngineSecurity, order: Any, fee: float = 0.0) -> None:
    """What `record_trade_fill` does with an engine fill (conversion rate 1)."""
    builder.track_security(security)
    builder.process_fill(order, 1.0, fee)


def summary(trade: Trade) -> tuple[Any, ...]:
    """(direction, quantity, entry, exit, P&L, fees, MAE, MFE, end-trade drawdown, order ids) as plain numbers."""
    return (trade.direction, float(trade.quantity), float(trade.entry_price), float(trade.exit_price),
            float(trade.profit_loss), float(trade.total_fees), float(trade.mae), float(trade.mfe),
            float(trade.end_trade_drawdown), sorted(trade.order_ids))


def scale_in_scale_out(builder: TradeBuilder) -> TradeBuilder:
    """Buy 10 @100 (day 0); prices 95, 108; buy 10 @104 (day 1); price 103; sell 15 @106 (day 2); sell 10 @102
    (day 3), which reverses to short 5. Every order pays a fee of 1."""
    builder.process_fill(fill(1, 10, 100, 0), 1.0, 1.0)
    builder.set_market_price("SPY", 95)
    builder.set_market_price("SPY", 108)
    builder.process_fill(fill(2, 10, 104, 1), 1.0, 1.0)
    builder.set_market_price("SPY", 103)
    builder.process_fill(fill(3, -15, 106, 2), 1.0, 1.0)
    builder.process_fill(fill(4, -10, 102, 3), 1.0, 1.0)
    return builder


LONG, SHORT = TradeDirection.LONG, TradeDirection.SHORT


def test_fill_to_fill_fifo_closes_the_oldest_entry_first() -> None:
    builder = scale_in_scale_out(TradeBuilder(FillGroupingMethod.FILL_TO_FILL, FIFO))
    # Position range 95..108 (shared by both entries, as LEAN does). Entry 1 (@100): best 100, low 95 gives back 5;
    # best 108, then 104 and 103 give back up to 5. Entry 2 (@104): 103 gives back 1, then 106; the last 5 shares
    # see 102 after the 106 best: 4.
    assert [summary(t) for t in builder.closed_trades] == [
        (LONG, 10, 100, 106, 60, 2, -50, 80, 50, [1, 3]),
        (LONG, 5, 104, 106, 10, 1, -45, 20, 5, [2, 3]),
        (LONG, 5, 104, 102, -10, 1, -45, 20, 20, [2, 4]),
    ]
    assert [t.is_win for t in builder.closed_trades] == [True, True, False]
    assert builder.has_open_position("SPY")  # the reversal's short 5 is open, so not a trade


def test_fill_to_fill_lifo_closes_the_newest_entry_first() -> None:
    builder = scale_in_scale_out(TradeBuilder(FillGroupingMethod.FILL_TO_FILL, LIFO))
    assert [summary(t) for t in builder.closed_trades] == [
        (LONG, 10, 104, 106, 20, 2, -90, 40, 10, [2, 3]),
        (LONG, 5, 100, 106, 30, 1, -25, 40, 25, [1, 3]),
        (LONG, 5, 100, 102, 10, 1, -25, 40, 30, [1, 4]),
    ]


@pytest.mark.parametrize("matching", [FIFO, LIFO])
def test_flat_to_flat_averages_entries_and_exits(matching: Any) -> None:
    builder = scale_in_scale_out(TradeBuilder(FillGroupingMethod.FLAT_TO_FLAT, matching))
    # entries 10 @100 + 10 @104 = 20 @102; exits 15 @106 + 10 @102 (the reversing fill counts whole) = 104.4
    [trade] = builder.closed_trades
    assert summary(trade) == (LONG, 20, 102, pytest.approx(104.4), pytest.approx(48), 4, 0, 0, 0, [1, 2, 3, 4])
    assert trade.profit_loss == Decimal("48.00")
    assert (trade.entry_time, trade.exit_time) == (T0, T0 + timedelta(days=3))
    assert builder.has_open_position("SPY")


def test_flat_to_reduced_closes_a_trade_at_every_reduction() -> None:
    fifo = scale_in_scale_out(TradeBuilder(FillGroupingMethod.FLAT_TO_REDUCED, FIFO)).closed_trades
    # FIFO: the 15 sold close 10 @100 and 5 @104: entry (1000 + 520)/15, P&L (106 − 101.33)·15 = 70
    assert [(float(t.quantity), float(t.profit_loss), float(t.total_fees), sorted(t.order_ids)) for t in fifo] == [
        (15, 70, 3, [1, 2, 3]), (5, -10, 1, [2, 4])]
    assert fifo[0].entry_price == Decimal(1520) / 15
    lifo = scale_in_scale_out(TradeBuilder(FillGroupingMethod.FLAT_TO_REDUCED, LIFO)).closed_trades
    # LIFO: 10 @104 and 5 @100: entry (1040 + 500)/15, P&L 50; entry time is the last fully used fill's
    assert [(float(t.quantity), float(t.profit_loss), t.entry_time) for t in lifo] == [
        (15, 50, T0 + timedelta(days=1)), (5, 10, T0)]


def test_short_trade_excursions_follow_the_price_path() -> None:
    builder = TradeBuilder()
    builder.process_fill(fill(1, -10, 50), 1.0, 1.0)
    for price in (52, 47, 49):
        builder.set_market_price("SPY", price)
    builder.process_fill(fill(2, 10, 48, 1), 1.0, 1.0)
    [trade] = builder.closed_trades
    # short from 50: worst 52 (−2·10), best 47 (+3·10), largest giveback 50→52 or 47→49 = 2·10
    assert summary(trade) == (SHORT, 10, 50, 48, 20, 2, -20, 30, 20, [1, 2])
    assert not builder.has_open_position("SPY")


def test_reversal_through_zero_opens_a_fresh_trade_without_fees() -> None:
    builder = TradeBuilder()
    builder.process_fill(fill(1, 10, 50), 1.0, 1.0)
    builder.process_fill(fill(2, -15, 55, 1), 1.0, 1.5)
    builder.process_fill(fill(3, 5, 52, 2), 1.0, 1.0)
    assert [summary(t) for t in builder.closed_trades] == [
        (LONG, 10, 50, 55, 50, 2.5, 0, 50, 0, [1, 2]),
        (SHORT, 5, 55, 52, 15, 1, 0, 15, 0, [2, 3]),
    ]
    assert builder.closed_trades[1].entry_time == T0 + timedelta(days=1)


def test_an_orders_fee_counts_once_across_its_partial_fills() -> None:
    builder = TradeBuilder()
    builder.process_fill(fill(1, 6, 10), 1.0, 1.0)
    builder.process_fill(fill(1, 4, 11), 1.0, 1.0)
    builder.process_fill(fill(2, -10, 12, 1), 1.0, 1.0)
    assert [(float(t.quantity), float(t.total_fees)) for t in builder.closed_trades] == [(6, 2), (4, 0)]


def test_profit_is_scaled_to_account_currency_and_rounded_to_even_cents() -> None:
    builder = TradeBuilder()
    builder.process_fill(fill(1, 2, 1.1, symbol="GBPJPY"), 1.25, 0.0, 100)
    builder.process_fill(fill(2, -2, 1.105, 1, symbol="GBPJPY"), 1.25, 0.0, 100)
    assert builder.closed_trades[0].profit_loss == Decimal("1.25")  # 0.005 · 2 · 1.25 · 100
    for exit_price, expected in ((10.125, "0.12"), (10.135, "0.14")):  # halves go to the even cent
        half = TradeBuilder()
        half.process_fill(fill(1, 1, 10.0), 1.0, 0.0)
        half.process_fill(fill(2, -1, exit_price), 1.0, 0.0)
        assert half.closed_trades[0].profit_loss == Decimal(expected)


class _EagerFillToFill:
    """LEAN's FillToFill FIFO bookkeeping written plainly, updating the range and every open trade's drawdown at each
    price: the reference for the builder, which records prices and folds them in only when a trade closes."""

    def __init__(self) -> None:
        self.open: list[dict[str, float]] = []
        self.low = self.high = 0.0
        self.closed: list[tuple[float, float, float, float]] = []  # quantity, MAE, MFE, end-trade drawdown

    def price(self, price: float) -> None:
        if not self.open:
            return
        self.low, self.high = min(self.low, price), max(self.high, price)
        for trade in self.open:
            profit = (price - trade["entry"]) * trade["sign"]
            trade["best"] = max(trade["best"], profit)
            trade["drawdown"] = max(trade["drawdown"], trade["best"] - profit)

    def fill(self, quantity: int, price: float) -> None:
        sign = 1 if quantity > 0 else -1
        if not self.open:
            self.low = self.high = price
            self.open.append({"entry": price, "sign": sign, "quantity": abs(quantity), "best": 0.0, "drawdown": 0.0})
            return
        self.price(price)
        if sign == self.open[0]["sign"]:
            self.open.append({"entry": price, "sign": sign, "quantity": abs(quantity), "best": 0.0, "drawdown": 0.0})
            return
        left = float(abs(quantity))
        while self.open and left > 0:
            trade = self.open[0]
            closed = min(left, trade["quantity"])
            worst, best = (self.low, self.high) if trade["sign"] > 0 else (self.high, self.low)
            self.closed.append((closed, (worst - trade["entry"]) * trade["sign"] * closed,
                                (best - trade["entry"]) * trade["sign"] * closed, trade["drawdown"] * closed))
            trade["quantity"] -= closed
            left -= closed
            if trade["quantity"] == 0:
                self.open.pop(0)
        if left > 0:
            self.low = self.high = price
            self.open = [{"entry": price, "sign": sign, "quantity": left, "best": 0.0, "drawdown": 0.0}]


PRICES_IN_RANGE = st.floats(40, 160) | st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0])
_EVENTS = st.lists(st.one_of(st.tuples(st.just("price"), st.integers(50, 150)),
                             st.tuples(st.just("fill"), st.integers(-30, 30).filter(bool), st.integers(50, 150))),
                   max_size=60)


@settings(max_examples=150, deadline=None)
@given(_EVENTS, st.booleans())
def test_lazily_folded_prices_give_the_eagerly_updated_excursions(events: list[tuple[Any, ...]],
                                                                  read_at_every_event: bool) -> None:
    """The trades built from the recorded fills equal LEAN's eager bookkeeping, whether they are read after every
    event (each read builds the fills recorded so far) or only at the end."""
    builder, reference = TradeBuilder(), _EagerFillToFill()
    security = EngineSecurity("SPY", [float(event[1]) for event in events if event[0] == "price"])
    for number, event in enumerate(events):
        if event[0] == "price":
            security.take()
            reference.price(float(event[1]))
        else:
            record_fill(builder, security, fill(number, event[1], event[2]))
            reference.fill(event[1], float(event[2]))
        if read_at_every_event:
            assert len(builder.closed_trades) == len(reference.closed)
            assert builder.has_open_position("SPY") == bool(reference.open)
    assert [(float(t.quantity), float(t.mae), float(t.mfe), float(t.end_trade_drawdown))
            for t in builder.closed_trades] == reference.closed


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(list(FillGroupingMethod)), st.sampled_from(list(FillMatchingMethod)), _EVENTS,
       st.sets(st.integers(0, 59)))
def test_trades_read_during_the_run_are_those_read_at_its_end(grouping: Any, matching: Any,
                                                             events: list[tuple[Any, ...]], reads: set[int]) -> None:
    """Reading the trades (or whether a position is open) at any moments, which builds the fills recorded until
    then, changes none of the trades: the same as a builder read once at the end, and as one that builds every
    fill at once (a limit of one recorded fill)."""
    read_during, read_at_end = TradeBuilder(grouping, matching), TradeBuilder(grouping, matching)
    seen_during: list[list[tuple[Any, ...]]] = []
    for number, event in enumerate(events):
        for builder in (read_during, read_at_end):
            if event[0] == "price":
                builder.set_market_price("SPY", float(event[1]))
            else:
                builder.process_fill(fill(number, event[1], event[2], number), 1.0, 0.5)
        if number in reads:
            seen_during.append([summary(t) for t in read_during.closed_trades])
            read_during.has_open_position("SPY")
    final = [summary(t) for t in read_at_end.closed_trades]
    assert [summary(t) for t in read_during.closed_trades] == final
    assert all(seen == final[:len(seen)] for seen in seen_during)


def test_recorded_fills_are_built_once_the_limit_is_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(trades_module, "_RECORDED_FILLS_LIMIT", 3)
    builder = scale_in_scale_out(TradeBuilder())
    assert len(builder._recorded) == 1   # the fourth fill waits; the first three were built at the limit
    assert [summary(t) for t in builder.closed_trades] == [
        summary(t) for t in scale_in_scale_out(TradeBuilder()).closed_trades]


@settings(max_examples=300, deadline=None)
@given(st.floats(50, 150), st.lists(PRICES_IN_RANGE, min_size=1, max_size=30), st.integers(0, 30))
def test_the_price_range_folds_as_leans_per_price_rule(first: float, prices: list[float], skipped: int) -> None:
    """The range of the observations before `upto`: a price above the high becomes the high, else one below the
    low the low; NaN changes nothing (written plainly here; the builder takes max/min when no price is NaN)."""
    position = _Position(first, first)
    position.path.extend(prices)
    upto = max(1, len(prices) - skipped)
    position.fold_range(upto)
    high = low = first
    for price in prices[:upto]:
        if price > high:
            high = price
        elif price < low:
            low = price
    assert (repr(position.max_price), repr(position.min_price), position.ranged) == (repr(high), repr(low), upto)


def _open_trade(sign: int, best: float, drawdown: float) -> _OpenTrade:
    return _OpenTrade(entry_time=T0, entry_price=Decimal(100), sign=sign, quantity=Decimal(1), total_fees=Decimal(0),
                      order_ids={1}, best_price=best, drawdown=drawdown)


def _fold_state(trade: _OpenTrade) -> tuple[str, ...]:
    """The fold's result, NaN-aware and telling −0.0 from 0.0."""
    prices = trade.drawdown_prices or ()
    return tuple(repr(value) for value in (trade.best_price, trade.drawdown, *prices))


PRICES = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, -0.0, 99.5, 100.0, 100.5])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([1, -1]), st.floats(90, 110) | st.just(math.nan), st.floats(0, 5),
       st.lists(PRICES, min_size=1, max_size=30))
def test_short_paths_fold_one_by_one_as_numpy_folds_them(sign: int, best: float, drawdown: float,
                                                         prices: list[float]) -> None:
    each, vectorised = _open_trade(sign, best, drawdown), _open_trade(sign, best, drawdown)
    each.fold_each(prices)
    with np.errstate(invalid="ignore", over="ignore"):  # inf − inf is NaN, which the fold must handle quietly
        vectorised.fold_vectorised(np.asarray(prices, dtype=np.float64))
    assert _fold_state(each) == _fold_state(vectorised)


def test_market_prices_of_symbols_without_a_position_change_nothing() -> None:
    builder = TradeBuilder()
    qqq, spy = EngineSecurity("QQQ", [2.0]), EngineSecurity("SPY", [23.0])
    builder.set_market_price("QQQ", 300.0)
    record_fill(builder, spy, fill(1, 5, 20))
    builder.set_market_price("QQQ", 1.0)
    qqq.take()
    spy.take()  # the engine's way: SPY's cache takes a new price, which the builder reads when the next fill comes
    record_fill(builder, spy, fill(2, -5, 21, 1))
    assert [summary(t) for t in builder.closed_trades] == [(LONG, 5, 20, 21, 5, 0, 0, 15, 10, [1, 2])]
    assert not builder.has_open_position("QQQ")


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([0, 1, 2]), st.lists(st.tuples(st.sampled_from([-7, -3, 0, 4, 9]),
                                                   st.lists(st.integers(80, 120), max_size=4)), max_size=12),
       st.integers(0, 12))
def test_the_engine_hook_and_set_market_price_give_the_same_trades(grouping: int,
                                                                   steps: list[tuple[int, list[int]]],
                                                                   replaced_on: int) -> None:
    """The engine's way (the security's cache records the prices it takes while a position is open, and the builder
    reads them when it needs them) and set_market_price (given symbol and price) must move MAE, MFE and the
    end-trade drawdown identically, whatever the grouping, also when the symbol's security is replaced by a new
    one (removed and added again) on day `replaced_on`, maybe while a position is open."""
    by_price, by_hook = TradeBuilder(grouping), TradeBuilder(grouping)
    spy, second_spy = (EngineSecurity("SPY", [float(price) for day, (_quantity, prices) in enumerate(steps)
                                              if (day >= replaced_on) == replaced for price in prices])
                       for replaced in (False, True))
    by_price.set_market_price("SPY", 0.0)
    for day, (quantity, prices) in enumerate(steps):
        security = second_spy if day >= replaced_on else spy
        if quantity:
            by_price.process_fill(fill(day + 1, quantity, 100, day), 1.0, 1.0)
            record_fill(by_hook, security, fill(day + 1, quantity, 100, day), 1.0)
        if day == replaced_on:  # the new security is tracked as it comes
            by_hook.track_security(security)
        for price in prices:
            security.take()
            by_price.set_market_price("SPY", float(price))
    assert [summary(t) for t in by_hook.closed_trades] == [summary(t) for t in by_price.closed_trades]


@pytest.mark.parametrize("grouping", [FillGroupingMethod.FILL_TO_FILL, FillGroupingMethod.FLAT_TO_FLAT])
def test_a_raw_price_split_rescales_the_open_position(grouping: Any) -> None:
    spy = Symbol.create("SPY", SecurityType.EQUITY, "usa")
    builder = TradeBuilder(grouping)
    builder.process_fill(fill(1, 10, 100, symbol=spy), 1.0, 0.0)
    builder.set_market_price(spy, 90)  # gives back 10 per old share, 5 per new one
    split = SimpleNamespace(symbol=spy, split_factor=0.5)
    builder.apply_split(split, False, DataNormalizationMode.ADJUSTED)  # adjusted prices: nothing to do
    builder.apply_split(split, False, DataNormalizationMode.RAW)  # 2-for-1: 20 shares @50, range 45..50
    builder.process_fill(fill(2, -20, 55, 1, symbol=spy), 1.0, 0.0)
    [trade] = builder.closed_trades
    assert (float(trade.quantity), float(trade.entry_price), float(trade.profit_loss)) == (20, 50, 100)
    if grouping == FillGroupingMethod.FILL_TO_FILL:
        assert (float(trade.mae), float(trade.mfe), float(trade.end_trade_drawdown)) == (-100, 100, 100)


def test_a_position_closed_after_a_raw_price_split_is_flat_for_the_next_round_trip() -> None:
    """Buy 100 @10, a 2-for-1 split (200 @5), sell 200 @5: flat. Buy 100 @8, sell 100 @8: a second trade of its own,
    nothing left open (the split must rescale what decides when the position is closed, not only the trades)."""
    spy = Symbol.create("SPY", SecurityType.EQUITY, "usa")
    builder = TradeBuilder()
    builder.process_fill(fill(1, 100, 10, symbol=spy), 1.0, 0.0)
    builder.apply_split(SimpleNamespace(symbol=spy, split_factor=0.5), False, DataNormalizationMode.RAW)
    builder.process_fill(fill(2, -200, 5, 1, symbol=spy), 1.0, 0.0)
    builder.process_fill(fill(3, 100, 8, 2, symbol=spy), 1.0, 0.0)
    builder.process_fill(fill(4, -100, 8, 3, symbol=spy), 1.0, 0.0)
    trades = builder.closed_trades
    assert [(float(t.quantity), float(t.entry_price), float(t.exit_price), float(t.profit_loss)) for t in trades] == [
        (200, 5, 5, 0), (100, 8, 8, 0)]
    assert not builder.has_open_position(spy)


# LEAN's TradeBuilderTests: a 1000-share round trip with fee 1 per order, entry 1.08, market prices 1.075 and 1.10,
# exit 1.09, optionally after a raw-price split (prices × factor, quantities ÷ factor); MAE/MFE only for FillToFill.
@pytest.mark.parametrize("grouping", list(FillGroupingMethod))
@pytest.mark.parametrize("matching", list(FillMatchingMethod))
@pytest.mark.parametrize("split_factor", [None, Decimal("0.5"), Decimal("0.333")])
@pytest.mark.parametrize(("side", "pnl", "mae", "mfe"), [(1, 10, -5, 20), (-1, -10, -20, 5)])
def test_lean_round_trip_cases(grouping: Any, matching: Any, split_factor: Decimal | None, side: int, pnl: int,
                               mae: int, mfe: int) -> None:
    spy = Symbol.create("SPY", SecurityType.EQUITY, "usa")
    factor = split_factor or Decimal(1)
    builder = TradeBuilder(grouping, matching)
    builder.process_fill(fill(1, Decimal(1000 * side), Decimal("1.08"), symbol=spy), 1.0, 1.0)
    builder.set_market_price(spy, 1.075)
    builder.set_market_price(spy, 1.10)
    if split_factor is not None:
        builder.apply_split(SimpleNamespace(symbol=spy, split_factor=split_factor), False, DataNormalizationMode.RAW)
    builder.process_fill(fill(2, -1000 * side / factor, Decimal("1.09") * factor, symbol=spy), 1.0, 1.0)
    assert not builder.has_open_position(spy)
    [trade] = builder.closed_trades
    assert (trade.entry_price, trade.exit_price) == (Decimal("1.08") * factor, Decimal("1.09") * factor)
    assert (trade.direction, trade.quantity) == (LONG if side > 0 else SHORT, 1000 / factor)
    assert (trade.profit_loss, trade.total_fees, sorted(trade.order_ids)) == (pnl, 2, [1, 2])
    expected = (mae, mfe) if grouping == FillGroupingMethod.FILL_TO_FILL else (0, 0)
    assert (trade.mae, trade.mfe) == expected


# LEAN's TradeBuilderTests "scale in, scale out 2": buy 1k @1.07 (min 0), price 1.075, buy 2k @1.08 (min 10), prices
# 1.065 and 1.10, sell 1k @1.09 (min 20), buy 1k @1.08 (min 30), sell 3k @1.09 (min 40); fee 1 per order.
# Rows: entry minute, entry price, quantity, exit minute, P&L, fees, MAE, MFE, order ids.
_FTF, _FLAT = FillGroupingMethod.FILL_TO_FILL, FillGroupingMethod.FLAT_TO_FLAT
_REDUCED = FillGroupingMethod.FLAT_TO_REDUCED
SCALE_IN_SCALE_OUT_2 = {
    (_FTF, FIFO): [(0, "1.07", 1000, 20, 20, 2, -5, 30, [1, 3]), (10, "1.08", 2000, 40, 20, 2, -30, 40, [2, 5]),
                   (30, "1.08", 1000, 40, 10, 1, -15, 20, [4, 5])],
    (_FTF, LIFO): [(10, "1.08", 1000, 20, 10, 2, -15, 20, [2, 3]), (30, "1.08", 1000, 40, 10, 2, -15, 20, [4, 5]),
                   (10, "1.08", 1000, 40, 10, 0, -15, 20, [2, 5]), (0, "1.07", 1000, 40, 20, 1, -5, 30, [1, 5])],
    (_FLAT, FIFO): [(0, "1.0775", 4000, 40, 50, 5, 0, 0, [1, 2, 3, 4, 5])],
    (_FLAT, LIFO): [(0, "1.0775", 4000, 40, 50, 5, 0, 0, [1, 2, 3, 4, 5])],
    (_REDUCED, FIFO): [(0, "1.07", 1000, 20, 20, 3, 0, 0, [1, 3]), (10, "1.08", 3000, 40, 30, 2, 0, 0, [2, 4, 5])],
    (_REDUCED, LIFO): [(10, "1.08", 1000, 20, 10, 3, 0, 0, [2, 3]),
                       (0, "1.0766666666666666666666666667", 3000, 40, 40, 2, 0, 0, [1, 2, 4, 5])],
}


@pytest.mark.parametrize(("grouping", "matching"), list(SCALE_IN_SCALE_OUT_2))
def test_lean_scale_in_scale_out_case(grouping: Any, matching: Any) -> None:
    builder = TradeBuilder(grouping, matching)

    def at(minute: int, order_id: int, quantity: int, price: str) -> None:
        builder.process_fill(SimpleNamespace(order_id=order_id, symbol="SPY", utc_time=T0 + timedelta(minutes=minute),
                                             fill_quantity=quantity, fill_price=Decimal(price)), 1.0, 1.0)

    at(0, 1, 1000, "1.07")
    builder.set_market_price("SPY", 1.075)
    at(10, 2, 2000, "1.08")
    builder.set_market_price("SPY", 1.065)
    builder.set_market_price("SPY", 1.10)
    at(20, 3, -1000, "1.09")
    at(30, 4, 1000, "1.08")
    at(40, 5, -3000, "1.09")
    assert not builder.has_open_position("SPY")
    actual = [((t.entry_time - T0) // timedelta(minutes=1), t.entry_price, t.quantity,
               (t.exit_time - T0) // timedelta(minutes=1), t.profit_loss, t.total_fees, t.mae, t.mfe,
               sorted(t.order_ids)) for t in builder.closed_trades]
    expected = [(entry, pytest.approx(Decimal(price), abs=Decimal("1e-27")), quantity, exit_, pnl, fees, mae, mfe, ids)
                for entry, price, quantity, exit_, pnl, fees, mae, mfe, ids in SCALE_IN_SCALE_OUT_2[grouping, matching]]
    assert actual == expected
    assert all(t.exit_price == Decimal("1.09") and t.direction == LONG for t in builder.closed_trades)


# LEAN's TradeBuilderTests drawdown cases: entry, market prices, exit → largest giveback per share
@pytest.mark.parametrize(("side", "prices", "giveback"), [
    (1, [100, 120, 110], 10), (1, [100, 140, 120, 130, 110], 30), (1, [100, 120, 110, 120, 140, 115], 25),
    (1, [100, 120, 110, 120, 130, 125], 10), (1, [100, 80, 110], 20), (1, [100, 90, 130, 110], 20),
    (-1, [100, 80, 90], 10), (-1, [100, 60, 80, 70, 90], 30), (-1, [100, 80, 90, 80, 60, 85], 25),
])
def test_lean_end_trade_drawdown_cases(side: int, prices: list[float], giveback: int) -> None:
    builder = TradeBuilder()
    builder.process_fill(fill(1, 1000 * side, prices[0]), 1.0, 1.0)
    for price in prices[1:-1]:
        builder.set_market_price("SPY", price)
    builder.process_fill(fill(2, -1000 * side, prices[-1], 1), 1.0, 1.0)
    assert builder.closed_trades[0].end_trade_drawdown == giveback * 1000


def test_trade_builder_answers_to_lean_names() -> None:
    builder = TradeBuilder(FillGroupingMethod.FlatToFlat, FillMatchingMethod.LIFO)
    assert builder.grouping_method == FillGroupingMethod.FLAT_TO_FLAT
    builder.process_fill(fill(1, 1, 10), 1.0, 0.0)
    builder.process_fill(fill(2, -1, 12), 1.0, 0.0)
    assert builder.ClosedTrades[0].ProfitLoss == Decimal("2.00")
    assert builder.ClosedTrades[0].Duration == timedelta(0)


# ---------------------------------------------------------------------------------------------------------------
# TradeStatistics
# ---------------------------------------------------------------------------------------------------------------

def make_trade(pnl: float, mae: float = 0.0, mfe: float = 0.0, etd: float = 0.0, fees: float = 1.0,
               entry_day: float = 0.0, days: float = 1.0) -> Trade:
    entry = T0 + timedelta(days=entry_day)
    return Trade(symbols=["SPY"], entry_time=entry, entry_price=Decimal(1), direction=LONG, quantity=Decimal(1),
                 exit_time=entry + timedelta(days=days), exit_price=Decimal(1), profit_loss=Decimal(str(pnl)),
                 total_fees=Decimal(str(fees)), mae=Decimal(str(mae)), mfe=Decimal(str(mfe)),
                 end_trade_drawdown=Decimal(str(etd)), is_win=pnl > 0)


def _max_run(flags: pd.Series) -> int:
    runs = flags.groupby((flags != flags.shift()).cumsum()).sum()
    return int(runs.max()) if len(runs) else 0


trade_rows = st.lists(
    st.tuples(st.integers(-50_000, 50_000), st.integers(-80_000, 0), st.integers(0, 80_000), st.integers(0, 9_000),
              st.integers(1, 1_000_000)),
    min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(trade_rows)
def test_trade_statistics_match_pandas(rows: list[tuple[int, int, int, int, int]]) -> None:
    trades = [make_trade(pnl / 100, mae / 100, mfe / 100, etd / 100, entry_day=i, days=seconds / 86400)
              for i, (pnl, mae, mfe, etd, seconds) in enumerate(rows)]
    frame = pd.DataFrame(rows, columns=["pnl", "mae", "mfe", "etd", "seconds"]) / [100, 100, 100, 100, 1]
    stats = TradeStatistics.of(trades)
    pnl = frame["pnl"]
    wins, losses = pnl[pnl > 0], pnl[pnl <= 0]
    n = len(pnl)
    assert (stats.total_number_of_trades, stats.number_of_winning_trades, stats.number_of_losing_trades) == (
        n, len(wins), len(losses))
    assert float(stats.total_profit_loss) == pytest.approx(pnl.sum(), rel=1e-9, abs=1e-9)
    assert float(stats.total_profit) == pytest.approx(wins.sum(), rel=1e-9, abs=1e-9)
    assert float(stats.total_loss) == pytest.approx(losses.sum(), rel=1e-9, abs=1e-9)
    assert float(stats.largest_profit) == max(wins.max() if len(wins) else 0, 0)
    assert float(stats.largest_loss) == min(losses.min() if len(losses) else 0, 0)
    assert float(stats.average_profit_loss) == pytest.approx(pnl.mean(), rel=1e-9, abs=1e-9)
    assert float(stats.average_profit) == pytest.approx(wins.mean() if len(wins) else 0, rel=1e-9, abs=1e-9)
    assert float(stats.average_loss) == pytest.approx(losses.mean() if len(losses) else 0, rel=1e-9, abs=1e-9)
    std = pnl.std(ddof=1) if n > 1 else 0.0
    downside = losses.std(ddof=1) if len(losses) > 1 else 0.0
    assert float(stats.profit_loss_standard_deviation) == pytest.approx(std, rel=1e-9, abs=1e-7)
    assert float(stats.profit_loss_downside_deviation) == pytest.approx(downside, rel=1e-9, abs=1e-7)
    assert float(stats.win_rate) == pytest.approx(len(wins) / n)
    assert float(stats.loss_rate) == pytest.approx(len(losses) / n)
    assert float(stats.win_loss_ratio) == pytest.approx(len(wins) / len(losses) if len(losses) else 10)
    average_loss = losses.mean() if len(losses) else 0.0
    expected_ratio = (wins.mean() if len(wins) else 0) / abs(average_loss) if average_loss else 0
    assert float(stats.profit_loss_ratio) == pytest.approx(expected_ratio, rel=1e-9)
    profit_factor = 0 if wins.sum() == 0 else (wins.sum() / abs(losses.sum()) if losses.sum() < 0 else 10)
    assert float(stats.profit_factor) == pytest.approx(profit_factor, rel=1e-9)
    if std > 1e-6:
        assert float(stats.sharpe_ratio) == pytest.approx(pnl.mean() / std, rel=1e-6)
    assert (stats.max_consecutive_winning_trades, stats.max_consecutive_losing_trades) == (
        _max_run(pnl > 0), _max_run(pnl <= 0))
    cumulative = pnl.cumsum()
    peak = cumulative.clip(lower=0).cummax()
    assert float(stats.maximum_closed_trade_drawdown) == pytest.approx(min((cumulative - peak).min(), 0), abs=1e-9)
    before = cumulative.shift(fill_value=0)
    peak_with_mfe = (before + frame["mfe"]).clip(lower=0).cummax()
    intra = min((before + frame["mae"] - peak_with_mfe).min(), 0)
    assert float(stats.maximum_intra_trade_drawdown) == pytest.approx(intra, abs=1e-9)
    assert float(stats.average_mae) == pytest.approx(frame["mae"].mean(), rel=1e-9, abs=1e-9)
    assert float(stats.average_mfe) == pytest.approx(frame["mfe"].mean(), rel=1e-9, abs=1e-9)
    assert float(stats.largest_mae) == min(frame["mae"].min(), 0)
    assert float(stats.largest_mfe) == max(frame["mfe"].max(), 0)
    assert float(stats.maximum_end_trade_drawdown) == max(frame["etd"].max(), 0)
    expected_end_trade_drawdown = pnl.mean() - frame["mfe"].mean()
    assert float(stats.average_end_trade_drawdown) == pytest.approx(expected_end_trade_drawdown, rel=1e-9, abs=1e-9)
    assert float(stats.total_fees) == n
    durations = frame["seconds"]
    # each running-mean step truncates to a 100 ns tick
    assert stats.average_trade_duration.total_seconds() == pytest.approx(durations.mean(), abs=1e-6 * n + 1e-6)
    assert stats.median_trade_duration == timedelta(seconds=float(np.sort(durations)[n // 2]))
    assert stats.start_date_time == T0
    assert stats.end_date_time == max(t.exit_time for t in trades)


def test_drawdown_duration_runs_from_peak_exit_to_the_next_peak_exit() -> None:
    # cumulative P&L: 10 (peak, exit day 1), 4, 6, 12 (new peak, exit day 9): 8 days in drawdown
    trades = [make_trade(10, days=1), make_trade(-6, entry_day=1, days=2), make_trade(2, entry_day=3, days=1),
              make_trade(6, entry_day=4, days=5)]
    stats = TradeStatistics.of(trades)
    assert stats.maximum_drawdown_duration == timedelta(days=8)
    assert stats.maximum_closed_trade_drawdown == Decimal(-6)
    assert stats.profit_to_max_drawdown_ratio == Decimal(12) / 6


def test_no_trades_give_lean_zero_statistics() -> None:
    stats = TradeStatistics.of([])
    assert stats.start_date_time is None and stats.total_number_of_trades == 0
    assert (stats.win_loss_ratio, stats.profit_factor, stats.profit_to_max_drawdown_ratio) == (0, 0, 0)
    assert stats.median_trade_duration == timedelta(0)


def test_timespan_keeps_ticks_and_formats_as_dotnet() -> None:
    assert TimeSpan.from_seconds(1.5).to_dotnet_string() == "00:00:01.5000000"
    assert TimeSpan.from_seconds(2.9e-7).ticks == 2  # truncated, not rounded
    assert TimeSpan.of(timedelta(days=11, hours=12)).to_dotnet_string() == "11.12:00:00"
    assert (TimeSpan(5) - TimeSpan(12)).to_dotnet_string() == "-00:00:00.0000007"


# Json.NET's camelCase names of LEAN's TradeStatistics properties, in declaration order
LEAN_TRADE_STATISTICS_KEYS = [
    "startDateTime", "endDateTime", "totalNumberOfTrades", "numberOfWinningTrades", "numberOfLosingTrades",
    "totalProfitLoss", "totalProfit", "totalLoss", "largestProfit", "largestLoss", "averageProfitLoss",
    "averageProfit", "averageLoss", "averageTradeDuration", "averageWinningTradeDuration",
    "averageLosingTradeDuration", "medianTradeDuration", "medianWinningTradeDuration", "medianLosingTradeDuration",
    "maxConsecutiveWinningTrades", "maxConsecutiveLosingTrades", "profitLossRatio", "winLossRatio", "winRate",
    "lossRate", "averageMAE", "averageMFE", "largestMAE", "largestMFE", "maximumClosedTradeDrawdown",
    "maximumIntraTradeDrawdown", "profitLossStandardDeviation", "profitLossDownsideDeviation", "profitFactor",
    "sharpeRatio", "sortinoRatio", "profitToMaxDrawdownRatio", "maximumEndTradeDrawdown", "averageEndTradeDrawdown",
    "maximumDrawdownDuration", "totalFees",
]


def test_trade_statistics_json_uses_leans_names_and_formats() -> None:
    empty = trade_statistics_json(TradeStatistics())
    assert list(empty) == LEAN_TRADE_STATISTICS_KEYS
    assert (empty["startDateTime"], empty["totalNumberOfTrades"], empty["winRate"], empty["medianTradeDuration"]) == (
        None, 0, "0", "00:00:00")
    stats = TradeStatistics.of([make_trade(1.23456, days=1.5), make_trade(-2, entry_day=2)])
    written = trade_statistics_json(stats)
    assert (written["totalProfitLoss"], written["winRate"], written["averageTradeDuration"]) == (
        "-0.7654", "0.5", "1.06:00:00")  # 1.23456 − 2 rounded to 4 places
    assert (written["startDateTime"], written["endDateTime"]) == ("2020-01-06T15:00:00Z", "2020-01-09T15:00:00Z")


# ---------------------------------------------------------------------------------------------------------------
# End to end: SPY daily (raw prices) bought once and sold in two parts
# ---------------------------------------------------------------------------------------------------------------

ALGORITHM = '''
from AlgorithmImports import *

class TwoExits(QCAlgorithm):
    def initialize(self):
        self.set_start_date(2013, 10, 7)
        self.set_end_date(2013, 10, 31)
        self.set_cash(100000)
        self.spy = self.add_equity("SPY", Resolution.DAILY, data_normalization_mode=DataNormalizationMode.RAW).symbol
        if self.get_parameter("grouping") == "flat":
            self.set_trade_builder(TradeBuilder(FillGroupingMethod.FLAT_TO_FLAT, FillMatchingMethod.FIFO))

    def on_data(self, data):
        day = self.time.date()
        if day == date(2013, 10, 9):
            self.market_order(self.spy, 100)
        elif day == date(2013, 10, 17):
            self.market_order(self.spy, -60)
        elif day == date(2013, 10, 24):
            self.market_order(self.spy, -40)
'''


def _spy_daily(folder: Path) -> pd.DataFrame:
    with zipfile.ZipFile(folder / "equity" / "usa" / "daily" / "spy.zip") as archive:
        with archive.open(archive.namelist()[0]) as handle:
            frame = pd.read_csv(handle, header=None, names=["time", "open", "high", "low", "close", "volume"])
    frame.index = pd.to_datetime(frame.pop("time"), format="%Y%m%d %H:%M")
    return frame[["open", "close"]] / 10_000


def _closes(bars: pd.DataFrame, first: str, last: str) -> pd.Series:
    return bars["close"][(bars.index >= first) & (bars.index <= last)]


@pytest.fixture(scope="module")
def two_exits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("two_exits")
    (folder / "main.py").write_text(ALGORITHM, encoding="utf-8")
    return folder


def _closed_trades(result_dir: Path) -> dict[str, Any]:
    [path] = [p for p in result_dir.glob("*.json") if not p.name.endswith(("-summary.json", "-order-events.json"))]
    return dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.lean_data
def test_backtest_reports_fill_to_fill_trades_derived_from_the_data(two_exits: Path, lean_data_folder: Path,
                                                                     tmp_path: Path) -> None:
    result = backtest(two_exits / "main.py", data_folder=lean_data_folder, output=tmp_path)
    assert result.status == "Completed", result.error
    bars = _spy_daily(lean_data_folder)
    # orders placed at midnight fill at the next session's open; the 1-share-per-order IB fee is $1
    entry, exit_1, exit_2 = (bars.loc[f"2013-10-{d}", "open"] for d in (10, 18, 25))
    closes = _closes(bars, "2013-10-11", "2013-10-24")  # prices seen while the trades are open
    # on the exit days the day's close updates the security before the open fill: it belongs to the range
    high_1 = max(_closes(bars, "2013-10-11", "2013-10-18").max(), exit_1)
    high_2 = max(closes.max(), bars.loc["2013-10-25", "close"], exit_1, exit_2)
    output = _closed_trades(tmp_path)
    trades = output["totalPerformance"]["closedTrades"]
    assert [(t["quantity"], t["entryPrice"], t["exitPrice"], t["orderIds"]) for t in trades] == [
        (60, pytest.approx(entry), pytest.approx(exit_1), [1, 2]),
        (40, pytest.approx(entry), pytest.approx(exit_2), [1, 3])]
    assert trades[0]["profitLoss"] == pytest.approx(round((exit_1 - entry) * 60, 2))
    assert trades[1]["profitLoss"] == pytest.approx(round((exit_2 - entry) * 40, 2))
    assert trades[0]["mfe"] == pytest.approx(round((high_1 - entry) * 60, 2))
    assert trades[1]["mfe"] == pytest.approx(round((high_2 - entry) * 40, 2))
    low_1 = min(_closes(bars, "2013-10-11", "2013-10-18").min(), exit_1, entry)
    assert trades[0]["mae"] == pytest.approx(round((low_1 - entry) * 60, 2))
    assert [t["totalFees"] for t in trades] == [2, 1]
    assert trades[0]["duration"] == "8.00:00:00" and trades[0]["direction"] == 0 and trades[0]["isWin"] is True
    assert set(trades[0]) == {"id", "symbols", "entryTime", "entryPrice", "direction", "quantity", "exitTime",
                              "exitPrice", "profitLoss", "totalFees", "mae", "mfe", "duration", "endTradeDrawdown",
                              "isWin", "orderIds"}
    statistics = output["totalPerformance"]["tradeStatistics"]
    total = round((exit_1 - entry) * 60, 2) + round((exit_2 - entry) * 40, 2)
    assert float(statistics["totalProfitLoss"]) == pytest.approx(total)
    assert statistics["totalNumberOfTrades"] == 2 and statistics["averageTradeDuration"] == "11.12:00:00"
    assert statistics["startDateTime"] == trades[0]["entryTime"]
    month = output["rollingWindow"]["M1_20131031"]
    assert month["closedTrades"] == [] and month["tradeStatistics"]["totalNumberOfTrades"] == 2


@pytest.mark.lean_data
def test_algorithm_can_choose_flat_to_flat_grouping(two_exits: Path, lean_data_folder: Path, tmp_path: Path) -> None:
    result = backtest(two_exits / "main.py", data_folder=lean_data_folder, output=tmp_path,
                      parameters={"grouping": "flat"})
    assert result.status == "Completed", result.error
    bars = _spy_daily(lean_data_folder)
    entry, exit_1, exit_2 = (bars.loc[f"2013-10-{d}", "open"] for d in (10, 18, 25))
    [trade] = _closed_trades(tmp_path)["totalPerformance"]["closedTrades"]
    average_exit = (60 * exit_1 + 40 * exit_2) / 100
    assert trade["quantity"] == 100 and trade["exitPrice"] == pytest.approx(average_exit)
    assert trade["profitLoss"] == pytest.approx(round((average_exit - entry) * 100, 2))
    assert trade["totalFees"] == 3 and trade["orderIds"] == [1, 2, 3]


@given(st.sampled_from([1.0, 0.5, 1.2345678901234567, 2.0, 100.0]), st.sampled_from([1.0, 0.01, 50.0, 1.1]))
def test_a_fills_account_scale_is_the_decimal_product_of_its_conversion_rate_and_multiplier(
        rate: float, multiplier: float) -> None:
    """The usual 1 × 1 needs no conversion; every pair scales as C#'s (decimal)rate × (decimal)multiplier, whose
    conversions keep 15 significant digits."""
    expected = Decimal(format(rate, ".15g")) * Decimal(format(multiplier, ".15g"))
    scale = trades_module._account_scale(rate, multiplier)
    assert scale == expected and str(scale) == str(expected)
