"""Fast paths of order submission and fills, each compared with the general path it stands for."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_offline.data.market import QuoteBar, TradeBar
from lean_offline.data.readers import BarBlock
from lean_offline.data.symbol import Symbol
from lean_offline.engine.securities import SecurityCache
from lean_offline.enums import SecurityType

AAA = Symbol.create("AAA", SecurityType["EQUITY"], "usa")
PRICES = st.sampled_from([0.0, 1.5, 7.25, 100.0]) | st.floats(min_value=0.0, max_value=500.0)


def _row_block(is_quote: bool, minute: int, prices: tuple[float, float, float, float]) -> BarBlock:
    time = np.array([datetime(2013, 11, 20, 10, minute)], dtype="datetime64[ns]")
    end = time + np.timedelta64(1, "m")
    first, second, third, fourth = prices
    if is_quote:
        values = np.array([[first, second, third, fourth, 10.0, second, third, first, fourth, 20.0]])
        return BarBlock(AAA, QuoteBar, time, end, end, values)
    return BarBlock(AAA, TradeBar, time, end, end, np.array([[first, second, third, fourth, 100.0]]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 2), PRICES, PRICES, PRICES, PRICES, st.booleans()),
                min_size=1, max_size=10))
def test_data_close_reads_what_the_built_bar_would_give(rows: list[tuple[Any, ...]]) -> None:
    """`SecurityCache.data_close` answers from the row without building its bar: the same close as the bar
    `get_data` builds on a cache that took the same rows (some of them read in between)."""
    fast, built = SecurityCache(), SecurityCache()
    minute = 0
    for is_quote, advance, first, second, third, fourth, read_now in rows:
        minute += advance
        block = _row_block(is_quote, minute, (first, second, third, fourth))
        fast.add_row(block, 0)
        built.add_row(block, 0)
        if read_now:
            for kind in (TradeBar, QuoteBar):
                bar = built.get_data(kind)
                assert fast.data_close(kind) == (None if bar is None else bar.close)
    assert all(type(data) is tuple for data in fast._by_type.values())  # data_close built no bar
    for kind in (TradeBar, QuoteBar):
        bar = built.get_data(kind)
        assert fast.data_close(kind) == (None if bar is None else bar.close)


def test_data_close_of_a_delivered_bar_is_that_bars() -> None:
    block = _row_block(False, 0, (10.0, 11.0, 9.0, 10.5))
    delivered = block.bar(0)
    delivered.value = 12.0  # an object the algorithm saw (and, here, changed) is the cache's data point
    cache = SecurityCache()
    cache.add_row(block, 0, delivered)
    assert cache.data_close(TradeBar) == 12.0
    assert cache.data_close(QuoteBar) is None
