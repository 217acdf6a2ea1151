"""Slice: what `on_data` receives, against LEAN's rules written out independently of the one-pass constructor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lean_offline.data.corporate_actions import Dividend, Split
from lean_offline.data.market import Bar, BaseData, QuoteBar, Tick, TradeBar
from lean_offline.data.symbol import Symbol, symbol_cache
from lean_offline.engine.slice import Slice
from lean_offline.enums import SecurityType

TIME = datetime(2021, 3, 1, 9, 31)
EQUITY = SecurityType["EQUITY"]
TICKERS = ("AAA", "BBB", "CCC")


@pytest.fixture(autouse=True)
def cached_tickers() -> Iterator[None]:
    for ticker in TICKERS:
        symbol_cache.set(ticker, symbol(ticker))
    yield
    for ticker in TICKERS:
        symbol_cache.remove(symbol(ticker))


def symbol(ticker: str) -> Symbol:
    return Symbol.create(ticker, EQUITY, "usa")


def trade_bar(ticker: str, close: float) -> TradeBar:
    return TradeBar(TIME, symbol(ticker), close, close, close, close, 100.0, timedelta(minutes=1))


def quote_bar(ticker: str, close: float) -> QuoteBar:
    side = Bar(close, close, close, close)
    return QuoteBar(TIME, symbol(ticker), side, 10.0, side, 10.0, timedelta(minutes=1))


class Custom(BaseData):
    pass


def expected_main(points: list[Any]) -> dict[Symbol, Any]:
    """LEAN's slice[symbol] over bars: the (last) trade bar of the symbol if it has one, else its last quote bar."""
    main: dict[Symbol, Any] = {}
    for point in points:
        if isinstance(point, QuoteBar) and isinstance(main.get(point.symbol), TradeBar):
            continue
        main[point.symbol] = point
    return main


bars = st.lists(st.tuples(st.sampled_from(TICKERS), st.booleans(), st.floats(1, 1000)), max_size=8).map(
    lambda specs: [trade_bar(t, c) if is_trade else quote_bar(t, c) for t, is_trade, c in specs])


@given(bars)
def test_indexing_prefers_the_trade_bar_whatever_the_order(points: list[Any]) -> None:
    data = Slice(TIME, points)
    expected = expected_main(points)
    assert dict(data) == expected
    assert all(data[key] is value for key, value in expected.items())
    assert data.bars == {p.symbol: p for p in points if isinstance(p, TradeBar)}
    assert data.quote_bars == {p.symbol: p for p in points if isinstance(p, QuoteBar)}


@given(bars)
def test_bar_steps_give_what_the_general_path_gives(points: list[Any]) -> None:
    """A custom point sends the constructor down the general path; the bars must land where the fast path puts them."""
    custom = Custom(TIME, TIME, Symbol.create_base("Custom", "ZZZ"), 1.0)
    fast, general = Slice(TIME, points), Slice(TIME, [*points, custom])
    assert dict(general) == {**dict(fast), custom.symbol: custom}
    assert (general.bars, general.quote_bars) == (fast.bars, fast.quote_bars)


def test_lookups_by_symbol_and_ticker_string() -> None:
    aaa, bbb = trade_bar("AAA", 10.0), quote_bar("BBB", 20.0)
    data = Slice(TIME, (p for p in [aaa, bbb]))
    assert data.time == data.Time == TIME
    assert data[symbol("AAA")] is aaa and data["aaa"] is aaa and data["BBB"] is bbb
    assert data.contains_key(symbol("AAA")) and data.ContainsKey("BBB") and "AAA" in data
    assert not data.contains_key(symbol("CCC")) and not data.contains_key("CCC") and "NOPE" not in data
    assert data.get(symbol("CCC")) is None and data.get("CCC", 5) == 5 and data.get("AAA") is aaa
    assert data.get(TradeBar) == {symbol("AAA"): aaa} and data.get(QuoteBar, symbol("BBB")) is bbb
    assert data.try_get_value("BBB") == (True, bbb) and data.try_get_value("CCC") == (False, None)
    assert data.keys() == [symbol("AAA"), symbol("BBB")] and data.values() == [aaa, bbb]
    assert data.count == data.Count == 2 and data.has_data
    assert data.Bars[symbol("AAA")] is aaa and data.QuoteBars["BBB"] is bbb and data.ticks == {}


