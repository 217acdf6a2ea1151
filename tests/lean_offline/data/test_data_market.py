"""Market data objects and symbols."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from lean_offline.data.market import Bar, BaseData, QuoteBar, Tick, TradeBar
from lean_offline.data.symbol import Symbol, SymbolCache
from lean_offline.enums import SecurityType, TickType

SPY = Symbol.create("SPY", SecurityType["EQUITY"], "usa", first_date=date(1998, 1, 2))


def test_trade_bar_fields_in_both_spellings() -> None:
    bar = TradeBar(datetime(2013, 10, 8, 9, 30), SPY, 1.0, 2.0, 0.5, 1.5, 100.0, timedelta(hours=6, minutes=30))
    assert (bar.close, bar.Close, bar.value, bar.Value, bar.price) == (1.5, 1.5, 1.5, 1.5, 1.5)
    assert bar.EndTime == datetime(2013, 10, 8, 16, 0)
    assert bar.period == timedelta(hours=6, minutes=30)
    assert bar.Symbol is SPY and bar.Volume == 100.0
    with pytest.raises(AttributeError):  # reported as unsupported by the runner (tests/lean_offline/test_naming.py)
        _ = bar.NoSuchMember


def test_clone_copies_every_field_and_flags_fill_forward() -> None:
    bar = TradeBar(datetime(2013, 10, 8), SPY, 1.0, 2.0, 0.5, 1.5, 100.0, timedelta(days=1))
    bar.end_time_utc = datetime(2013, 10, 9, 4)
    copy = bar.clone(fill_forward=True)
    assert copy is not bar and copy.is_fill_forward and not bar.is_fill_forward
    assert (copy.open, copy.high, copy.low, copy.close, copy.volume, copy.time, copy.end_time, copy.end_time_utc) == (
        1.0, 2.0, 0.5, 1.5, 100.0, bar.time, bar.end_time, bar.end_time_utc)


def test_quote_bar_prices_are_mids_or_the_side_present() -> None:
    bid, ask = Bar(1.0, 2.0, 0.5, 1.5), Bar(1.2, 2.2, 0.7, 1.7)
    both = QuoteBar(datetime(2013, 1, 1), SPY, bid, 10, ask, 20, timedelta(days=1))
    assert both.open == pytest.approx(1.1) and both.high == pytest.approx(2.1)
    assert both.low == pytest.approx(0.6) and both.close == pytest.approx(1.6) and both.value == both.close
    only_ask = QuoteBar(datetime(2013, 1, 1), SPY, None, 0, ask, 20)
    assert (only_ask.open, only_ask.close, only_ask.Bid) == (1.2, 1.7, None)
    assert only_ask.end_time - only_ask.time == timedelta(minutes=1)


def test_quote_tick_value_is_the_mid() -> None:
    tick = Tick(datetime(2013, 1, 1), SPY, tick_type=TickType["QUOTE"], bid_price=1.0, ask_price=1.2)
    assert tick.value == pytest.approx(1.1) and tick.period == timedelta(0)


@pytest.mark.parametrize(("symbol", "expected"), [
    # identifiers printed by LEAN (order events of BasicTemplateDailyAlgorithm; LEAN's docs and tests)
    (SPY, "SPY R735QTJ8XC9X"),
    (Symbol.create("EURUSD", SecurityType["FOREX"], "oanda"), "EURUSD 8G"),
    (Symbol.create("BTCUSD", SecurityType["CRYPTO"], "coinbase"), "BTCUSD 2XR"),
    (Symbol.create_base("Bitcoin", "BTC"), "BTC.Bitcoin 2S"),
])
def test_security_identifier_strings_match_lean(symbol: Symbol, expected: str) -> None:
    assert str(symbol.id) == expected


def test_google_identifier_carries_its_first_ticker_and_date() -> None:
    # LEAN's GOOG map file starts on 2014-03-27 as "goocv"; LEAN prints GOOG's id as "GOOCV VP83T1ZUHROL"
    goog = Symbol.create("GOOG", SecurityType["EQUITY"], "usa", first_date=date(2014, 3, 27), first_ticker="GOOCV")
    assert str(goog.id) == "GOOCV VP83T1ZUHROL"


def test_symbol_equality_hash_and_printing() -> None:
    other = Symbol.create("spy", SecurityType["EQUITY"], "usa")
    assert other == SPY and hash(other) == hash(SPY) and {other: 1}[SPY] == 1
    by_ticker: dict[object, int] = {"SPY": 1}
    by_symbol: dict[object, int] = {SPY: 1}
    assert by_ticker[SPY] == 1 and by_symbol["SPY"] == 1
    assert str(SPY) == "SPY" and repr(SPY) == "SPY" and SPY == "SPY"
    assert Symbol.create("SPY", SecurityType["CFD"], "oanda") != SPY
    assert Symbol.create_base("Bitcoin", "BTC").is_custom_data and not SPY.is_custom_data


def test_symbol_cache_resolves_tickers_and_names_unknown_ones() -> None:
    cache = SymbolCache()
    cache.set("SPY", SPY)
    assert cache.resolve("spy") is SPY and cache.resolve(SPY) is SPY
    with pytest.raises(KeyError, match="QQQ"):
        cache.resolve("QQQ")


def test_quote_bar_clone_copies_sides_and_keeps_packed_sides_lazy() -> None:
    bar = QuoteBar(datetime(2013, 1, 1), SPY, Bar(1.0, 2.0, 0.5, 1.5), 10, None, 0, timedelta(days=1))
    copy = bar.clone(fill_forward=True)
    assert isinstance(copy, QuoteBar) and copy.bid is not None and bar.bid is not None
    assert copy.bid is not bar.bid and copy.bid.close == 1.5 and copy.ask is None
    copy.bid.close = 9.0
    assert bar.bid.close == 1.5
    packed = QuoteBar.__new__(QuoteBar)
    packed.symbol, packed.time, packed.end_time, packed.value = SPY, bar.time, bar.end_time, 1.55
    packed.is_fill_forward, packed.end_time_utc, packed.last_bid_size, packed.last_ask_size = False, None, 1, 2
    packed._sides = [1.0, 2.0, 0.5, 1.5, 1, float("nan"), float("nan"), float("nan"), float("nan"), 2]
    lazy_copy = packed.clone()
    assert lazy_copy.bid.open == 1.0 and lazy_copy.ask is None and lazy_copy.value == 1.55


def test_subclass_clone_keeps_instance_fields() -> None:
    class Custom(BaseData):
        pass

    point = Custom(datetime(2020, 1, 1), symbol=SPY, value=3.0)
    point.extra = "kept"  # type: ignore[attr-defined]
    copy = point.clone(fill_forward=True)
    assert type(copy) is Custom and copy.extra == "kept" and copy.value == 3.0 and copy.is_fill_forward


def test_symbol_factories_in_pascal_case_on_the_class() -> None:
    created = Symbol.Create("spy", SecurityType.Equity, "usa")  # type: ignore[attr-defined]
    assert created == SPY and created.Value == "SPY" and created.ID.Market == "usa"


def test_close_and_price_follow_the_value_as_written_and_as_a_subclass_overrides_it() -> None:
    bar = TradeBar(datetime(2013, 10, 8, 9, 30), SPY, 1.0, 2.0, 0.5, 1.5, 100.0)
    bar.Close = 1.75
    assert (bar.value, bar.close, bar.price, bar.Price) == (1.75, 1.75, 1.75, 1.75)
    bar.value = 1.25
    assert (bar.close, bar.Close, bar.price) == (1.25, 1.25, 1.25)
    quote = QuoteBar(datetime(2013, 10, 8, 9, 30), SPY, Bar(1.0, 1.0, 1.0, 1.0), 10.0, Bar(2.0, 2.0, 2.0, 2.0), 20.0)
    quote.value = 1.6
    assert (quote.close, quote.Close, quote.price) == (1.6, 1.6, 1.6)
    with pytest.raises(AttributeError):  # a quote bar's close is read-only, as before
        quote.close = 3.0  # type: ignore[misc]

    class Fixed(TradeBar):
        @property  # type: ignore[override]
        def value(self) -> float:
            return 42.0

        @value.setter
        def value(self, value: float) -> None:
            pass

    assert (Fixed().close, Fixed().price) == (42.0, 42.0)
