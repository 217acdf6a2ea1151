"""Reads of the security cache that an order makes (bid, ask, close) while rows of a block wait to be applied: the
fast answers must be what applying the rows gives (cache fed bar by bar with `add_data` as the reference)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.data.market import QuoteBar, TradeBar
from lean_offline.data.readers import BarBlock
from lean_offline.data.symbol import Symbol
from lean_offline.engine.securities import _BLOCK, _FIRST, _LAST, SecurityCache
from lean_offline.enums import SecurityType

AAA = Symbol.create("AAA", SecurityType["EQUITY"], "usa")
PRICES = st.sampled_from([0.0, 0.0, 1.5, 2.0, 7.25, 100.0])
QUOTE_FIELDS = ("bid_price", "ask_price", "bid_size", "ask_size")
READS = ("price", "close", *QUOTE_FIELDS)


def _block(kind: str, rows: list[tuple[datetime, list[float]]]) -> BarBlock:
    starts = np.array([start for start, _ in rows], dtype="datetime64[ns]")
    ends = starts + np.timedelta64(60, "s")
    return BarBlock(AAA, TradeBar if kind == "trade" else QuoteBar, starts, ends, ends,
                    np.array([values for _, values in rows], dtype=np.float64))


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 2), st.sampled_from(["trade", "quote", "quote trade"]), PRICES, PRICES,
                          PRICES, st.sampled_from([None, *READS]), st.sampled_from([None, True, False])),
                min_size=1, max_size=16))
def test_price_close_and_quote_reads_between_rows_match_bars_added_one_by_one(
        steps: list[tuple[int, str, float, float, float, str | None, bool | None]]) -> None:
    """Trade and quote rows (some sharing end times, so that a trade row keeps the quote bar's OHLC; zero prices,
    which never overwrite), with a read of the price, the close or a quote field after some of them, and the
    security becoming held or not (a held one's price is settled as rows are added): each read, and every field at
    the end, is what a cache given each row's bar at once holds."""
    rows: dict[str, list[tuple[datetime, list[float]]]] = {"trade": [], "quote": []}
    order: list[tuple[str, int, str | None, bool | None]] = []
    minute = 0
    for advance, kinds, first, second, third, read, held in steps:
        minute += advance
        start = datetime(2013, 11, 20, 10) + timedelta(minutes=minute)
        for kind in kinds.split():
            values = ([first, second, third, second, 10.0] if kind == "trade"
                      else [first, second, third, third, 5.0, second, third, first, second, 0.0])
            order.append((kind, len(rows[kind]), read, held))
            rows[kind].append((start, values))
    blocks = {kind: _block(kind, kind_rows) for kind, kind_rows in rows.items() if kind_rows}
    by_rows, by_bars = SecurityCache(), SecurityCache()
    for kind, row, read, held in order:
        if held is not None:
            by_rows.set_valued(held)
        by_rows.add_row(blocks[kind], row)
        by_bars.add_data(blocks[kind].bar(row))
        if read is not None:
            assert getattr(by_rows, read) == getattr(by_bars, read)
    fields = ("price", "open", "high", "low", "close", "volume", *QUOTE_FIELDS)
    assert [getattr(by_rows, name) for name in fields] == [getattr(by_bars, name) for name in fields]


def test_quote_fields_and_a_set_close_leave_trade_rows_waiting() -> None:
    """Trade rows cannot change the bid, the ask or their sizes, and a run's last non-zero close is the close it
    leaves: those reads leave the rows waiting (an order's submission data reads them for every order)."""
    start = datetime(2013, 11, 20, 10)
    quotes = _block("quote", [(start, [10.0, 11.0, 9.0, 10.0, 5.0, 10.5, 11.5, 9.5, 10.5, 7.0])])
    trades = _block("trade", [(start + timedelta(minutes=minute), [20.0, 21.0, 19.0, close, 100.0])
                              for minute, close in enumerate([20.0, 0.0, 22.0], start=1)])
    cache = SecurityCache()
    cache.add_row(quotes, 0)
    assert (cache.bid_price, cache.ask_price, cache.bid_size, cache.ask_size) == (10.0, 10.5, 5.0, 7.0)
    for row in range(3):
        cache.add_row(trades, row)
    reads: list[Any] = [cache.bid_price, cache.ask_price, cache.bid_size, cache.ask_size, cache.close]
    assert reads == [10.0, 10.5, 5.0, 7.0, 22.0]
    assert cache._run[_BLOCK] is trades and cache._run[_FIRST] == 0 and cache._run[_LAST] == 2
    assert cache.open == 20.0 and cache._run[_BLOCK] is None  # another field applies them


@settings(max_examples=150, deadline=None)
@given(st.lists(PRICES, min_size=1, max_size=40), st.data())
def test_a_blocks_price_path_is_the_price_after_each_row(closes: list[float], data: st.DataObject) -> None:
    """`BarBlock.price_path(changes_from, first, last, previous)` against a plain walk over the rows: a cache holding
    `previous` takes each non-zero close of rows `changes_from` on (rows before it leave the price), and the path is
    its price after each of rows `first`..`last`."""
    count = len(closes)
    first = data.draw(st.integers(0, count - 1))
    last = data.draw(st.integers(first, count - 1))
    changes_from = data.draw(st.integers(0, count))
    starts = np.datetime64("2013-11-20T09:30", "ns") + np.arange(count) * np.timedelta64(60, "s")
    values = np.column_stack([np.full(count, 3.0), np.full(count, 4.0), np.full(count, 2.0), closes,
                              np.full(count, 9.0)])
    block = BarBlock(AAA, TradeBar, starts, starts, starts, values)
    walked = []
    price = -1.0
    for row in range(last + 1):
        if row >= changes_from and closes[row]:
            price = closes[row]
        if row >= first:
            walked.append(price)
    assert list(block.price_path(changes_from, first, last, -1.0)) == walked


def test_a_blocks_end_time_read_alone_is_numpys_conversion() -> None:
    """End times made from microseconds since the epoch (rows outside the loaded chunk) equal numpy's own
    conversion of the row, sub-microsecond parts truncated alike."""
    count = 3_000
    ends = np.datetime64("1998-01-02T16:00:00.123456789", "ns") + np.arange(count) * np.timedelta64(86_399_123_457_000, "ns")
    block = BarBlock(AAA, TradeBar, ends, ends, ends, np.ones((count, 5)))
    assert [block.end_time(row) for row in range(0, count, 7)] == ends[::7].astype("datetime64[us]").tolist()
    assert block.end_time(5) == datetime(1998, 1, 7, 15, 59, 55, 740741)


def test_a_run_ending_in_a_row_without_a_close_is_priced_from_the_state_it_leaves() -> None:
    """The last waiting row has no close (0: it leaves the price), so the price and the close the run leaves are the
    last non-zero close of the rows before it, which set every field: both reads give it without applying the rows,
    and it is what bars added one by one give."""
    start = datetime(2013, 11, 20, 10)
    trades = _block("trade", [(start + timedelta(minutes=minute), values) for minute, values in enumerate(
        [[20.0, 21.0, 19.0, 20.5, 100.0], [20.5, 23.0, 18.0, 22.0, 50.0], [22.0, 22.5, 21.5, 0.0, 10.0]], start=1)])
    by_rows, by_bars = SecurityCache(), SecurityCache()
    for row in range(3):
        by_rows.add_row(trades, row)
        by_bars.add_data(trades.bar(row))
    assert (by_rows.price, by_rows.close) == (by_bars.price, by_bars.close) == (22.0, 22.0)
    assert by_rows._run[_BLOCK] is trades
    assert (by_rows.low, by_rows.high) == (by_bars.low, by_bars.high)