def test_iterating_gives_key_value_pairs_as_lean_does() -> None:
    """LEAN's dictionaries iterate as KeyValuePair from Python (its RegressionAlgorithm.py: `for kvp in data.bars:`
    `kvp.Value`, `kvp.key`); keys(), values() and items() give what Python's would."""
    aaa, bbb = trade_bar("AAA", 10.0), quote_bar("BBB", 20.0)
    data = Slice(TIME, [aaa, bbb])
    assert [(kvp.key, kvp.Value) for kvp in data] == [(symbol("AAA"), aaa), (symbol("BBB"), bbb)]
    assert [(kvp.Key, kvp.value) for kvp in data.bars] == [(symbol("AAA"), aaa)]
    assert data.keys() == [symbol("AAA"), symbol("BBB")] and list(data.items()) == [(symbol("AAA"), aaa),
                                                                                    (symbol("BBB"), bbb)]
    assert dict(data) == {symbol("AAA"): aaa, symbol("BBB"): bbb}


def test_missing_symbol_is_named_in_the_key_error() -> None:
    data = Slice(TIME, [trade_bar("AAA", 10.0)])
    with pytest.raises(KeyError, match="'CCC' wasn't found in the Slice object"):
        data[symbol("CCC")]
    with pytest.raises(KeyError, match="'BBB' wasn't found in the QuoteBars object"):
        data.quote_bars["BBB"]
    with pytest.raises(AttributeError, match="NoSuchMember"):  # reported as unsupported by the runner
        data.NoSuchMember  # noqa: B018


def test_ticks_custom_data_and_corporate_actions() -> None:
    first = Tick(TIME, symbol("AAA"), 10.0, 1.0)
    second = Tick(TIME, symbol("AAA"), 10.5, 2.0)
    custom = Custom(TIME, TIME, Symbol.create_base("Custom", "ZZZ"), 3.0)
    split = Split(symbol("BBB"), TIME, 50.0, 0.5)
    dividend = Dividend(symbol("CCC"), TIME, 0.25, 40.0)
    bar = trade_bar("CCC", 41.0)
    data = Slice(TIME, [first, custom, split, second, dividend, bar])
    assert data.ticks == {symbol("AAA"): [first, second]} and data[symbol("AAA")] == [first, second]
    assert data[custom.symbol] is custom
    assert data.contains_key("BBB") and data["BBB"] is None  # a split alone: the key, without a bar
    assert data[symbol("CCC")] is bar and data.bars == {symbol("CCC"): bar}
    assert data.splits == {symbol("BBB"): split} and data.Dividends == {symbol("CCC"): dividend}
    assert data.get(Split) == {symbol("BBB"): split}
    # LEAN's Slice enumerates each tick on its own and leaves out a symbol with auxiliary data only (Slice.cs)
    assert [(kvp.key, kvp.value) for kvp in data] == [(symbol("AAA"), first), (symbol("AAA"), second),
                                                      (custom.symbol, custom), (symbol("CCC"), bar)]
    assert data.values() == [first, second, custom, bar] and list(data.all_data()) == data.values()
    assert data.items() == [(kvp.key, kvp.value) for kvp in data]
    assert data.get(type(custom)) == {custom.symbol: custom} and data.get(TradeBar) == {symbol("CCC"): bar}


def test_ticker_strings_are_case_insensitive_as_in_leans_symbol_cache() -> None:
    aaa, bbb = trade_bar("AAA", 10.0), quote_bar("BBB", 20.0)
    data = Slice(TIME, [aaa, bbb])
    assert data["aaa"] is aaa and data["Bbb"] is bbb


def test_contains_key_and_in_convert_a_ticker_of_any_case() -> None:
    data = Slice(TIME, [trade_bar("AAA", 10.0)])
    assert data.contains_key("aaa") and data.ContainsKey("aAa") and "aaa" in data
    assert not data.contains_key("ccc") and "ccc" not in data and not data.contains_key("zzz")
    assert data.bars.contains_key("aaa") and "aaa" in data.bars and "bbb" not in data.quote_bars


def test_get_converts_a_ticker_of_any_case() -> None:
    aaa = trade_bar("AAA", 10.0)
    data = Slice(TIME, [aaa])
    assert data.get("aaa") is aaa and data.bars.get("aaa") is aaa and data.try_get_value("aaa") == (True, aaa)
    assert data.get("ccc") is None and data.get("ccc", 5) == 5 and data.bars.get("zzz", 6) == 6


def test_a_symbol_key_holding_none_is_found_not_defaulted() -> None:
    dividend = Dividend(symbol("AAA"), TIME, 0.5, 10.0)
    data = Slice(TIME, [dividend])
    assert data.contains_key("aaa") and data.get("aaa", 5) is None and data.get(symbol("AAA"), 5) is None
