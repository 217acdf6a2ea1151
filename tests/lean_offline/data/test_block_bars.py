"""BarBlock.bar: bars built from a chunk's precomputed row values, checked against values written out per row."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from lean_offline.data.market import PACKED_SIDE, QuoteBar, TradeBar
from lean_offline.data.readers import BarBlock
from lean_offline.data.symbol import Symbol
from lean_offline.enums import SecurityType

SYMBOL = Symbol.create("AAA", SecurityType["EQUITY"], "usa")
COUNT = 2500  # three chunks of rows
FIRST = datetime(2000, 1, 3, 9, 30)


def _times() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    starts = np.datetime64(FIRST, "ns") + np.arange(COUNT) * np.timedelta64(1, "m")
    return starts, starts + np.timedelta64(1, "m"), starts + np.timedelta64(1, "m") + np.timedelta64(5, "h")


def _expected_times(row: int) -> tuple[datetime, datetime, datetime]:
    start = FIRST + timedelta(minutes=row)
    return start, start + timedelta(minutes=1), start + timedelta(minutes=1, hours=5)


def test_quote_bars_of_any_chunk_in_any_order_carry_their_rows_values() -> None:
    rows = np.arange(COUNT, dtype=np.float64)
    # bid O,H,L,C,size then ask O,H,L,C,size; every third row has no ask side
    values = np.column_stack([rows + 1.0, rows + 3.0, rows + 0.5, rows + 2.0, np.full(COUNT, 10.0),
                              rows + 1.5, rows + 3.5, rows + 1.0, rows + 2.5, np.full(COUNT, 20.0)])
    values[::3, 5:9] = np.nan
    values[::3, 9] = 0.0
    block = BarBlock(SYMBOL, QuoteBar, *_times(), values)
    block.cache_row(2100)  # the security cache reading another chunk must not move the bars' chunk
    for row in (2400, 3, 1024, 1023, 2499, 0, 1500):
        bar = block.bar(row)
        block.cache_row((row + 1500) % COUNT)
        assert type(bar) is QuoteBar and bar.symbol is SYMBOL and not bar.is_fill_forward
        assert (bar.time, bar.end_time, bar.end_time_utc) == _expected_times(row)
        assert bar._bid is PACKED_SIDE and bar._ask is PACKED_SIDE
        if row % 3 == 0:  # the bid side alone
            assert bar._prices() == (row + 1.0, row + 3.0, row + 0.5, row + 2.0, 0.0)
            assert (bar.close, bar.last_bid_size, bar.last_ask_size, bar.ask) == (row + 2.0, 10.0, 0.0, None)
        else:
            assert bar._prices() == (row + 1.25, row + 3.25, row + 0.75, row + 2.0, row + 2.5)
            assert (bar.close, bar.last_bid_size, bar.last_ask_size) == (row + 2.25, 10.0, 20.0)
            assert bar.ask is not None and (bar.ask.open, bar.ask.close) == (row + 1.5, row + 2.5)
        assert bar.bid is not None and (bar.bid.open, bar.bid.high, bar.bid.low, bar.bid.close) == (
            row + 1.0, row + 3.0, row + 0.5, row + 2.0)


def test_trade_bars_of_any_chunk_in_any_order_carry_their_rows_values() -> None:
    rows = np.arange(COUNT, dtype=np.float64)
    values = np.column_stack([rows + 1.0, rows + 3.0, rows + 0.5, rows + 2.0, rows * 10.0])
    block = BarBlock(SYMBOL, TradeBar, *_times(), values)
    for row in (1024, 2499, 0, 1023, 2048):
        bar = block.bar(row)
        assert type(bar) is TradeBar and bar.symbol is SYMBOL and not bar.is_fill_forward
        assert (bar.time, bar.end_time, bar.end_time_utc) == _expected_times(row)
        assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == (
            row + 1.0, row + 3.0, row + 0.5, row + 2.0, row * 10.0)


def test_each_call_gives_a_new_bar() -> None:
    values = np.ones((3, 5))
    block = BarBlock(SYMBOL, TradeBar, *(column[:3] for column in _times()), values)
    first, again = block.bar(1), block.bar(1)
    first.value = 5.0
    assert first is not again and again.close == 1.0


def test_end_time_of_a_row_in_the_bars_chunk_is_that_rows_end() -> None:
    values = np.column_stack([np.arange(COUNT, dtype=np.float64) + 1.0] * 4 + [np.ones(COUNT)])
    block = BarBlock(SYMBOL, TradeBar, *_times(), values)
    block.bar(1030)  # loads the bars' chunk only
    for row in (1024, 1030, 2047, 5, 2100):  # in the bars' chunk, then outside it
        assert block.end_time(row) == _expected_times(row)[1]
